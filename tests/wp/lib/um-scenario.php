<?php
/**
 * One process of an Ultimate Multisite scenario, run by the umw tests with tests/wp/wp-php.sh against the
 * test WordPress with the UM double (lib/um-double) network-activated:
 *
 *   tests/wp/wp-php.sh [-d umw.…] tests/wp/lib/um-scenario.php '<json list of steps>'
 *
 * Booted like any request (REQUEST_URI picks the site, and so the network). Each step is [name, ...args];
 * prints one JSON object: {"network": id, "results": [...], "system_emails": [...]}.
 *
 * @package Umw\Tests
 */

// phpcs:disable
$steps = json_decode( $argv[1] ?? '[]', true );
if ( ! is_array( $steps ) ) {
	fwrite( STDERR, "um-scenario: argument 1 must be a JSON list of steps\n" );
	exit( 2 );
}
require getenv( 'WP_DIR' ) . '/wp-load.php';

if ( ! class_exists( 'WP_Ultimo', false ) ) {
	fwrite( STDERR, "um-scenario: the Ultimate Multisite double is not active\n" );
	exit( 2 );
}

$admin = get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) ?: 'admin' );
$table = \WP_Ultimo\Database\Webhooks_Table::name();
$out   = array();
foreach ( $steps as $step ) {
	$name = array_shift( $step );
	switch ( $name ) {
		case 'create': // through UM's model, as its admin, REST API and WP-CLI do
			$w     = wu_create_webhook( $step[0] + array( 'integration' => 'manual' ) );
			$out[] = is_wp_error( $w ) ? array( 'error' => $w->get_error_message() ) : $w->get_id();
			break;
		case 'update':
			$w = wu_get_webhook( $step[0] );
			foreach ( $step[1] as $k => $v ) {
				$w->{'set_' . $k}( $v );
			}
			$out[] = $w->save();
			break;
		case 'delete':
			$out[] = wu_get_webhook( $step[0] )->delete();
			break;
		case 'sql_insert': // straight to UM's table, no hooks
			$wpdb->insert( $table, $step[0] + array( 'integration' => 'manual', 'date_last_failed' => '0000-00-00 00:00:00', 'date_created' => gmdate( 'Y-m-d H:i:s' ) ) );
			$out[] = (int) $wpdb->insert_id;
			break;
		case 'sql_insert_many':
			$ids = array();
			for ( $i = 0; $i < $step[0]; $i++ ) {
				$wpdb->insert( $table, $step[1] + array( 'name' => "bulk $i", 'integration' => 'manual', 'date_last_failed' => '0000-00-00 00:00:00' ) );
				$ids[] = (int) $wpdb->insert_id;
			}
			$out[] = $ids;
			break;
		case 'sql_delete_all': // a clean slate: no UM webhooks (so, after the sync, no copies), no UM log
			$wpdb->query( "DELETE FROM {$table}" );
			$wpdb->query( 'DELETE FROM ' . \WP_Ultimo\Database\Events_Table::name() );
			\Umw\UltimateMultisite\Settings::set_bridge_enabled( get_current_network_id(), true );
			$out[] = \Umw\UltimateMultisite\Dispatch::sync( get_current_network_id() ) ? true : false;
			break;
		case 'sql_update':
			$out[] = $wpdb->update( $table, $step[1], array( 'id' => $step[0] ) );
			break;
		case 'sql_delete':
			$out[] = $wpdb->delete( $table, array( 'id' => $step[0] ) );
			break;
		case 'row':
			$out[] = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $step[0] ), ARRAY_A );
			break;
		case 'um_log': // UM's event log entries of a webhook
			$events = \WP_Ultimo\Database\Events_Table::name();
			$out[]  = $wpdb->get_col( $wpdb->prepare( "SELECT payload FROM {$events} WHERE object_type = 'webhook' AND object_id = %d ORDER BY id", $step[0] ) );
			break;
		case 'fire': // as UM's managers do
			$out[] = wu_do_event( $step[0], $step[1] ?? array() );
			break;
		case 'fire_with_empty_object':
			$payload          = $step[1];
			$payload['meta']  = new stdClass();
			$payload['items'] = array();
			$out[]            = wu_do_event( $step[0], $payload );
			break;
		case 'flush':
			$out[] = umw_flush( 10.0 );
			break;
		case 'copies':
			$out[] = array_values( umw_list_webhooks( array( 'network_id' => get_current_network_id() ) ) );
			break;
		case 'status':
			$out[] = \Umw\UltimateMultisite\Status::get( get_current_network_id() );
			break;
		case 'sync':
			$r     = \Umw\UltimateMultisite\Dispatch::sync( get_current_network_id() );
			$out[] = $r ? $r->to_array() : null;
			break;
		case 'listeners':
			$hook  = $GLOBALS['wp_filter'][ 'wu_event_' . $step[0] ] ?? null;
			$names = array();
			foreach ( $hook ? $hook->callbacks : array() as $priority => $cbs ) {
				foreach ( $cbs as $cb ) {
					$f       = $cb['function'];
					$names[] = $priority . ':' . ( is_array( $f ) ? ( is_object( $f[0] ) ? get_class( $f[0] ) : $f[0] ) . '::' . $f[1] : 'closure' );
				}
			}
			$out[] = $names;
			break;
		case 'um_event_types':
			$out[] = array_keys( wu_get_event_types() );
			break;
		case 'um_sample':
			$out[] = wu_maybe_lazy_load_payload( wu_get_event_type( $step[0] )['payload'] );
			break;
		case 'catalog':
			\Umw\UltimateMultisite\Catalog::sync();
			$out[] = umw_event_types();
			break;
		case 'bridge':
			\Umw\UltimateMultisite\Settings::set_bridge_enabled( get_current_network_id(), (bool) $step[0] );
			$out[] = true;
			break;
		case 'site_health':
			$out[] = \Umw\UltimateMultisite\SiteHealth::run();
			break;
		case 'admin_box':
			wp_set_current_user( $admin->ID );
			ob_start();
			\Umw\UltimateMultisite\AdminBox::render();
			$out[] = ob_get_clean();
			break;
		case 'ajax_test_event': // UM's "Send Test Event" button: admin-ajax.php?action=wu_send_test_event
			wp_set_current_user( $admin->ID );
			$_POST = $_REQUEST = array(
				'action'        => 'wu_send_test_event',
				'nonce'         => wp_create_nonce( 'wu_webhook_send_test' ),
				'webhook_id'    => (string) $step[0],
				'webhook_url'   => $step[1],
				'webhook_event' => $step[2],
			);
			add_filter( 'wp_doing_ajax', '__return_true' );
			add_filter( 'wp_die_ajax_handler', fn() => static function () { throw new RuntimeException( 'die' ); } );
			ob_start();
			try {
				do_action( 'wp_ajax_wu_send_test_event' );
			} catch ( RuntimeException $e ) {
			}
			$out[] = json_decode( (string) ob_get_clean(), true );
			break;
		default:
			fwrite( STDERR, "um-scenario: unknown step $name\n" );
			exit( 2 );
	}
}
echo wp_json_encode(
	array(
		'network'       => get_current_network_id(),
		'results'       => $out,
		'system_emails' => $GLOBALS['umw_test_um_system_emails'] ?? array(),
	)
), "\n";
