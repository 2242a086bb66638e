<?php
/**
 * admin-post.php handlers (admin_post_umw_*). Each: capability check, nonce check, sanitised
 * input, service call, notice, wp_safe_redirect + exit. Names: see the Admin class docblock.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Deliveries;
use Umw\Service\Messages;
use Umw\Service\NotFoundException;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class Actions {

	public const SAVE       = 'umw_save_webhook';
	public const DELETE     = 'umw_delete_webhook';
	public const SET_ACTIVE = 'umw_set_active';
	public const TEST       = 'umw_test_webhook';
	public const ROTATE     = 'umw_rotate_secret';
	public const RESEND     = 'umw_resend_delivery';
	public const REPLAY     = 'umw_replay';

	/** Form field names of the add/edit form. */
	public const FIELD_ID      = 'webhook_id';
	public const FIELD_NAME    = 'webhook_name';
	public const FIELD_URL     = 'webhook_url';
	public const FIELD_EVENTS  = 'webhook_events';
	public const FIELD_ACTIVE  = 'webhook_active';
	public const FIELD_FORMAT  = 'webhook_format';
	public const FIELD_HEADERS = 'webhook_headers';

	/** Per-user one-shot values (Notices::put/take). */
	public const STASH_TEST_RESULT = 'test_result';
	public const STASH_FORM        = 'form';
	/** A flag only ("show webhook N's secret once"): the secret itself is read from the extension, never copied into the database. */
	public const STASH_REVEAL = 'reveal_secret';

	public static function register(): void {
		foreach ( array(
			self::SAVE       => 'save',
			self::DELETE     => 'delete',
			self::SET_ACTIVE => 'set_active',
			self::TEST       => 'test',
			self::ROTATE     => 'rotate',
			self::RESEND     => 'resend',
			self::REPLAY     => 'replay',
		) as $action => $method ) {
			add_action( 'admin_post_' . $action, array( self::class, $method ) );
		}
	}

	public static function save(): void {
		self::guard( self::SAVE );
		$id    = absint( self::request( self::FIELD_ID ) );
		$input = array(
			'name'    => self::request( self::FIELD_NAME ),
			'url'     => self::request( self::FIELD_URL ),
			'events'  => self::request_list( self::FIELD_EVENTS ),
			'active'  => '1' === self::request( self::FIELD_ACTIVE ),
			'headers' => self::request( self::FIELD_HEADERS ),
		);
		if ( '' !== self::request( self::FIELD_FORMAT ) || ! $id ) {
			$input['format'] = sanitize_key( self::request( self::FIELD_FORMAT, 'flat' ) );
		}
		$service = new Webhooks();
		try {
			if ( $id ) {
				$hook = $service->update( $id, $input );
				Notices::success( __( 'Webhook updated.', 'umw' ) );
			} else {
				$hook = $service->create( $input );
				Notices::put( self::STASH_REVEAL . '_' . (int) $hook['id'], '1' );
				Notices::success( __( 'Webhook created. Copy its signing secret now: it is shown only once.', 'umw' ) );
			}
			self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => (int) $hook['id'] ) ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
			// Give the form back what was typed.
			$input['headers'] = (string) $input['headers'];
			Notices::put( self::STASH_FORM, $input );
			self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS, $id ? array( 'action' => 'edit', 'id' => $id ) : array( 'action' => 'new' ) ) );
		}
	}

	public static function delete(): void {
		$id = absint( self::request( 'id' ) );
		self::guard( self::DELETE . '_' . $id );
		try {
			$hook = ( new Webhooks() )->delete( $id );
			Notices::success( self::deleted_message( array( $hook ) ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS ) );
	}

	public static function set_active(): void {
		$id = absint( self::request( 'id' ) );
		self::guard( self::SET_ACTIVE . '_' . $id );
		$active = '1' === self::request( 'active' );
		try {
			$hook = ( new Webhooks() )->set_active( $id, $active );
			if ( ! $active ) {
				/* translators: %s: webhook name */
				Notices::success( sprintf( __( 'Webhook "%s" deactivated: it receives no events until you activate it.', 'umw' ), (string) $hook['name'] ) );
			} elseif ( ! empty( $hook['disabled_at'] ) ) {
				// Its endpoint refused again at once (e.g. another 410): say that, not "activated".
				/* translators: 1: webhook name, 2: reason */
				Notices::error( sprintf( __( 'Webhook "%1$s" was re-enabled but its endpoint disabled it again: %2$s', 'umw' ), (string) $hook['name'], (string) $hook['disabled_reason'] ) );
			} elseif ( $hook['was_disabled'] ) {
				/* translators: %s: webhook name */
				Notices::success( sprintf( __( 'Webhook "%s" re-enabled: new events are sent to it again. Use Replay on the Deliveries screen for what failed meanwhile.', 'umw' ), (string) $hook['name'] ) );
			} else {
				/* translators: %s: webhook name */
				Notices::success( sprintf( __( 'Webhook "%s" activated.', 'umw' ), (string) $hook['name'] ) );
			}
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( self::back( $id ) );
	}

	public static function test(): void {
		$id = absint( self::request( 'id' ) );
		self::guard( self::TEST . '_' . $id );
		$event = sanitize_text_field( self::request( 'event' ) );
		try {
			$result               = ( new Webhooks() )->send_test( $id, '' === $event ? null : $event );
			$result['webhook_id'] = $id;
			Notices::put( self::STASH_TEST_RESULT, $result );
			WebhookTools::remember_test_event( $id, (string) $result['event'] );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( self::back( $id ) );
	}

	public static function rotate(): void {
		$id = absint( self::request( 'id' ) );
		self::guard( self::ROTATE . '_' . $id );
		try {
			( new Webhooks() )->rotate_secret( $id );
			Notices::put( self::STASH_REVEAL . '_' . $id, '1' );
			Notices::success( __( 'Signing secret rotated. Copy the new secret now: it is shown only once.', 'umw' ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) ) );
	}

	public static function resend(): void {
		$delivery = sanitize_text_field( self::request( 'delivery' ) );
		self::guard( self::RESEND . '_' . $delivery );
		try {
			( new Deliveries() )->resend( $delivery );
			/* translators: %s: delivery id */
			Notices::success( sprintf( __( 'Delivery %s queued again.', 'umw' ), $delivery ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_DELIVERIES, Deliveries::is_delivery_id( $delivery ) ? array( 'delivery' => $delivery ) : array() ) );
	}

	public static function replay(): void {
		self::guard( self::REPLAY );
		$webhook_id = absint( self::request( 'webhook_id' ) );
		$since      = sanitize_text_field( self::request( 'since' ) );
		try {
			$count = ( new Deliveries() )->replay( $webhook_id, $since );
			if ( 0 === $count ) {
				Notices::warning( __( 'No failed deliveries of this webhook since that time: nothing was queued.', 'umw' ) );
			} else {
				/* translators: %s: number of deliveries */
				Notices::success( sprintf( _n( '%s failed delivery queued again.', '%s failed deliveries queued again.', $count, 'umw' ), number_format_i18n( $count ) ) );
			}
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_DELIVERIES, $webhook_id ? array( 'webhook_id' => $webhook_id ) : array() ) );
	}

	/**
	 * "Webhook "CRM" deleted with its 12 logged deliveries." / "3 webhooks deleted with their 40 logged deliveries."
	 *
	 * @param list<array<string,mixed>> $deleted webhooks as Webhooks::delete() returned them
	 */
	public static function deleted_message( array $deleted ): string {
		$logged = array_sum( array_map( static fn( $h ) => (int) $h['deliveries_deleted'], $deleted ) );
		if ( 1 === count( $deleted ) ) {
			return sprintf(
				/* translators: 1: webhook name, 2: number of deliveries */
				_n( 'Webhook "%1$s" deleted with its %2$s logged delivery.', 'Webhook "%1$s" deleted with its %2$s logged deliveries.', $logged, 'umw' ),
				(string) $deleted[0]['name'],
				number_format_i18n( $logged )
			);
		}
		return sprintf(
			/* translators: 1: number of webhooks, 2: number of deliveries */
			_n( '%1$s webhook deleted with %2$s logged deliveries.', '%1$s webhooks deleted with %2$s logged deliveries.', count( $deleted ), 'umw' ),
			number_format_i18n( count( $deleted ) ),
			number_format_i18n( $logged )
		);
	}

	/**
	 * Capability + nonce, or die (403).
	 */
	public static function guard( string $nonce_action ): void {
		if ( ! Plugin::current_user_can() ) {
			Admin::forbid();
		}
		check_admin_referer( $nonce_action );
	}

	/**
	 * Exception => error notice (message escaped on output). Unknown errors are never fatal.
	 */
	public static function fail( \Throwable $e ): void {
		if ( $e instanceof NotFoundException || $e instanceof \ValueError || $e instanceof \TypeError || $e instanceof \RuntimeException || $e instanceof \LogicException ) {
			Notices::error( Messages::translate( $e->getMessage() ) );
			return;
		}
		/* translators: %s: error message */
		Notices::error( sprintf( __( 'Unexpected error: %s', 'umw' ), $e->getMessage() ) );
	}

	/**
	 * Where a row action returns: the edit screen (return=edit) or the list.
	 */
	private static function back( int $id ): string {
		if ( 'edit' === self::request( 'return' ) && $id ) {
			return Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) );
		}
		return Admin::page_url( Admin::PAGE_WEBHOOKS );
	}

	/**
	 * A raw (unslashed) scalar request value; sanitising is up to the caller / the service.
	 */
	public static function request( string $key, string $default = '' ): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- nonce checked in guard().
		$value = $_REQUEST[ $key ] ?? $default;
		return is_scalar( $value ) ? (string) wp_unslash( $value ) : $default;
	}

	/**
	 * @return list<string>
	 */
	private static function request_list( string $key ): array {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- nonce checked in guard().
		$value = $_REQUEST[ $key ] ?? array();
		$value = is_array( $value ) ? wp_unslash( $value ) : array( wp_unslash( $value ) );
		return array_values( array_map( 'sanitize_text_field', array_filter( $value, 'is_scalar' ) ) );
	}

	/**
	 * @return never
	 */
	private static function redirect( string $url ): void {
		wp_safe_redirect( $url );
		exit;
	}
}
