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
		$status = array(
			'version'  => (string) ( $stats['version'] ?? Engine::version() ),
			'store'    => is_array( $stats['store'] ?? null ) ? (string) ( $stats['store']['location'] ?? '' ) : (string) ( $stats['store'] ?? '' ),
			'webhooks' => (int) ( $counts['webhooks'] ?? 0 ),
			'pending'  => (int) ( $counts['pending'] ?? 0 ),
			'retrying' => (int) ( $counts['retrying'] ?? 0 ),
			'delivered' => (int) ( $counts['delivered'] ?? 0 ),
			'failed'   => (int) ( $counts['failed'] ?? 0 ),
		);
		$backlog                     = (array) ( $stats['backlog'] ?? array() );
		$status['backlog']           = (int) ( $backlog['due'] ?? ( $status['pending'] + $status['retrying'] ) );
		$status['oldest_backlog_at'] = isset( $backlog['oldest_created_at'] ) ? (int) $backlog['oldest_created_at'] : $this->oldest_backlog_at();
		$delivery                    = (array) ( $stats['delivery'] ?? array() );
		$status['delivery_mode']     = (string) ( $delivery['mode'] ?? 'embedded' );
		$status['runtime']           = (string) ( $stats['runtime'] ?? '' );
		$status['store_errors']      = (int) ( $stats['store_errors'] ?? 0 );
		$status['last_error']        = $stats['last_error'] ?? null;
		return $status;
	}

	/**
	 * Created time of the oldest delivery still waiting (pending or retrying), or null.
	 */
	private function oldest_backlog_at(): ?int {
		$oldest = null;
		foreach ( array( 'pending', 'retrying' ) as $status ) {
			$count = Engine::count_deliveries( array( 'status' => $status ) );
			if ( ! $count ) {
				continue;
			}
			// Newest first: the oldest is the last row.
			$rows = umw_deliveries( array( 'status' => $status, 'limit' => 1, 'offset' => $count - 1 ) );
			if ( $rows ) {
				$created = (int) $rows[0]['created_at'];
				$oldest  = null === $oldest ? $created : min( $oldest, $created );
			}
		}
		return $oldest;
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
