#!/usr/bin/env bash
# run.sh — `make test`: the unit tests (cmocka, built with ASan + UBSan), then
# the black-box API tests and the browser test (node's test runner) against
# the ASan + UBSan build of the real server, on SQLite and on a real
# PostgreSQL cluster started here. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
passed=0 failed=0

for t in build/unit/test_*; do
  [ -x "$t" ] || continue
  out=$(env -u TF_PG_URL "$t" 2>&1); rc=$?
  echo "$out"
  p=$(grep -oP '^\[  PASSED  \] \K[0-9]+' <<<"$out" | tail -1)
  f=$(grep -oP '^\[  FAILED  \] \K[0-9]+' <<<"$out" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); echo "unit test $t crashed (exit $rc)"; fi
done

tmp=$(mktemp -d /tmp/tradeflow-test.XXXXXX)
chmod 755 "$tmp"
pgport=$((20000 + RANDOM % 20000))
cleanup() { tests/pg.sh stop "$tmp/pg"; rm -rf "$tmp"; }
trap cleanup EXIT
if ! TF_PG_URL=$(tests/pg.sh start "$tmp/pg" "$pgport"); then
  echo "could not start the test PostgreSQL cluster:"; cat "$tmp/pg/"*.log 2>/dev/null
  echo "$passed passed, $((failed + 1)) failed"; exit 1
fi
export TF_PG_URL
# the unit tests that talk to a database run once more, on PostgreSQL
for t in build/unit/test_approvals build/unit/test_db build/unit/test_policy_projects; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1); rc=$?
  echo "$out" | sed 's/^/[pg] /'
  p=$(grep -oP '^\[  PASSED  \] \K[0-9]+' <<<"$out" | tail -1)
  f=$(grep -oP '^\[  FAILED  \] \K[0-9]+' <<<"$out" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); echo "unit test $t crashed on PostgreSQL (exit $rc)"; fi
done
export TF_BIN="$PWD/tradeflow-asan"
export TF_TMP="$tmp"

# one server with the demo company for the browser tests
"$TF_BIN" demo --db "sqlite:$tmp/browser.db" >/dev/null 2>"$tmp/browser-demo.log" || { cat "$tmp/browser-demo.log"; }
bport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$TF_BIN" serve --db "sqlite:$tmp/browser.db" --listen "127.0.0.1:$bport" 2>"$tmp/browser-server.log" &
bpid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bport/healthz" >/dev/null && break; sleep 0.1; done
export TF_BASE_URL="http://127.0.0.1:$bport"

shopt -s nullglob
files=(tests/api/*.test.mjs tests/browser/*.test.mjs tests/browser/journeys/*.test.mjs)
shopt -u nullglob
node --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tmp/results.tap" \
  "${files[@]}"
node_rc=$?
kill -TERM "$bpid" 2>/dev/null; wait "$bpid"; brc=$?
if [ $brc -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/browser-server.log"; then
  echo "the browser tests' server exited with $brc or reported a sanitizer error:"; tail -50 "$tmp/browser-server.log"
  failed=$((failed + 1))
fi
p=$(grep -oP '^# pass \K[0-9]+' "$tmp/results.tap" | tail -1)
f=$(grep -oP '^# fail \K[0-9]+' "$tmp/results.tap" | tail -1)
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
if [ $node_rc -ne 0 ] && [ "${f:-0}" = 0 ]; then failed=$((failed + 1)); fi

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
