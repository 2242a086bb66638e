<?php
/**
 * Ultimate Multisite, exactly (issue 11): a UM 2.4.10 double network-activated in the test WordPress, every
 * step a fresh PHP process (UmDouble::run), every delivery counted at a real receiver by marker.
 */

namespace Umw\Tests;

require_once dirname( __DIR__ ) . '/includes/UmDouble.php';

final class UltimateMultisiteTest extends TestCase {

	private static ?Receiver $receiver = null;

	public static function setUpBeforeClass(): void {
		self::$receiver = Receiver::start();
		UmDouble::deactivate();
		UmDouble::activate();
	}

	public static function tearDownAfterClass(): void {
		UmDouble::deactivate();
		self::$receiver?->stop();
		self::$receiver = null;
	}

	protected function setUp(): void {
		parent::setUp();
		UmDouble::activate();
		// Every test starts from an empty UM table and no copies.
		UmDouble::run( array( array( 'sql_delete_all' ) ) );
	}

	private static function url( string $path ): string {
		return self::$receiver->url( '/' . $path );
	}

	private static function marker( string $what ): string {
		return $what . '-' . wp_generate_password( 10, false );
	}

	/**
	 * Requests that carried $marker, waited for until $expect arrived (or the timeout).
	 *
	 * @return list<array>
	 */
	private static function arrivals( string $marker, int $expect = 1, float $timeout = 15.0 ): array {
		$end = microtime( true ) + $timeout;
		do {
			$got = array_values( array_filter( self::$receiver->requests(), static fn( $r ) => str_contains( $r['body'], $marker ) ) );
			if ( count( $got ) >= $expect ) {
				break;
			}
			usleep( 100000 );
		} while ( microtime( true ) < $end );
		if ( count( $got ) < $expect ) {
			umw_work( 3.0 );
			$got = array_values( array_filter( self::$receiver->requests(), static fn( $r ) => str_contains( $r['body'], $marker ) ) );
		}
		// Anything more that would arrive (a duplicate) arrives within the next second.
		usleep( 1000000 );
		return array_values( array_filter( self::$receiver->requests(), static fn( $r ) => str_contains( $r['body'], $marker ) ) );
	}

	/** @return array<string,int> path => requests carrying $marker */
	private static function paths( array $arrivals ): array {
		$out = array();
		foreach ( $arrivals as $r ) {
			$out[ $r['path'] ] = ( $out[ $r['path'] ] ?? 0 ) + 1;
		}
		ksort( $out );
		return $out;
	}

	private static function fire( string $marker, string $event = 'payment_received', array $opts = array() ): array {
		return UmDouble::run( array( array( 'fire', $event, array( 'payment_id' => 7, 'marker' => $marker ) ), array( 'flush' ) ), $opts );
	}

	public function test_the_double_behaves_like_ultimate_multisite_2_4_10(): void {
		$r = UmDouble::run(
			array(
				array( 'bridge', false ),
				array( 'um_event_types' ),
				array( 'listeners', 'payment_received' ),
				array( 'listeners', 'customer_created' ),
				array( 'fire', 'customer_created', array( 'x' => 1 ) ),
				array( 'um_sample', 'domain_created' ),
			)
		);
		// Five events registered; the model events were registered too late to exist.
		$this->assertSame( array( 'payment_received', 'site_published', 'confirm_email_address', 'domain_created', 'renewal_payment_created' ), $r['results'][1] );
		// UM's sender sits behind umw's proxy at UM's priority; with the bridge off the proxy runs it as is.
		$this->assertSame( array( '10:Umw\UltimateMultisite\SenderProxy::send' ), $r['results'][2] );
		$this->assertSame( array(), $r['results'][3] );
		$this->assertFalse( $r['results'][4], 'wu_do_event refuses an unregistered event' );
		$sample = $r['results'][5];
		$this->assertSame( 'wu_version', array_key_last( $sample ) );
		$this->assertSame( array( 'true', 'true', 'true' ), array( $sample['domain_active'], $sample['domain_primary'], $sample['domain_secure'] ) );

		// UM's own sender, bridge off: ignores `active`, sends to its 100 newest only, inline, unsigned.
		$marker = self::marker( 'um-own' );
		$ids    = UmDouble::run(
			array(
				array( 'sql_insert', array( 'name' => 'oldest', 'webhook_url' => self::url( 'oldest' ), 'event' => 'payment_received', 'active' => 1 ) ),
				array( 'sql_insert_many', 100, array( 'webhook_url' => self::url( 'bulk' ), 'event' => 'site_published', 'active' => 1 ) ),
				array( 'sql_insert', array( 'name' => 'off', 'webhook_url' => self::url( 'off' ), 'event' => 'payment_received', 'active' => 0 ) ),
			)
		);
		$this->assertCount( 100, $ids['results'][1] );
		$fired = self::fire( $marker );
		$this->assertContains( 'payment_received', $fired['system_emails'], "UM's email listener runs" );
		$got = self::arrivals( $marker );
		$this->assertSame( array( '/off' => 1 ), self::paths( $got ), 'UM 2.4.10: the switched-off webhook receives, the 101st newest does not' );
		$this->assertArrayNotHasKey( 'webhook-signature', $got[0]['headers'] );
		$body = json_decode( $got[0]['body'], true );
		$this->assertSame( 'wu_version', array_key_last( $body ) );
		$this->assertSame( '2.4.10', $body['wu_version'] );
	}

	public function test_create_edit_delete_in_um_take_effect_on_the_next_event(): void {
		// Created through UM's model after umw is active.
		$id = UmDouble::run( array( array( 'create', array( 'name' => 'CRM', 'webhook_url' => self::url( 'a' ), 'event' => 'payment_received', 'active' => true ) ) ) )['results'][0];
		$this->assertIsInt( $id );
		$m1 = self::marker( 'm1' );
		$r  = self::fire( $m1 );
		$this->assertSame( array( '/a' => 1 ), self::paths( $got = self::arrivals( $m1 ) ) );
		$this->assertArrayHasKey( 'webhook-signature', $got[0]['headers'], 'sent by umw' );
		$this->assertSame( 'payment_received', $got[0]['headers']['x-umw-event'] );
		$this->assertContains( 'payment_received', $r['system_emails'], "UM's email listener left alone" );

		// UM's bookkeeping keeps moving: event_count and a log entry pointing to umw.
		$after = UmDouble::run( array( array( 'row', $id ), array( 'um_log', $id ) ) );
		$this->assertSame( '1', (string) $after['results'][0]['event_count'] );
		$this->assertStringContainsString( 'umw', implode( "\n", $after['results'][1] ) );

		// URL edited in UM.
		UmDouble::run( array( array( 'update', $id, array( 'webhook_url' => self::url( 'b' ) ) ) ) );
		$m2 = self::marker( 'm2' );
		self::fire( $m2 );
		$this->assertSame( array( '/b' => 1 ), self::paths( self::arrivals( $m2 ) ) );

		// Written straight to UM's table: a new row, and the event of the first changed.
		$direct = UmDouble::run(
			array(
				array( 'sql_insert', array( 'name' => 'Ops', 'webhook_url' => self::url( 'c' ), 'event' => 'site_published', 'active' => 1 ) ),
				array( 'sql_update', $id, array( 'event' => 'site_published' ) ),
			)
		)['results'][0];
		$m3 = self::marker( 'm3' );
		self::fire( $m3, 'site_published' );
		$this->assertSame( array( '/b' => 1, '/c' => 1 ), self::paths( self::arrivals( $m3, 2 ) ) );
		$m4 = self::marker( 'm4' );
		self::fire( $m4 );
		$this->assertSame( array(), self::paths( self::arrivals( $m4, 1, 3.0 ) ), 'nobody listens to payment_received any more' );

		// Switched off in UM, then deleted through UM's model and straight from the table.
		UmDouble::run( array( array( 'update', $id, array( 'active' => false ) ) ) );
		$m5 = self::marker( 'm5' );
		self::fire( $m5, 'site_published' );
		$this->assertSame( array( '/c' => 1 ), self::paths( self::arrivals( $m5 ) ), 'active honoured' );
		$r = UmDouble::run( array( array( 'delete', $id ), array( 'sql_delete', $direct ), array( 'sync' ), array( 'copies' ) ) );
		$this->assertSame( array(), array_values( array_filter( $r['results'][3], static fn( $w ) => str_starts_with( (string) $w['external_id'], 'ultimate-multisite:' ) ) ), 'copies removed' );
		$m6 = self::marker( 'm6' );
		self::fire( $m6, 'site_published' );
		$this->assertSame( array(), self::paths( self::arrivals( $m6, 1, 3.0 ) ) );
	}

	public function test_active_and_the_100_newest_mean_what_the_admin_sees(): void {
		$r = UmDouble::run(
			array(
				array( 'sql_insert', array( 'name' => 'oldest', 'webhook_url' => self::url( 'oldest' ), 'event' => 'payment_received', 'active' => 1 ) ),
				array( 'sql_insert_many', 100, array( 'webhook_url' => self::url( 'bulk' ), 'event' => 'site_published', 'active' => 1 ) ),
				array( 'sql_insert', array( 'name' => 'off', 'webhook_url' => self::url( 'off' ), 'event' => 'payment_received', 'active' => 0 ) ),
			)
		);
		$m = self::marker( 'active' );
		self::fire( $m );
		$this->assertSame( array( '/oldest' => 1 ), self::paths( self::arrivals( $m ) ) );
		$status = UmDouble::run( array( array( 'status' ) ) )['results'][0];
		$this->assertSame( array( $r['results'][2] ), $status['inactive_um_still_sent'] );
		// The 100 newest are 'off' and 99 of the bulk rows: 'oldest' and the first bulk row are beyond.
		$this->assertSame( array( $r['results'][0], $r['results'][1][0] ), $status['beyond_um_page'] );
		$this->assertSame( 102, $status['um_webhooks'] );
		$this->assertSame( 101, $status['active'] );
	}

	public function test_an_empty_event_subscribes_to_nothing(): void {
		$r = UmDouble::run(
			array(
				array( 'sql_insert', array( 'name' => 'empty', 'webhook_url' => self::url( 'empty' ), 'event' => '', 'active' => 1 ) ),
				array( 'sync' ),
			)
		);
		$this->assertSame( 0, $r['results'][1]['linked'] );
		$this->assertSame( 'no_event', $r['results'][1]['ignored'][0]['reason'] );
		$m = self::marker( 'empty' );
		self::fire( $m );
		$this->assertSame( array(), self::paths( self::arrivals( $m, 1, 3.0 ) ) );
	}

	public function test_webhooks_umw_cannot_send_stay_with_um_and_are_reported(): void {
		// In a process whose umw refuses private addresses (the SSRF default), the receiver's 127.0.0.1 URL is
		// refused by umw: UM's own sender must still send to it, once, and the admin/CLI/Site Health say so.
		$strict = array( 'ini' => array( 'umw.allow_private_networks' => '0' ) );
		$m      = self::marker( 'blocked' );
		$r      = UmDouble::run(
			array(
				array( 'sql_insert', array( 'name' => 'Internal', 'webhook_url' => self::url( 'internal' ), 'event' => 'payment_received', 'active' => 1 ) ),
				array( 'fire', 'payment_received', array( 'marker' => $m ) ),
				array( 'flush' ),
				array( 'status' ),
				array( 'site_health' ),
				array( 'admin_box' ),
			),
			$strict
		);
		$got = self::arrivals( $m );
		$this->assertSame( array( '/internal' => 1 ), self::paths( $got ) );
		$this->assertArrayNotHasKey( 'webhook-signature', $got[0]['headers'], "sent by UM's inline sender" );
		$this->assertCount( 1, $r['results'][3]['left_to_um'] );
		$this->assertStringContainsString( 'SSRF', $r['results'][3]['left_to_um'][0]['reason'] );
		$this->assertSame( 'recommended', $r['results'][4]['status'] );
		$this->assertStringContainsString( 'Internal', $r['results'][4]['description'] );
		$this->assertStringContainsString( 'Internal', $r['results'][5] );
		$this->assertStringContainsString( 'inline sender still does', $r['results'][5] );
	}

	public function test_payloads_are_byte_faithful_and_empty_objects_stay_objects(): void {
		UmDouble::run( array( array( 'create', array( 'name' => 'Bytes', 'webhook_url' => self::url( 'bytes' ), 'event' => 'payment_received', 'active' => true ) ) ) );
		$m       = self::marker( 'bytes' );
		$payload = array( 'marker' => $m, 'url' => 'https://example.com/a/b', 'name' => 'Zoë', 'total' => 35.5 );
		UmDouble::run( array( array( 'fire_with_empty_object', 'payment_received', $payload ), array( 'flush' ) ) );
		$got = self::arrivals( $m );
		$this->assertCount( 1, $got );
		$expected = $payload + array( 'meta' => new \stdClass(), 'items' => array(), 'wu_version' => '2.4.10' );
		$this->assertSame( json_encode( $expected, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ), $got[0]['body'] );
		$this->assertStringContainsString( '"meta":{}', $got[0]['body'] );
		$this->assertStringContainsString( '"items":[]', $got[0]['body'] );
	}

	public function test_each_network_gets_its_own_webhooks(): void {
		$net2 = UmDouble::second_network();
		UmDouble::run( array( array( 'create', array( 'name' => 'Main', 'webhook_url' => self::url( 'net1' ), 'event' => 'payment_received', 'active' => true ) ) ) );
		$r = UmDouble::run( array( array( 'create', array( 'name' => 'Second', 'webhook_url' => self::url( 'net2' ), 'event' => 'payment_received', 'active' => true ) ), array( 'sync' ) ), array( 'uri' => '/net2/' ) );
		$this->assertSame( $net2, $r['network'] );
		$this->assertStringEndsWith( "wu_{$net2}_webhooks", $r['results'][1]['table'] );
		$m2 = self::marker( 'n2' );
		self::fire( $m2, 'payment_received', array( 'uri' => '/net2/' ) );
		$this->assertSame( array( '/net2' => 1 ), self::paths( self::arrivals( $m2 ) ) );
		$m1 = self::marker( 'n1' );
		self::fire( $m1 );
		$this->assertSame( array( '/net1' => 1 ), self::paths( self::arrivals( $m1 ) ) );
	}

	public function test_umw_loaded_before_ultimate_multisite_changes_nothing(): void {
		UmDouble::activate( UmDouble::PLUGIN_LATE );
		UmDouble::run( array( array( 'create', array( 'name' => 'Late', 'webhook_url' => self::url( 'late' ), 'event' => 'payment_received', 'active' => true ) ) ) );
		$m = self::marker( 'late' );
		$r = UmDouble::run( array( array( 'listeners', 'payment_received' ), array( 'fire', 'payment_received', array( 'marker' => $m ) ), array( 'flush' ) ) );
		$this->assertSame( array( '10:Umw\UltimateMultisite\SenderProxy::send' ), $r['results'][0] );
		$this->assertSame( array( '/late' => 1 ), self::paths( self::arrivals( $m ) ) );
	}

	public function test_concurrent_processes_create_one_copy_and_send_each_event_once(): void {
		UmDouble::run( array( array( 'sql_insert', array( 'name' => 'Race', 'webhook_url' => self::url( 'race' ), 'event' => 'payment_received', 'active' => 1 ) ) ) );
		$markers = array();
		$each    = array();
		for ( $i = 0; $i < 4; $i++ ) {
			$markers[] = self::marker( "race$i" );
			$each[]    = array( array( 'fire', 'payment_received', array( 'marker' => $markers[ $i ] ) ), array( 'flush' ) );
		}
		UmDouble::run_parallel( $each );
		foreach ( $markers as $m ) {
			$this->assertSame( array( '/race' => 1 ), self::paths( self::arrivals( $m ) ), $m );
		}
		$copies = array_filter( UmDouble::run( array( array( 'copies' ) ) )['results'][0], static fn( $w ) => str_starts_with( (string) $w['external_id'], 'ultimate-multisite:' ) );
		$this->assertCount( 1, $copies );
	}

	public function test_turning_the_bridge_off_leaves_um_sending(): void {
		UmDouble::run( array( array( 'create', array( 'name' => 'Off', 'webhook_url' => self::url( 'bridge-off' ), 'event' => 'payment_received', 'active' => true ) ), array( 'bridge', false ) ) );
		$m = self::marker( 'off' );
		self::fire( $m );
		$got = self::arrivals( $m );
		$this->assertSame( array( '/bridge-off' => 1 ), self::paths( $got ) );
		$this->assertArrayNotHasKey( 'webhook-signature', $got[0]['headers'], 'UM sent it' );
		$r = UmDouble::run( array( array( 'site_health' ) ) );
		$this->assertSame( 'recommended', $r['results'][0]['status'] );
	}

	public function test_catalog_and_samples_match_what_um_fires(): void {
		UmDouble::run( array( array( 'create', array( 'name' => 'Fine', 'webhook_url' => self::url( 'fine' ), 'event' => 'payment_received', 'active' => true ) ) ) );
		$r       = UmDouble::run( array( array( 'catalog' ), array( 'um_sample', 'domain_created' ), array( 'site_health' ) ) );
		$this->assertSame( 'good', $r['results'][2]['status'], $r['results'][2]['description'] );
		$catalog = $r['results'][0];
		$this->assertTrue( $catalog['payment_received']['fired'] );
		$this->assertFalse( $catalog['customer_created']['fired'] );
		$this->assertStringContainsString( 'never fires', $catalog['customer_created']['origin'] );
		$this->assertArrayNotHasKey( 'invoice_sent', $catalog );
		$this->assertSame( $r['results'][1], $catalog['domain_created']['sample'], 'the sample UM builds' );
		$this->assertSame( 'wu_version', array_key_last( $catalog['payment_received']['sample'] ) );
	}

	public function test_um_send_test_event_goes_through_umw(): void {
		$id = UmDouble::run( array( array( 'create', array( 'name' => 'Test', 'webhook_url' => self::url( 'test-event' ), 'event' => 'payment_received', 'active' => true ) ) ) )['results'][0];
		$r  = UmDouble::run( array( array( 'ajax_test_event', $id, self::url( 'test-event' ), 'payment_received' ) ) );
		$this->assertSame( $id, (int) $r['results'][0]['id'] );
		$this->assertStringContainsString( 'Sent by umw: delivered, HTTP 200', $r['results'][0]['response'] );
		$got = self::$receiver->wait_for( static fn( $req ) => '/test-event' === $req['path'], 10.0 );
		$this->assertNotNull( $got );
		$this->assertArrayHasKey( 'webhook-signature', $got['headers'] );
		$this->assertSame( 'wu_version', array_key_last( json_decode( $got['body'], true ) ) );

		// An unsaved URL typed in UM's form: UM's own inline test.
		$r = UmDouble::run( array( array( 'ajax_test_event', $id, self::url( 'typed' ), 'payment_received' ) ) );
		$this->assertStringNotContainsString( 'umw', $r['results'][0]['response'] );
		$this->assertNotNull( self::$receiver->wait_for( static fn( $req ) => '/typed' === $req['path'], 10.0 ) );
	}

	/** The shared WP-CLI 2.10 phar: $UMW_WP_CLI, or shared/wp-cli/wp-cli.phar beside the checkout (or above it). */
	private static function wp_cli(): string {
		if ( getenv( 'UMW_WP_CLI' ) ) {
			return (string) getenv( 'UMW_WP_CLI' );
		}
		for ( $dir = dirname( __DIR__, 4 ); '/' !== $dir; $dir = dirname( $dir ) ) {
			if ( is_file( "$dir/shared/wp-cli/wp-cli.phar" ) ) {
				return "$dir/shared/wp-cli/wp-cli.phar";
			}
		}
		self::markTestSkipped( 'WP-CLI phar not found: set UMW_WP_CLI' );
	}

	public function test_wp_cli_import_reports_who_sends_each_webhook(): void {
		UmDouble::run(
			array(
				array( 'create', array( 'name' => 'CLI', 'webhook_url' => self::url( 'cli' ), 'event' => 'payment_received', 'active' => true ) ),
				array( 'sql_insert', array( 'name' => 'Never', 'webhook_url' => self::url( 'never' ), 'event' => 'customer_created', 'active' => 1 ) ),
			)
		);
		$wp_cli = self::wp_cli();
		$cmd    = array( dirname( __DIR__, 2 ) . '/wp-php.sh', $wp_cli, '--allow-root', '--path=' . ABSPATH, 'umw', 'import', 'ultimate-multisite', '--format=json' );
		$proc   = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$out    = stream_get_contents( $pipes[1] );
		$err    = stream_get_contents( $pipes[2] );
		$this->assertSame( 0, proc_close( $proc ), $out . $err );
		$rows = json_decode( $out, true );
		$this->assertIsArray( $rows, $out );
		$by_name = array_column( $rows, null, 'name' );
		$this->assertSame( 'umw', $by_name['CLI']['sent_by'] );
		$this->assertSame( 'umw', $by_name['Never']['sent_by'] );

		$proc = proc_open( array_slice( $cmd, 0, -1 ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$out  = stream_get_contents( $pipes[1] );
		$err  = stream_get_contents( $pipes[2] );
		proc_close( $proc );
		$this->assertStringContainsString( 'customer_created, which nothing fires', $err, 'flagged' );
		$this->assertStringContainsString( 'Success: Network 1', $out );
	}
}
