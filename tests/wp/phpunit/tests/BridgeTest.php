<?php

namespace WP_Ultimo\Managers {
	if ( ! class_exists( Webhook_Manager::class, false ) ) {
		/**
		 * Stand-in for Ultimate Multisite's Webhook_Manager: records send_webhooks calls.
		 */
		class Webhook_Manager {
			public array $calls = array();

			public function send_webhooks( $payload = array() ) {
				$this->calls[] = array( current_action(), $payload );
			}

			public function unrelated( $payload = array() ) {
				$this->calls[] = array( 'unrelated', $payload );
			}
		}
	}
}

namespace Umw\Tests {

	use Umw\Bridge\UltimateMultisite;
	use WP_Ultimo\Managers\Webhook_Manager;

	final class BridgeTest extends TestCase {

		private static ?Receiver $receiver = null;

		public static function setUpBeforeClass(): void {
			self::$receiver = Receiver::start();
		}

		public static function tearDownAfterClass(): void {
			self::$receiver?->stop();
			self::$receiver = null;
		}

		public function test_bridge_hooks_are_registered(): void {
			$this->assertNotFalse( has_action( 'wu_event', array( UltimateMultisite::class, 'on_event' ) ) );
			$this->assertNotFalse( has_action( 'init', array( UltimateMultisite::class, 'remove_all_um_senders' ) ) );
		}

		public function test_um_event_goes_to_umw_and_um_sender_is_removed(): void {
			$marker = 'bridge-' . wp_generate_password( 12, false );
			$hook   = $this->create_webhook( array( 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'payment_received' ) ) );

			$manager = new Webhook_Manager();
			add_action( 'wu_event_payment_received', array( $manager, 'send_webhooks' ) );
			add_action( 'wu_event_site_published', array( $manager, 'send_webhooks' ), 20 );
			add_action( 'wu_event_payment_received', array( $manager, 'unrelated' ) );

			$removed = UltimateMultisite::remove_um_sender();
			$this->assertGreaterThanOrEqual( 2, $removed );
			$this->assertFalse( has_action( 'wu_event_payment_received', array( $manager, 'send_webhooks' ) ) );
			$this->assertFalse( has_action( 'wu_event_site_published', array( $manager, 'send_webhooks' ) ) );
			$this->assertNotFalse( has_action( 'wu_event_payment_received', array( $manager, 'unrelated' ) ), 'other callbacks stay' );
			remove_action( 'wu_event_payment_received', array( $manager, 'unrelated' ) );

			// Registered late (after init): removed right before UM dispatches.
			add_action( 'wu_event_payment_received', array( $manager, 'send_webhooks' ) );

			$payload = array( 'payment_id' => 42, 'marker' => $marker );
			// As Ultimate Multisite's Event_Manager::do_event() fires them.
			do_action( 'wu_event', 'payment_received', $payload );
			do_action( 'wu_event_payment_received', $payload );

			$this->assertSame( array(), $manager->calls, "UM's inline sender was not called" );

			umw_flush( 10.0 );
			$req = self::$receiver->wait_for( static fn( $r ) => str_contains( $r['body'], $marker ), 15.0 );
			if ( null === $req ) {
				umw_work( 5.0 );
				$req = self::$receiver->wait_for( static fn( $r ) => str_contains( $r['body'], $marker ), 5.0 );
			}
			$this->assertNotNull( $req, 'umw delivered the UM event to the receiver' );
			$this->assertSame( 'payment_received', $req['headers']['x-umw-event'] );
			$body = json_decode( $req['body'], true );
			$this->assertSame( 42, $body['payment_id'] );

			$deliveries = umw_deliveries( array( 'webhook_id' => (int) $hook['id'] ) );
			$this->assertNotEmpty( $deliveries );
			$this->assertSame( 'payment_received', $deliveries[0]['event'] );
		}

		public function test_is_um_sender(): void {
			$this->assertTrue( UltimateMultisite::is_um_sender( array( new Webhook_Manager(), 'send_webhooks' ) ) );
			$this->assertTrue( UltimateMultisite::is_um_sender( array( '\WP_Ultimo\Managers\Webhook_Manager', 'send_webhooks' ) ) );
			$this->assertFalse( UltimateMultisite::is_um_sender( array( new Webhook_Manager(), 'unrelated' ) ) );
			$this->assertFalse( UltimateMultisite::is_um_sender( array( new \stdClass(), 'send_webhooks' ) ) );
			$this->assertFalse( UltimateMultisite::is_um_sender( 'send_webhooks' ) );
		}

		public function test_bad_event_never_breaks_the_request(): void {
			do_action( 'wu_event', '', array() );
			do_action( 'wu_event', 'payment_received', 'not-an-array' );
			$this->assertTrue( true );
		}
	}
}
