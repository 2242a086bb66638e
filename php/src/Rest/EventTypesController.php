<?php
/**
 * /umw/v1/event-types — the event catalog with sample payloads.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Events;

defined( 'ABSPATH' ) || exit;

final class EventTypesController extends Controller {

	private Events $events;

	public function __construct( ?Events $events = null ) {
		parent::__construct();
		$this->rest_base = 'event-types';
		$this->events    = $events ?? new Events();
	}

	public function register_routes() {
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base,
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_items' ),
					'permission_callback' => array( $this, 'get_items_permissions_check' ),
					'args'                => $this->get_collection_params(),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<name>[A-Za-z0-9][A-Za-z0-9_.:\/\-]*)',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_item' ),
					'permission_callback' => array( $this, 'get_item_permissions_check' ),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
	}

	public function get_items( $request ) {
		return self::run(
			function () use ( $request ) {
				$types = array_values( $this->events->types() );
				if ( ! empty( $request['source'] ) ) {
					$types = array_values( array_filter( $types, static fn( $t ) => ( $t['source'] ?? '' ) === $request['source'] ) );
				}
				$page  = array_slice( $types, ( (int) $request['page'] - 1 ) * (int) $request['per_page'], (int) $request['per_page'] );
				$items = array_map( fn( $t ) => $this->prepare_response_for_collection( $this->prepare_item_for_response( $t, $request ) ), $page );
				return $this->collection( $items, count( $types ), $request );
			}
		);
	}

	public function get_item( $request ) {
		return self::run( fn() => $this->prepare_item_for_response( $this->events->get( (string) $request['name'] ), $request ) );
	}

	public function prepare_item_for_response( $item, $request ) {
		$item['sample'] = (object) ( $item['sample'] ?? array() );
		return rest_ensure_response( $item );
	}

	protected function schema_title(): string {
		return 'umw_event_type';
	}

	protected function schema_properties(): array {
		return array(
			'name'        => self::readonly_property( __( 'Event name, e.g. payment_received.', 'umw' ), 'string' ),
			'label'       => self::readonly_property( __( 'Human label.', 'umw' ), 'string' ),
			'description' => self::readonly_property( __( 'When it fires and what it carries.', 'umw' ), 'string' ),
			'sample'      => self::readonly_property( __( 'A realistic sample payload.', 'umw' ), 'object' ),
			'source'      => self::readonly_property( __( 'ultimate-multisite (built in) or custom.', 'umw' ), 'string' ),
		);
	}

	public function get_collection_params() {
		$params                        = $this->paging_params();
		$params['per_page']['default'] = 100;
		return array(
			'context' => $this->get_context_param( array( 'default' => 'view' ) ),
			'source'  => array(
				'description' => __( 'Only built-in (ultimate-multisite) or custom events.', 'umw' ),
				'type'        => 'string',
				'enum'        => array( 'ultimate-multisite', 'custom' ),
			),
		) + $params;
	}
}
