<?php

namespace Umw\Tests;

use Umw\Import\UltimateMultisiteImporter;
use Umw\UltimateMultisite\ExternalId;
use Umw\UltimateMultisite\Mirror;
use Umw\UltimateMultisite\WebhooksTable;

/**
 * The sync against a UM webhooks table created as UM creates it (Webhooks_Table::set_schema), in-process.
 */
final class ImporterTest extends TestCase {

	private string $table;

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$this->table = ( new WebhooksTable( 1 ) )->name();
		$this->assertSame( $wpdb->base_prefix . 'wu_webhooks', $this->table );
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		// Created as UM creates it: the double's copy of Webhooks_Table::set_schema.
		require_once dirname( __DIR__, 2 ) . '/lib/um-double/inc/engine.php';
		\WP_Ultimo\Database\Webhooks_Table::install();
	}

	protected function tearDown(): void {
		global $wpdb;
		foreach ( $this->copies() as $copy ) {
			umw_delete_webhook( (int) $copy['id'] );
		}
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		delete_network_option( 1, Mirror::LEGACY_OPTION );
		parent::tearDown();
	}

	private function insert( string $name, string $url, string $event, int $active ): int {
		global $wpdb;
		$wpdb->insert(
			$this->table,
			array(
				'name'             => $name,
				'webhook_url'      => $url,
				'event'            => $event,
				'active'           => $active,
				'integration'      => 'zapier',
				'date_last_failed' => '0000-00-00 00:00:00',
			)
		);
		return (int) $wpdb->insert_id;
	}

	/** @return array<int,array> UM id => copy */
	private function copies(): array {
		$out = array();
		foreach ( umw_list_webhooks( array( 'network_id' => 1 ) ) as $w ) {
			$um = ExternalId::um_id( $w['external_id'] ?? null, 1 );
			if ( null !== $um ) {
				$out[ $um ] = $w;
			}
		}
		return $out;
	}

	public function test_sync_creates_updates_deletes_and_keeps_what_umw_owns(): void {
		global $wpdb;
		$a   = $this->insert( 'Payments to CRM', 'https://crm.example/hook', 'payment_received', 1 );
		$b   = $this->insert( 'New sites', 'https://Ops.Example', 'site_published', 0 );
		$bad = $this->insert( 'Broken', 'javascript:alert(1)', 'payment_received', 1 );
		$nil = $this->insert( 'No event', 'https://crm.example/none', '', 1 );

		$first = ( new Mirror() )->sync( 1 );
		$this->assertSame( 2, $first->created );
		$this->assertArrayHasKey( $bad, $first->left_to_um );
		$this->assertSame( array( $nil => 'no_event' ), $first->ignored );
		$copies = $this->copies();
		$this->assertSame( array( $a, $b ), array_keys( $copies ) );
		$this->assertSame( 'ultimate-multisite:1:' . $a, $copies[ $a ]['external_id'] );
		$this->assertSame( array( 'payment_received' ), $copies[ $a ]['events'] );
		$this->assertTrue( $copies[ $a ]['active'] );
		$this->assertFalse( $copies[ $b ]['active'] );
		$this->assertSame( 'flat', $copies[ $a ]['format'] );

		// Nothing changed: nothing written (the canonical "https://ops.example/" is remembered).
		$second = ( new Mirror() )->sync( 1 );
		$this->assertSame( array( 0, 0, 0 ), array( $second->created, $second->updated, $second->deleted ) );

		// umw-owned fields survive UM edits; UM-owned ones follow UM.
		umw_update_webhook( (int) $copies[ $a ]['id'], array( 'headers' => array( 'X-Team' => 'billing' ), 'name' => 'renamed in umw' ) );
		$secret = umw_get_webhook( (int) $copies[ $a ]['id'], true )['secret'];
		$wpdb->update( $this->table, array( 'webhook_url' => 'https://crm.example/v2', 'active' => 0, 'event' => 'site_published' ), array( 'id' => $a ) );
		$third = ( new Mirror() )->sync( 1 );
		$this->assertSame( 1, $third->updated );
		$copy = umw_get_webhook( (int) $copies[ $a ]['id'], true );
		$this->assertSame( 'https://crm.example/v2', $copy['url'] );
		$this->assertSame( array( 'site_published' ), $copy['events'] );
		$this->assertFalse( $copy['active'] );
		$this->assertSame( 'Payments to CRM', $copy['name'] );
		$this->assertSame( array( 'X-Team' => 'billing' ), $copy['headers'] );
		$this->assertSame( $secret, $copy['secret'] );

		// Deleted in UM; a copy deleted in umw comes back.
		$wpdb->delete( $this->table, array( 'id' => $b ) );
		umw_delete_webhook( (int) $copies[ $a ]['id'] );
		$fourth = ( new Mirror() )->sync( 1 );
		$this->assertSame( 1, $fourth->created );
		$this->assertSame( 1, $fourth->deleted );
		$this->assertSame( array( $a ), array_keys( $this->copies() ) );
	}

	public function test_a_url_umw_refuses_later_switches_the_copy_off(): void {
		global $wpdb;
		$a = $this->insert( 'CRM', 'https://crm.example/hook', 'payment_received', 1 );
		( new Mirror() )->sync( 1 );
		$wpdb->update( $this->table, array( 'webhook_url' => 'ftp://crm.example/hook' ), array( 'id' => $a ) );
		$r = ( new Mirror() )->sync( 1 );
		$this->assertArrayHasKey( $a, $r->left_to_um );
		$this->assertSame( array( $a ), $r->for_um_sender( 'payment_received' ) );
		$this->assertSame( array(), $r->sent_by_umw( 'payment_received' ) );
		$copy = $this->copies()[ $a ];
		$this->assertFalse( $copy['active'], 'no longer sends to the old URL' );
		$this->assertSame( 'https://crm.example/hook', $copy['url'] );
	}

	public function test_legacy_imports_are_adopted_not_copied_again(): void {
		$a  = $this->insert( 'Old import', 'https://crm.example/old', 'payment_received', 1 );
		$id = umw_register_webhook( array( 'name' => 'Old import', 'url' => 'https://crm.example/old', 'events' => array( 'payment_received' ) ) );
		$this->track( $id );
		update_network_option( 1, Mirror::LEGACY_OPTION, array( $a => $id ) );
		$r = ( new Mirror() )->sync( 1 );
		$this->assertSame( 0, $r->created );
		$this->assertSame( array( $a => $id ), $r->linked );
		$this->assertFalse( get_network_option( 1, Mirror::LEGACY_OPTION, false ) );
	}

	public function test_importer_totals_and_missing_table(): void {
		$this->insert( 'CRM', 'https://crm.example/hook', 'payment_received', 1 );
		$totals = ( new UltimateMultisiteImporter() )->import( 1 );
		$this->assertSame( 1, $totals['created'] );
		$this->assertSame( 0, $totals['skipped'] );
		$this->assertSame( 1, $totals['networks'][0]['linked'] );

		global $wpdb;
		$wpdb->query( "DROP TABLE `{$this->table}`" );
		$this->assertNull( ( new WebhooksTable( 1 ) )->rows() );
		$this->expectException( \RuntimeException::class );
		( new UltimateMultisiteImporter() )->import( 1 );
	}
}
