<?php
/**
 * Webhook CRUD over the extension (umw_register_webhook & co). Shared by admin, REST and WP-CLI.
 *
 * Input arrays use the extension's keys: name, url, events, active, format, headers, secret.
 * Aliases accepted for convenience (REST Hooks / Zapier): event, target_url, hookUrl.
 * Errors: \ValueError (bad input), NotFoundException, \RuntimeException (store failure).
 *
 * Extra header values usually carry credentials: every screen, REST answer and CLI listing gets
 * them masked (public_view()); a masked value sent back on update keeps the stored one.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Webhooks {

	/** Keys accepted by create()/update(). */
	public const FIELDS = array( 'name', 'url', 'events', 'active', 'format', 'headers', 'secret' );

	/** List views (status filter). */
	public const VIEWS = array( 'all', 'active', 'inactive', 'disabled' );

	/** Sortable keys for list(). */
	public const ORDERBY = array( 'id', 'name', 'url', 'last_delivery_at', 'created_at' );

	/**
	 * @param array{event?:string,active?:mixed,status?:string} $filter status: one of VIEWS
	 * @param string                                            $search case-insensitive substring of name or URL
	 * @return list<array<string,mixed>>
	 */
	public function list( array $filter = array(), string $search = '', string $orderby = 'id', string $order = 'asc' ): array {
		$clean = array();
		if ( isset( $filter['event'] ) && '' !== $filter['event'] ) {
			$clean['event'] = Sanitizer::event( $filter['event'] );
		}
		if ( isset( $filter['active'] ) && '' !== $filter['active'] ) {
			$clean['active'] = Sanitizer::bool( $filter['active'] );
		}
		$clean['network_id'] = self::network();
		$webhooks             = array_values( umw_list_webhooks( $clean ) );
		$status               = (string) ( $filter['status'] ?? 'all' );
		if ( '' !== $status && 'all' !== $status ) {
			if ( ! in_array( $status, self::VIEWS, true ) ) {
				/* translators: %s: the allowed values */
				throw new \ValueError( sprintf( __( 'Status must be one of: %s.', 'umw' ), implode( ', ', self::VIEWS ) ) );
			}
			$webhooks = array_values( array_filter( $webhooks, static fn( array $w ): bool => self::status_of( $w ) === $status ) );
		}
		$search = trim( $search );
		if ( '' !== $search ) {
			$webhooks = array_values(
				array_filter(
					$webhooks,
					static fn( array $w ): bool => false !== mb_stripos( (string) $w['name'], $search )
						|| false !== mb_stripos( (string) $w['url'], $search )
				)
			);
		}
		return self::sort( $webhooks, $orderby, $order );
	}

	/**
	 * How many webhooks each view holds.
	 *
	 * @return array<string,int> view => count
	 */
	public function view_counts(): array {
		$counts = array_fill_keys( self::VIEWS, 0 );
		foreach ( umw_list_webhooks( array( 'network_id' => self::network() ) ) as $hook ) {
			++$counts['all'];
			++$counts[ self::status_of( $hook ) ];
		}
		return $counts;
	}

	/**
	 * active / inactive / disabled (switched off by the extension: 410 or failing for too long).
	 *
	 * @param array<string,mixed> $hook
	 */
	public static function status_of( array $hook ): string {
		if ( ! empty( $hook['disabled_at'] ) ) {
			return 'disabled';
		}
		return empty( $hook['active'] ) ? 'inactive' : 'active';
	}

	/**
	 * @param list<array<string,mixed>> $webhooks
	 * @return list<array<string,mixed>>
	 */
	public static function sort( array $webhooks, string $orderby, string $order ): array {
		$key  = in_array( $orderby, self::ORDERBY, true ) ? $orderby : 'id';
		$sign = 'desc' === strtolower( $order ) ? -1 : 1;
		usort(
			$webhooks,
			static function ( array $a, array $b ) use ( $key, $sign ): int {
				$cmp = is_string( $a[ $key ] ?? null ) || is_string( $b[ $key ] ?? null )
					? strnatcasecmp( (string) ( $a[ $key ] ?? '' ), (string) ( $b[ $key ] ?? '' ) )
					: ( (float) ( $a[ $key ] ?? 0 ) <=> (float) ( $b[ $key ] ?? 0 ) );
				return $sign * ( $cmp ?: ( (int) $a['id'] <=> (int) $b['id'] ) );
			}
		);
		return $webhooks;
	}

	/**
	 * @return array<string,mixed>
	 */
	public function get( int $id, bool $with_secret = false ): array {
		$webhook = $id > 0 ? umw_get_webhook( $id, $with_secret ) : null;
		// Another network's webhook is managed from that network's admin, not this one.
		if ( ! is_array( $webhook ) || (int) ( $webhook['network_id'] ?? 1 ) !== self::network() ) {
			throw new NotFoundException(
				/* translators: %d: webhook id */
				sprintf( __( 'Webhook %d not found.', 'umw' ), $id )
			);
		}
		return $webhook;
	}

	public function exists( int $id ): bool {
		$webhook = $id > 0 ? umw_get_webhook( $id, false ) : null;
		return is_array( $webhook ) && (int) ( $webhook['network_id'] ?? 1 ) === self::network();
	}

	/**
	 * The network whose admin (or WP-CLI `--url`) this request runs in: its webhooks only hear its
	 * events, and only its admins manage them.
	 */
	public static function network(): int {
		return function_exists( 'get_current_network_id' ) ? max( 1, (int) get_current_network_id() ) : 1;
	}

	/**
	 * The webhook as screens, REST and CLI show it: header values masked, no secret.
	 *
	 * @param array<string,mixed> $hook
	 * @return array<string,mixed>
	 */
	public static function public_view( array $hook, bool $reveal = false ): array {
		if ( ! $reveal ) {
			unset( $hook['secret'] );
			$hook['headers'] = Sanitizer::mask_headers( (array) ( $hook['headers'] ?? array() ) );
		}
		$hook['status'] = self::status_of( $hook );
		return $hook;
	}

	/**
	 * Create a webhook. The returned array includes the signing secret (show it once).
	 *
	 * @param array<string,mixed> $input
	 * @return array<string,mixed>
	 */
	public function create( array $input ): array {
		$data               = $this->normalize( $input, false );
		$data['network_id'] = self::network();
		$id                 = umw_register_webhook( $data );
		$hook = $this->get( (int) $id, true );
		/**
		 * Fires after a webhook was created through the plugin.
		 *
		 * @param array $webhook the webhook (with secret)
		 */
		do_action( 'umw_webhook_created', $hook );
		return $hook;
	}

	/**
	 * @param array<string,mixed> $input only the keys to change
	 * @return array<string,mixed>
	 */
	public function update( int $id, array $input ): array {
		$current = $this->get( $id, true );
		$changes = $this->normalize( $input, true, $current );
		if ( ! $changes ) {
			return $this->get( $id );
		}
		if ( isset( $changes['secret'] ) ) {
			// Through rotation, so receivers get the 24-hour overlap and updated_at moves like any change.
			umw_rotate_secret( $id, $changes['secret'] );
			unset( $changes['secret'] );
		}
		$hook = $changes ? umw_update_webhook( $id, $changes ) : $this->get( $id );
		do_action( 'umw_webhook_updated', $hook );
		return $hook;
	}

	/**
	 * Delete a webhook with its delivery log.
	 *
	 * @return array<string,mixed> the webhook as it was, plus 'deliveries_deleted'
	 */
	public function delete( int $id ): array {
		$previous                       = $this->get( $id );
		$previous['deliveries_deleted'] = umw_count_deliveries( array( 'webhook_id' => $id ) );
		if ( ! umw_delete_webhook( $id ) ) {
			throw new NotFoundException(
				/* translators: %d: webhook id */
				sprintf( __( 'Webhook %d not found.', 'umw' ), $id )
			);
		}
		do_action( 'umw_webhook_deleted', $previous );
		return $previous;
	}

	/**
	 * Activate (which also re-enables an auto-disabled webhook) or deactivate.
	 *
	 * @return array<string,mixed> the webhook after the change, plus 'was_disabled'
	 */
	public function set_active( int $id, bool $active ): array {
		$before               = $this->get( $id );
		$hook                 = umw_update_webhook( $id, array( 'active' => $active ) );
		$hook['was_disabled'] = ! empty( $before['disabled_at'] );
		return $hook;
	}

	public function rotate_secret( int $id, ?string $new_secret = null ): string {
		$this->get( $id );
		return umw_rotate_secret( $id, Sanitizer::secret( $new_secret ) );
	}

	/**
	 * Synchronous test delivery of one of the webhook's events (default: its first; "*" webhooks:
	 * any catalog event).
	 *
	 * @param array<string,mixed>|null $payload
	 * @return array{ok:bool,status:?int,headers:array,body:string,duration_ms:float,error:?string,delivery_id:string,message_id:string,event:string}
	 */
	public function send_test( int $id, ?string $event = null, ?array $payload = null ): array {
		$hook   = $this->get( $id );
		$events = (array) $hook['events'];
		$event  = null === $event || '' === trim( $event ) || '*' === trim( $event ) ? null : Sanitizer::event( $event );
		if ( null === $event ) {
			$event = '*' === ( $events[0] ?? '*' ) ? (string) ( array_keys( ( new Events() )->types() )[0] ?? '' ) : (string) $events[0];
		}
		if ( ! in_array( '*', $events, true ) && ! in_array( $event, $events, true ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: event, 2: the webhook's events */
					__( 'This webhook is not subscribed to "%1$s"; it receives: %2$s.', 'umw' ),
					$event,
					implode( ', ', $events )
				)
			);
		}
		if ( null === $payload ) {
			// Unknown events have no sample: say so instead of sending {}.
			( new Events() )->get( $event );
		}
		$result          = umw_send_test_event( $id, $event, $payload );
		$result['event'] = $event;
		return $result;
	}

	/**
	 * Webhooks that the extension switched off (HTTP 410 or failing for too long).
	 *
	 * @return list<array<string,mixed>>
	 */
	public function disabled(): array {
		return $this->list( array( 'status' => 'disabled' ) );
	}

	/**
	 * Validate and sanitise input into the extension's keys.
	 *
	 * @param array<string,mixed>      $input
	 * @param array<string,mixed>|null $current the stored webhook (with secret) on update
	 * @return array<string,mixed>
	 */
	public function normalize( array $input, bool $partial, ?array $current = null ): array {
		// Aliases (REST Hooks / Zapier style subscribe bodies).
		foreach ( array( 'target_url', 'hookUrl', 'hook_url' ) as $alias ) {
			if ( ! isset( $input['url'] ) && isset( $input[ $alias ] ) ) {
				$input['url'] = $input[ $alias ];
			}
		}
		if ( ! isset( $input['events'] ) && isset( $input['event'] ) ) {
			$input['events'] = $input['event'];
		}

		$out = array();
		if ( ! $partial || array_key_exists( 'url', $input ) ) {
			$out['url'] = Sanitizer::url( $input['url'] ?? '' );
		}
		if ( array_key_exists( 'name', $input ) || ! $partial ) {
			$name = $input['name'] ?? '';
			if ( ! $partial && ( null === $name || ( is_string( $name ) && '' === Sanitizer::single_line( $name ) ) ) ) {
				$name = $this->default_name( $out['url'], $input['events'] ?? '*' );
			}
			$out['name'] = Sanitizer::name( $name );
		}
		if ( array_key_exists( 'events', $input ) ) {
			$out['events'] = Events::require_known( Sanitizer::events( $input['events'] ), (array) ( $current['events'] ?? array() ) );
		} elseif ( ! $partial ) {
			$out['events'] = array( '*' );
		}
		if ( array_key_exists( 'active', $input ) && null !== $input['active'] ) {
			$out['active'] = Sanitizer::bool( $input['active'] );
		}
		if ( array_key_exists( 'format', $input ) && null !== $input['format'] && '' !== $input['format'] ) {
			$out['format'] = Sanitizer::format( $input['format'] );
		}
		if ( array_key_exists( 'headers', $input ) && null !== $input['headers'] ) {
			$out['headers'] = self::unmask_headers( Sanitizer::headers( $input['headers'] ), (array) ( $current['headers'] ?? array() ) );
		}
		if ( array_key_exists( 'secret', $input ) ) {
			$secret = Sanitizer::secret( $input['secret'] );
			if ( null !== $secret ) {
				$out['secret'] = $secret;
			}
		}
		return $out;
	}

	/**
	 * A header sent back with the mask keeps its stored value; a mask for a header that was never
	 * stored is a mistake worth saying.
	 *
	 * @param array<string,string> $headers
	 * @param array<string,string> $stored
	 * @return array<string,string>
	 */
	private static function unmask_headers( array $headers, array $stored ): array {
		$stored_ci = array_change_key_case( $stored, CASE_LOWER );
		foreach ( $headers as $name => $value ) {
			if ( Sanitizer::MASK !== $value ) {
				continue;
			}
			if ( ! isset( $stored_ci[ strtolower( $name ) ] ) ) {
				/* translators: 1: header name, 2: the mask */
				throw new \ValueError( sprintf( __( 'Header "%1$s" has no stored value to keep: type its value instead of %2$s.', 'umw' ), $name, Sanitizer::MASK ) );
			}
			$headers[ $name ] = $stored_ci[ strtolower( $name ) ];
		}
		return $headers;
	}

	private function default_name( string $url, mixed $events ): string {
		$host   = (string) wp_parse_url( $url, PHP_URL_HOST );
		$events = is_array( $events ) ? implode( ', ', array_filter( $events, 'is_string' ) ) : ( is_string( $events ) ? $events : '*' );
		$name   = Sanitizer::single_line( $events ) . ' → ' . $host;
		return mb_substr( $name, 0, (int) Sanitizer::rule( 'webhook.name_max_length' ) );
	}
}
