<?php
/**
 * Add New / Edit webhook form (page umw-webhooks, &action=new | &action=edit&id=N).
 * Posts to admin-post.php action umw_save_webhook, nonce umw_save_webhook, fields Actions::FIELD_*.
 * On the edit screen also: the one-time secret (#umw-secret), Rotate secret (#umw-rotate-form),
 * Send Test Event (#umw-test-form).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Events;
use Umw\Service\Sanitizer;

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
			'events'  => (array) ( $hook['events'] ?? array( '*' ) ),
			'active'  => $hook ? ! empty( $hook['active'] ) : true,
			'format'  => (string) ( $hook['format'] ?? 'flat' ),
			'headers' => Sanitizer::headers_to_text( (array) ( $hook['headers'] ?? array() ) ),
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
			self::render_secret( $id );
		}

		printf( '<form method="post" id="umw-webhook-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" />', esc_attr( Actions::SAVE ) );
		printf( '<input type="hidden" name="%s" value="%d" />', esc_attr( Actions::FIELD_ID ), $id );
		wp_nonce_field( Actions::SAVE );
		echo '<table class="form-table" role="presentation"><tbody>';

		self::row(
			Actions::FIELD_NAME,
			__( 'Name', 'umw' ),
			sprintf( '<input type="text" class="regular-text" id="%1$s" name="%1$s" value="%2$s" maxlength="191" required />', esc_attr( Actions::FIELD_NAME ), esc_attr( $values['name'] ) )
		);
		self::row(
			Actions::FIELD_URL,
			__( 'URL', 'umw' ),
			sprintf( '<input type="url" class="large-text code" id="%1$s" name="%1$s" value="%2$s" placeholder="https://example.com/webhook" required />', esc_attr( Actions::FIELD_URL ), esc_attr( $values['url'] ) )
			. '<p class="description">' . esc_html__( 'http:// or https:// only. Receives a POST with a JSON body, signed (webhook-signature header).', 'umw' ) . '</p>'
		);
		self::row( Actions::FIELD_EVENTS, __( 'Events', 'umw' ), self::events_field( $types, $values['events'] ) );
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
			'flat'     => __( 'Flat: the event payload is the JSON body', 'umw' ),
			'envelope' => __( 'Envelope: {"type", "timestamp", "data"}', 'umw' ),
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
			sprintf( '<textarea class="large-text code" rows="4" id="%1$s" name="%1$s" placeholder="Authorization: Bearer …">%2$s</textarea>', esc_attr( Actions::FIELD_HEADERS ), esc_textarea( (string) $values['headers'] ) )
			. '<p class="description">' . esc_html__( 'One "Name: value" per line.', 'umw' ) . '</p>'
		);
		self::row( 'umw-preview-event', __( 'Sample payload', 'umw' ), self::preview_field( $types, $values['events'] ) );
		echo '</tbody></table>';
		submit_button( $id ? __( 'Save Webhook', 'umw' ) : __( 'Add Webhook', 'umw' ) );
		echo '</form>';

		if ( $hook ) {
			self::render_test_form( $hook, $types );
			self::render_rotate_form( $id );
		}
		self::render_script( $types );
	}

	private static function row( string $for, string $label, string $field_html ): void {
		// $field_html is built from escaped parts above.
		printf( '<tr><th scope="row"><label for="%s">%s</label></th><td>%s</td></tr>', esc_attr( $for ), esc_html( $label ), $field_html ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
	}

	/**
	 * @param array<string,array<string,mixed>> $types
	 * @param list<string>                      $selected
	 */
	private static function events_field( array $types, array $selected ): string {
		$name = Actions::FIELD_EVENTS . '[]';
		$html = '<fieldset id="' . esc_attr( Actions::FIELD_EVENTS ) . '" class="umw-events" style="max-height:320px;overflow:auto;border:1px solid #dcdcde;padding:8px">';
		$html .= sprintf(
			'<label><input type="checkbox" name="%1$s" value="*" %2$s /> <strong>%3$s</strong></label><br />',
			esc_attr( $name ),
			checked( in_array( '*', $selected, true ), true, false ),
			esc_html__( 'All events (*)', 'umw' )
		);
		$known = array();
		foreach ( $types as $event => $info ) {
			$known[] = (string) $event;
			$html   .= sprintf(
				'<label title="%5$s"><input type="checkbox" name="%1$s" value="%2$s" %3$s /> %4$s <code>%2$s</code></label><br /><span class="description" style="margin-left:24px;display:block">%5$s</span>',
				esc_attr( $name ),
				esc_attr( (string) $event ),
				checked( in_array( (string) $event, $selected, true ), true, false ),
				esc_html( (string) ( $info['label'] ?? $event ) ),
				esc_html( (string) ( $info['description'] ?? '' ) )
			);
		}
		// Events subscribed to that the catalog does not know (custom): keep them selectable.
		foreach ( array_diff( $selected, $known, array( '*' ) ) as $event ) {
			$html .= sprintf( '<label><input type="checkbox" name="%1$s" value="%2$s" checked="checked" /> <code>%2$s</code></label><br />', esc_attr( $name ), esc_attr( (string) $event ) );
		}
		return $html . '</fieldset>';
	}

	/**
	 * @param array<string,array<string,mixed>> $types
	 * @param list<string>                      $selected
	 */
	private static function preview_field( array $types, array $selected ): string {
		if ( ! $types ) {
			return '<p>' . esc_html__( 'No event types registered.', 'umw' ) . '</p>';
		}
		$current = array_keys( $types )[0];
		foreach ( $selected as $event ) {
			if ( isset( $types[ $event ] ) ) {
				$current = $event;
				break;
			}
		}
		$options = '';
		foreach ( $types as $event => $info ) {
			$options .= sprintf( '<option value="%1$s" %2$s>%3$s</option>', esc_attr( (string) $event ), selected( $current, $event, false ), esc_html( (string) ( $info['label'] ?? $event ) . ' (' . $event . ')' ) );
		}
		return sprintf(
			'<select id="umw-preview-event">%1$s</select><pre id="umw-sample-preview" style="max-height:360px;overflow:auto;background:#f6f7f7;padding:8px">%2$s</pre>',
			$options,
			esc_html( self::pretty( $types[ $current ]['sample'] ?? array() ) )
		);
	}

	public static function pretty( mixed $data ): string {
		return (string) wp_json_encode( $data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
	}

	/**
	 * @param array<string,mixed> $hook
	 */
	private static function render_status( array $hook ): void {
		if ( ! empty( $hook['disabled_at'] ) ) {
			printf(
				'<div class="notice notice-error inline umw-disabled-notice"><p>%s <a href="%s">%s</a></p></div>',
				esc_html(
					sprintf(
						/* translators: 1: reason, 2: date */
						__( 'This webhook was disabled: %1$s (since %2$s).', 'umw' ),
						(string) ( $hook['disabled_reason'] ?? '' ),
						Admin::format_time( (int) $hook['disabled_at'] )
					)
				),
				esc_url( Admin::action_url( Actions::SET_ACTIVE, Actions::SET_ACTIVE . '_' . (int) $hook['id'], array( 'id' => (int) $hook['id'], 'active' => 1, 'return' => 'edit' ) ) ),
				esc_html__( 'Re-enable', 'umw' )
			);
		}
		printf(
			'<p class="umw-stats">%s <a href="%s">%s</a></p>',
			esc_html(
				sprintf(
					/* translators: 1: delivered count, 2: failed count */
					__( 'Delivered: %1$d · Failed: %2$d.', 'umw' ),
					(int) ( $hook['delivered_count'] ?? 0 ),
					(int) ( $hook['failed_count'] ?? 0 )
				)
			),
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => (int) $hook['id'] ) ) ),
			esc_html__( 'View deliveries', 'umw' )
		);
	}

	private static function render_secret( int $id ): void {
		$secret = Notices::take( Actions::STASH_SECRET . '_' . $id );
		if ( is_string( $secret ) && '' !== $secret ) {
			printf(
				'<div class="notice notice-warning"><p><strong>%s</strong></p><p><code id="umw-secret" style="user-select:all;font-size:14px">%s</code></p><p>%s</p></div>',
				esc_html__( 'Signing secret', 'umw' ),
				esc_html( $secret ),
				esc_html__( 'Copy it now and store it with the receiver: it will not be shown again. Verify the webhook-signature header with it (Standard Webhooks).', 'umw' )
			);
		}
	}

	/**
	 * @param array<string,mixed>               $hook
	 * @param array<string,array<string,mixed>> $types
	 */
	private static function render_test_form( array $hook, array $types ): void {
		$id     = (int) $hook['id'];
		$events = (array) ( $hook['events'] ?? array() );
		if ( in_array( '*', $events, true ) ) {
			$events = array_keys( $types );
		}
		echo '<h2>' . esc_html__( 'Send Test Event', 'umw' ) . '</h2>';
		printf( '<form method="post" id="umw-test-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="id" value="%d" /><input type="hidden" name="return" value="edit" />', esc_attr( Actions::TEST ), $id );
		wp_nonce_field( Actions::TEST . '_' . $id );
		echo '<label for="umw-test-event">' . esc_html__( 'Event', 'umw' ) . '</label> <select name="event" id="umw-test-event">';
		foreach ( $events as $event ) {
			printf( '<option value="%1$s">%1$s</option>', esc_attr( (string) $event ) );
		}
		echo '</select> ';
		submit_button( __( 'Send Test Event', 'umw' ), 'secondary', 'submit', false );
		echo '<p class="description">' . esc_html__( 'Sends the event\'s sample payload now and waits for the answer.', 'umw' ) . '</p></form>';
	}

	private static function render_rotate_form( int $id ): void {
		echo '<h2>' . esc_html__( 'Signing secret', 'umw' ) . '</h2>';
		printf( '<form method="post" id="umw-rotate-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" /><input type="hidden" name="id" value="%d" />', esc_attr( Actions::ROTATE ), $id );
		wp_nonce_field( Actions::ROTATE . '_' . $id );
		echo '<p>' . esc_html__( 'The secret is shown only once, after creation or rotation. After rotating, deliveries are signed with the new and (for 24 hours) the old secret, so receivers can switch over.', 'umw' ) . '</p>';
		submit_button(
			__( 'Rotate secret', 'umw' ),
			'secondary',
			'submit',
			false,
			array( 'onclick' => 'return confirm(' . wp_json_encode( __( 'Rotate the signing secret? The old secret stays valid for 24 hours.', 'umw' ) ) . ');' )
		);
		echo '</form>';
	}

	/**
	 * Switch the sample preview when the event selection changes.
	 *
	 * @param array<string,array<string,mixed>> $types
	 */
	private static function render_script( array $types ): void {
		$samples = array();
		foreach ( $types as $event => $info ) {
			$samples[ $event ] = self::pretty( $info['sample'] ?? array() );
		}
		$json = wp_json_encode( $samples, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT );
		?>
<script>
( function () {
	var samples = <?php echo $json ? $json : '{}'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON with HEX_TAG etc. ?>;
	var select = document.getElementById( 'umw-preview-event' );
	var pre = document.getElementById( 'umw-sample-preview' );
	if ( ! select || ! pre ) { return; }
	function show( event ) {
		if ( Object.prototype.hasOwnProperty.call( samples, event ) ) {
			select.value = event;
			pre.textContent = samples[ event ];
		}
	}
	select.addEventListener( 'change', function () { show( select.value ); } );
	document.querySelectorAll( '#<?php echo esc_js( Actions::FIELD_EVENTS ); ?> input[type=checkbox]' ).forEach( function ( box ) {
		box.addEventListener( 'change', function () {
			if ( box.checked && box.value !== '*' ) { show( box.value ); }
		} );
	} );
}() );
</script>
		<?php
	}
}
