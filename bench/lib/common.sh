# Sourced by bench/run.sh: logging, results, processes, stores, PHP-FPM pools and the agent.
# Every process started here is recorded in PIDS and stopped by run.sh's cleanup.

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# kv <prefix> <command...>: the command's key=value lines, prefixed, into the results.
kv() { local prefix=$1; shift; "$@" | sed "s/^/$prefix./" >> "$KV"; }

# A real breakage (not noise): reported in the table and makes the run exit 1.
broken() { echo "broken.$1=$2" >> "$KV"; log "BROKEN: $1: $2"; }

wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 did not open" >&2; exit 1
}

# stop_pid <pid>: TERM, up to 10 s, then KILL. Only pids this run started.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}

# --- stores ---------------------------------------------------------------------------------------
# store_ini <name> <umw.store value> [umw.k=v ...]: the umw settings of one store, as ini lines in
# $WORK/<name>.ini. The same file configures the php CLI (-d), the FPM pool (php_admin_value) and the
# agent (--ini), so they agree by construction. Values are quoted: a MySQL URL holds & ? =.
store_ini() {
  local name=$1 store=$2; shift 2
  {
    printf 'umw.store="%s"\n' "$store"
    printf 'umw.allow_private_networks=1\n'
    printf 'umw.timeout_ms=15000\n'
    local kvp
    for kvp in "$@"; do printf '%s="%s"\n' "${kvp%%=*}" "${kvp#*=}"; done
  } > "$WORK/$name.ini"
}

# php_with <name> [php args...]: php CLI with the extension and that store's settings.
php_with() {
  local name=$1; shift
  local args=(-d "extension=$EXT") line
  while IFS= read -r line; do args+=(-d "$line"); done < "$WORK/$name.ini"
  php "${args[@]}" "$@"
}

# php_admin <name> [php args...]: the same, for admin calls only (register, count): agent mode
# starts no threads, so the admin process never claims or delivers anything itself.
php_admin() {
  php_with "$1" -d umw.delivery=agent -d umw.agent_fallback_seconds=86400 "${@:2}"
}

# The spool directory the settings of <name> give (the agent's heartbeat lives there).
spool_of() {
  php_admin "$1" -r 'echo umw_stats()["delivery"]["spool"]["dir"];'
}

# setup_webhooks <name>: the three webhooks every store of the benchmark has.
setup_webhooks() {
  php_admin "$1" "$BENCH/php/setup_store.php" "$RECV" "$HANG" "$COUNT"
}

# settle <name> [seconds]: wait until no delivery of the healthy webhooks is left to send, so the
# next scenario does not pay for the previous one's backlog (bounded).
settle() {
  php_admin "$1" "$BENCH/php/count.php" wait "${2:-20}" ok count >/dev/null || true
}

# --- the agent ------------------------------------------------------------------------------------
# agent_start <name>: umw-agent with the store's settings; AGENT_PID=…; waits for its heartbeat.
agent_start() {
  local name=$1 spool
  spool=$(spool_of "$name")
  rm -f "$spool/agent.json"
  "$AGENT" --ini "$WORK/$name.ini" -d umw.delivery=agent >> "$WORK/agent-$name.log" 2>&1 &
  AGENT_PID=$!
  PIDS+=("$AGENT_PID")
  for _ in $(seq 200); do [[ -s $spool/agent.json ]] && return 0; sleep 0.05; done
  broken "agent.$name" "umw-agent did not write its heartbeat (log: $(tail -c 300 "$WORK/agent-$name.log"))"
  return 1
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# --- PHP-FPM --------------------------------------------------------------------------------------
# fpm_pool <pool> [<settings name>]: one static pool of 4 workers; with a settings name, its umw
# settings as php_admin_value lines.
fpm_pool() {
  local pool=$1 name=${2:-} line
  cat <<POOL
[$pool]
user = root
group = root
listen = $WORK/fpm-$pool.sock
listen.mode = 0666
listen.backlog = 4096
pm = static
pm.max_children = 4
pm.max_requests = 0
catch_workers_output = yes
clear_env = no
php_admin_value[memory_limit] = 256M
POOL
  if [[ -n $name ]]; then
    while IFS= read -r line; do printf 'php_admin_value[%s] = %s\n' "${line%%=*}" "${line#*=}"; done < "$WORK/$name.ini"
  fi
}

# fpm_start <master> <conf> [php-fpm args...]: one php-fpm master in the foreground of a background
# job; waits for every pool's socket.
fpm_start() {
  local master=$1 conf=$2; shift 2
  { printf '[global]\npid = %s\nerror_log = %s\ndaemonize = no\n' "$WORK/fpm-$master.pid" "$WORK/fpm-$master-error.log"; cat "$conf"; } > "$WORK/fpm-$master.conf"
  php-fpm8.2 -F -R "$@" -y "$WORK/fpm-$master.conf" > "$WORK/fpm-$master.out" 2>&1 &
  PIDS+=($!)
  FPM_PIDS[$master]=$!
  local sock
  for sock in $(sed -n 's/^listen = //p' "$conf"); do
    for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
    [[ -S $sock ]] || { broken "fpm.$master" "no socket $sock: $(tail -c 300 "$WORK/fpm-$master-error.log")"; return 1; }
  done
}

# fpm_workers <pool>: the pids of that pool's workers.
fpm_workers() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(tr -d '\0' < "$p/cmdline" 2>/dev/null) == "php-fpm: pool $1"* ]] && echo "${p#/proc/}"
  done
}

# worker_cost <pool> <prefix>: each worker's RSS, private memory (what it does not share with the
# master and the other workers; kB) and thread count into the results.
worker_cost() {
  local pid
  for pid in $(fpm_workers "$1"); do
    echo "$2.rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")" >> "$KV"
    echo "$2.private_kb=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$pid/smaps_rollup")" >> "$KV"
    echo "$2.threads=$(ls "/proc/$pid/task" | wc -l)" >> "$KV"
    # Where the resident pages are: the extension's own file, spool segments it maps.
    awk -v k="$2" '/^[0-9a-f]+-[0-9a-f]+ / { m = ($NF ~ /libumw\.so$/) ? "so" : ($NF ~ /\.seg$/) ? "seg" : "" }
      /^Rss:/ && m != "" { s[m] += $2 } END { printf "%s.umw_so_kb=%d\n%s.spool_kb=%d\n", k, s["so"], k, s["seg"] }' \
      "/proc/$pid/smaps" >> "$KV"
  done
}

# --- load -----------------------------------------------------------------------------------------
# wrk_run <key> <url> [wrk args...]: closed loop, CONNS connections, parsed into the results.
wrk_run() {
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$CONNS" -d"${WRK_SECS}s" --latency "$@" "$url" > "$WORK/wrk.$name.txt" 2>&1 || true
  python3 "$BENCH/report.py" wrk "$WORK/wrk.$name.txt" "$name" >> "$KV"
}

# rate_run <key> <url> [pids...]: open loop at RATE req/s for RATE_SECS; with pids (the pool's
# workers, the agent, the database), also the CPU they used per request (every thread counted).
rate_run() {
  local name=$1 url=$2; shift 2
  local c0 c1 out
  c0=$(cpu_total "$@")
  out=$("$LOADGEN" "$url" "$RATE" "$RATE_SECS" 64)
  c1=$(cpu_total "$@")
  echo "$out" | sed "s/^/$name./" >> "$KV"
  (($#)) && echo "$name.cpu_us_per_req=$(python3 -c "print(1e6 * ($c1 - $c0) / max(1, $(sed -n 's/^ok=//p' <<< "$out")))")" >> "$KV"
  return 0
}

# cpu_total [pids...]: CPU seconds those processes used so far, together.
cpu_total() {
  local pid sum=0
  for pid in "$@"; do sum=$(python3 -c "print($sum + $(cpu_seconds "$pid"))"); done
  echo "$sum"
}
