<?php
/**
 * `wp umw event …`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Events;

defined( 'ABSPATH' ) || exit;

/**
 * Lists, shows and emits event types.
 *
 * ## EXAMPLES
 *
 *     # The catalog, names only
 *     $ wp umw event list --format=ids
 *
 *     # A sample payload
 *     $ wp umw event get payment_received --field=sample --format=json
 *
 *     # Fire an event: every subscribed webhook gets a delivery
 *     $ wp umw event emit payment_received --payload='{"payment_id":1}'
 *     Success: Emitted payment_received as msg_01J…
 */
final class EventCommand {

	use Output;

	private Events $events;

	public function __construct() {
		$this->events = new Events();
	}

	/**
	 * Lists event types.
	 *
	 * ## OPTIONS
	 *
	 * [--source=<source>]
	 * : Only built-in (ultimate-multisite) or custom events.
	 * ---
	 * options:
	 *   - ultimate-multisite
	 *   - custom
	 * ---
	 *
	 * [--field=<field>]
	 * : Print the value of a single field for each event.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields. Available: name, label, description, source, sample.
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
	 *     $ wp umw event list --format=ids
	 *
	 * @subcommand list
	 */
	public function list_( $args, $assoc_args ) {
		$types = array_values( $this->run( fn() => $this->events->types() ) );
		if ( isset( $assoc_args['source'] ) ) {
			$types = array_values( array_filter( $types, static fn( $t ) => ( $t['source'] ?? '' ) === $assoc_args['source'] ) );
		}
		$this->display_items( $types, array( 'name', 'label', 'source', 'description' ), $assoc_args, 'name' );
	}

	/**
	 * Shows an event type, with its sample payload.
	 *
	 * ## OPTIONS
	 *
	 * <name>
	 * : The event name.
	 *
	 * [--field=<field>]
	 * : Print one field (e.g. sample).
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
	 *     $ wp umw event get payment_received --format=json
	 */
	public function get( $args, $assoc_args ) {
		$type = $this->run( fn() => $this->events->get( (string) $args[0] ) );
		$this->display_item( $type, $assoc_args );
	}

	/**
	 * Emits an event: every subscribed webhook gets a delivery.
	 *
	 * ## OPTIONS
	 *
	 * <name>
	 * : The event name.
	 *
	 * [--payload=<json>]
	 * : JSON object payload ("-" reads stdin). Default: the event's sample payload.
	 *
	 * [--porcelain]
	 * : Print only the message id.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw event emit site_published
	 *     Success: Emitted site_published as msg_01J…
	 */
	public function emit( $args, $assoc_args ) {
		$id = $this->run( fn() => $this->events->emit( (string) $args[0], $this->payload_arg( $assoc_args['payload'] ?? null ) ) );
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'porcelain', false ) ) {
			\WP_CLI::line( $id );
			return;
		}
		\WP_CLI::success( sprintf( 'Emitted %s as %s', $args[0], $id ) );
	}
}
