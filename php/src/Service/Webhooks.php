<?php
/**
 * Webhook CRUD over the extension (umw_register_webhook & co). Shared by admin, REST and WP-CLI.
 *
 * Input arrays use the extension's keys: name, url, events, active, format, headers, secret.
 * Aliases accepted for convenience (REST Hooks / Zapier): event, target_url, hookUrl.
 * Errors: \ValueError (bad input), NotFoundException, \RuntimeException (store failure).
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Webhooks {

	/** Keys accepted by create()/update(). */
	public const FIELDS = array( 'name', 'url', 'events', 'active', 'format', 'headers', 'secret' );

	/**
	 * @param array{event?:string,active?:bool} $filter extension filters
	 * @param string                             $search case-insensitive substring of name or URL
	 * @return list<array<string,mixed>>
	 */
	public function list( array $filter = array(), string $search = '' ): array {
		$clean = array();
		if ( isset( $filter['event'] ) && '' !== $filter['event'] ) {
			$clean['event'] = Sanitizer::event( $filter['event'] );
		}
		if ( isset( $filter['active'] ) && '' !== $filter['active'] && null !== $filter['active'] ) {
			$clean['active'] = Sanitizer::bool( $filter['active'] );
		}
		$webhooks = array_values( umw_list_webhooks( $clean ) );
		$search   = trim( $search );
		if ( '' !== $search ) {
			$webhooks = array_values(
				array_filter(
					$webhooks,
					static fn( array $w ): bool => false !== mb_stripos( (string) $w['name'], $search )
						|| false !== mb_stripos( (string) $w['url'], $search )
				)
			);
		}
		usort( $webhooks, static fn( array $a, array $b ): int => (int) $a['id'] <=> (int) $b['id'] );
		return $webhooks;
	}

	/**
	 * @return array<string,mixed>
	 */
	public function get( int $id, bool $with_secret = false ): array {
		$webhook = $id > 0 ? umw_get_webhook( $id, $with_secret ) : null;
		if ( ! is_array( $webhook ) ) {
			throw new NotFoundException(
				/* translators: %d: webhook id */
				sprintf( __( 'Webhook %d not found.', 'umw' ), $id )
			);
		}
		return $webhook;
	}

	public function exists( int $id ): bool {
		return $id > 0 && is_array( umw_get_webhook( $id, false ) );
	}

	/**
	 * Create a webhook. The returned array includes the signing secret (show it once).
	 *
	 * @param array<string,mixed> $input
	 * @return array<string,mixed>
	 */
	public function create( array $input ): array {
		$data = $this->normalize( $input, false );
		$id   = umw_register_webhook( $data );
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
		$this->get( $id );
		$changes = $this->normalize( $input, true );
		if ( ! $changes ) {
			return $this->get( $id );
		}
		$hook = umw_update_webhook( $id, $changes );
		do_action( 'umw_webhook_updated', $hook );
		return $hook;
	}

	/**
	 * @return array<string,mixed> the webhook as it was before deletion
	 */
	public function delete( int $id ): array {
		$previous = $this->get( $id );
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
	 * @return array<string,mixed>
	 */
	public function set_active( int $id, bool $active ): array {
		$this->get( $id );
		return umw_update_webhook( $id, array( 'active' => $active ) );
	}

	public function rotate_secret( int $id, ?string $new_secret = null ): string {
		$this->get( $id );
		return umw_rotate_secret( $id, Sanitizer::secret( $new_secret ) );
	}

	/**
	 * Synchronous test delivery.
	 *
	 * @param array<string,mixed>|null $payload
	 * @return array{ok:bool,status:?int,headers:array,body:string,duration_ms:float,error:?string,delivery_id:string,message_id:string}
	 */
	public function send_test( int $id, ?string $event = null, ?array $payload = null ): array {
		$this->get( $id );
		if ( null !== $event && '' !== $event ) {
			$event = Sanitizer::event( $event );
			if ( '*' === $event ) {
				$event = null;
			}
		} else {
			$event = null;
		}
		return umw_send_test_event( $id, $event, $payload );
	}

	/**
	 * Webhooks that the extension switched off (HTTP 410 or failing for too long).
	 *
	 * @return list<array<string,mixed>>
	 */
	public function disabled(): array {
		return array_values( array_filter( $this->list(), static fn( array $w ): bool => ! empty( $w['disabled_at'] ) ) );
	}

	/**
	 * Validate and sanitise input into the extension's keys.
	 *
	 * @param array<string,mixed> $input
	 * @return array<string,mixed>
	 */
	public function normalize( array $input, bool $partial ): array {
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
			if ( ! $partial && '' === Sanitizer::single_line( $name ) ) {
				$name = $this->default_name( $out['url'], $input['events'] ?? '*' );
			}
			$out['name'] = Sanitizer::name( $name );
		}
		if ( array_key_exists( 'events', $input ) ) {
			$out['events'] = Sanitizer::events( $input['events'] );
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
			$out['headers'] = Sanitizer::headers( $input['headers'] );
		}
		if ( array_key_exists( 'secret', $input ) ) {
			$secret = Sanitizer::secret( $input['secret'] );
			if ( null !== $secret ) {
				$out['secret'] = $secret;
			}
		}
		return $out;
	}

	private function default_name( string $url, mixed $events ): string {
		$host   = (string) wp_parse_url( $url, PHP_URL_HOST );
		$events = is_array( $events ) ? implode( ', ', array_map( 'strval', $events ) ) : (string) $events;
		$name   = Sanitizer::single_line( $events ) . ' → ' . $host;
		return mb_substr( $name, 0, 191 );
	}
}
