<?php
/**
 * One delivery (page umw-deliveries&delivery=dlv_…): attempts (time, status, duration, error,
 * response body), the payload, and a Resend button (#umw-resend-form, admin-post action
 * umw_resend_delivery, nonce umw_resend_delivery_{dlv_id}, field delivery).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Deliveries;

defined( 'ABSPATH' ) || exit;

final class DeliveryView {

	public static function render( string $id ): void {
		printf(
			'<h1 class="wp-heading-inline">%s</h1> <a href="%s" class="page-title-action">%s</a><hr class="wp-header-end" />',
			/* translators: %s: delivery id */
			esc_html( sprintf( __( 'Delivery %s', 'umw' ), $id ) ),
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES ) ),
			esc_html__( 'All deliveries', 'umw' )
		);
		Notices::render();
		try {
			$delivery = ( new Deliveries() )->get( $id );
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( $e->getMessage() ) );
			return;
		}
		$wid = (int) $delivery['webhook_id'];
		echo '<table class="widefat striped umw-delivery-summary" style="max-width:900px"><tbody>';
		$rows = array(
			__( 'Status', 'umw' )       => self::status_badge( (string) $delivery['status'] ) . ( ! empty( $delivery['is_test'] ) ? ' <span class="umw-badge">' . esc_html__( 'test', 'umw' ) . '</span>' : '' ),
			__( 'Event', 'umw' )        => '<code>' . esc_html( (string) $delivery['event'] ) . '</code>',
			__( 'Webhook', 'umw' )      => sprintf( '<a href="%s">#%d</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $wid ) ) ), $wid ),
			__( 'Message id', 'umw' )   => '<code>' . esc_html( (string) $delivery['message_id'] ) . '</code>',
			__( 'Created', 'umw' )      => esc_html( Admin::format_time( (int) $delivery['created_at'] ) ),
			__( 'Next attempt', 'umw' ) => ! empty( $delivery['in_flight'] )
				? esc_html__( 'sending now', 'umw' )
				: esc_html( Admin::format_time( isset( $delivery['next_attempt_at'] ) ? (int) $delivery['next_attempt_at'] : null ) ),
		);
		foreach ( $rows as $label => $html ) {
			printf( '<tr><th scope="row" style="width:160px">%s</th><td>%s</td></tr>', esc_html( $label ), $html ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		}
		echo '</tbody></table>';

		printf( '<form method="post" id="umw-resend-form" action="%s" style="margin:1em 0">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="delivery" value="%s" />', esc_attr( Actions::RESEND ), esc_attr( (string) $delivery['id'] ) );
		wp_nonce_field( Actions::RESEND . '_' . (string) $delivery['id'] );
		submit_button( __( 'Resend', 'umw' ), 'primary', 'submit', false );
		echo '</form>';

		echo '<h2>' . esc_html__( 'Attempts', 'umw' ) . '</h2>';
		$attempts = (array) ( $delivery['attempts'] ?? array() );
		if ( ! $attempts ) {
			echo '<p>' . esc_html__( 'No attempts yet.', 'umw' ) . '</p>';
		}
		echo '<ol class="umw-attempts">';
		foreach ( $attempts as $attempt ) {
			$code = isset( $attempt['status_code'] ) ? 'HTTP ' . (int) $attempt['status_code'] : __( 'no response', 'umw' );
			printf(
				'<li class="umw-attempt"><details><summary><strong>%s</strong> · %s · %s ms%s</summary><pre class="umw-response-body" style="max-height:300px;overflow:auto;white-space:pre-wrap;background:#f6f7f7;padding:8px">%s</pre></details></li>',
				esc_html( Admin::format_time( (float) $attempt['time'] ) ),
				esc_html( $code ),
				esc_html( number_format_i18n( (float) ( $attempt['duration_ms'] ?? 0 ), 1 ) ),
				empty( $attempt['error'] ) ? '' : ' · <span class="umw-error" style="color:#d63638">' . esc_html( (string) $attempt['error'] ) . '</span>',
				esc_html( (string) ( $attempt['response_body'] ?? '' ) )
			);
		}
		echo '</ol>';

		echo '<h2>' . esc_html__( 'Payload', 'umw' ) . '</h2>';
		$payload = Deliveries::decoded_payload( $delivery );
		printf(
			'<pre id="umw-delivery-payload" style="max-height:500px;overflow:auto;background:#f6f7f7;padding:8px">%s</pre>',
			esc_html( is_string( $payload ) ? $payload : WebhookForm::pretty( $payload ) )
		);
	}

	public static function status_badge( string $status ): string {
		$colors = array(
			'delivered' => '#00a32a',
			'failed'    => '#d63638',
			'retrying'  => '#dba617',
			'pending'   => '#646970',
		);
		return sprintf(
			'<span class="umw-status umw-status-%1$s" style="font-weight:600;color:%2$s">%3$s</span>',
			esc_attr( sanitize_html_class( $status ) ),
			esc_attr( $colors[ $status ] ?? '#646970' ),
			esc_html( $status )
		);
	}
}
