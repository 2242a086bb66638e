<?php
/**
 * /umw/v1/deliveries — the delivery log: list (filters, page/per_page, X-WP-Total), one delivery
 * with its attempts and its payload as JSON (not a string inside JSON), resend.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Service\Deliveries;
use Umw\Service\Time;

defined( 'ABSPATH' ) || exit;

final class DeliveriesController extends Controller {

	public const ID_PATTERN = 'dlv_[A-Za-z0-9]+';

	private Deliveries $deliveries;

	public function __construct( ?Deliveries $deliveries = null ) {
		parent::__construct();
		$this->rest_base  = 'deliveries';
		$this->deliveries = $deliveries ?? new Deliveries();
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
			'/' . $this->rest_base . '/(?P<id>' . self::ID_PATTERN . ')',
			array(
				array(
					'methods'             => \WP_REST_Server::READABLE,
					'callback'            => array( $this, 'get_item' ),
					'permission_callback' => array( $this, 'get_item_permissions_check' ),
					'args'                => array( 'context' => $this->get_context_param( array( 'default' => 'view' ) ) ),
				),
				'schema' => array( $this, 'get_public_item_schema' ),
			)
		);
		register_rest_route(
			$this->namespace,
			'/' . $this->rest_base . '/(?P<id>' . self::ID_PATTERN . ')/resend',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( $this, 'resend' ),
				'permission_callback' => array( $this, 'check_permission' ),
			)
		);
	}

	public function get_items( $request ) {
		return self::run(
			function () use ( $request ) {
				$filter = array();
				foreach ( array( 'webhook_id', 'event', 'status', 'message_id', 'since' ) as $key ) {
					if ( null !== $request[ $key ] && '' !== $request[ $key ] ) {
						$filter[ $key ] = $request[ $key ];
					}
				}
				$total  = $this->deliveries->count( $filter );
				$offset = null !== $request['offset'] ? (int) $request['offset'] : ( (int) $request['page'] - 1 ) * (int) $request['per_page'];
				$rows   = $this->deliveries->list(
					$filter + array(
						'limit'        => (int) $request['per_page'],
						'offset'       => $offset,
						'with_payload' => (bool) $request['with_payload'],
					)
				);
				$items  = array();
				foreach ( $rows as $row ) {
					$items[] = $this->prepare_response_for_collection( $this->prepare_item_for_response( $row, $request ) );
				}
				return $this->collection( $items, $total, $request );
			}
		);
	}

	public function get_item( $request ) {
		return self::run( fn() => $this->prepare_item_for_response( $this->deliveries->get( (string) $request['id'] ), $request ) );
	}

	public function resend( \WP_REST_Request $request ) {
		return self::run(
			fn() => array(
				'id'     => (string) $request['id'],
				'queued' => $this->deliveries->resend( (string) $request['id'] ),
			)
		);
	}

	/**
	 * @param array<string,mixed> $item
	 */
	public function prepare_item_for_response( $item, $request ) {
		$data = $item;
		if ( array_key_exists( 'payload', $data ) ) {
			$data['payload'] = Deliveries::decoded_payload( $item );
		}
		$data['webhook_id']      = (int) $data['webhook_id'];
		$data['is_test']         = ! empty( $data['is_test'] );
		$data['in_flight']       = ! empty( $data['in_flight'] );
		$data['created_at']      = Time::iso( $data['created_at'] ?? null );
		$data['next_attempt_at'] = Time::iso( $data['next_attempt_at'] ?? null );
		$data['attempts']        = array_map(
			static function ( array $attempt ): array {
				$attempt['time'] = Time::iso( $attempt['time'] ?? null );
				foreach ( array( 'request_headers', 'response_headers' ) as $map ) {
					if ( isset( $attempt[ $map ] ) ) {
						$attempt[ $map ] = (object) $attempt[ $map ];
					}
				}
				return $attempt;
			},
			array_values( (array) ( $data['attempts'] ?? array() ) )
		);
		$context  = ! empty( $request['context'] ) ? $request['context'] : 'view';
		$response = rest_ensure_response( $this->filter_response_by_context( $data, $context ) );
		$response->add_links(
			array(
				'self'    => array( 'href' => rest_url( $this->namespace . '/' . $this->rest_base . '/' . $data['id'] ) ),
				'webhook' => array(
					'href'       => rest_url( $this->namespace . '/webhooks/' . $data['webhook_id'] ),
					'embeddable' => true,
				),
			)
		);
		return $response;
	}

	protected function schema_title(): string {
		return 'umw_delivery';
	}

	protected function schema_properties(): array {
		$ctx          = array( 'view', 'edit' );
		return array(
			'id'              => self::readonly_property( __( 'Delivery id (dlv_…).', 'umw' ), 'string' ),
			'message_id'      => self::readonly_property( __( 'Message id (msg_…), the webhook-id header; shared by every webhook that got the event.', 'umw' ), 'string' ),
			'webhook_id'      => self::readonly_property( __( 'The webhook it was sent to.', 'umw' ), 'integer' ),
			'event'           => self::readonly_property( __( 'Event name.', 'umw' ), 'string' ),
			'status'          => array(
				'description' => __( 'pending, delivered, retrying or failed.', 'umw' ),
				'type'        => 'string',
				'enum'        => Deliveries::statuses(),
				'context'     => $ctx,
				'readonly'    => true,
			),
			'is_test'         => self::readonly_property( __( 'Sent by Send Test Event.', 'umw' ), 'boolean' ),
			'in_flight'       => self::readonly_property( __( 'An attempt is being made right now.', 'umw' ), 'boolean' ),
			'next_attempt_at' => self::date_property( __( 'When the next attempt is due, or null.', 'umw' ) ),
			'created_at'      => self::date_property( __( 'When the event was emitted (ISO 8601, site time zone).', 'umw' ) ),
			'attempts'        => array(
				'description' => __( 'Every attempt, oldest first.', 'umw' ),
				'type'        => 'array',
				'context'     => $ctx,
				'readonly'    => true,
				'items'       => array(
					'type'       => 'object',
					'properties' => array(
						'time'             => array( 'type' => 'string', 'format' => 'date-time' ),
						'status_code'      => array( 'type' => array( 'integer', 'null' ) ),
						'duration_ms'      => array( 'type' => 'number' ),
						'error'            => array( 'type' => array( 'string', 'null' ) ),
						'response_body'    => array( 'type' => array( 'string', 'null' ) ),
						'url'              => array( 'type' => 'string' ),
						'request_headers'  => array( 'type' => 'object' ),
						'response_headers' => array( 'type' => 'object' ),
					),
				),
			),
			'payload'         => self::readonly_property( __( 'The JSON body as sent (an object). In lists only with with_payload=true.', 'umw' ), array( 'object', 'array', 'string' ) ),
		);
	}

	public function get_collection_params() {
		return array(
			'context'      => $this->get_context_param( array( 'default' => 'view' ) ),
			'webhook_id'   => array(
				'description' => __( 'Only this webhook\'s deliveries.', 'umw' ),
				'type'        => 'integer',
				'minimum'     => 1,
			),
			'event'        => array(
				'description' => __( 'Only this event.', 'umw' ),
				'type'        => 'string',
			),
			'status'       => array(
				'description' => __( 'Only deliveries in this state.', 'umw' ),
				'type'        => 'string',
				'enum'        => Deliveries::statuses(),
			),
			'message_id'   => array(
				'description' => __( 'Only deliveries of this message (msg_…).', 'umw' ),
				'type'        => 'string',
			),
			'since'        => array(
				'description' => __( 'Created at or after: ISO 8601 (without an offset: the site\'s time zone) or unix time.', 'umw' ),
				'type'        => array( 'integer', 'string' ),
			),
			'with_payload' => array(
				'description' => __( 'Include each delivery\'s payload.', 'umw' ),
				'type'        => 'boolean',
				'default'     => false,
			),
			'offset'       => array(
				'description' => __( 'Offset the result set by a specific number of items (instead of page).', 'umw' ),
				'type'        => 'integer',
				'minimum'     => 0,
			),
		) + $this->paging_params( Deliveries::list_limit_max() );
	}
}
