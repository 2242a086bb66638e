<?php
/**
 * Add New / Edit webhook form (page umw-webhooks, &action=new | &action=edit&id=N).
 * Posts to admin-post.php action umw_save_webhook, nonce umw_save_webhook, fields Actions::FIELD_*.
 * The edit screen adds WebhookTools (secret, Send Test Event, Rotate) and the webhook's chart.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Events;
use Umw\Service\Sanitizer;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhookForm {

	/**
	 * @param array<string,mixed>|null $hook null = new
	 */
	public static function render( ?array $hook ): void {
		$id      = $hook ? (int) $hook['id'] : 0;
		$values  = array(
			'name'    => (string) ( $hook['name'] ?? '' ),
			'url'     => (string) ( $hook['url'] ?? '' ),
			'events'  => (array) ( $hook['events'] ?? array() ),
			'active'  => $hook ? ! empty( $hook['active'] ) : true,
			'format'  => (string) ( $hook['format'] ?? 'flat' ),
			'headers' => Sanitizer::headers_to_text( Sanitizer::mask_headers( (array) ( $hook['headers'] ?? array() ) ) ),
		);
		$stashed = Notices::take( Actions::STASH_FORM );
		if ( is_array( $stashed ) ) {
			$values = array_merge( $values, array_intersect_key( $stashed, $values ) );
		}
		try {
			$types = ( new Events() )->types();
		} catch ( \Throwable $e ) {
			$types = array();
		}

		printf(
			'<h1 class="wp-heading-inline">%s</h1> <a href="%s" class="page-title-action">%s</a><hr class="wp-header-end" />',
			esc_html( $id ? __( 'Edit Webhook', 'umw' ) : __( 'Add New Webhook', 'umw' ) ),
			esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ),
			esc_html__( 'Back to webhooks', 'umw' )
		);
		Notices::render();
		TestResultView::render();
		if ( $hook ) {
			self::render_status( $hook );
			WebhookTools::render_secret( $id );
		}

		printf( '<form method="post" id="umw-webhook-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" />', esc_attr( Actions::SAVE ) );
		printf( '<input type="hidden" name="%s" value="%d" />', esc_attr( Actions::FIELD_ID ), $id );
		wp_nonce_field( Actions::SAVE );
		echo '<table class="form-table" role="presentation"><tbody>';

		self::row(
			Actions::FIELD_NAME,
			__( 'Name', 'umw' ),
			sprintf( '<input type="text" class="regular-text" id="%1$s" name="%1$s" value="%2$s" maxlength="%3$d" />', esc_attr( Actions::FIELD_NAME ), esc_attr( $values['name'] ), (int) Sanitizer::rule( 'webhook.name_max_length' ) )
			. '<p class="description">' . esc_html__( 'Something you will recognise in the list, e.g. "CRM — new customers". Left empty: the events and the host.', 'umw' ) . '</p>'
		);
		self::row(
			Actions::FIELD_URL,
			__( 'URL', 'umw' ),
			sprintf( '<input type="url" class="large-text code" id="%1$s" name="%1$s" value="%2$s" placeholder="https://example.com/webhook" required />', esc_attr( Actions::FIELD_URL ), esc_attr( $values['url'] ) )
			. '<p class="description">' . esc_html__( 'http:// or https:// only. Receives a POST with a JSON body, signed (webhook-signature header).', 'umw' ) . '</p>'
		);
		self::row( Actions::FIELD_EVENTS, __( 'Events', 'umw' ), EventPicker::render( $types, $values['events'] ) );
		self::row(
			Actions::FIELD_ACTIVE,
			__( 'Active', 'umw' ),
			sprintf(
				'<label><input type="checkbox" id="%1$s" name="%1$s" value="1" %2$s /> %3$s</label>',
				esc_attr( Actions::FIELD_ACTIVE ),
				checked( (bool) $values['active'], true, false ),
				esc_html__( 'Send events to this URL', 'umw' )
			)
		);
		$format = '';
		foreach ( array(
			'flat'     => __( 'Flat: the event payload is the JSON body (as Ultimate Multisite sends it)', 'umw' ),
			'envelope' => __( 'Envelope: {"type", "timestamp", "data"} — the event name travels in the body', 'umw' ),
		) as $value => $label ) {
			$format .= sprintf(
				'<label><input type="radio" name="%1$s" value="%2$s" %3$s /> %4$s</label><br />',
				esc_attr( Actions::FIELD_FORMAT ),
				esc_attr( $value ),
				checked( $values['format'], $value, false ),
				esc_html( $label )
			);
		}
		self::row( Actions::FIELD_FORMAT, __( 'Payload format', 'umw' ), '<fieldset id="' . esc_attr( Actions::FIELD_FORMAT ) . '">' . $format . '</fieldset>' );
		self::row(
			Actions::FIELD_HEADERS,
			__( 'Extra headers', 'umw' ),
			sprintf( '<textarea class="large-text code" rows="3" id="%1$s" name="%1$s" placeholder="Authorization: Bearer …">%2$s</textarea>', esc_attr( Actions::FIELD_HEADERS ), esc_textarea( (string) $values['headers'] ) )
			. '<p class="description">' . esc_html(
				sprintf(
					/* translators: %s: the mask, •••••• */
					__( 'One "Name: value" per line, sent with every delivery. Stored values are shown as %s: leave them as they are to keep them, or type a new value.', 'umw' ),
					Sanitizer::MASK
				)
			) . '</p>'
		);
		self::row( 'umw-preview-event', __( 'Sample payload', 'umw' ), self::preview_field( $types, $values['events'], $values['format'] ) );
		echo '</tbody></table>';
		submit_button( $id ? __( 'Save Webhook', 'umw' ) : __( 'Add Webhook', 'umw' ) );
		echo '</form>';

		if ( $hook ) {
			WebhookTools::render_test_form( $hook, $types );
			WebhookTools::render_rotate_form( $id );
		}
		self::render_samples( $types );
	}

	private static function row( string $for, string $label, string $field_html ): void {
		// $field_html is built from escaped parts by the callers.
		printf( '<tr><th scope="row"><label for="%s">%s</label></th><td>%s</td></tr>', esc_attr( $for ), esc_html( $label ), $field_html ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
	}

	/**
	 * @param array<string,array<string,mixed>> $types
	 * @param list<string>                      $selected
	 */
	private static function preview_field( array $types, array $selected, string $format ): string {
		if ( ! $types ) {
			return '<p>' . esc_html__( 'No event types registered.', 'umw' ) . '</p>';
		}
		$current = (string) array_keys( $types )[0];
		foreach ( $selected as $event ) {
			if ( isset( $types[ $event ] ) ) {
				$current = (string) $event;
				break;
			}
		}
		$options = '';
		foreach ( $types as $event => $info ) {
			$options .= sprintf( '<option value="%1$s" %2$s>%3$s</option>', esc_attr( (string) $event ), selected( $current, $event, false ), esc_html( (string) ( $info['label'] ?? $event ) ) );
		}
		return sprintf(
			'<select id="umw-preview-event">%1$s</select> <span class="description" id="umw-preview-format">%2$s</span><pre id="umw-sample-preview" class="umw-code">%3$s</pre>',
			$options,
			esc_html( 'envelope' === $format ? __( 'as sent in the Envelope format', 'umw' ) : __( 'as sent in the Flat format', 'umw' ) ),
			esc_html( self::pretty( self::body( $current, (array) ( $types[ $current ]['sample'] ?? array() ), $format ) ) )
		);
	}

	/**
	 * The body a receiver gets for a payload in a format (what the extension sends).
	 *
	 * @param array<string,mixed> $payload
	 */
	public static function body( string $event, array $payload, string $format ): mixed {
		if ( 'envelope' !== $format ) {
			return $payload;
		}
		return array(
			'type'      => $event,
			'timestamp' => gmdate( 'Y-m-d\TH:i:s\Z' ),
			'data'      => $payload,
		);
	}

	public static function pretty( mixed $data ): string {
		return (string) wp_json_encode( $data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	}

	/**
	 * @param array<string,mixed> $hook
	 */
	private static function render_status( array $hook ): void {
		$id = (int) $hook['id'];
		if ( 'disabled' === Webhooks::status_of( $hook ) ) {
			printf(
				'<div class="notice notice-error inline umw-disabled-notice"><p>%s <a href="%s">%s</a></p></div>',
				esc_html(
					sprintf(
						/* translators: 1: reason, 2: date */
						__( 'umw disabled this webhook: %1$s (since %2$s). It receives no events until you re-enable it.', 'umw' ),
						(string) ( $hook['disabled_reason'] ?? '' ),
						Admin::format_time( (int) $hook['disabled_at'] )
					)
				),
				esc_url( Admin::action_url( Actions::SET_ACTIVE, Actions::SET_ACTIVE . '_' . $id, array( 'id' => $id, 'active' => 1, 'return' => 'edit' ) ) ),
				esc_html__( 'Re-enable', 'umw' )
			);
		}
		$counts = ( new \Umw\Service\Deliveries() )->outcome_counts( array( $id ) )[ $id ];
		printf(
			'<p class="umw-stats">%s <a href="%s">%s</a> · <a href="%s">%s</a></p>',
			esc_html(
				sprintf(
					/* translators: 1: delivered count, 2: failed count */
					__( 'Deliveries: %1$s delivered · %2$s failed.', 'umw' ),
					number_format_i18n( $counts['delivered'] ),
					number_format_i18n( $counts['failed'] )
				)
			),
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => $id ) ) ),
			esc_html__( 'View deliveries', 'umw' ),
			esc_url( Admin::page_url( Admin::PAGE_DASHBOARD, array( 'webhook_id' => $id ) ) ),
			esc_html__( 'Dashboard', 'umw' )
		);
	}

	/**
	 * The samples for the preview, as data for admin.js (which also wraps them for the Envelope format).
	 *
	 * @param array<string,array<string,mixed>> $types
	 */
	private static function render_samples( array $types ): void {
		$samples = array();
		foreach ( $types as $event => $info ) {
			$samples[ $event ] = $info['sample'] ?? new \stdClass();
		}
		printf(
			'<script type="application/json" id="umw-samples">%s</script>',
			wp_json_encode( $samples, JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_SLASHES ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON with HEX_TAG: no </script> inside.
		);
	}
}
