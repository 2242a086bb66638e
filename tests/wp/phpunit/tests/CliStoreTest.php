<?php

namespace Umw\Tests;

/**
 * `wp umw store status|migrate` under the real WP-CLI 2.10 (issue 10 item 4): the network's store
 * copied into the WordPress database itself (tables beside WordPress's own), idempotently, with a
 * progress bar on a terminal, and failures that exit non-zero without printing a password.
 */
final class CliStoreTest extends TestCase {

	private string $prefix;

	protected function setUp(): void {
		parent::setUp();
		$this->prefix = 'wp_umw_cli' . getmypid() . '_';
	}

	protected function tearDown(): void {
		global $wpdb;
		foreach ( array( 'attempts', 'deliveries', 'messages', 'stats_hourly', 'webhooks', 'meta' ) as $table ) {
			$wpdb->query( "DROP TABLE IF EXISTS `{$this->prefix}{$table}`" ); // phpcs:ignore WordPress.DB
		}
		putenv( 'UMW_CLI_TARGET' );
		parent::tearDown();
	}

	/** The WordPress database, through its socket, with this test's table prefix. */
	private function target( string $password = DB_PASSWORD ): string {
		$socket = substr( DB_HOST, strpos( DB_HOST, ':' ) + 1 );
		return sprintf(
			'mysql://%s:%s@localhost/%s?socket=%s&prefix=%s',
			rawurlencode( DB_USER ),
			rawurlencode( $password ),
			DB_NAME,
			$socket,
			$this->prefix
		);
	}

	private function count_rows( string $table ): int {
		global $wpdb;
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$this->prefix}{$table}`" ); // phpcs:ignore WordPress.DB
	}

	public function test_status_shows_the_store_in_use(): void {
		$this->create_webhook( array( 'url' => 'https://status.example/hook', 'events' => array( 'payment_received' ) ) );
		$status = WpCli::json( array( 'umw', 'store', 'status', '--format=json' ) );
		$this->assertSame( 'sqlite', $status['backend'] );
		$this->assertSame( getenv( 'STORE' ) ?: $status['location'], $status['location'] );
		$this->assertGreaterThanOrEqual( 1, $status['schema_version'] );
		// Health is "ok" unless the store reports warnings (file modes of this throw-away env).
		$this->assertSame( $status['warnings'] ? 'warnings' : 'ok', $status['health'] );
		$this->assertGreaterThanOrEqual( 1, $status['webhooks'] );
		foreach ( array( 'pending', 'retrying', 'delivered', 'failed', 'oldest_waiting' ) as $key ) {
			$this->assertArrayHasKey( $key, $status );
		}
		$field = WpCli::run( array( 'umw', 'store', 'status', '--field=backend' ) );
		$this->assertSame( "sqlite\n", $field['stdout'] );
		$table = WpCli::run( array( 'umw', 'store', 'status' ) );
		// Piped, WP-CLI prints a table as tab-separated rows.
		$this->assertMatchesRegularExpression( '/^schema_version\t\d+$/m', $table['stdout'] );
		$this->assertMatchesRegularExpression( '/^backend\tsqlite$/m', $table['stdout'] );
	}

	public function test_migrate_into_the_wordpress_database_then_again_as_a_no_op(): void {
		$hook = $this->create_webhook( array( 'url' => 'https://migrate.example/hook', 'events' => array( 'payment_received' ) ) );
		$this->create_webhook( array( 'url' => 'https://other.example/hook', 'events' => array( 'site_published' ) ) );
		$in_store = (int) umw_stats()['store_counts']['webhooks'];

		$first = WpCli::json( array( 'umw', 'store', 'migrate', '--to=' . $this->target(), '--with-log', '--batch=2', '--yes', '--format=json' ) );
		$this->assertSame( $in_store, $first['webhooks'], wp_json_encode( $first ) );
		$this->assertStringContainsString( 'umw_wp:***@localhost', $first['to'] );
		$this->assertStringNotContainsString( DB_PASSWORD, wp_json_encode( $first ) );
		// Beside WordPress's tables, with the same webhooks and secrets.
		global $wpdb;
		$tables = $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $this->prefix ) . '%' ) );
		$this->assertCount( 6, $tables, implode( ', ', $tables ) );
		$this->assertSame( $in_store, $this->count_rows( 'webhooks' ) );
		$secret = $wpdb->get_var( $wpdb->prepare( "SELECT secret FROM `{$this->prefix}webhooks` WHERE id = %d", $hook['id'] ) ); // phpcs:ignore WordPress.DB
		$this->assertSame( umw_get_webhook( (int) $hook['id'], true )['secret'], $secret );
		$this->assertSame( (int) umw_count_deliveries(), $this->count_rows( 'deliveries' ) );

		// Again, the password from the environment: everything is there already.
		putenv( 'UMW_CLI_TARGET=' . $this->target() );
		$again = WpCli::run( array( 'umw', 'store', 'migrate', '--to=env:UMW_CLI_TARGET', '--with-log', '--yes' ) );
		$this->assertSame( 0, $again['code'], $again['stderr'] );
		$this->assertMatchesRegularExpression( '/^Success: Copied 0 webhooks, 0 deliveries \(0 messages, 0 attempts\) and \d+ statistics rows into mysql:\/\/umw_wp:\*\*\*@localhost\/umw_wp\?socket=[^ ]+&prefix=' . preg_quote( $this->prefix, '/' ) . '; \d+ were there already\.$/m', $again['stdout'] );
		$this->assertStringContainsString( 'Next: set umw.store = "mysql://umw_wp:***@', $again['stdout'] );
		$this->assertStringNotContainsString( DB_PASSWORD, $again['stdout'] . $again['stderr'] );
		$this->assertSame( $in_store, $this->count_rows( 'webhooks' ) );
	}

	public function test_progress_bar_on_a_terminal(): void {
		$this->create_webhook( array( 'url' => 'https://progress.example/hook', 'events' => array( 'payment_received' ) ) );
		$command = implode(
			' ',
			array_map(
				'escapeshellarg',
				array( PHP_BINARY, '-d', 'error_reporting=' . ( E_ALL & ~E_DEPRECATED ), WpCli::phar(), '--allow-root', '--path=' . rtrim( ABSPATH, '/' ), 'umw', 'store', 'migrate', '--to=' . $this->target(), '--batch=1', '--yes' )
			)
		);
		// `script` gives WP-CLI a terminal, where it draws progress bars (piped output gets none).
		exec( 'script -qec ' . escapeshellarg( $command ) . ' /dev/null 2>&1', $lines, $code );
		$out = implode( "\n", $lines );
		$this->assertSame( 0, $code, $out );
		$this->assertMatchesRegularExpression( '/Copying\s+100%/', $out );
		$this->assertMatchesRegularExpression( '/Success:\S* Copied 1 webhooks/', $out );
	}

	public function test_failures_exit_non_zero_and_never_show_the_password(): void {
		$relative = WpCli::run( array( 'umw', 'store', 'migrate', '--to=umw.sqlite', '--yes' ) );
		$this->assertSame( 1, $relative['code'] );
		$this->assertStringContainsString( 'Error: umw_store_copy(): Argument #1 ($to) "umw.sqlite" is a relative path', $relative['stderr'] );

		$denied = WpCli::run( array( 'umw', 'store', 'migrate', '--to=' . $this->target( 'wrong-Pass-42' ), '--yes' ) );
		$this->assertSame( 1, $denied['code'] );
		$this->assertStringContainsString( 'Access denied', $denied['stderr'] );
		$this->assertStringContainsString( 'Run the command again', $denied['stderr'] );
		$this->assertStringContainsString( 'mysql://umw_wp:***@', $denied['stderr'] );
		$this->assertStringNotContainsString( 'wrong-Pass-42', $denied['stdout'] . $denied['stderr'] );

		$empty = WpCli::run( array( 'umw', 'store', 'migrate', '--to=', '--yes' ) );
		$this->assertSame( 1, $empty['code'] );
		$this->assertStringContainsString( 'is empty: give an absolute path (SQLite) or a mysql:// URL', $empty['stderr'] );

		$missing = WpCli::run( array( 'umw', 'store', 'migrate', '--yes' ) );
		$this->assertSame( 1, $missing['code'] );
		$this->assertStringContainsString( 'missing --to parameter', $missing['stderr'] );
	}
}
