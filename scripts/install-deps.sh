#!/usr/bin/env bash
# Installs what building and testing umw needs, only when missing: Debian packages (PHP 8.2 with
# its headers, libclang for ext-php-rs's bindgen, the WordPress test stack, the benchmark tools)
# and cargo-php for stub generation. Safe to run repeatedly.
set -euo pipefail

packages=(php8.2-cli php8.2-dev libclang-dev clang php8.2-curl php8.2-mbstring php8.2-xml
          php8.2-mysql php8.2-fpm php8.2-sqlite3 mariadb-server nginx wordpress chromium phpunit
          wrk valgrind curl python3)
[ "${1:-}" = "--minimal" ] && packages=(php8.2-cli php8.2-dev libclang-dev clang python3)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--minimal" ] && ! command -v cargo-php >/dev/null 2>&1; then
  echo "install-deps: installing cargo-php (stub generator)"
  cargo install --quiet --locked cargo-php@0.2.2
fi
