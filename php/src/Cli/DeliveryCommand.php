<?php
/**
 * `wp umw delivery …`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Deliveries;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

/**
 * Inspects, resends, replays and prunes webhook deliveries.
 *
 * ## EXAMPLES
 *
 *     # Failed deliveries of webhook 7
 *     $ wp umw delivery list --status=failed --webhook=7
 *
 *     # One delivery with its attempts and payload
 *     $ wp umw delivery get dlv_01J… --format=json
 *
 *     # Send again now
 *     $ wp umw delivery resend dlv_01J…
 *
 *     # Re-queue what failed since a date (read in the site's time zone)
 *     $ wp umw delivery replay 7 --since="2026-05-01 00:00"
 *
 *     # Delete log entries older than 30 days
 *     $ wp umw delivery prune --older-than=30 --yes
 */
final class DeliveryCommand {

	use Output;

	private const FIELDS = array( 'id', 'event', 'webhook', 'status', 'attempts', 'last_status_code', 'created_at' );

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
	 * : Only deliveries in this state.
	 * ---
	 * options:
	 *   - pending
	 *   - delivered
	 *   - retrying
	 *   - failed
	 * ---
	 *
	 * [--message=<message-id>]
	 * : Only deliveries of this message (msg_…).
	 *
	 * [--since=<date>]
	 * : Created at or after: a date in the site's time zone ("2026-05-01 14:00"), "-2 days", or unix time.
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
	 * [--field=<field>]
	 * : Print the value of a single field for each delivery.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format. count counts every match (no --limit).
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
	 * ## AVAILABLE FIELDS
	 *
	 * These fields are shown by default: id, event, webhook, status, attempts, last_status_code, created_at
	 *
	 * These fields are optionally available: webhook_id, message_id, is_test, last_error, last_attempt_at,
	 * next_attempt_at, in_flight, payload. Times are ISO 8601 in the site's time zone.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery list --status=failed --format=ids
	 *     $ wp umw delivery list --webhook=7 --format=count
	 *
	 * @subcommand list
	 */
	public function list_( $args, $assoc_args ) {
		$filter = array(
			'webhook_id' => $assoc_args['webhook'] ?? null,
			'event'      => $assoc_args['event'] ?? null,
			'status'     => $assoc_args['status'] ?? null,
			'message_id' => $assoc_args['message'] ?? null,
			'since'      => $assoc_args['since'] ?? null,
		);
		if ( 'count' === ( $assoc_args['format'] ?? 'table' ) ) {
			\WP_CLI::line( (string) $this->run( fn() => $this->deliveries->count( $filter ) ) );
			return;
		}
		$filter['limit']        = $assoc_args['limit'] ?? 50;
		$filter['offset']       = $assoc_args['offset'] ?? 0;
		$filter['with_payload'] = str_contains( (string) ( $assoc_args['fields'] ?? '' ) . ',' . (string) ( $assoc_args['field'] ?? '' ), 'payload' );
		$items            = $this->run( fn() => $this->deliveries->list( $filter ) );
		$names            = $this->webhook_names();
		$items            = array_map( fn( array $d ) => $this->summary( $d, $names ), $items );
		$this->display_items( $items, self::FIELDS, $assoc_args );
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
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery get dlv_01J… --field=payload --format=json
	 */
	public function get( $args, $assoc_args ) {
		$delivery             = $this->run( fn() => $this->deliveries->get( (string) $args[0] ) );
		$delivery             = $this->summary( $delivery, $this->webhook_names(), true );
		$delivery['attempts'] = array_map( fn( array $a ) => $this->iso_times( $a, array( 'time' ) ), (array) $delivery['attempt_list'] );
		unset( $delivery['attempt_list'] );
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
	 *     $ wp umw delivery resend dlv_01J… dlv_01K…
	 *     Queued dlv_01J… again.
	 *     Queued dlv_01K… again.
	 *     Success: Resent 2 of 2 deliveries.
	 */
	public function resend( $args, $assoc_args ) {
		$this->batch(
			$args,
			'deliveries',
			'resent',
			function ( string $id ): string {
				$this->deliveries->resend( $id );
				return sprintf( 'Queued %s again.', $id );
			}
		);
	}

	/**
	 * Re-queues failed deliveries since a date, per webhook (test sends are never replayed).
	 *
	 * ## OPTIONS
	 *
	 * [<webhook-id>...]
	 * : Webhook ids. Required unless --all.
	 *
	 * [--all]
	 * : Every active webhook.
	 *
	 * --since=<date>
	 * : Failed deliveries created since: a date in the site's time zone, "-2 days", or unix time.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery replay --all --since="-2 days"
	 *     Success: 12 failed deliveries queued again.
	 */
	public function replay( $args, $assoc_args ) {
		$ids = $args;
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'all', false ) ) {
			$ids = array_map( static fn( $w ) => (string) $w['id'], $this->run( fn() => ( new Webhooks() )->list( array( 'status' => 'active' ) ) ) );
			if ( ! $ids ) {
				\WP_CLI::success( 'No active webhooks: nothing to replay.' );
				return;
			}
		}
		if ( ! $ids ) {
			\WP_CLI::error( 'Name at least one webhook id, or pass --all.' );
		}
		$since    = (string) $assoc_args['since'];
		$this->run( fn() => \Umw\Service\Time::parse( $since ) );
		$total    = 0;
		$failures = 0;
		$progress = \WP_CLI\Utils\make_progress_bar( 'Replaying failed deliveries', count( $ids ) );
		foreach ( $ids as $id ) {
			try {
				$total += $this->deliveries->replay( \Umw\Service\Sanitizer::id( (string) $id, 'webhook' ), $since );
			} catch ( \Throwable $e ) {
				\WP_CLI::warning( $e->getMessage() );
				++$failures;
			}
			$progress->tick();
		}
		$progress->finish();
		$message = sprintf( '%d failed %s queued again.', $total, 1 === $total ? 'delivery' : 'deliveries' );
		if ( $failures ) {
			\WP_CLI::error( sprintf( '%s %d of %d webhooks could not be replayed.', $message, $failures, count( $ids ) ) );
		}
		\WP_CLI::success( $message );
	}

	/**
	 * Deletes deliveries, their attempts and the payloads only they used, older than a number of days.
	 *
	 * The extension also prunes on its own after umw.retention_days (90 by default).
	 *
	 * ## OPTIONS
	 *
	 * [--older-than=<days>]
	 * : Age in days. Default: umw.retention_days.
	 *
	 * [--yes]
	 * : Do not ask for confirmation.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw delivery prune --older-than=30 --yes
	 *     Success: Pruned 120 deliveries, 131 attempts and 80 payloads.
	 */
	public function prune( $args, $assoc_args ) {
		$days = isset( $assoc_args['older-than'] ) ? $this->run( fn() => \Umw\Service\Sanitizer::id( (string) $assoc_args['older-than'], 'day count' ) ) : null;
		\WP_CLI::confirm( null === $days ? 'Delete log entries older than the retention (umw.retention_days)?' : sprintf( 'Delete log entries older than %d days?', $days ), $assoc_args );
		$result = $this->run( fn() => $this->deliveries->prune( $days ) );
		if ( 'table' !== ( $assoc_args['format'] ?? 'table' ) ) {
			\WP_CLI::print_value( $result, array( 'format' => $assoc_args['format'] ) );
			return;
		}
		\WP_CLI::success( sprintf( 'Pruned %d deliveries, %d attempts and %d payloads.', $result['deliveries'], $result['attempts'], $result['messages'] ) );
	}

	/**
	 * @return array<int,string>
	 */
	private function webhook_names(): array {
		$names = array();
		foreach ( $this->run( fn() => ( new Webhooks() )->list() ) as $hook ) {
			$names[ (int) $hook['id'] ] = (string) $hook['name'];
		}
		return $names;
	}

	/**
	 * One row: counts and the last attempt's outcome instead of the attempt list; times ISO 8601.
	 *
	 * @param array<string,mixed> $d
	 * @param array<int,string>   $names
	 * @return array<string,mixed>
	 */
	private function summary( array $d, array $names, bool $keep_attempts = false ): array {
		$last = Deliveries::last_attempt( $d );
		$row  = array(
			'id'               => (string) $d['id'],
			'message_id'       => (string) $d['message_id'],
			'event'            => (string) $d['event'],
			'webhook_id'       => (int) $d['webhook_id'],
			'webhook'          => $names[ (int) $d['webhook_id'] ] ?? '#' . (int) $d['webhook_id'],
			'status'           => (string) $d['status'],
			'is_test'          => ! empty( $d['is_test'] ),
			'attempts'         => count( (array) ( $d['attempts'] ?? array() ) ),
			'last_status_code' => $last['status_code'] ?? null,
			'last_error'       => $last['error'] ?? null,
			'last_attempt_at'  => $last['time'] ?? null,
			'next_attempt_at'  => $d['next_attempt_at'] ?? null,
			'in_flight'        => ! empty( $d['in_flight'] ),
			'created_at'       => $d['created_at'] ?? null,
		);
		if ( array_key_exists( 'payload', $d ) ) {
			$row['payload'] = Deliveries::decoded_payload( $d );
		}
		if ( $keep_attempts ) {
			$row['attempt_list'] = (array) ( $d['attempts'] ?? array() );
		}
		return $this->iso_times( $row, array( 'last_attempt_at', 'next_attempt_at', 'created_at' ) );
	}
}
