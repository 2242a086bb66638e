<?php
/**
 * Imports webhooks from other plugins into umw.
 *
 * ## EXAMPLES
 *
 *     $ wp umw import ultimate-multisite
 *     Success: 3 created, 0 updated, 0 skipped.
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Import\UltimateMultisiteImporter;

defined( 'ABSPATH' ) || exit;

final class ImportCommand {

	use Output;

	/**
	 * Copies Ultimate Multisite's webhooks (wu_webhooks table) into umw. Safe to re-run: already
	 * imported webhooks are updated, not duplicated.
	 *
	 * ## OPTIONS
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
	 *     $ wp umw import ultimate-multisite --format=json
	 *     {"created":3,"updated":0,"skipped":0,"errors":[]}
	 *
	 * @subcommand ultimate-multisite
	 */
	public function ultimate_multisite( $args, $assoc_args ) {
		$result = $this->run( fn() => ( new UltimateMultisiteImporter() )->import() );
		if ( 'table' !== ( $assoc_args['format'] ?? 'table' ) ) {
			\WP_CLI::print_value( $result, array( 'format' => $assoc_args['format'] ) );
			return;
		}
		foreach ( $result['errors'] as $um_id => $message ) {
			\WP_CLI::warning( sprintf( 'Ultimate Multisite webhook %d skipped: %s', $um_id, $message ) );
		}
		\WP_CLI::success( sprintf( '%d created, %d updated, %d skipped.', $result['created'], $result['updated'], $result['skipped'] ) );
	}
}
