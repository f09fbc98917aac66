#!/usr/bin/env bash
# screens.sh — `make screens`: screenshots of every screen at desktop and phone
# widths in English and Chinese, from a demo server, into $TF_SCREENS_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
./tradeflow demo --db "sqlite:$tmp/screens.db" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
./tradeflow serve --db "sqlite:$tmp/screens.db" --listen "127.0.0.1:$port" --no-access-log 2>"$tmp/server.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export TF_SCREENS_DIR="${TF_SCREENS_DIR:-/tmp/tf-screens}"
TF_BASE_URL="http://127.0.0.1:$port" node tests/browser/screens.mjs
echo "screenshots in $TF_SCREENS_DIR"
