#!/usr/bin/env bash
# run.sh — `make run`: the demo company on SQLite, served on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${TRADEFLOW_DB:-sqlite:tradeflow-demo.db}"
LISTEN="${TRADEFLOW_LISTEN:-127.0.0.1:8080}"
./tradeflow demo --db "$DB"
echo
echo "Tradeflow is starting at http://${LISTEN}/  (Ctrl-C stops it)"
echo "Sign in as admin / demo123 (or any login above, same password)."
echo
exec ./tradeflow serve --db "$DB" --listen "$LISTEN"
