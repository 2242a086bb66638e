<?php
/**
 * The "Ultimate Multisite" box under Network Admin → Webhooks (action umw_webhooks_list_after): what umw
 * sends for UM, what it cannot and why, "Check now", and turning the bridge off/on. Plus a notice on UM's
 * own webhook screens pointing to umw's delivery log.
 *
 * admin-post actions (capability Plugin::capability() + nonce, then redirect back):
 *   umw_um_sync     POST nonce umw_um_sync
 *   umw_um_bridge   POST nonce umw_um_bridge, enable=0|1
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

use Umw\Plugin;

defined( 'ABSPATH' ) || exit;

final class AdminBox {

	public const ACTION_SYNC   = 'umw_um_sync';
	public const ACTION_BRIDGE = 'umw_um_bridge';

	/** UM 2.4.10's webhook screens (inc/admin-pages/class-webhook-list-admin-page.php:25, class-webhook-edit-admin-page.php:27). */
	private const UM_PAGES = array( 'wp-ultimo-webhooks', 'wp-ultimo-edit-webhook' );

	public static function register(): void {
		add_action( 'umw_webhooks_list_after', array( self::class, 'render' ) );
		add_action( 'admin_post_' . self::ACTION_SYNC, array( self::class, 'handle_sync' ) );
		add_action( 'admin_post_' . self::ACTION_BRIDGE, array( self::class, 'handle_bridge' ) );
		add_action( 'network_admin_notices', array( self::class, 'um_screen_notice' ) );
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		$network_id = (int) get_current_network_id();
		$table      = new WebhooksTable( $network_id );
		if ( ! Settings::um_active() && ! $table->exists() ) {
			return;
		}
		$enabled = Settings::bridge_enabled( $network_id );
		$result  = $enabled ? Dispatch::sync( $network_id ) : null;
		$status  = Status::get( $network_id ) ?? array();

		echo '<div id="umw-um-box" class="card" style="max-width:none;margin-top:2em">';
		echo '<h2>' . esc_html__( 'Ultimate Multisite', 'umw' ) . '</h2>';
		self::render_notice();
		if ( ! $enabled ) {
			echo '<p>' . esc_html__( 'umw is not sending Ultimate Multisite\'s events on this network: Ultimate Multisite sends them itself, inline, as it did before umw (no retries, no signatures, the visitor waits for each endpoint).', 'umw' ) . '</p>';
		} else {
			$linked = (int) ( $status['linked'] ?? 0 );
			$active = (int) ( $status['active'] ?? 0 );
			echo '<p>' . esc_html(
				sprintf(
					/* translators: 1: number of UM webhooks, 2: number active */
					__( 'umw sends the events of this network\'s %1$d Ultimate Multisite webhooks (%2$d active): signed, retried until delivered, logged under Deliveries.', 'umw' ),
					$linked,
					$active
				)
			) . '</p>';
			echo '<p>' . esc_html__( 'Ultimate Multisite stays in charge of them: create, edit, switch off and delete them in Ultimate Multisite → Webhooks (or its REST API and WP-CLI); umw picks up every change before the next event. Their signing secret, extra headers and format are set here and kept. umw honours Ultimate Multisite\'s Active switch: a webhook switched off there receives nothing.', 'umw' ) . '</p>';
			$findings = Report::findings( $status );
			if ( $result ) {
				$findings = array_merge( $findings, Report::unfired_subscriptions( $result->rows ) );
			}
			if ( $findings ) {
				echo '<ul class="umw-um-findings" style="list-style:disc;margin-left:2em">';
				foreach ( $findings as $line ) {
					echo '<li>' . esc_html( $line ) . '</li>';
				}
				echo '</ul>';
			}
		}
		echo '<p>';
		self::button( self::ACTION_SYNC, __( 'Check now', 'umw' ), array() );
		echo ' ';
		self::button(
			self::ACTION_BRIDGE,
			$enabled ? __( 'Let Ultimate Multisite send its own webhooks', 'umw' ) : __( 'Send Ultimate Multisite\'s webhooks with umw', 'umw' ),
			array( 'enable' => $enabled ? '0' : '1' )
		);
		echo '</p></div>';
	}

	/**
	 * @param array<string,string> $fields
	 */
	private static function button( string $action, string $label, array $fields ): void {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
		echo '<input type="hidden" name="action" value="' . esc_attr( $action ) . '">';
		foreach ( $fields as $name => $value ) {
			echo '<input type="hidden" name="' . esc_attr( $name ) . '" value="' . esc_attr( $value ) . '">';
		}
		wp_nonce_field( $action );
		echo '<button type="submit" class="button">' . esc_html( $label ) . '</button>';
		echo '</form>';
	}

	private static function render_notice(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a message key after a redirect
		$done     = isset( $_GET['umw_um'] ) ? sanitize_key( wp_unslash( $_GET['umw_um'] ) ) : '';
		$messages = array(
			'checked' => __( 'Checked Ultimate Multisite\'s webhooks.', 'umw' ),
			'on'      => __( 'umw now sends Ultimate Multisite\'s webhooks.', 'umw' ),
			'off'     => __( 'Ultimate Multisite sends its own webhooks again.', 'umw' ),
		);
		if ( isset( $messages[ $done ] ) ) {
			echo '<div class="notice notice-success inline"><p>' . esc_html( $messages[ $done ] ) . '</p></div>';
		}
	}

	public static function handle_sync(): void {
		self::authorize( self::ACTION_SYNC );
		Dispatch::sync( (int) get_current_network_id() );
		self::back( 'checked' );
	}

	public static function handle_bridge(): void {
		self::authorize( self::ACTION_BRIDGE );
		$network_id = (int) get_current_network_id();
		$enable     = ! empty( $_POST['enable'] ); // phpcs:ignore WordPress.Security.NonceVerification.Missing -- authorize() checked it
		Settings::set_bridge_enabled( $network_id, $enable );
		if ( $enable ) {
			Dispatch::sync( $network_id );
		}
		self::back( $enable ? 'on' : 'off' );
	}

	private static function authorize( string $action ): void {
		if ( ! Plugin::current_user_can() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $action );
	}

	private static function back( string $done ): void {
		wp_safe_redirect( add_query_arg( array( 'page' => 'umw-webhooks', 'umw_um' => $done ), network_admin_url( 'admin.php' ) ) );
		exit;
	}

	/**
	 * On UM's own webhook screens: who sends these now, and where their log is.
	 */
	public static function um_screen_notice(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$page = isset( $_GET['page'] ) ? sanitize_key( wp_unslash( $_GET['page'] ) ) : '';
		if ( ! in_array( $page, self::UM_PAGES, true ) || ! Plugin::current_user_can() || ! Settings::bridge_enabled() ) {
			return;
		}
		$log = add_query_arg( array( 'page' => 'umw-webhooks' ), network_admin_url( 'admin.php' ) );
		echo '<div class="notice notice-info"><p>' . esc_html__( 'These webhooks are delivered by umw: signed, retried until delivered, every attempt logged. "Send Test Event" goes through umw too; the event count here counts events handed to umw.', 'umw' )
			. ' <a href="' . esc_url( $log ) . '">' . esc_html__( 'Deliveries and status in Network Admin → Webhooks', 'umw' ) . '</a></p></div>';
	}
}
