<?php
/**
 * admin-post.php handlers (admin_post_umw_*). Each: capability check, nonce check, sanitised
 * input, service call, notice, wp_safe_redirect + exit. Names: see the Admin class docblock.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Import\UltimateMultisiteImporter;
use Umw\Plugin;
use Umw\Service\Deliveries;
use Umw\Service\NotFoundException;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class Actions {

	public const SAVE       = 'umw_save_webhook';
	public const DELETE     = 'umw_delete_webhook';
	public const SET_ACTIVE = 'umw_set_active';
	public const TEST       = 'umw_test_webhook';
	public const ROTATE     = 'umw_rotate_secret';
	public const IMPORT_UM  = 'umw_import_um';
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
	public const STASH_SECRET      = 'secret';

	public static function register(): void {
		foreach ( array(
			self::SAVE       => 'save',
			self::DELETE     => 'delete',
			self::SET_ACTIVE => 'set_active',
			self::TEST       => 'test',
			self::ROTATE     => 'rotate',
			self::IMPORT_UM  => 'import_um',
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
				Notices::put( self::STASH_SECRET . '_' . (int) $hook['id'], (string) ( $hook['secret'] ?? '' ) );
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
			/* translators: %s: webhook name */
			Notices::success( sprintf( __( 'Webhook "%s" deleted.', 'umw' ), (string) $hook['name'] ) );
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
			Notices::success(
				$active
					/* translators: %s: webhook name */
					? sprintf( __( 'Webhook "%s" activated.', 'umw' ), (string) $hook['name'] )
					/* translators: %s: webhook name */
					: sprintf( __( 'Webhook "%s" deactivated.', 'umw' ), (string) $hook['name'] )
			);
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
			$result = ( new Webhooks() )->send_test( $id, '' === $event ? null : $event );
			$result['webhook_id'] = $id;
			$result['event']      = $event;
			Notices::put( self::STASH_TEST_RESULT, $result );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( self::back( $id ) );
	}

	public static function rotate(): void {
		$id = absint( self::request( 'id' ) );
		self::guard( self::ROTATE . '_' . $id );
		try {
			$secret = ( new Webhooks() )->rotate_secret( $id );
			Notices::put( self::STASH_SECRET . '_' . $id, $secret );
			Notices::success( __( 'Signing secret rotated. Copy the new secret now: it is shown only once.', 'umw' ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) ) );
	}

	public static function import_um(): void {
		self::guard( self::IMPORT_UM );
		try {
			$result = ( new UltimateMultisiteImporter() )->import();
			Notices::success(
				sprintf(
					/* translators: 1: created, 2: updated, 3: skipped */
					__( 'Ultimate Multisite webhooks imported: %1$d created, %2$d updated, %3$d skipped.', 'umw' ),
					$result['created'],
					$result['updated'],
					$result['skipped']
				)
			);
			foreach ( $result['errors'] as $um_id => $message ) {
				/* translators: 1: UM webhook id, 2: error */
				Notices::error( sprintf( __( 'Ultimate Multisite webhook %1$d skipped: %2$s', 'umw' ), $um_id, $message ) );
			}
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_WEBHOOKS ) );
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
			/* translators: %d: number of deliveries */
			Notices::success( sprintf( _n( '%d failed delivery queued again.', '%d failed deliveries queued again.', $count, 'umw' ), $count ) );
		} catch ( \Throwable $e ) {
			self::fail( $e );
		}
		self::redirect( Admin::page_url( Admin::PAGE_DELIVERIES, $webhook_id ? array( 'webhook_id' => $webhook_id ) : array() ) );
	}

	/**
	 * Capability + nonce, or die (403).
	 */
	public static function guard( string $nonce_action ): void {
		if ( ! Plugin::current_user_can() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $nonce_action );
	}

	/**
	 * Exception => error notice (message escaped on output). Unknown errors are never fatal.
	 */
	public static function fail( \Throwable $e ): void {
		if ( $e instanceof NotFoundException || $e instanceof \ValueError || $e instanceof \TypeError || $e instanceof \RuntimeException || $e instanceof \LogicException ) {
			Notices::error( $e->getMessage() );
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
