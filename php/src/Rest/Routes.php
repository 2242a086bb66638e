<?php
/**
 * REST API under umw/v1. Every route requires the plugin capability (application passwords work
 * as for any core route). Errors: \ValueError/\TypeError => 400 umw_invalid, not found => 404
 * umw_not_found, \RuntimeException => 500 umw_error; schema type errors => 400 rest_invalid_param.
 * Collections take page/per_page and answer with X-WP-Total / X-WP-TotalPages. Dates are ISO 8601
 * in the site's time zone.
 *
 * Routes:
 *   GET|POST               /umw/v1/webhooks                 (POST {url, event} = REST Hooks subscribe, 201)
 *   GET|PUT|PATCH|DELETE   /umw/v1/webhooks/{id}            (DELETE = unsubscribe; the delivery log goes too)
 *   POST                   /umw/v1/webhooks/{id}/test       {event?, payload?}
 *   POST                   /umw/v1/webhooks/{id}/rotate-secret {secret?}
 *   GET                    /umw/v1/deliveries               ?webhook_id&event&status&message_id&since&with_payload&page&per_page
 *   GET                    /umw/v1/deliveries/{dlv_id}
 *   POST                   /umw/v1/deliveries/{dlv_id}/resend
 *   GET                    /umw/v1/event-types
 *   GET                    /umw/v1/event-types/{name}
 *   GET                    /umw/v1/stats                    ?webhook_id&days&bucket
 *
 * @package Umw
 */

namespace Umw\Rest;

defined( 'ABSPATH' ) || exit;

final class Routes {

	public const NAMESPACE = Controller::NAMESPACE_V1;

	public static function register(): void {
		add_action( 'rest_api_init', array( self::class, 'register_routes' ) );
	}

	public static function register_routes(): void {
		( new WebhooksController() )->register_routes();
		( new DeliveriesController() )->register_routes();
		( new EventTypesController() )->register_routes();
		( new StatsController() )->register_routes();
	}
}
