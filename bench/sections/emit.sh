# 1. Emit cost: umw_emit vs json_encode in one PHP CLI process, interleaved rounds.
# Embedded (three endpoints), durable emit, agent mode (umw-agent running), MySQL (async and
# durable: a synchronous write to the shared store), and the wp_remote_post baselines.

log "1. emit cost: umw_emit vs json_encode ($EMIT_ROUNDS rounds x $EMIT_ITERS)"
EPS=(fast slow hang); [[ $MODE == quick ]] && EPS=(fast hang)
for ep in "${EPS[@]}"; do
  case $ep in fast) url=$RECV ;; slow) url=$SLOW ;; hang) url=$HANG ;; esac
  store_ini "emit-$ep" "$WORK/emit-$ep.sqlite"
  kv "emit.$ep" php_with "emit-$ep" "$BENCH/php/emit_cost.php" umw "$url" "$EMIT_ROUNDS" "$EMIT_ITERS" "$EMIT_SUSTAINED"
done
store_ini emit-durable "$WORK/emit-durable.sqlite" umw.durable_emit=1
kv emit.durable php_with emit-durable "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$EMIT_ITERS" 0

# Agent mode: the emit is a copy into this process's mapped spool segment; the agent (started with
# the same settings) ingests and delivers on the other core.
store_ini emit-agent "$WORK/emit-agent.sqlite" umw.delivery=agent
if agent_start emit-agent; then
  kv emit.agent php_with emit-agent "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$EMIT_ITERS" "$EMIT_SUSTAINED"
  php_admin emit-agent "$BENCH/php/count.php" wait 60 >/dev/null \
    || broken emit.agent "the agent left deliveries undelivered after 60 s"
  stop_pid "$AGENT_PID"
fi

if [[ -n $MYSQL_BASE ]]; then
  log "1. emit cost, MariaDB store (async; durable = a synchronous write to the store)"
  store_ini emit-mysql "$(mysql_url emit)" "umw.spool_dir=$WORK/emit-mysql.spool"
  kv emit.mysql php_with emit-mysql "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$EMIT_ITERS" "$EMIT_SUSTAINED"
  store_ini emit-mysql-durable "$(mysql_url emitd)" "umw.spool_dir=$WORK/emit-mysql-durable.spool" umw.durable_emit=1
  kv emit.mysql_durable php_with emit-mysql-durable "$BENCH/php/emit_cost.php" umw "$RECV" "$EMIT_ROUNDS" "$DURABLE_ITERS" 0
fi

log "1. wp_remote_post baselines"
kv wp.fast php "$BENCH/php/emit_cost.php" wp "$RECV" "${WP_FAST[@]}" 45
kv wp.slow php "$BENCH/php/emit_cost.php" wp "$SLOW" "${WP_SLOW[@]}" 45
kv wp.hang php "$BENCH/php/emit_cost.php" wp "$HANG" 2 1 "$HANG_TIMEOUT"

if [[ $CALLGRIND == 1 ]] && command -v valgrind >/dev/null; then
  log "1. callgrind instruction counts (embedded and agent mode)"
  # cg <json|emit> <iterations> [settings name] → instructions of the main thread and of all threads
  cg() {
    local out=$WORK/cg.$1.$2.${3:-emb} ini=()
    if [[ -n ${3:-} ]]; then local line; while IFS= read -r line; do ini+=(-d "$line"); done < "$WORK/$3.ini"; fi
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out" \
      "${PHPX[@]}" -d "umw.store=$WORK/cg-$1-$2.sqlite" "${ini[@]}" "$BENCH/php/cg_loop.php" "$1" "$2" "$RECV" >/dev/null 2>&1
    local main all
    main=$(grep -h '^summary:' "$out"-01 | awk '{print $2}')
    all=$(cat "$out"-* | grep '^summary:' | awk '{s+=$2} END {print s}')
    echo "$main $all"
  }
  N=2000
  read -r j0 _ < <(cg json 0); read -r j1 _ < <(cg json $N)
  read -r e0 ea0 < <(cg emit 0); read -r e1 ea1 < <(cg emit $N)
  { echo "cg.json_ir=$(( (j1 - j0) / N ))"; echo "cg.emit_ir=$(( (e1 - e0) / N ))"; echo "cg.emit_all_ir=$(( (ea1 - ea0) / N ))"; } >> "$KV"
  store_ini cg-agent "$WORK/cg-agent.sqlite" umw.delivery=agent
  if agent_start cg-agent; then
    read -r a0 _ < <(cg emit 0 cg-agent); read -r a1 _ < <(cg emit $N cg-agent)
    echo "cg.agent_emit_ir=$(( (a1 - a0) / N ))" >> "$KV"
    stop_pid "$AGENT_PID"
  fi
fi
