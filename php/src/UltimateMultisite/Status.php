<?php
/**
 * The last sync's findings per network, for the admin box, Site Health and WP-CLI. Written only when they
 * change, so a sync before every event costs no write.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Status {

	/** Network option (per network). */
	public const OPTION = 'umw_um_status';

	public static function record( SyncResult $result ): void {
		$summary  = $result->summary();
		$previous = get_network_option( $result->network_id, self::OPTION, array() );
		$compare  = is_array( $previous ) ? $previous : array();
		unset( $compare['changed_at'] );
		if ( $compare === $summary ) {
			return;
		}
		$summary['changed_at'] = time();
		update_network_option( $result->network_id, self::OPTION, $summary );
	}

	public static function record_failure( int $network_id, string $message ): void {
		$status = self::get( $network_id ) ?? array( 'network_id' => $network_id );
		if ( ( $status['error'] ?? null ) === $message ) {
			return;
		}
		$status['error']      = $message;
		$status['changed_at'] = time();
		update_network_option( $network_id, self::OPTION, $status );
	}

	/**
	 * @return array<string,mixed>|null
	 */
	public static function get( int $network_id ): ?array {
		$status = get_network_option( $network_id, self::OPTION, null );
		return is_array( $status ) ? $status : null;
	}
}
