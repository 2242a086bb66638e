<?php
/**
 * /umw/v1/deliveries routes (see Routes for the list).
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Deliveries;

defined( 'ABSPATH' ) || exit;

final class DeliveriesController {

	public const ID_PATTERN = 'dlv_[A-Za-z0-9]+';

	private Deliveries $deliveries;

	public function __construct( ?Deliveries $deliveries = null ) {
		$this->deliveries = $deliveries ?? new Deliveries();
	}

	public function register_routes(): void {
		$perm = array( Routes::class, 'permission' );
		register_rest_route(
			Routes::NAMESPACE,
			'/deliveries',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( $this, 'list' ),
				'permission_callback' => $perm,
				'args'                => array(
					'webhook_id' => array( 'type' => 'integer' ),
					'event'      => array( 'type' => 'string' ),
					'status'     => array(
						'type' => 'string',
						'enum' => Deliveries::STATUSES,
					),
					'message_id' => array( 'type' => 'string' ),
					'since'      => array( 'type' => array( 'integer', 'string' ) ),
					'limit'      => array(
						'type'    => 'integer',
						'minimum' => 1,
						'maximum' => Deliveries::MAX_LIMIT,
						'default' => 50,
					),
					'offset'     => array(
						'type'    => 'integer',
						'minimum' => 0,
						'default' => 0,
					),
				),
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/deliveries/(?P<id>' . self::ID_PATTERN . ')',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get' ),
				'permission_callback' => $perm,
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/deliveries/(?P<id>' . self::ID_PATTERN . ')/resend',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'resend' ),
				'permission_callback' => $perm,
			)
		);
	}

	public function list( \WP_REST_Request $request ) {
		return Routes::run(
			function () use ( $request ) {
				$filter = array();
				foreach ( array( 'webhook_id', 'event', 'status', 'message_id', 'since', 'limit', 'offset' ) as $key ) {
					if ( null !== $request[ $key ] ) {
						$filter[ $key ] = $request[ $key ];
					}
				}
				return $this->deliveries->list( $filter );
			}
		);
	}

	public function get( \WP_REST_Request $request ) {
		return Routes::run( fn() => $this->deliveries->get( (string) $request['id'] ) );
	}

	public function resend( \WP_REST_Request $request ) {
		return Routes::run(
			fn() => array(
				'id'     => (string) $request['id'],
				'queued' => $this->deliveries->resend( (string) $request['id'] ),
			)
		);
	}
}
