#!/usr/bin/env bash
# run.sh — `make bench`: a fresh database in a temporary folder, the demo
# company plus BENCH_USERS generated users, ./tradeflow serve on a free
# loopback port, then wrk against every endpoint of bench/endpoints.conf.
# Prints one table (endpoint | conns | req/s | p50 ms | p99 ms | errors |
# server CPU per request | CPU taken by other processes) and writes it as
# markdown to bench/last-results.md. Exits 1 if any request failed, so a
# benchmark with errors never passes for a good one.
#
# Settings (environment):
#   BENCH_USERS=2000           generated users (bench1 .. benchN)
#   BENCH_DURATION=10s         wrk duration per endpoint (unless the table says)
#   BENCH_CONNECTIONS=64       wrk connections per endpoint (unless the table says)
#   BENCH_THREADS=2            wrk threads
#   BENCH_DB=sqlite            sqlite, or pg: a throw-away PostgreSQL cluster
#                              (tests/pg.sh), stopped at the end
#   BENCH_SERVER_THREADS=N     tradeflow serve --threads N (unset: the server's
#                              default, one request worker per CPU on SQLite)
#   BENCH_ONLY=REGEX           only the endpoints whose name matches (grep -E)
#   BENCH_WARMUP=1s            per-endpoint warm-up and status check (1 connection)
#   BENCH_KEEP=1               keep the temporary folder (database, logs, wrk output)
#   BENCH_BIN=./tradeflow      the server binary (to compare builds)
#   BENCH_CONF=FILE            the endpoint table (default bench/endpoints.conf)
#   BENCH_DATA="customers projects dashboard quotations"  data sets: for each NAME, bench/data/NAME.sh
#                              is sourced after the users are generated (it may
#                              use sqlrun, sqlval, step, done_step, $DB, $BIN,
#                              $tmp) and bench/data/NAME.conf adds endpoints;
#                              BENCH_DATA= runs only the users' endpoints
#   BENCH_REUSE_DB=PATH        SQLite only: copy this database (one a former
#                              BENCH_KEEP=1 run left) instead of the demo and
#                              the generated data; its data sets' endpoints
#                              still come from BENCH_DATA
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_USERS=${BENCH_USERS:-2000}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_DB=${BENCH_DB:-sqlite}
BENCH_SERVER_THREADS=${BENCH_SERVER_THREADS:-}
BENCH_ONLY=${BENCH_ONLY:-}
BENCH_WARMUP=${BENCH_WARMUP:-1s}
BENCH_KEEP=${BENCH_KEEP:-}
BENCH_PASSWORD=demo123
BIN=${BENCH_BIN:-./tradeflow}
CONF=${BENCH_CONF:-bench/endpoints.conf}
BENCH_DATA=${BENCH_DATA-customers projects dashboard quotations}
BENCH_REUSE_DB=${BENCH_REUSE_DB:-}
OUT=bench/last-results.md

die() { echo "bench: $*" >&2; exit 2; }
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_duration() { [[ $1 =~ ^[1-9][0-9]*[smh]?$ ]]; }
seconds() { # 10s, 2m, 1h, 10 -> seconds
  local n=${1%[smh]}
  case $1 in *m) echo $((n * 60)) ;; *h) echo $((n * 3600)) ;; *) echo "$n" ;; esac
}

is_count "$BENCH_USERS" || die "BENCH_USERS must be a positive number"
is_count "$BENCH_CONNECTIONS" || die "BENCH_CONNECTIONS must be a positive number"
is_count "$BENCH_THREADS" || die "BENCH_THREADS must be a positive number"
[ -z "$BENCH_SERVER_THREADS" ] || is_count "$BENCH_SERVER_THREADS" || die "BENCH_SERVER_THREADS must be a positive number"
is_duration "$BENCH_DURATION" || die "BENCH_DURATION must look like 10s, 2m or 10"
is_duration "$BENCH_WARMUP" || die "BENCH_WARMUP must look like 1s"
case $BENCH_DB in sqlite | pg) ;; *) die "BENCH_DB must be sqlite or pg" ;; esac
if [ -n "$BENCH_REUSE_DB" ]; then
  [ "$BENCH_DB" = sqlite ] || die "BENCH_REUSE_DB works with BENCH_DB=sqlite only"
  [ -f "$BENCH_REUSE_DB" ] || die "BENCH_REUSE_DB: no file $BENCH_REUSE_DB"
fi
[ -x "$BIN" ] || die "$BIN is missing: run make (or make bench)"
command -v wrk >/dev/null || die "wrk is missing: make deps installs it"
command -v curl >/dev/null || die "curl is missing"
if [ "$BENCH_DB" = sqlite ]; then command -v sqlite3 >/dev/null || die "the sqlite3 shell is missing"
else command -v psql >/dev/null || die "psql is missing"; fi

# --- the endpoint table ------------------------------------------------------
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
# ${NAME} -> the value of this script's variable NAME (BENCH_USERS, ...)
expand() {
  local s=$1 out="" name
  while [[ $s =~ ^([^$]*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(.*)$ ]]; do
    name=${BASH_REMATCH[2]}
    [[ -v $name ]] || die "$CONF: unknown variable \${$name}"
    out+=${BASH_REMATCH[1]}${!name}
    s=${BASH_REMATCH[3]}
  done
  printf '%s' "$out$s"
}

names=() methods=() paths=() auths=() specs=() conns=() durs=()
read_conf() { # FILE: appends its endpoints to the arrays above
  local CONF=$1 lineno=0 line f name method path auth spec c d
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  IFS='|' read -r -a f <<<"$line"
  [ ${#f[@]} -eq 7 ] || die "$CONF:$lineno: want 7 fields separated by |, got ${#f[@]}"
  name=$(trim "${f[0]}") method=$(trim "${f[1]}") path=$(trim "${f[2]}") auth=$(trim "${f[3]}")
  spec=$(trim "${f[4]}") c=$(trim "${f[5]}") d=$(trim "${f[6]}")
  [[ $method =~ ^[A-Z]+$ ]] || die "$CONF:$lineno: bad method \"$method\""
  [[ $path == /* ]] || die "$CONF:$lineno: the path must start with /"
  case $auth in none | cookie | token) ;; *) die "$CONF:$lineno: auth must be none, cookie or token" ;; esac
  [ "$c" = - ] && c=$BENCH_CONNECTIONS
  [ "$d" = - ] && d=$BENCH_DURATION
  is_count "$c" || die "$CONF:$lineno: bad connection count \"$c\""
  is_duration "$d" || die "$CONF:$lineno: bad duration \"$d\""
  if [[ $spec == *.lua ]]; then [ -f "bench/$spec" ] || die "$CONF:$lineno: no bench/$spec"; fi
  if [ -n "$BENCH_ONLY" ] && ! grep -Eq -- "$BENCH_ONLY" <<<"$name"; then continue; fi
  names+=("$name") methods+=("$method") paths+=("$path") auths+=("$auth") specs+=("$spec")
  conns+=("$c") durs+=("$d")
done <"$CONF"
}
for set in $BENCH_DATA; do
  [[ $set =~ ^[a-z_]+$ ]] || die "BENCH_DATA: bad data set name \"$set\""
  [ -f "bench/data/$set.sh" ] || die "BENCH_DATA: no bench/data/$set.sh"
done
read_conf "$CONF"
for set in $BENCH_DATA; do
  if [ -f "bench/data/$set.conf" ]; then read_conf "bench/data/$set.conf"; fi
done
[ ${#names[@]} -gt 0 ] || die "no endpoint to run (BENCH_ONLY=$BENCH_ONLY)"

total=0
for d in "${durs[@]}"; do total=$((total + $(seconds "$d") + $(seconds "$BENCH_WARMUP"))); done

# --- the temporary world, and its cleanup -------------------------------------
tmp=$(mktemp -d /tmp/tradeflow-bench.XXXXXX)
chmod 755 "$tmp" # the PostgreSQL cluster runs as the postgres user
srv_pid="" pg_started="" wrk_pid=""
stop_server() {
  [ -n "$srv_pid" ] || return 0
  if kill -0 "$srv_pid" 2>/dev/null; then
    kill -TERM "$srv_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$srv_pid" 2>/dev/null; then
      echo "bench: the server did not stop within 10 s of SIGTERM; killing it" >&2
      kill -KILL "$srv_pid" 2>/dev/null || true
    fi
  fi
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
}
cleanup() {
  [ -n "$wrk_pid" ] && kill -TERM "$wrk_pid" 2>/dev/null
  stop_server
  [ -n "$pg_started" ] && tests/pg.sh stop "$tmp/pg"
  if [ -n "$BENCH_KEEP" ]; then echo "bench: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# wrk runs in the background so that a signal to this script is handled at once
run_wrk() { # OUTFILE COMMAND...
  local out=$1 rc=0
  shift
  "$@" >"$out" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  return "$rc"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}
ms() { date +%s%3N; }
step() { printf 'bench: %-46s' "$1"; t0=$(ms); }
done_step() { printf '%6.1f s%s\n' "$(awk -v a="$t0" -v b="$(ms)" 'BEGIN{print (b-a)/1000}')" "${1:+  $1}"; }

echo "bench: ${#names[@]} endpoints, about ${total}s of wrk, $BENCH_USERS users, $BENCH_DB," \
  "$BENCH_CONNECTIONS connections, $BENCH_THREADS wrk threads, ${BENCH_SERVER_THREADS:-default} server workers"

# --- CPU accounting: how much of the machine went to processes not ours ------
# (the server, the PostgreSQL cluster, wrk); loopback numbers on a shared
# machine are only worth something when that share is small.
HZ=$(getconf CLK_TCK)
pid_cpu() { # CPU seconds of the processes given (all their threads)
  local p s=0
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    s=$(awk -v s="$s" -v hz="$HZ" '{ sub(/.*\) /, ""); printf "%.2f", s + ($12 + $13) / hz }' "/proc/$p/stat" 2>/dev/null || echo "$s")
  done
  echo "$s"
}
# Sets CPU_BUSY, CPU_ALL (whole machine), CPU_SERVER (server + PostgreSQL) and
# CPU_OURS (those + wrk), in seconds. Call it directly, not in $(...): `times`
# gives the CPU of the children this shell has waited for (wrk).
cpu_sample() {
  read -r CPU_BUSY CPU_ALL < <(awk -v hz="$HZ" '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9
    printf "%.2f %.2f\n", b / hz, (b + $5 + $6) / hz; exit }' /proc/stat)
  times >"$tmp/times"
  local kids pids=()
  kids=$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }
    printf "%.2f", s }' "$tmp/times")
  [ -n "$srv_pid" ] && pids+=("$srv_pid")
  if [ -n "$pg_started" ] && [ -r "$tmp/pg/data/postmaster.pid" ]; then
    local pm
    pm=$(head -1 "$tmp/pg/data/postmaster.pid")
    local kids_pg
    mapfile -t kids_pg < <(pgrep -P "$pm" || true)
    pids+=("$pm" "${kids_pg[@]}")
  fi
  CPU_SERVER=$(pid_cpu "${pids[@]}")
  CPU_OURS=$(awk -v a="$kids" -v b="$CPU_SERVER" 'BEGIN { printf "%.2f", a + b }')
}
idle_check() { # a second of the machine before we start
  cpu_sample
  local b0=$CPU_BUSY a0=$CPU_ALL
  sleep 1
  cpu_sample
  awk -v b="$(awk -v x="$CPU_BUSY" -v y="$b0" 'BEGIN { print x - y }')" \
    -v a="$(awk -v x="$CPU_ALL" -v y="$a0" 'BEGIN { print x - y }')" \
    'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }'
}

busy=$(idle_check)
if [ "$busy" -gt 10 ]; then
  echo "bench: WARNING: $busy% of the CPU is busy before we start: other processes will take CPU" \
    "from wrk and the server, so the numbers will be low and noisy (see the other-CPU column)" >&2
fi

# --- database -----------------------------------------------------------------
if [ "$BENCH_DB" = pg ]; then
  step "starting PostgreSQL"
  pg_port=$(free_port) || die "no free port"
  pg_started=1
  if ! DB=$(tests/pg.sh start "$tmp/pg" "$pg_port"); then
    echo; cat "$tmp/pg/"*.log 2>/dev/null | tail -20; die "could not start PostgreSQL"
  fi
  done_step
  sqlrun() { psql "$DB" -X -q -v ON_ERROR_STOP=1; }
  sqlval() { psql "$DB" -X -A -t -c "$1"; }
  engine_version="PostgreSQL $(psql "$DB" -X -Atc 'SHOW server_version')"
else
  DB="sqlite:$tmp/tradeflow.db"
  sqlrun() { sqlite3 -bail "$tmp/tradeflow.db"; }
  sqlval() { sqlite3 "$tmp/tradeflow.db" "$1"; }
  engine_version="SQLite $(sqlite3 --version | cut -d' ' -f1)"
fi
# the reply text of the documents' lines that bulk SQL wrote without it (the
# migration's own statement, which adds only what is missing)
doc_texts() {
  local engine=sqlite
  [ "$BENCH_DB" = pg ] && engine=pg
  sqlrun <"migrations/036_doc_texts.$engine.sql"
}

if [ -n "$BENCH_REUSE_DB" ]; then
  step "copying $(basename "$BENCH_REUSE_DB")"
  cp --reflink=auto "$BENCH_REUSE_DB" "$tmp/tradeflow.db"
  done_step
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # what bench/data/customers.sh would have exported: a fresh salesperson
  # token (the database keeps only hashes) and the generated customers' ids
  if [[ " $BENCH_DATA " == *" customers "* ]]; then
    BENCH_SALES_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    sqlval "INSERT INTO api_tokens(user_id, name, token_hash, created_at) SELECT user_id,
      'bench-sales', '$(printf '%s' "$BENCH_SALES_TOKEN" | sha256sum | cut -d' ' -f1)', '$now'
      FROM api_tokens WHERE name = 'bench-sales' LIMIT 1" >/dev/null
    BENCH_CUSTOMER_LAST=$(sqlval "SELECT MAX(id) FROM customers")
    BENCH_CUSTOMER_FIRST=$((BENCH_CUSTOMER_LAST - ${BENCH_CUSTOMERS:-1000000} + 1))
    export BENCH_SALES_TOKEN BENCH_CUSTOMER_FIRST BENCH_CUSTOMER_LAST
  fi
  # and what bench/data/projects.sh would have exported: fresh tokens of its
  # salesperson, team manager and head of sales, its template and cursor
  if [[ " $BENCH_DATA " == *" projects "* ]]; then
    reuse_token() { # LOGIN -> a new API token of that user
      local t
      t=pb$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
      sqlval "INSERT INTO api_tokens(user_id, name, token_hash, created_at) SELECT id,
        'bench projects', '$(printf '%s' "$t" | sha256sum | cut -d' ' -f1)', '$now'
        FROM users WHERE login = '$1'" >/dev/null
      printf '%s' "$t"
    }
    BENCH_PROJ_SALES_TOKEN=$(reuse_token "$(sqlval "SELECT login FROM users WHERE login LIKE 'bench%'
      AND role = 'salesperson' ORDER BY id LIMIT 1")")
    BENCH_PROJ_MGR_TOKEN=$(reuse_token "$(sqlval "SELECT u.login FROM departments d JOIN users u
      ON u.id = d.manager_id WHERE d.name = '销售1组 Bench team 1'")")
    BENCH_PROJ_HEAD_TOKEN=$(reuse_token "$(sqlval "SELECT u.login FROM departments d JOIN users u
      ON u.id = d.manager_id WHERE d.name = '销售部 Sales'")")
    BENCH_PROJ_TEMPLATE=$(sqlval "SELECT id FROM process_templates WHERE is_default = TRUE")
    BENCH_PROJ_CURSOR=$(sqlval "SELECT id FROM projects WHERE template_id = $BENCH_PROJ_TEMPLATE
      AND stage = 'proposal' ORDER BY id DESC LIMIT 1 OFFSET 19")
    BENCH_PROJ_MAX_ID=$(sqlval "SELECT MAX(id) FROM projects")
    export BENCH_PROJ_SALES_TOKEN BENCH_PROJ_MGR_TOKEN BENCH_PROJ_HEAD_TOKEN BENCH_PROJ_TEMPLATE \
      BENCH_PROJ_CURSOR BENCH_PROJ_MAX_ID
  fi
  # and bench/data/quotations.sh's cursor and quotation
  if [[ " $BENCH_DATA " == *" quotations "* ]]; then
    BENCH_QUOTE_CURSOR=$(sqlval "SELECT id FROM quotations ORDER BY id DESC LIMIT 1 OFFSET 19")
    BENCH_QUOTE_ID=$(sqlval "SELECT MAX(id) FROM quotations WHERE number <> 'QB-BIG-1'")
    BENCH_QUOTE_BIG=$(sqlval "SELECT id FROM quotations WHERE number = 'QB-BIG-1'")
    BENCH_QUOTE_BODY200=$(sqlval "SELECT '{\"customer_id\":' || CAST(MIN(id) AS TEXT) || ',\"lines\":[' FROM customers")
    qb_ids=($(sqlval "SELECT id FROM products WHERE active = TRUE ORDER BY id"))
    for ((k = 0; k < 200; k++)); do
      [ $k -gt 0 ] && BENCH_QUOTE_BODY200+=","
      BENCH_QUOTE_BODY200+="{\"product_id\":${qb_ids[k % ${#qb_ids[@]}]},\"qty_milli\":$((100000 + k * 1000))}"
    done
    BENCH_QUOTE_BODY200+="]}"
    export BENCH_QUOTE_CURSOR BENCH_QUOTE_ID BENCH_QUOTE_BIG BENCH_QUOTE_BODY200
  fi
  # and bench/data/contracts.sh's 200-line contract, cursor and finance token
  if [[ " $BENCH_DATA " == *" contracts "* ]]; then
    BENCH_CONTRACT_BIG=$(sqlval "SELECT id FROM contracts WHERE number = 'HB-BIG-1'")
    BENCH_CONTRACT_CURSOR=$(sqlval "SELECT id FROM contracts ORDER BY id DESC LIMIT 1 OFFSET 19")
    BENCH_FIN_TOKEN=$(reuse_token "$(sqlval "SELECT login FROM users WHERE role = 'finance' ORDER BY id LIMIT 1")")
    export BENCH_CONTRACT_BIG BENCH_CONTRACT_CURSOR BENCH_FIN_TOKEN
  fi
else
  step "tradeflow demo"
  "$BIN" demo --db "$DB" >"$tmp/demo.log" 2>&1 || { echo; cat "$tmp/demo.log"; die "tradeflow demo failed"; }
  done_step

  step "generating $BENCH_USERS users"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  {
    echo "BEGIN;"
    sed -e "s/{{USERS}}/$BENCH_USERS/g" -e "s/{{NOW}}/$now/g" bench/gen_users.sql
    echo "COMMIT;"
    echo "ANALYZE;"
  } >"$tmp/gen.sql"
  sqlrun <"$tmp/gen.sql" >"$tmp/gen.log" 2>&1 || { echo; cat "$tmp/gen.log"; die "generating the data failed"; }
  got=$(sqlval "SELECT COUNT(*) FROM users WHERE login LIKE 'bench%'" 2>/dev/null || true)
  [ "$got" = "$BENCH_USERS" ] || die "expected $BENCH_USERS generated users, found \"$got\""
  done_step

  for set in $BENCH_DATA; do
    # shellcheck source=/dev/null
    . "bench/data/$set.sh"
  done
fi

# --- server -------------------------------------------------------------------
step "starting tradeflow serve"
base=""
for _ in 1 2 3; do # another process may take the port first
  port=$(free_port) || die "no free port"
  "$BIN" serve --db "$DB" --listen "127.0.0.1:$port" ${BENCH_SERVER_THREADS:+--threads "$BENCH_SERVER_THREADS"} \
    --no-access-log >"$tmp/server.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 150); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      base="http://127.0.0.1:$port"; break 2
    fi
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  stop_server
done
[ -n "$base" ] || { echo; tail -20 "$tmp/server.log"; die "the server did not come up"; }
done_step "$base"

step "signing in as admin, creating an API token"
hdr=(-H "Content-Type: application/json")
resp=$(curl -sS --max-time 10 -c "$tmp/cookies" "${hdr[@]}" -w '\n%{http_code}' \
  -d "{\"login\":\"admin\",\"password\":\"$BENCH_PASSWORD\"}" "$base/api/v1/session")
[ "${resp##*$'\n'}" = 200 ] || die "sign-in failed: $resp"
BENCH_COOKIE=$(awk '$6 == "tf_session" { print $7 }' "$tmp/cookies")
BENCH_CSRF=$(grep -o '"csrf_token": *"[^"]*"' <<<"$resp" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$BENCH_COOKIE" ] && [ -n "$BENCH_CSRF" ] || die "no session cookie or CSRF token in: $resp"
resp=$(curl -sS --max-time 10 "${hdr[@]}" -H "Cookie: tf_session=$BENCH_COOKIE" \
  -H "X-CSRF-Token: $BENCH_CSRF" -w '\n%{http_code}' -d '{"name":"bench"}' "$base/api/v1/tokens")
[ "${resp##*$'\n'}" = 201 ] || die "creating an API token failed: $resp"
BENCH_TOKEN=$(grep -o '"token": *"[^"]*"' <<<"$resp" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$BENCH_TOKEN" ] || die "no token in: $resp"
done_step
export BENCH_COOKIE BENCH_CSRF BENCH_TOKEN BENCH_USERS BENCH_PASSWORD

# --- the endpoints ------------------------------------------------------------
declare -A kv
parse_kv() { # "PREFIX a=1 b=2 ..." -> kv[a]=1 ...
  kv=()
  local line=$1 tok
  line=${line#* }
  local rest=${line##* first_body=} # first_body runs to the end of the line
  [ "$rest" != "$line" ] && { kv[first_body]=$rest; line=${line% first_body=*}; }
  for tok in $line; do kv[${tok%%=*}]=${tok#*=}; done
}

rows=() problems=() warnings=()
fmt='%-22s %6s %10s %9s %9s  %-8s %8s %6s\n'
printf "\n$fmt" endpoint conns req/s "p50 ms" "p99 ms" errors "cpu us" "other%"
printf "$fmt" ---------------------- ------ ---------- --------- --------- -------- -------- ------
for i in "${!names[@]}"; do
  name=${names[$i]} method=${methods[$i]} auth=${auths[$i]} spec=${specs[$i]} c=${conns[$i]} d=${durs[$i]}
  url=$base$(expand "${paths[$i]}")
  script="" body=""
  if [[ $spec == *.lua ]]; then script=bench/$spec; elif [ "$spec" != - ]; then body=$(expand "$spec"); fi
  t=$BENCH_THREADS; [ "$t" -gt "$c" ] && t=$c
  envs=(BENCH_METHOD="$method" BENCH_AUTH="$auth" BENCH_BODY="$body" BENCH_SCRIPT="$script")
  log="$tmp/wrk-$i.log"

  # warm-up with exact status counting (wrk alone counts only >= 400)
  check_note=""
  if run_wrk "$log.check" env "${envs[@]}" BENCH_CHECK=1 wrk -t1 -c1 -d"$BENCH_WARMUP" --timeout 10s -s bench/common.lua \
      "$url" && line=$(grep -m1 '^BENCH_CHECK ' "$log.check"); then
    parse_kv "$line"
    if [ "${kv[responses]:-0}" = 0 ]; then
      check_note="no response in the ${BENCH_WARMUP} warm-up"
    elif [ "${kv[non2xx]:-0}" != 0 ]; then
      check_note="warm-up: ${kv[non2xx]} of ${kv[responses]} responses not 2xx, first ${kv[first_status]}: ${kv[first_body]}"
    fi
  else
    check_note="warm-up run failed: $(tail -3 "$log.check" | tr '\n' ' ')"
  fi

  cpu_sample
  b0=$CPU_BUSY a0=$CPU_ALL o0=$CPU_OURS s0=$CPU_SERVER nreq=0
  if run_wrk "$log" env "${envs[@]}" wrk -t"$t" -c"$c" -d"$d" --latency --timeout 10s -s bench/common.lua \
      "$url" && line=$(grep -m1 '^BENCH_RESULT ' "$log"); then
    parse_kv "$line"
    nreq=${kv[requests]:-0}
    secs=$(awk -v us="${kv[duration_us]}" 'BEGIN { print us / 1e6 }')
    rps=$(awk -v n="${kv[requests]}" -v s="$secs" 'BEGIN { r = n / s; printf(r < 100 ? "%.1f" : "%.0f", r) }')
    p50=$(awk -v us="${kv[p50_us]}" 'BEGIN { printf "%.2f", us / 1000 }')
    p99=$(awk -v us="${kv[p99_us]}" 'BEGIN { printf "%.2f", us / 1000 }')
    sock=$((${kv[connect]:-0} + ${kv[read]:-0} + ${kv[write]:-0} + ${kv[timeout]:-0}))
    errs=$((sock + ${kv[status]:-0}))
    errcol=$errs
    if [ "$errs" != 0 ]; then
      errcol="$errs of ${kv[requests]}"
      problems+=("$name: $errs of ${kv[requests]} requests failed (HTTP status >= 400: ${kv[status]}, connect ${kv[connect]}, read ${kv[read]}, write ${kv[write]}, timeout ${kv[timeout]})")
    fi
    [ "${kv[requests]}" = 0 ] && problems+=("$name: no request completed")
  else
    rps=- p50=- p99=- errcol="wrk failed"
    problems+=("$name: wrk failed: $(tail -3 "$log" | tr '\n' ' ')")
  fi
  cpu_sample
  other=$(awk -v b="$CPU_BUSY" -v b0="$b0" -v a="$CPU_ALL" -v a0="$a0" -v o="$CPU_OURS" -v o0="$o0" \
    'BEGIN { x = (a > a0 ? 100 * ((b - b0) - (o - o0)) / (a - a0) : 0); printf "%.0f", (x < 0 ? 0 : x) }')
  cpureq=$(awk -v s="$CPU_SERVER" -v s0="$s0" -v n="$nreq" 'BEGIN { if (n > 0) printf "%.0f", 1e6 * (s - s0) / n; else print "-" }')
  if [ "$other" -gt 10 ]; then
    warnings+=("$name: other processes took $other% of the machine's CPU during the run")
  fi
  if [ -n "$check_note" ]; then
    errcol="$errcol !"
    problems+=("$name: $check_note")
  fi
  printf "$fmt" "$name" "$c" "$rps" "$p50" "$p99" "$errcol" "$cpureq" "$other"
  rows+=("| $name | $c | $rps | $p50 | $p99 | $errcol | $cpureq | $other |")
done

if ! kill -0 "$srv_pid" 2>/dev/null; then problems+=("the server died during the run: $(tail -5 "$tmp/server.log" | tr '\n' ' ')"); fi
stop_server

# --- results ------------------------------------------------------------------
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ "$BIN" != ./tradeflow ] && rev="$rev, binary $BIN"
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && rev="$rev (with uncommitted changes)"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
  echo "# Tradeflow benchmark"
  echo
  echo "$(date -u +'%Y-%m-%d %H:%M UTC'), commit $rev; $engine_version;" \
    "$BENCH_USERS generated users; \`tradeflow serve${BENCH_SERVER_THREADS:+ --threads $BENCH_SERVER_THREADS}\`;" \
    "wrk with $BENCH_THREADS threads, ${BENCH_DURATION} per endpoint unless the table says, on loopback;" \
    "$(nproc) CPUs ($cpu), shared by wrk and the server."
  echo
  echo "| endpoint | conns | req/s | p50 ms | p99 ms | errors | server CPU µs/req | other CPU % |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  printf '%s\n' "${rows[@]}"
  if [ ${#problems[@]} -gt 0 ]; then
    echo
    echo "**THIS RUN HAD ERRORS — its numbers are not valid:**"
    echo
    printf -- '- %s\n' "${problems[@]}"
  fi
  echo
  echo "_server CPU µs/req: CPU time of the tradeflow server (and the PostgreSQL cluster) per request;"
  echo "steadier than req/s when the machine is shared. other CPU %: the share of the machine's CPU"
  echo "that processes other than the server, PostgreSQL and wrk used during the measurement;"
  echo "above 10 the numbers are disturbed._"
  if [ ${#warnings[@]} -gt 0 ]; then
    echo
    echo "**Disturbed by other processes on the machine:**"
    echo
    printf -- '- %s\n' "${warnings[@]}"
  fi
} >"$OUT"
echo
echo "bench: results written to $OUT"
if [ ${#warnings[@]} -gt 0 ]; then
  echo "bench: WARNING: other processes were busy during the run; the numbers are low and noisy:" >&2
  printf 'bench:   %s\n' "${warnings[@]}" >&2
fi

if [ ${#problems[@]} -gt 0 ]; then
  {
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! THE BENCHMARK HAD ERRORS — these numbers are not valid:"
    printf '!!!   %s\n' "${problems[@]}"
    echo "!!! server log (last lines):"
    tail -10 "$tmp/server.log" | sed 's/^/!!!   /'
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  } >&2
  exit 1
fi
