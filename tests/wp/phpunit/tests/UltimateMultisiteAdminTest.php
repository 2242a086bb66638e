<?php

namespace Umw\Tests;

use Umw\UltimateMultisite\AdminBox;
use Umw\UltimateMultisite\ExternalId;
use Umw\UltimateMultisite\Settings;
use Umw\UltimateMultisite\SiteHealth;
use Umw\UltimateMultisite\WebhooksTable;

/**
 * The Ultimate Multisite box, its admin-post handlers (capability, nonce, redirect) and the Site Health test,
 * in-process against a UM table created as UM creates it.
 */
final class UltimateMultisiteAdminTest extends TestCase {

	private string $table;

	protected function setUp(): void {
		parent::setUp();
		require_once dirname( __DIR__, 2 ) . '/lib/um-double/inc/engine.php';
		\WP_Ultimo\Database\Webhooks_Table::install();
		$this->table = ( new WebhooksTable( 1 ) )->name();
		add_filter( 'wp_redirect', array( $this, 'intercept_redirect' ), PHP_INT_MAX );
		add_filter( 'wp_die_handler', array( $this, 'die_handler' ) );
	}

	protected function tearDown(): void {
		global $wpdb;
		remove_filter( 'wp_redirect', array( $this, 'intercept_redirect' ), PHP_INT_MAX );
		remove_filter( 'wp_die_handler', array( $this, 'die_handler' ) );
		foreach ( umw_list_webhooks( array( 'network_id' => 1 ) ) as $w ) {
			if ( null !== ExternalId::um_id( $w['external_id'] ?? null, 1 ) ) {
				umw_delete_webhook( (int) $w['id'] );
			}
		}
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		delete_network_option( 1, Settings::OPTION );
		delete_network_option( 1, 'umw_um_status' );
		$_POST = $_REQUEST = array();
		parent::tearDown();
	}

	public function intercept_redirect( $location ) {
		throw new \RuntimeException( 'redirect:' . $location );
	}

	public function die_handler() {
		return static function ( $message, $title = '', $args = array() ) {
			$code = is_array( $args ) && isset( $args['response'] ) ? (int) $args['response'] : 500;
			throw new \RuntimeException( 'die:' . $code );
		};
	}

	private function insert( string $name, string $url, string $event ): int {
		global $wpdb;
		$wpdb->insert( $this->table, array( 'name' => $name, 'webhook_url' => $url, 'event' => $event, 'active' => 1, 'integration' => 'manual', 'date_last_failed' => '0000-00-00 00:00:00' ) );
		return (int) $wpdb->insert_id;
	}

	private function post( string $action, array $fields, bool $nonce = true ): string {
		$_POST = $_REQUEST = $fields + ( $nonce ? array( '_wpnonce' => wp_create_nonce( $action ) ) : array() );
		try {
			AdminBox::{ AdminBox::ACTION_SYNC === $action ? 'handle_sync' : 'handle_bridge' }();
		} catch ( \RuntimeException $e ) {
			return $e->getMessage();
		}
		return 'no redirect';
	}

	public function test_box_reports_escaped_and_flags_unfired_events(): void {
		$this->insert( '<script>alert(1)</script>', 'https://crm.example/a', 'payment_received' );
		$this->insert( 'Never', 'https://crm.example/b', 'customer_created' );
		$this->insert( 'Bad', 'ftp://crm.example/c', 'payment_received' );
		$html = $this->render( array( AdminBox::class, 'render' ) );
		$this->assertStringContainsString( 'id="umw-um-box"', $html );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$this->assertStringContainsString( 'umw sends the events of this network&#039;s 2 Ultimate Multisite webhooks (2 active)', $html );
		$this->assertStringContainsString( 'customer_created, which nothing fires', $html );
		$this->assertStringContainsString( 'inline sender still does', $html );
		$this->assertStringContainsString( 'name="_wpnonce"', $html );

		$this->as_unprivileged();
		$this->assertSame( '', $this->render( array( AdminBox::class, 'render' ) ) );
	}

	public function test_handlers_need_capability_and_nonce_and_redirect(): void {
		$this->assertSame( 'die:403', $this->post( AdminBox::ACTION_SYNC, array(), false ) );
		$this->assertStringStartsWith( 'redirect:', $this->post( AdminBox::ACTION_SYNC, array() ) );
		$this->assertStringContainsString( 'umw_um=checked', $this->post( AdminBox::ACTION_SYNC, array() ) );

		$this->assertStringContainsString( 'umw_um=off', $this->post( AdminBox::ACTION_BRIDGE, array( 'enable' => '0' ) ) );
		$this->assertFalse( Settings::bridge_enabled( 1 ) );
		$health = SiteHealth::run();
		$this->assertSame( 'recommended', $health['status'] );
		$this->assertStringContainsString( 'umw_um=on', $this->post( AdminBox::ACTION_BRIDGE, array( 'enable' => '1' ) ) );
		$this->assertTrue( Settings::bridge_enabled( 1 ) );

		$this->as_unprivileged();
		$this->assertSame( 'die:403', $this->post( AdminBox::ACTION_BRIDGE, array( 'enable' => '0' ) ) );
		$this->assertTrue( Settings::bridge_enabled( 1 ), 'refused: nothing changed' );
	}

	public function test_site_health_flags_a_table_without_ultimate_multisite(): void {
		$tests = apply_filters( 'site_status_tests', array() );
		$this->assertArrayHasKey( SiteHealth::TEST, $tests['direct'] );
		// UM's table is here but UM is not active in this process: nothing fires its events.
		$this->insert( 'CRM', 'https://crm.example/a', 'payment_received' );
		$health = SiteHealth::run();
		$this->assertSame( 'recommended', $health['status'] );
		$this->assertStringContainsString( 'Ultimate Multisite is not active, so nothing fires it', $health['description'] );
	}
}
