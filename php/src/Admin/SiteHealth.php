<?php
/**
 * Tools → Site Health: five umw tests (extension, store, backlog, webhooks, delivery worker) and
 * a "umw — Native Webhooks" section on the Info tab. Test ids: umw_extension, umw_store,
 * umw_backlog, umw_webhooks, umw_worker.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Engine;
use Umw\Service\Queue;
use Umw\Service\Stats;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class SiteHealth {

	/** A backlog older than this is worth a look; older than CRITICAL_AGE, something is stuck. */
	public const SLOW_AGE     = 15 * MINUTE_IN_SECONDS;
	public const CRITICAL_AGE = 6 * HOUR_IN_SECONDS;

	public static function register(): void {
		add_filter( 'site_status_tests', array( self::class, 'tests' ) );
		add_filter( 'debug_information', array( self::class, 'info' ) );
	}

	/**
	 * @param array<string,array<string,mixed>> $tests
	 * @return array<string,array<string,mixed>>
	 */
	public static function tests( $tests ): array {
		$tests = (array) $tests;
		foreach ( array(
			'umw_extension' => __( 'umw extension', 'umw' ),
			'umw_store'     => __( 'umw store', 'umw' ),
			'umw_backlog'   => __( 'umw delivery backlog', 'umw' ),
			'umw_webhooks'  => __( 'umw webhooks', 'umw' ),
			'umw_worker'    => __( 'umw delivery worker', 'umw' ),
		) as $id => $label ) {
			$tests['direct'][ $id ] = array(
				'label' => $label,
				'test'  => array( SiteHealthChecks::class, substr( $id, 4 ) ),
			);
		}
		return $tests;
	}

	/**
	 * The Info tab section (copied into support requests: the store path is marked private).
	 *
	 * @param array<string,array<string,mixed>> $info
	 * @return array<string,array<string,mixed>>
	 */
	public static function info( $info ): array {
		$info   = (array) $info;
		$fields = array(
			'extension' => array(
				'label' => __( 'Extension version', 'umw' ),
				'value' => Engine::version(),
			),
			'plugin'    => array(
				'label' => __( 'Plugin version', 'umw' ),
				'value' => UMW_PLUGIN_VERSION,
			),
		);
		try {
			$status = ( new Queue() )->status();
			$counts = ( new Webhooks() )->view_counts();
			$totals = ( new Stats() )->get()['totals'];
			$fields += array(
				'store'         => array(
					'label'   => __( 'Store', 'umw' ),
					'value'   => $status['store'],
					'private' => true,
				),
				'delivery_mode' => array(
					'label' => __( 'Delivery mode', 'umw' ),
					'value' => $status['delivery_mode'],
				),
				'webhooks'      => array(
					'label' => __( 'Webhooks', 'umw' ),
					/* translators: 1: all, 2: active, 3: inactive, 4: disabled */
					'value' => sprintf( __( '%1$d (%2$d active, %3$d inactive, %4$d disabled)', 'umw' ), $counts['all'], $counts['active'], $counts['inactive'], $counts['disabled'] ),
					'debug' => wp_json_encode( $counts ),
				),
				'queue'         => array(
					'label' => __( 'Deliveries waiting', 'umw' ),
					'value' => sprintf(
						/* translators: 1: pending, 2: retrying, 3: failed */
						__( '%1$d pending, %2$d retrying (%3$d failed for good)', 'umw' ),
						$status['pending'],
						$status['retrying'],
						$status['failed']
					),
				),
				'last_7_days'   => array(
					'label' => __( 'Last 7 days', 'umw' ),
					'value' => sprintf(
						/* translators: 1: attempts, 2: success rate, 3: p50, 4: p95 */
						__( '%1$d attempts, %2$s delivered, p50 %3$s, p95 %4$s', 'umw' ),
						$totals['attempts'],
						Stats::format_rate( $totals['success_rate'] ),
						Stats::format_ms( $totals['p50_ms'] ),
						Stats::format_ms( $totals['p95_ms'] )
					),
				),
			);
		} catch ( \Throwable $e ) {
			$fields['error'] = array(
				'label' => __( 'Error', 'umw' ),
				'value' => $e->getMessage(),
			);
		}
		foreach ( array( 'umw.retry_schedule', 'umw.timeout_ms', 'umw.durable_emit', 'umw.allow_private_networks', 'umw.allowed_networks', 'umw.disable_after_hours', 'umw.max_payload_bytes' ) as $setting ) {
			$value = ini_get( $setting );
			if ( false !== $value ) {
				$fields[ $setting ] = array(
					'label' => $setting,
					'value' => '' === $value ? __( '(default)', 'umw' ) : $value,
				);
			}
		}
		$info['umw'] = array(
			'label'       => __( 'umw — Native Webhooks', 'umw' ),
			'description' => __( 'The umw extension, its store and how deliveries went.', 'umw' ),
			'fields'      => $fields,
		);
		return $info;
	}
}
