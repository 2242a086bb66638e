<?php
/**
 * Puts the benchmark's WordPress into one state (run with tests/wp/wp-php.sh):
 *   activate '' <um-double dir> <theme dir>
 *                    link the Ultimate Multisite double (tests/wp/lib/um-double) in and network-activate it;
 *                    link the benchmark theme in and switch the main site to it, with ten posts to list
 *   none             no Ultimate Multisite webhook, umw's bridge off: the page fires the event, nobody sends
 *   um <url>         one UM webhook (payment_received → url), bridge off: UM's own inline sender posts it
 *   umw <url>        the same webhook, bridge on: umw takes the event (its copy of the webhook, synced now)
 *
 * @package Umw\Bench
 */

// phpcs:disable
[ , $step, $url ] = $argv + array( '', '', '' );
if ( 'activate' === $step ) {
	require getenv( 'WP_DIR' ) . '/wp-load.php';
	$dir = WP_PLUGIN_DIR . '/ultimate-multisite';
	if ( ! is_link( $dir ) ) {
		symlink( $argv[3], $dir );
	}
	$active = (array) get_site_option( 'active_sitewide_plugins', array() );
	$active['ultimate-multisite/ultimate-multisite.php'] = time();
	update_site_option( 'active_sitewide_plugins', $active );
	$theme = get_theme_root() . '/umw-bench';
	if ( ! is_link( $theme ) ) {
		symlink( $argv[4], $theme );
	}
	update_site_option( 'allowedthemes', array( 'umw-bench' => true ) );
	wp_clean_themes_cache();
	switch_theme( 'umw-bench' );
	$admin = get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) ?: 'admin' );
	for ( $i = 1; $i <= 9; $i++ ) {
		wp_insert_post( array( 'post_title' => "Benchmark post $i", 'post_content' => str_repeat( "<p>Paragraph of post $i with <em>some</em> markup and a <a href=\"/\">link</a>.</p>\n", 6 ), 'post_status' => 'publish', 'post_author' => $admin ? $admin->ID : 1 ) );
	}
	echo "activated\n";
	exit( 0 );
}
require getenv( 'WP_DIR' ) . '/wp-load.php';
if ( ! class_exists( 'WP_Ultimo', false ) ) {
	fwrite( STDERR, "scenario: the Ultimate Multisite double is not active\n" );
	exit( 2 );
}
global $wpdb;
$table   = \WP_Ultimo\Database\Webhooks_Table::name();
$network = get_current_network_id();
$wpdb->query( "DELETE FROM {$table}" );
if ( 'none' !== $step ) {
	$wpdb->insert(
		$table,
		array(
			'name'             => 'bench',
			'webhook_url'      => $url,
			'event'            => 'payment_received',
			'active'           => 1,
			'integration'      => 'manual',
			'date_last_failed' => '0000-00-00 00:00:00',
			'date_created'     => gmdate( 'Y-m-d H:i:s' ),
		)
	);
}
\Umw\UltimateMultisite\Settings::set_bridge_enabled( $network, 'umw' === $step );
$sync = \Umw\UltimateMultisite\Dispatch::sync( $network );
$copies = array_filter( umw_list_webhooks( array( 'network_id' => $network ) ), static fn( $w ) => $w['active'] );
echo wp_json_encode( array( 'step' => $step, 'um_webhooks' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ), 'umw_copies' => count( $copies ), 'synced' => (bool) $sync ) ), "\n";
