#!/usr/bin/env bash
# Real-WordPress test environment for umw: MariaDB (unix socket) + php-fpm 8.2 + nginx on 127.0.0.1:80,
# WordPress (Debian's /usr/share/wordpress) as a SUBDIRECTORY multisite with a second site at /site2/,
# the umw plugin symlinked and network-activated, the umw extension loaded into fpm and php-cli.
#
#   tests/wp/env.sh up       wipe $UMW_WP_STATE and stand everything up (prints URL + credentials)
#   tests/wp/env.sh down     stop everything `up` started (by pid files)
#   tests/wp/env.sh status   check that the front end answers
#
# Env: UMW_WP_STATE (default /tmp/umw-wp), UMW_EXT (extension .so), UMW_PLUGIN_DIR (default <repo>/php),
#      UMW_WP_HOST (127.x address, default 127.0.0.1), UMW_WP_STORE=mysql (umw's tables in WordPress's own
#      database, prefix wp_umw_, instead of an SQLite file), UMW_WP_SECOND_HOST=127.x (a second web server:
#      its own PHP-FPM pool and spool, nginx on that address, the same WordPress and store).
# After `up`, "$UMW_WP_STATE/env" is a sourceable file with WP_DIR, URL, STORE, SOCKET, ... and
# "$UMW_WP_STATE/env.json" the same as JSON.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
S="${UMW_WP_STATE:-/tmp/umw-wp}"
if [[ -z "${UMW_EXT:-}" ]]; then
  if [[ -f "$REPO/target/release/libumw.so" ]]; then UMW_EXT="$REPO/target/release/libumw.so"
  elif [[ -f /tmp/umw-dist/libumw.so ]]; then UMW_EXT=/tmp/umw-dist/libumw.so
  else UMW_EXT=""; fi
fi
PLUGIN_DIR="${UMW_PLUGIN_DIR:-$REPO/php}"
HOST="${UMW_WP_HOST:-127.0.0.1}"   # any 127.x address: parallel environments use different ones
URL="http://$HOST"
DB_NAME=umw_wp DB_USER=umw_wp DB_PASS=umw-wp-db-pass
ADMIN_USER=admin ADMIN_PASS=admin-pass-123 ADMIN_EMAIL=admin@example.com
EDITOR_USER=editor1 EDITOR_PASS=editor-pass-123

log()  { printf '[env] %s\n' "$*" >&2; }
warn() { printf '[env] WARNING: %s\n' "$*" >&2; }
die()  { printf '[env] ERROR: %s\n' "$*" >&2; exit 1; }

# Something listening on 127.0.0.1:<port>? (bash /dev/tcp: no iproute2 needed)
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
port_free() { ! port_busy "$1"; }
http_code() { # http_code <url>  (curl if present, else php)
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1" || true
  else php -r '$c = stream_context_create(["http" => ["timeout" => 10, "ignore_errors" => true, "follow_location" => 0]]);
    @file_get_contents($argv[1], false, $c); preg_match("#^HTTP/\S+ (\d+)#", $http_response_header[0] ?? "", $m); echo $m[1] ?? "000";' "$1"; fi
}

wait_for() { # wait_for <seconds> <cmd...>
  local t=$(( $1 * 10 )); shift
  while (( t-- > 0 )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

kill_pidfile() { # kill_pidfile <file> <name>
  local f=$1 name=$2 pid
  [[ -f $f ]] || return 0
  pid=$(tr -dc 0-9 < "$f")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then warn "$name ($pid) did not stop, killing"; kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}

free_port_80() {
  port_busy 80 || return 0
  warn "$HOST:80 is busy; stopping a system nginx/apache2 if that is what holds it"
  local f pid
  for f in /run/nginx.pid /var/run/nginx.pid /run/apache2/apache2.pid /var/run/apache2/apache2.pid; do
    [[ -f $f ]] || continue
    pid=$(tr -dc 0-9 < "$f"); [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  # Never pkill by name: another environment (another UMW_WP_HOST) may be running beside this one.
  wait_for 5 port_free 80 || die "$HOST:80 is still busy (not by a system nginx/apache2 we could stop); set UMW_WP_HOST to another 127.x address"
}

stop_system_mariadb() {
  port_busy 3306 || return 0
  warn "port 3306 busy; stopping the system MariaDB"
  local f pid
  for f in /run/mysqld/mysqld.pid /var/run/mysqld/mysqld.pid; do
    [[ -f $f ]] || continue
    pid=$(tr -dc 0-9 < "$f"); [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  wait_for 10 port_free 3306 || { pkill -x mariadbd 2>/dev/null || true; pkill -x mysqld 2>/dev/null || true; }
}

cmd_down() {
  kill_pidfile "$S/nginx/nginx.pid" nginx
  kill_pidfile "$S/php/fpm.pid" php-fpm
  kill_pidfile "$S/mysql/mariadbd.pid" mariadbd
  # any stray receivers etc. the tests registered
  if [[ -d $S/pids ]]; then for f in "$S"/pids/*.pid; do [[ -e $f ]] && kill_pidfile "$f" "$(basename "$f" .pid)"; done; fi
  log "down"
}

cmd_status() {
  local ok=0 code
  code=$(http_code "$URL/wp-login.php")
  if [[ $code == 200 ]]; then log "wp-login.php: 200"; else log "wp-login.php: $code (want 200)"; ok=1; fi
  code=$(http_code "$URL/site2/")
  if [[ $code =~ ^(200|301|302)$ ]]; then log "/site2/: $code"; else log "/site2/: $code"; ok=1; fi
  if [[ -f $S/env ]]; then log "state: $S (source $S/env)"; fi
  return $ok
}

write_wp_config() { # write_wp_config <multisite 0|1>
  local ms=$1 f="$S/wordpress/wp-config.php"
  {
    cat <<PHP
<?php
// Generated by tests/wp/env.sh — throw-away test configuration.
define( 'DB_NAME', '$DB_NAME' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASS' );
define( 'DB_HOST', 'localhost:$S/mysql/mysqld.sock' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
PHP
    for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
      printf "define( '%s', '%s' );\n" "$k" "$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
    done
    cat <<PHP
\$table_prefix = 'wp_';
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$S/logs/wp-debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'SCRIPT_DEBUG', false );
define( 'FS_METHOD', 'direct' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );   // application passwords over plain http
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );   // never talk to anything but this machine
define( 'WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost,$HOST' );
define( 'WP_ALLOW_MULTISITE', true );
define( 'UMW_TEST_TOKEN', '$TEST_TOKEN' );   // test-only endpoint in mu-plugins/umw-test-env.php
PHP
    if [[ $ms == 1 ]]; then
      cat <<PHP
define( 'MULTISITE', true );
define( 'SUBDOMAIN_INSTALL', false );
define( 'DOMAIN_CURRENT_SITE', '$HOST' );
define( 'PATH_CURRENT_SITE', '/' );
define( 'SITE_ID_CURRENT_SITE', 1 );
define( 'BLOG_ID_CURRENT_SITE', 1 );
PHP
    fi
    cat <<PHP
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP
  } > "$f"
}

cmd_up() {
  local t0=$SECONDS
  cmd_down >/dev/null 2>&1 || true
  free_port_80
  stop_system_mariadb
  rm -rf "$S"
  mkdir -p "$S"/{mysql,php/cli.d,nginx/tmp,logs,pids,tmp}

  if [[ -n $UMW_EXT && -f $UMW_EXT ]]; then log "extension: $UMW_EXT"
  else warn "umw extension not found (UMW_EXT='${UMW_EXT}'); running WITHOUT it"; UMW_EXT=""; fi

  # ---------------------------------------------------------------- MariaDB
  log "mariadb: initialising datadir"
  mariadb-install-db --no-defaults --auth-root-authentication-method=normal --user=root \
      --datadir="$S/mysql/data" --skip-test-db > "$S/logs/mariadb-install.log" 2>&1 \
    || { cat "$S/logs/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
  mariadbd --no-defaults --user=root --datadir="$S/mysql/data" --socket="$S/mysql/mysqld.sock" \
      --pid-file="$S/mysql/mariadbd.pid" --skip-networking --log-error="$S/logs/mariadb.err" \
      --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --skip-log-bin \
      > /dev/null 2>&1 &
  disown || true
  wait_for 30 mariadb --no-defaults -S "$S/mysql/mysqld.sock" -uroot -e 'SELECT 1' \
    || { cat "$S/logs/mariadb.err" >&2; die "mariadbd did not come up"; }
  mariadb --no-defaults -S "$S/mysql/mysqld.sock" -uroot <<SQL
CREATE DATABASE $DB_NAME DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
  log "mariadb: up ($S/mysql/mysqld.sock)"

  # ---------------------------------------------------------------- WordPress files
  local W="$S/wordpress"
  mkdir -p "$W"
  # Resolve Debian's relative symlinks (js libraries etc.); skip the 30 MB of translations.
  local e
  for e in /usr/share/wordpress/* /usr/share/wordpress/.htaccess; do
    [[ $(basename "$e") == wp-content || $(basename "$e") == .htaccess ]] && continue
    cp -rL "$e" "$W/"
  done
  mkdir -p "$W/wp-content"/{plugins,mu-plugins,themes,uploads,languages}
  local src_wc=/usr/share/wordpress/wp-content
  [[ -d $src_wc/themes ]] && cp -rL "$src_wc/themes/." "$W/wp-content/themes/"
  [[ -f $src_wc/plugins/index.php ]] && cp -L "$src_wc/plugins/index.php" "$W/wp-content/plugins/"
  if [[ ! -d $W/wp-content/themes/twentytwentythree ]] && [[ -d /var/lib/wordpress/wp-content/themes ]]; then
    cp -rL /var/lib/wordpress/wp-content/themes/. "$W/wp-content/themes/" 2>/dev/null || true
  fi
  rm -f "$W/wp-config.php"
  cp "$HERE/lib/mu-test-env.php" "$W/wp-content/mu-plugins/umw-test-env.php"
  if [[ -d $PLUGIN_DIR ]]; then ln -sfn "$PLUGIN_DIR" "$W/wp-content/plugins/umw"
  else warn "plugin dir $PLUGIN_DIR does not exist"; fi
  TEST_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  write_wp_config 0

  # ---------------------------------------------------------------- PHP (fpm + cli)
  local STORE="$S/umw.sqlite" STORE_INI
  if [[ ${UMW_WP_STORE:-sqlite} == mysql ]]; then
    # Beside WordPress's own tables, in its database (they travel with its backups).
    STORE="mysql://$DB_USER:$DB_PASS@localhost/$DB_NAME?socket=$S/mysql/mysqld.sock"
  fi
  STORE_INI="\"$STORE\""   # quoted: a URL has characters php.ini treats as operators
  {
    cp /etc/php/8.2/fpm/php.ini /dev/stdout
    printf '\n; ---- umw test env ----\n'
    printf 'opcache.revalidate_freq=0\n'
    printf 'error_log=%s\n' "$S/logs/php-fpm-php.log"
    printf 'log_errors=On\n'
    printf 'sendmail_path=/bin/true\n'
    [[ -n $UMW_EXT ]] && printf 'extension=%s\n' "$UMW_EXT"
  } > "$S/php/php-fpm.ini"
  {
    printf 'memory_limit=512M\n'
    printf 'error_log=%s\n' "$S/logs/php-cli.log"
    printf 'sendmail_path=/bin/true\n'
    [[ -n $UMW_EXT ]] && printf 'extension=%s\n' "$UMW_EXT"
    if [[ -n $UMW_EXT ]]; then
      printf 'umw.store=%s\numw.spool_dir=%s\numw.allow_private_networks=1\numw.retry_schedule=1,2,4\n' "$STORE_INI" "$S/spool-a"
    fi
  } > "$S/php/cli.d/99-umw-test.ini"
  local umw_pool=""
  if [[ -n $UMW_EXT ]]; then
    umw_pool="php_admin_value[umw.store] = $STORE_INI
php_admin_flag[umw.allow_private_networks] = on
php_admin_value[umw.retry_schedule] = 1,2,4"
  fi
  local second_pool=""
  if [[ -n ${UMW_WP_SECOND_HOST:-} ]]; then
    # Another web server of the same network: its own processes and spool, the same store.
    second_pool="
[umw-b]
user = root
group = root
listen = $S/php/fpm-b.sock
listen.mode = 0666
pm = static
pm.max_children = 2
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
request_terminate_timeout = 120
${umw_pool:+$umw_pool
php_admin_value[umw.spool_dir] = $S/spool-b}"
  fi
  cat > "$S/php/php-fpm.conf" <<CONF
[global]
pid = $S/php/fpm.pid
error_log = $S/logs/php-fpm.log
daemonize = yes
log_level = notice

[umw]
user = root
group = root
listen = $S/php/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 4
clear_env = no
catch_workers_output = yes
decorate_workers_output = no
request_terminate_timeout = 120
$umw_pool
${umw_pool:+php_admin_value[umw.spool_dir] = $S/spool-a}
$second_pool
CONF
  php-fpm8.2 -t -R -c "$S/php/php-fpm.ini" -y "$S/php/php-fpm.conf" > "$S/logs/php-fpm-test.log" 2>&1 \
    || { cat "$S/logs/php-fpm-test.log" >&2; die "php-fpm config test failed"; }
  php-fpm8.2 -R -c "$S/php/php-fpm.ini" -y "$S/php/php-fpm.conf" \
    || { cat "$S/logs/php-fpm.log" >&2; die "php-fpm failed to start"; }
  wait_for 10 test -S "$S/php/fpm.sock" || die "php-fpm socket did not appear"
  log "php-fpm: up ($S/php/fpm.sock)"

  # ---------------------------------------------------------------- nginx
  # One web server: nginx on <address>:80 in front of the PHP-FPM pool at <socket>.
  server_block() {
    cat <<BLOCK
  server {
    listen $1:80 default_server;
    server_name $1 localhost;
    root $W;
    index index.php;
    # WordPress subdirectory multisite
    if (!-e \$request_filename) {
      rewrite /wp-admin\$ \$scheme://\$host\$request_uri/ permanent;
      rewrite ^(/[^/]+)?(/wp-.*) \$2 last;
      rewrite ^(/[^/]+)?(/.*\.php) \$2 last;
    }
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_param HTTP_AUTHORIZATION \$http_authorization;
      fastcgi_read_timeout 120s;
      fastcgi_pass unix:$2;
    }
    location ~ /\.ht { deny all; }
  }
BLOCK
  }
  cat > "$S/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
daemon on;
pid $S/nginx/nginx.pid;
error_log $S/logs/nginx-error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $S/logs/nginx-access.log;
  client_body_temp_path $S/nginx/tmp/body;
  proxy_temp_path $S/nginx/tmp/proxy;
  fastcgi_temp_path $S/nginx/tmp/fastcgi;
  uwsgi_temp_path $S/nginx/tmp/uwsgi;
  scgi_temp_path $S/nginx/tmp/scgi;
  sendfile on;
  client_max_body_size 16m;
  large_client_header_buffers 8 256k;
  fastcgi_buffers 16 64k;
  fastcgi_buffer_size 128k;
$(server_block "$HOST" "$S/php/fpm.sock")
$([[ -n ${UMW_WP_SECOND_HOST:-} ]] && server_block "$UMW_WP_SECOND_HOST" "$S/php/fpm-b.sock")
}
CONF
  nginx -e "$S/logs/nginx-error.log" -p "$S/nginx" -c "$S/nginx/nginx.conf" -t > "$S/logs/nginx-test.log" 2>&1 \
    || { cat "$S/logs/nginx-test.log" >&2; die "nginx config test failed"; }
  nginx -e "$S/logs/nginx-error.log" -p "$S/nginx" -c "$S/nginx/nginx.conf" || die "nginx failed to start"
  wait_for 10 test -s "$S/nginx/nginx.pid" || die "nginx pid file did not appear"
  log "nginx: up ($URL)"

  # ---------------------------------------------------------------- env file
  cat > "$S/env" <<ENVF
# generated by tests/wp/env.sh up
export UMW_WP_STATE='$S'
export WP_DIR='$W'
export WP_URL='$URL'
export UMW_WP_HOST='$HOST'
export UMW_WP_SECOND_HOST='${UMW_WP_SECOND_HOST:-}'
export UMW_WP_STORE='${UMW_WP_STORE:-sqlite}'
export URL='$URL'
export STORE='$STORE'
export UMW_STORE='$STORE'
export SOCKET='$S/mysql/mysqld.sock'
export DB_NAME='$DB_NAME' DB_USER='$DB_USER' DB_PASS='$DB_PASS'
export FPM_SOCKET='$S/php/fpm.sock'
export UMW_EXT='$UMW_EXT'
export UMW_PLUGIN_DIR='$PLUGIN_DIR'
export WP_ADMIN_USER='$ADMIN_USER' WP_ADMIN_PASS='$ADMIN_PASS' WP_ADMIN_EMAIL='$ADMIN_EMAIL'
export WP_EDITOR_USER='$EDITOR_USER' WP_EDITOR_PASS='$EDITOR_PASS'
export WP_SITE2_URL='$URL/site2'
export WP_DEBUG_LOG_FILE='$S/logs/wp-debug.log'
export WP_PHP='$HERE/wp-php.sh'
export UMW_TEST_TOKEN='$TEST_TOKEN'
ENVF

  # ---------------------------------------------------------------- install WordPress + network
  log "wordpress: installing"
  "$HERE/wp-php.sh" "$HERE/lib/install.php" single "$ADMIN_USER" "$ADMIN_PASS" "$ADMIN_EMAIL" \
    || die "wp_install failed"
  write_wp_config 1
  local plugin_file=""
  if [[ -f $PLUGIN_DIR/umw.php ]]; then plugin_file="umw/umw.php"
  else warn "$PLUGIN_DIR/umw.php does not exist yet: plugin NOT activated"; fi
  "$HERE/wp-php.sh" "$HERE/lib/install.php" network "$ADMIN_USER" "$ADMIN_PASS" "$ADMIN_EMAIL" \
      "$EDITOR_USER" "$EDITOR_PASS" "$plugin_file" \
    || die "network setup failed"
  echo "export UMW_PLUGIN_ACTIVE='$([[ -n $plugin_file ]] && echo 1 || echo 0)'" >> "$S/env"
  # JSON copy for node tests
  php -r '
    $out = [];
    foreach (file($argv[1]) as $l) {
      if (preg_match_all("/(\\w+)=\x27([^\x27]*)\x27/", $l, $m, PREG_SET_ORDER)) foreach ($m as $x) $out[$x[1]] = $x[2];
    }
    echo json_encode($out, JSON_PRETTY_PRINT|JSON_UNESCAPED_SLASHES), "\n";' "$S/env" > "$S/env.json"

  cmd_status >/dev/null 2>&1 || { cmd_status || true; die "status check failed after up"; }
  cat <<MSG
------------------------------------------------------------------
 WordPress multisite up in $((SECONDS - t0))s
   URL:            $URL/            (site 2: $URL/site2/)
   network admin:  $URL/wp-admin/network/   $ADMIN_USER / $ADMIN_PASS
   site-1 admin:   $EDITOR_USER / $EDITOR_PASS (not a super admin)
   umw store:      $STORE
   extension:      ${UMW_EXT:-<none>}
   php-cli:        $HERE/wp-php.sh script.php   (source $S/env)
   logs:           $S/logs/
------------------------------------------------------------------
MSG
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
