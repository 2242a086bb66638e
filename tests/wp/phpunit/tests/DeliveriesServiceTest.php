<?php

namespace Umw\Tests;

use Umw\Service\Deliveries;
use Umw\Service\Events;
use Umw\Service\NotFoundException;
use Umw\Service\Queue;

final class DeliveriesServiceTest extends TestCase {

	private static ?Receiver $receiver = null;

	public static function setUpBeforeClass(): void {
		self::$receiver = Receiver::start();
	}

	public static function tearDownAfterClass(): void {
		self::$receiver?->stop();
		self::$receiver = null;
	}

	private function wait_delivery( string $webhook_status, int $webhook_id, float $timeout = 15.0 ): array {
		$deliveries = new Deliveries();
		$end        = microtime( true ) + $timeout;
		do {
			umw_work( 1.0 );
			$rows = $deliveries->list( array( 'webhook_id' => $webhook_id, 'status' => $webhook_status ) );
			if ( $rows ) {
				return $rows;
			}
			usleep( 200000 );
		} while ( microtime( true ) < $end );
		return array();
	}

	public function test_emit_deliver_filter_resend(): void {
		$marker = 'dlv-' . wp_generate_password( 10, false );
		$hook   = $this->create_webhook( array( 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'site_published' ), 'format' => 'envelope', 'headers' => array( 'X-Tenant' => 'acme' ) ) );
		$id     = ( new Events() )->emit( 'site_published', array( 'marker' => $marker ) );
		$this->assertMatchesRegularExpression( '/^msg_/', $id );

		$rows = $this->wait_delivery( 'delivered', (int) $hook['id'] );
		$this->assertNotEmpty( $rows, 'delivered' );
		$this->assertSame( $id, $rows[0]['message_id'] );
		$req = self::$receiver->wait_for( static fn( $r ) => str_contains( $r['body'], $marker ) );
		$this->assertNotNull( $req );
		$this->assertSame( 'acme', $req['headers']['x-tenant'] );
		$body = json_decode( $req['body'], true );
		$this->assertSame( 'site_published', $body['type'], 'envelope format' );
		$this->assertSame( $marker, $body['data']['marker'] );

		$service = new Deliveries();
		$this->assertNotEmpty( $service->list( array( 'message_id' => $id ) ) );
		$this->assertNotEmpty( $service->list( array( 'event' => 'site_published', 'webhook_id' => $hook['id'] ) ) );
		$this->assertEmpty( $service->list( array( 'event' => 'payment_received', 'webhook_id' => $hook['id'] ) ) );
		$this->assertCount( 1, $service->list( array( 'webhook_id' => $hook['id'], 'limit' => 1 ) ) );

		$one = $service->get( $rows[0]['id'] );
		$this->assertSame( $marker, Deliveries::decoded_payload( $one )['data']['marker'] ?? Deliveries::decoded_payload( $one )['marker'] );
		$this->assertTrue( $service->resend( $rows[0]['id'] ) );
		$end = microtime( true ) + 15;
		do {
			umw_work( 1.0 );
			$count = count( array_filter( self::$receiver->requests(), static fn( $r ) => str_contains( $r['body'], $marker ) ) );
		} while ( $count < 2 && microtime( true ) < $end && ! usleep( 200000 ) );
		$this->assertGreaterThanOrEqual( 2, $count, 'resent' );
	}

	public function test_replay_failed(): void {
		$hook = $this->create_webhook( array( 'url' => self::$receiver->url( '/fail' ), 'events' => array( 'payment_received' ) ) );
		$test = $this->webhooks->send_test( (int) $hook['id'] );
		$this->assertFalse( $test['ok'] );
		$service = new Deliveries();
		$n       = $service->replay( (int) $hook['id'], time() - HOUR_IN_SECONDS );
		$this->assertIsInt( $n );
		$this->assertSame( 0, $service->replay( (int) $hook['id'], '2999-01-01' ) );
		$this->expectException( \ValueError::class );
		$service->replay( (int) $hook['id'], 'not a date' );
	}

	public function test_errors(): void {
		$service = new Deliveries();
		try {
			$service->get( 'dlv_doesnotexist000' );
			$this->fail();
		} catch ( NotFoundException $e ) {
			$this->assertStringContainsString( 'dlv_doesnotexist000', $e->getMessage() );
		}
		try {
			$service->get( '../../etc/passwd' );
			$this->fail();
		} catch ( NotFoundException $e ) {
			$this->assertTrue( true );
		}
		try {
			$service->replay( 987654321, time() );
			$this->fail();
		} catch ( NotFoundException $e ) {
			$this->assertTrue( true );
		}
		$this->expectException( \ValueError::class );
		$service->list( array( 'status' => 'weird' ) );
	}

	public function test_queue(): void {
		$queue = new Queue();
		$stats = $queue->status();
		$this->assertArrayHasKey( 'version', $stats );
		$work = $queue->work( 0.5 );
		foreach ( array( 'attempted', 'delivered', 'failed', 'retrying', 'remaining' ) as $k ) {
			$this->assertArrayHasKey( $k, $work );
		}
		$this->expectException( \ValueError::class );
		$queue->work( -1 );
	}

	public function test_emit_validation(): void {
		$this->expectException( \ValueError::class );
		( new Events() )->emit( '*' );
	}
}
