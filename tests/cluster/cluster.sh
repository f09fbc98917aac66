#!/usr/bin/env bash
# cluster.sh — a throw-away PostgreSQL pair under pg_auto_failover on
# loopback for tests/cluster: a monitor and two nodes (a primary and its
# synchronous standby), with health checks quick enough for a test.
#   cluster.sh start DIR BASEPORT   prints the multi-host URL of database tradeflow
#   cluster.sh state DIR            the monitor's view of the nodes
#   cluster.sh primary DIR          the name of the node that is primary (n1 / n2)
#   cluster.sh crash DIR NODE       kills NODE's keeper and postmaster (SIGKILL)
#   cluster.sh stop DIR             stops everything and removes DIR
# Ports: BASEPORT the monitor, +1 and +2 the nodes. Runs PostgreSQL as the
# postgres user when started by root. Everything it starts stops with `stop`.
set -euo pipefail
cmd=$1 dir=$2
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() {
  local env=(PATH="$BIN:$PATH" XDG_CONFIG_HOME="$dir/xdg" XDG_DATA_HOME="$dir/xdg-data"
             XDG_RUNTIME_DIR="$dir/run" PG_AUTOCTL_DEBUG=)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env "${env[@]}" "$@"; else env "${env[@]}" "$@"; fi
}
monitor_url() { echo "postgres://autoctl_node@127.0.0.1:$(cat "$dir/baseport")/pg_auto_failover?sslmode=disable"; }
state() { as_pg pg_autoctl show state --pgdata "$dir/mon" --json 2>/dev/null; }
# waits until the monitor reports a primary and a secondary, each as assigned
wait_pair() {
  for _ in $(seq 1 240); do
    local s
    s=$(state || true)
    if [ -n "$s" ] && python3 -c '
import json, sys
nodes = json.loads(sys.argv[1])
st = sorted((n["current_group_state"], n["assigned_group_state"]) for n in nodes)
sys.exit(0 if st == [("primary", "primary"), ("secondary", "secondary")] else 1)' "$s" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "cluster: the pair did not come up" >&2
  state >&2 || true
  return 1
}
kill_keeper() { # NAME: the keeper and its services (which would start Postgres again)
  local k
  for k in $(pgrep -f "pg_autoctl run --pgdata $dir/$1\$" || true); do
    pkill -KILL -P "$k" 2>/dev/null || true
    kill -KILL "$k" 2>/dev/null || true
  done
}
run_keeper() { # NAME: pg_autoctl run in the background, its log in DIR
  as_pg bash -c "nohup pg_autoctl run --pgdata '$dir/$1' >'$dir/$1.log' 2>&1 &"
}

case "$cmd" in
start)
  base=$3
  mkdir -p "$dir/run"
  echo "$base" >"$dir/baseport"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  as_pg pg_autoctl create monitor --pgdata "$dir/mon" --pgport "$base" --hostname 127.0.0.1 \
    --listen 127.0.0.1 --auth trust --no-ssl >"$dir/mon-create.log" 2>&1
  run_keeper mon
  for _ in $(seq 1 120); do
    psql "postgres://autoctl_node@127.0.0.1:$base/pg_auto_failover" -Atqc 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.25
  done
  # a node is unhealthy after 3 s without an answer (20 s by default)
  psql "postgres://postgres@127.0.0.1:$base/pg_auto_failover" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER SYSTEM SET pgautofailover.health_check_period = 1000;
ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000;
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500;
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 3000;
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 3000;
SELECT pg_reload_conf();
SQL
  for n in 1 2; do
    as_pg pg_autoctl create postgres --pgdata "$dir/n$n" --pgport $((base + n)) --hostname 127.0.0.1 \
      --listen 127.0.0.1 --monitor "$(monitor_url)" --auth trust --no-ssl --dbname tradeflow \
      --name "n$n" >"$dir/n$n-create.log" 2>&1
    run_keeper "n$n"
    [ "$n" = 1 ] && { for _ in $(seq 1 120); do
      psql "postgres://postgres@127.0.0.1:$((base + 1))/tradeflow" -Atqc 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.5
    done; }
  done
  wait_pair
  echo "postgresql://postgres@127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))/tradeflow?target_session_attrs=read-write&connect_timeout=2"
  ;;
state)
  state
  ;;
primary)
  # the node the monitor wants primary and that says it is (a dead node's
  # last report stays "primary" until it comes back)
  state | python3 -c 'import json,sys; print(next(n["nodename"] for n in json.load(sys.stdin) if n["assigned_group_state"] in ("primary", "wait_primary", "single") and n["current_group_state"] == n["assigned_group_state"]))'
  ;;
crash)
  # every process of the node: its keeper's services (which would start
  # Postgres again) and Postgres with its backends
  node=$3
  pm=$(head -1 "$dir/$node/postmaster.pid" 2>/dev/null || true)
  kill_keeper "$node"
  if [ -n "$pm" ]; then
    pkill -KILL -P "$pm" 2>/dev/null || true
    kill -KILL "$pm" 2>/dev/null || true
  fi
  ;;
stop)
  for n in n1 n2 mon; do
    [ -d "$dir/$n" ] || continue
    as_pg pg_autoctl stop --pgdata "$dir/$n" --immediate >/dev/null 2>&1 || true
  done
  sleep 0.5
  # whatever is left of them
  for n in n1 n2 mon; do
    kill_keeper "$n"
    pm=$(head -1 "$dir/$n/postmaster.pid" 2>/dev/null || true)
    [ -n "$pm" ] && { pkill -KILL -P "$pm" 2>/dev/null || true; kill -KILL "$pm" 2>/dev/null || true; }
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: cluster.sh start DIR BASEPORT | state DIR | primary DIR | crash DIR NODE | stop DIR" >&2
  exit 2
  ;;
esac
