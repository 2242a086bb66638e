<?php
/**
 * `wp umw stats`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Stats;

defined( 'ABSPATH' ) || exit;

/**
 * Shows delivery statistics (the numbers of the Webhooks dashboard).
 */
final class StatsCommand {

	use Output;

	/**
	 * Shows delivery statistics: attempts delivered / retrying / failed, success rate, p50/p95 response time.
	 *
	 * The same numbers as the Webhooks dashboard and GET /wp-json/umw/v1/stats. Test sends are left out.
	 *
	 * ## OPTIONS
	 *
	 * [--webhook=<id>]
	 * : One webhook instead of the whole network.
	 *
	 * [--days=<days>]
	 * : How many days back from now (1–90).
	 * ---
	 * default: 7
	 * ---
	 *
	 * [--bucket=<bucket>]
	 * : Bucket size for --buckets.
	 * ---
	 * default: hour
	 * options:
	 *   - hour
	 *   - day
	 * ---
	 *
	 * [--buckets]
	 * : One row per bucket instead of the totals.
	 *
	 * [--field=<field>]
	 * : Print one value of the totals (e.g. success_rate).
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
	 *     # The network over the last 7 days
	 *     $ wp umw stats
	 *
	 *     # Success rate of webhook 7 as a number between 0 and 1
	 *     $ wp umw stats --webhook=7 --field=success_rate
	 *
	 *     # Daily rows for a month, for a spreadsheet
	 *     $ wp umw stats --days=30 --bucket=day --buckets --format=csv
	 */
	public function __invoke( $args, $assoc_args ) {
		$webhook = isset( $assoc_args['webhook'] ) ? $this->id_arg( (string) $assoc_args['webhook'], 'webhook' ) : null;
		$days    = $this->id_arg( (string) ( $assoc_args['days'] ?? '7' ), 'day count' );
		$stats   = $this->run( fn() => ( new Stats() )->get( $webhook, $days, (string) ( $assoc_args['bucket'] ?? 'hour' ) ) );
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'buckets', false ) ) {
			$rows = array_map( fn( array $b ) => $this->iso_times( $b, array( 'start' ) ), $stats['buckets'] );
			$this->display_items( $rows, array( 'start', 'delivered', 'retrying', 'failed', 'attempts', 'p50_ms', 'p95_ms' ), $assoc_args, 'start' );
			return;
		}
		$totals = array(
			'webhook' => $webhook ?? 'all',
			'since'   => $stats['since'],
			'until'   => $stats['until'],
		) + $stats['totals'];
		$this->display_item( $this->iso_times( $totals, array( 'since', 'until' ) ), $assoc_args );
	}
}
