<?php

namespace Umw\Tests;

use Umw\Admin\Actions;
use Umw\Admin\DeliveriesPage;
use Umw\Admin\Notices;
use Umw\Service\Sanitizer;
use Umw\Service\Time;

/**
 * Issue 13 items 6 (one time zone), 7 (bad input refused, not guessed) and 8 (credentials masked,
 * the secret never parked in the database).
 */
final class InputAndSecretsTest extends TestCase {

	private ?string $zone = null;

	protected function tearDown(): void {
		if ( null !== $this->zone ) {
			update_option( 'timezone_string', $this->zone );
		}
		$_GET = $_REQUEST = array();
		parent::tearDown();
	}

	private function in_zone( string $zone ): void {
		$this->zone ??= (string) get_option( 'timezone_string' );
		update_option( 'timezone_string', $zone );
	}

	public function test_dates_typed_and_shown_in_the_site_zone_with_the_zone_named(): void {
		$this->in_zone( 'America/New_York' );
		$expected = ( new \DateTimeImmutable( '2026-05-01 10:00', new \DateTimeZone( 'America/New_York' ) ) )->getTimestamp();
		$this->assertSame( $expected, Time::parse( '2026-05-01 10:00' ) );
		$this->assertSame( $expected, Time::parse( '2026-05-01T10:00' ), 'what datetime-local sends' );
		$this->assertSame( $expected, Time::parse( '2026-05-01T14:00:00+00:00' ), 'an explicit offset wins' );
		$this->assertSame( 1700000000, Time::parse( '1700000000' ) );
		$this->assertStringEndsWith( ' EDT', Time::format( $expected ) );
		$this->assertSame( '2026-05-01T10:00:00-04:00', Time::iso( $expected ) );

		set_current_screen( 'webhooks_page_umw-deliveries-network' );
		$this->create_webhook( array( 'url' => 'https://example.com/zone', 'events' => array( 'payment_received' ) ) );
		$html = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertStringContainsString( 'id="umw-replay-zone">America/New_York<', $html, 'the replay field names the zone' );
		preg_match( '/id="umw-replay-since" value="([^"]+)"/', $html, $m );
		$this->assertEqualsWithDelta( time() - DAY_IN_SECONDS, Time::parse( $m[1] ), 120, 'the default is "a day ago" in the site zone' );
		$this->assertStringNotContainsString( '>UTC<', $html );

		$this->expectException( \ValueError::class );
		$this->expectExceptionMessage( 'read in America/New_York' );
		Time::parse( 'not a date' );
	}

	public function test_yes_no_values_are_strict(): void {
		foreach ( array( true, 1, '1', 'true', 'yes', 'on', 'TRUE' ) as $yes ) {
			$this->assertTrue( Sanitizer::bool( $yes ) );
		}
		foreach ( array( false, 0, '0', 'false', 'no', 'off' ) as $no ) {
			$this->assertFalse( Sanitizer::bool( $no ) );
		}
		foreach ( array( 'maybe', 'nope', '', 2, array( 1 ), null ) as $bad ) {
			try {
				Sanitizer::bool( $bad );
				$this->fail( 'accepted ' . wp_json_encode( $bad ) );
			} catch ( \ValueError $e ) {
				$this->assertStringContainsString( 'must be true or false', $e->getMessage() );
			}
		}
	}

	public function test_typos_and_wrong_types_are_refused_and_urls_kept_whole(): void {
		try {
			$this->create_webhook( array( 'url' => 'https://example.com/t', 'events' => array( 'payment_recieved' ) ) );
			$this->fail( 'typo event accepted' );
		} catch ( \ValueError $e ) {
			$this->assertStringContainsString( 'Did you mean "payment_received"?', $e->getMessage() );
		}
		foreach ( array( array( 'name' => array( 'x' ) ), array( 'url' => array( 'https://example.com/' ) ), array( 'events' => array( array( 'x' ) ) ) ) as $bad ) {
			try {
				$this->create_webhook( $bad + array( 'url' => 'https://example.com/t' ) );
				$this->fail( 'accepted ' . wp_json_encode( $bad ) );
			} catch ( \ValueError $e ) {
				$this->assertMatchesRegularExpression( '/must be text|must be a string/', $e->getMessage() );
			}
		}
		$hook = $this->create_webhook( array( 'url' => 'https://example.com/a"b<c>{d}' ) );
		$this->assertSame( 'https://example.com/a%22b%3Cc%3E%7Bd%7D', $hook['url'], 'characters are encoded, not dropped' );

		// An event outside the catalog (allowed by filter) has no sample: Send Test says so instead of sending {}.
		add_filter( 'umw_allow_unknown_events', '__return_true' );
		try {
			$custom = $this->create_webhook( array( 'url' => 'https://example.com/c', 'events' => array( 'shop.order_paid' ) ) );
		} finally {
			remove_filter( 'umw_allow_unknown_events', '__return_true' );
		}
		$this->expectException( \Umw\Service\NotFoundException::class );
		$this->expectExceptionMessage( 'Unknown event "shop.order_paid"' );
		$this->webhooks->send_test( (int) $custom['id'] );
	}

	public function test_rest_refuses_wrong_types_with_400_and_no_php_warning(): void {
		foreach ( array(
			array( 'url' => 'https://example.com/', 'active' => 'nope' ),
			array( 'url' => 'https://example.com/', 'name' => array( 'x' ) ),
			array( 'url' => array( 'https://example.com/' ) ),
			array( 'url' => 'https://example.com/', 'events' => array( array( 'x' ) ) ),
		) as $body ) {
			$request = new \WP_REST_Request( 'POST', '/umw/v1/webhooks' );
			$request->set_header( 'content-type', 'application/json' );
			$request->set_body( wp_json_encode( $body ) );
			$response = rest_do_request( $request );
			$this->assertSame( 400, $response->get_status(), wp_json_encode( $body ) );
			$this->assertSame( 'rest_invalid_param', $response->as_error()->get_error_code() );
		}
	}

	public function test_header_values_are_masked_everywhere_and_kept_when_sent_back_masked(): void {
		$hook = $this->create_webhook( array( 'url' => 'https://example.com/h', 'headers' => array( 'Authorization' => 'Bearer t0p-s3cret', 'X-Tenant' => 'acme' ) ) );
		$id   = (int) $hook['id'];
		$get  = rest_do_request( new \WP_REST_Request( 'GET', '/umw/v1/webhooks/' . $id ) )->get_data();
		$this->assertSame( array( 'Authorization' => '••••••', 'X-Tenant' => '••••••' ), (array) $get['headers'] );
		$list = rest_do_request( new \WP_REST_Request( 'GET', '/umw/v1/webhooks' ) );
		$this->assertStringNotContainsString( 't0p-s3cret', wp_json_encode( $list->get_data() ) );

		// The edit form sends the masked lines back, plus one change: stored values survive.
		$this->webhooks->update( $id, array( 'headers' => "Authorization: ••••••\nX-Tenant: globex" ) );
		$this->assertSame( array( 'Authorization' => 'Bearer t0p-s3cret', 'X-Tenant' => 'globex' ), umw_get_webhook( $id )['headers'] );
		try {
			$this->webhooks->update( $id, array( 'headers' => 'X-New: ••••••' ) );
			$this->fail( 'a mask for a header never stored was accepted' );
		} catch ( \ValueError $e ) {
			$this->assertStringContainsString( 'no stored value to keep', $e->getMessage() );
		}
	}

	public function test_the_secret_is_never_parked_in_the_database(): void {
		global $wpdb;
		$hook = $this->create_webhook( array( 'url' => 'https://example.com/s' ) );
		// What the Add/Rotate handlers leave for the next page: a flag, not the secret.
		Notices::put( Actions::STASH_REVEAL . '_' . $hook['id'], '1' );
		$secret_body = substr( (string) $hook['secret'], 6 );
		$found       = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->sitemeta} WHERE meta_value LIKE %s", '%' . $wpdb->esc_like( $secret_body ) . '%' ) );
		$this->assertSame( 0, $found, 'the secret is not in wp_sitemeta' );
		$html = $this->render( static fn() => \Umw\Admin\WebhookTools::render_secret( (int) $hook['id'] ) );
		$this->assertStringContainsString( esc_html( (string) $hook['secret'] ), $html, 'shown once, read from the extension' );
		$this->assertSame( '', $this->render( static fn() => \Umw\Admin\WebhookTools::render_secret( (int) $hook['id'] ) ) );
	}
}
