#!/usr/bin/env bash
# umw benchmark suite. `bash bench/run.sh` (full, ~15 min) or `bash bench/run.sh --quick` (~90 s).
# Everything runs on 127.0.0.1: private nginx (fast and counting receivers, the PHP-FPM front), a
# python endpoint that answers in 200 ms and one that never answers, PHP-FPM pools without umw,
# with embedded delivery, with the agent (umw-agent) and with a MariaDB store, a private MariaDB
# (tests/mysql/server.sh) and, in the full run, the WordPress multisite of tests/wp/env.sh.
# Every load loop is bounded in count and time; every server started here is stopped at exit.
# Prints one table of medians and ratios and writes it to bench/results.md (quick: results-quick.md).
# Exits 1 only on real breakage (a server that does not start, events not delivered), never on a
# missed target: those are noise-prone ratios, reported in the table.
set -euo pipefail

MODE=full
for a in "$@"; do case "$a" in --quick) MODE=quick ;; -h|--help) sed -n 2,10p "$0"; exit 0 ;; esac; done
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/umw-bench.XXXXXX")
KV=$WORK/results.kv
BASE=${UMW_BENCH_PORT_BASE:-18400}
RECV_PORT=$((BASE + 4)); COUNT_PORT=$((BASE + 5)); FRONT_PORT=$((BASE + 80)); WP_FRONT_PORT=$((BASE + 81))
SLOW_PORT=$((BASE + 2)); HANG_PORT=$((BASE + 9))
RECV=http://127.0.0.1:$RECV_PORT/hook; SLOW=http://127.0.0.1:$SLOW_PORT/hook; HANG=http://127.0.0.1:$HANG_PORT/hook
COUNT=http://127.0.0.1:$COUNT_PORT/hook; FRONT=http://127.0.0.1:$FRONT_PORT
# The WordPress rows (full run): the multisite of tests/wp/env.sh on its own 127.x address and state.
WP_HOST=${UMW_BENCH_WP_HOST:-127.0.0.6}
WP_STATE=${UMW_BENCH_WP_STATE:-/tmp/umw-wp-bench}
PIDS=()
declare -A FPM_PIDS=()
MYSQL_STATE=""; WP_UP=""

if [[ $MODE == quick ]]; then
  EMIT_ROUNDS=5; EMIT_ITERS=2000; EMIT_SUSTAINED=20000; DURABLE_ITERS=1000; WP_FAST=(1 100); WP_SLOW=(1 3); HANG_TIMEOUT=1
  WRK_ROUNDS=1; WRK_SECS=2; RATE_ROUNDS=1; RATE_SECS=2; TP_N=5000; E2E_N=5000; BL_N=20000; CONN_N=10000
  IDLE_SECS=2; CALLGRIND=0; WORDPRESS=0
else
  EMIT_ROUNDS=15; EMIT_ITERS=5000; EMIT_SUSTAINED=50000; DURABLE_ITERS=2000; WP_FAST=(3 500); WP_SLOW=(3 5); HANG_TIMEOUT=2
  WRK_ROUNDS=3; WRK_SECS=5; RATE_ROUNDS=5; RATE_SECS=6; TP_N=50000; E2E_N=20000; BL_N=200000; CONN_N=10000
  IDLE_SECS=10; CALLGRIND=${UMW_BENCH_CALLGRIND:-1}; WORDPRESS=${UMW_BENCH_WP:-1}
fi
CONNS=8   # = umw.max_in_flight_per_webhook (default)

source "$BENCH/lib/common.sh"

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -n $MYSQL_STATE ]] && UMW_MYSQL_STATE=$MYSQL_STATE bash "$ROOT/tests/mysql/server.sh" stop >/dev/null 2>&1 || true
  [[ -n $WP_UP ]] && UMW_WP_HOST=$WP_HOST UMW_WP_STATE=$WP_STATE bash "$ROOT/tests/wp/env.sh" down >/dev/null 2>&1 || true
  [[ -n ${UMW_BENCH_KEEP:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# --- dependencies -------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v php-fpm8.2 >/dev/null || need+=(php8.2-fpm)
php -r 'exit(extension_loaded("curl") ? 0 : 1);' || need+=(php8.2-curl)
command -v wrk >/dev/null || need+=(wrk)
if [[ ${CALLGRIND} == 1 ]] && ! command -v valgrind >/dev/null; then need+=(valgrind); fi
if ((${#need[@]})); then
  log "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null
fi

# --- build --------------------------------------------------------------------------------------
if [[ -z ${UMW_BENCH_NO_BUILD:-} ]]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example loadgen)
fi
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
LOADGEN=$TARGET/examples/loadgen
EXT=$TARGET/libumw.so
AGENT=$TARGET/umw-agent
for f in "$LOADGEN" "$EXT" "$AGENT"; do [[ -x $f ]] || { echo "$f is missing: cargo build --release" >&2; exit 1; }; done
PHPX=(php -d "extension=$EXT" -d umw.allow_private_networks=1)

# --- endpoints ----------------------------------------------------------------------------------
for p in $RECV_PORT $COUNT_PORT $FRONT_PORT $WP_FRONT_PORT $SLOW_PORT $HANG_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use; set UMW_BENCH_PORT_BASE" >&2; exit 1; fi
done
mkdir -p "$WORK/nginx-tmp"
sed -e "s#@WORK@#$WORK#g; s#@BENCH@#$BENCH#g; s#@RECV_PORT@#$RECV_PORT#g; s#@COUNT_PORT@#$COUNT_PORT#g" \
    -e "s#@FRONT_PORT@#$FRONT_PORT#g; s#@WP_FRONT_PORT@#$WP_FRONT_PORT#g; s#@WP_DIR@#$WP_STATE/wordpress#g; s#@WP_HOST@#$WP_HOST#g" \
    "$BENCH/conf/nginx.conf.in" > "$WORK/nginx.conf"
python3 "$BENCH/servers.py" --slow "$SLOW_PORT" --hang "$HANG_PORT" --max-seconds 2400 > "$WORK/servers.out" 2>&1 &
PIDS+=($!)
nginx -c "$WORK/nginx.conf" -p "$WORK" > "$WORK/nginx.out" 2>&1 &
PIDS+=($!)
wait_port "$RECV_PORT"; wait_port "$COUNT_PORT"; wait_port "$SLOW_PORT"; wait_port "$HANG_PORT"

# --- a private MariaDB (issue 10's rows) ---------------------------------------------------------
MYSQL_BASE=""
if command -v mariadbd >/dev/null; then
  MYSQL_STATE=$WORK/mysql
  if UMW_MYSQL_STATE=$MYSQL_STATE bash "$ROOT/tests/mysql/server.sh" start > "$WORK/mysql.out" 2>&1; then
    MYSQL_BASE=$(printf 'mysql://umw:umw-test-pass@localhost/umw_test?socket=%s' "$MYSQL_STATE/mysqld.sock")
  else
    broken mysql "tests/mysql/server.sh start failed: $(tail -c 300 "$WORK/mysql.out")"
  fi
else
  log "mariadbd not installed: the MySQL rows are skipped (apt-get install mariadb-server)"
fi
# mysql_url <name>: a store of its own in the shared database (its own table prefix).
mysql_url() { printf '%s&prefix=%s_' "$MYSQL_BASE" "$1"; }

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), PHP $(php -r 'echo PHP_VERSION;')"
log "work dir $WORK; $machine; mode $MODE"
T0=$SECONDS

# UMW_BENCH_SECTIONS="latency wordpress" runs only those (written to the work directory; keep it
# with UMW_BENCH_KEEP=1).
SECTIONS=${UMW_BENCH_SECTIONS:-emit latency throughput worker scale wordpress}
for section in $SECTIONS; do
  case $section in
    emit|latency|throughput|worker|scale) ;;
    # 7. a real WordPress page firing one Ultimate Multisite event (full run only)
    wordpress) [[ $WORDPRESS == 1 ]] || { log "7. WordPress rows: full run only (UMW_BENCH_WP=0 skips them)"; continue; } ;;
    *) echo "unknown section $section" >&2; exit 2 ;;
  esac
  source "$BENCH/sections/$section.sh"
done
echo "run.seconds=$((SECONDS - T0))" >> "$KV"

# --- table --------------------------------------------------------------------------------------
out=$BENCH/results.md; [[ $MODE == quick ]] && out=$BENCH/results-quick.md
[[ -n ${UMW_BENCH_SECTIONS:-} ]] && out=$WORK/results.md   # a partial run leaves the published tables alone
python3 "$BENCH/report.py" table "$KV" "$MODE" "$machine" > "$out.tmp" && mv "$out.tmp" "$out"
cat "$out"
[[ -n ${UMW_BENCH_KEEP:-} ]] && log "raw results kept in $KV"
log "written to $out"
if grep -q '^broken\.' "$KV"; then
  log "real breakage (not noise):"; grep '^broken\.' "$KV" >&2
  exit 1
fi
