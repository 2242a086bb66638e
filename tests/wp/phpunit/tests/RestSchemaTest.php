<?php

namespace Umw\Tests;

/**
 * Issue 13 item 18: controllers like WooCommerce's — schema and args on OPTIONS, X-WP-Total /
 * X-WP-TotalPages, page/per_page honoured, ISO 8601 dates, payload as JSON, PATCH secret rotates
 * and moves updated_at; /stats.
 */
final class RestSchemaTest extends TestCase {

	use WithReceiver;

	private function get( string $route, array $query = array() ): \WP_REST_Response {
		$request = new \WP_REST_Request( 'GET', '/umw/v1' . $route );
		$request->set_query_params( $query );
		return rest_do_request( $request );
	}

	public function test_options_describe_schema_and_arguments(): void {
		foreach ( array( '/webhooks', '/deliveries', '/event-types' ) as $route ) {
			$data = rest_do_request( new \WP_REST_Request( 'OPTIONS', '/umw/v1' . $route ) )->get_data();
			$this->assertArrayHasKey( 'schema', $data, $route );
			$this->assertNotEmpty( $data['schema']['properties'], $route );
			$args = $data['endpoints'][0]['args'];
			foreach ( array( 'page', 'per_page', 'context' ) as $arg ) {
				$this->assertArrayHasKey( $arg, $args, "$route $arg" );
			}
		}
		$webhooks = rest_do_request( new \WP_REST_Request( 'OPTIONS', '/umw/v1/webhooks' ) )->get_data();
		$props    = $webhooks['schema']['properties'];
		$this->assertSame( 'date-time', $props['created_at']['format'] );
		$this->assertSame( array( 'edit' ), $props['secret']['context'] );
		$this->assertSame( array( 'active', 'inactive', 'disabled', 'all' ), array_merge( array_diff( $props['status']['enum'], array( 'all' ) ), array( 'all' ) ) );
		$create = $webhooks['endpoints'][1]['args'];
		foreach ( array( 'name', 'url', 'events', 'active', 'format', 'headers', 'event' ) as $arg ) {
			$this->assertArrayHasKey( $arg, $create, "POST /webhooks arg $arg" );
		}
		$this->assertSame( 'boolean', $create['active']['type'] );
	}

	public function test_collections_page_and_count(): void {
		for ( $i = 0; $i < 3; $i++ ) {
			$this->create_webhook( array( 'url' => 'https://example.com/page' . $i, 'name' => "paging $i" ) );
		}
		$all   = $this->get( '/webhooks', array( 'search' => 'paging', 'per_page' => 100 ) );
		$total = (int) $all->get_headers()['X-WP-Total'];
		$this->assertSame( 3, $total );
		$page2 = $this->get( '/webhooks', array( 'search' => 'paging', 'per_page' => 2, 'page' => 2 ) );
		$this->assertSame( '3', $page2->get_headers()['X-WP-Total'] );
		$this->assertSame( '2', $page2->get_headers()['X-WP-TotalPages'] );
		$this->assertCount( 1, $page2->get_data() );
		$this->assertSame( 'paging 2', $page2->get_data()[0]['name'] );
		$this->assertSame( 400, $this->get( '/webhooks', array( 'per_page' => 1000 ) )->get_status(), 'per_page is capped like core' );
		$desc = $this->get( '/webhooks', array( 'search' => 'paging', 'orderby' => 'name', 'order' => 'desc' ) );
		$this->assertSame( 'paging 2', $desc->get_data()[0]['name'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $desc->get_data()[0]['created_at'] );
	}

	public function test_deliveries_paging_iso_dates_and_payload_as_json(): void {
		$hook = $this->create_webhook( array( 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'payment_received' ) ) );
		for ( $i = 0; $i < 3; $i++ ) {
			$this->webhooks->send_test( (int) $hook['id'] );
		}
		$page = $this->get( '/deliveries', array( 'webhook_id' => $hook['id'], 'per_page' => 2 ) );
		$this->assertSame( 200, $page->get_status() );
		$this->assertSame( '3', $page->get_headers()['X-WP-Total'] );
		$this->assertSame( '2', $page->get_headers()['X-WP-TotalPages'] );
		$this->assertCount( 2, $page->get_data() );
		$row = $page->get_data()[0];
		$this->assertArrayNotHasKey( 'payload', $row, 'lists leave the payload out unless asked' );
		$this->assertMatchesRegularExpression( '/T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $row['created_at'] );
		$this->assertMatchesRegularExpression( '/T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $row['attempts'][0]['time'] );
		$this->assertCount( 1, $this->get( '/deliveries', array( 'webhook_id' => $hook['id'], 'per_page' => 2, 'page' => 2 ) )->get_data() );

		$one = $this->get( '/deliveries/' . $row['id'] )->get_data();
		$this->assertIsArray( $one['payload'], 'the payload is JSON, not a string of JSON' );
		$this->assertArrayHasKey( 'payment_id', $one['payload'] );
		$attempt = $one['attempts'][0];
		$this->assertSame( self::$receiver->url( '/ok' ), $attempt['url'] );
		$this->assertArrayHasKey( 'webhook-signature', (array) $attempt['request_headers'] );
		$this->assertSame( 'umw-phpunit', ( (array) $attempt['response_headers'] )['x-receiver'] ?? null );
		$with = $this->get( '/deliveries', array( 'webhook_id' => $hook['id'], 'with_payload' => true ) )->get_data();
		$this->assertIsArray( $with[0]['payload'] );
	}

	public function test_patch_secret_rotates_and_moves_updated_at(): void {
		$hook = $this->create_webhook( array( 'url' => 'https://example.com/rot' ) );
		sleep( 1 );
		$new     = 'whsec_' . base64_encode( random_bytes( 32 ) );
		$request = new \WP_REST_Request( 'PATCH', '/umw/v1/webhooks/' . $hook['id'] );
		$request->set_header( 'content-type', 'application/json' );
		$request->set_body( wp_json_encode( array( 'secret' => $new ) ) );
		$response = rest_do_request( $request );
		$this->assertSame( 200, $response->get_status(), wp_json_encode( $response->get_data() ) );
		$this->assertArrayNotHasKey( 'secret', $response->get_data() );
		$this->assertSame( $new, $this->webhooks->get( (int) $hook['id'], true )['secret'] );
		$this->assertGreaterThan( $hook['updated_at'], $this->webhooks->get( (int) $hook['id'] )['updated_at'] );
	}

	public function test_stats_route_has_the_services_numbers(): void {
		$response = $this->get( '/stats', array( 'days' => 1 ) );
		$this->assertSame( 200, $response->get_status() );
		$data = $response->get_data();
		$this->assertCount( 24, $data['buckets'] );
		$this->assertSame( 3600, $data['bucket_seconds'] );
		$this->assertMatchesRegularExpression( '/T\d{2}:00:00[+-]\d{2}:\d{2}$/', $data['buckets'][0]['start'] );
		$this->assertSame( ( new \Umw\Service\Stats() )->get( null, 1 )['totals'], $data['totals'] );
		$this->assertSame( 400, $this->get( '/stats', array( 'days' => 0 ) )->get_status() );
		$this->assertSame( 404, $this->get( '/stats', array( 'webhook_id' => 987654321 ) )->get_status() );
	}
}
