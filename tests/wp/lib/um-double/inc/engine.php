<?php
/**
 * The BerlinDB layer of the double: table names with UM's network prefix, the webhooks and events schemas,
 * and the query defaults UM inherits (berlindb/core 2.0.2, the version UM 2.4.10's composer.lock pins).
 *
 * @package Umw\Tests
 */

namespace WP_Ultimo\Database;

defined( 'ABSPATH' ) || exit;

/**
 * Table names. UM: `protected $prefix = 'wu'` (inc/database/engine/class-table.php:30) plus
 * Network_Prefix::update_prefix_with_network_id (inc/database/engine/traits/trait-network-prefix.php:20-25:
 * `$this->prefix .= '_' . get_current_network_id()` off the main network), joined to the name with '_'
 * (berlindb Base::apply_prefix) behind `$wpdb->get_blog_prefix(0)` = base_prefix for global tables
 * (berlindb Table::set_db_interface; Webhooks_Table::$global = true).
 */
function table_name( string $name ): string {
	global $wpdb;
	$prefix = 'wu';
	if ( get_main_network_id() !== get_current_network_id() ) {
		$prefix .= '_' . get_current_network_id();
	}
	return $wpdb->base_prefix . $prefix . '_' . $name;
}

/** Create a table once (BerlinDB Table::maybe_upgrade → install on first use). */
function create_table( string $table, string $columns ): void {
	global $wpdb;
	// phpcs:ignore WordPress.DB
	if ( $table !== $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) ) {
		$wpdb->query( "CREATE TABLE {$table} ({$columns}) {$wpdb->get_charset_collate()}" ); // phpcs:ignore WordPress.DB
	}
}

final class Webhooks_Table {

	public static function name(): string {
		return table_name( 'webhooks' );
	}

	/** The schema of inc/database/webhooks/class-webhooks-table.php:68-81 (after its 2023-06-01 upgrade, :91-108). */
	public static function install(): void {
		create_table(
			self::name(),
			"
			id bigint(20) NOT NULL auto_increment,
			migrated_from_id bigint(20) DEFAULT NULL,
			name varchar(191) NOT NULL,
			webhook_url varchar(191) NOT NULL,
			event varchar(40) NOT NULL,
			event_count int(10) default 0,
			active tinyint(4) default 1,
			hidden tinyint(4) default 0,
			integration varchar(191) NOT NULL,
			date_last_failed datetime NOT NULL,
			date_created datetime DEFAULT NULL,
			date_modified datetime DEFAULT NULL,
			PRIMARY KEY (id),
			KEY event (event)"
		);
	}
}

final class Events_Table {

	public static function name(): string {
		return table_name( 'events' );
	}

	/** inc/database/events/class-events-table.php set_schema. */
	public static function install(): void {
		create_table(
			self::name(),
			"
			id bigint(20) NOT NULL auto_increment,
			severity tinyint(4),
			initiator enum('system', 'manual'),
			author_id bigint(20) NOT NULL default '0',
			object_id bigint(20) NOT NULL default '0',
			object_type varchar(20) DEFAULT 'network',
			slug varchar(255),
			payload longtext,
			date_created datetime NULL,
			PRIMARY KEY (id)"
		);
	}
}

/**
 * berlindb Query defaults (src/Database/Query.php set_query_var_defaults, core 2.0.2):
 * 'number' => 100, 'orderby' => primary column, 'order' => 'DESC'.
 */
final class Webhook_Query {

	/**
	 * @param array<string,mixed> $args
	 * @return list<\WP_Ultimo\Models\Webhook>
	 */
	public function query( array $args = array() ): array {
		global $wpdb;
		$args  = $args + array(
			'number' => 100,
			'order'  => 'DESC',
		);
		$table = Webhooks_Table::name();
		$order = 'ASC' === strtoupper( (string) $args['order'] ) ? 'ASC' : 'DESC';
		$limit = $args['number'] ? ' LIMIT ' . absint( $args['number'] ) : '';
		// phpcs:ignore WordPress.DB
		$rows = $wpdb->get_results( "SELECT * FROM {$table} ORDER BY id {$order}{$limit}", ARRAY_A );
		return array_map( static fn( $row ) => new \WP_Ultimo\Models\Webhook( $row ), (array) $rows );
	}

	public function get_item( int $id ): ?array {
		global $wpdb;
		$table = Webhooks_Table::name();
		// phpcs:ignore WordPress.DB
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A );
		return $row ?: null;
	}

	/** @param array<string,mixed> $data */
	public function add_item( array $data ): int {
		global $wpdb;
		$wpdb->insert( Webhooks_Table::name(), $data ); // phpcs:ignore WordPress.DB
		return (int) $wpdb->insert_id;
	}

	/** @param array<string,mixed> $data */
	public function update_item( int $id, array $data ): bool {
		global $wpdb;
		// berlindb marks 'modified' => true columns (date_modified) on update.
		$data['date_modified'] = gmdate( 'Y-m-d H:i:s' );
		return false !== $wpdb->update( Webhooks_Table::name(), $data, array( 'id' => $id ) ); // phpcs:ignore WordPress.DB
	}

	public function delete_item( int $id ): bool {
		global $wpdb;
		return (bool) $wpdb->delete( Webhooks_Table::name(), array( 'id' => $id ) ); // phpcs:ignore WordPress.DB
	}
}
