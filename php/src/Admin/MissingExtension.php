<?php
/**
 * Without the umw extension: a network-admin notice explaining how to install it, and the
 * plugin's screens (so bookmarks keep working) showing the same steps instead of a bare 403.
 * Notice markup: div.notice.notice-error#umw-missing-extension; screens: div#umw-missing-extension-page.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;

defined( 'ABSPATH' ) || exit;

final class MissingExtension {

	/** The installation guide online (a raw README.md in the plugin folder would be downloaded, not shown). */
	public const GUIDE_URL = 'https://github.com/umw/umw/blob/main/php/README.md#install';

	public static function register(): void {
		add_action( 'network_admin_notices', array( self::class, 'notice' ) );
		add_action( 'network_admin_menu', array( self::class, 'menu' ) );
		add_filter( 'network_admin_plugin_action_links_' . plugin_basename( UMW_PLUGIN_FILE ), array( self::class, 'plugin_links' ) );
		if ( ! is_multisite() ) {
			add_action( 'admin_notices', array( self::class, 'notice' ) );
		}
	}

	public static function menu(): void {
		$cap = Plugin::capability();
		add_menu_page( __( 'Webhooks', 'umw' ), __( 'Webhooks', 'umw' ), $cap, Admin::PAGE_WEBHOOKS, array( self::class, 'page' ), 'dashicons-rss', 30 );
		foreach ( array( Admin::PAGE_DASHBOARD, Admin::PAGE_DELIVERIES ) as $slug ) {
			add_submenu_page( '', __( 'Webhooks', 'umw' ), '', $cap, $slug, array( self::class, 'page' ) );
		}
	}

	/**
	 * @param array<string,string> $links
	 * @return array<string,string>
	 */
	public static function plugin_links( $links ): array {
		return array( 'umw-setup' => sprintf( '<a href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ), esc_html__( 'Set up the extension', 'umw' ) ) ) + (array) $links;
	}

	public static function notice(): void {
		if ( ! Plugin::current_user_can() || Admin::is_plugin_screen() ) {
			return;
		}
		echo '<div class="notice notice-error" id="umw-missing-extension">';
		self::steps();
		echo '</div>';
	}

	public static function page(): void {
		if ( ! Plugin::current_user_can() ) {
			Admin::forbid();
		}
		echo '<div class="wrap" id="umw-missing-extension-page"><h1>' . esc_html__( 'Webhooks', 'umw' ) . '</h1><div class="notice notice-error inline">';
		self::steps();
		echo '</div></div>';
	}

	private static function steps(): void {
		$ini = php_ini_loaded_file();
		printf(
			'<p><strong>%1$s</strong> %2$s</p><p><code>extension=/path/to/libumw.so</code><br /><code>umw.store=/var/lib/umw/umw.sqlite</code></p><p>%3$s</p><p>%4$s <a href="%5$s">%6$s</a></p>',
			esc_html__( 'umw — Native Webhooks needs the umw PHP extension.', 'umw' ),
			esc_html(
				sprintf(
					/* translators: 1: PHP version, 2: php.ini path */
					__( 'It is not loaded in this PHP (%1$s). Add these lines to %2$s (or a file in its conf.d directory), for PHP-FPM and for the command line (WP-CLI), then restart PHP-FPM / the web server:', 'umw' ),
					PHP_VERSION,
					$ini ? $ini : 'php.ini'
				)
			),
			esc_html__( 'The store directory must be writable by PHP and outside the web root. Check with: php -m | grep umw', 'umw' ),
			esc_html__( 'Until then no webhooks are delivered by umw.', 'umw' ),
			esc_url( self::GUIDE_URL ),
			esc_html__( 'Installation guide', 'umw' )
		);
	}
}
