<?php
/**
 * Network Admin → Webhooks: menu, assets, screen options, plugin row links; the pieces register here.
 *
 * Slugs / names (also class constants here and in WebhooksPage, DeliveriesPage, Actions):
 *   Menu pages (network admin, capability Plugin::capability(), default manage_network_options,
 *   filter umw_capability):
 *     admin.php?page=umw-webhooks                      list (views: status=all|active|inactive|disabled;
 *                                                      search: s; sort: orderby, order; paging: paged)
 *     admin.php?page=umw-webhooks&action=new           add form
 *     admin.php?page=umw-webhooks&action=edit&id=N     edit form (+ Send Test, Rotate secret, its chart)
 *     admin.php?page=umw-deliveries                    deliveries (views: status; filters: webhook_id, event; paged)
 *     admin.php?page=umw-deliveries&delivery=dlv_…     delivery detail (attempts, payload, Resend)
 *     admin.php?page=umw-dashboard                     the dashboard (network, or &webhook_id=N)
 *   POST/GET handlers on wp-admin/admin-post.php (action => nonce action, nonce field _wpnonce):
 *     umw_save_webhook      POST  nonce umw_save_webhook        fields: webhook_id (0=new), webhook_name,
 *                                 webhook_url, webhook_events[] ("*" = all), webhook_active (1),
 *                                 webhook_format (flat|envelope), webhook_headers ("Name: value" lines;
 *                                 a value of •••••• keeps the stored one)
 *     umw_delete_webhook    GET   nonce umw_delete_webhook_{id} fields: id
 *     umw_set_active        GET   nonce umw_set_active_{id}     fields: id, active (0|1), return (list|edit)
 *     umw_test_webhook      GET/POST nonce umw_test_webhook_{id} fields: id, event (optional), return (list|edit)
 *     umw_rotate_secret     POST  nonce umw_rotate_secret_{id}  fields: id
 *     umw_resend_delivery   POST  nonce umw_resend_delivery_{dlv_id} fields: delivery
 *     umw_replay            POST  nonce umw_replay             fields: webhook_id, since (datetime-local, site time zone)
 *     umw_dismiss_disabled  GET   nonce umw_dismiss_disabled   (also wp_ajax_umw_dismiss_disabled)
 *   Bulk actions (list form POSTs to the list page itself, handled on load-{page}):
 *     nonce bulk-webhooks (field _wpnonce), action|action2 = activate|deactivate|delete, webhook[] = ids
 *   Notices after redirects: div.notice.notice-success / .notice-error inside #umw-notices;
 *   test results in #umw-test-result (.notice-success "payment_received delivered — HTTP 200 in 12 ms");
 *   the one-time secret in #umw-secret code; disabled webhooks: one div#umw-disabled-notice.
 *   After the list table: do_action( 'umw_webhooks_list_after' ) (the Ultimate Multisite import box hooks in there).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Time;

defined( 'ABSPATH' ) || exit;

final class Admin {

	public const PAGE_WEBHOOKS   = 'umw-webhooks';
	public const PAGE_DELIVERIES = 'umw-deliveries';
	public const PAGE_DASHBOARD  = 'umw-dashboard';

	/** Screen option names (per page). */
	public const OPTION_WEBHOOKS_PER_PAGE   = 'umw_webhooks_per_page';
	public const OPTION_DELIVERIES_PER_PAGE = 'umw_deliveries_per_page';

	public static function register(): void {
		add_action( 'network_admin_menu', array( self::class, 'menu' ) );
		add_action( 'admin_enqueue_scripts', array( self::class, 'assets' ) );
		add_filter( 'network_admin_plugin_action_links_' . plugin_basename( UMW_PLUGIN_FILE ), array( self::class, 'plugin_links' ) );
		foreach ( array( self::OPTION_WEBHOOKS_PER_PAGE, self::OPTION_DELIVERIES_PER_PAGE ) as $option ) {
			add_filter( 'set_screen_option_' . $option, array( self::class, 'save_per_page' ), 10, 3 );
		}
		Actions::register();
		DisabledNotice::register();
		SiteHealth::register();
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
		$dashboard  = add_submenu_page(
			self::PAGE_WEBHOOKS,
			__( 'Webhooks Dashboard', 'umw' ),
			__( 'Dashboard', 'umw' ),
			$cap,
			self::PAGE_DASHBOARD,
			array( DashboardPage::class, 'render' )
		);
		$deliveries = add_submenu_page(
			self::PAGE_WEBHOOKS,
			__( 'Webhook Deliveries', 'umw' ),
			__( 'Deliveries', 'umw' ),
			$cap,
			self::PAGE_DELIVERIES,
			array( DeliveriesPage::class, 'render' )
		);
		foreach ( array(
			$list       => array( WebhooksPage::class, 'load' ),
			$deliveries => array( DeliveriesPage::class, 'load' ),
			$dashboard  => array( DashboardPage::class, 'load' ),
		) as $hook => $callback ) {
			if ( $hook ) {
				add_action( 'load-' . $hook, $callback );
			}
		}
	}

	/**
	 * The stylesheet on the plugin's screens; the (small) script on every network admin screen.
	 */
	public static function assets( string $hook_suffix ): void {
		if ( ! is_network_admin() || ! Plugin::current_user_can() ) {
			return;
		}
		$base = plugins_url( 'src/Admin/assets/', UMW_PLUGIN_FILE );
		if ( self::is_plugin_screen() ) {
			wp_enqueue_style( 'umw-admin', $base . 'admin.css', array(), UMW_PLUGIN_VERSION );
		}
		// Everywhere in the network admin: the disabled-webhooks notice can appear on any screen.
		wp_enqueue_script( 'umw-admin', $base . 'admin.js', array(), UMW_PLUGIN_VERSION, true );
		wp_localize_script(
			'umw-admin',
			'umwAdmin',
			array(
				'ajaxUrl'        => admin_url( 'admin-ajax.php' ),
				'dismissNonce'   => wp_create_nonce( DisabledNotice::NONCE ),
				/* translators: %d: number of webhooks */
				'confirmBulk'    => __( 'Delete %d webhooks? Their delivery logs are deleted with them and cannot be restored.', 'umw' ),
				'noneSelected'   => __( 'Select at least one webhook first.', 'umw' ),
				'sending'        => __( 'Sending… waiting for the endpoint to answer (up to the timeout).', 'umw' ),
				/* translators: %s: list of event names */
				'selectedEvents' => __( 'Selected: %s', 'umw' ),
				'noneChosen'     => __( 'none yet', 'umw' ),
				'allEvents'      => __( 'all events', 'umw' ),
			)
		);
	}

	public static function is_plugin_screen(): bool {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only picks assets.
		$page = isset( $_GET['page'] ) ? sanitize_key( wp_unslash( $_GET['page'] ) ) : '';
		return is_network_admin() && in_array( $page, array( self::PAGE_WEBHOOKS, self::PAGE_DELIVERIES, self::PAGE_DASHBOARD ), true );
	}

	/**
	 * Network Admin → Plugins: "Webhooks" and "Dashboard" beside Deactivate.
	 *
	 * @param array<string,string> $links
	 * @return array<string,string>
	 */
	public static function plugin_links( $links ): array {
		$own = array(
			'umw-settings'  => sprintf( '<a href="%s">%s</a>', esc_url( self::page_url( self::PAGE_WEBHOOKS ) ), esc_html__( 'Webhooks', 'umw' ) ),
			'umw-dashboard' => sprintf( '<a href="%s">%s</a>', esc_url( self::page_url( self::PAGE_DASHBOARD ) ), esc_html__( 'Dashboard', 'umw' ) ),
		);
		return $own + (array) $links;
	}

	/**
	 * set_screen_option_{option}: keep a per-page value between 1 and 999.
	 *
	 * @param mixed $keep
	 * @return mixed
	 */
	public static function save_per_page( $keep, string $option, $value ) {
		$value = (int) $value;
		return $value >= 1 && $value <= 999 ? $value : $keep;
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
	 * Unix time (int or float) in the site's date/time format and time zone, zone labelled.
	 */
	public static function format_time( int|float|null $time ): string {
		return Time::format( $time );
	}

	/**
	 * Human "x ago" (or "in x" for the future).
	 */
	public static function ago( int|float|null $time ): string {
		if ( ! $time ) {
			return '—';
		}
		$diff = human_time_diff( (int) $time, time() );
		/* translators: %s: human time difference */
		return (int) $time > time() ? sprintf( __( 'in %s', 'umw' ), $diff ) : sprintf( __( '%s ago', 'umw' ), $diff );
	}

	/**
	 * A time for a table cell: "3 hours ago" with the full date (and zone) on hover.
	 */
	public static function time_html( int|float|null $time ): string {
		if ( ! $time ) {
			return '—';
		}
		return sprintf( '<time datetime="%1$s" title="%2$s">%3$s</time>', esc_attr( (string) Time::iso( $time ) ), esc_attr( Time::format( $time ) ), esc_html( self::ago( $time ) ) );
	}

	/**
	 * The "403" of every screen and handler.
	 *
	 * @return never
	 */
	public static function forbid(): void {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ), '', array( 'response' => 403 ) );
	}
}
