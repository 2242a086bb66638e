<?php
/**
 * The extension functions announced in the engine's API plan (umw_rules, umw_count_deliveries,
 * umw_delivery_stats, umw_prune, the test-skipping umw_replay), called as documented when the
 * loaded extension has them, and answered from the functions every 0.1 extension has otherwise.
 *
 * Every fallback lives in this one class so that it can be deleted in one go once the plugin
 * requires an extension that has them all. Nothing else in the plugin calls these functions.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Engine {

	/** umw_deliveries() returns at most this many rows per call. */
	private const PAGE = 1000;

	/** Retries stop after about 28 hours, so an attempt in a window belongs to a delivery created at most this long before it. */
	private const LONGEST_RETRY_SPAN = 2 * DAY_IN_SECONDS;

	/**
	 * The validation rules the extension applies (umw_rules()).
	 *
	 * @return array<string,mixed>
	 */
	public static function rules(): array {
		if ( function_exists( 'umw_rules' ) ) {
			return (array) umw_rules();
		}
		// The rules of extension 0.1.0 (src/engine/validate.rs, catalog.rs, signing.rs), which has no umw_rules().
		return array(
			'event_name_pattern'       => '^[A-Za-z0-9_.:/-]{1,100}$',
			'event_name_max_length'    => 100,
			'webhook_name_max_length'  => 191,
			'url_max_bytes'            => 2048,
			'url_schemes'              => array( 'http', 'https' ),
			'events_per_webhook_max'   => 100,
			'headers_max'              => 32,
			'header_name_max_bytes'    => 128,
			'header_value_max_bytes'   => 4096,
			'header_name_pattern'      => "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
			'reserved_headers'         => array( 'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-authorization', 'proxy-connection', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-umw-event' ),
			'reserved_header_prefixes' => array( 'proxy-' ),
			'secret_prefix'            => 'whsec_',
			'secret_min_bytes'         => 24,
			'secret_max_bytes'         => 64,
			'statuses'                 => array( 'pending', 'delivered', 'retrying', 'failed' ),
			'formats'                  => array( 'flat', 'envelope' ),
			'list_limit_max'           => 1000,
			'max_payload_bytes'        => (int) ( ini_get( 'umw.max_payload_bytes' ) ?: 1048576 ),
		);
	}

	/**
	 * Does the loaded extension have the delivery API of the plan (counts, stats, a replay that skips tests)?
	 */
	public static function has_delivery_api(): bool {
		return function_exists( 'umw_count_deliveries' );
	}

	/**
	 * umw_count_deliveries(): how many deliveries match the filter (umw_deliveries() keys minus limit/offset).
	 *
	 * @param array<string,mixed> $filter
	 */
	public static function count_deliveries( array $filter ): int {
		unset( $filter['limit'], $filter['offset'], $filter['with_payload'] );
		if ( self::has_delivery_api() ) {
			return (int) umw_count_deliveries( $filter );
		}
		$count = 0;
		self::each_delivery( $filter, static function () use ( &$count ): void {
			++$count;
		} );
		return $count;
	}

	/**
	 * umw_replay(): re-queue a webhook's failed deliveries since a time, leaving test sends alone.
	 */
	public static function replay( int $webhook_id, int $since ): int {
		if ( self::has_delivery_api() ) {
			return (int) umw_replay( $webhook_id, $since );
		}
		$ids = array();
		self::each_delivery(
			array(
				'webhook_id' => $webhook_id,
				'status'     => 'failed',
				'since'      => $since,
			),
			static function ( array $delivery ) use ( &$ids ): void {
				$ids[] = (string) $delivery['id'];
			}
		);
		// Collected first: re-queuing moves rows out of the "failed" pages being read.
		$queued = 0;
		foreach ( $ids as $id ) {
			$queued += umw_redeliver( $id ) ? 1 : 0;
		}
		return $queued;
	}

	/**
	 * umw_prune(): delete log rows older than the retention. No fallback: only the extension can delete.
	 *
	 * @param array{older_than_days?:int} $options
	 * @return array{deliveries:int,attempts:int,messages:int}
	 */
	public static function prune( array $options ): array {
		if ( ! function_exists( 'umw_prune' ) ) {
			throw new \RuntimeException(
				sprintf(
					/* translators: %s: extension version */
					__( 'Pruning needs a newer umw extension than %s (one with umw_prune()). Update the extension and try again.', 'umw' ),
					self::version()
				)
			);
		}
		return umw_prune( $options );
	}

	/**
	 * umw_delivery_stats(): attempts per time bucket by outcome, success rate, p50/p95 (test sends excluded).
	 *
	 * @param array{webhook_id?:int,since?:int,until?:int,bucket?:int} $options
	 * @return array{since:int,until:int,bucket_seconds:int,buckets:list<array<string,mixed>>,totals:array<string,mixed>}
	 */
	public static function delivery_stats( array $options ): array {
		if ( function_exists( 'umw_delivery_stats' ) ) {
			return umw_delivery_stats( $options );
		}
		$until  = (int) ( $options['until'] ?? time() );
		$since  = (int) ( $options['since'] ?? $until - 7 * DAY_IN_SECONDS );
		$bucket = max( 60, (int) ( $options['bucket'] ?? HOUR_IN_SECONDS ) );
		$since -= $since % $bucket;
		$count  = max( 1, (int) ceil( ( $until - $since ) / $bucket ) );

		$buckets   = array();
		$durations = array_fill( 0, $count, array() );
		for ( $i = 0; $i < $count; $i++ ) {
			$buckets[] = array(
				'start'     => $since + $i * $bucket,
				'delivered' => 0,
				'retrying'  => 0,
				'failed'    => 0,
				'attempts'  => 0,
			);
		}
		$filter = array( 'since' => max( 0, $since - self::LONGEST_RETRY_SPAN ) );
		if ( ! empty( $options['webhook_id'] ) ) {
			$filter['webhook_id'] = (int) $options['webhook_id'];
		}
		self::each_delivery(
			$filter,
			static function ( array $delivery ) use ( &$buckets, &$durations, $since, $until, $bucket ): void {
				if ( ! empty( $delivery['is_test'] ) ) {
					return;
				}
				$attempts = array_values( (array) ( $delivery['attempts'] ?? array() ) );
				$last     = count( $attempts ) - 1;
				foreach ( $attempts as $n => $attempt ) {
					$time = (float) ( $attempt['time'] ?? 0 );
					if ( $time < $since || $time >= $until ) {
						continue;
					}
					$i    = (int) floor( ( $time - $since ) / $bucket );
					$code = (int) ( $attempt['status_code'] ?? 0 );
					if ( $code >= 200 && $code < 300 ) {
						$outcome = 'delivered';
					} elseif ( $n === $last && 'failed' === $delivery['status'] ) {
						$outcome = 'failed';
					} else {
						$outcome = 'retrying';
					}
					++$buckets[ $i ][ $outcome ];
					++$buckets[ $i ]['attempts'];
					$durations[ $i ][] = (float) ( $attempt['duration_ms'] ?? 0 );
				}
			}
		);
		$totals = array(
			'delivered' => 0,
			'retrying'  => 0,
			'failed'    => 0,
			'attempts'  => 0,
		);
		foreach ( $buckets as $i => $row ) {
			$buckets[ $i ]['p50_ms'] = self::percentile( $durations[ $i ], 0.50 );
			$buckets[ $i ]['p95_ms'] = self::percentile( $durations[ $i ], 0.95 );
			foreach ( array_keys( $totals ) as $key ) {
				$totals[ $key ] += $row[ $key ];
			}
		}
		$all                    = array_merge( ...$durations );
		$totals['success_rate'] = $totals['attempts'] ? $totals['delivered'] / $totals['attempts'] : null;
		$totals['p50_ms']       = self::percentile( $all, 0.50 );
		$totals['p95_ms']       = self::percentile( $all, 0.95 );
		return array(
			'since'          => $since,
			'until'          => $until,
			'bucket_seconds' => $bucket,
			'buckets'        => $buckets,
			'totals'         => $totals,
		);
	}

	/**
	 * The extension's version (UMW_VERSION, else what umw_stats() reports).
	 */
	public static function version(): string {
		if ( defined( 'UMW_VERSION' ) ) {
			return (string) constant( 'UMW_VERSION' );
		}
		$version = phpversion( 'umw' );
		return is_string( $version ) ? $version : '0';
	}

	/**
	 * Nearest-rank percentile; null for no samples.
	 *
	 * @param list<float> $values
	 */
	public static function percentile( array $values, float $fraction ): ?float {
		if ( ! $values ) {
			return null;
		}
		sort( $values );
		$rank = (int) ceil( $fraction * count( $values ) );
		return round( (float) $values[ max( 0, min( count( $values ) - 1, $rank - 1 ) ) ], 3 );
	}

	/**
	 * Call $visit for every delivery matching a umw_deliveries() filter, a page at a time.
	 *
	 * @param array<string,mixed>        $filter
	 * @param callable(array):void       $visit
	 */
	private static function each_delivery( array $filter, callable $visit ): void {
		$filter['limit'] = self::PAGE;
		for ( $offset = 0; ; $offset += self::PAGE ) {
			$filter['offset'] = $offset;
			$rows             = umw_deliveries( $filter );
			foreach ( $rows as $row ) {
				$visit( $row );
			}
			if ( count( $rows ) < self::PAGE ) {
				return;
			}
		}
	}
}
