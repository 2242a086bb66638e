<?php
/**
 * Plugin Name: umw — Native Webhooks
 * Plugin URI:  https://github.com/umw/umw
 * Description: Durable, signed, asynchronous webhooks for WordPress multisite and Ultimate Multisite, delivered by the native umw PHP extension.
 * Version:     0.1.0
 * Requires at least: 6.1
 * Requires PHP: 8.1
 * Network:     true
 * Text Domain: umw
 * Domain Path: /languages
 * License:     GPL-2.0-or-later
 *
 * Install: copy this folder to wp-content/plugins/umw/ and network-activate it, or copy it to
 * wp-content/mu-plugins/umw/ and add wp-content/mu-plugins/umw-loader.php containing
 * `<?php require __DIR__ . '/umw/umw.php';`. The umw PHP extension (libumw.so) does the work;
 * without it this plugin only shows a network-admin notice explaining how to install it.
 *
 * @package Umw
 */

defined( 'ABSPATH' ) || exit;

// Loaded twice (e.g. as plugin and as mu-plugin)? Keep the first copy.
if ( defined( 'UMW_PLUGIN_FILE' ) ) {
	return;
}

define( 'UMW_PLUGIN_FILE', __FILE__ );
define( 'UMW_PLUGIN_DIR', __DIR__ );
define( 'UMW_PLUGIN_VERSION', '0.1.0' );

if ( PHP_VERSION_ID < 80100 ) {
	// Nothing below may even be parsed on older PHP; bail quietly.
	return;
}

require_once __DIR__ . '/src/autoload.php';

\Umw\Plugin::boot();
