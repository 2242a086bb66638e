<?php
/**
 * `wp umw webhook …`
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

/**
 * Lists, creates, updates, tests and deletes webhooks.
 *
 * ## EXAMPLES
 *
 *     # Subscribe a URL to an event
 *     $ wp umw webhook create https://example.com/hook --events=payment_received --porcelain
 *     7
 *
 *     # List active webhooks as JSON
 *     $ wp umw webhook list --status=active --format=json
 *
 *     # Send a test event and wait for the answer
 *     $ wp umw webhook test 7
 *     Success: payment_received delivered — HTTP 200 in 12 ms.
 *
 *     # Switch several off; the batch finishes before the summary
 *     $ wp umw webhook deactivate 7 8 9
 *     Success: Deactivated 3 of 3 webhooks.
 */
final class WebhookCommand {

	use Output;
	use WebhookStateCommands;

	private const FIELDS = array( 'id', 'name', 'url', 'events', 'status', 'format', 'last_delivery_at', 'last_status' );

	/** Unix-time fields shown as ISO 8601 in the site's zone. */
	private const TIMES = array( 'created_at', 'updated_at', 'disabled_at', 'last_delivery_at' );

	private Webhooks $webhooks;

	public function __construct() {
		$this->webhooks = new Webhooks();
	}

	/**
	 * Lists webhooks.
	 *
	 * ## OPTIONS
	 *
	 * [--event=<event>]
	 * : Only webhooks subscribed to this event.
	 *
	 * [--status=<status>]
	 * : Only webhooks in this state.
	 * ---
	 * options:
	 *   - active
	 *   - inactive
	 *   - disabled
	 * ---
	 *
	 * [--active=<bool>]
	 * : Only switched on (true, 1, yes) or off (false, 0, no) webhooks.
	 *
	 * [--search=<text>]
	 * : Only webhooks whose name or URL contains this text.
	 *
	 * [--orderby=<field>]
	 * : Sort by this field.
	 * ---
	 * default: id
	 * options:
	 *   - id
	 *   - name
	 *   - url
	 *   - last_delivery_at
	 *   - created_at
	 * ---
	 *
	 * [--order=<order>]
	 * : Sort direction.
	 * ---
	 * default: asc
	 * options:
	 *   - asc
	 *   - desc
	 * ---
	 *
	 * [--field=<field>]
	 * : Print the value of a single field for each webhook.
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
	 *   - ids
	 *   - count
	 * ---
	 *
	 * ## AVAILABLE FIELDS
	 *
	 * These fields are shown by default: id, name, url, events, status, format, last_delivery_at, last_status
	 *
	 * These fields are optionally available: active, headers (values masked), created_at, updated_at,
	 * disabled_at, disabled_reason, last_status_code, delivered_count and failed_count (deliveries, all time).
	 * Times are ISO 8601 in the site's time zone.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook list --fields=id,name,url
	 *     $ wp umw webhook list --status=disabled --format=ids
	 *
	 * @subcommand list
	 */
	public function list_( $args, $assoc_args ) {
		$items = $this->run(
			fn() => $this->webhooks->list(
				array(
					'event'  => $assoc_args['event'] ?? null,
					'active' => $assoc_args['active'] ?? null,
					'status' => $assoc_args['status'] ?? 'all',
				),
				(string) ( $assoc_args['search'] ?? '' ),
				(string) ( $assoc_args['orderby'] ?? 'id' ),
				(string) ( $assoc_args['order'] ?? 'asc' )
			)
		);
		$items = array_map( fn( array $hook ) => $this->iso_times( Webhooks::public_view( $hook ), self::TIMES ), $items );
		$this->display_items( $items, self::FIELDS, $assoc_args );
	}

	/**
	 * Shows one webhook.
	 *
	 * ## OPTIONS
	 *
	 * <id>
	 * : The webhook id.
	 *
	 * [--show-secret]
	 * : Include the signing secret and the extra headers' values.
	 *
	 * [--field=<field>]
	 * : Print the value of a single field.
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
	 *     $ wp umw webhook get 7 --format=json
	 *     $ wp umw webhook get 7 --field=url
	 */
	public function get( $args, $assoc_args ) {
		$id     = $this->id_arg( $args[0], 'webhook' );
		$reveal = (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'show-secret', false );
		unset( $assoc_args['show-secret'] );
		$hook = $this->run( fn() => $this->webhooks->get( $id, $reveal ) );
		$this->display_item( $this->iso_times( Webhooks::public_view( $hook, $reveal ), self::TIMES ), $assoc_args );
	}

	/**
	 * Creates a webhook (prints its signing secret once).
	 *
	 * ## OPTIONS
	 *
	 * <url>
	 * : Where to POST events (http:// or https://).
	 *
	 * [--name=<name>]
	 * : A name. Default: "<events> → <host>".
	 *
	 * [--events=<events>]
	 * : Comma separated event names (see `wp umw event list`), or * for all events.
	 * ---
	 * default: *
	 * ---
	 *
	 * [--inactive]
	 * : Create it switched off.
	 *
	 * [--payload-format=<payload-format>]
	 * : Body format.
	 * ---
	 * default: flat
	 * options:
	 *   - flat
	 *   - envelope
	 * ---
	 *
	 * [--headers=<headers>]
	 * : Extra headers: a JSON object, or "Name: value" lines.
	 *
	 * [--secret=<secret>]
	 * : Use this whsec_… secret instead of a generated one.
	 *
	 * [--porcelain]
	 * : Output just the new webhook id.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook create https://hooks.zapier.com/x --events=payment_received,site_published
	 *     Success: Created webhook 7.
	 *     Signing secret (shown once): whsec_…
	 */
	public function create( $args, $assoc_args ) {
		$input = array(
			'url'    => $args[0],
			'name'   => $assoc_args['name'] ?? '',
			'events' => $assoc_args['events'] ?? '*',
			'active' => ! \WP_CLI\Utils\get_flag_value( $assoc_args, 'inactive', false ),
			'format' => $assoc_args['payload-format'] ?? 'flat',
		);
		if ( isset( $assoc_args['headers'] ) ) {
			$input['headers'] = $this->headers_arg( (string) $assoc_args['headers'] );
		}
		if ( isset( $assoc_args['secret'] ) ) {
			$input['secret'] = (string) $assoc_args['secret'];
		}
		$hook = $this->run( fn() => $this->webhooks->create( $input ) );
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'porcelain', false ) ) {
			\WP_CLI::line( (string) $hook['id'] );
			return;
		}
		\WP_CLI::success( sprintf( 'Created webhook %d.', $hook['id'] ) );
		\WP_CLI::line( 'Signing secret (shown once): ' . $hook['secret'] );
	}

	/**
	 * Updates a webhook.
	 *
	 * ## OPTIONS
	 *
	 * <id>
	 * : The webhook id.
	 *
	 * [--webhook-url=<url>]
	 * : New URL (--url is WP-CLI's global site option).
	 *
	 * [--name=<name>]
	 * : New name.
	 *
	 * [--events=<events>]
	 * : Comma separated event names, or *.
	 *
	 * [--active=<bool>]
	 * : true or false (also 1/0, yes/no).
	 *
	 * [--payload-format=<payload-format>]
	 * : Body format.
	 * ---
	 * options:
	 *   - flat
	 *   - envelope
	 * ---
	 *
	 * [--headers=<headers>]
	 * : Replace the extra headers: a JSON object, or "Name: value" lines ("" removes them). A value of
	 * •••••• keeps the stored one.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook update 7 --events=* --payload-format=envelope
	 *     Success: Updated webhook 7.
	 */
	public function update( $args, $assoc_args ) {
		$id    = $this->id_arg( $args[0], 'webhook' );
		$map   = array(
			'webhook-url'    => 'url',
			'name'           => 'name',
			'events'         => 'events',
			'active'         => 'active',
			'payload-format' => 'format',
		);
		$input = array();
		foreach ( $map as $arg => $key ) {
			if ( isset( $assoc_args[ $arg ] ) ) {
				$input[ $key ] = $assoc_args[ $arg ];
			}
		}
		if ( isset( $assoc_args['headers'] ) ) {
			$input['headers'] = $this->headers_arg( (string) $assoc_args['headers'] );
		}
		if ( ! $input ) {
			\WP_CLI::error( 'Nothing to update: pass at least one of --webhook-url, --name, --events, --active, --payload-format, --headers.' );
		}
		$hook = $this->run( fn() => $this->webhooks->update( $id, $input ) );
		\WP_CLI::success( sprintf( 'Updated webhook %d.', $hook['id'] ) );
	}

	/**
	 * Sends a test event now and waits for the answer (exit 1 when it fails).
	 *
	 * ## OPTIONS
	 *
	 * <id>
	 * : The webhook id.
	 *
	 * [--event=<event>]
	 * : Event to send; one the webhook is subscribed to. Default: its first event.
	 *
	 * [--payload=<json>]
	 * : JSON object to send ("-" reads stdin). Default: the event's sample.
	 *
	 * [--format=<format>]
	 * : table prints a summary; json and yaml print only the result (the exit code tells failure).
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
	 *     $ wp umw webhook test 7 --event=payment_received
	 *     Response body: {"ok":true}
	 *     Success: payment_received delivered — HTTP 200 in 12 ms.
	 *
	 *     $ wp umw webhook test 7 --format=json | jq .status
	 *     200
	 */
	public function test( $args, $assoc_args ) {
		$id      = $this->id_arg( $args[0], 'webhook' );
		$payload = $this->payload_arg( $assoc_args['payload'] ?? null );
		$result  = $this->run( fn() => $this->webhooks->send_test( $id, $assoc_args['event'] ?? null, $payload ) );
		$format  = $assoc_args['format'] ?? 'table';
		$ms      = (int) round( (float) $result['duration_ms'] );
		$failure = sprintf( '%s failed — %s in %d ms.', $result['event'], $result['status'] ? 'HTTP ' . (int) $result['status'] : (string) $result['error'], $ms );
		if ( 'table' !== $format ) {
			\WP_CLI::print_value( $result, array( 'format' => $format ) );
			if ( ! $result['ok'] ) {
				\WP_CLI::error( $failure ); // STDERR: stdout stays the parseable result.
			}
			return;
		}
		\WP_CLI::line( 'Response body: ' . $result['body'] );
		if ( ! $result['ok'] ) {
			\WP_CLI::error( $failure );
		}
		\WP_CLI::success( sprintf( '%s delivered — HTTP %d in %d ms.', $result['event'], (int) $result['status'], $ms ) );
	}

	/**
	 * Rotates the signing secret and prints the new one (the old one stays valid for 24 hours).
	 *
	 * ## OPTIONS
	 *
	 * <id>
	 * : The webhook id.
	 *
	 * [--secret=<secret>]
	 * : Use this whsec_… secret instead of a generated one.
	 *
	 * [--porcelain]
	 * : Print only the secret.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook rotate-secret 7 --porcelain
	 *     whsec_…
	 *
	 * @subcommand rotate-secret
	 */
	public function rotate_secret( $args, $assoc_args ) {
		$id     = $this->id_arg( $args[0], 'webhook' );
		$secret = $this->run( fn() => $this->webhooks->rotate_secret( $id, $assoc_args['secret'] ?? null ) );
		if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'porcelain', false ) ) {
			\WP_CLI::line( $secret );
			return;
		}
		\WP_CLI::success( 'New signing secret: ' . $secret );
	}

	/**
	 * @return array<string,string>|string
	 */
	private function headers_arg( string $headers ) {
		$trimmed = trim( $headers );
		if ( '' !== $trimmed && '{' === $trimmed[0] ) {
			$decoded = json_decode( $trimmed, true );
			if ( ! is_array( $decoded ) ) {
				\WP_CLI::error( '--headers: invalid JSON object (' . json_last_error_msg() . ').' );
			}
			return $decoded;
		}
		return str_replace( '\n', "\n", $headers );
	}
}
