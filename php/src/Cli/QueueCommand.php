<?php
/**
 * `wp umw queue …`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Queue;

defined( 'ABSPATH' ) || exit;

/**
 * Shows the delivery queue of the whole store and works it in the foreground.
 *
 * ## EXAMPLES
 *
 *     # What is waiting, store-wide
 *     $ wp umw queue status
 *
 *     # One number, for monitoring
 *     $ wp umw queue status --field=backlog
 *
 *     # Deliver for up to a minute (hosts without long-lived PHP workers, e.g. from cron)
 *     $ wp umw queue work --seconds=60
 */
final class QueueCommand {

	use Output;

	/**
	 * Shows the store's queue: deliveries per status, the backlog and its age, the extension's state.
	 *
	 * ## OPTIONS
	 *
	 * [--field=<field>]
	 * : Print one value: version, store, webhooks, pending, retrying, delivered, failed, backlog,
	 * oldest_backlog_at, delivery_mode, runtime, store_errors or last_error.
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
	 *     $ wp umw queue status --field=pending
	 *     0
	 */
	public function status( $args, $assoc_args ) {
		$status = $this->run( fn() => ( new Queue() )->status() );
		$this->display_item( $this->iso_times( $status, array( 'oldest_backlog_at' ) ), $assoc_args );
	}

	/**
	 * Runs due deliveries in the foreground, printing what happened as it goes.
	 *
	 * ## OPTIONS
	 *
	 * [--seconds=<seconds>]
	 * : Keep working this long, also through retries that fall due meanwhile. 0: stop when nothing is due.
	 * ---
	 * default: 0
	 * ---
	 *
	 * [--format=<format>]
	 * : table prints progress and a summary; json and yaml print only the totals.
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
	 *     $ wp umw queue work --seconds=60
	 *     Working for 60 seconds…
	 *     00:00:01  3 attempted: 3 delivered, 0 failed, 0 retrying; 0 remaining.
	 *     Success: Attempted 3: 3 delivered, 0 failed, 0 retrying; 0 remaining.
	 */
	public function work( $args, $assoc_args ) {
		$seconds = (string) ( $assoc_args['seconds'] ?? '0' );
		if ( ! is_numeric( $seconds ) || (float) $seconds < 0 ) {
			\WP_CLI::error( sprintf( '--seconds must be a number of seconds, 0 or more; got "%s".', $seconds ) );
		}
		$seconds = (float) $seconds;
		$quiet   = 'table' !== ( $assoc_args['format'] ?? 'table' );
		$queue   = new Queue();
		$totals  = array_fill_keys( array( 'attempted', 'delivered', 'failed', 'retrying' ), 0 );
		$start   = microtime( true );
		if ( ! $quiet ) {
			\WP_CLI::log( $seconds > 0 ? sprintf( 'Working for %s seconds…', $seconds ) : 'Working until nothing is due…' );
		}
		do {
			// One-second slices, so a long run reports as it goes instead of only at the end.
			$left   = $seconds - ( microtime( true ) - $start );
			$result = $this->run( fn() => $queue->work( $seconds > 0 ? max( 0.0, min( 1.0, $left ) ) : 0.0 ) );
			foreach ( array_keys( $totals ) as $key ) {
				$totals[ $key ] += (int) $result[ $key ];
			}
			$totals['remaining'] = (int) $result['remaining'];
			if ( ! $quiet && $result['attempted'] ) {
				\WP_CLI::log( gmdate( 'H:i:s', (int) ( microtime( true ) - $start ) ) . '  ' . $this->describe( $result ) );
			}
		} while ( $seconds > 0 && microtime( true ) - $start < $seconds );
		if ( $quiet ) {
			\WP_CLI::print_value( $totals, array( 'format' => $assoc_args['format'] ) );
			return;
		}
		\WP_CLI::success( $this->describe( $totals ) );
	}

	/**
	 * @param array<string,int> $r
	 */
	private function describe( array $r ): string {
		return sprintf( 'Attempted %d: %d delivered, %d failed, %d retrying; %d remaining.', $r['attempted'], $r['delivered'], $r['failed'], $r['retrying'], $r['remaining'] );
	}
}
