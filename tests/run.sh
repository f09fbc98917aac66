#!/usr/bin/env bash
# run.sh — `make test`: the unit tests (cmocka, built with ASan + UBSan), then
# the black-box API tests and the browser test (node's test runner) against
# the ASan + UBSan build of the real server, on SQLite and on a real
# PostgreSQL cluster started here, and several servers on a PostgreSQL pair
# that fails over (tests/cluster). Ends with "N passed, N failed".
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
# the layers: no cycle between folders or headers (docs/ARCHITECTURE.md)
if python3 tools/layers.py >"$tmp/layers.log"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "include cycles:"; cat "$tmp/layers.log"; fi
# the fuzz targets (tests/fuzz/run.sh, built by make fuzz-build): each over
# its corpus, then FUZZ_TEST_SECONDS (10) of fuzzing; one test each
out=$(tests/fuzz/run.sh "${FUZZ_TEST_SECONDS:-10}" 2>&1); echo "$out"
p=$(grep -oP '^fuzz: \K[0-9]+(?= passed)' <<<"$out" | tail -1)
f=$(grep -oP '^fuzz: [0-9]+ passed, \K[0-9]+' <<<"$out" | tail -1)
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
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

# the OpenAPI document against Redocly's recommended rules and a generated
# client (two tests; tests/openapi/check.sh starts its own server)
out=$(tests/openapi/check.sh 2>&1); echo "$out"
p=$(grep -oP '^openapi: \K[0-9]+(?= passed, [0-9]+ failed$)' <<<"$out" | tail -1)
f=$(grep -oP '^openapi: [0-9]+ passed, \K[0-9]+(?= failed$)' <<<"$out" | tail -1)
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))

# a server with the demo company for the browser tests: start_browser_server
# DB_URL LOG sets TF_BASE_URL and bpid
start_browser_server() {
  "$TF_BIN" demo --db "$1" >/dev/null 2>"$2.demo" || cat "$2.demo"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "$TF_BIN" serve --db "$1" --listen "127.0.0.1:$port" 2>"$2" &
  bpid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  export TF_BASE_URL="http://127.0.0.1:$port"
}
# stop_browser_server LOG: counts a failure when it exited badly or a
# sanitizer spoke
stop_browser_server() {
  kill -TERM "$bpid" 2>/dev/null; wait "$bpid"; local brc=$?
  if [ $brc -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
    echo "the browser tests' server exited with $brc or reported a sanitizer error:"; tail -50 "$1"
    failed=$((failed + 1))
  fi
}
# count_tap FILE RC: adds a node run's results
count_tap() {
  local p f
  p=$(grep -oP '^# pass \K[0-9]+' "$1" | tail -1)
  f=$(grep -oP '^# fail \K[0-9]+' "$1" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$2" -ne 0 ] && [ "${f:-0}" = 0 ]; then failed=$((failed + 1)); fi
}

start_browser_server "sqlite:$tmp/browser.db" "$tmp/browser-server.log"

shopt -s nullglob
files=(tests/api/*.test.mjs tests/browser/*.test.mjs)
journeys=(tests/browser/journeys/*.test.mjs)
shopt -u nullglob
node --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tmp/results.tap" \
  "${files[@]}"
count_tap "$tmp/results.tap" $?
# the journeys one file at a time: they share the demo company's people
# (a manager's inbox, a salesperson's claims of the day) on one server
if [ ${#journeys[@]} -gt 0 ]; then
  node --test --test-concurrency=1 --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tmp/results-journeys.tap" \
    "${journeys[@]}"
  count_tap "$tmp/results-journeys.tap" $?
fi
stop_browser_server "$tmp/browser-server.log"

# the journeys once more, against a server on PostgreSQL
if [ ${#journeys[@]} -gt 0 ]; then
  echo "== the browser journeys on PostgreSQL"
  psql "$TF_PG_URL" -q -c "CREATE DATABASE tf_journeys" >/dev/null
  start_browser_server "${TF_PG_URL%/*}/tf_journeys" "$tmp/browser-pg-server.log"
  node --test --test-concurrency=1 --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tmp/results-pg.tap" \
    "${journeys[@]}"
  node_rc=$?
  stop_browser_server "$tmp/browser-pg-server.log"
  count_tap "$tmp/results-pg.tap" $node_rc
fi

# several servers on one PostgreSQL that fails over (pg_auto_failover,
# HAProxy): tests/cluster starts and stops its own cluster
echo "== several servers, one database, a failover"
node --test --test-concurrency=1 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tmp/results-cluster.tap" \
  tests/cluster/*.test.mjs
count_tap "$tmp/results-cluster.tap" $?

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
