#!/usr/bin/env bash
# The Debian package on this machine: build it, install it, check PHP-FPM and CLI load the
# extension, run the demo against the installed extension, run the installed umw-agent for a
# host in agent mode, then remove the package (the store directory stays). Prints
# "deb: N passed, M failed". Needs root (dpkg).
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0
check() { # check <name> <command...>
  local name=$1; shift
  if "$@" >/tmp/umw-deb-check.log 2>&1; then passed=$((passed + 1)); echo "ok - $name"
  else failed=$((failed + 1)); echo "not ok - $name"; sed 's/^/    /' /tmp/umw-deb-check.log | tail -20; fi
}
work=$(mktemp -d /tmp/umw-deb.XXXXXX)
receiver=""
cleanup() {
  [ -n "$receiver" ] && kill "$receiver" 2>/dev/null
  [ -n "${agent:-}" ] && kill "$agent" 2>/dev/null
  dpkg -r umw >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

deb=$(bash scripts/build-deb.sh "$work/out" | tail -1)
check "package builds ($deb)" test -s "$deb"
check "lintian-style basics: control, conffiles, maintainer scripts" sh -c "dpkg-deb -f '$deb' Package Version Depends | grep -q 'Package: umw' && dpkg-deb -I '$deb' | grep -q postinst"
check "installs" dpkg -i "$deb"
check "the CLI loads it (phpenmod)" sh -c "php -m | grep -qx umw"
check "PHP-FPM loads it (phpenmod)" test -L /etc/php/8.2/fpm/conf.d/50-umw.ini
check "php --ri umw shows the settings from the packaged ini" sh -c "php --ri umw | grep -q 'umw.store => /var/lib/umw/umw.sqlite'"
check "/var/lib/umw belongs to the PHP user, private" sh -c "[ \"\$(stat -c '%U %a' /var/lib/umw)\" = 'www-data 700' ]"
check "the agent's unit is installed, not enabled" sh -c "test -f /lib/systemd/system/umw-agent.service && ! test -e /etc/systemd/system/multi-user.target.wants/umw-agent.service"
check "the demo runs against the installed extension" sh -c "bash scripts/demo.sh > '$work/demo.log' 2>&1 && grep -q 'using the installed extension' '$work/demo.log' && grep -q 'test event: delivered' '$work/demo.log' && grep -c 'POST /webhook' '$work/demo.log' | grep -qx 2"

# The installed agent, for a host in agent mode (in the foreground: containers have no systemd).
python3 scripts/receiver.py "$work/port" > "$work/received.log" 2>&1 &
receiver=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")/agent"
settings=(-d umw.store="$work/umw.sqlite" -d umw.delivery=agent -d umw.allow_private_networks=1)
check "umw-agent --check passes on the packaged ini" umw-agent --check --ini /etc/php/8.2/mods-available/umw.ini "${settings[@]}"
umw-agent --ini /etc/php/8.2/mods-available/umw.ini "${settings[@]}" > "$work/agent.log" 2>&1 &
agent=$!
check "the agent beats" sh -c "for i in \$(seq 50); do test -s '$work/umw.sqlite.spool/agent.json' && exit 0; sleep 0.1; done; exit 1"
php "${settings[@]}" -r '
umw_register_webhook(["name" => "agent", "url" => $argv[1], "events" => "*"]);
for ($i = 0; $i < 20; $i++) umw_emit("payment_received", ["i" => $i]);
exit(umw_flush(10) ? 0 : 1);' "$url"
check "PHP in agent mode hands 20 events to the installed agent, which delivers them" sh -c "for i in \$(seq 100); do [ \"\$(grep -c 'POST /agent' '$work/received.log')\" -ge 20 ] && exit 0; sleep 0.1; done; exit 1"
kill -TERM "$agent"
check "SIGTERM stops the agent cleanly" sh -c "for i in \$(seq 100); do kill -0 $agent 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
wait "$agent"; agent=""

check "removes" dpkg -r umw
check "the CLI no longer loads it" sh -c "! php -m | grep -qx umw"
check "the store directory stays" test -d /var/lib/umw
echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
