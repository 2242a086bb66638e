<?php

namespace Umw\Tests;

/**
 * `wp umw webhook …` under the real WP-CLI 2.10: formats, --porcelain, exit codes, batches,
 * refused input (issue 13 items 2, 6, 7, 8, 9).
 */
final class CliWebhookTest extends TestCase {

	use WithReceiver;

	private function cli_create( string $path, array $extra = array() ): int {
		$r = WpCli::run( array_merge( array( 'umw', 'webhook', 'create', self::$receiver->url( $path ), '--events=payment_received', '--porcelain' ), $extra ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertMatchesRegularExpression( '/^\d+$/', trim( $r['stdout'] ), '--porcelain prints only the id' );
		$this->track( (int) trim( $r['stdout'] ) );
		return (int) trim( $r['stdout'] );
	}

	public function test_create_list_get_in_every_format(): void {
		$id = $this->cli_create( '/ok', array( '--name=CLI formats', '--headers={"Authorization":"Bearer s3cret-token"}' ) );

		$list = WpCli::json( array( 'umw', 'webhook', 'list', '--format=json' ) );
		$row  = current( array_filter( $list, static fn( $w ) => (int) $w['id'] === $id ) );
		$this->assertSame( 'CLI formats', $row['name'] );
		$this->assertSame( array( 'payment_received' ), $row['events'] );
		$this->assertSame( 'active', $row['status'] );

		$ids = WpCli::run( array( 'umw', 'webhook', 'list', '--format=ids' ) );
		$this->assertContains( (string) $id, explode( ' ', trim( $ids['stdout'] ) ) );
		$count = WpCli::run( array( 'umw', 'webhook', 'list', '--format=count' ) );
		$this->assertSame( (string) count( $list ), trim( $count['stdout'] ) );

		$csv = WpCli::run( array( 'umw', 'webhook', 'list', '--format=csv', '--fields=id,name,events' ) );
		$this->assertStringContainsString( "$id,\"CLI formats\",payment_received", $csv['stdout'] );
		$yaml = WpCli::run( array( 'umw', 'webhook', 'get', (string) $id, '--format=yaml' ) );
		$this->assertMatchesRegularExpression( '/^name: CLI formats$/m', $yaml['stdout'] );

		// Times: ISO 8601 with the zone's offset (labelled), not bare UTC seconds.
		$get = WpCli::json( array( 'umw', 'webhook', 'get', (string) $id, '--format=json' ) );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/', $get['created_at'] );
		$this->assertSame( wp_date( 'c', $this->webhooks->get( $id )['created_at'] ), $get['created_at'] );

		// Item 8: extra header values masked in listings; --show-secret reveals them with the secret.
		$this->assertSame( array( 'Authorization' => '••••••' ), $get['headers'] );
		$fields = WpCli::run( array( 'umw', 'webhook', 'list', '--fields=id,headers', '--format=csv' ) );
		$this->assertStringNotContainsString( 's3cret-token', $fields['stdout'] );
		$shown = WpCli::json( array( 'umw', 'webhook', 'get', (string) $id, '--show-secret', '--format=json' ) );
		$this->assertSame( 'Bearer s3cret-token', $shown['headers']['Authorization'] );
		$this->assertStringStartsWith( 'whsec_', $shown['secret'] );

		$field = WpCli::run( array( 'umw', 'webhook', 'get', (string) $id, '--field=url' ) );
		$this->assertSame( self::$receiver->url( '/ok' ), trim( $field['stdout'] ) );
	}

	public function test_bad_input_is_refused_with_a_clear_error_and_exit_1(): void {
		$id = $this->cli_create( '/ok' );
		foreach ( array(
			array( array( 'umw', 'webhook', 'get', 'abc' ), 'Invalid webhook id "abc"' ),
			array( array( 'umw', 'webhook', 'get', '987654321' ), 'Webhook 987654321 not found' ),
			array( array( 'umw', 'webhook', 'update', (string) $id, '--active=maybe' ), '"active" must be true or false' ),
			array( array( 'umw', 'webhook', 'update', (string) $id, '--events=payment_recieved' ), 'Did you mean "payment_received"' ),
			array( array( 'umw', 'webhook', 'create', 'ftp://example.com/', '--porcelain' ), 'http://' ),
			array( array( 'umw', 'webhook', 'test', (string) $id, '--event=site_published' ), 'not subscribed to "site_published"' ),
			array( array( 'umw', 'webhook', 'update', (string) $id ), 'Nothing to update' ),
		) as list( $args, $message ) ) {
			$r = WpCli::run( $args );
			$this->assertSame( 1, $r['code'], 'wp ' . implode( ' ', $args ) );
			$this->assertStringContainsString( 'Error: ', $r['stderr'] );
			$this->assertStringContainsString( $message, $r['stderr'], 'wp ' . implode( ' ', $args ) );
			$this->assertSame( '', trim( $r['stdout'] ), 'errors go to STDERR' );
		}
		$hook = $this->webhooks->get( $id );
		$this->assertTrue( $hook['active'], '--active=maybe changed nothing' );
		$this->assertSame( array( 'payment_received' ), $hook['events'] );
		$ok = WpCli::run( array( 'umw', 'webhook', 'update', (string) $id, '--active=no' ) );
		$this->assertSame( 0, $ok['code'], $ok['stderr'] );
		$this->assertFalse( $this->webhooks->get( $id )['active'] );
	}

	public function test_test_as_json_prints_only_json_and_failure_exits_1(): void {
		$ok = $this->cli_create( '/ok' );
		$r  = WpCli::run( array( 'umw', 'webhook', 'test', (string) $ok, '--format=json' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$result = json_decode( $r['stdout'], true );
		$this->assertIsArray( $result, 'stdout is exactly the JSON result: ' . $r['stdout'] );
		$this->assertTrue( $result['ok'] );
		$this->assertSame( 200, $result['status'] );
		$this->assertSame( 'payment_received', $result['event'] );
		$this->assertStringNotContainsString( 'Success', $r['stdout'] );

		$table = WpCli::run( array( 'umw', 'webhook', 'test', (string) $ok ) );
		$this->assertStringContainsString( 'Success: payment_received delivered — HTTP 200', $table['stdout'] );

		$fail = $this->cli_create( '/fail' );
		$r    = WpCli::run( array( 'umw', 'webhook', 'test', (string) $fail, '--format=json' ) );
		$this->assertSame( 1, $r['code'] );
		$this->assertFalse( json_decode( $r['stdout'], true )['ok'] );
		$this->assertStringContainsString( 'Error: payment_received failed — HTTP 500', $r['stderr'] );
	}

	public function test_batches_finish_then_report(): void {
		$a = $this->cli_create( '/ok' );
		$b = $this->cli_create( '/ok' );
		$r = WpCli::run( array( 'umw', 'webhook', 'deactivate', (string) $a, '987654321', (string) $b ) );
		$this->assertSame( 1, $r['code'] );
		$this->assertStringContainsString( 'Warning: Webhook 987654321 not found.', $r['stderr'] );
		$this->assertStringContainsString( 'Error: Only deactivated 2 of 3 webhooks.', $r['stderr'] );
		$this->assertFalse( $this->webhooks->get( $a )['active'] );
		$this->assertFalse( $this->webhooks->get( $b )['active'], 'the id after the bad one was still done' );

		$r = WpCli::run( array( 'umw', 'webhook', 'activate', (string) $a, (string) $b ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertStringContainsString( 'Success: Activated 2 of 2 webhooks.', $r['stdout'] );
	}

	public function test_delete_says_the_log_goes_too_and_asks_first(): void {
		$id = $this->cli_create( '/ok' );
		WpCli::run( array( 'umw', 'webhook', 'test', (string) $id ) );
		$no = WpCli::run( array( 'umw', 'webhook', 'delete', (string) $id ), "n\n" );
		$this->assertStringContainsString( 'and 1 logged deliveries? The delivery log cannot be restored.', $no['stdout'] );
		$this->assertTrue( $this->webhooks->exists( $id ), 'answering n keeps it' );

		$yes = WpCli::run( array( 'umw', 'webhook', 'delete', (string) $id, '--yes' ) );
		$this->assertSame( 0, $yes['code'], $yes['stderr'] );
		$this->assertStringContainsString( "Deleted webhook $id and its 1 logged deliveries.", $yes['stdout'] );
		$this->assertStringContainsString( 'Success: Deleted 1 of 1 webhooks.', $yes['stdout'] );
		$this->assertFalse( $this->webhooks->exists( $id ) );
	}

	public function test_rotate_secret_porcelain(): void {
		$id  = $this->cli_create( '/ok' );
		$old = $this->webhooks->get( $id, true )['secret'];
		$r   = WpCli::run( array( 'umw', 'webhook', 'rotate-secret', (string) $id, '--porcelain' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertMatchesRegularExpression( '/^whsec_[A-Za-z0-9+\/=]+$/', trim( $r['stdout'] ) );
		$this->assertNotSame( $old, trim( $r['stdout'] ) );
		$this->assertSame( trim( $r['stdout'] ), $this->webhooks->get( $id, true )['secret'] );
	}

	public function test_event_commands(): void {
		$names = explode( ' ', trim( WpCli::run( array( 'umw', 'event', 'list', '--format=ids' ) )['stdout'] ) );
		$this->assertContains( 'payment_received', $names );
		$this->assertSame( (string) count( $names ), trim( WpCli::run( array( 'umw', 'event', 'list', '--format=count' ) )['stdout'] ) );
		$sample = WpCli::json( array( 'umw', 'event', 'get', 'payment_received', '--field=sample', '--format=json' ) );
		$this->assertArrayHasKey( 'payment_id', $sample );
		$emit = WpCli::run( array( 'umw', 'event', 'emit', 'payment_received', '--payload={"a":1}', '--porcelain' ) );
		$this->assertSame( 0, $emit['code'], $emit['stderr'] );
		$this->assertMatchesRegularExpression( '/^msg_[A-Za-z0-9]+$/', trim( $emit['stdout'] ) );
		$bad = WpCli::run( array( 'umw', 'event', 'get', 'payment_recieved' ) );
		$this->assertSame( 1, $bad['code'] );
		$this->assertStringContainsString( 'Did you mean "payment_received"', $bad['stderr'] );
	}
}
