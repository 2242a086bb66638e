<?php
/**
 * REST API under umw/v1. Every route requires the plugin capability (application passwords
 * work as for any core route). Errors: \ValueError/\TypeError => 400, not found => 404,
 * \RuntimeException => 500; error codes umw_invalid, umw_not_found, umw_error.
 *
 * Routes:
 *   GET|POST               /umw/v1/webhooks                 (POST {url, event} = REST Hooks subscribe, 201)
 *   GET|PUT|PATCH|DELETE   /umw/v1/webhooks/{id}            (DELETE = unsubscribe)
 *   POST                   /umw/v1/webhooks/{id}/test       {event?, payload?}
 *   POST                   /umw/v1/webhooks/{id}/rotate-secret {secret?}
 *   GET                    /umw/v1/deliveries               ?webhook_id&event&status&message_id&since&limit&offset
 *   GET                    /umw/v1/deliveries/{dlv_id}
 *   POST                   /umw/v1/deliveries/{dlv_id}/resend
 *   GET                    /umw/v1/event-types
 *   GET                    /umw/v1/event-types/{name}
 *
 * @package Umw
 */

namespace Umw\Rest;

use Umw\Plugin;
use Umw\Service\NotFoundException;

defined( 'ABSPATH' ) || exit;

final class Routes {

	public const NAMESPACE = 'umw/v1';

	public static function register(): void {
		add_action( 'rest_api_init', array( self::class, 'register_routes' ) );
	}

	public static function register_routes(): void {
		( new WebhooksController() )->register_routes();
		( new DeliveriesController() )->register_routes();
		( new EventTypesController() )->register_routes();
	}

	/**
	 * permission_callback for every route.
	 */
	public static function permission(): bool {
		return Plugin::current_user_can();
	}

	/**
	 * Run a callback, turning service exceptions into WP_Error responses.
	 *
	 * @param callable():mixed $callback
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function run( callable $callback ) {
		try {
			$result = $callback();
			return $result instanceof \WP_REST_Response ? $result : rest_ensure_response( $result );
		} catch ( NotFoundException $e ) {
			return new \WP_Error( 'umw_not_found', $e->getMessage(), array( 'status' => 404 ) );
		} catch ( \ValueError | \TypeError | \InvalidArgumentException $e ) {
			return new \WP_Error( 'umw_invalid', $e->getMessage(), array( 'status' => 400 ) );
		} catch ( \RuntimeException $e ) {
			return new \WP_Error( 'umw_error', $e->getMessage(), array( 'status' => 500 ) );
		}
	}
}
