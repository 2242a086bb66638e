<?php
/**
 * Wires the plugin into WordPress. One job: decide what to load, and when.
 *
 * @package Umw
 */

namespace Umw;

defined( 'ABSPATH' ) || exit;

final class Plugin {

	/** Default capability for every screen, REST route and action (filter: umw_capability). */
	public const DEFAULT_CAPABILITY = 'manage_network_options';

	/** Text domain. */
	public const TEXT_DOMAIN = 'umw';

	private static bool $booted = false;

	/**
	 * Is the native extension loaded?
	 */
	public static function extension_loaded(): bool {
		// umw_rules() arrived with the API the screens use (counts, statistics, rules): an older
		// extension is treated as missing, so the notice asks for the update instead of a fatal.
		return function_exists( 'umw_emit' ) && function_exists( 'umw_rules' );
	}

	/**
	 * The capability required for everything the plugin offers.
	 */
	public static function capability(): string {
		$cap = apply_filters( 'umw_capability', self::DEFAULT_CAPABILITY );
		return is_string( $cap ) && '' !== $cap ? $cap : self::DEFAULT_CAPABILITY;
	}

	/**
	 * Can the current user manage webhooks?
	 */
	public static function current_user_can(): bool {
		return current_user_can( self::capability() );
	}

	public static function boot(): void {
		if ( self::$booted ) {
			return;
		}
		self::$booted = true;

		add_action( 'init', array( self::class, 'load_textdomain' ), 1 );

		$is_cli = defined( 'WP_CLI' ) && WP_CLI;

		if ( ! self::extension_loaded() ) {
			if ( is_admin() ) {
				Admin\MissingExtension::register();
			}
			if ( $is_cli ) {
				Cli\MissingExtensionCommand::register();
			}
			return;
		}

		Bridge\UltimateMultisite::register();
		Rest\Routes::register();
		Service\DisabledAlerts::register();

		if ( is_admin() ) {
			Admin\Admin::register();
		}
		if ( $is_cli ) {
			Cli\Commands::register();
		}
	}

	public static function load_textdomain(): void {
		load_plugin_textdomain( self::TEXT_DOMAIN, false, dirname( plugin_basename( UMW_PLUGIN_FILE ) ) . '/languages' );
	}
}
