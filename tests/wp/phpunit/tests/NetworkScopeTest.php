<?php
/**
 * A multi-network install: each network's admin sees and manages its own webhooks, and events
 * emitted from a network reach only that network's webhooks.
 */

namespace Umw\Tests;

use Umw\Service\Deliveries;
use Umw\Service\Events;
use Umw\Service\NotFoundException;

final class NetworkScopeTest extends TestCase {

	public function test_webhooks_and_events_stay_in_their_network(): void {
		$this->assertSame( 1, \Umw\Service\Webhooks::network() );
		$mine  = $this->webhooks->create(
			array(
				'name'   => 'network one',
				'url'    => 'https://one.example/hook',
				'events' => array( 'payment_received' ),
			)
		);
		$this->created[] = (int) $mine['id'];
		$this->assertSame( 1, $mine['network_id'] );
		// A webhook of network 2 (created there, or by the Ultimate Multisite sync of network 2).
		$theirs          = umw_register_webhook(
			array(
				'name'       => 'network two',
				'url'        => 'https://two.example/hook',
				'events'     => array( 'payment_received' ),
				'network_id' => 2,
			)
		);
		$ids = array_column( $this->webhooks->list(), 'id' );
		$this->assertContains( (int) $mine['id'], $ids );
		$this->assertNotContains( $theirs, $ids, 'another network\'s webhook is not listed here' );
		$this->assertFalse( $this->webhooks->exists( $theirs ) );
		try {
			$this->webhooks->get( $theirs );
			$this->fail( 'another network\'s webhook must not be readable here' );
		} catch ( NotFoundException $e ) {
			$this->assertStringContainsString( (string) $theirs, $e->getMessage() );
		}
		// An event emitted from this network fans out to this network's webhook only.
		$message = ( new Events() )->emit( 'payment_received', array( 'n' => 1 ) );
		umw_flush( 5 );
		$deliveries = umw_deliveries( array( 'message_id' => $message ) );
		$this->assertSame( array( (int) $mine['id'] ), array_column( $deliveries, 'webhook_id' ) );
		$this->assertSame( 0, ( new Deliveries() )->count( array( 'webhook_id' => $theirs ) ) );
		umw_delete_webhook( $theirs );
	}
}
