<?php

namespace WP_Ultimo\Managers {
	if ( ! class_exists( Webhook_Manager::class, false ) ) {
		/**
		 * In-process stand-in for UM's Webhook_Manager (the full double is tests/wp/lib/um-double, used by
		 * UltimateMultisiteTest in separate processes): records calls to its sender and per-webhook sender.
		 */
		class Webhook_Manager {
			public array $calls = array();

			public function send_webhooks( $payload = array() ) {
				$this->calls[] = array( 'send_webhooks', current_action(), $payload );
			}

			public function send_webhook( $webhook, $data, $blocking = true, $count = true ) {
				$this->calls[] = array( 'send_webhook', $webhook, $data );
			}

			public function unrelated( $payload = array() ) {
				$this->calls[] = array( 'unrelated', current_action(), $payload );
			}
		}
	}
}

namespace Umw\Tests {

	use Umw\UltimateMultisite\Dispatch;
	use Umw\UltimateMultisite\SenderProxy;
	use Umw\UltimateMultisite\Settings;
	use Umw\UltimateMultisite\Takeover;
	use WP_Ultimo\Managers\Webhook_Manager;

	final class BridgeTest extends TestCase {

		private const HOOK = 'wu_event_umw_bridge_test';

		protected function tearDown(): void {
			remove_all_actions( self::HOOK );
			remove_all_filters( 'umw_bridge_enabled' );
			remove_all_filters( 'umw_replace_um_sender' );
			parent::tearDown();
		}

		public function test_bridge_hooks_are_registered(): void {
			$this->assertSame( -1000, has_action( 'wu_event', array( Dispatch::class, 'prepare' ) ) );
			$this->assertSame( 10, has_action( 'wu_event', array( Dispatch::class, 'emit' ) ) );
			$this->assertNotFalse( has_action( 'init', array( \Umw\Bridge\UltimateMultisite::class, 'take_over_um_senders' ) ) );
			$this->assertNotFalse( has_action( 'wu_webhook_post_save', array( \Umw\Bridge\UltimateMultisite::class, 'on_um_webhook_changed' ) ) );
			$this->assertNotFalse( has_action( 'wu_webhook_post_delete', array( \Umw\Bridge\UltimateMultisite::class, 'on_um_webhook_changed' ) ) );
			$this->assertSame( 1, has_action( 'wp_ajax_wu_send_test_event', array( \Umw\UltimateMultisite\TestEvent::class, 'handle' ) ) );
		}

		public function test_um_sender_is_replaced_by_a_proxy_at_its_priority_and_others_stay(): void {
			$manager = new Webhook_Manager();
			add_action( self::HOOK, array( $manager, 'send_webhooks' ), 15 );
			add_action( self::HOOK, array( $manager, 'unrelated' ) );
			$this->assertSame( 1, Takeover::replace( self::HOOK ) );
			$this->assertFalse( has_action( self::HOOK, array( $manager, 'send_webhooks' ) ) );
			$this->assertSame( 10, has_action( self::HOOK, array( $manager, 'unrelated' ) ) );
			$proxies = $GLOBALS['wp_filter'][ self::HOOK ]->callbacks[15] ?? array();
			$this->assertCount( 1, $proxies );
			$this->assertInstanceOf( SenderProxy::class, array_values( $proxies )[0]['function'][0] );
			$this->assertSame( 0, Takeover::replace( self::HOOK ), 'idempotent' );
		}

		public function test_a_proxy_runs_um_sender_in_full_when_umw_did_not_take_the_event(): void {
			$manager = new Webhook_Manager();
			add_action( self::HOOK, array( $manager, 'send_webhooks' ) );
			Takeover::replace( self::HOOK );
			// `wu_event_*` fired without `wu_event` (umw never saw it): UM's sender, exactly.
			do_action( self::HOOK, array( 'a' => 1 ) );
			$this->assertSame( array( array( 'send_webhooks', self::HOOK, array( 'a' => 1 ) ) ), $manager->calls );
		}

		public function test_replace_um_sender_false_keeps_um_untouched(): void {
			add_filter( 'umw_replace_um_sender', '__return_false' );
			$manager = new Webhook_Manager();
			add_action( self::HOOK, array( $manager, 'send_webhooks' ) );
			$this->assertSame( 0, Takeover::replace( self::HOOK ) );
			$this->assertSame( 10, has_action( self::HOOK, array( $manager, 'send_webhooks' ) ) );
		}

		public function test_is_um_sender(): void {
			$this->assertTrue( Takeover::is_um_sender( array( new Webhook_Manager(), 'send_webhooks' ) ) );
			$this->assertTrue( Takeover::is_um_sender( array( '\WP_Ultimo\Managers\Webhook_Manager', 'send_webhooks' ) ) );
			$this->assertFalse( Takeover::is_um_sender( array( new Webhook_Manager(), 'unrelated' ) ) );
			$this->assertFalse( Takeover::is_um_sender( array( new \stdClass(), 'send_webhooks' ) ) );
			$this->assertFalse( Takeover::is_um_sender( 'send_webhooks' ) );
		}

		public function test_bridge_switch_is_per_network_and_filterable(): void {
			$this->assertTrue( Settings::bridge_enabled( 1 ) );
			Settings::set_bridge_enabled( 1, false );
			try {
				$this->assertFalse( Settings::bridge_enabled( 1 ) );
				add_filter( 'umw_bridge_enabled', static fn( $on, $network ) => 1 === $network, 10, 2 );
				$this->assertTrue( Settings::bridge_enabled( 1 ) );
			} finally {
				delete_network_option( 1, Settings::OPTION );
			}
		}

		public function test_bad_events_never_break_the_request(): void {
			do_action( 'wu_event', '', array() );
			do_action( 'wu_event', 'payment_received', 'not-an-array' );
			do_action( 'wu_event', array( 'not a slug' ), array() );
			$this->assertNull( Dispatch::take( 'payment_received' ), 'a payload umw cannot take is left to UM' );
		}
	}
}
