<?php

namespace Umw\Tests;

use Umw\Import\UltimateMultisiteImporter;

final class ImporterTest extends TestCase {

	private string $table;

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$this->table = $wpdb->base_prefix . 'wu_webhooks';
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		// As Ultimate Multisite creates it (WP_Ultimo\Database\Webhooks\Webhooks_Schema).
		$wpdb->query(
			"CREATE TABLE `{$this->table}` (
				id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
				migrated_from_id bigint(20) DEFAULT NULL,
				name varchar(191) NOT NULL,
				webhook_url varchar(191) NOT NULL,
				event varchar(191) NOT NULL,
				event_count int(10) DEFAULT 0,
				active tinyint(4) DEFAULT 1,
				hidden tinyint(4) DEFAULT 0,
				integration varchar(191) NOT NULL DEFAULT 'manual',
				date_last_failed datetime NULL,
				date_created datetime NULL,
				date_modified datetime NULL,
				PRIMARY KEY (id)
			) {$wpdb->get_charset_collate()}"
		);
		delete_site_option( UltimateMultisiteImporter::OPTION );
	}

	protected function tearDown(): void {
		global $wpdb;
		foreach ( ( new UltimateMultisiteImporter() )->mapping() as $umw_id ) {
			$this->track( $umw_id );
		}
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		delete_site_option( UltimateMultisiteImporter::OPTION );
		parent::tearDown();
	}

	private function insert( string $name, string $url, string $event, int $active ): int {
		global $wpdb;
		$wpdb->insert(
			$this->table,
			array(
				'name'         => $name,
				'webhook_url'  => $url,
				'event'        => $event,
				'active'       => $active,
				'event_count'  => 3,
				'integration'  => 'zapier',
				'date_created' => current_time( 'mysql', true ),
			)
		);
		return (int) $wpdb->insert_id;
	}

	public function test_import_is_idempotent(): void {
		$a   = $this->insert( 'Payments to CRM', 'https://crm.example/hook', 'payment_received', 1 );
		$b   = $this->insert( 'New sites', 'https://ops.example/sites', 'site_published', 0 );
		$bad = $this->insert( 'Broken', 'javascript:alert(1)', 'payment_received', 1 );

		$importer = new UltimateMultisiteImporter();
		$this->assertTrue( $importer->table_exists() );
		$first = $importer->import();
		$this->assertSame( 2, $first['created'] );
		$this->assertSame( 0, $first['updated'] );
		$this->assertSame( 1, $first['skipped'] );
		$this->assertArrayHasKey( $bad, $first['errors'] );

		$map = $importer->mapping();
		$this->assertSame( array( $a, $b ), array_keys( $map ) );
		$hook_a = $this->webhooks->get( $map[ $a ] );
		$this->assertSame( 'Payments to CRM', $hook_a['name'] );
		$this->assertSame( 'https://crm.example/hook', $hook_a['url'] );
		$this->assertSame( array( 'payment_received' ), $hook_a['events'] );
		$this->assertTrue( $hook_a['active'] );
		$this->assertFalse( $this->webhooks->get( $map[ $b ] )['active'] );

		$count = count( $this->webhooks->list() );
		$second = $importer->import();
		$this->assertSame( 0, $second['created'] );
		$this->assertSame( 2, $second['updated'] );
		$this->assertSame( 1, $second['skipped'] );
		$this->assertCount( $count, $this->webhooks->list(), 'no duplicates' );
		$this->assertSame( $map, $importer->mapping() );

		global $wpdb;
		$wpdb->update( $this->table, array( 'webhook_url' => 'https://crm.example/v2', 'active' => 0, 'event' => 'site_published' ), array( 'id' => $a ) );
		$third = $importer->import();
		$this->assertSame( 2, $third['updated'] );
		$hook_a = $this->webhooks->get( $map[ $a ] );
		$this->assertSame( 'https://crm.example/v2', $hook_a['url'] );
		$this->assertSame( array( 'site_published' ), $hook_a['events'] );
		$this->assertFalse( $hook_a['active'] );

		// A umw webhook deleted since the import is created again.
		umw_delete_webhook( $map[ $b ] );
		$fourth = $importer->import();
		$this->assertSame( 1, $fourth['created'] );
		$this->assertSame( 1, $fourth['updated'] );
		$this->assertNotSame( $map[ $b ], $importer->mapping()[ $b ] );
		$this->assertCount( $count, $this->webhooks->list() );
	}

	public function test_missing_table(): void {
		global $wpdb;
		$wpdb->query( "DROP TABLE IF EXISTS `{$this->table}`" );
		$this->assertFalse( ( new UltimateMultisiteImporter() )->table_exists() );
		$this->expectException( \RuntimeException::class );
		( new UltimateMultisiteImporter() )->import();
	}
}
