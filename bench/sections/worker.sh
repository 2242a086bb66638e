# 5. Per process: RSS and threads a PHP process gains from loading umw and using it once (one
# emit + flush), in a CLI process (exact, no traffic) — embedded, agent mode, MariaDB store. The
# same inside FPM workers after the load of section 2 is in the fpmw.* rows.

log "5. per-process RSS and threads: no umw, embedded, agent, MariaDB"
store_ini ovh-emb "$WORK/ovh-emb.sqlite"
store_ini ovh-agent "$WORK/ovh-agent.sqlite" umw.delivery=agent
OVH=(emb)
agent_start ovh-agent && OVH+=(agent)
if [[ -n $MYSQL_BASE ]]; then store_ini ovh-mysql "$(mysql_url ovh)" "umw.spool_dir=$WORK/ovh-mysql.spool"; OVH+=(mysql); fi
for m in "${OVH[@]}"; do php_admin "ovh-$m" -r "umw_register_webhook(['name' => 'ovh', 'url' => '$RECV', 'events' => ['payment_received']]);"; done
for r in 1 2 3; do
  kv ovh.noext php -n "$BENCH/php/overhead.php"
  for m in "${OVH[@]}"; do kv "ovh.$m" php_with "ovh-$m" -n "$BENCH/php/overhead.php"; done
done
[[ " ${OVH[*]} " == *" agent "* ]] && stop_pid "$AGENT_PID"
