# 7. A real WordPress page (full run only: standing WordPress up takes ~30 s). The multisite of the
# WordPress suite (tests/wp/env.sh, on its own 127.x address and state), the Ultimate Multisite
# 2.4.10 double network-activated, and a page (the main site's front page: ten posts rendered by
# a small classic theme, bench/wp/theme, as the machine has none installed)
# whose request fires one UM event: wu_do_event('payment_received', UM's sample payload).
#   none:  no UM webhook, umw's bridge off (the page and the event, nobody sends)
#   um:    one UM webhook, bridge off: UM's own inline sender (Webhook_Manager::send_webhooks,
#          wp_remote_post, timeout 45, blocking=false) posts it during the request
#   emb:   the same webhook, bridge on: umw takes the event, embedded delivery
#   agent: the same, umw.delivery=agent (umw-agent started with the pool's settings)
# Served by this benchmark's own PHP-FPM pools (the suite's php.ini and conf.d) behind its nginx
# (Host: the multisite's domain). The UM webhook points at the counting receiver, so every scenario
# is checked to have sent one request per page.

wp_port_busy() { (exec 3<>"/dev/tcp/$WP_HOST/$1") 2>/dev/null; }
if wp_port_busy 80 || wp_port_busy 3306; then
  log "7. WordPress rows skipped: $WP_HOST:80 or :3306 is in use (set UMW_BENCH_WP_HOST to a free 127.x address)"
  return 0
fi
log "7. WordPress multisite on $WP_HOST (tests/wp/env.sh up, state $WP_STATE)"
WP_UP=1
if ! UMW_WP_HOST=$WP_HOST UMW_WP_STATE=$WP_STATE UMW_EXT=$EXT bash "$ROOT/tests/wp/env.sh" up > "$WORK/wp-env.log" 2>&1; then
  broken wordpress "tests/wp/env.sh up failed: $(tail -c 400 "$WORK/wp-env.log")"
  return 0
fi
WP_DIR=$WP_STATE/wordpress
wp_php() { UMW_WP_STATE=$WP_STATE UMW_WP_HOST=$WP_HOST bash "$ROOT/tests/wp/wp-php.sh" "$@"; }
cp "$BENCH/wp/bench-page.php" "$WP_DIR/wp-content/mu-plugins/umw-bench-page.php"
wp_php "$BENCH/wp/scenario.php" activate "" "$ROOT/tests/wp/lib/um-double" "$BENCH/wp/theme" >> "$WORK/wp-scenario.log" 2>&1 \
  || { broken wordpress "the Ultimate Multisite double did not activate: $(tail -c 300 "$WORK/wp-scenario.log")"; return 0; }

store_ini wp-emb "$WP_STATE/umw.sqlite" umw.retry_schedule=1,2,4
store_ini wp-agent "$WP_STATE/umw.sqlite" umw.retry_schedule=1,2,4 umw.delivery=agent
{ fpm_pool wpemb wp-emb; fpm_pool wpagent wp-agent; } > "$WORK/pools-wp.conf"
# The suite's FPM php.ini (a copy of Debian's with the extension added) and Debian's conf.d. The
# pools inherit UMW_BENCH_EVENT_LOG (clear_env = no): the page logs what the event cost it there.
export UMW_BENCH_EVENT_LOG=$WORK/wp-event-us.log
fpm_start wp "$WORK/pools-wp.conf" -c "$WP_STATE/php/php-fpm.ini"
agent_start wp-agent || true
WP_AGENT_PID=${AGENT_PID:-}
WPF=http://127.0.0.1:$WP_FRONT_PORT
PAGE=/?umw_bench=1

wp_state() { wp_php "$BENCH/wp/scenario.php" "$1" "$COUNT" >> "$WORK/wp-scenario.log" 2>&1; }
wp_state none
code=$(curl -s -o "$WORK/wp-page.html" -w '%{http_code}' -H "Host: $WP_HOST" "$WPF/wpemb$PAGE")
[[ $code == 200 ]] && grep -q 'Benchmark post' "$WORK/wp-page.html" || { broken wordpress "the page answered $code: $(head -c 300 "$WORK/wp-page.html")"; return 0; }
echo "wpp.page_bytes=$(wc -c < "$WORK/wp-page.html")" >> "$KV"

# Saturation of the page without webhooks, then the open loop at 30 % of it.
WRK_SECS_WP=5
wrk -t2 -c$CONNS -d${WRK_SECS_WP}s --latency -H "Host: $WP_HOST" "$WPF/wpemb$PAGE" > "$WORK/wrk.wp-none.txt" 2>&1 || true
python3 "$BENCH/report.py" wrk "$WORK/wrk.wp-none.txt" wpp.sat >> "$KV"
WP_RATE=$(python3 -c "import sys; print(max(5, int(float(sys.argv[1]) * 0.3)))" "$(sed -n 's/^wpp.sat.rps=//p' "$KV" | tail -1)")
WP_RATE_SECS=12
echo "wpp.target=$WP_RATE" >> "$KV"
log "7. open loop on the WordPress page: $WP_RATE req/s, ${WP_RATE_SECS}s x 4, interleaved: none, um, emb, agent"
for r in 1 2 3 4; do
  for sc in none um emb agent; do
    case $sc in none) wp_state none ;; um) wp_state um ;; emb) wp_state umw ;; agent) ;; esac
    pool=wpemb; [[ $sc == agent ]] && pool=wpagent
    : > "$WORK/count.log"; : > "$UMW_BENCH_EVENT_LOG"
    out=$("$LOADGEN" "$WPF/$pool$PAGE" "$WP_RATE" "$WP_RATE_SECS" 64 "$WP_HOST")
    echo "wpp.$sc.event_us=$(sort -n "$UMW_BENCH_EVENT_LOG" | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "nan"}')" >> "$KV"
    echo "$out" | sed "s/^/wpp.$sc./" >> "$KV"
    sent=$(sed -n 's/^ok=//p' <<< "$out")
    [[ $sc == emb || $sc == agent ]] && php_admin "wp-$sc" "$BENCH/php/count.php" wait 30 >/dev/null || true
    sleep 0.5
    got=$(wc -l < "$WORK/count.log")
    echo "wpp.$sc.received=$got" >> "$KV"
    if [[ $sc == none ]]; then want=0; else want=$sent; fi
    [[ $got -ge $want ]] || broken "wordpress.$sc" "$got webhook requests arrived for $sent pages"
  done
done
# UM's inline sender against an endpoint answering in 200 ms (a remote CRM): every such page waits
# for it. Once, at a quarter of the rate (at the full rate 4 workers could not keep up).

wp_php "$BENCH/wp/scenario.php" um "$SLOW" >> "$WORK/wp-scenario.log" 2>&1
: > "$UMW_BENCH_EVENT_LOG"
"$LOADGEN" "$WPF/wpemb$PAGE" "$(( (WP_RATE + 3) / 4 ))" "$WP_RATE_SECS" 64 "$WP_HOST" | sed "s/^/wpp.um_slow./" >> "$KV"
echo "wpp.um_slow.event_us=$(sort -n "$UMW_BENCH_EVENT_LOG" | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : "nan"}')" >> "$KV"
[[ -n $WP_AGENT_PID ]] && stop_pid "$WP_AGENT_PID"
stop_pid "${FPM_PIDS[wp]}"
