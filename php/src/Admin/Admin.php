<?php
/**
 * Network Admin → Webhooks: menu, notices and action handlers.
 *
 * Slugs / names (also class constants here and in WebhooksPage, DeliveriesPage, Actions):
 *   Menu pages (network admin, capability Plugin::capability(), default manage_network_options,
 *   filter umw_capability):
 *     admin.php?page=umw-webhooks                      list (search: s, paging: paged)
 *     admin.php?page=umw-webhooks&action=new           add form
 *     admin.php?page=umw-webhooks&action=edit&id=N     edit form (+ Send Test, Rotate secret)
 *     admin.php?page=umw-deliveries                    deliveries (filters: webhook_id, event, status, paged)
 *     admin.php?page=umw-deliveries&delivery=dlv_…     delivery detail (attempts, payload, Resend)
 *   POST/GET handlers on wp-admin/admin-post.php (action => nonce action, nonce field _wpnonce):
 *     umw_save_webhook      POST  nonce umw_save_webhook        fields: webhook_id (0=new), webhook_name,
 *                                 webhook_url, webhook_events[] ("*" = all), webhook_active (1),
 *                                 webhook_format (flat|envelope), webhook_headers ("Name: value" lines)
 *     umw_delete_webhook    GET   nonce umw_delete_webhook_{id} fields: id
 *     umw_set_active        GET   nonce umw_set_active_{id}     fields: id, active (0|1)
 *     umw_test_webhook      GET/POST nonce umw_test_webhook_{id} fields: id, event (optional), return (list|edit)
 *     umw_rotate_secret     POST  nonce umw_rotate_secret_{id}  fields: id
 *     umw_import_um         POST  nonce umw_import_um
 *     umw_resend_delivery   POST  nonce umw_resend_delivery_{dlv_id} fields: delivery
 *     umw_replay            POST  nonce umw_replay             fields: webhook_id, since (YYYY-MM-DD[THH:MM], UTC)
 *   Bulk actions (list form POSTs to the list page itself, handled on load-{page}):
 *     nonce bulk-webhooks (field _wpnonce), action|action2 = activate|deactivate|delete, webhook[] = ids
 *   Notices after redirects: div.notice.notice-success / .notice-error inside #umw-notices;
 *   test results in #umw-test-result (.notice-success "Delivered — HTTP 200 in 12 ms" / .notice-error);
 *   the one-time secret in #umw-secret code; disabled webhooks: div.umw-disabled-notice.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class Admin {

	public const PAGE_WEBHOOKS   = 'umw-webhooks';
	public const PAGE_DELIVERIES = 'umw-deliveries';

	public static function register(): void {
		add_action( 'network_admin_menu', array( self::class, 'menu' ) );
		add_action( 'network_admin_notices', array( self::class, 'disabled_webhooks_notice' ) );
		Actions::register();
	}

	public static function menu(): void {
		$cap  = Plugin::capability();
		$list = add_menu_page(
			__( 'Webhooks', 'umw' ),
			__( 'Webhooks', 'umw' ),
			$cap,
			self::PAGE_WEBHOOKS,
			array( WebhooksPage::class, 'render' ),
			'dashicons-rss',
			30
		);
		add_submenu_page( self::PAGE_WEBHOOKS, __( 'Webhooks', 'umw' ), __( 'All Webhooks', 'umw' ), $cap, self::PAGE_WEBHOOKS, array( WebhooksPage::class, 'render' ) );
		$deliveries = add_submenu_page(
			self::PAGE_WEBHOOKS,
			__( 'Webhook Deliveries', 'umw' ),
			__( 'Deliveries', 'umw' ),
			$cap,
			self::PAGE_DELIVERIES,
			array( DeliveriesPage::class, 'render' )
		);
		if ( $list ) {
			add_action( 'load-' . $list, array( WebhooksPage::class, 'load' ) );
		}
		if ( $deliveries ) {
			add_action( 'load-' . $deliveries, array( DeliveriesPage::class, 'load' ) );
		}
	}

	/**
	 * URL of a plugin page in the network admin.
	 *
	 * @param array<string,scalar> $args extra query args
	 */
	public static function page_url( string $page, array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => $page ), $args ), network_admin_url( 'admin.php' ) );
	}

	/**
	 * URL of an admin-post.php action, with its nonce.
	 *
	 * @param array<string,scalar> $args
	 */
	public static function action_url( string $action, string $nonce_action, array $args = array() ): string {
		$url = add_query_arg( array_merge( array( 'action' => $action ), $args ), admin_url( 'admin-post.php' ) );
		return wp_nonce_url( $url, $nonce_action );
	}

	public static function post_url(): string {
		return admin_url( 'admin-post.php' );
	}

	/**
	 * On every network admin page: webhooks switched off by the extension, until re-enabled.
	 */
	public static function disabled_webhooks_notice(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		try {
			$disabled = ( new Webhooks() )->disabled();
		} catch ( \Throwable $e ) {
			return;
		}
		foreach ( $disabled as $hook ) {
			$id = (int) $hook['id'];
			printf(
				'<div class="notice notice-error umw-disabled-notice" data-webhook-id="%1$d"><p>%2$s %3$s <a href="%4$s">%5$s</a> | <a href="%6$s">%7$s</a></p></div>',
				esc_attr( (string) $id ),
				sprintf(
					/* translators: 1: webhook name, 2: URL */
					esc_html__( 'Webhook "%1$s" (%2$s) was disabled and receives no events.', 'umw' ),
					esc_html( (string) $hook['name'] ),
					esc_html( (string) $hook['url'] )
				),
				esc_html(
					sprintf(
						/* translators: 1: reason, 2: date */
						__( 'Reason: %1$s (since %2$s).', 'umw' ),
						(string) ( $hook['disabled_reason'] ?? __( 'unknown', 'umw' ) ),
						self::format_time( (int) $hook['disabled_at'] )
					)
				),
				esc_url( self::action_url( Actions::SET_ACTIVE, Actions::SET_ACTIVE . '_' . $id, array( 'id' => $id, 'active' => 1 ) ) ),
				esc_html__( 'Re-enable', 'umw' ),
				esc_url( self::page_url( self::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) ) ),
				esc_html__( 'Edit', 'umw' )
			);
		}
	}

	/**
	 * Unix time (int or float) in the network's date/time format and timezone.
	 */
	public static function format_time( int|float|null $time ): string {
		if ( ! $time ) {
			return '—';
		}
		return wp_date( 'Y-m-d H:i:s T', (int) $time ) ?: '—';
	}

	/**
	 * Human "x ago".
	 */
	public static function ago( int|float|null $time ): string {
		if ( ! $time ) {
			return '—';
		}
		/* translators: %s: human time difference */
		return sprintf( __( '%s ago', 'umw' ), human_time_diff( (int) $time, time() ) );
	}
}
