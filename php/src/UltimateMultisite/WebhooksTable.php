<?php
/**
 * Ultimate Multisite's webhooks table of one network, read the way UM itself lays it out:
 * `{base_prefix}wu_webhooks` on the main network, `{base_prefix}wu_{network_id}_webhooks` on the others
 * (UM 2.4.10 inc/database/engine/traits/trait-network-prefix.php:20-25 appends `_{network_id}` to the `wu`
 * prefix off the main network; the table is global, so behind base_prefix).
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class WebhooksTable {

	/**
	 * How many rows UM's own sender looks at: Webhook::get_all() runs a BerlinDB query with its defaults,
	 * 100 rows ordered by id DESC (berlindb/core 2.0.2 Query::set_query_var_defaults).
	 */
	public const UM_PAGE_SIZE = 100;

	/** UM's object-cache group for webhooks (Base_Model::save deletes "wu-{$model}s"). */
	private const CACHE_GROUP = 'wu-webhooks';

	private int $network_id;

	public function __construct( int $network_id ) {
		$this->network_id = $network_id;
	}

	public function network_id(): int {
		return $this->network_id;
	}

	public function name(): string {
		global $wpdb;
		$prefix = 'wu';
		if ( (int) get_main_network_id() !== $this->network_id ) {
			$prefix .= '_' . $this->network_id;
		}
		return $wpdb->base_prefix . $prefix . '_webhooks';
	}

	public function exists(): bool {
		global $wpdb;
		$table = $this->name();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
	}

	/**
	 * Every row, oldest first, with the columns that decide where events go.
	 *
	 * @return array<int,array{id:int,name:string,webhook_url:string,event:string,active:bool,hidden:bool,integration:string,event_count:int}>|null
	 *         keyed by UM id; null when the table does not exist (UM not installed on this network)
	 * @throws \RuntimeException when the table exists but cannot be read
	 */
	public function rows(): ?array {
		global $wpdb;
		$table      = $this->name();
		$suppressed = $wpdb->suppress_errors( true );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$rows  = $wpdb->get_results( "SELECT id, name, webhook_url, event, active, hidden, integration, event_count FROM `{$table}` ORDER BY id ASC", ARRAY_A );
		$error = (string) $wpdb->last_error;
		$wpdb->suppress_errors( $suppressed );
		if ( '' !== $error ) {
			if ( ! $this->exists() ) {
				return null;
			}
			/* translators: 1: table name, 2: database error */
			throw new \RuntimeException( sprintf( __( 'Could not read Ultimate Multisite webhooks from %1$s: %2$s', 'umw' ), $table, $error ) );
		}
		$out = array();
		foreach ( (array) $rows as $row ) {
			$id         = (int) $row['id'];
			$out[ $id ] = array(
				'id'          => $id,
				'name'        => (string) $row['name'],
				'webhook_url' => (string) $row['webhook_url'],
				'event'       => (string) $row['event'],
				'active'      => (bool) (int) $row['active'],
				'hidden'      => (bool) (int) $row['hidden'],
				'integration' => (string) $row['integration'],
				'event_count' => (int) $row['event_count'],
			);
		}
		return $out;
	}

	/**
	 * The ids UM's own sender would look at: the UM_PAGE_SIZE newest, whatever their `active`.
	 *
	 * @param array<int,mixed> $rows keyed by UM id
	 * @return list<int>
	 */
	public static function ids_um_would_see( array $rows ): array {
		$ids = array_keys( $rows );
		rsort( $ids );
		return array_slice( $ids, 0, self::UM_PAGE_SIZE );
	}

	/**
	 * UM counts every event it sends (Webhook_Manager::send_webhook). umw sent these: count them the same
	 * way, in one atomic statement (no read-modify-write across processes).
	 *
	 * @param list<int> $ids
	 */
	public function count_sent( array $ids ): void {
		global $wpdb;
		$ids = array_values( array_filter( array_map( 'intval', $ids ) ) );
		if ( ! $ids ) {
			return;
		}
		$table = $this->name();
		$in    = implode( ',', $ids );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$wpdb->query( "UPDATE `{$table}` SET event_count = event_count + 1 WHERE id IN ({$in})" );
		foreach ( $ids as $id ) {
			wp_cache_delete( $id, self::CACHE_GROUP );
		}
	}
}
