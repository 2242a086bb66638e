#!/usr/bin/env bash
# Regenerates stubs/umw.stub.php from the extension (cargo-php reads the module description,
# which ext-php-rs exports from debug builds only). --check fails when the committed stub differs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --lib --quiet
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# Array shapes are written in each function's `# Returns` section; cargo-php prints them after
# the declared type (`@return array array{…}`), so they are moved into the type's place here.
cargo php stubs --stdout target/debug/libumw.so \
  | sed -E 's#^(\s+\* @return) array\|null ((array|list)[{<].*)$#\1 \2|null#; s#^(\s+\* @return) array ((array|list)[{<].*)$#\1 \2#' > "$tmp"
if [ "${1:-}" = "--check" ]; then
  if ! diff -u stubs/umw.stub.php "$tmp"; then
    echo "stubs/umw.stub.php is out of date: run scripts/stubs.sh"
    exit 1
  fi
  echo "stubs/umw.stub.php matches the build"
else
  cp "$tmp" stubs/umw.stub.php
  echo "wrote stubs/umw.stub.php"
fi
