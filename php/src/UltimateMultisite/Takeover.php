<?php
/**
 * Finds UM's inline sender on `wu_event_*` hooks and puts a SenderProxy in its place (same priority).
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Takeover {

	/** Prefix of UM's per-event action names (Event_Manager::do_event fires "wu_event_{$slug}"). */
	public const EVENT_HOOK_PREFIX = 'wu_event_';

	/** UM's sender: a method of this name on an object of a class named *Webhook_Manager. */
	public const SENDER_METHOD = 'send_webhooks';

	/**
	 * Replace UM's sender on every `wu_event_*` hook (or on one).
	 *
	 * @return int how many were replaced
	 */
	public static function replace( ?string $only_hook = null ): int {
		if ( ! Settings::replace_um_sender() || empty( $GLOBALS['wp_filter'] ) || ! is_array( $GLOBALS['wp_filter'] ) ) {
			return 0;
		}
		$replaced = 0;
		$hooks    = null !== $only_hook ? array( $only_hook ) : array_keys( $GLOBALS['wp_filter'] );
		foreach ( $hooks as $hook_name ) {
			if ( ! is_string( $hook_name ) || 0 !== strpos( $hook_name, self::EVENT_HOOK_PREFIX ) ) {
				continue;
			}
			$hook = $GLOBALS['wp_filter'][ $hook_name ] ?? null;
			if ( ! $hook instanceof \WP_Hook ) {
				continue;
			}
			foreach ( $hook->callbacks as $priority => $callbacks ) {
				foreach ( $callbacks as $entry ) {
					$callback = $entry['function'] ?? null;
					if ( self::is_um_sender( $callback ) && remove_action( $hook_name, $callback, $priority ) ) {
						add_action( $hook_name, array( new SenderProxy( $callback ), 'send' ), $priority, 1 );
						++$replaced;
					}
				}
			}
		}
		return $replaced;
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
}
