#!/usr/bin/env bash
# A private MariaDB for the store contract suite: Debian's mariadbd on a unix socket under a
# throw-away datadir, no TCP port, a small buffer pool. Never touches a system MariaDB.
#
#   tests/mysql/server.sh start   wipe $UMW_MYSQL_STATE, start the server, create the database and user
#   tests/mysql/server.sh stop    stop the server `start` started (by its pid file) and remove the state
#   tests/mysql/server.sh env     print `export UMW_TEST_MYSQL_URL=…` for the running server
#   tests/mysql/server.sh restart restart the running server on the same datadir (fault tests)
#
# Env: UMW_MYSQL_STATE (default /tmp/umw-mysql-test): where the datadir, socket and logs live.
# Then: eval "$(tests/mysql/server.sh env)"; cargo test --release --lib store::
set -euo pipefail

S="${UMW_MYSQL_STATE:-/tmp/umw-mysql-test}"
SOCK="$S/mysqld.sock"
DB=umw_test USER=umw PASS=umw-test-pass

log() { printf '[mysql] %s\n' "$*" >&2; }
die() { printf '[mysql] ERROR: %s\n' "$*" >&2; exit 1; }

client() { mariadb --no-defaults -S "$SOCK" -uroot "$@"; }

up() { client -e 'SELECT 1' >/dev/null 2>&1; }

wait_up() {
  for _ in $(seq 1 300); do up && return 0; sleep 0.1; done
  cat "$S/mariadb.err" >&2 || true
  die "mariadbd did not come up on $SOCK"
}

serve() {
  mariadbd --no-defaults --user=root --datadir="$S/data" --socket="$SOCK" --pid-file="$S/mariadbd.pid" \
    --skip-networking --log-error="$S/mariadb.err" --innodb-buffer-pool-size=32M \
    --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    --max-connections=200 --performance-schema=off >/dev/null 2>&1 &
  disown || true
  wait_up
}

stop_server() {
  local f="$S/mariadbd.pid" pid
  [[ -f $f ]] || return 0
  pid=$(tr -dc 0-9 <"$f")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "mariadbd ($pid) did not stop, killing"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

url() { printf 'mysql://%s:%s@localhost/%s?socket=%s' "$USER" "$PASS" "$DB" "$SOCK"; }

case "${1:-}" in
  start)
    command -v mariadbd >/dev/null || die "mariadbd not found: apt-get install mariadb-server (scripts/install-deps.sh does)"
    stop_server
    rm -rf "$S"
    mkdir -p "$S"
    mariadb-install-db --no-defaults --auth-root-authentication-method=normal --user=root \
      --datadir="$S/data" --skip-test-db >"$S/install.log" 2>&1 \
      || { cat "$S/install.log" >&2; die "mariadb-install-db failed"; }
    serve
    client <<SQL
CREATE DATABASE $DB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$USER'@'localhost' IDENTIFIED BY '$PASS';
GRANT ALL PRIVILEGES ON $DB.* TO '$USER'@'localhost';
FLUSH PRIVILEGES;
SQL
    log "up: $SOCK ($(client -N -e 'SELECT VERSION()'))"
    ;;
  restart)
    [[ -d $S/data ]] || die "no datadir under $S: run start first"
    stop_server
    serve
    log "restarted: $SOCK"
    ;;
  stop)
    stop_server
    rm -rf "$S"
    log "stopped"
    ;;
  env)
    up || die "no server on $SOCK: run start first"
    printf 'export UMW_TEST_MYSQL_URL=%q\n' "$(url)"
    ;;
  *)
    echo "usage: $0 start|stop|restart|env" >&2
    exit 2
    ;;
esac
