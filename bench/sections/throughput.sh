# 3. Delivery throughput against nginx answering 204, vs wrk on the same receiver with the same
# connections (8 = umw.max_in_flight_per_webhook):
#   drain: a backlog built while the endpoint hung, then the webhook pointed at the receiver,
#          drained by one embedded PHP process or by the agent (SQLite, MariaDB);
#   end to end: one PHP process emits N, then waits until all are delivered (embedded, agent).
# 4. The backlog: RSS growth while the endpoint is down, store size, drain when it is back.

log "3. throughput: wrk POST and curl_multi (c=$CONNS)"
body=$(php -r "require '$BENCH/php/common.php'; echo json_encode(bench_payload());")
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t2 -c$CONNS -d"$([[ $MODE == quick ]] && echo 2 || echo 5)s" -s "$WORK/post.lua" "$RECV" > "$WORK/wrk.tp.txt" 2>&1 || true
python3 "$BENCH/report.py" wrk "$WORK/wrk.tp.txt" tp.wrk >> "$KV"
kv tp.multi php "$BENCH/php/curl_multi.php" "$RECV" "$TP_N" "$CONNS"

# drain_case <key> <settings name> <emb|agent>: build the backlog with the endpoint hanging, point
# the webhook at the receiver, drain it with one embedded process or with the agent.
drain_case() {
  local key=$1 name=$2 how=$3
  kv "$key.emit" php_with "$name" -d umw.delivery=embedded -d umw.shutdown_timeout_ms=0 \
    "$BENCH/php/backlog.php" "$HANG" "$TP_N" "$WORK/$name.sqlite"
  php_admin "$name" -r "foreach (umw_list_webhooks() as \$w) umw_update_webhook(\$w['id'], ['url' => '$RECV']);"
  if [[ $how == emb ]]; then
    kv "$key.drain" php_with "$name" "$BENCH/php/drain.php" 120
  else
    php_admin "$name" "$BENCH/php/drain.php" 120 > "$WORK/$key.drain.out" &
    local watcher=$!
    sleep 0.3   # the watcher has counted the backlog before the agent starts
    if agent_start "$name"; then
      wait "$watcher" || true
      # The agent's CPU per delivery (every thread; start-up included, it is small).
      echo "cpu_us_per_delivery=$(python3 -c "print(1e6 * $(cpu_seconds "$AGENT_PID") / max(1, $TP_N))")" >> "$WORK/$key.drain.out"
      stop_pid "$AGENT_PID"
    fi
    sed "s/^/$key.drain./" "$WORK/$key.drain.out" >> "$KV"
  fi
  local left
  left=$(sed -n "s/^$key.drain.remaining=//p" "$KV" | tail -1)
  [[ ${left:-x} == 0 ]] || broken "$key" "the $how drain left ${left:-?} of $TP_N deliveries after 120 s"
}

log "3. drain $TP_N queued deliveries: embedded, agent (SQLite)"
store_ini tp-emb "$WORK/tp-emb.sqlite"
drain_case tp.emb tp-emb emb
store_ini tp-agent "$WORK/tp-agent.sqlite" umw.delivery=agent
drain_case tp.agent tp-agent agent
if [[ -n $MYSQL_BASE ]]; then
  log "3. drain $TP_N queued deliveries: embedded, agent (MariaDB)"
  store_ini tp-mysql "$(mysql_url tpm)" "umw.spool_dir=$WORK/tp-mysql.spool"
  drain_case tp.mysql tp-mysql emb
  store_ini tp-mysql-agent "$(mysql_url tpma)" "umw.spool_dir=$WORK/tp-mysql-agent.spool" umw.delivery=agent
  drain_case tp.mysql_agent tp-mysql-agent agent
fi

log "3. end to end: emit $E2E_N, wait until all are delivered: embedded, agent"
store_ini e2e-emb "$WORK/e2e-emb.sqlite"
setup_webhooks e2e-emb
kv e2e.emb php_with e2e-emb "$BENCH/php/e2e.php" "$E2E_N" 120
store_ini e2e-agent "$WORK/e2e-agent.sqlite" umw.delivery=agent
setup_webhooks e2e-agent
if agent_start e2e-agent; then
  kv e2e.agent php_with e2e-agent "$BENCH/php/e2e.php" "$E2E_N" 120
  echo "e2e.agent.agent_cpu_us_per_event=$(python3 -c "print(1e6 * $(cpu_seconds "$AGENT_PID") / $E2E_N)")" >> "$KV"
  stop_pid "$AGENT_PID"
fi
for m in emb agent; do
  got=$(sed -n "s/^e2e.$m.delivered=//p" "$KV" | tail -1)
  [[ ${got:-0} -ge $E2E_N ]] || broken "e2e.$m" "$m: ${got:-0} of $E2E_N delivered within 120 s"
done

log "4. backlog: $BL_N events while the endpoint is down, then drain"
store_ini bl "$WORK/bl.sqlite" umw.shutdown_timeout_ms=0
kv bl.emit php_with bl "$BENCH/php/backlog.php" "$HANG" "$BL_N" "$WORK/bl.sqlite"
php_admin bl -r "foreach (umw_list_webhooks() as \$w) umw_update_webhook(\$w['id'], ['url' => '$RECV']);"
kv bl.drain php_with bl -d umw.shutdown_timeout_ms=2000 "$BENCH/php/drain.php" "$([[ $MODE == quick ]] && echo 20 || echo 150)"
