<?php
/**
 * "Import" of Ultimate Multisite webhooks: runs the same sync the bridge runs before every event, for one
 * network or all of them, and reports it. There is nothing to import by hand any more — UM's webhooks are
 * kept in step automatically — but an explicit run shows what umw sends and what it cannot.
 *
 * @package Umw
 */

namespace Umw\Import;

use Umw\UltimateMultisite\Mirror;
use Umw\UltimateMultisite\Status;
use Umw\UltimateMultisite\SyncResult;

defined( 'ABSPATH' ) || exit;

final class UltimateMultisiteImporter {

	/**
	 * @return list<int> ids of the networks of this installation
	 */
	public function networks(): array {
		return array_map( 'intval', (array) get_networks( array( 'fields' => 'ids', 'number' => 0 ) ) );
	}

	/**
	 * @return list<SyncResult> one per network that has a UM webhooks table
	 * @throws \RuntimeException when no network has Ultimate Multisite's table, or a sync fails
	 */
	public function sync( ?int $only_network = null ): array {
		$results = array();
		$tables  = array();
		foreach ( null === $only_network ? $this->networks() : array( $only_network ) as $network_id ) {
			$result   = ( new Mirror() )->sync( $network_id );
			$tables[] = $result->table;
			if ( $result->table_exists ) {
				Status::record( $result );
				$results[] = $result;
			}
		}
		if ( ! $results ) {
			throw new \RuntimeException(
				/* translators: %s: table names */
				sprintf( __( 'No Ultimate Multisite webhooks table found (looked for %s): is Ultimate Multisite installed?', 'umw' ), implode( ', ', $tables ) )
			);
		}
		return $results;
	}

	/**
	 * The totals, for callers that want one line.
	 *
	 * @return array{created:int,updated:int,deleted:int,skipped:int,errors:array<int,string>,networks:list<array<string,mixed>>}
	 *         skipped/errors: UM webhooks umw cannot send (UM id => why; left to UM's own sender)
	 */
	public function import( ?int $only_network = null ): array {
		$out = array(
			'created'  => 0,
			'updated'  => 0,
			'deleted'  => 0,
			'skipped'  => 0,
			'errors'   => array(),
			'networks' => array(),
		);
		foreach ( $this->sync( $only_network ) as $result ) {
			$out['created']   += $result->created;
			$out['updated']   += $result->updated;
			$out['deleted']   += $result->deleted;
			$out['skipped']   += count( $result->left_to_um );
			$out['errors']    += $result->left_to_um;
			$out['networks'][] = $result->to_array();
		}
		return $out;
	}
}
