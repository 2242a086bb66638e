<?php

namespace Umw\Tests;

final class RestApiTest extends TestCase {

	private static ?Receiver $receiver = null;

	public static function setUpBeforeClass(): void {
		self::$receiver = Receiver::start();
	}

	public static function tearDownAfterClass(): void {
		self::$receiver?->stop();
		self::$receiver = null;
	}

	/**
	 * @param array<string,mixed> $body JSON body
	 * @param array<string,mixed> $query
	 */
	private function request( string $method, string $route, ?array $body = null, array $query = array() ): \WP_REST_Response {
		$request = new \WP_REST_Request( $method, '/umw/v1' . $route );
		if ( null !== $body ) {
			$request->set_header( 'content-type', 'application/json' );
			$request->set_body( wp_json_encode( $body ) );
		}
		if ( $query ) {
			$request->set_query_params( $query );
		}
		return rest_do_request( $request );
	}

	public function test_routes_are_registered(): void {
		$routes = rest_get_server()->get_routes( 'umw/v1' );
		foreach ( array(
			'/umw/v1/webhooks',
			'/umw/v1/webhooks/(?P<id>\d+)',
			'/umw/v1/webhooks/(?P<id>\d+)/test',
			'/umw/v1/webhooks/(?P<id>\d+)/rotate-secret',
			'/umw/v1/deliveries',
			'/umw/v1/deliveries/(?P<id>dlv_[A-Za-z0-9]+)',
			'/umw/v1/deliveries/(?P<id>dlv_[A-Za-z0-9]+)/resend',
			'/umw/v1/event-types',
		) as $route ) {
			$this->assertArrayHasKey( $route, $routes, $route );
		}
	}

	public function test_rest_hooks_subscribe_and_unsubscribe(): void {
		$res = $this->request( 'POST', '/webhooks', array( 'url' => 'https://hooks.example/zap', 'event' => 'payment_received' ) );
		$this->assertSame( 201, $res->get_status(), wp_json_encode( $res->get_data() ) );
		$data = $res->get_data();
		$this->track( (int) $data['id'] );
		$this->assertIsInt( $data['id'] );
		$this->assertSame( array( 'payment_received' ), $data['events'] );
		$this->assertStringStartsWith( 'whsec_', $data['secret'] );
		$this->assertStringEndsWith( '/umw/v1/webhooks/' . $data['id'], $res->get_headers()['Location'] );

		$get = $this->request( 'GET', '/webhooks/' . $data['id'] );
		$this->assertSame( 200, $get->get_status() );
		$this->assertArrayNotHasKey( 'secret', $get->get_data() );

		$list = $this->request( 'GET', '/webhooks', null, array( 'event' => 'payment_received' ) );
		$this->assertContains( $data['id'], array_column( $list->get_data(), 'id' ) );

		$patch = $this->request( 'PATCH', '/webhooks/' . $data['id'], array( 'name' => 'Zap', 'active' => false ) );
		$this->assertSame( 200, $patch->get_status() );
		$this->assertSame( 'Zap', $patch->get_data()['name'] );
		$this->assertFalse( $patch->get_data()['active'] );

		$put = $this->request( 'PUT', '/webhooks/' . $data['id'], array( 'format' => 'envelope' ) );
		$this->assertSame( 'envelope', $put->get_data()['format'] );

		$rot = $this->request( 'POST', '/webhooks/' . $data['id'] . '/rotate-secret' );
		$this->assertSame( 200, $rot->get_status() );
		$this->assertStringStartsWith( 'whsec_', $rot->get_data()['secret'] );
		$this->assertNotSame( $data['secret'], $rot->get_data()['secret'] );

		$del = $this->request( 'DELETE', '/webhooks/' . $data['id'] );
		$this->assertSame( 200, $del->get_status() );
		$this->assertTrue( $del->get_data()['deleted'] );

		$this->assertSame( 404, $this->request( 'GET', '/webhooks/' . $data['id'] )->get_status() );
		$this->assertSame( 404, $this->request( 'DELETE', '/webhooks/' . $data['id'] )->get_status() );
	}

	public function test_validation_errors_are_400(): void {
		$res = $this->request( 'POST', '/webhooks', array( 'url' => 'javascript:alert(1)', 'event' => 'payment_received' ) );
		$this->assertSame( 400, $res->get_status() );
		$this->assertSame( 'umw_invalid', $res->as_error()->get_error_code() );
		$this->assertStringContainsString( 'http', $res->as_error()->get_error_message() );

		$res = $this->request( 'POST', '/webhooks', array( 'url' => 'https://example.com/', 'headers' => array( 'X-A' => "1\r\nX-B: 2" ) ) );
		$this->assertSame( 400, $res->get_status() );

		$res = $this->request( 'POST', '/webhooks', array( 'url' => 'https://example.com/', 'format' => 'xml' ) );
		$this->assertSame( 400, $res->get_status() );

		$res = $this->request( 'GET', '/deliveries', null, array( 'status' => 'bogus' ) );
		$this->assertSame( 400, $res->get_status() );
	}

	public function test_not_found_is_404(): void {
		$this->assertSame( 404, $this->request( 'GET', '/webhooks/987654321' )->get_status() );
		$this->assertSame( 404, $this->request( 'POST', '/webhooks/987654321/test' )->get_status() );
		$this->assertSame( 404, $this->request( 'GET', '/deliveries/dlv_doesnotexist000' )->get_status() );
		$this->assertSame( 404, $this->request( 'POST', '/deliveries/dlv_doesnotexist000/resend' )->get_status() );
		$this->assertSame( 404, $this->request( 'GET', '/event-types/no_such_event_xyz' )->get_status() );
	}

	public function test_event_types(): void {
		$res = $this->request( 'GET', '/event-types' );
		$this->assertSame( 200, $res->get_status() );
		$names = array_column( $res->get_data(), 'name' );
		$this->assertContains( 'payment_received', $names );
		$one = $this->request( 'GET', '/event-types/payment_received' );
		$this->assertSame( 200, $one->get_status() );
		$this->assertSame( 'payment_received', $one->get_data()['name'] );
		$this->assertArrayHasKey( 'sample', $one->get_data() );
	}

	public function test_send_test_and_deliveries(): void {
		$res = $this->request( 'POST', '/webhooks', array( 'url' => self::$receiver->url( '/ok' ), 'event' => 'payment_received', 'name' => 'rest test' ) );
		$this->assertSame( 201, $res->get_status(), wp_json_encode( $res->get_data() ) );
		$id = (int) $res->get_data()['id'];
		$this->track( $id );

		$test = $this->request( 'POST', '/webhooks/' . $id . '/test' );
		$this->assertSame( 200, $test->get_status(), wp_json_encode( $test->get_data() ) );
		$result = $test->get_data();
		$this->assertTrue( $result['ok'], wp_json_encode( $result ) );
		$this->assertSame( 200, $result['status'] );
		$this->assertStringContainsString( 'received', $result['body'] );
		$this->assertMatchesRegularExpression( '/^dlv_/', $result['delivery_id'] );

		$req = self::$receiver->wait_for( static fn( $r ) => ( $r['headers']['webhook-id'] ?? '' ) === $result['message_id'] );
		$this->assertNotNull( $req, 'receiver got the test delivery' );
		$this->assertSame( 'payment_received', $req['headers']['x-umw-event'] );
		$this->assertStringStartsWith( 'v1,', $req['headers']['webhook-signature'] );

		$list = $this->request( 'GET', '/deliveries', null, array( 'webhook_id' => $id ) );
		$this->assertSame( 200, $list->get_status() );
		$this->assertContains( $result['delivery_id'], array_column( $list->get_data(), 'id' ) );

		$one = $this->request( 'GET', '/deliveries/' . $result['delivery_id'] );
		$this->assertSame( 200, $one->get_status() );
		$this->assertSame( $id, (int) $one->get_data()['webhook_id'] );
		$this->assertNotEmpty( $one->get_data()['attempts'] );

		$resend = $this->request( 'POST', '/deliveries/' . $result['delivery_id'] . '/resend' );
		$this->assertSame( 200, $resend->get_status(), wp_json_encode( $resend->get_data() ) );
		$this->assertTrue( $resend->get_data()['queued'] );
	}

	public function test_unprivileged_user_gets_403_everywhere(): void {
		$hook = $this->create_webhook( array( 'url' => 'https://example.com/private' ) );
		$this->as_unprivileged();
		foreach ( array(
			array( 'GET', '/webhooks', null ),
			array( 'POST', '/webhooks', array( 'url' => 'https://evil.example/', 'event' => '*' ) ),
			array( 'GET', '/webhooks/' . $hook['id'], null ),
			array( 'PATCH', '/webhooks/' . $hook['id'], array( 'url' => 'https://evil.example/' ) ),
			array( 'DELETE', '/webhooks/' . $hook['id'], null ),
			array( 'POST', '/webhooks/' . $hook['id'] . '/test', null ),
			array( 'POST', '/webhooks/' . $hook['id'] . '/rotate-secret', null ),
			array( 'GET', '/deliveries', null ),
			array( 'GET', '/event-types', null ),
		) as list( $method, $route, $body ) ) {
			$res = $this->request( $method, $route, $body );
			$this->assertSame( 403, $res->get_status(), "$method $route" );
		}
		$this->as_admin();
		$this->assertSame( 'https://example.com/private', $this->webhooks->get( (int) $hook['id'] )['url'] );
	}

	public function test_logged_out_gets_401(): void {
		wp_set_current_user( 0 );
		$this->assertSame( 401, $this->request( 'GET', '/webhooks' )->get_status() );
	}

	public function test_capability_filter(): void {
		$this->as_unprivileged();
		$filter = static fn() => 'read';
		add_filter( 'umw_capability', $filter );
		try {
			$this->assertSame( 200, $this->request( 'GET', '/event-types' )->get_status() );
		} finally {
			remove_filter( 'umw_capability', $filter );
		}
		$this->assertSame( 403, $this->request( 'GET', '/event-types' )->get_status() );
	}
}
