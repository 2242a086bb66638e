# 6. Costs flat in the number of webhooks (issue 12): with 1 webhook that takes the event and with
# 10,000 more that do not, an idle process's background CPU (embedded PHP process; the agent), and
# the durable emit's cost on the PHP thread (SQLite spool; MariaDB: the synchronous store write).

SCALE_N=10000
log "6. 1 vs $SCALE_N webhooks: idle CPU over ${IDLE_SECS}s, durable emit"
for n in 0 $SCALE_N; do
  store_ini "scale-$n" "$WORK/scale-$n.sqlite"
  kv "scale.setup_$n" php_admin "scale-$n" "$BENCH/php/many_webhooks.php" "$RECV" "$n"
done
# Idle: the 1- and 10,000-webhook processes side by side (same noise for both).
IDLE_PIDS=()
for n in 0 $SCALE_N; do php_with "scale-$n" "$BENCH/php/idle.php" "$IDLE_SECS" > "$WORK/idle-$n.out" & IDLE_PIDS+=($!); done
wait "${IDLE_PIDS[@]}"
for n in 0 $SCALE_N; do sed "s/^/scale.idle_$n./" "$WORK/idle-$n.out" >> "$KV"; done
# The agent, idle, on each store.
declare -A SCALE_AGENT=()
for n in 0 $SCALE_N; do
  store_ini "scale-agent-$n" "$WORK/scale-$n.sqlite" umw.delivery=agent
  agent_start "scale-agent-$n" && SCALE_AGENT[$n]=$AGENT_PID
done
sleep 1
declare -A C0=()
for n in "${!SCALE_AGENT[@]}"; do C0[$n]=$(cpu_seconds "${SCALE_AGENT[$n]}"); done
sleep "$IDLE_SECS"
for n in "${!SCALE_AGENT[@]}"; do
  c1=$(cpu_seconds "${SCALE_AGENT[$n]}")
  echo "scale.agent_idle_$n.cpu_pct=$(python3 -c "print(100 * ($c1 - ${C0[$n]}) / $IDLE_SECS)")" >> "$KV"
  stop_pid "${SCALE_AGENT[$n]}"
done
# Durable emit, the PHP thread's cost per event.
for n in 0 $SCALE_N; do
  store_ini "scale-durable-$n" "$WORK/scale-$n.sqlite" umw.durable_emit=1
  BENCH_NO_REGISTER=1 kv "scale.durable_$n" php_with "scale-durable-$n" "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$DURABLE_ITERS" 0
done
# MariaDB: 10,000 registrations take a few seconds there; full run only.
if [[ -n $MYSQL_BASE && $MODE == full ]]; then
  for n in 0 $SCALE_N; do
    store_ini "scale-mysql-$n" "$(mysql_url "sc$n")" "umw.spool_dir=$WORK/scale-mysql-$n.spool"
    kv "scale.mysql_setup_$n" php_admin "scale-mysql-$n" "$BENCH/php/many_webhooks.php" "$RECV" "$n"
    store_ini "scale-mysql-durable-$n" "$(mysql_url "sc$n")" "umw.spool_dir=$WORK/scale-mysql-$n.spool" umw.durable_emit=1
    BENCH_NO_REGISTER=1 kv "scale.mysql_durable_$n" php_with "scale-mysql-durable-$n" "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$DURABLE_ITERS" 0
  done
fi
