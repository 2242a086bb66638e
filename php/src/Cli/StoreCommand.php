<?php
/**
 * `wp umw store`: which store umw uses, and moving a network to another one.
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Store;

defined( 'ABSPATH' ) || exit;

/**
 * Shows the store umw keeps webhooks and deliveries in, and moves a network to another store.
 *
 * A network served by one machine keeps the embedded default (an SQLite file). A network behind a
 * load balancer moves to the MySQL/MariaDB database all its web servers share: copy the store
 * there, then point `umw.store` at it on every server.
 *
 * ## EXAMPLES
 *
 *     # Which store is in use, its health and what it holds
 *     $ wp umw store status
 *
 *     # Copy everything, the delivery log included, into the WordPress database
 *     $ wp umw store migrate --to='mysql://wp:secret@localhost/wordpress?socket=/run/mysqld/mysqld.sock' --with-log --yes
 */
final class StoreCommand {

	use Output;

	/**
	 * Shows which store is in use, its health and what it holds.
	 *
	 * ## OPTIONS
	 *
	 * [--field=<field>]
	 * : Print one value.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to these fields.
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
	 * ## AVAILABLE FIELDS
	 *
	 * backend, location, schema_version, health, warnings, webhooks, pending, retrying, delivered,
	 * failed, oldest_waiting
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw store status --field=backend
	 *     mysql
	 *
	 *     $ wp umw store status --format=json
	 */
	public function status( $args, $assoc_args ) {
		$status = $this->run( fn() => ( new Store() )->status() );
		$this->display_item( $status, $assoc_args );
	}

	/**
	 * Copies the store in use into another store.
	 *
	 * Copies webhooks with their ids and signing secrets (a secret being rotated keeps its grace
	 * period), the deliveries still waiting with their payloads and earlier attempts, the hourly
	 * statistics and, with --with-log, the delivered and failed deliveries with their attempts.
	 * Safe to run again: what is already in the target is skipped, so an interrupted copy is
	 * finished by running the command again. Deliveries being sent while it runs go again from the
	 * new store (at least once, as always).
	 *
	 * Afterwards set `umw.store` to the same value on every web server and restart PHP-FPM; run the
	 * command once more from a server still on the old store to catch what arrived in between.
	 *
	 * ## OPTIONS
	 *
	 * --to=<store>
	 * : The store to copy into, as umw.store accepts it: an absolute SQLite path, a mysql:// URL
	 * (mysql://user:pass@host:3306/db, ?socket=/path for a unix socket, &prefix=wp_umw_ for the
	 * table prefix, &ssl=1 for TLS), or env:NAME / file:/path holding one, so the password stays out
	 * of your shell history.
	 *
	 * [--with-log]
	 * : Also copy the delivery log (delivered and failed deliveries with their attempts).
	 *
	 * [--batch=<rows>]
	 * : Rows per step (each step is one transaction on each side).
	 * ---
	 * default: 500
	 * ---
	 *
	 * [--yes]
	 * : Answer yes to the confirmation prompt.
	 *
	 * [--format=<format>]
	 * : How to print the summary.
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
	 *     # The password from an environment variable, not the command line
	 *     $ export UMW_DB='mysql://wp:secret@db.internal/wordpress'
	 *     $ wp umw store migrate --to=env:UMW_DB --yes
	 *     Copying  100% [================================] 0:02 / 0:02
	 *     Success: Copied 12 webhooks, 340 deliveries (340 messages, 18 attempts) and 96 statistics rows into mysql://wp:***@db.internal:3306/wordpress; 0 were there already.
	 *
	 *     # Back to an SQLite file
	 *     $ wp umw store migrate --to=/var/lib/umw/umw.sqlite --with-log --yes
	 */
	public function migrate( $args, $assoc_args ) {
		$to    = (string) ( $assoc_args['to'] ?? '' );
		$batch = (int) ( $assoc_args['batch'] ?? 500 );
		$store = new Store();
		\WP_CLI::confirm( sprintf( 'Copy the store in use into %s?', Store::redact( $to ) ), $assoc_args );

		$options = array(
			'with_log' => (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'with-log', false ),
			'batch'    => $batch,
		);
		$sum      = array_fill_keys( array( 'webhooks', 'messages', 'deliveries', 'attempts', 'stats', 'skipped' ), 0 );
		$progress = null;
		$result   = array();
		do {
			try {
				$result = $store->copy_step( $to, $options );
			} catch ( \Throwable $e ) {
				if ( $progress ) {
					$progress->finish();
				}
				\WP_CLI::error( $e->getMessage() . ' Run the command again to finish: what was copied is skipped.' );
			}
			if ( null === $progress ) {
				$progress = \WP_CLI\Utils\make_progress_bar( 'Copying', max( 1, (int) $result['total'] ) );
			}
			$progress->tick( (int) $result['copied'] );
			foreach ( array_keys( $sum ) as $key ) {
				$sum[ $key ] += (int) $result[ $key ];
			}
			$options['cursor'] = $result['cursor'];
		} while ( ! $result['done'] );
		$progress->finish();

		$summary = array_merge(
			array(
				'from' => $result['from'],
				'to'   => $result['to'],
			),
			$sum
		);
		if ( 'table' !== ( $assoc_args['format'] ?? 'table' ) ) {
			\WP_CLI::print_value( $summary, array( 'format' => $assoc_args['format'] ) );
			return;
		}
		\WP_CLI::success(
			sprintf(
				'Copied %d webhooks, %d deliveries (%d messages, %d attempts) and %d statistics rows into %s; %d were there already.',
				$sum['webhooks'],
				$sum['deliveries'],
				$sum['messages'],
				$sum['attempts'],
				$sum['stats'],
				$result['to'],
				$sum['skipped']
			)
		);
		\WP_CLI::log( sprintf( 'Next: set umw.store = "%s" (quoted) on every web server and restart PHP-FPM.', $result['to'] ) );
	}
}
