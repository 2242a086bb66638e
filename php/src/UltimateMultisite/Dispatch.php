<?php
/**
 * One UM event, from `wu_event` to `wu_event_{slug}` (UM's Event_Manager::do_event fires them in that order):
 *  1. prepare (wu_event, priority -1000): bring umw's copies of this network's UM webhooks in step with
 *     UM's table, and make sure UM's sender on `wu_event_{slug}` is behind a SenderProxy;
 *  2. emit (wu_event, 10): hand UM's payload to umw_emit unchanged (one encode, objects stay objects), scoped
 *     to the network; count the event on the UM webhooks umw sends it to, as UM would;
 *  3. the SenderProxy (wu_event_{slug}) asks `take()` what is left for UM's own sender.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Dispatch {

	/** @var array<string,SyncResult|false> slug => the sync made for the event being dispatched (false: failed) */
	private static array $prepared = array();

	/** @var array<string,list<list<int>>> slug => per event umw took, the UM ids left to UM's sender */
	private static array $taken = array();

	/**
	 * @param mixed $slug the event
	 */
	public static function prepare( $slug ): void {
		if ( ! is_string( $slug ) || '' === $slug ) {
			return;
		}
		unset( self::$prepared[ $slug ] );
		$network_id = (int) get_current_network_id();
		if ( ! Settings::bridge_enabled( $network_id ) ) {
			return;
		}
		Takeover::replace( Takeover::EVENT_HOOK_PREFIX . $slug );
		self::$prepared[ $slug ] = self::sync( $network_id ) ?? false;
	}

	/**
	 * Sync one network, recording the outcome; null when it failed (logged, shown in the admin).
	 */
	public static function sync( int $network_id ): ?SyncResult {
		try {
			$result = ( new Mirror() )->sync( $network_id );
			if ( $result->table_exists ) {
				Status::record( $result );
			}
			return $result;
		} catch ( \Throwable $e ) {
			Status::record_failure( $network_id, $e->getMessage() );
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( sprintf( 'umw: could not sync Ultimate Multisite webhooks of network %d: %s', $network_id, $e->getMessage() ) );
			return null;
		}
	}

	/**
	 * @param mixed $slug    the event
	 * @param mixed $payload UM's payload, `wu_version` last
	 */
	public static function emit( $slug, $payload ): void {
		if ( ! is_string( $slug ) || '' === $slug || ! array_key_exists( $slug, self::$prepared ) ) {
			return;
		}
		$result = self::$prepared[ $slug ];
		unset( self::$prepared[ $slug ] );
		if ( ! is_array( $payload ) ) {
			// Not a UM payload (UM's do_event always passes an array): UM's sender handles it as UM would.
			return;
		}
		$network_id = (int) get_current_network_id();
		try {
			// Network 1 is the extension's default: no option needed there.
			$message_id = 1 === $network_id ? umw_emit( $slug, $payload ) : umw_emit( $slug, $payload, array( 'network_id' => $network_id ) );
		} catch ( \Throwable $e ) {
			// umw could not take it: UM's own sender sends it, as if umw were not there.
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( sprintf( 'umw: could not emit Ultimate Multisite event "%s", left to Ultimate Multisite: %s', $slug, $e->getMessage() ) );
			return;
		}
		// A failed sync means UM's table or umw's store could not be read; umw took the event for its copies
		// as they were, and UM's sender (which reads the same table) has nothing more to send.
		self::$taken[ $slug ][] = $result ? $result->for_um_sender( $slug ) : array();
		if ( $result ) {
			UmRecords::record( $result, $slug, (string) $message_id );
		}
	}

	/**
	 * For the SenderProxy: the UM ids UM's sender must still send this event to, or null when umw did not
	 * take the event (then UM's sender sends it in full).
	 *
	 * @return list<int>|null
	 */
	public static function take( string $slug ): ?array {
		if ( empty( self::$taken[ $slug ] ) ) {
			return null;
		}
		$left = array_shift( self::$taken[ $slug ] );
		if ( ! self::$taken[ $slug ] ) {
			unset( self::$taken[ $slug ] );
		}
		return $left;
	}
}
