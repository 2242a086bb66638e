<?php
/**
 * Shows the result of "Send Test Event" (carried across the redirect, per user): green
 * "Payment Received (payment_received) delivered — HTTP 200 in 12 ms" or a red failure, plus
 * response headers and body.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Events;
use Umw\Service\Messages;

defined( 'ABSPATH' ) || exit;

final class TestResultView {

	public static function render(): void {
		$result = Notices::take( Actions::STASH_TEST_RESULT );
		if ( ! is_array( $result ) ) {
			return;
		}
		self::render_result( $result );
	}

	/**
	 * @param array<string,mixed> $result umw_send_test_event() result (+ webhook_id, event)
	 */
	public static function render_result( array $result ): void {
		$ok       = ! empty( $result['ok'] );
		$status   = isset( $result['status'] ) ? (int) $result['status'] : null;
		$duration = number_format_i18n( (float) ( $result['duration_ms'] ?? 0 ), 0 );
		$event    = (string) ( $result['event'] ?? '' );
		$what     = '' === $event ? __( 'Test event', 'umw' ) : sprintf( '%s (%s)', ( new Events() )->label( $event ), $event );
		if ( $ok ) {
			/* translators: 1: event, 2: HTTP status code, 3: milliseconds */
			$headline = sprintf( __( '%1$s delivered — HTTP %2$d in %3$s ms', 'umw' ), $what, (int) $status, $duration );
		} elseif ( $status ) {
			/* translators: 1: event, 2: HTTP status code, 3: milliseconds */
			$headline = sprintf( __( '%1$s failed — the endpoint answered HTTP %2$d in %3$s ms', 'umw' ), $what, $status, $duration );
		} else {
			/* translators: 1: event, 2: error message, 3: milliseconds */
			$headline = sprintf( __( '%1$s failed — %2$s (after %3$s ms)', 'umw' ), $what, Messages::translate( (string) ( $result['error'] ?? __( 'no response', 'umw' ) ) ), $duration );
		}
		printf(
			'<div id="umw-test-result" class="notice %1$s umw-test-%2$s"><p><strong>%3$s</strong></p>',
			$ok ? 'notice-success' : 'notice-error',
			$ok ? 'ok' : 'failed',
			esc_html( $headline )
		);
		if ( ! $ok && $status ) {
			echo '<p>' . esc_html( self::hint( $status ) ) . '</p>';
		}
		echo '<details' . ( $ok ? '' : ' open' ) . '><summary>' . esc_html__( 'Response', 'umw' ) . '</summary>';
		if ( ! empty( $result['headers'] ) && is_array( $result['headers'] ) ) {
			echo '<h4>' . esc_html__( 'Response headers', 'umw' ) . '</h4><pre class="umw-code umw-response-headers">';
			foreach ( $result['headers'] as $name => $value ) {
				$value = is_array( $value ) ? implode( ', ', array_map( 'strval', $value ) ) : (string) $value;
				echo esc_html( ( is_int( $name ) ? '' : $name . ': ' ) . $value ) . "\n";
			}
			echo '</pre>';
		}
		echo '<h4>' . esc_html__( 'Response body', 'umw' ) . '</h4>';
		printf( '<pre class="umw-code umw-response-body">%s</pre>', esc_html( (string) ( $result['body'] ?? '' ) ) );
		if ( ! empty( $result['delivery_id'] ) ) {
			printf(
				'<p><small><a href="%s">%s</a> · %s <code>%s</code></small></p>',
				esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'delivery' => (string) $result['delivery_id'] ) ) ),
				esc_html__( 'Open this delivery in the log', 'umw' ),
				esc_html__( 'Message', 'umw' ),
				esc_html( (string) ( $result['message_id'] ?? '' ) )
			);
		}
		echo '</details></div>';
	}

	/**
	 * What a status usually means for the person who has to fix it.
	 */
	public static function hint( int $status ): string {
		if ( 410 === $status ) {
			return __( '410 Gone tells umw the endpoint no longer wants events: real deliveries to it disable the webhook.', 'umw' );
		}
		if ( in_array( $status, array( 401, 403 ), true ) ) {
			return __( 'The endpoint refused the request: check the credentials in the extra headers, or that it verifies the signature with this webhook\'s current secret.', 'umw' );
		}
		if ( 404 === $status ) {
			return __( 'Nothing answers at this URL: check its path.', 'umw' );
		}
		if ( $status >= 500 ) {
			return __( 'The endpoint had an error of its own: its logs say why. Real deliveries are retried on a schedule.', 'umw' );
		}
		if ( $status >= 300 && $status < 400 ) {
			return __( 'The endpoint redirects: umw never follows redirects. Use the final URL.', 'umw' );
		}
		return __( 'Only 2xx answers count as delivered.', 'umw' );
	}
}
