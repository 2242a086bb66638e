<?php
/**
 * One delivery (page umw-deliveries&delivery=dlv_…): summary, attempts (each: when, outcome,
 * duration, error; what was sent — URL and request headers — and the response headers and body),
 * the payload, and a Resend button (#umw-resend-form, admin-post action umw_resend_delivery,
 * nonce umw_resend_delivery_{dlv_id}, field delivery).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Deliveries;
use Umw\Service\Messages;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DeliveryView {

	public static function render( string $id ): void {
		printf(
			'<h1 class="wp-heading-inline">%s</h1> <a href="%s" class="page-title-action">%s</a><hr class="wp-header-end" />',
			esc_html__( 'Delivery', 'umw' ),
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES ) ),
			esc_html__( 'All deliveries', 'umw' )
		);
		Notices::render();
		try {
			$delivery = ( new Deliveries() )->get( $id );
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error inline"><p>%s</p></div>', esc_html( $e->getMessage() ) );
			return;
		}
		$wid = (int) $delivery['webhook_id'];
		try {
			$hook    = ( new Webhooks() )->get( $wid );
			$webhook = sprintf( '<a href="%s">%s</a> <code>%s</code>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $wid ) ) ), esc_html( (string) $hook['name'] ), esc_html( (string) $hook['url'] ) );
		} catch ( \Throwable $e ) {
			/* translators: %d: webhook id */
			$webhook = esc_html( sprintf( __( 'Webhook #%d (deleted)', 'umw' ), $wid ) );
		}
		echo '<table class="widefat striped umw-delivery-summary"><tbody>';
		$rows = array(
			__( 'Delivery', 'umw' )     => '<code>' . esc_html( (string) $delivery['id'] ) . '</code>',
			__( 'Status', 'umw' )       => Labels::delivery_badge( (string) $delivery['status'] ) . ( ! empty( $delivery['is_test'] ) ? ' ' . Labels::test_badge() : '' ),
			__( 'Event', 'umw' )        => '<code>' . esc_html( (string) $delivery['event'] ) . '</code>',
			__( 'Webhook', 'umw' )      => $webhook,
			__( 'Message id', 'umw' )   => '<code>' . esc_html( (string) $delivery['message_id'] ) . '</code> <span class="description">' . esc_html__( '(the webhook-id header; the same for every webhook that got this event)', 'umw' ) . '</span>',
			__( 'Created', 'umw' )      => esc_html( Admin::format_time( (int) $delivery['created_at'] ) ),
			__( 'Next attempt', 'umw' ) => ! empty( $delivery['in_flight'] )
				? esc_html__( 'sending now', 'umw' )
				: esc_html( Admin::format_time( isset( $delivery['next_attempt_at'] ) ? (int) $delivery['next_attempt_at'] : null ) ),
		);
		foreach ( $rows as $label => $html ) {
			printf( '<tr><th scope="row">%s</th><td>%s</td></tr>', esc_html( $label ), $html ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		}
		echo '</tbody></table>';

		printf( '<form method="post" id="umw-resend-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="delivery" value="%s" />', esc_attr( Actions::RESEND ), esc_attr( (string) $delivery['id'] ) );
		wp_nonce_field( Actions::RESEND . '_' . (string) $delivery['id'] );
		submit_button( __( 'Resend', 'umw' ), 'primary', 'submit', false );
		echo ' <span class="description">' . esc_html__( 'Queues it again now, with the same payload and webhook-id; the attempts below are kept.', 'umw' ) . '</span>';
		echo '</form>';

		$attempts = array_values( (array) ( $delivery['attempts'] ?? array() ) );
		/* translators: %s: number of attempts */
		echo '<h2>' . esc_html( sprintf( _n( '%s attempt', '%s attempts', count( $attempts ), 'umw' ), number_format_i18n( count( $attempts ) ) ) ) . '</h2>';
		if ( ! $attempts ) {
			echo '<p>' . esc_html__( 'No attempts yet.', 'umw' ) . '</p>';
		}
		echo '<ol class="umw-attempts">';
		foreach ( $attempts as $n => $attempt ) {
			self::render_attempt( (array) $attempt, $n === count( $attempts ) - 1 );
		}
		echo '</ol>';

		echo '<h2>' . esc_html__( 'Payload', 'umw' ) . '</h2>';
		$payload = Deliveries::decoded_payload( $delivery );
		printf( '<pre id="umw-delivery-payload" class="umw-code">%s</pre>', esc_html( is_string( $payload ) ? $payload : WebhookForm::pretty( $payload ) ) );
	}

	/**
	 * @param array<string,mixed> $attempt
	 */
	private static function render_attempt( array $attempt, bool $open ): void {
		$code    = isset( $attempt['status_code'] ) ? (int) $attempt['status_code'] : null;
		$ok      = $code >= 200 && $code < 300;
		$summary = array(
			'<strong>' . esc_html( Admin::format_time( (float) $attempt['time'] ) ) . '</strong>',
			'<span class="umw-outcome umw-outcome-' . ( $ok ? 'ok' : 'failed' ) . '">' . esc_html( Labels::http_status( $code ) ) . '</span>',
			/* translators: %s: number of milliseconds */
			esc_html( sprintf( __( '%s ms', 'umw' ), number_format_i18n( (float) ( $attempt['duration_ms'] ?? 0 ), 1 ) ) ),
		);
		// The error only when it adds something to the status ("HTTP 500" twice said nothing).
		$error = (string) ( $attempt['error'] ?? '' );
		if ( '' !== $error && ! preg_match( '/^HTTP \d+$/', $error ) ) {
			$summary[] = '<span class="umw-error">' . esc_html( Messages::translate( $error ) ) . '</span>';
		}
		printf( '<li class="umw-attempt"><details%s><summary>%s</summary>', $open ? ' open' : '', implode( ' · ', $summary ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		if ( ! empty( $attempt['url'] ) ) {
			printf( '<h4>%s</h4><p><code class="umw-attempt-url">POST %s</code></p>', esc_html__( 'Request', 'umw' ), esc_html( (string) $attempt['url'] ) );
		}
		self::render_headers( __( 'Request headers', 'umw' ), 'umw-request-headers', $attempt['request_headers'] ?? null );
		self::render_headers( __( 'Response headers', 'umw' ), 'umw-response-headers', $attempt['response_headers'] ?? null );
		printf(
			'<h4>%s</h4><pre class="umw-code umw-response-body">%s</pre></details></li>',
			esc_html__( 'Response body', 'umw' ),
			esc_html( '' === (string) ( $attempt['response_body'] ?? '' ) ? __( '(empty)', 'umw' ) : (string) $attempt['response_body'] )
		);
	}

	private static function render_headers( string $title, string $class, mixed $headers ): void {
		if ( ! is_array( $headers ) || ! $headers ) {
			return;
		}
		printf( '<h4>%s</h4><pre class="umw-code %s">', esc_html( $title ), esc_attr( $class ) );
		foreach ( $headers as $name => $value ) {
			echo esc_html( $name . ': ' . ( is_array( $value ) ? implode( ', ', array_map( 'strval', $value ) ) : (string) $value ) ) . "\n";
		}
		echo '</pre>';
	}
}
