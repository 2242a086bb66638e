<?php

namespace Umw\Tests;

use Umw\Admin\Actions;
use Umw\Admin\Admin;
use Umw\Admin\DeliveriesPage;
use Umw\Admin\DisabledNotice;
use Umw\Admin\Notices;
use Umw\Admin\TestResultView;
use Umw\Admin\WebhookForm;
use Umw\Admin\WebhooksListTable;
use Umw\Admin\WebhooksPage;

/**
 * Renders the admin screens in-process (no HTTP) to check escaping and content.
 */
final class AdminRenderTest extends TestCase {

	private const XSS = '<script>alert("umw-xss")</script>';

	private static ?Receiver $receiver = null;

	public static function setUpBeforeClass(): void {
		self::$receiver = Receiver::start();
	}

	public static function tearDownAfterClass(): void {
		self::$receiver?->stop();
		self::$receiver = null;
	}

	protected function setUp(): void {
		parent::setUp();
		set_current_screen( 'toplevel_page_umw-webhooks-network' );
		$_GET = $_REQUEST = array();
	}

	protected function tearDown(): void {
		$_GET = $_REQUEST = array();
		parent::tearDown();
	}

	private function assert_no_raw_script( string $html ): void {
		$this->assertStringNotContainsString( '<script>alert("umw-xss")', $html );
		$this->assertStringNotContainsString( 'alert("umw-xss")</script>', $html );
	}

	public function test_list_table_escapes_and_shows_columns(): void {
		$hook = $this->create_webhook(
			array(
				'name'   => self::XSS,
				'url'    => 'https://example.com/a?x=<b>&y="z"',
				'events' => array( 'payment_received' ),
			)
		);
		$table = new WebhooksListTable( $this->webhooks, 'umw-xss' );
		$table->prepare_items();
		$html = $this->render( array( $table, 'display' ) );
		$this->assert_no_raw_script( $html );
		$this->assertStringContainsString( '&lt;script&gt;alert(', $html );
		foreach ( array( 'Name', 'URL', 'Events', 'Status', 'Deliveries', 'Last delivery', 'ID' ) as $col ) {
			$this->assertStringContainsString( $col, $html );
		}
		$this->assertStringContainsString( 'name="webhook[]" value="' . $hook['id'] . '"', $html );
		$this->assertStringContainsString( 'Send Test Event', $html );
		$this->assertStringContainsString( 'action=' . Actions::TEST, $html );
		$this->assertStringContainsString( 'action=' . Actions::DELETE, $html );
		$this->assertStringContainsString( '_wpnonce=' . wp_create_nonce( Actions::DELETE . '_' . $hook['id'] ), html_entity_decode( $html ) );
		$this->assertStringContainsString( 'bulk-action-selector-top', $html );
		$this->assertStringContainsString( wp_create_nonce( WebhooksPage::BULK_NONCE ), $html );
	}

	public function test_list_page_renders_with_search_and_the_hook_for_the_import_box(): void {
		$this->create_webhook( array( 'name' => 'findme-' . self::XSS, 'url' => 'https://example.com/b' ) );
		$_GET['s'] = $_REQUEST['s'] = 'findme';
		$box       = static function (): void {
			echo '<div id="box-from-another-module"></div>';
		};
		add_action( 'umw_webhooks_list_after', $box );
		try {
			$html = $this->render( array( WebhooksPage::class, 'render' ) );
		} finally {
			remove_action( 'umw_webhooks_list_after', $box );
		}
		$this->assert_no_raw_script( $html );
		$this->assertStringNotContainsString( 'umw-import-form', $html, 'the import box is no longer drawn here' );
		$this->assertMatchesRegularExpression( '#</form>\s*<div id="box-from-another-module"></div>#', $html, 'umw_webhooks_list_after fires after the list' );
		$this->assertStringContainsString( 'umw-webhook-search', $html );
		$this->assertStringContainsString( 'findme-&lt;script&gt;', $html );
	}

	public function test_form_escapes_values_and_shows_secret_once(): void {
		$hook = $this->create_webhook(
			array(
				'name'    => self::XSS,
				'url'     => 'https://example.com/c',
				'headers' => array( 'X-Note' => '</textarea><script>alert("umw-xss")</script>' ),
				'events'  => array( 'payment_received' ),
			)
		);
		Notices::put( Actions::STASH_REVEAL . '_' . $hook['id'], '1' );
		$html = $this->render( static fn() => WebhookForm::render( umw_get_webhook( (int) $hook['id'] ) ) );
		$this->assert_no_raw_script( $html );
		$this->assertStringNotContainsString( 'textarea&gt;', $html, 'header values are masked, not shown' );
		$this->assertStringContainsString( 'X-Note: ••••••', $html );
		$this->assertStringContainsString( 'id="umw-secret"', $html );
		$this->assertStringContainsString( esc_html( $hook['secret'] ), $html );
		foreach ( array( Actions::FIELD_NAME, Actions::FIELD_URL, Actions::FIELD_EVENTS . '[]', Actions::FIELD_ACTIVE, Actions::FIELD_FORMAT, Actions::FIELD_HEADERS ) as $field ) {
			$this->assertStringContainsString( 'name="' . $field . '"', $html );
		}
		$this->assertStringContainsString( 'All events', $html );
		$this->assertStringContainsString( 'id="umw-sample-preview"', $html );
		$this->assertStringContainsString( 'id="umw-rotate-form"', $html );
		$this->assertStringContainsString( 'id="umw-test-form"', $html );
		// The inline script's JSON cannot close the <script> element.
		preg_match_all( '#<script[^>]*>(.*?)</script>#s', $html, $m );
		$this->assertNotEmpty( $m[1] );
		foreach ( $m[1] as $js ) {
			$this->assertStringNotContainsString( '<', $js );
		}

		$again = $this->render( static fn() => WebhookForm::render( umw_get_webhook( (int) $hook['id'] ) ) );
		$this->assertStringNotContainsString( 'id="umw-secret"', $again, 'the secret is shown once' );
		$this->assertStringNotContainsString( $hook['secret'], $again );
	}

	public function test_new_form(): void {
		$_GET['action'] = $_REQUEST['action'] = 'new';
		$html           = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertStringContainsString( 'id="umw-webhook-form"', $html );
		$this->assertStringContainsString( 'name="' . Actions::FIELD_ID . '" value="0"', $html );
		$this->assertStringContainsString( wp_create_nonce( Actions::SAVE ), $html );
		$this->assertStringNotContainsString( 'umw-rotate-form', $html );
	}

	public function test_test_result_view(): void {
		$ok = $this->render(
			static fn() => TestResultView::render_result(
				array(
					'ok'          => true,
					'status'      => 200,
					'headers'     => array( 'x-evil' => '<img src=x onerror=alert(1)>' ),
					'body'        => self::XSS,
					'duration_ms' => 12.4,
					'error'       => null,
					'delivery_id' => 'dlv_x',
					'message_id'  => 'msg_x',
				)
			)
		);
		$this->assertStringContainsString( 'notice-success', $ok );
		$this->assertStringContainsString( 'delivered — HTTP 200 in 12 ms', $ok );
		$this->assert_no_raw_script( $ok );
		$this->assertStringNotContainsString( '<img src=x', $ok );

		$fail = $this->render(
			static fn() => TestResultView::render_result(
				array(
					'ok'          => false,
					'status'      => null,
					'headers'     => array(),
					'body'        => '',
					'duration_ms' => 3,
					'error'       => 'connection refused',
				)
			)
		);
		$this->assertStringContainsString( 'notice-error', $fail );
		$this->assertStringContainsString( 'connection refused', $fail );
	}

	public function test_send_test_through_service_and_render_deliveries(): void {
		$hook   = $this->create_webhook( array( 'name' => 'fail ' . self::XSS, 'url' => self::$receiver->url( '/fail' ), 'events' => array( 'payment_received' ) ) );
		$result = $this->webhooks->send_test( (int) $hook['id'] );
		$this->assertFalse( $result['ok'] );
		$this->assertSame( 500, $result['status'] );
		$html = $this->render( static fn() => TestResultView::render_result( $result ) );
		$this->assertStringContainsString( 'notice-error', $html );
		$this->assertStringContainsString( 'HTTP 500', $html );
		$this->assertStringContainsString( '&lt;b&gt;boom&lt;/b&gt;', $html );

		set_current_screen( 'webhooks_page_umw-deliveries-network' );
		$_GET['webhook_id'] = $_REQUEST['webhook_id'] = (string) $hook['id'];
		$list               = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertStringContainsString( esc_html( $result['delivery_id'] ), $list );
		$this->assertStringContainsString( 'id="umw-replay-form"', $list );
		$this->assert_no_raw_script( $list );

		$_GET = $_REQUEST = array( 'delivery' => $result['delivery_id'] );
		$detail = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertStringContainsString( 'id="umw-resend-form"', $detail );
		$this->assertStringContainsString( '&lt;b&gt;boom&lt;/b&gt;', $detail );
		$this->assertStringNotContainsString( '<b>boom</b>', $detail );
		$this->assertStringContainsString( 'id="umw-delivery-payload"', $detail );
		$this->assertStringContainsString( wp_create_nonce( Actions::RESEND . '_' . $result['delivery_id'] ), $detail );
	}

	public function test_a_delivery_being_sent_shows_as_sending_now(): void {
		$hook = $this->create_webhook( array( 'name' => 'slow', 'url' => self::$receiver->url( '/slow' ), 'events' => array( 'payment_received' ) ) );
		umw_emit( 'payment_received', array( 'n' => 1 ) );
		set_current_screen( 'webhooks_page_umw-deliveries-network' );
		$_GET['webhook_id'] = $_REQUEST['webhook_id'] = (string) $hook['id'];
		// The receiver takes 2 s to answer: meanwhile the delivery is claimed and in flight.
		$until = microtime( true ) + 1.5;
		while ( true ) {
			$list = $this->render( array( DeliveriesPage::class, 'render' ) );
			if ( str_contains( $list, 'sending now' ) || microtime( true ) > $until ) {
				break;
			}
			usleep( 50000 );
		}
		$this->assertStringContainsString( 'sending now', $list );
		$this->assertTrue( umw_flush( 5.0 ) );
		$after = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertStringNotContainsString( 'sending now', $after );
		$this->assertStringContainsString( 'HTTP 200', $after );
	}

	public function test_disabled_webhook_notice(): void {
		$hook = $this->create_webhook( array( 'name' => 'gone ' . self::XSS, 'url' => self::$receiver->url( '/gone' ), 'events' => array( 'payment_received' ) ) );
		umw_emit( 'payment_received', array( 'n' => 1 ) );
		umw_flush( 10.0 );
		umw_work( 5.0 );
		$deadline = microtime( true ) + 10;
		while ( empty( $this->webhooks->get( (int) $hook['id'] )['disabled_at'] ) && microtime( true ) < $deadline ) {
			umw_work( 1.0 );
			usleep( 200000 );
		}
		$current = $this->webhooks->get( (int) $hook['id'] );
		if ( empty( $current['disabled_at'] ) ) {
			$this->markTestSkipped( 'the extension did not disable the webhook after HTTP 410 (yet)' );
		}
		delete_user_meta( get_current_user_id(), DisabledNotice::META );
		$html = $this->render( array( DisabledNotice::class, 'render' ) );
		$this->assertSame( 1, substr_count( $html, 'id="umw-disabled-notice"' ), 'one notice, however many are disabled' );
		$this->assertStringContainsString( 'gone &lt;script&gt;', $html );
		$this->assertStringContainsString( 'status=disabled', $html, 'links to the Disabled view' );
		$this->assert_no_raw_script( $html );

		$_GET['status'] = $_REQUEST['status'] = 'disabled';
		$table          = new WebhooksListTable( $this->webhooks );
		$table->prepare_items();
		$this->assertStringContainsString( 'umw-webhook-disabled', $this->render( array( $table, 'display' ) ) );

		$this->webhooks->set_active( (int) $hook['id'], true );
		$this->assertEmpty( $this->webhooks->get( (int) $hook['id'] )['disabled_at'] );
		$this->assertStringNotContainsString( 'gone &lt;script&gt;', $this->render( array( DisabledNotice::class, 'render' ) ) );
	}

	public function test_unprivileged_user_sees_no_notice_and_cannot_render(): void {
		$this->as_unprivileged();
		$this->assertSame( '', $this->render( array( DisabledNotice::class, 'render' ) ) );
		$this->assertFalse( \Umw\Plugin::current_user_can() );
	}
}
