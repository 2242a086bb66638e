# 2. Request latency behind nginx + PHP-FPM, 4 static workers per pool:
#   plain: no umw at all (the "no webhooks" page)
#   inline: no umw, the page sends the webhook itself with wp_remote_post
#   emb:   umw, embedded delivery (every worker runs its own writer and delivery runtime)
#   agent: umw.delivery=agent, one umw-agent for the pool, started with the pool's own settings
#   mysql: umw, embedded, the MariaDB store
# Then the per-worker cost inside FPM, and the TCP connections opened per 10,000 deliveries.

POOLS=(emb agent)
store_ini fpm-emb "$WORK/fpm-emb.sqlite"
store_ini fpm-agent "$WORK/fpm-agent.sqlite" umw.delivery=agent
if [[ -n $MYSQL_BASE ]]; then
  store_ini fpm-mysql "$(mysql_url fpm)" "umw.spool_dir=$WORK/fpm-mysql.spool"
  POOLS+=(mysql)
fi
for p in "${POOLS[@]}"; do setup_webhooks "fpm-$p"; done
{ for p in "${POOLS[@]}"; do fpm_pool "$p" "fpm-$p"; done; } > "$WORK/pools-umw.conf"
{ fpm_pool plain; fpm_pool inline; } > "$WORK/pools-plain.conf"
FPM_INI=(-n -c /etc/php/8.2/fpm/php.ini -d extension=curl -d zend_extension=opcache)
log "2. PHP-FPM pools: plain, inline, ${POOLS[*]} (4 static workers each); umw-agent for the agent pool"
fpm_start umw "$WORK/pools-umw.conf" "${FPM_INI[@]}" -d "extension=$EXT"
fpm_start plain "$WORK/pools-plain.conf" "${FPM_INI[@]}"
agent_start fpm-agent || true
FPM_AGENT_PID=${AGENT_PID:-}
echo "fpm.agent_nice=$(ps -o ni= -p "$FPM_AGENT_PID" 2>/dev/null | tr -d ' ')" >> "$KV"
# The agent runs 10 nice levels below the workers (as the embedded background threads do). The
# full run also measures it moved back to nice 0 (agent0: how it ran before that change).
AGENT_AB=$([[ $MODE == full ]] && echo 1 || echo 0)
renice_agent() { local t; for t in /proc/"$FPM_AGENT_PID"/task/*; do renice -n "$1" -p "${t##*/}" >/dev/null 2>&1 || true; done; }
curl -sf "$FRONT/plain/none.php" >/dev/null && curl -sf "$FRONT/inline/wp.php?to=$RECV" >/dev/null \
  || broken fpm.plain "the plain pool does not answer"
for p in "${POOLS[@]}"; do
  curl -sf "$FRONT/$p/umw.php" >/dev/null || broken "fpm.$p" "the $p pool does not answer: $(curl -s "$FRONT/$p/umw.php" | head -c 300)"
  wrk -t2 -c$CONNS -d1s "$FRONT/$p/umw.php" >/dev/null 2>&1 || true   # warm every worker's runtime
  settle "fpm-$p"
done

log "2. wrk -t2 -c$CONNS ${WRK_SECS}s x $WRK_ROUNDS: none, inline wp_remote_post (full run), pools"
# The quick run leaves out the saturated rows that are only information (inline, MariaDB).
WRK_POOLS=("${POOLS[@]}"); [[ $MODE == quick ]] && WRK_POOLS=(emb agent)
for r in $(seq "$WRK_ROUNDS"); do
  wrk_run fpm.none "$FRONT/plain/none.php"
  [[ $MODE == full ]] && wrk_run fpm.wp_ok "$FRONT/inline/wp.php?to=$RECV"
  for p in "${WRK_POOLS[@]}"; do
    wrk_run "fpm.${p}_ok" "$FRONT/$p/umw.php"
    settle "fpm-$p"
  done
  if [[ $AGENT_AB == 1 ]]; then renice_agent 0; wrk_run fpm.agent0_ok "$FRONT/agent/umw.php"; settle fpm-agent; renice_agent 10; fi
done

# Open loop at a fixed rate well below saturation (a share of what "no webhooks" sustained): the
# latency a visitor sees on a busy but not overloaded site. Closed-loop wrk above measures the run
# queue of a saturated 2-core box as much as the page (reported, not the target).
RATE=$(python3 -c "import sys; print(max(200, int(float(sys.argv[1]) * 0.3)))" "$(grep '^fpm.none.rps=' "$KV" | cut -d= -f2 | sort -n | head -1)")
log "2. open loop: $RATE req/s (30% of no-webhook saturation), ${RATE_SECS}s x $RATE_ROUNDS, interleaved"
echo "rate.target=$RATE" >> "$KV"
# What serves each pool (CPU per request is counted over these): its workers, the agent, MariaDB.
declare -A SERVES=([none]="$(fpm_workers plain)" [emb]="$(fpm_workers emb)" [agent]="$(fpm_workers agent) $FPM_AGENT_PID")
[[ -n $MYSQL_BASE ]] && SERVES[mysql]="$(fpm_workers mysql) $(cat "$MYSQL_STATE/mariadbd.pid" 2>/dev/null)"
for r in $(seq "$RATE_ROUNDS"); do
  rate_run rate.none "$FRONT/plain/none.php" ${SERVES[none]}
  for p in "${POOLS[@]}"; do
    rate_run "rate.${p}_ok" "$FRONT/$p/umw.php?e=ok" ${SERVES[$p]}
    settle "fpm-$p"
  done
  if [[ $AGENT_AB == 1 ]]; then renice_agent 0; rate_run rate.agent0_ok "$FRONT/agent/umw.php?e=ok" ${SERVES[agent]}; settle fpm-agent; renice_agent 10; fi
  for p in emb agent; do rate_run "rate.${p}_hang" "$FRONT/$p/umw.php?e=hang" ${SERVES[$p]}; done
done
# The pathology, once and capped: each request blocks for the (capped) cURL timeout.
wrk -t2 -c$CONNS -d"$((HANG_TIMEOUT * 3))s" --timeout "$((HANG_TIMEOUT + 3))s" --latency \
  "$FRONT/inline/wp.php?to=$HANG&timeout=$HANG_TIMEOUT" > "$WORK/wrk.wp_hang.txt" 2>&1 || true
python3 "$BENCH/report.py" wrk "$WORK/wrk.wp_hang.txt" fpm.wp_hang >> "$KV"

# TCP connections the receiver accepts per CONN_N deliveries, 4 FPM workers emitting: each
# embedded worker has its own connection pool; the agent has one for the host.
log "2. connections per $CONN_N deliveries to one endpoint (4 FPM workers emitting): emb, agent"
CONN_RATE=$([[ $MODE == quick ]] && echo 5000 || echo 2500)
for p in emb agent; do
  : > "$WORK/count.log"
  out=$("$LOADGEN" "$FRONT/$p/umw.php?e=count" "$CONN_RATE" "$(python3 -c "print($CONN_N / $CONN_RATE)")" 64)
  sent=$(sed -n 's/^ok=//p' <<< "$out")
  echo "$out" | sed "s/^/conn.$p.load./" >> "$KV"
  php_admin "fpm-$p" "$BENCH/php/count.php" until "$sent" 60 count | sed "s/^/conn.$p./" >> "$KV" \
    || broken "conn.$p" "not every one of $sent events reached the counting receiver within 60 s"
  sleep 0.5   # the access log is flushed every 200 ms
  echo "conn.$p.requests=$(wc -l < "$WORK/count.log")" >> "$KV"
  echo "conn.$p.connections=$(sort -u "$WORK/count.log" | wc -l)" >> "$KV"
done

# What each worker costs inside FPM after all that load: RSS and threads, per pool.
for p in plain "${POOLS[@]}"; do worker_cost "$p" "fpmw.$p"; done
echo "fpmw.agent_process_rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$FPM_AGENT_PID/status" 2>/dev/null || echo 0)" >> "$KV"

[[ -n $FPM_AGENT_PID ]] && stop_pid "$FPM_AGENT_PID"
stop_pid "${FPM_PIDS[umw]}"; stop_pid "${FPM_PIDS[plain]}"
