<?php
/**
 * Manages umw webhooks.
 *
 * ## EXAMPLES
 *
 *     # Subscribe a URL to an event
 *     $ wp umw webhook create https://example.com/hook --events=payment_received --porcelain
 *     7
 *
 *     # List active webhooks as JSON
 *     $ wp umw webhook list --active=1 --format=json
 *
 *     # Send a test event and wait for the answer
 *     $ wp umw webhook test 7
 *     Success: Delivered — HTTP 200 in 12 ms
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhookCommand {

	use Output;

	private const FIELDS = array( 'id', 'name', 'url', 'events', 'active', 'format', 'delivered_count', 'failed_count', 'last_status', 'disabled_reason' );

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
	 * [--active=<bool>]
	 * : Only active (1) or inactive (0) webhooks.
	 *
	 * [--search=<text>]
	 * : Only webhooks whose name or URL contains this text.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to specific fields. Available: id, name, url, events, active, format, headers, created_at, updated_at, disabled_at, disabled_reason, delivered_count, failed_count, last_delivery_at, last_status, last_status_code.
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
	 *     $ wp umw webhook list --fields=id,name,url
	 *     $ wp umw webhook list --format=ids
	 *
	 * @subcommand list
	 */
	public function list_( $args, $assoc_args ) {
		$items = $this->run(
			fn() => $this->webhooks->list(
				array(
					'event'  => $assoc_args['event'] ?? null,
					'active' => $assoc_args['active'] ?? null,
				),
				(string) ( $assoc_args['search'] ?? '' )
			)
		);
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
	 * : Include the signing secret.
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
		$with_secret = (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'show-secret', false );
		unset( $assoc_args['show-secret'] );
		$hook = $this->run( fn() => $this->webhooks->get( (int) $args[0], $with_secret ) );
		$this->display_item( $hook, $assoc_args );
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
	 * : Comma separated event names, or * for all events.
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
	 * : 1 or 0.
	 *
	 * [--payload-format=<payload-format>]
	 * : flat or envelope.
	 *
	 * [--headers=<headers>]
	 * : Replace the extra headers: a JSON object, or "Name: value" lines ("" removes them).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook update 7 --events=* --payload-format=envelope
	 */
	public function update( $args, $assoc_args ) {
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
		$hook = $this->run( fn() => $this->webhooks->update( (int) $args[0], $input ) );
		\WP_CLI::success( sprintf( 'Updated webhook %d.', $hook['id'] ) );
	}

	/**
	 * Deletes webhooks.
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook delete 7 8
	 */
	public function delete( $args, $assoc_args ) {
		foreach ( $args as $id ) {
			$this->run( fn() => $this->webhooks->delete( (int) $id ) );
			\WP_CLI::success( sprintf( 'Deleted webhook %d.', $id ) );
		}
	}

	/**
	 * Activates webhooks (also re-enables webhooks the extension disabled).
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook activate 7
	 */
	public function activate( $args, $assoc_args ) {
		foreach ( $args as $id ) {
			$this->run( fn() => $this->webhooks->set_active( (int) $id, true ) );
			\WP_CLI::success( sprintf( 'Activated webhook %d.', $id ) );
		}
	}

	/**
	 * Deactivates webhooks.
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook deactivate 7
	 */
	public function deactivate( $args, $assoc_args ) {
		foreach ( $args as $id ) {
			$this->run( fn() => $this->webhooks->set_active( (int) $id, false ) );
			\WP_CLI::success( sprintf( 'Deactivated webhook %d.', $id ) );
		}
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
	 * : Event to send. Default: the webhook's first event.
	 *
	 * [--payload=<json>]
	 * : JSON object to send ("-" reads stdin). Default: the event's sample.
	 *
	 * [--format=<format>]
	 * : table prints a summary; json/yaml print the whole result.
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
	 *     Success: Delivered — HTTP 200 in 12 ms
	 */
	public function test( $args, $assoc_args ) {
		$result = $this->run(
			fn() => $this->webhooks->send_test( (int) $args[0], $assoc_args['event'] ?? null, $this->payload_arg( $assoc_args['payload'] ?? null ) )
		);
		$format = $assoc_args['format'] ?? 'table';
		if ( 'table' !== $format ) {
			\WP_CLI::print_value( $result, array( 'format' => $format ) );
		} else {
			\WP_CLI::line( 'Response body: ' . $result['body'] );
		}
		$ms = (int) round( (float) $result['duration_ms'] );
		if ( $result['ok'] ) {
			\WP_CLI::success( sprintf( 'Delivered — HTTP %d in %d ms', (int) $result['status'], $ms ) );
			return;
		}
		\WP_CLI::error( sprintf( 'Failed — %s in %d ms', $result['status'] ? 'HTTP ' . (int) $result['status'] : (string) $result['error'], $ms ) );
	}

	/**
	 * Rotates the signing secret and prints the new one.
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
		$secret = $this->run( fn() => $this->webhooks->rotate_secret( (int) $args[0], $assoc_args['secret'] ?? null ) );
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
				\WP_CLI::error( '--headers: invalid JSON object.' );
			}
			return $decoded;
		}
		return str_replace( '\n', "\n", $headers );
	}
}
