<?php
/**
 * Shows the result of "Send Test Event" (carried across the redirect, per user):
 * green "Delivered — HTTP 200 in 12 ms" or red failure, plus response headers and body.
 *
 * @package Umw
 */

namespace Umw\Admin;

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
	 * @param array<string,mixed> $result umw_send_test_event() result (+ webhook_id)
	 */
	public static function render_result( array $result ): void {
		$ok       = ! empty( $result['ok'] );
		$status   = isset( $result['status'] ) ? (int) $result['status'] : null;
		$duration = (int) round( (float) ( $result['duration_ms'] ?? 0 ) );
		if ( $ok ) {
			/* translators: 1: HTTP status code, 2: milliseconds */
			$headline = sprintf( __( 'Delivered — HTTP %1$d in %2$d ms', 'umw' ), (int) $status, $duration );
		} elseif ( $status ) {
			/* translators: 1: HTTP status code, 2: milliseconds */
			$headline = sprintf( __( 'Failed — HTTP %1$d in %2$d ms', 'umw' ), $status, $duration );
			if ( ! empty( $result['error'] ) ) {
				$headline .= ': ' . (string) $result['error'];
			}
		} else {
			/* translators: 1: error message, 2: milliseconds */
			$headline = sprintf( __( 'Failed — %1$s (after %2$d ms)', 'umw' ), (string) ( $result['error'] ?? __( 'no response', 'umw' ) ), $duration );
		}
		printf(
			'<div id="umw-test-result" class="notice %1$s umw-test-%2$s"><p><strong>%3$s</strong></p>',
			$ok ? 'notice-success' : 'notice-error',
			$ok ? 'ok' : 'failed',
			esc_html( $headline )
		);
		echo '<details' . ( $ok ? '' : ' open' ) . '><summary>' . esc_html__( 'Response', 'umw' ) . '</summary>';
		if ( ! empty( $result['headers'] ) && is_array( $result['headers'] ) ) {
			echo '<h4>' . esc_html__( 'Response headers', 'umw' ) . '</h4><pre class="umw-response-headers">';
			foreach ( $result['headers'] as $name => $value ) {
				$value = is_array( $value ) ? implode( ', ', array_map( 'strval', $value ) ) : (string) $value;
				echo esc_html( ( is_int( $name ) ? '' : $name . ': ' ) . $value ) . "\n";
			}
			echo '</pre>';
		}
		echo '<h4>' . esc_html__( 'Response body', 'umw' ) . '</h4>';
		printf( '<pre class="umw-response-body" style="max-height:300px;overflow:auto;white-space:pre-wrap">%s</pre>', esc_html( (string) ( $result['body'] ?? '' ) ) );
		printf(
			'<p><small>%s <code>%s</code> · %s <code>%s</code></small></p>',
			esc_html__( 'Delivery', 'umw' ),
			esc_html( (string) ( $result['delivery_id'] ?? '' ) ),
			esc_html__( 'Message', 'umw' ),
			esc_html( (string) ( $result['message_id'] ?? '' ) )
		);
		echo '</details></div>';
	}
}
