<?php
/**
 * One notice on network admin screens while umw has disabled webhooks: how many, which and why,
 * with a link to the Disabled view. Dismissible per user; it comes back when another webhook is
 * disabled (the dismissal remembers which set it was for). Markup: div#umw-disabled-notice.
 * Dismiss: wp_ajax_umw_dismiss_disabled (JS) or admin-post action umw_dismiss_disabled (link),
 * nonce umw_dismiss_disabled.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\DisabledAlerts;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DisabledNotice {

	public const ACTION = 'umw_dismiss_disabled';
	public const NONCE  = 'umw_dismiss_disabled';
	/** User meta: the set of disabled webhooks the user dismissed the notice for. */
	public const META = 'umw_dismissed_disabled';

	/** Names listed before "and N more". */
	private const LISTED = 3;

	public static function register(): void {
		add_action( 'network_admin_notices', array( self::class, 'render' ) );
		add_action( 'wp_ajax_' . self::ACTION, array( self::class, 'dismiss_ajax' ) );
		add_action( 'admin_post_' . self::ACTION, array( self::class, 'dismiss_link' ) );
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		try {
			$disabled = ( new Webhooks() )->disabled();
		} catch ( \Throwable $e ) {
			return;
		}
		DisabledAlerts::check();
		if ( ! $disabled || get_user_meta( get_current_user_id(), self::META, true ) === self::signature( $disabled ) ) {
			return;
		}
		$items = array();
		foreach ( array_slice( $disabled, 0, self::LISTED ) as $hook ) {
			/* translators: 1: webhook name, 2: reason */
			$items[] = sprintf( __( '"%1$s" (%2$s)', 'umw' ), (string) $hook['name'], (string) ( $hook['disabled_reason'] ?? '' ) );
		}
		$more = count( $disabled ) - count( $items );
		if ( $more > 0 ) {
			/* translators: %s: number of further webhooks */
			$items[] = sprintf( _n( 'and %s more', 'and %s more', $more, 'umw' ), number_format_i18n( $more ) );
		}
		printf(
			'<div class="notice notice-error is-dismissible" id="umw-disabled-notice" data-nonce="%1$s"><p><strong>%2$s</strong> %3$s</p><p><a class="button" href="%4$s">%5$s</a> <a class="umw-dismiss-link" href="%6$s">%7$s</a></p></div>',
			esc_attr( wp_create_nonce( self::NONCE ) ),
			esc_html(
				sprintf(
					/* translators: %s: number of webhooks */
					_n( '%s webhook was disabled by umw and receives no events:', '%s webhooks were disabled by umw and receive no events:', count( $disabled ), 'umw' ),
					number_format_i18n( count( $disabled ) )
				)
			),
			esc_html( implode( ', ', $items ) . '.' ),
			esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'status' => 'disabled' ) ) ),
			esc_html__( 'Review disabled webhooks', 'umw' ),
			esc_url( Admin::action_url( self::ACTION, self::NONCE ) ),
			esc_html__( 'Dismiss until another webhook is disabled', 'umw' )
		);
	}

	public static function dismiss_ajax(): void {
		if ( ! Plugin::current_user_can() || ! check_ajax_referer( self::NONCE, 'nonce', false ) ) {
			wp_send_json_error( null, 403 );
		}
		self::dismiss();
		wp_send_json_success();
	}

	public static function dismiss_link(): void {
		Actions::guard( self::NONCE );
		self::dismiss();
		wp_safe_redirect( wp_get_referer() ?: Admin::page_url( Admin::PAGE_WEBHOOKS ) );
		exit;
	}

	private static function dismiss(): void {
		update_user_meta( get_current_user_id(), self::META, self::signature( ( new Webhooks() )->disabled() ) );
	}

	/**
	 * Which webhooks are disabled since when: a new disabling changes it.
	 *
	 * @param list<array<string,mixed>> $disabled
	 */
	private static function signature( array $disabled ): string {
		$pairs = array_map( static fn( $h ) => (int) $h['id'] . '@' . (int) $h['disabled_at'], $disabled );
		sort( $pairs );
		return md5( implode( ',', $pairs ) );
	}
}
