<?php
/**
 * Copies Ultimate Multisite webhooks ({$wpdb->base_prefix}wu_webhooks) into umw, idempotently:
 * the mapping UM id => umw id is kept in the network option `umw_imported_um_webhooks`, so
 * re-running updates the webhooks it created instead of duplicating them.
 *
 * @package Umw
 */

namespace Umw\Import;

use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class UltimateMultisiteImporter {

	/** Network (site) option: array<int UM id, int umw id>. */
	public const OPTION = 'umw_imported_um_webhooks';

	private Webhooks $webhooks;

	public function __construct( ?Webhooks $webhooks = null ) {
		$this->webhooks = $webhooks ?? new Webhooks();
	}

	public function table(): string {
		global $wpdb;
		return $wpdb->base_prefix . 'wu_webhooks';
	}

	public function table_exists(): bool {
		global $wpdb;
		$table = $this->table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
	}

	/**
	 * @return array<int,int>
	 */
	public function mapping(): array {
		$map = get_site_option( self::OPTION, array() );
		$out = array();
		foreach ( is_array( $map ) ? $map : array() as $um_id => $umw_id ) {
			$out[ (int) $um_id ] = (int) $umw_id;
		}
		return $out;
	}

	/**
	 * @return array{created:int,updated:int,skipped:int,errors:array<int,string>}
	 *               errors: UM id => message for each skipped row
	 * @throws \RuntimeException when the UM table does not exist
	 */
	public function import(): array {
		global $wpdb;
		if ( ! $this->table_exists() ) {
			throw new \RuntimeException(
				/* translators: %s: table name */
				sprintf( __( 'Ultimate Multisite webhooks table %s not found: is Ultimate Multisite installed?', 'umw' ), $this->table() )
			);
		}
		$table = $this->table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$rows = $wpdb->get_results( "SELECT id, name, webhook_url, event, active FROM `{$table}` ORDER BY id ASC", ARRAY_A );

		$result = array(
			'created' => 0,
			'updated' => 0,
			'skipped' => 0,
			'errors'  => array(),
		);
		$map    = $this->mapping();
		foreach ( (array) $rows as $row ) {
			$um_id = (int) $row['id'];
			$data  = array(
				'name'   => '' !== trim( (string) $row['name'] ) ? (string) $row['name'] : sprintf( 'Ultimate Multisite webhook #%d', $um_id ),
				'url'    => (string) $row['webhook_url'],
				'events' => array( '' !== trim( (string) $row['event'] ) ? trim( (string) $row['event'] ) : '*' ),
				'active' => (bool) (int) $row['active'],
			);
			try {
				if ( isset( $map[ $um_id ] ) && $this->webhooks->exists( $map[ $um_id ] ) ) {
					$this->webhooks->update( $map[ $um_id ], $data );
					++$result['updated'];
				} else {
					$created        = $this->webhooks->create( $data );
					$map[ $um_id ] = (int) $created['id'];
					++$result['created'];
				}
			} catch ( \ValueError | \TypeError | \RuntimeException $e ) {
				++$result['skipped'];
				$result['errors'][ $um_id ] = $e->getMessage();
			}
		}
		update_site_option( self::OPTION, $map );
		return $result;
	}
}
