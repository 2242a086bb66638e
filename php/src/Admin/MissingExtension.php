<?php
/**
 * Without the umw extension: one network-admin notice explaining how to install it. Nothing else.
 * Notice markup: div.notice.notice-error#umw-missing-extension.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;

defined( 'ABSPATH' ) || exit;

final class MissingExtension {

	public static function register(): void {
		add_action( 'network_admin_notices', array( self::class, 'notice' ) );
		if ( ! is_multisite() ) {
			add_action( 'admin_notices', array( self::class, 'notice' ) );
		}
	}

	public static function notice(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		$ini = php_ini_loaded_file();
		printf(
			'<div class="notice notice-error" id="umw-missing-extension"><p><strong>%1$s</strong> %2$s</p><p><code>extension=/path/to/libumw.so</code></p><p>%3$s <a href="%4$s">%5$s</a></p></div>',
			esc_html__( 'umw — Native Webhooks needs the umw PHP extension.', 'umw' ),
			esc_html(
				sprintf(
					/* translators: 1: PHP version, 2: php.ini path */
					__( 'It is not loaded in this PHP (%1$s). Add this line to %2$s (or a file in the conf.d directory) and restart PHP-FPM / the web server:', 'umw' ),
					PHP_VERSION,
					$ini ? $ini : 'php.ini'
				)
			),
			esc_html__( 'Until then no webhooks are delivered by umw.', 'umw' ),
			esc_url( plugins_url( 'README.md', UMW_PLUGIN_FILE ) ),
			esc_html__( 'Installation instructions (README)', 'umw' )
		);
	}
}
