<?php

namespace Umw\Tests;

use Umw\Service\Deliveries;
use Umw\Service\Events;
use Umw\Service\Stats;

/**
 * One failing endpoint, watched through its whole life: retries, failed for good, counted as
 * deliveries (not attempts), replayed without its test send, refused while switched off, deleted
 * with its log (issue 13 items 4, 5, 10; the dashboard numbers).
 */
final class DeliveryLifecycleTest extends TestCase {

	use WithReceiver;

	private function work_until( callable $done, float $timeout = 20.0 ): bool {
		$end = microtime( true ) + $timeout;
		do {
			umw_work( 1.0 );
			if ( $done() ) {
				return true;
			}
		} while ( microtime( true ) < $end );
		return false;
	}

	public function test_a_failing_endpoint_from_first_attempt_to_replay_and_delete(): void {
		$deliveries = new Deliveries();
		$hook       = $this->create_webhook( array( 'url' => self::$receiver->url( '/fail' ), 'events' => array( 'payment_received' ) ) );
		$id         = (int) $hook['id'];
		$test       = $this->webhooks->send_test( $id );
		$this->assertFalse( $test['ok'] );
		( new Events() )->emit( 'payment_received', array( 'marker' => 'lifecycle' ) );
		umw_flush( 5.0 );
		$this->assertTrue(
			$this->work_until( fn() => 1 === $deliveries->count( array( 'webhook_id' => $id, 'status' => 'failed', 'is_test' => false ) ) && 2 === $deliveries->count( array( 'webhook_id' => $id, 'status' => 'failed' ) ) ),
			'the emitted delivery failed for good (retry schedule 1,2,4 s)'
		);

		// Item 10: deliveries, not attempts.
		$attempts = array_sum( array_map( static fn( $d ) => count( $d['attempts'] ), $deliveries->list( array( 'webhook_id' => $id ) ) ) );
		$this->assertGreaterThan( 2, $attempts, 'more attempts than deliveries' );
		$this->assertSame( array( 'delivered' => 0, 'failed' => 2 ), $deliveries->outcome_counts( array( $id ) )[ $id ] );

		// Dashboard numbers: test sends left out, every attempt of the real one counted by outcome.
		$totals = ( new Stats() )->get( $id, 1 )['totals'];
		$this->assertSame( 0, $totals['delivered'] );
		$this->assertSame( 1, $totals['failed'], 'the last attempt failed for good' );
		$this->assertGreaterThanOrEqual( 2, $totals['retrying'] );
		$this->assertSame( 0.0, (float) $totals['success_rate'] );
		$this->assertNotNull( $totals['p95_ms'] );

		// Item 4: switched off → replay refused, nothing queued.
		$this->webhooks->set_active( $id, false );
		try {
			$deliveries->replay( $id, '-1 hour' );
			$this->fail( 'replay of an inactive webhook accepted' );
		} catch ( \ValueError $e ) {
			$this->assertStringContainsString( 'Enable it first', $e->getMessage() );
		}
		$this->assertSame( 0, $deliveries->count( array( 'webhook_id' => $id, 'status' => 'pending' ) ) );

		// Active again, endpoint fixed: replay queues the real delivery, never the test send.
		$this->webhooks->update( $id, array( 'url' => self::$receiver->url( '/ok' ), 'active' => true ) );
		$this->assertSame( 1, $deliveries->replay( $id, '-1 hour' ) );
		$this->assertTrue( $this->work_until( fn() => 1 === $deliveries->count( array( 'webhook_id' => $id, 'status' => 'delivered' ) ) ) );
		$failed = $deliveries->list( array( 'webhook_id' => $id, 'status' => 'failed' ) );
		$this->assertCount( 1, $failed );
		$this->assertTrue( $failed[0]['is_test'], 'the test send stays failed: it is never replayed' );

		// Item 5: deleting says how much of the log goes with it, and it does go.
		$deleted = $this->webhooks->delete( $id );
		$this->assertSame( 2, $deleted['deliveries_deleted'] );
		$this->assertSame( 0, $deliveries->count( array( 'webhook_id' => $id ) ) );
	}

	public function test_a_410_disables_and_replay_then_says_so(): void {
		$hook = $this->create_webhook( array( 'url' => self::$receiver->url( '/gone' ), 'events' => array( 'payment_received' ) ) );
		$id   = (int) $hook['id'];
		( new Events() )->emit( 'payment_received', array( 'n' => 1 ) );
		umw_flush( 5.0 );
		$this->assertTrue( $this->work_until( fn() => ! empty( $this->webhooks->get( $id )['disabled_at'] ) ), '410 disabled the webhook' );
		try {
			( new Deliveries() )->replay( $id, '-1 hour' );
			$this->fail( 'replay of a disabled webhook accepted' );
		} catch ( \ValueError $e ) {
			$this->assertStringContainsString( 'is disabled', $e->getMessage() );
		}
		$after = $this->webhooks->set_active( $id, true );
		$this->assertTrue( $after['was_disabled'] );
		$this->assertEmpty( $after['disabled_at'] );
	}
}
