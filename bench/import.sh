#!/usr/bin/env bash
# import.sh — the customer import benchmark (part of `make bench`, after
# run.sh): a fresh demo database in a temporary folder, ./tradeflow serve on a
# free loopback port, the admin signed in; then a generated CSV of
# BENCH_IMPORT_ROWS customers (Chinese company names, mobile phones,
# addresses, dictionary values; about 1% repeat an earlier phone or name and
# about 0.5% are bad rows) is uploaded, mapped and run through the real API
# while this script polls the job's progress like the UI does. Prints the
# upload time, the run's rows/s and total seconds, and the server's memory
# (VmRSS / VmHWM from /proc) before the upload, after it and at the end of the
# run, to show that the run streams (memory stays flat however many rows).
# Exits 1 if the import did not finish or created a wrong number of rows.
#
# Settings (environment):
#   BENCH_IMPORT_ROWS=100000   data rows in the file
#   BENCH_IMPORT_DRY=          1: also time a dry run before the run
#   BENCH_DB=sqlite            sqlite, or pg: a throw-away PostgreSQL cluster
#   BENCH_PG_PORT=             its port (default: a free one)
#   BENCH_KEEP=                1: keep the temporary folder (file, database, log)
#   BENCH_BIN=./tradeflow      the server binary
#   BENCH_WRAP=                a command the server runs under, e.g. to count
#                              the run's instructions (the worker's run_job and
#                              its writer thread only; gcc may name the first
#                              run_job.constprop.0...):
#                              "valgrind --tool=callgrind --collect-atstart=no
#                               --toggle-collect=run_job* --toggle-collect=writer_main
#                               --callgrind-out-file=/tmp/cg.out.%p"
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${BENCH_IMPORT_ROWS:-100000}
DRY=${BENCH_IMPORT_DRY:-}
BENCH_DB=${BENCH_DB:-sqlite}
BENCH_KEEP=${BENCH_KEEP:-}
BIN=${BENCH_BIN:-./tradeflow}

die() { echo "bench-import: $*" >&2; exit 2; }
[[ $ROWS =~ ^[1-9][0-9]*$ ]] && [ "$ROWS" -le 200000 ] ||
  die "BENCH_IMPORT_ROWS must be a number from 1 to 200000 (the import's row limit)"
case $BENCH_DB in sqlite | pg) ;; *) die "BENCH_DB must be sqlite or pg" ;; esac
[ -x "$BIN" ] || die "$BIN is missing: run make"
for t in curl jq awk; do command -v "$t" >/dev/null || die "$t is missing"; done

# tenths of a second to wait for the server to start and to stop (longer under a wrapper)
start_ticks=150 stop_ticks=100
[ -z "${BENCH_WRAP:-}" ] || start_ticks=1200 stop_ticks=1200

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tf-bench-import.XXXXXX")
srv_pid="" pg_started=""
stop_server() {
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null || true
  for _ in $(seq "$stop_ticks"); do
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$srv_pid" 2>/dev/null && kill -KILL "$srv_pid" 2>/dev/null
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
}
cleanup() {
  stop_server
  [ -n "$pg_started" ] && tests/pg.sh stop "$tmp/pg" >/dev/null 2>&1
  if [ -n "$BENCH_KEEP" ]; then echo "bench-import: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }
HZ=$(getconf CLK_TCK)
cpu() { # CPU seconds the server has used (all its threads)
  awk -v hz="$HZ" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$srv_pid/stat"
}
mem() { # "RSS MiB / peak MiB" of the server
  awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.1f %.1f", r / 1024, h / 1024 }' \
    "/proc/$srv_pid/status"
}

# --- database and server -----------------------------------------------------
if [ "$BENCH_DB" = pg ]; then
  pg_port=${BENCH_PG_PORT:-$(free_port)} || die "no free port"
  pg_started=1
  chmod 711 "$tmp" # the cluster runs as the postgres user
  DB=$(tests/pg.sh start "$tmp/pg" "$pg_port") || die "could not start PostgreSQL"
else
  DB="sqlite:$tmp/tradeflow.db"
fi
"$BIN" demo --db "$DB" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log"; die "tradeflow demo failed"; }
base=""
for _ in 1 2 3; do
  port=$(free_port) || die "no free port"
  # shellcheck disable=SC2086 # BENCH_WRAP is a command line: split on purpose
  ${BENCH_WRAP:-} "$BIN" serve --db "$DB" --listen "127.0.0.1:$port" --no-access-log \
    >"$tmp/server.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq "$start_ticks"); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      base="http://127.0.0.1:$port"; break 2
    fi
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  stop_server
done
[ -n "$base" ] || { tail -20 "$tmp/server.log"; die "the server did not come up"; }

resp=$(curl -sS --max-time 10 -c "$tmp/cookies" -H "Content-Type: application/json" \
  -d '{"login":"admin","password":"demo123"}' "$base/api/v1/session")
csrf=$(jq -r '.csrf_token // empty' <<<"$resp")
[ -n "$csrf" ] || die "sign-in failed: $resp"
api() { # METHOD PATH [curl args...] -> body; fails on a non-2xx answer
  local m=$1 p=$2
  shift 2
  curl -sS --fail-with-body --max-time 600 -b "$tmp/cookies" -H "X-CSRF-Token: $csrf" \
    -X "$m" "$@" "$base$p"
}

# --- the file -------------------------------------------------------------------
# Deterministic: row i has a unique name (city + brand + trade + suffix) and a
# unique mobile number, except the planted duplicates and bad rows.
t0=$(ms)
awk -v n="$ROWS" 'BEGIN {
  split("北京 上海 天津 重庆 郑州 洛阳 苏州 无锡 常州 南京 杭州 宁波 温州 合肥 济南 青岛 " \
        "武汉 长沙 广州 深圳 东莞 佛山 成都 西安 沈阳 大连 哈尔滨 石家庄 太原 南昌", city, " ")
  split("华 宏 鑫 隆 盛 达 恒 泰 兴 丰 瑞 祥 昌 源 通 宇 金 银 铜 铁 东 南 西 北 中 " \
        "新 天 远 海 江 润 博 创 科 明 光 安 康 永 嘉 信 诚 德 益 海 升 旺 佳 和 力 " \
        "正 伟 腾 飞 凯 辰 晟 骏 耀 阳", ch, " ")
  split("电机 变压器 电缆 漆包线 电磁线 电气 机电 线缆 铜业 电力", trade, " ")
  split("有限公司 股份有限公司 制造有限公司 科技有限公司 贸易有限公司 实业有限公司 " \
        "工贸有限公司 集团有限公司 电子有限公司 设备有限公司", suffix, " ")
  split("新客户 老客户 优质客户", level, " ")
  split("电机制造 变压器制造 电力设备 风电 轨道交通 贸易商", industry, " ")
  split("河南省 郑州市 苏州市 深圳市 洛阳市 江苏省 上海市 广东省", region, " ")
  split("展会 网站 老客户介绍 电话开发 微信公众号 招标", source, " ")
  split("建设路 人民路 解放路 中山路 工业大道 科技园路 长江路 黄河路", road, " ")
  split("130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 176 177 180 186 189", mp, " ")
  print "客户名称,手机,电话,地址,微信,邮箱,价值级别,行业,地区,来源,备注"
  for (i = 0; i < n; i++) {
    b = i % 3600
    name = city[int(i / 3600) % 30 + 1] ch[int(b / 60) + 1] ch[b % 60 + 1] \
           trade[int(i / 108000) % 10 + 1] suffix[(i * 7) % 10 + 1]
    phone = mp[i % 21 + 1] sprintf("%08d", (i * 7919) % 100000000)
    tel = (i % 3 == 0) ? sprintf("0371-%08d", 60000000 + i) : ""
    addr = city[int(i / 3600) % 30 + 1] "市" road[i % 8 + 1] (i % 300 + 1) "号"
    wx = (i % 4 == 0) ? sprintf("wx_tf%07d", i) : ""
    mail = (i % 5 == 0) ? sprintf("sales%d@example.com", i) : ""
    lv = level[i % 3 + 1]; ind = industry[i % 6 + 1]; rg = region[i % 8 + 1]; src = source[i % 6 + 1]
    note = (i % 10 == 0) ? "展会上交换名片，需求漆包线 " (i % 50 + 1) " 吨/月" : ""
    if (i % 200 == 199) phone = prev_phone          # same phone as an earlier row: refused
    if (i % 250 == 249) name = prev_name            # same name: a warning, confirmed
    if (i % 500 == 7) mail = "not-an-email"         # bad rows
    if (i % 700 == 11) lv = "未知级别"
    if (i % 1000 == 13) phone = ""
    if (i % 100 == 50) { prev_phone = phone; prev_name = name }
    if (note != "" && i % 20 == 0) note = "\"" note ", 含税 \"\"出厂价\"\"\""
    print name "," phone "," tel "," addr "," wx "," mail "," lv "," ind "," rg "," src "," note
  }
}' >"$tmp/customers.csv"
size=$(stat -c %s "$tmp/customers.csv")
echo "bench-import: $ROWS rows, $((size / 1024)) KiB CSV, $BENCH_DB, generated in $(secs "$t0" "$(ms)") s"

read -r rss0 hwm0 <<<"$(mem)"
t0=$(ms)
up=$(api POST "/api/v1/imports?filename=bench.csv" -H "Content-Type: text/csv" \
  --data-binary "@$tmp/customers.csv") || die "upload failed: $up"
t_up=$(secs "$t0" "$(ms)")
id=$(jq -r .id <<<"$up")
[ "$(jq -r .total_rows <<<"$up")" = "$ROWS" ] || die "the upload counted $(jq -r .total_rows <<<"$up") rows"
read -r rss1 hwm1 <<<"$(mem)"
mapping=$(jq -c '{mapping: .suggested_mapping}' <<<"$up")
api PUT "/api/v1/imports/$id/mapping" -H "Content-Type: application/json" -d "$mapping" >/dev/null ||
  die "mapping failed"

wait_job() { # polls like the UI; sets job, rss_max
  # each poll spawns only curl: the measuring must not take the server's CPU
  # (jq and awk per poll were a tenth of this 2-CPU machine)
  local kib=0 k v _ st
  for _ in $(seq 36000); do
    job=$(api GET "/api/v1/imports/$id")
    while read -r k v _; do [ "$k" = VmRSS: ] && ((v > kib)) && kib=$v; done <"/proc/$srv_pid/status"
    st=""
    [[ $job =~ \"state\":\ *\"([a-z_]+)\" ]] && st=${BASH_REMATCH[1]}
    case $st in queued | running) sleep 0.2 ;; *) break ;; esac
  done
  rss_max=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  case $st in queued | running) die "the job did not finish" ;; esac
}

if [ -n "$DRY" ]; then
  t0=$(ms)
  api POST "/api/v1/imports/$id/dry-run" >/dev/null || die "dry run refused"
  wait_job
  t_dry=$(secs "$t0" "$(ms)")
  [ "$(jq -r .state <<<"$job")" = checked ] || die "dry run ended as: $job"
  echo "bench-import: dry run  $t_dry s ($(awk -v n="$ROWS" -v s="$t_dry" 'BEGIN { printf "%.0f", n / s }') rows/s)," \
    "$(jq -r .message <<<"$job")"
fi

t0=$(ms)
c0=$(cpu)
api POST "/api/v1/imports/$id/run" -H "Content-Type: application/json" \
  -d '{"confirm_duplicates":true}' >/dev/null || die "run refused"
wait_job
t_run=$(secs "$t0" "$(ms)")
c_run=$(awk -v a="$c0" -v b="$(cpu)" 'BEGIN { printf "%.2f", b - a }')
read -r rss2 hwm2 <<<"$(mem)"
state=$(jq -r .state <<<"$job")
created=$(jq -r .created_rows <<<"$job")
errors=$(jq -r .error_rows <<<"$job")
echo "bench-import: upload   $t_up s"
echo "bench-import: run      $t_run s, $(awk -v n="$ROWS" -v s="$t_run" 'BEGIN { printf "%.0f", n / s }') rows/s;" \
  "server CPU $c_run s; state $state: $(jq -r .message <<<"$job")"
echo "bench-import: server memory MiB: before upload $rss0 (peak $hwm0); after upload $rss1" \
  "(peak $hwm1); during the run at most $rss_max; at the end $rss2 (peak $hwm2)"
[ "$state" = done ] || die "the import ended as $state"
[ $((created + errors)) -eq "$ROWS" ] || die "created $created + rejected $errors is not $ROWS"
