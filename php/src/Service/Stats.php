<?php
/**
 * Delivery statistics for the dashboard, `wp umw stats` and GET /umw/v1/stats: attempts per
 * bucket (delivered / retrying / failed), success rate, p50/p95 response time. One source, so
 * the three show the same numbers.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Stats {

	public const DEFAULT_DAYS = 7;
	public const MAX_DAYS     = 90;

	/** Bucket names people and flags use => seconds. */
	public const BUCKETS = array(
		'hour' => HOUR_IN_SECONDS,
		'day'  => DAY_IN_SECONDS,
	);

	/**
	 * @param int|null $webhook_id null = the whole network
	 * @param int      $days       how far back from now
	 * @param string   $bucket     hour|day
	 * @param int|null $until      end of the window (unix), default now
	 * @return array{since:int,until:int,bucket_seconds:int,buckets:list<array<string,mixed>>,totals:array<string,mixed>,webhook_id:?int}
	 */
	public function get( ?int $webhook_id = null, int $days = self::DEFAULT_DAYS, string $bucket = 'hour', ?int $until = null ): array {
		if ( $days < 1 || $days > self::MAX_DAYS ) {
			/* translators: %d: maximum number of days */
			throw new \ValueError( sprintf( __( 'Days must be between 1 and %d.', 'umw' ), self::MAX_DAYS ) );
		}
		if ( ! isset( self::BUCKETS[ $bucket ] ) ) {
			/* translators: %s: allowed bucket names */
			throw new \ValueError( sprintf( __( 'Bucket must be one of: %s.', 'umw' ), implode( ', ', array_keys( self::BUCKETS ) ) ) );
		}
		$options = array(
			'until'  => $until ?? time(),
			'bucket' => self::BUCKETS[ $bucket ],
		);
		// Whole buckets: the window ends with the current one (its last second) and starts on a boundary.
		$end              = (int) ( ceil( ( $options['until'] + 1 ) / $options['bucket'] ) * $options['bucket'] );
		$options['until'] = $end - 1;
		$options['since'] = $end - $days * DAY_IN_SECONDS;
		if ( null !== $webhook_id ) {
			( new Webhooks() )->get( $webhook_id );
			$options['webhook_id'] = $webhook_id;
		}
		$stats               = umw_delivery_stats( $options );
		$stats['webhook_id'] = $webhook_id;
		return $stats;
	}

	/**
	 * "98.5 %" / "—"
	 */
	public static function format_rate( ?float $rate ): string {
		return null === $rate ? '—' : number_format_i18n( $rate * 100, 1 ) . ' %';
	}

	/**
	 * "12 ms" / "1.2 s" / "—"
	 */
	public static function format_ms( ?float $ms ): string {
		if ( null === $ms ) {
			return '—';
		}
		/* translators: %s: number of milliseconds */
		return $ms >= 1000 ? sprintf( __( '%s s', 'umw' ), number_format_i18n( $ms / 1000, 2 ) ) : sprintf( __( '%s ms', 'umw' ), number_format_i18n( $ms, $ms < 10 ? 1 : 0 ) );
	}
}
