#!/usr/bin/env bash
# check.sh — the served OpenAPI document against outside tools, two checks:
#   lint    Redocly CLI's recommended rules (redocly.yaml): any error or
#           warning fails it;
#   client  openapi-typescript generates the document's types and tsc
#           --noEmit compiles client.ts against them.
# usage: tests/openapi/check.sh [BASE_URL]   (a running server; without one
# it starts $TF_BIN, default ./tradeflow, on a throw-away database).
# The tools are web/'s devDependencies (npm ci in web/, `make deps`).
# Ends with "openapi: N passed, N failed"; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD bin=web/node_modules/.bin
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
tmp=$(mktemp -d /tmp/tradeflow-openapi.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"; rm -rf "$tmp"; }
trap cleanup EXIT
passed=0 failed=0
pass() { echo "openapi: $1 passed"; passed=$((passed + 1)); }
fail() { echo "openapi: $1 FAILED"; failed=$((failed + 1)); }

base=${1:-}
if [ -z "$base" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "${TF_BIN:-$root/tradeflow}" serve --db "sqlite:$tmp/openapi.db" --listen "127.0.0.1:$port" \
    --no-access-log 2>"$tmp/server.log" &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$port"
fi
if ! curl -sf "$base/api/v1/openapi.json" -o "$tmp/openapi.json"; then
  fail "fetching $base/api/v1/openapi.json"; cat "$tmp/server.log" 2>/dev/null
  echo "openapi: $passed passed, $failed failed"; exit 1
fi
for t in redocly openapi-typescript tsc; do
  [ -x "$bin/$t" ] || { echo "openapi: $bin/$t is missing: run npm ci in web/ (make deps)"; }
done

# lint: the summary line must say the document is valid, with no warnings
out=$("$bin/redocly" lint "$tmp/openapi.json" --config tests/openapi/redocly.yaml \
      --format=stylish --max-problems 1000 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q 'Woohoo! Your API description is valid' <<<"$out" &&
   ! grep -qiE '[0-9]+ warnings?' <<<"$out"; then
  pass "redocly lint (recommended rules: 0 errors, 0 warnings)"
else
  grep -vE 'Deprecation warning|Node\.js|nodejs\.org|^ *[║╔╚]' <<<"$out" | head -80
  fail "redocly lint"
fi

# client: generated types, and a client that uses them compiles
cp tests/openapi/client.ts tests/openapi/tsconfig.json "$tmp/"
if out=$("$bin/openapi-typescript" "$tmp/openapi.json" -o "$tmp/api.d.ts" 2>&1) &&
   out=$("$bin/tsc" -p "$tmp/tsconfig.json" 2>&1); then
  pass "openapi-typescript client compiles (tsc --noEmit)"
else
  echo "$out" | head -40
  fail "openapi-typescript client"
fi

echo "openapi: $passed passed, $failed failed"
[ "$failed" = 0 ]
