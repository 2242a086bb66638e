<?php
/**
 * Ultimate Multisite bridge: every UM event (`wu_event`) is handed to umw_emit(), and UM's own
 * inline, blocking webhook sender (Webhook_Manager::send_webhooks on `wu_event_{slug}`) is removed.
 *
 * Filters:
 *  - umw_bridge_enabled (bool, default true): forward wu_event to umw at all.
 *  - umw_replace_um_sender (bool, default true): remove UM's own sender.
 *
 * @package Umw
 */

namespace Umw\Bridge;

defined( 'ABSPATH' ) || exit;

final class UltimateMultisite {

	/** Prefix of UM's per-event action names. */
	public const EVENT_HOOK_PREFIX = 'wu_event_';

	/** Callbacks removed: objects of a class named *Webhook_Manager with this method. */
	public const SENDER_METHOD = 'send_webhooks';

	public static function register(): void {
		add_action( 'wu_event', array( self::class, 'on_event' ), 10, 2 );
		// UM adds its listeners on init; remove them once everything else has run.
		add_action( 'init', array( self::class, 'remove_all_um_senders' ), PHP_INT_MAX - 10 );
		add_action( 'init', array( self::class, 'sync_event_types' ), PHP_INT_MAX - 10 );
		// And right before UM dispatches an event, in case its listeners were added late.
		add_action( 'wu_event', array( self::class, 'before_dispatch' ), -1000, 1 );
	}

	/**
	 * @param mixed $slug    event slug
	 * @param mixed $payload event payload
	 */
	public static function on_event( $slug = '', $payload = array() ): void {
		if ( ! apply_filters( 'umw_bridge_enabled', true ) || ! is_string( $slug ) || '' === $slug ) {
			return;
		}
		try {
			umw_emit( $slug, self::to_array( $payload ) );
		} catch ( \Throwable $e ) {
			// Never break the request that triggered the event.
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( sprintf( 'umw: could not emit Ultimate Multisite event "%s": %s', $slug, $e->getMessage() ) );
		}
	}

	/**
	 * @param mixed $slug event slug
	 */
	public static function before_dispatch( $slug = '' ): void {
		if ( is_string( $slug ) && '' !== $slug ) {
			self::remove_um_sender( self::EVENT_HOOK_PREFIX . $slug );
		}
	}

	/**
	 * `init` callback (do_action passes '' as first argument, so do not hand it through).
	 */
	public static function remove_all_um_senders(): void {
		self::remove_um_sender( null );
	}

	/**
	 * Remove UM's Webhook_Manager::send_webhooks from every `wu_event_*` action (or one hook).
	 *
	 * @param string|null $only_hook limit to one hook name
	 * @return int number of callbacks removed
	 */
	public static function remove_um_sender( $only_hook = null ): int {
		if ( ! apply_filters( 'umw_replace_um_sender', true ) || empty( $GLOBALS['wp_filter'] ) || ! is_array( $GLOBALS['wp_filter'] ) ) {
			return 0;
		}
		$removed = 0;
		$hooks   = is_string( $only_hook ) && '' !== $only_hook ? array( $only_hook ) : array_keys( $GLOBALS['wp_filter'] );
		foreach ( $hooks as $hook_name ) {
			if ( ! is_string( $hook_name ) || 0 !== strpos( $hook_name, self::EVENT_HOOK_PREFIX ) || ! isset( $GLOBALS['wp_filter'][ $hook_name ] ) ) {
				continue;
			}
			$hook = $GLOBALS['wp_filter'][ $hook_name ];
			if ( ! $hook instanceof \WP_Hook ) {
				continue;
			}
			foreach ( $hook->callbacks as $priority => $callbacks ) {
				foreach ( $callbacks as $entry ) {
					if ( self::is_um_sender( $entry['function'] ?? null ) ) {
						if ( remove_action( $hook_name, $entry['function'], $priority ) ) {
							++$removed;
						}
					}
				}
			}
		}
		return $removed;
	}

	/**
	 * Is this callback UM's Webhook_Manager::send_webhooks?
	 *
	 * @param mixed $callback a hook callback
	 */
	public static function is_um_sender( $callback ): bool {
		if ( ! is_array( $callback ) || 2 !== count( $callback ) ) {
			return false;
		}
		list( $target, $method ) = array_values( $callback );
		if ( ! is_string( $method ) || 0 !== strcasecmp( $method, self::SENDER_METHOD ) ) {
			return false;
		}
		$class = is_object( $target ) ? get_class( $target ) : ( is_string( $target ) ? ltrim( $target, '\\' ) : '' );
		$short = substr( (string) strrchr( '\\' . $class, '\\' ), 1 );
		return '' !== $short && 1 === preg_match( '/Webhook_Manager$/i', $short );
	}

	/**
	 * Register UM event types that the extension does not know yet (custom UM events).
	 */
	public static function sync_event_types(): void {
		if ( ! function_exists( 'wu_get_event_types' ) || ! function_exists( 'umw_register_event_type' ) ) {
			return;
		}
		try {
			$known = umw_event_types();
			foreach ( (array) wu_get_event_types() as $slug => $info ) {
				if ( ! is_string( $slug ) || isset( $known[ $slug ] ) ) {
					continue;
				}
				$info = (array) $info;
				umw_register_event_type(
					$slug,
					array(
						'label'       => wp_strip_all_tags( (string) ( $info['name'] ?? $slug ) ),
						'description' => wp_strip_all_tags( (string) ( $info['desc'] ?? '' ) ),
						'sample'      => self::to_array( $info['payload'] ?? array() ),
					)
				);
			}
		} catch ( \Throwable $e ) {
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( 'umw: could not register Ultimate Multisite event types: ' . $e->getMessage() );
		}
	}

	/**
	 * UM payloads are arrays, but may contain objects or be callables (lazy payloads).
	 *
	 * @param mixed $payload the payload
	 * @return array<mixed>
	 */
	private static function to_array( $payload ): array {
		if ( $payload instanceof \Closure ) {
			$payload = $payload();
		}
		if ( is_object( $payload ) ) {
			$payload = method_exists( $payload, 'to_array' ) ? $payload->to_array() : get_object_vars( $payload );
		}
		if ( ! is_array( $payload ) ) {
			return array();
		}
		// Round-trip through JSON so that nested objects become arrays.
		$json = wp_json_encode( $payload );
		$data = false === $json ? null : json_decode( $json, true );
		return is_array( $data ) ? $data : (array) $payload;
	}
}
