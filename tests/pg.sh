#!/usr/bin/env bash
# pg.sh — a throw-away PostgreSQL 15 cluster for the tests, on a loopback port
# in a temporary folder.   pg.sh start DIR PORT   |   pg.sh stop DIR
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cmd=$1 dir=$2
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  port=$3
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$BIN/initdb" -D "$dir/data" -A trust -U tradeflow -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
  echo "postgresql://tradeflow@127.0.0.1:$port/postgres"
  ;;
stop)
  as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
