<?php

namespace Umw\Tests;

/**
 * `wp umw delivery|queue|stats …` under the real WP-CLI 2.10 (issue 13 items 1, 6, 11; prune; stats).
 */
final class CliDeliveryTest extends TestCase {

	use WithReceiver;

	/**
	 * A webhook with two test deliveries.
	 *
	 * @return array{0:int,1:list<string>}
	 */
	private function webhook_with_deliveries(): array {
		$hook = $this->create_webhook( array( 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'payment_received' ) ) );
		$ids  = array();
		for ( $i = 0; $i < 2; $i++ ) {
			$ids[] = $this->webhooks->send_test( (int) $hook['id'] )['delivery_id'];
		}
		return array( (int) $hook['id'], $ids );
	}

	public function test_list_in_every_format_without_fields(): void {
		list( $id, $ids ) = $this->webhook_with_deliveries();
		$json             = WpCli::json( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--format=json' ) );
		$this->assertCount( 2, $json );
		$this->assertSame( array( 'id', 'event', 'webhook', 'status', 'attempts', 'last_status_code', 'created_at' ), array_keys( $json[0] ) );
		$this->assertSame( 200, $json[0]['last_status_code'] );
		$this->assertSame( 1, $json[0]['attempts'] );
		$this->assertSame( 'delivered', $json[0]['status'] );
		$this->assertSame( $this->webhooks->get( $id )['name'], $json[0]['webhook'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $json[0]['created_at'] );
		$this->assertEqualsCanonicalizing( $ids, array_column( $json, 'id' ) );

		$csv = WpCli::run( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--format=csv' ) );
		$this->assertStringStartsWith( 'id,event,webhook,status,attempts,last_status_code,created_at', $csv['stdout'] );
		$this->assertSame( 3, count( array_filter( explode( "\n", $csv['stdout'] ) ) ) );
		$yaml = WpCli::run( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--format=yaml' ) );
		$this->assertMatchesRegularExpression( '/^  last_status_code: 200$/m', $yaml['stdout'] );
		$ids_out = WpCli::run( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--format=ids' ) );
		$this->assertEqualsCanonicalizing( $ids, explode( ' ', trim( $ids_out['stdout'] ) ) );
		$count = WpCli::run( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--format=count', '--limit=1' ) );
		$this->assertSame( '2', trim( $count['stdout'] ), 'count counts every match, not the page' );
		$payload = WpCli::json( array( 'umw', 'delivery', 'list', '--webhook=' . $id, '--fields=id,is_test,payload', '--format=json' ) );
		$this->assertTrue( $payload[0]['is_test'] );
		$this->assertArrayHasKey( 'payment_id', $payload[0]['payload'] );

		$bad = WpCli::run( array( 'umw', 'delivery', 'list', '--status=bogus' ) );
		$this->assertSame( 1, $bad['code'] );
		$this->assertStringContainsString( 'Invalid value specified for \'status\'', $bad['stderr'] );
	}

	public function test_get_resend_batch_and_replay(): void {
		list( $id, $ids ) = $this->webhook_with_deliveries();
		$one              = WpCli::json( array( 'umw', 'delivery', 'get', $ids[0], '--format=json' ) );
		$this->assertSame( $ids[0], $one['id'] );
		$this->assertArrayHasKey( 'payment_id', $one['payload'] );
		$this->assertSame( self::$receiver->url( '/ok' ), $one['attempts'][0]['url'] );
		$this->assertMatchesRegularExpression( '/T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $one['attempts'][0]['time'] );
		$payload = WpCli::json( array( 'umw', 'delivery', 'get', $ids[0], '--field=payload', '--format=json' ) );
		$this->assertArrayHasKey( 'payment_id', $payload );

		$r = WpCli::run( array( 'umw', 'delivery', 'resend', $ids[0], 'dlv_nosuch000', $ids[1] ) );
		$this->assertSame( 1, $r['code'] );
		$this->assertStringContainsString( 'Warning: Delivery dlv_nosuch000 not found.', $r['stderr'] );
		$this->assertStringContainsString( 'Error: Only resent 2 of 3 deliveries.', $r['stderr'] );
		$this->assertStringContainsString( "Queued {$ids[1]} again.", $r['stdout'], 'the id after the bad one was still done' );

		$this->webhooks->set_active( $id, false );
		$replay = WpCli::run( array( 'umw', 'delivery', 'replay', (string) $id, '--since=-1 day' ) );
		$this->assertSame( 1, $replay['code'] );
		$this->assertStringContainsString( 'Enable it first', $replay['stderr'] );
		$this->webhooks->set_active( $id, true );
		$replay = WpCli::run( array( 'umw', 'delivery', 'replay', (string) $id, '--since=' . wp_date( 'Y-m-d H:i', time() - HOUR_IN_SECONDS ) ) );
		$this->assertSame( 0, $replay['code'], $replay['stderr'] );
		$this->assertStringContainsString( 'Success: 0 failed deliveries queued again.', $replay['stdout'] );
		$bad = WpCli::run( array( 'umw', 'delivery', 'replay', (string) $id, '--since=yesterdayish' ) );
		$this->assertSame( 1, $bad['code'] );
		$this->assertStringContainsString( 'Invalid date/time "yesterdayish"', $bad['stderr'] );
	}

	public function test_prune_asks_and_reports(): void {
		$no = WpCli::run( array( 'umw', 'delivery', 'prune', '--older-than=3650' ), "n\n" );
		$this->assertStringContainsString( 'Delete log entries older than 3650 days?', $no['stdout'] );
		$this->assertStringNotContainsString( 'Pruned', $no['stdout'] );
		$json = WpCli::json( array( 'umw', 'delivery', 'prune', '--older-than=3650', '--yes', '--format=json' ) );
		foreach ( array( 'deliveries', 'attempts', 'messages' ) as $key ) {
			$this->assertIsInt( $json[ $key ] );
		}
		$table = WpCli::run( array( 'umw', 'delivery', 'prune', '--older-than=3650', '--yes' ) );
		$this->assertMatchesRegularExpression( '/^Success: Pruned \d+ deliveries, \d+ attempts and \d+ payloads\.$/m', $table['stdout'] );
		$bad = WpCli::run( array( 'umw', 'delivery', 'prune', '--older-than=0', '--yes' ) );
		$this->assertSame( 1, $bad['code'] );
	}

	public function test_queue_status_is_the_stores_and_fields_work(): void {
		$json = WpCli::json( array( 'umw', 'queue', 'status', '--format=json' ) );
		foreach ( array( 'pending', 'retrying', 'delivered', 'failed', 'backlog', 'oldest_backlog_at', 'webhooks', 'version', 'store' ) as $key ) {
			$this->assertArrayHasKey( $key, $json );
		}
		$stats = umw_stats();
		$this->assertSame( $stats['store_counts']['delivered'], $json['delivered'], 'store-wide, not this process\'s counters' );
		$pending = WpCli::run( array( 'umw', 'queue', 'status', '--field=pending' ) );
		$this->assertSame( 0, $pending['code'], $pending['stderr'] );
		$this->assertMatchesRegularExpression( '/^\d+$/', trim( $pending['stdout'] ) );
		$this->assertSame( (string) $stats['store_counts']['webhooks'], trim( WpCli::run( array( 'umw', 'queue', 'status', '--field=webhooks' ) )['stdout'] ) );
	}

	public function test_queue_work_reports_as_it_goes(): void {
		$hook = $this->create_webhook( array( 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'site_published' ) ) );
		$r    = WpCli::run( array( 'umw', 'queue', 'work', '--seconds=2' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertStringContainsString( 'Working for 2 seconds', $r['stdout'] );
		$this->assertMatchesRegularExpression( '/^Success: Attempted \d+: \d+ delivered, \d+ failed, \d+ retrying; \d+ remaining\.$/m', $r['stdout'] );
		$json = WpCli::json( array( 'umw', 'queue', 'work', '--format=json' ) );
		$this->assertSame( array( 'attempted', 'delivered', 'failed', 'retrying', 'remaining' ), array_keys( $json ) );
		$bad = WpCli::run( array( 'umw', 'queue', 'work', '--seconds=soon' ) );
		$this->assertSame( 1, $bad['code'] );
		$this->assertStringContainsString( '--seconds must be a number', $bad['stderr'] );
		unset( $hook );
	}

	public function test_stats_match_rest_and_the_dashboard_service(): void {
		list( $id ) = $this->webhook_with_deliveries();
		$cli        = WpCli::json( array( 'umw', 'stats', '--format=json', '--days=1' ) );
		$request    = new \WP_REST_Request( 'GET', '/umw/v1/stats' );
		$request->set_query_params( array( 'days' => 1 ) );
		$rest = rest_do_request( $request )->get_data()['totals'];
		foreach ( array( 'delivered', 'retrying', 'failed', 'attempts', 'success_rate', 'p50_ms', 'p95_ms' ) as $key ) {
			$this->assertSame( $rest[ $key ], $cli[ $key ], "stats $key: CLI = REST" );
		}
		$rows = WpCli::json( array( 'umw', 'stats', '--buckets', '--days=1', '--format=json' ) );
		$this->assertCount( 24, $rows );
		$this->assertSame( $cli['attempts'], array_sum( array_column( $rows, 'attempts' ) ) );
		$one = WpCli::json( array( 'umw', 'stats', '--webhook=' . $id, '--format=json' ) );
		$this->assertSame( 0, $one['attempts'], 'test sends are left out of the statistics' );
		$rate = WpCli::run( array( 'umw', 'stats', '--field=success_rate' ) );
		$this->assertSame( 0, $rate['code'], $rate['stderr'] );
		$this->assertSame( 1, WpCli::run( array( 'umw', 'stats', '--webhook=abc' ) )['code'] );
	}
}
