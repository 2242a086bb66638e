<?php
/**
 * Shows the delivery queue and runs it in the foreground.
 *
 * ## EXAMPLES
 *
 *     $ wp umw queue status
 *     $ wp umw queue work --seconds=30
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Queue;

defined( 'ABSPATH' ) || exit;

final class QueueCommand {

	use Output;

	/**
	 * Shows the extension's queue counters (umw_stats).
	 *
	 * ## OPTIONS
	 *
	 * [--field=<field>]
	 * : Print one value.
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
	 */
	public function status( $args, $assoc_args ) {
		$stats = $this->run( fn() => ( new Queue() )->status() );
		$this->display_item( $stats, $assoc_args );
	}

	/**
	 * Runs due deliveries in the foreground until none are due (or --seconds elapsed).
	 *
	 * ## OPTIONS
	 *
	 * [--seconds=<seconds>]
	 * : Stop after this many seconds (0: when nothing is due).
	 * ---
	 * default: 0
	 * ---
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
	 *     $ wp umw queue work --seconds=60
	 */
	public function work( $args, $assoc_args ) {
		$result = $this->run( fn() => ( new Queue() )->work( (float) ( $assoc_args['seconds'] ?? 0 ) ) );
		if ( 'table' !== ( $assoc_args['format'] ?? 'table' ) ) {
			$this->display_item( $result, $assoc_args );
			return;
		}
		\WP_CLI::success(
			sprintf(
				'Attempted %d: %d delivered, %d failed, %d retrying; %d remaining.',
				$result['attempted'],
				$result['delivered'],
				$result['failed'],
				$result['retrying'],
				$result['remaining']
			)
		);
	}
}
