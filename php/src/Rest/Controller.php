<?php
/**
 * What every umw/v1 controller shares: the namespace, one capability for every route (401 when
 * logged out, 403 otherwise, as core does), X-WP-Total / X-WP-TotalPages, and service exceptions
 * turned into WP_Error responses.
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Plugin;
use Umw\Service\NotFoundException;

defined( 'ABSPATH' ) || exit;

abstract class Controller extends \WP_REST_Controller {

	public const NAMESPACE_V1 = 'umw/v1';

	public function __construct() {
		$this->namespace = self::NAMESPACE_V1;
	}

	/**
	 * permission_callback of every route.
	 *
	 * @return true|\WP_Error
	 */
	public function check_permission( $request = null ) {
		if ( Plugin::current_user_can() ) {
			return true;
		}
		return new \WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	public function get_items_permissions_check( $request ) {
		return $this->check_permission( $request );
	}

	public function get_item_permissions_check( $request ) {
		return $this->check_permission( $request );
	}

	public function create_item_permissions_check( $request ) {
		return $this->check_permission( $request );
	}

	public function update_item_permissions_check( $request ) {
		return $this->check_permission( $request );
	}

	public function delete_item_permissions_check( $request ) {
		return $this->check_permission( $request );
	}

	/**
	 * page / per_page as core's collections have them (context and search come from the subclass).
	 *
	 * @return array<string,array<string,mixed>>
	 */
	protected function paging_params( int $max = 100 ): array {
		return array(
			'page'     => array(
				'description'       => __( 'Current page of the collection.', 'umw' ),
				'type'              => 'integer',
				'default'           => 1,
				'minimum'           => 1,
				'sanitize_callback' => 'absint',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'per_page' => array(
				'description'       => __( 'Maximum number of items to be returned in result set.', 'umw' ),
				'type'              => 'integer',
				'default'           => 10,
				'minimum'           => 1,
				'maximum'           => $max,
				'sanitize_callback' => 'absint',
				'validate_callback' => 'rest_validate_request_arg',
			),
		);
	}

	/**
	 * A collection response with X-WP-Total and X-WP-TotalPages, and prev/next Link headers.
	 *
	 * @param list<mixed> $items already prepared
	 */
	protected function collection( array $items, int $total, \WP_REST_Request $request ): \WP_REST_Response {
		$per_page = max( 1, (int) $request['per_page'] );
		$pages    = (int) ceil( $total / $per_page );
		$page     = max( 1, (int) $request['page'] );
		$response = rest_ensure_response( $items );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) $pages );
		$base = add_query_arg( urlencode_deep( $request->get_query_params() ), rest_url( $this->namespace . '/' . $this->rest_base ) );
		if ( $page > 1 ) {
			$response->link_header( 'prev', add_query_arg( 'page', min( $page - 1, max( 1, $pages ) ), $base ) );
		}
		if ( $page < $pages ) {
			$response->link_header( 'next', add_query_arg( 'page', $page + 1, $base ) );
		}
		return $response;
	}

	/**
	 * Run a callback, turning service exceptions into WP_Error responses:
	 * \ValueError / \TypeError => 400 umw_invalid, not found => 404 umw_not_found, \RuntimeException => 500 umw_error.
	 *
	 * @param callable():mixed $callback
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function run( callable $callback ) {
		try {
			$result = $callback();
			return $result instanceof \WP_REST_Response || $result instanceof \WP_Error ? $result : rest_ensure_response( $result );
		} catch ( NotFoundException $e ) {
			return new \WP_Error( 'umw_not_found', $e->getMessage(), array( 'status' => 404 ) );
		} catch ( \ValueError | \TypeError | \InvalidArgumentException $e ) {
			return new \WP_Error( 'umw_invalid', \Umw\Service\Messages::translate( $e->getMessage() ), array( 'status' => 400 ) );
		} catch ( \RuntimeException $e ) {
			return new \WP_Error( 'umw_error', \Umw\Service\Messages::translate( $e->getMessage() ), array( 'status' => 500 ) );
		}
	}

	/**
	 * The item schema, built once: its title and properties come from the subclass.
	 *
	 * @return array<string,mixed>
	 */
	public function get_item_schema() {
		$this->schema ??= array(
			'$schema'    => 'http://json-schema.org/draft-04/schema#',
			'title'      => $this->schema_title(),
			'type'       => 'object',
			'properties' => $this->schema_properties(),
		);
		return $this->add_additional_fields_schema( $this->schema );
	}

	abstract protected function schema_title(): string;

	/**
	 * @return array<string,array<string,mixed>>
	 */
	abstract protected function schema_properties(): array;

	/**
	 * A read-only schema property.
	 *
	 * @param string|list<string> $type
	 * @return array<string,mixed>
	 */
	protected static function readonly_property( string $description, string|array $type ): array {
		return array(
			'description' => $description,
			'type'        => $type,
			'context'     => array( 'view', 'edit' ),
			'readonly'    => true,
		);
	}

	/**
	 * A date-time schema property (ISO 8601 in the site's time zone, with its offset).
	 *
	 * @return array<string,mixed>
	 */
	protected static function date_property( string $description ): array {
		return array( 'format' => 'date-time' ) + self::readonly_property( $description, array( 'string', 'null' ) );
	}
}
