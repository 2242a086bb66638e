<?php
/**
 * Whether umw sends a network's Ultimate Multisite events.
 *
 * On by default. Off (Network Admin → Webhooks → "Turn off", or the umw_bridge_enabled filter): umw leaves
 * UM's events alone and UM's own inline sender sends them exactly as before — nothing is lost either way.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Settings {

	/** Network option: 'off' turns the bridge off for that network. */
	public const OPTION = 'umw_um_bridge';

	public static function bridge_enabled( ?int $network_id = null ): bool {
		$network_id = $network_id ?? (int) get_current_network_id();
		$enabled    = 'off' !== get_network_option( $network_id, self::OPTION, 'on' );
		/**
		 * Filters whether umw sends Ultimate Multisite's events on a network.
		 *
		 * @param bool $enabled    on unless turned off in the admin
		 * @param int  $network_id the network
		 */
		return (bool) apply_filters( 'umw_bridge_enabled', $enabled, $network_id );
	}

	public static function set_bridge_enabled( int $network_id, bool $enabled ): void {
		update_network_option( $network_id, self::OPTION, $enabled ? 'on' : 'off' );
	}

	/**
	 * Whether UM's inline sender is taken over (default). False keeps UM sending too: every UM webhook then
	 * receives each event twice, once from UM and once from umw.
	 */
	public static function replace_um_sender(): bool {
		return (bool) apply_filters( 'umw_replace_um_sender', true );
	}

	public static function um_active(): bool {
		return function_exists( 'wu_get_event_types' ) && class_exists( '\WP_Ultimo', false );
	}

	public static function um_version(): string {
		return function_exists( 'wu_get_version' ) ? (string) wu_get_version() : '';
	}
}
