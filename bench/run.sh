#!/usr/bin/env bash
# umw benchmark suite. `bash bench/run.sh` (full, < 10 min) or `bash bench/run.sh --quick` (< 60 s).
# Everything runs on 127.0.0.1: private nginx (fast receiver + PHP-FPM front), a python endpoint
# that answers in 200 ms and one that never answers. Every load loop is bounded in count and time.
# Prints one table of medians and ratios and writes it to bench/results.md (quick: results-quick.md).
set -euo pipefail

MODE=full
for a in "$@"; do case "$a" in --quick) MODE=quick ;; -h|--help) sed -n 2,5p "$0"; exit 0 ;; esac; done
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/umw-bench.XXXXXX")
KV=$WORK/results.kv
BASE=${UMW_BENCH_PORT_BASE:-18400}
RECV_PORT=$((BASE + 4)); FRONT_PORT=$((BASE + 80)); SLOW_PORT=$((BASE + 2)); HANG_PORT=$((BASE + 9))
RECV=http://127.0.0.1:$RECV_PORT/hook; SLOW=http://127.0.0.1:$SLOW_PORT/hook; HANG=http://127.0.0.1:$HANG_PORT/hook
PIDS=()

if [[ $MODE == quick ]]; then
  EMIT_ROUNDS=5; EMIT_ITERS=2000; EMIT_SUSTAINED=20000; WP_FAST=(1 100); WP_SLOW=(1 3); HANG_TIMEOUT=1
  WRK_ROUNDS=1; WRK_SECS=2; RATE_ROUNDS=1; RATE_SECS=3; TP_N=5000; BL_N=20000; CALLGRIND=0
else
  EMIT_ROUNDS=15; EMIT_ITERS=5000; EMIT_SUSTAINED=50000; WP_FAST=(3 500); WP_SLOW=(3 5); HANG_TIMEOUT=2
  WRK_ROUNDS=3; WRK_SECS=8; RATE_ROUNDS=5; RATE_SECS=6; TP_N=50000; BL_N=200000; CALLGRIND=${UMW_BENCH_CALLGRIND:-1}
fi
CONNS=8   # = umw.max_in_flight_per_webhook (default)

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
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
LOADGEN=$ROOT/target/release/examples/loadgen
EXT=$ROOT/target/release/libumw.so
PHPX=(php -d "extension=$EXT" -d umw.allow_private_networks=1)

# --- endpoints ----------------------------------------------------------------------------------
for p in $RECV_PORT $FRONT_PORT $SLOW_PORT $HANG_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use; set UMW_BENCH_PORT_BASE" >&2; exit 1; fi
done
mkdir -p "$WORK/nginx-tmp"
subst() { sed -e "s#@WORK@#$WORK#g; s#@BENCH@#$BENCH#g; s#@RECV_PORT@#$RECV_PORT#g; s#@FRONT_PORT@#$FRONT_PORT#g; s#@HANG_URL@#$HANG#g" "$1"; }
subst "$BENCH/conf/nginx.conf.in" > "$WORK/nginx.conf"
subst "$BENCH/conf/fpm.conf.in" > "$WORK/fpm.conf"
python3 "$BENCH/servers.py" --slow "$SLOW_PORT" --hang "$HANG_PORT" --max-seconds 900 > "$WORK/servers.out" 2>&1 &
PIDS+=($!)
nginx -c "$WORK/nginx.conf" -p "$WORK" > "$WORK/nginx.out" 2>&1 &
PIDS+=($!)
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 did not open" >&2; exit 1; }
wait_port "$RECV_PORT"; wait_port "$SLOW_PORT"; wait_port "$HANG_PORT"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), PHP $(php -r 'echo PHP_VERSION;')"
log "work dir $WORK; $machine; mode $MODE"

kv() { local prefix=$1; shift; "$@" | sed "s/^/$prefix./" >> "$KV"; }

# --- 1. emit cost -------------------------------------------------------------------------------
log "1. emit cost: umw_emit vs json_encode ($EMIT_ROUNDS rounds x $EMIT_ITERS)"
for ep in fast slow hang; do
  case $ep in fast) url=$RECV ;; slow) url=$SLOW ;; hang) url=$HANG ;; esac
  kv "emit.$ep" "${PHPX[@]}" -d "umw.store=$WORK/emit-$ep.sqlite" "$BENCH/php/emit_cost.php" umw "$url" "$EMIT_ROUNDS" "$EMIT_ITERS" "$EMIT_SUSTAINED"
done
kv emit.durable "${PHPX[@]}" -d "umw.store=$WORK/emit-durable.sqlite" -d umw.durable_emit=1 \
  "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$EMIT_ITERS" 0
log "1. wp_remote_post baselines"
kv wp.fast php "$BENCH/php/emit_cost.php" wp "$RECV" "${WP_FAST[@]}" 45
kv wp.slow php "$BENCH/php/emit_cost.php" wp "$SLOW" "${WP_SLOW[@]}" 45
kv wp.hang php "$BENCH/php/emit_cost.php" wp "$HANG" 2 1 "$HANG_TIMEOUT"
if [[ $CALLGRIND == 1 ]] && command -v valgrind >/dev/null; then
  log "1. callgrind instruction counts"
  cg() { # $1 = mode, $2 = iterations → instructions of the main thread and of all threads
    local out=$WORK/cg.$1.$2
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out" \
      "${PHPX[@]}" -d "umw.store=$WORK/cg-$1-$2.sqlite" "$BENCH/php/cg_loop.php" "$1" "$2" "$RECV" >/dev/null 2>&1
    local main all
    main=$(grep -h '^summary:' "$out"-01 | awk '{print $2}')
    all=$(cat "$out"-* | grep '^summary:' | awk '{s+=$2} END {print s}')
    echo "$main $all"
  }
  N=2000
  read -r j0 _ < <(cg json 0); read -r j1 _ < <(cg json $N)
  read -r e0 ea0 < <(cg emit 0); read -r e1 ea1 < <(cg emit $N)
  { echo "cg.json_ir=$(( (j1 - j0) / N ))"; echo "cg.emit_ir=$(( (e1 - e0) / N ))"; echo "cg.emit_all_ir=$(( (ea1 - ea0) / N ))"; } >> "$KV"
fi

# --- 2. request latency under load --------------------------------------------------------------
log "2. nginx + php-fpm (4 static workers), wrk -t2 -c$CONNS ${WRK_SECS}s x $WRK_ROUNDS"
FPM_STORE=$WORK/fpm-store.sqlite
"${PHPX[@]}" -d "umw.store=$FPM_STORE" -r "umw_register_webhook(['name'=>'bench','url'=>'$RECV','events'=>['payment_received']]);"
set_url() { "${PHPX[@]}" -d "umw.store=$FPM_STORE" -r "foreach (umw_list_webhooks() as \$w) umw_update_webhook(\$w['id'], ['url' => '$1']);"; }
php-fpm8.2 -F -R -n -c /etc/php/8.2/fpm/php.ini -d "extension=$EXT" -d extension=curl -d extension=pdo_sqlite \
  -d zend_extension=opcache -y "$WORK/fpm.conf" > "$WORK/fpm.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [[ -S $WORK/fpm.sock ]] && break; sleep 0.05; done
FRONT=http://127.0.0.1:$FRONT_PORT
curl -sf "$FRONT/none.php" >/dev/null && curl -sf "$FRONT/umw.php" >/dev/null && curl -sf "$FRONT/wp.php?to=$RECV" >/dev/null
wrk_run() { # name url [wrk args...]
  local name=$1 url=$2; shift 2
  wrk -t2 -c$CONNS -d"${WRK_SECS}s" --latency "$@" "$url" > "$WORK/wrk.$name.txt" 2>&1 || true
  python3 "$BENCH/report.py" wrk "$WORK/wrk.$name.txt" "fpm.$name" >> "$KV"
}
wrk -t2 -c$CONNS -d1s "$FRONT/umw.php" >/dev/null 2>&1 || true   # warm every worker's runtime
for r in $(seq "$WRK_ROUNDS"); do
  wrk_run none "$FRONT/none.php"
  set_url "$RECV"; wrk_run umw_ok "$FRONT/umw.php"
  set_url "$HANG"; wrk_run umw_hang "$FRONT/umw.php"
  wrk_run wp_ok "$FRONT/wp.php?to=$RECV"
done
# Open loop at a fixed rate well below saturation (a share of what "no webhooks" sustained): the
# latency a visitor sees on a busy but not overloaded site. Closed-loop wrk above measures the run
# queue of a saturated 2-core box as much as the page (reported, not the target).
RATE=$(python3 -c "import sys; print(max(200, int(float(sys.argv[1]) * 0.3)))" "$(grep '^fpm.none.rps=' "$KV" | cut -d= -f2 | sort -n | head -1)")
log "2. open loop: $RATE req/s (30% of no-webhook saturation), ${RATE_SECS}s x $RATE_ROUNDS, interleaved"
echo "rate.target=$RATE" >> "$KV"
rate_run() { # name url
  "$LOADGEN" "$2" "$RATE" "$RATE_SECS" 64 | sed "s/^/rate.$1./" >> "$KV"
}
for r in $(seq "$RATE_ROUNDS"); do
  rate_run none "$FRONT/none.php"
  set_url "$RECV"; rate_run umw_ok "$FRONT/umw.php"
  set_url "$HANG"; rate_run umw_hang "$FRONT/umw.php"
done
set_url "$RECV"
# The pathology, once and capped: each request blocks for the (capped) cURL timeout.
wrk -t2 -c$CONNS -d"$((HANG_TIMEOUT * 3))s" --timeout "$((HANG_TIMEOUT + 3))s" --latency \
  "$FRONT/wp.php?to=$HANG&timeout=$HANG_TIMEOUT" > "$WORK/wrk.wp_hang.txt" 2>&1 || true
python3 "$BENCH/report.py" wrk "$WORK/wrk.wp_hang.txt" fpm.wp_hang >> "$KV"
kill "${PIDS[-1]}" 2>/dev/null || true

# --- 3. delivery throughput ---------------------------------------------------------------------
log "3. throughput: $TP_N queued deliveries vs wrk vs curl_multi (c=$CONNS)"
body=$(php -r "require '$BENCH/php/common.php'; echo json_encode(bench_payload());")
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t2 -c$CONNS -d"$([[ $MODE == quick ]] && echo 2 || echo 5)s" -s "$WORK/post.lua" "$RECV" > "$WORK/wrk.tp.txt" 2>&1 || true
python3 "$BENCH/report.py" wrk "$WORK/wrk.tp.txt" tp.wrk >> "$KV"
kv tp.emit "${PHPX[@]}" -d "umw.store=$WORK/tp.sqlite" -d umw.shutdown_timeout_ms=0 "$BENCH/php/backlog.php" "$HANG" "$TP_N" "$WORK/tp.sqlite"
"${PHPX[@]}" -d "umw.store=$WORK/tp.sqlite" -r "foreach (umw_list_webhooks() as \$w) umw_update_webhook(\$w['id'], ['url' => '$RECV']);"
kv tp.drain "${PHPX[@]}" -d "umw.store=$WORK/tp.sqlite" "$BENCH/php/drain.php" "$RECV" "$WORK/tp.sqlite" 120
kv tp.multi php "$BENCH/php/curl_multi.php" "$RECV" "$TP_N" "$CONNS"

# --- 4. backlog ---------------------------------------------------------------------------------
log "4. backlog: $BL_N events while the endpoint is down, then drain"
kv bl.emit "${PHPX[@]}" -d "umw.store=$WORK/bl.sqlite" -d umw.shutdown_timeout_ms=0 "$BENCH/php/backlog.php" "$HANG" "$BL_N" "$WORK/bl.sqlite"
"${PHPX[@]}" -d "umw.store=$WORK/bl.sqlite" -r "foreach (umw_list_webhooks() as \$w) umw_update_webhook(\$w['id'], ['url' => '$RECV']);"
kv bl.drain "${PHPX[@]}" -d "umw.store=$WORK/bl.sqlite" "$BENCH/php/drain.php" "$RECV" "$WORK/bl.sqlite" "$([[ $MODE == quick ]] && echo 20 || echo 150)"

# --- 5. per-worker cost -------------------------------------------------------------------------
log "5. per-worker RSS and threads"
for r in 1 2 3; do
  kv ovh php -n "$BENCH/php/overhead.php"
  kv ovh php -n -d "extension=$EXT" -d "umw.store=$WORK/ovh.sqlite" -d umw.allow_private_networks=1 "$BENCH/php/overhead.php"
done

# --- table --------------------------------------------------------------------------------------
out=$BENCH/results.md; [[ $MODE == quick ]] && out=$BENCH/results-quick.md
python3 "$BENCH/report.py" table "$KV" "$MODE" "$machine" > "$out.tmp" && mv "$out.tmp" "$out"
cat "$out"
[[ -n ${UMW_BENCH_KEEP:-} ]] && log "raw results kept in $KV"
log "written to $out"
