#!/usr/bin/env bash
# one.sh — runs the chosen node test files the way `make test` does, without
# the rest of the suite: tests/one.sh [--pg] FILE...   Browser tests get a
# server of their own with the demo company (TF_BASE_URL); --pg also starts a
# throw-away PostgreSQL cluster so the API tests run on both engines and the
# browser tests' server runs on PostgreSQL instead of SQLite. Uses the
# ASan + UBSan build (make tradeflow-asan) unless TF_BIN says otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pg=0
if [ "${1:-}" = --pg ]; then pg=1; shift; fi
[ $# -gt 0 ] || { echo "usage: tests/one.sh [--pg] FILE..."; exit 2; }
tmp=$(mktemp -d /tmp/tradeflow-one.XXXXXX)
chmod 755 "$tmp"
bpid=""
cleanup() {
  [ -n "$bpid" ] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid"
  [ $pg = 1 ] && tests/pg.sh stop "$tmp/pg"
  rm -rf "$tmp"
}
trap cleanup EXIT
export TF_BIN="${TF_BIN:-$PWD/tradeflow-asan}" TF_TMP="$tmp"
if [ $pg = 1 ]; then
  TF_PG_URL=$(tests/pg.sh start "$tmp/pg" $((20000 + RANDOM % 20000))) || { echo "no PostgreSQL"; exit 1; }
  export TF_PG_URL
else
  unset TF_PG_URL
fi
if printf '%s\n' "$@" | grep -q browser/; then
  bdb="sqlite:$tmp/browser.db"
  if [ $pg = 1 ]; then
    psql "$TF_PG_URL" -q -c "CREATE DATABASE tf_browser" >/dev/null
    bdb="${TF_PG_URL%/*}/tf_browser"
  fi
  "$TF_BIN" demo --db "$bdb" >/dev/null 2>"$tmp/browser-demo.log" || cat "$tmp/browser-demo.log"
  bport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "$TF_BIN" serve --db "$bdb" --listen "127.0.0.1:$bport" 2>"$tmp/browser-server.log" &
  bpid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bport/healthz" >/dev/null && break; sleep 0.1; done
  export TF_BASE_URL="http://127.0.0.1:$bport"
fi
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "$@"
