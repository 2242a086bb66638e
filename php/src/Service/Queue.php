<?php
/**
 * Queue status (the store's, not this process's) and foreground work.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Queue {

	/**
	 * The store-wide picture, one flat level: what `wp umw queue status --field=…` and Site Health read.
	 *
	 * @return array<string,mixed>
	 */
	public function status(): array {
		$stats  = umw_stats();
		$counts = (array) ( $stats['store_counts'] ?? array() );
		$store  = (array) ( $stats['store'] ?? array() );
		$status = array(
			'version'        => Engine::version(),
			'store'          => (string) ( $store['location'] ?? '' ),
			'store_backend'  => (string) ( $store['backend'] ?? '' ),
			'schema_version' => (int) ( $store['schema_version'] ?? 0 ),
			'webhooks'       => (int) ( $counts['webhooks'] ?? 0 ),
			'pending'        => (int) ( $counts['pending'] ?? 0 ),
			'retrying'       => (int) ( $counts['retrying'] ?? 0 ),
			'delivered'      => (int) ( $counts['delivered'] ?? 0 ),
			'failed'         => (int) ( $counts['failed'] ?? 0 ),
		);
		$backlog                     = (array) ( $stats['backlog'] ?? array() );
		$status['backlog']           = (int) ( $backlog['due'] ?? 0 );
		$status['oldest_backlog_at'] = isset( $backlog['oldest_created_at'] ) ? (int) $backlog['oldest_created_at'] : null;
		$delivery                    = (array) ( $stats['delivery'] ?? array() );
		$status['delivery_mode']     = (string) ( $delivery['mode'] ?? 'embedded' );
		$status['runtime']           = (string) ( $stats['runtime'] ?? '' );
		$status['store_errors']      = (int) ( $stats['store_errors'] ?? 0 );
		$status['last_error']        = $stats['last_error'] ?? null;
		return $status;
	}

	/**
	 * Run due deliveries in the foreground.
	 *
	 * @return array{attempted:int,delivered:int,failed:int,retrying:int,remaining:int}
	 */
	public function work( float $seconds = 0.0 ): array {
		if ( $seconds < 0 ) {
			throw new \ValueError( __( 'Seconds must be 0 or more.', 'umw' ) );
		}
		return umw_work( $seconds );
	}

	public function flush( float $timeout = 5.0 ): bool {
		return (bool) umw_flush( $timeout );
	}
}
