<?php

namespace Umw\Tests;

use Umw\Admin\DisabledNotice;
use Umw\Admin\SiteHealth;
use Umw\Admin\SiteHealthChecks;
use Umw\Service\DisabledAlerts;
use Umw\Service\Events;

/**
 * Site Health tests and info section; the email when a webhook is auto-disabled; the one
 * dismissible notice (issue 13 item 13 and "beyond WooCommerce").
 */
final class SiteHealthAndAlertsTest extends TestCase {

	use WithReceiver;

	/** @var list<array<string,mixed>> */
	private array $mails = array();

	protected function setUp(): void {
		parent::setUp();
		add_filter( 'wp_mail', array( $this, 'capture' ) );
	}

	protected function tearDown(): void {
		remove_filter( 'wp_mail', array( $this, 'capture' ) );
		parent::tearDown();
	}

	/**
	 * @param array<string,mixed> $mail
	 * @return array<string,mixed>
	 */
	public function capture( $mail ) {
		$this->mails[] = $mail;
		return $mail;
	}

	private function disabled_webhook(): array {
		$hook = $this->create_webhook( array( 'name' => 'Gone ' . wp_generate_password( 6, false ), 'url' => self::$receiver->url( '/gone' ), 'events' => array( 'payment_received' ) ) );
		( new Events() )->emit( 'payment_received', array( 'n' => 1 ) );
		umw_flush( 5.0 );
		$end = microtime( true ) + 15;
		while ( empty( $this->webhooks->get( (int) $hook['id'] )['disabled_at'] ) && microtime( true ) < $end ) {
			umw_work( 1.0 );
		}
		$hook = $this->webhooks->get( (int) $hook['id'] );
		$this->assertNotEmpty( $hook['disabled_at'], 'HTTP 410 disabled the webhook' );
		return $hook;
	}

	private function assert_result_shape( array $result, string $test ): void {
		foreach ( array( 'label', 'status', 'badge', 'description', 'actions', 'test' ) as $key ) {
			$this->assertArrayHasKey( $key, $result );
		}
		$this->assertContains( $result['status'], array( 'good', 'recommended', 'critical' ) );
		$this->assertSame( $test, $result['test'] );
	}

	public function test_site_health_registers_five_tests_and_an_info_section(): void {
		// The plugin registers these in wp-admin only (where Site Health runs); this is php-cli.
		if ( ! has_filter( 'site_status_tests', array( SiteHealth::class, 'tests' ) ) ) {
			SiteHealth::register();
		}
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		foreach ( array( 'umw_extension', 'umw_store', 'umw_backlog', 'umw_webhooks', 'umw_worker' ) as $id ) {
			$this->assertArrayHasKey( $id, $tests['direct'] );
			$result = call_user_func( $tests['direct'][ $id ]['test'] );
			$this->assert_result_shape( $result, $id );
		}
		$extension = SiteHealthChecks::extension();
		$this->assertSame( 'good', $extension['status'] );
		$this->assertStringContainsString( UMW_VERSION, $extension['label'] );
		$store  = umw_stats()['store'];
		$result = SiteHealthChecks::store();
		$this->assertSame( $store['private'] && ! $store['warnings'] ? 'good' : 'recommended', $result['status'], 'writable, outside the web root; private as the extension says' );
		foreach ( $store['warnings'] as $warning ) {
			$this->assertStringContainsString( esc_html( $warning ), $result['description'] );
		}
		$this->assertSame( 'good', SiteHealthChecks::worker()['status'] );

		$info = apply_filters( 'debug_information', array() );
		$this->assertArrayHasKey( 'umw', $info );
		foreach ( array( 'extension', 'plugin', 'store', 'webhooks', 'queue', 'last_7_days', 'umw.retry_schedule' ) as $field ) {
			$this->assertArrayHasKey( $field, $info['umw']['fields'] );
		}
		$this->assertTrue( $info['umw']['fields']['store']['private'], 'the store path is not copied into public reports' );
	}

	public function test_a_disabled_webhook_turns_the_webhooks_test_critical_emails_once_and_shows_one_notice(): void {
		DisabledAlerts::check();
		$this->mails = array();
		$hook        = $this->disabled_webhook();

		$health = SiteHealthChecks::webhooks();
		$this->assertSame( 'critical', $health['status'] );
		$this->assertStringContainsString( esc_html( '"' . $hook['name'] . '"' ), $health['description'] );
		$this->assertStringContainsString( 'status=disabled', $health['actions'] );

		$this->assertSame( 1, DisabledAlerts::check() );
		$this->assertCount( 1, $this->mails );
		$this->assertSame( get_site_option( 'admin_email' ), $this->mails[0]['to'] );
		$this->assertStringContainsString( $hook['name'], $this->mails[0]['subject'] );
		$this->assertStringContainsString( (string) $hook['disabled_reason'], $this->mails[0]['message'] );
		$this->assertStringContainsString( 'action=edit&id=' . $hook['id'], $this->mails[0]['message'] );
		$this->assertSame( 0, DisabledAlerts::check(), 'once per disabling' );

		// Filterable: change the recipient, or skip.
		$second = $this->disabled_webhook();
		$skip   = static fn() => false;
		add_filter( 'umw_disabled_webhook_email', $skip );
		$this->assertSame( 0, DisabledAlerts::check() );
		remove_filter( 'umw_disabled_webhook_email', $skip );
		$this->assertCount( 1, $this->mails );

		// One notice for both, dismissible until another webhook is disabled.
		delete_user_meta( get_current_user_id(), DisabledNotice::META );
		$html = $this->render( array( DisabledNotice::class, 'render' ) );
		$this->assertSame( 1, substr_count( $html, 'id="umw-disabled-notice"' ) );
		$this->assertStringContainsString( 'is-dismissible', $html );
		$this->assertStringContainsString( esc_html( $hook['name'] ), $html );
		$this->assertStringContainsString( esc_html( $second['name'] ), $html );
		$this->assertMatchesRegularExpression( '/\d+ webhooks were disabled by umw/', $html );
		$dismiss = new \ReflectionMethod( DisabledNotice::class, 'dismiss' );
		$dismiss->setAccessible( true );
		$dismiss->invoke( null );
		$this->assertSame( '', $this->render( array( DisabledNotice::class, 'render' ) ), 'dismissed' );
		$this->disabled_webhook();
		$this->assertStringContainsString( 'id="umw-disabled-notice"', $this->render( array( DisabledNotice::class, 'render' ) ), 'back when another is disabled' );
	}

	public function test_an_old_backlog_is_reported(): void {
		$this->assertSame( SiteHealth::SLOW_AGE, 15 * MINUTE_IN_SECONDS );
		$result = SiteHealthChecks::backlog();
		$this->assert_result_shape( $result, 'umw_backlog' );
		$status = ( new \Umw\Service\Queue() )->status();
		$age    = $status['oldest_backlog_at'] ? time() - $status['oldest_backlog_at'] : 0;
		$this->assertSame( $age >= SiteHealth::SLOW_AGE && $status['backlog'] ? 'recommended' : 'good', 'critical' === $result['status'] ? 'recommended' : $result['status'] );
	}
}
