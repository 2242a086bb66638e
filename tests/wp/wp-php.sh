#!/usr/bin/env bash
# Run php-cli against the test WordPress (tests/wp/env.sh up first):
#   tests/wp/wp-php.sh <script.php> [args...]
# Loads the umw extension with the same umw.* settings as php-fpm (same store file), sets HTTP_HOST=127.0.0.1
# so scripts can `require getenv('WP_DIR') . '/wp-load.php'`. Export REQUEST_URI=/site2/ to boot site 2
# (or call switch_to_blog(2)).
set -euo pipefail
S="${UMW_WP_STATE:-/tmp/umw-wp}"
[[ -d $S/php/cli.d ]] || { echo "wp-php.sh: $S not set up (run tests/wp/env.sh up)" >&2; exit 1; }
[[ -f $S/env ]] && source "$S/env"
export PHP_INI_SCAN_DIR="/etc/php/8.2/cli/conf.d:$S/php/cli.d"
export HTTP_HOST="${HTTP_HOST:-${UMW_WP_HOST:-127.0.0.1}}"
export SERVER_NAME="${SERVER_NAME:-${UMW_WP_HOST:-127.0.0.1}}"
export SERVER_PORT="${SERVER_PORT:-80}"
export REMOTE_ADDR="${REMOTE_ADDR:-127.0.0.1}"
export REQUEST_URI="${REQUEST_URI:-/}"
export WP_DIR="${WP_DIR:-$S/wordpress}"
exec php "$@"
