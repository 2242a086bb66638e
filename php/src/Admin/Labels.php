<?php
/**
 * Translated names for the states and outcomes the extension reports in English.
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

final class Labels {

	public static function delivery_status( string $status ): string {
		$labels = array(
			'pending'   => _x( 'Pending', 'delivery status', 'umw' ),
			'delivered' => _x( 'Delivered', 'delivery status', 'umw' ),
			'retrying'  => _x( 'Retrying', 'delivery status', 'umw' ),
			'failed'    => _x( 'Failed', 'delivery status', 'umw' ),
		);
		return $labels[ $status ] ?? $status;
	}

	public static function webhook_status( string $status ): string {
		$labels = array(
			'all'      => _x( 'All', 'webhooks view', 'umw' ),
			'active'   => _x( 'Active', 'webhook status', 'umw' ),
			'inactive' => _x( 'Inactive', 'webhook status', 'umw' ),
			'disabled' => _x( 'Disabled', 'webhook status', 'umw' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * "HTTP 200" / "no response" for an attempt.
	 */
	public static function http_status( ?int $code ): string {
		if ( ! $code ) {
			return __( 'no response', 'umw' );
		}
		/* translators: %d: HTTP status code */
		return sprintf( __( 'HTTP %d', 'umw' ), $code );
	}

	/**
	 * A colored status badge (classes umw-status umw-status-{status}).
	 */
	public static function delivery_badge( string $status ): string {
		return sprintf(
			'<span class="umw-status umw-status-%1$s">%2$s</span>',
			esc_attr( sanitize_html_class( $status ) ),
			esc_html( self::delivery_status( $status ) )
		);
	}

	public static function test_badge(): string {
		return '<span class="umw-badge umw-badge-test">' . esc_html_x( 'Test', 'test delivery badge', 'umw' ) . '</span>';
	}
}
