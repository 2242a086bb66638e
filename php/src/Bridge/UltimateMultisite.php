<?php
/**
 * Ultimate Multisite bridge: wires UM's events and UM's webhooks to umw (see Umw\UltimateMultisite\*).
 *
 *  - every UM event (`wu_event`) is handed to umw_emit() for the network it happened on, after umw's copies
 *    of that network's UM webhooks were brought in step with UM's table (Dispatch, Mirror);
 *  - UM's inline sender is replaced by a proxy that leaves UM only what umw cannot send (SenderProxy);
 *  - UM's own save/delete of a webhook (its admin, REST API, WP-CLI) syncs at once;
 *  - the catalog reflects what the installed UM registers (Catalog), UM's "Send Test Event" goes through
 *    umw (TestEvent), and what umw cannot send shows in Network Admin and Site Health.
 *
 * Filters: umw_bridge_enabled (bool, per network), umw_replace_um_sender (bool), umw_um_records (bool).
 *
 * @package Umw
 */

namespace Umw\Bridge;

use Umw\UltimateMultisite\AdminBox;
use Umw\UltimateMultisite\Catalog;
use Umw\UltimateMultisite\Dispatch;
use Umw\UltimateMultisite\Settings;
use Umw\UltimateMultisite\SiteHealth;
use Umw\UltimateMultisite\Takeover;
use Umw\UltimateMultisite\TestEvent;

defined( 'ABSPATH' ) || exit;

final class UltimateMultisite {

	public static function register(): void {
		add_action( 'wu_event', array( Dispatch::class, 'prepare' ), -1000, 1 );
		add_action( 'wu_event', array( Dispatch::class, 'emit' ), 10, 2 );
		// UM adds its senders on init (10); take them over once everything else has run, and again right
		// before each dispatch (Dispatch::prepare) for any added later.
		add_action( 'init', array( self::class, 'take_over_um_senders' ), PHP_INT_MAX - 10 );
		// UM's Base_Model::save/delete fire these for every path that goes through UM's model.
		add_action( 'wu_webhook_post_save', array( self::class, 'on_um_webhook_changed' ), 10, 0 );
		add_action( 'wu_webhook_post_delete', array( self::class, 'on_um_webhook_changed' ), 10, 0 );
		Catalog::register();
		TestEvent::register();
		SiteHealth::register();
		if ( is_admin() ) {
			AdminBox::register();
		}
	}

	/**
	 * `init` callback (do_action passes '' as first argument, so take none).
	 */
	public static function take_over_um_senders(): void {
		Takeover::replace();
	}

	/**
	 * A UM webhook was saved or deleted through UM: reflect it in umw now, not only at the next event.
	 */
	public static function on_um_webhook_changed(): void {
		$current = (string) current_filter();
		// UM saves a webhook after each inline send (its event count): no UM-owned field changed.
		foreach ( (array) ( $GLOBALS['wp_current_filter'] ?? array() ) as $running ) {
			if ( is_string( $running ) && 0 === strpos( $running, Takeover::EVENT_HOOK_PREFIX ) && $running !== $current ) {
				return;
			}
		}
		$network_id = (int) get_current_network_id();
		if ( Settings::bridge_enabled( $network_id ) ) {
			Dispatch::sync( $network_id );
		}
	}
}
