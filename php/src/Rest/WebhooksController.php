<?php
/**
 * /umw/v1/webhooks — modelled on WooCommerce's webhooks controller: item schema, collection
 * params, X-WP-Total / X-WP-TotalPages, ISO 8601 dates. POST {url, event} is a REST Hooks
 * (Zapier) subscribe and DELETE its unsubscribe. Extra header values are masked on read; a
 * masked value sent back keeps the stored one.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Sanitizer;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhooksController extends Controller {

	/** Body keys read on create/update (schema properties plus the REST Hooks aliases). */
	private const INPUT_KEYS = array( 'name', 'url', 'events', 'event', 'active', 'format', 'headers', 'secret', 'target_url', 'hookUrl', 'hook_url' );

	private const TIMES = array( 'created_at', 'updated_at', 'disabled_at', 'last_delivery_at' );

	private Webhooks $webhooks;

	public function __construct( ?Webhooks $webhooks = null ) {
		parent::__construct();
		$this->rest_base = 'webhooks';
		$this->webhooks  = $webhooks ?? new Webhooks();
	}

	public function register_routes() {
		$id = array(
			'id' => array(
				'description' => __( 'Unique identifier for the webhook.', 'umw' ),
				'type'        => 'integer',
			),
		);
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
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'create_item' ),
					'permission_callback' => array( $this, 'create_item_permissions_check' ),
					'args'                => $this->input_args( \WP_REST_Server::CREATABLE ),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<id>\d+)',
			array(
				'args'   => $id,
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_item' ),
					'permission_callback' => array( $this, 'get_item_permissions_check' ),
					'args'                => array( 'context' => $this->get_context_param( array( 'default' => 'view' ) ) ),
				),
				array(
					'methods'             => \WP_REST_Server::EDITABLE,
					'callback'            => array( $this, 'update_item' ),
					'permission_callback' => array( $this, 'update_item_permissions_check' ),
					'args'                => $this->input_args( \WP_REST_Server::EDITABLE ),
				),
				array(
					'methods'             => \WP_REST_Server::DELETABLE,
					'callback'            => array( $this, 'delete_item' ),
					'permission_callback' => array( $this, 'delete_item_permissions_check' ),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<id>\d+)/test',
			array(
				'args' => $id,
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'test' ),
					'permission_callback' => array( $this, 'check_permission' ),
					'args'                => array(
						'event'   => array(
							'description' => __( 'Event to send; one the webhook is subscribed to. Default: its first event.', 'umw' ),
							'type'        => 'string',
						),
						'payload' => array(
							'description' => __( 'JSON object to send instead of the event\'s sample.', 'umw' ),
							'type'        => array( 'object', 'string' ),
						),
					),
				),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<id>\d+)/rotate-secret',
			array(
				'args' => $id,
				array(
					'methods'             => \WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'rotate_secret' ),
					'permission_callback' => array( $this, 'check_permission' ),
					'args'                => array(
						'secret' => array(
							'description' => __( 'A whsec_… secret to use instead of a generated one.', 'umw' ),
							'type'        => 'string',
						),
					),
				),
			)
		);
	}

	public function get_items( $request ) {
		return self::run(
			function () use ( $request ) {
				$filter = array( 'status' => (string) ( $request['status'] ?? 'all' ) );
				if ( null !== $request['event'] ) {
					$filter['event'] = (string) $request['event'];
				}
				$all   = $this->webhooks->list( $filter, (string) $request['search'], (string) $request['orderby'], (string) $request['order'] );
				$page  = array_slice( $all, ( (int) $request['page'] - 1 ) * (int) $request['per_page'], (int) $request['per_page'] );
				$items = array();
				foreach ( $page as $hook ) {
					$items[] = $this->prepare_response_for_collection( $this->prepare_item_for_response( $hook, $request ) );
				}
				return $this->collection( $items, count( $all ), $request );
			}
		);
	}

	public function get_item( $request ) {
		return self::run( fn() => $this->prepare_item_for_response( $this->webhooks->get( (int) $request['id'] ), $request ) );
	}

	/**
	 * Create; REST Hooks subscribe (POST {url, event}) answers 201 with the id.
	 * The response includes the signing secret: the only time it is returned.
	 */
	public function create_item( $request ) {
		return self::run(
			function () use ( $request ) {
				$hook     = $this->webhooks->create( $this->input( $request ) );
				$response = $this->prepare_item_for_response( $hook, $request );
				$data     = $response->get_data();
				$data['secret'] = (string) $hook['secret'];
				$response->set_data( $data );
				$response->set_status( 201 );
				$response->header( 'Location', rest_url( $this->namespace . '/' . $this->rest_base . '/' . (int) $hook['id'] ) );
				return $response;
			}
		);
	}

	public function update_item( $request ) {
		return self::run( fn() => $this->prepare_item_for_response( $this->webhooks->update( (int) $request['id'], $this->input( $request ) ), $request ) );
	}

	/**
	 * Delete (REST Hooks unsubscribe). The delivery log goes with it; the answer says how much.
	 */
	public function delete_item( $request ) {
		return self::run(
			function () use ( $request ) {
				$previous = $this->webhooks->delete( (int) $request['id'] );
				return array(
					'deleted'            => true,
					'deliveries_deleted' => (int) $previous['deliveries_deleted'],
					'previous'           => $this->prepare_item_for_response( $previous, $request )->get_data(),
				);
			}
		);
	}

	public function test( \WP_REST_Request $request ) {
		return self::run(
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
		return self::run(
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
	 * @param array<string,mixed> $item
	 */
	public function prepare_item_for_response( $item, $request ) {
		$hook = Webhooks::public_view( $item );
		unset( $hook['deliveries_deleted'], $hook['was_disabled'] );
		$hook['id'] = (int) $hook['id'];
		foreach ( self::TIMES as $key ) {
			$hook[ $key ] = \Umw\Service\Time::iso( $hook[ $key ] ?? null );
		}
		// JSON {} not [] for no headers.
		$hook['headers'] = (object) $hook['headers'];
		$context         = ! empty( $request['context'] ) ? $request['context'] : 'view';
		$data            = $this->filter_response_by_context( $this->add_additional_fields_to_object( $hook, $request ), $context );
		$response        = rest_ensure_response( $data );
		$response->add_links(
			array(
				'self'       => array( 'href' => rest_url( $this->namespace . '/' . $this->rest_base . '/' . $hook['id'] ) ),
				'collection' => array( 'href' => rest_url( $this->namespace . '/' . $this->rest_base ) ),
				'deliveries' => array(
					'href'       => add_query_arg( 'webhook_id', $hook['id'], rest_url( $this->namespace . '/deliveries' ) ),
					'embeddable' => false,
				),
			)
		);
		return $response;
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
	 * Body args from the schema (types checked by core: 400 rest_invalid_param), plus the REST Hooks aliases.
	 *
	 * @return array<string,mixed>
	 */
	private function input_args( string $method ): array {
		$args = $this->get_endpoint_args_for_item_schema( $method );
		foreach ( array( 'event', 'target_url', 'hookUrl', 'hook_url' ) as $alias ) {
			$args[ $alias ] = array(
				'description' => 'event' === $alias ? __( 'One event (REST Hooks subscribe); same as events: [event].', 'umw' ) : __( 'Same as url (REST Hooks subscribe).', 'umw' ),
				'type'        => 'string',
			);
		}
		return $args;
	}

	protected function schema_title(): string {
		return 'umw_webhook';
	}

	protected function schema_properties(): array {
		$rules = array( 'view', 'edit' );
		return array(
			'id'               => array(
				'description' => __( 'Unique identifier for the webhook.', 'umw' ),
				'type'        => 'integer',
				'context'     => $rules,
				'readonly'    => true,
			),
			'name'             => array(
				'description' => sprintf(
					/* translators: %d: maximum length */
					__( 'A friendly name, at most %d characters. Default on create: "<events> → <host>".', 'umw' ),
					(int) Sanitizer::rule( 'webhook.name_max_length' )
				),
				'type'        => 'string',
				'context'     => $rules,
			),
			'url'              => array(
				'description' => __( 'Where events are POSTed (http:// or https://).', 'umw' ),
				'type'        => 'string',
				'context'     => $rules,
			),
			'events'           => array(
				'description' => __( 'Event names (see /umw/v1/event-types), or ["*"] for every event.', 'umw' ),
				'type'        => array( 'array', 'string' ),
				'items'       => array( 'type' => 'string' ),
				'context'     => $rules,
			),
			'active'           => array(
				'description' => __( 'Whether events are sent. Setting true also re-enables a webhook the extension disabled.', 'umw' ),
				'type'        => 'boolean',
				'context'     => $rules,
			),
			'status'           => array(
				'description' => __( 'active, inactive (switched off) or disabled (switched off by umw: HTTP 410 or failing too long).', 'umw' ),
				'type'        => 'string',
				'enum'        => Webhooks::VIEWS,
				'context'     => $rules,
				'readonly'    => true,
			),
			'format'           => array(
				'description' => __( 'Body format: flat (the payload) or envelope ({type, timestamp, data}).', 'umw' ),
				'type'        => 'string',
				'enum'        => array_values( (array) Sanitizer::rule( 'webhook.formats' ) ),
				'context'     => $rules,
			),
			'headers'          => array(
				'description' => __( 'Extra request headers, name => value. Values read back masked (••••••); sending the mask keeps the stored value.', 'umw' ),
				'type'        => array( 'object', 'string' ),
				'context'     => $rules,
			),
			'secret'           => array(
				'description' => __( 'Signing secret (whsec_…). Returned once, by create; write-only afterwards (changing it rotates).', 'umw' ),
				'type'        => 'string',
				'context'     => array( 'edit' ),
			),
			'created_at'       => self::date_property( __( 'When the webhook was created (ISO 8601, site time zone).', 'umw' ) ),
			'updated_at'       => self::date_property( __( 'When the webhook was last changed.', 'umw' ) ),
			'disabled_at'      => self::date_property( __( 'When umw disabled the webhook, or null.', 'umw' ) ),
			'disabled_reason'  => array(
				'description' => __( 'Why umw disabled the webhook, or null.', 'umw' ),
				'type'        => array( 'string', 'null' ),
				'context'     => $rules,
				'readonly'    => true,
			),
			'last_delivery_at' => self::date_property( __( 'Time of the last delivery attempt, or null.', 'umw' ) ),
			'last_status'      => array(
				'description' => __( 'Outcome of the last attempt.', 'umw' ),
				'type'        => array( 'string', 'null' ),
				'context'     => $rules,
				'readonly'    => true,
			),
			'last_status_code' => array(
				'description' => __( 'HTTP status of the last attempt, or null.', 'umw' ),
				'type'        => array( 'integer', 'null' ),
				'context'     => $rules,
				'readonly'    => true,
			),
			'delivered_count'  => array(
				'description' => __( 'Deliveries that arrived, so far (the counter outlives log pruning).', 'umw' ),
				'type'        => 'integer',
				'context'     => $rules,
				'readonly'    => true,
			),
			'failed_count'     => array(
				'description' => __( 'Deliveries that failed for good, so far.', 'umw' ),
				'type'        => 'integer',
				'context'     => $rules,
				'readonly'    => true,
			),
		);
	}

	public function get_collection_params() {
		return array(
			'context' => $this->get_context_param( array( 'default' => 'view' ) ),
			'search'  => array(
				'description' => __( 'Only webhooks whose name or URL contains this text.', 'umw' ),
				'type'        => 'string',
			),
			'status'  => array(
				'description' => __( 'Only webhooks in this state.', 'umw' ),
				'type'        => 'string',
				'enum'        => Webhooks::VIEWS,
				'default'     => 'all',
			),
			'event'   => array(
				'description' => __( 'Only webhooks subscribed to this event.', 'umw' ),
				'type'        => 'string',
			),
			'orderby' => array(
				'description' => __( 'Sort collection by attribute.', 'umw' ),
				'type'        => 'string',
				'enum'        => Webhooks::ORDERBY,
				'default'     => 'id',
			),
			'order'   => array(
				'description' => __( 'Order sort attribute ascending or descending.', 'umw' ),
				'type'        => 'string',
				'enum'        => array( 'asc', 'desc' ),
				'default'     => 'asc',
			),
		) + $this->paging_params();
	}
}
