<?php
/**
 * `wp umw import …`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Import\UltimateMultisiteImporter;
use Umw\UltimateMultisite\Report;
use Umw\UltimateMultisite\SyncResult;

defined( 'ABSPATH' ) || exit;

/**
 * Keeps umw in step with Ultimate Multisite's webhooks and shows who sends each one.
 *
 * umw syncs Ultimate Multisite's webhooks automatically (before every event and whenever UM saves or deletes
 * one); this command runs that sync now and lists, per UM webhook, who sends it and why.
 *
 * ## EXAMPLES
 *
 *     $ wp umw import ultimate-multisite
 *     +---------+-------+-----------------+-----------------------------+------------------+--------+--------+---------+
 *     | network | um_id | name            | url                         | event            | active | umw_id | sent_by |
 *     +---------+-------+-----------------+-----------------------------+------------------+--------+--------+---------+
 *     | 1       | 3     | Payments to CRM | https://crm.example.com/in  | payment_received | yes    | 12     | umw     |
 *     +---------+-------+-----------------+-----------------------------+------------------+--------+--------+---------+
 *     Success: Network 1: 1 Ultimate Multisite webhooks, 1 sent by umw (1 created, 0 updated, 0 removed), 0 left to Ultimate Multisite.
 */
final class ImportCommand {

	use Output;

	private const FIELDS = array( 'network', 'um_id', 'name', 'url', 'event', 'active', 'umw_id', 'sent_by' );

	/**
	 * Syncs Ultimate Multisite's webhooks into umw now and lists who sends each one.
	 *
	 * Safe to re-run: changes only what differs. UM webhooks umw cannot send (e.g. a URL its SSRF
	 * protection refuses) stay with UM's own inline sender and are listed with the reason; UM webhooks
	 * switched off in UM receive nothing (UM 2.4.10 itself sent to them anyway).
	 *
	 * ## OPTIONS
	 *
	 * [--network=<id>]
	 * : Only this network (default: every network of the installation that has Ultimate Multisite's table).
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields. Available: network, um_id, name, url, event, active, umw_id, sent_by, reason.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 *   - count
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     # Everything, as JSON.
	 *     $ wp umw import ultimate-multisite --format=json
	 *
	 *     # One network; only the webhooks UM still sends itself.
	 *     $ wp umw import ultimate-multisite --network=2 --format=csv --fields=um_id,url,reason
	 *
	 * @subcommand ultimate-multisite
	 */
	public function ultimate_multisite( $args, $assoc_args ) {
		$network = isset( $assoc_args['network'] ) ? (int) $assoc_args['network'] : null;
		if ( null !== $network && $network < 1 ) {
			\WP_CLI::error( '--network must be a network id (a positive integer); `wp site list --fields=blog_id,site_id` shows them.' );
		}
		$results = $this->run( fn() => ( new UltimateMultisiteImporter() )->sync( $network ) );
		$rows    = array();
		foreach ( $results as $result ) {
			$rows = array_merge( $rows, $this->rows( $result ) );
		}
		$this->display_items( $rows, self::FIELDS, $assoc_args, 'um_id' );
		if ( 'table' !== ( $assoc_args['format'] ?? 'table' ) ) {
			return;
		}
		foreach ( $results as $result ) {
			$summary = $result->summary();
			foreach ( array_merge( Report::findings( $summary ), Report::unfired_subscriptions( $result->rows ) ) as $line ) {
				\WP_CLI::warning( $line );
			}
			\WP_CLI::success(
				sprintf(
					'Network %d: %d Ultimate Multisite webhooks, %d sent by umw (%d created, %d updated, %d removed), %d left to Ultimate Multisite.',
					$result->network_id,
					count( $result->rows ),
					count( $result->linked ),
					$result->created,
					$result->updated,
					$result->deleted,
					count( $result->left_to_um )
				)
			);
		}
	}

	/**
	 * @return list<array<string,mixed>>
	 */
	private function rows( SyncResult $result ): array {
		$out = array();
		foreach ( $result->rows as $um_id => $row ) {
			if ( isset( $result->linked[ $um_id ] ) ) {
				$sent_by = $row['active'] ? 'umw' : 'nobody (switched off in UM)';
				$reason  = '';
			} elseif ( isset( $result->left_to_um[ $um_id ] ) ) {
				$sent_by = $row['active'] ? 'ultimate-multisite' : 'nobody (switched off in UM)';
				$reason  = $result->left_to_um[ $um_id ];
			} else {
				$sent_by = 'nobody (no event)';
				$reason  = (string) ( $result->ignored[ $um_id ] ?? '' );
			}
			$out[] = array(
				'network' => $result->network_id,
				'um_id'   => $um_id,
				'name'    => $row['name'],
				'url'     => $row['webhook_url'],
				'event'   => $row['event'],
				'active'  => $row['active'] ? 'yes' : 'no',
				'umw_id'  => $result->linked[ $um_id ] ?? '',
				'sent_by' => $sent_by,
				'reason'  => $reason,
			);
		}
		return $out;
	}
}
