<?php
/**
 * The events field of the webhook form: "All events" plus every catalog event, grouped (Payments,
 * Memberships, …) in columns that show everything at once, and a line naming what is selected.
 * Checkbox name webhook_events[]; container #webhook_events; summary #umw-events-summary.
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

final class EventPicker {

	/**
	 * @param array<string,array<string,mixed>> $types
	 * @param list<string>                      $selected
	 */
	public static function render( array $types, array $selected ): string {
		$name = Actions::FIELD_EVENTS . '[]';
		$all  = in_array( '*', $selected, true );
		$html = '<fieldset id="' . esc_attr( Actions::FIELD_EVENTS ) . '" class="umw-events">';
		$html .= sprintf(
			'<legend class="screen-reader-text">%1$s</legend><label class="umw-all-events"><input type="checkbox" name="%2$s" value="*" %3$s /> <strong>%4$s</strong> — %5$s</label>',
			esc_html__( 'Events', 'umw' ),
			esc_attr( $name ),
			checked( $all, true, false ),
			esc_html__( 'All events', 'umw' ),
			esc_html__( 'including ones added later', 'umw' )
		);
		$html .= '<div class="umw-event-groups">';
		$known = array();
		foreach ( self::groups( $types ) as $group => $events ) {
			$html .= '<div class="umw-event-group"><h4>' . esc_html( $group ) . '</h4>';
			foreach ( $events as $event => $info ) {
				$known[] = (string) $event;
				$html   .= sprintf(
					'<label title="%5$s"><input type="checkbox" name="%1$s" value="%2$s" data-label="%4$s" %3$s /> %4$s</label><span class="description">%5$s</span>',
					esc_attr( $name ),
					esc_attr( (string) $event ),
					checked( in_array( (string) $event, $selected, true ), true, false ),
					esc_html( (string) ( $info['label'] ?? $event ) ),
					esc_html( (string) ( $info['description'] ?? '' ) )
				);
			}
			$html .= '</div>';
		}
		// Subscribed events the catalog does not know (any more): keep them visible and selectable.
		$unknown = array_diff( $selected, $known, array( '*' ) );
		if ( $unknown ) {
			$html .= '<div class="umw-event-group"><h4>' . esc_html__( 'Not in the catalog', 'umw' ) . '</h4>';
			foreach ( $unknown as $event ) {
				$html .= sprintf( '<label><input type="checkbox" name="%1$s" value="%2$s" data-label="%2$s" checked="checked" /> <code>%2$s</code></label>', esc_attr( $name ), esc_attr( (string) $event ) );
			}
			$html .= '</div>';
		}
		$html .= '</div>';
		$labels = array();
		foreach ( $selected as $event ) {
			$labels[] = '*' === $event ? __( 'all events', 'umw' ) : (string) ( $types[ $event ]['label'] ?? $event );
		}
		$html .= sprintf(
			'<p class="umw-events-summary" id="umw-events-summary" aria-live="polite">%s</p>',
			esc_html(
				sprintf(
					/* translators: %s: list of event names */
					__( 'Selected: %s', 'umw' ),
					$labels ? implode( ', ', $labels ) : __( 'none yet', 'umw' )
				)
			)
		);
		return $html . '</fieldset>';
	}

	/**
	 * Catalog events by subject, in a stable order; custom events last.
	 *
	 * @param array<string,array<string,mixed>> $types
	 * @return array<string,array<string,array<string,mixed>>>
	 */
	public static function groups( array $types ): array {
		$order  = array(
			'payments'    => __( 'Payments', 'umw' ),
			'memberships' => __( 'Memberships', 'umw' ),
			'customers'   => __( 'Customers', 'umw' ),
			'sites'       => __( 'Sites and domains', 'umw' ),
			'checkout'    => __( 'Checkout', 'umw' ),
			'subsites'    => __( 'Activity on sub-sites', 'umw' ),
			'custom'      => __( 'Custom events', 'umw' ),
		);
		$groups = array_fill_keys( array_keys( $order ), array() );
		foreach ( $types as $event => $info ) {
			$groups[ self::group_of( (string) $event, (string) ( $info['source'] ?? '' ) ) ][ $event ] = $info;
		}
		$out = array();
		foreach ( $groups as $key => $events ) {
			if ( $events ) {
				$out[ $order[ $key ] ] = $events;
			}
		}
		return $out;
	}

	private static function group_of( string $event, string $source ): string {
		if ( 'custom' === $source ) {
			return 'custom';
		}
		foreach ( array(
			'checkout'   => 'checkout',
			'subsite'    => 'subsites',
			'payment'    => 'payments',
			'invoice'    => 'payments',
			'membership' => 'memberships',
			'customer'   => 'customers',
			'email'      => 'customers',
			'site'       => 'sites',
			'domain'     => 'sites',
		) as $needle => $group ) {
			if ( str_contains( $event, $needle ) ) {
				return $group;
			}
		}
		return 'custom';
	}
}
