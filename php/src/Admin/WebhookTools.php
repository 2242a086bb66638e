<?php
/**
 * The edit screen's tools: the signing secret shown once (#umw-secret), Send Test Event
 * (#umw-test-form: the webhook's events by label, the last one tested preselected, a spinner while
 * the endpoint answers), Rotate secret (#umw-rotate-form).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhookTools {

	/** User meta: webhook id => the event last sent as a test. */
	public const META_LAST_TEST = 'umw_last_test_event';

	/**
	 * The secret, once, right after create or rotate. It is read from the extension here: the
	 * redirect carried only a "show it" flag, so the secret never sat in the database meanwhile.
	 */
	public static function render_secret( int $id ): void {
		if ( '1' !== (string) Notices::take( Actions::STASH_REVEAL . '_' . $id ) ) {
			return;
		}
		try {
			$secret = (string) ( ( new Webhooks() )->get( $id, true )['secret'] ?? '' );
		} catch ( \Throwable $e ) {
			return;
		}
		printf(
			'<div class="notice notice-warning umw-secret-notice"><p><strong>%s</strong></p><p><code id="umw-secret">%s</code></p><p>%s</p></div>',
			esc_html__( 'Signing secret', 'umw' ),
			esc_html( $secret ),
			esc_html__( 'Copy it now and store it with the receiver: it will not be shown again. Verify the webhook-signature header with it (Standard Webhooks).', 'umw' )
		);
	}

	public static function remember_test_event( int $id, string $event ): void {
		$last        = get_user_meta( get_current_user_id(), self::META_LAST_TEST, true );
		$last        = is_array( $last ) ? $last : array();
		$last[ $id ] = $event;
		update_user_meta( get_current_user_id(), self::META_LAST_TEST, array_slice( $last, -50, null, true ) );
	}

	/**
	 * @param array<string,mixed>               $hook
	 * @param array<string,array<string,mixed>> $types
	 */
	public static function render_test_form( array $hook, array $types ): void {
		$id     = (int) $hook['id'];
		$events = (array) ( $hook['events'] ?? array() );
		if ( in_array( '*', $events, true ) ) {
			$events = array_keys( $types );
		}
		$last = get_user_meta( get_current_user_id(), self::META_LAST_TEST, true );
		$last = is_array( $last ) ? (string) ( $last[ $id ] ?? '' ) : '';
		echo '<h2 id="umw-test">' . esc_html__( 'Send Test Event', 'umw' ) . '</h2>';
		printf( '<form method="post" id="umw-test-form" class="umw-busy-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="id" value="%d" /><input type="hidden" name="return" value="edit" />', esc_attr( Actions::TEST ), $id );
		wp_nonce_field( Actions::TEST . '_' . $id );
		echo '<label for="umw-test-event">' . esc_html__( 'Event', 'umw' ) . '</label> <select name="event" id="umw-test-event">';
		foreach ( $events as $event ) {
			$label = (string) ( $types[ $event ]['label'] ?? $event );
			printf( '<option value="%1$s" %2$s>%3$s</option>', esc_attr( (string) $event ), selected( $last, $event, false ), esc_html( $label . ' (' . $event . ')' ) );
		}
		echo '</select> ';
		submit_button( __( 'Send Test Event', 'umw' ), 'secondary', 'submit', false );
		echo ' <span class="spinner umw-spinner"></span><span class="umw-busy-text" aria-live="polite"></span>';
		echo '<p class="description">' . esc_html__( 'Sends the event\'s sample payload now, signed like a real delivery, and waits for the answer. It is logged as a test and never replayed.', 'umw' ) . '</p></form>';
	}

	public static function render_rotate_form( int $id ): void {
		echo '<h2>' . esc_html__( 'Signing secret', 'umw' ) . '</h2>';
		printf( '<form method="post" id="umw-rotate-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="id" value="%d" />', esc_attr( Actions::ROTATE ), $id );
		wp_nonce_field( Actions::ROTATE . '_' . $id );
		echo '<p>' . esc_html__( 'The secret is shown only once, after creation or rotation. After rotating, deliveries are signed with the new and (for 24 hours) the old secret, so receivers can switch over.', 'umw' ) . '</p>';
		submit_button(
			__( 'Rotate secret', 'umw' ),
			'secondary umw-confirm',
			'submit',
			false,
			array( 'data-confirm' => __( 'Rotate the signing secret? The old secret stays valid for 24 hours.', 'umw' ) )
		);
		echo '</form>';
	}
}
