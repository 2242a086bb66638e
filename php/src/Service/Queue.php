<?php
/**
 * Queue status and foreground work.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Queue {

	/**
	 * @return array<string,mixed>
	 */
	public function status(): array {
		return umw_stats();
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
