<?php
/**
 * /umw/v1/webhooks routes (see Routes for the list).
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhooksController {

	/** Body keys read on create/update. */
	private const INPUT_KEYS = array( 'name', 'url', 'events', 'event', 'active', 'format', 'headers', 'secret', 'target_url', 'hookUrl', 'hook_url' );

	private Webhooks $webhooks;

	public function __construct( ?Webhooks $webhooks = null ) {
		$this->webhooks = $webhooks ?? new Webhooks();
	}

	public function register_routes(): void {
		$perm = array( Routes::class, 'permission' );
		$id   = array(
			'id' => array(
				'type'     => 'integer',
				'minimum'  => 1,
				'required' => true,
			),
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/webhooks',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'list' ),
					'permission_callback' => $perm,
					'args'                => array(
						'event'  => array( 'type' => 'string' ),
						'active' => array( 'type' => 'boolean' ),
						'search' => array( 'type' => 'string' ),
					),
				),
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create' ),
					'permission_callback' => $perm,
				),
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/webhooks/(?P<id>\d+)',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get' ),
					'permission_callback' => $perm,
					'args'                => $id,
				),
				array(
					'methods'             => \WP_REST_Server::EDITABLE,
					'callback'            => array( $this, 'update' ),
					'permission_callback' => $perm,
					'args'                => $id,
				),
				array(
					'methods'             => \WP_REST_Server::DELETABLE,
					'callback'            => array( $this, 'delete' ),
					'permission_callback' => $perm,
					'args'                => $id,
				),
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/webhooks/(?P<id>\d+)/test',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'test' ),
				'permission_callback' => $perm,
				'args'                => $id,
			)
		);
		register_rest_route(
			Routes::NAMESPACE,
			'/webhooks/(?P<id>\d+)/rotate-secret',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'rotate_secret' ),
				'permission_callback' => $perm,
				'args'                => $id,
			)
		);
	}

	public function list( \WP_REST_Request $request ) {
		return Routes::run(
			function () use ( $request ) {
				$filter = array();
				if ( null !== $request['event'] ) {
					$filter['event'] = (string) $request['event'];
				}
				if ( null !== $request['active'] ) {
					$filter['active'] = (bool) $request['active'];
				}
				return array_map( array( $this, 'prepare' ), $this->webhooks->list( $filter, (string) $request['search'] ) );
			}
		);
	}

	public function get( \WP_REST_Request $request ) {
		return Routes::run( fn() => $this->prepare( $this->webhooks->get( (int) $request['id'] ) ) );
	}

	/**
	 * Create; REST Hooks subscribe (POST {url, event}) answers 201 with the id.
	 * The response includes the signing secret: the only time it is returned.
	 */
	public function create( \WP_REST_Request $request ) {
		return Routes::run(
			function () use ( $request ) {
				$hook     = $this->webhooks->create( $this->input( $request ) );
				$response = new \WP_REST_Response( $this->prepare( $hook, true ), 201 );
				$response->header( 'Location', rest_url( Routes::NAMESPACE . '/webhooks/' . (int) $hook['id'] ) );
				return $response;
			}
		);
	}

	public function update( \WP_REST_Request $request ) {
		return Routes::run( fn() => $this->prepare( $this->webhooks->update( (int) $request['id'], $this->input( $request ) ) ) );
	}

	/**
	 * Delete; REST Hooks unsubscribe.
	 */
	public function delete( \WP_REST_Request $request ) {
		return Routes::run(
			fn() => array(
				'deleted'  => true,
				'previous' => $this->prepare( $this->webhooks->delete( (int) $request['id'] ) ),
			)
		);
	}

	public function test( \WP_REST_Request $request ) {
		return Routes::run(
			function () use ( $request ) {
				$payload = $request['payload'];
				if ( is_string( $payload ) && '' !== $payload ) {
					$payload = \Umw\Service\Events::decode_payload( $payload );
				}
				if ( null !== $payload && ! is_array( $payload ) ) {
					throw new \ValueError( __( 'Payload must be a JSON object.', 'umw' ) );
				}
				$event = $request['event'];
				return $this->webhooks->send_test( (int) $request['id'], is_string( $event ) ? $event : null, $payload ?: null );
			}
		);
	}

	public function rotate_secret( \WP_REST_Request $request ) {
		return Routes::run(
			function () use ( $request ) {
				$secret = $request['secret'];
				return array(
					'id'     => (int) $request['id'],
					'secret' => $this->webhooks->rotate_secret( (int) $request['id'], is_string( $secret ) && '' !== $secret ? $secret : null ),
				);
			}
		);
	}

	/**
	 * @return array<string,mixed>
	 */
	private function input( \WP_REST_Request $request ): array {
		$params = $request->get_json_params();
		if ( ! is_array( $params ) || ! $params ) {
			$params = array_merge( (array) $request->get_query_params(), (array) $request->get_body_params() );
		}
		return array_intersect_key( $params, array_flip( self::INPUT_KEYS ) );
	}

	/**
	 * @param array<string,mixed> $hook
	 * @return array<string,mixed>
	 */
	public function prepare( array $hook, bool $with_secret = false ): array {
		if ( ! $with_secret ) {
			unset( $hook['secret'] );
		}
		$hook['id'] = (int) $hook['id'];
		if ( isset( $hook['headers'] ) && array() === $hook['headers'] ) {
			$hook['headers'] = new \stdClass(); // JSON {} not [].
		}
		return $hook;
	}
}
