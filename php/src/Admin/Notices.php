<?php
/**
 * Flash notices and one-shot values carried across Post/Redirect/Get, per user
 * (network transients keyed by user id).
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

final class Notices {

	private const TTL = 300;

	public static function success( string $message ): void {
		self::add( 'success', $message );
	}

	public static function error( string $message ): void {
		self::add( 'error', $message );
	}

	public static function warning( string $message ): void {
		self::add( 'warning', $message );
	}

	public static function add( string $type, string $message ): void {
		$key     = self::key( 'notices' );
		$notices = get_site_transient( $key );
		$notices = is_array( $notices ) ? $notices : array();
		$notices[] = array(
			'type'    => in_array( $type, array( 'success', 'error', 'warning', 'info' ), true ) ? $type : 'info',
			'message' => $message,
		);
		set_site_transient( $key, $notices, self::TTL );
	}

	/**
	 * Print and forget the queued notices. Messages are plain text (escaped here).
	 */
	public static function render(): void {
		$key     = self::key( 'notices' );
		$notices = get_site_transient( $key );
		delete_site_transient( $key );
		echo '<div id="umw-notices">';
		foreach ( is_array( $notices ) ? $notices : array() as $notice ) {
			printf(
				'<div class="notice notice-%1$s is-dismissible"><p>%2$s</p></div>',
				esc_attr( (string) $notice['type'] ),
				esc_html( (string) $notice['message'] )
			);
		}
		echo '</div>';
	}

	/**
	 * Store a value for this user to pick up once after the redirect.
	 */
	public static function put( string $name, mixed $value ): void {
		set_site_transient( self::key( $name ), $value, self::TTL );
	}

	/**
	 * Take (read and delete) a value stored with put().
	 */
	public static function take( string $name ): mixed {
		$key   = self::key( $name );
		$value = get_site_transient( $key );
		if ( false !== $value ) {
			delete_site_transient( $key );
		}
		return false === $value ? null : $value;
	}

	private static function key( string $name ): string {
		return 'umw_' . $name . '_' . get_current_user_id();
	}
}
