<?php
/**
 * /umw/v1/stats — the dashboard's numbers: attempts per bucket (delivered / retrying / failed),
 * success rate, p50/p95, for the network or one webhook. Same source as `wp umw stats`.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Stats;
use Umw\Service\Time;

defined( 'ABSPATH' ) || exit;

final class StatsController extends Controller {

	public function __construct() {
		parent::__construct();
		$this->rest_base = 'stats';
	}

	public function register_routes() {
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base,
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_item' ),
					'permission_callback' => array( $this, 'get_item_permissions_check' ),
					'args'                => array(
						'webhook_id' => array(
							'description' => __( 'One webhook instead of the whole network.', 'umw' ),
							'type'        => 'integer',
							'minimum'     => 1,
						),
						'days'       => array(
							'description' => __( 'How many days back from now.', 'umw' ),
							'type'        => 'integer',
							'minimum'     => 1,
							'maximum'     => Stats::MAX_DAYS,
							'default'     => Stats::DEFAULT_DAYS,
						),
						'bucket'     => array(
							'description' => __( 'Bucket size.', 'umw' ),
							'type'        => 'string',
							'enum'        => array_keys( Stats::BUCKETS ),
							'default'     => 'hour',
						),
					),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
	}

	public function get_item( $request ) {
		return self::run(
			function () use ( $request ) {
				$stats            = ( new Stats() )->get( $request['webhook_id'] ? (int) $request['webhook_id'] : null, (int) $request['days'], (string) $request['bucket'] );
				$stats['since']   = Time::iso( $stats['since'] );
				$stats['until']   = Time::iso( $stats['until'] );
				$stats['buckets'] = array_map(
					static function ( array $b ): array {
						$b['start'] = Time::iso( $b['start'] );
						return $b;
					},
					$stats['buckets']
				);
				return $stats;
			}
		);
	}

	protected function schema_title(): string {
		return 'umw_stats';
	}

	protected function schema_properties(): array {
		$number = array( 'type' => array( 'number', 'null' ) );
		$counts = array(
			'delivered' => array( 'type' => 'integer' ),
			'retrying'  => array( 'type' => 'integer' ),
			'failed'    => array( 'type' => 'integer' ),
			'attempts'  => array( 'type' => 'integer' ),
			'p50_ms'    => $number,
			'p95_ms'    => $number,
		);
		return array(
				'webhook_id'     => array( 'type' => array( 'integer', 'null' ) ),
				'since'          => array( 'type' => 'string', 'format' => 'date-time' ),
				'until'          => array( 'type' => 'string', 'format' => 'date-time' ),
				'bucket_seconds' => array( 'type' => 'integer' ),
				'buckets'        => array(
					'description' => __( 'Every bucket of the window, empty ones included; attempts counted by outcome.', 'umw' ),
					'type'        => 'array',
					'items'       => array(
						'type'       => 'object',
						'properties' => array( 'start' => array( 'type' => 'string', 'format' => 'date-time' ) ) + $counts,
					),
				),
				'totals'         => array(
					'type'       => 'object',
					'properties' => $counts + array( 'success_rate' => $number ),
				),
		);
	}
}
