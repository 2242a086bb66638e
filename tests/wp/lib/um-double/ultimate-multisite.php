<?php
/**
 * Plugin Name: Ultimate Multisite (umw test double)
 * Description: A faithful stand-in for Ultimate Multisite 2.4.10's event and webhook machinery, written from
 *              its facts (no UM code). Lives in tests/wp only; the umw tests symlink it into the throw-away
 *              test WordPress and network-activate it, never anywhere else.
 * Version:     2.4.10
 * Network:     true
 *
 * What it reproduces, each fact with the UM 2.4.10 file it comes from (git tag v2.4.10 of
 * Multisite-Ultimate/ultimate-multisite):
 *  - boot at plugin load: ultimate-multisite.php:129 `$GLOBALS['WP_Ultimo'] = WP_Ultimo();`, which runs
 *    WP_Ultimo::init → load_managers (inc/class-wp-ultimo.php:202) — managers in this order:
 *    Event_Manager (:846), Membership_Manager (:866), Payment_Manager (:871), Customer_Manager (:881),
 *    Webhook_Manager (:901), Email_Manager (:906) (the ones that matter here);
 *  - each manager's init() adds its hooks (inc/traits/trait-singleton.php:33-37 get_instance → init);
 *  - Event_Manager: register_all_events on `init` 10, do_event fires `wu_event` then `wu_event_{slug}`
 *    with `wu_version` appended last (inc/managers/class-event-manager.php:80, 258-286, 372-497);
 *  - model events registered too late to exist (customer/membership/payment managers' init closures);
 *  - Webhook_Manager: register_webhook_listeners on `init` 10 adds send_webhooks to `wu_event_{slug}` for
 *    every event registered by then, send_webhooks walks Webhook::get_all() — BerlinDB's default page of
 *    100 rows, newest first, `active` ignored — and posts inline; `wp_ajax_wu_send_test_event`
 *    (inc/managers/class-webhook-manager.php:70-226);
 *  - the webhooks table and its network prefix (inc/database/webhooks/class-webhooks-table.php:68-81,
 *    inc/database/engine/traits/trait-network-prefix.php:20-25);
 *  - Email_Manager's own `wu_event` listener (inc/managers/class-email-manager.php:76).
 *
 * Test knobs (network options, test-only): `umw_test_um_double_log` collects what the double observed.
 *
 * @package Umw\Tests
 */

defined( 'ABSPATH' ) || exit;

// Loaded once (classes below are declared when this file compiles, so check a constant, not the class).
if ( defined( 'WP_ULTIMO_PLUGIN_FILE' ) ) {
	return;
}
define( 'WP_ULTIMO_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/inc/engine.php';
require_once __DIR__ . '/inc/models.php';
require_once __DIR__ . '/inc/managers.php';
require_once __DIR__ . '/inc/functions.php';

/**
 * The main class: only what load order needs (inc/class-wp-ultimo.php).
 */
final class WP_Ultimo {

	/** inc/class-wp-ultimo.php:34 */
	const VERSION = '2.4.10';

	private static ?WP_Ultimo $instance = null;

	public static function get_instance(): self {
		if ( null === self::$instance ) {
			self::$instance = new self();
			self::$instance->init();
		}
		return self::$instance;
	}

	public function init(): void {
		// setup_tables (inc/class-wp-ultimo.php:191): BerlinDB creates missing tables for this network.
		\WP_Ultimo\Database\Webhooks_Table::install();
		\WP_Ultimo\Database\Events_Table::install();
		$this->load_managers();
		do_action( 'wp_ultimo_load' );
	}

	/** The order of inc/class-wp-ultimo.php:842-953 (managers without webhook/event hooks left out). */
	private function load_managers(): void {
		\WP_Ultimo\Managers\Event_Manager::get_instance();
		\WP_Ultimo\Managers\Membership_Manager::get_instance();
		\WP_Ultimo\Managers\Payment_Manager::get_instance();
		\WP_Ultimo\Managers\Customer_Manager::get_instance();
		\WP_Ultimo\Managers\Webhook_Manager::get_instance();
		\WP_Ultimo\Managers\Email_Manager::get_instance();
	}
}

function WP_Ultimo() { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.FunctionNameInvalid
	return WP_Ultimo::get_instance();
}

$GLOBALS['WP_Ultimo'] = WP_Ultimo();
