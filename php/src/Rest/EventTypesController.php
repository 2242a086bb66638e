<?php
/**
 * /umw/v1/event-types routes.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Events;

defined( 'ABSPATH' ) || exit;

final class EventTypesController {

	private Events $events;

	public function __construct( ?Events $events = null ) {
		$this->events = $events ?? new Events();
	}

	public function register_routes(): void {
		$perm = array( Routes::class, 'permission' );
		register_rest_route(
			Routes::NAMESPACE,
			'/event-types',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( $this, 'list' ),
				'permission_callback' => $perm,
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/event-types/(?P<name>[A-Za-z0-9][A-Za-z0-9_.:\-]*)',
			array(
				'methods'             => \WP_REST_Server::READABLE,
				'callback'            => array( $this, 'get' ),
				'permission_callback' => $perm,
			)
		);
	}

	public function list( \WP_REST_Request $request ) {
		return Routes::run( fn() => array_values( $this->events->types() ) );
	}

	public function get( \WP_REST_Request $request ) {
		return Routes::run( fn() => $this->events->get( (string) $request['name'] ) );
	}
}
