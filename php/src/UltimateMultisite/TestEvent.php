<?php
/**
 * UM's "Send Test Event" button (ajax action wu_send_test_event, UM 2.4.10
 * inc/managers/class-webhook-manager.php:80, 196-226) goes through umw when umw sends that webhook: the
 * same sample UM would post, signed and logged by umw, and UM's dialog shows umw's result. Runs before UM's
 * handler (priority 1) with UM's own checks (manage_network, nonce wu_webhook_send_test); anything it does
 * not handle (bridge off, a webhook umw cannot send, an unsaved URL typed in UM's form) falls through to UM.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class TestEvent {

	public static function register(): void {
		add_action( 'wp_ajax_wu_send_test_event', array( self::class, 'handle' ), 1 );
	}

	public static function handle(): void {
		$network_id = (int) get_current_network_id();
		if ( ! Settings::bridge_enabled( $network_id ) || ! current_user_can( 'manage_network' )
			|| false === check_ajax_referer( 'wu_webhook_send_test', 'nonce', false ) ) {
			return; // UM's handler answers (its permission message, or -1 for a bad nonce).
		}
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- checked above
		$um_id = isset( $_POST['webhook_id'] ) ? absint( $_POST['webhook_id'] ) : 0;
		$url   = isset( $_POST['webhook_url'] ) ? esc_url_raw( wp_unslash( $_POST['webhook_url'] ) ) : '';
		$slug  = isset( $_POST['webhook_event'] ) ? sanitize_text_field( wp_unslash( $_POST['webhook_event'] ) ) : '';
		// phpcs:enable
		$event = function_exists( 'wu_get_event_type' ) ? wu_get_event_type( $slug ) : false;
		if ( ! $um_id || ! is_array( $event ) ) {
			return;
		}
		$result = Dispatch::sync( $network_id );
		if ( null === $result ) {
			return;
		}
		$row    = $result->rows[ $um_id ] ?? null;
		$copy   = $result->linked[ $um_id ] ?? null;
		if ( ! $row || ! $copy || untrailingslashit( $url ) !== untrailingslashit( esc_url_raw( $row['webhook_url'] ) ) ) {
			return; // Not sent by umw, or testing a URL not saved yet: UM's inline test.
		}
		$payload = wu_maybe_lazy_load_payload( $event['payload'] ?? array() );
		try {
			$test = umw_send_test_event( (int) $copy, $slug, is_array( $payload ) ? $payload : array() );
			$text = self::describe( $test );
		} catch ( \Throwable $e ) {
			/* translators: %s: error */
			$text = sprintf( __( 'umw could not send the test event: %s', 'umw' ), $e->getMessage() );
		}
		wp_send_json(
			array(
				'response' => htmlentities2( $text ),
				'id'       => $um_id,
			)
		);
	}

	/**
	 * @param array<string,mixed> $test umw_send_test_event() result
	 */
	public static function describe( array $test ): string {
		$head = $test['ok']
			/* translators: 1: HTTP status, 2: milliseconds, 3: delivery id */
			? sprintf( __( 'Sent by umw: delivered, HTTP %1$d in %2$d ms (delivery %3$s, in Network Admin → Webhooks → Deliveries).', 'umw' ), (int) $test['status'], (int) $test['duration_ms'], (string) $test['delivery_id'] )
			/* translators: 1: status or error, 2: delivery id */
			: sprintf( __( 'Sent by umw: failed, %1$s (delivery %2$s, in Network Admin → Webhooks → Deliveries).', 'umw' ), null !== $test['status'] ? 'HTTP ' . (int) $test['status'] : (string) $test['error'], (string) $test['delivery_id'] );
		$body = (string) ( $test['body'] ?? '' );
		return '' === $body ? $head : $head . "\n\n" . $body;
	}
}
