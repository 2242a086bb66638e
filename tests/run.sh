#!/usr/bin/env bash
# The test command (README: `make test`): installs what is missing, builds the extension, and runs
# every suite against the real php binary, real receivers on 127.0.0.1 and a real WordPress
# multisite. Prints one closing line: "suites: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

passed=0; failed=0; failures=()
suite() {
  local name=$1; shift
  echo; echo "=== $name: $*"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - started)) s)"
  fi
}

cargo build --release || { echo "build failed"; exit 1; }
export UMW_EXT="$PWD/target/release/libumw.so"

# A private MariaDB for the store contract suite's MySQL backend (unit) and the store-copy test
# (core); stopped however this script ends.
export UMW_MYSQL_STATE="${UMW_MYSQL_STATE:-$(mktemp -d /tmp/umw-mysql.XXXXXX)}"
trap 'bash tests/mysql/server.sh stop >/dev/null 2>&1' EXIT
if bash tests/mysql/server.sh start; then
  eval "$(bash tests/mysql/server.sh env)"
else
  echo "tests/mysql/server.sh start failed: the MySQL contract cases will fail"
fi
export UMW_REQUIRE_MYSQL=1

suite unit        cargo test --release --lib
suite core        cargo test --release --test core --test api --test store_migrate
suite changes     cargo test --release --test changes -- --test-threads=2
suite trust       cargo test --release --test trust -- --test-threads=2
suite faults      cargo test --release --test faults -- --test-threads=1
suite stubs       bash scripts/stubs.sh --check
suite wordpress   bash tests/wp/run.sh
# The same plugin over HTTP with umw's tables in WordPress's own MariaDB database and a second web
# server (its own PHP-FPM pool and spool) sharing them.
suite wordpress-mysql env UMW_WP_STORE=mysql UMW_WP_HOST=127.0.0.8 UMW_WP_SECOND_HOST=127.0.0.9 \
  UMW_WP_STATE=/tmp/umw-wp-mysql UMW_WP_ONLY=http bash tests/wp/run.sh
[ -f bench/run.sh ] && suite bench-smoke bash bench/run.sh --quick
# Last: it installs the package on this machine (and removes it again).
suite deb         bash tests/deb.sh

echo
[ ${#failures[@]} -gt 0 ] && echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
