#!/usr/bin/env bash
# Builds the Debian package (`make deb`): the extension, enabled for PHP-FPM and CLI by phpenmod;
# umw-agent with its systemd unit (installed disabled); /var/lib/umw for the store; the WordPress
# plugin under /usr/share/umw/wordpress/umw. The ini is generated from the extension's own
# settings table, so every setting, its default and what it does appear there.
#   scripts/build-deb.sh [outdir]     → <outdir>/umw_<version>_<arch>.deb (default target/deb)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/deb}"
cargo build --release --quiet
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
extdir=$(php-config8.2 --extension-dir)
root="$out/umw_${version}_${arch}"
rm -rf "$root"
install -d "$root/DEBIAN" "$root$extdir" "$root/usr/bin" "$root/etc/php/8.2/mods-available" \
    "$root/lib/systemd/system" "$root/usr/share/doc/umw" "$root/usr/share/umw/wordpress"
install -m 0644 target/release/libumw.so "$root$extdir/umw.so"
install -m 0755 target/release/umw-agent "$root/usr/bin/umw-agent"
# Debug information is most of their size; the package ships without it.
strip --strip-debug "$root$extdir/umw.so" "$root/usr/bin/umw-agent"
install -m 0644 packaging/umw-agent.service "$root/lib/systemd/system/umw-agent.service"
install -m 0644 README.md "$root/usr/share/doc/umw/README.md"
cp -r php "$root/usr/share/umw/wordpress/umw"
printf 'umw %s\nLicense: MIT (extension, agent); GPL-2.0-or-later (WordPress plugin)\n' "$version" \
    > "$root/usr/share/doc/umw/copyright"
php -n -d extension="$PWD/target/release/libumw.so" -r '
echo "; umw: native webhooks for WordPress multisite (see /usr/share/doc/umw/README.md)\n";
echo "; priority=50\nextension=umw.so\n\n";
echo "; Settings are read once per process. Uncomment to change; under PHP-FPM a pool can set\n";
echo "; them too (php_admin_value[umw.…]). umw-agent reads this file as well.\n\n";
foreach (umw_rules()["settings"] as $s) {
    echo "; ", wordwrap($s["doc"], 96, "\n; "), "\n";
    $line = $s["name"] . "=" . $s["default"];
    echo $s["name"] === "umw.store" ? $line : ";" . $line, "\n\n";
}' > "$root/etc/php/8.2/mods-available/umw.ini"
install -m 0755 packaging/postinst packaging/prerm packaging/postrm "$root/DEBIAN/"
echo "/etc/php/8.2/mods-available/umw.ini" > "$root/DEBIAN/conffiles"
size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: umw
Version: $version
Architecture: $arch
Maintainer: umw <umw@localhost>
Installed-Size: $size
Depends: php8.2-common, libc6
Recommends: php8.2-fpm | php8.2-cli
Section: php
Priority: optional
Homepage: https://github.com/umw/umw
Description: native webhooks for WordPress multisite (PHP extension and delivery agent)
 umw delivers webhooks from a native PHP extension: the request that fires an event pays
 microseconds; every event is kept in a durable outbox (SQLite, or MySQL/MariaDB for networks
 of several web servers), delivered at least once with retries, signed with Standard Webhooks
 signatures and never sent to internal addresses. umw-agent delivers for all PHP-FPM workers
 of a host when umw.delivery=agent. The WordPress network plugin is in /usr/share/umw/wordpress.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/umw_${version}_${arch}.deb" >/dev/null
echo "$out/umw_${version}_${arch}.deb"
