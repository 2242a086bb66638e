<?php
/**
 * Inspects, resends and replays webhook deliveries.
 *
 * ## EXAMPLES
 *
 *     $ wp umw delivery list --status=failed --webhook=7
 *     $ wp umw delivery get dlv_01J… --format=json
 *     $ wp umw delivery resend dlv_01J…
 *     $ wp umw delivery replay 7 --since="2024-05-01 00:00"
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Deliveries;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DeliveryCommand {

	use Output;

	private Deliveries $deliveries;

	public function __construct() {
		$this->deliveries = new Deliveries();
	}

	/**
	 * Lists deliveries, newest first.
	 *
	 * ## OPTIONS
	 *
	 * [--webhook=<id>]
	 * : Only this webhook's deliveries.
	 *
	 * [--event=<event>]
	 * : Only this event.
	 *
	 * [--status=<status>]
	 * : pending, delivered, retrying or failed.
	 *
	 * [--message=<message-id>]
	 * : Only deliveries of this message (msg_…).
	 *
	 * [--since=<date>]
	 * : Created at or after (unix time or a date, UTC).
	 *
	 * [--limit=<n>]
	 * : At most this many (max 1000).
	 * ---
	 * default: 50
	 * ---
	 *
	 * [--offset=<n>]
	 * : Skip this many.
	 * ---
	 * default: 0
	 * ---
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields. Available: id, message_id, webhook_id, event, status, is_test, attempts, next_attempt_at, in_flight, created_at, payload.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - csv
	 *   - yaml
	 *   - ids
	 *   - count
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery list --status=failed --format=ids
	 *
	 * @subcommand list
	 */
	public function list_( $args, $assoc_args ) {
		$items  = $this->run(
			fn() => $this->deliveries->list(
				array(
					'webhook_id' => $assoc_args['webhook'] ?? null,
					'event'      => $assoc_args['event'] ?? null,
					'status'     => $assoc_args['status'] ?? null,
					'message_id' => $assoc_args['message'] ?? null,
					'since'      => $assoc_args['since'] ?? null,
					'limit'      => $assoc_args['limit'] ?? 50,
					'offset'     => $assoc_args['offset'] ?? 0,
				)
			)
		);
		$format = $assoc_args['format'] ?? 'table';
		if ( in_array( $format, array( 'table', 'csv' ), true ) ) {
			$items = array_map( array( $this, 'summary' ), $items );
		}
		$this->display_items( $items, array( 'id', 'event', 'webhook_id', 'status', 'attempts', 'last_status_code', 'created_at' ), $assoc_args );
	}

	/**
	 * Shows one delivery with its attempts and payload.
	 *
	 * ## OPTIONS
	 *
	 * <id>
	 * : The delivery id (dlv_…).
	 *
	 * [--field=<field>]
	 * : Print one field (e.g. payload).
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - csv
	 *   - yaml
	 * ---
	 */
	public function get( $args, $assoc_args ) {
		$delivery = $this->run( fn() => $this->deliveries->get( (string) $args[0] ) );
		$this->display_item( $delivery, $assoc_args );
	}

	/**
	 * Queues deliveries again now (their history is kept).
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more delivery ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery resend dlv_01J…
	 */
	public function resend( $args, $assoc_args ) {
		foreach ( $args as $id ) {
			$this->run( fn() => $this->deliveries->resend( (string) $id ) );
			\WP_CLI::success( sprintf( 'Queued %s again.', $id ) );
		}
	}

	/**
	 * Re-queues failed deliveries since a date, per webhook.
	 *
	 * ## OPTIONS
	 *
	 * [<webhook-id>...]
	 * : Webhook ids. Required unless --all.
	 *
	 * [--all]
	 * : Every webhook.
	 *
	 * --since=<date>
	 * : Failed deliveries created since (unix time or a date, UTC).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery replay --all --since="-2 days"
	 *     Success: 12 failed deliveries queued again.
	 */
	public function replay( $args, $assoc_args ) {
		$ids = array_map( 'intval', $args );
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'all', false ) ) {
			$ids = array_map( static fn( $w ) => (int) $w['id'], $this->run( fn() => ( new Webhooks() )->list() ) );
		}
		if ( ! $ids ) {
			\WP_CLI::error( 'Name at least one webhook id, or pass --all.' );
		}
		$since    = (string) $assoc_args['since'];
		$total    = 0;
		$progress = \WP_CLI\Utils\make_progress_bar( 'Replaying failed deliveries', count( $ids ) );
		foreach ( $ids as $id ) {
			$total += (int) $this->run( fn() => $this->deliveries->replay( $id, $since ) );
			$progress->tick();
		}
		$progress->finish();
		\WP_CLI::success( sprintf( '%d failed deliveries queued again.', $total ) );
	}

	/**
	 * @param array<string,mixed> $d
	 * @return array<string,mixed>
	 */
	private function summary( array $d ): array {
		$attempts            = (array) ( $d['attempts'] ?? array() );
		$last                = $attempts ? end( $attempts ) : array();
		$d['attempts']       = count( $attempts );
		$d['last_status_code'] = $last['status_code'] ?? '';
		$d['last_error']     = $last['error'] ?? '';
		$d['created_at']     = gmdate( 'Y-m-d H:i:s', (int) $d['created_at'] );
		return $d;
	}
}
