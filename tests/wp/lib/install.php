<?php
/**
 * Installs the test WordPress without WP-CLI. Run through tests/wp/wp-php.sh by env.sh:
 *   install.php single  <admin> <pass> <email>
 *   install.php network <admin> <pass> <email> <editor> <editor-pass> [<plugin file to network-activate>]
 */
error_reporting( E_ALL & ~E_DEPRECATED );
$umw_inst_phase = $argv[1] ?? '';
$umw_inst_dir    = getenv( 'WP_DIR' );
$umw_inst_host  = getenv( 'UMW_WP_HOST' ) ?: '127.0.0.1';
$umw_inst_url   = 'http://' . $umw_inst_host;
list( , , $umw_inst_admin, $umw_inst_pass, $umw_inst_email ) = $argv + array_fill( 0, 5, '' );

function out( $m ) { fwrite( STDERR, "[install] $m\n" ); }
function fail( $m ) { fwrite( STDERR, "[install] ERROR: $m\n" ); exit( 1 ); }

if ( 'single' === $umw_inst_phase ) {
	define( 'WP_INSTALLING', true );
	require $umw_inst_dir . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	require_once ABSPATH . 'wp-includes/class-wpdb.php';
	$r = wp_install( 'umw test network', $umw_inst_admin, $umw_inst_email, true, '', wp_slash( $umw_inst_pass ), '' );
	if ( is_wp_error( $r ) ) { fail( $r->get_error_message() ); }
	update_option( 'siteurl', $umw_inst_url );
	update_option( 'home', $umw_inst_url );
	update_option( 'permalink_structure', '/%postname%/' );
	update_option( 'show_avatars', 0 );
	// Network (multisite) tables + rows, as wp-admin/network.php does.
	define( 'WP_INSTALLING_NETWORK', true );
	foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed ) {
		$wpdb->$table = $prefixed;
	}
	install_network();
	wp_set_current_user( $r['user_id'] );
	$res = populate_network( 1, $umw_inst_host, $umw_inst_email, 'umw test network', '/', false );
	if ( is_wp_error( $res ) ) { fail( 'populate_network: ' . $res->get_error_message() ); }
	out( 'single site installed, network tables populated' );
	exit( 0 );
}

if ( 'network' === $umw_inst_phase ) {
	list( , , , , , $umw_inst_editor, $umw_inst_editor_pass, $umw_inst_plugin ) = $argv + array_fill( 0, 8, '' );
	require $umw_inst_dir . '/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/admin.php';
	require_once ABSPATH . 'wp-admin/includes/ms.php';
	if ( ! is_multisite() ) { fail( 'not multisite after writing MULTISITE constants' ); }
	$admin_user = get_user_by( 'login', $umw_inst_admin );
	if ( ! $admin_user ) { fail( "no user $umw_inst_admin" ); }
	if ( ! is_super_admin( $admin_user->ID ) ) { grant_super_admin( $admin_user->ID ); }
	wp_set_current_user( $admin_user->ID );

	$blog2 = wpmu_create_blog( $umw_inst_host, '/site2/', 'Site Two', $admin_user->ID, array( 'public' => 1 ), get_current_network_id() );
	if ( is_wp_error( $blog2 ) ) { fail( 'wpmu_create_blog: ' . $blog2->get_error_message() ); }
	switch_to_blog( $blog2 );
	update_option( 'show_avatars', 0 );
	update_option( 'permalink_structure', '/%postname%/' );
	restore_current_blog();

	$eid = wpmu_create_user( $umw_inst_editor, $umw_inst_editor_pass, $umw_inst_editor . '@example.com' );
	if ( ! $eid ) { fail( "wpmu_create_user($umw_inst_editor) failed" ); }
	add_user_to_blog( 1, $eid, 'administrator' );
	update_user_meta( $eid, 'primary_blog', 1 );

	if ( $umw_inst_plugin ) {
		$r = activate_plugin( $umw_inst_plugin, '', true );
		if ( is_wp_error( $r ) ) {
			out( "WARNING: network activation of $umw_inst_plugin failed: " . $r->get_error_message() . ' ' . wp_json_encode( $r->get_error_data() ) );
			// Still record it as network-active so the screens can be tested; the failure is reported.
			$active = (array) get_site_option( 'active_sitewide_plugins', array() );
			$active[ $umw_inst_plugin ] = time();
			update_site_option( 'active_sitewide_plugins', $active );
		} else {
			out( "network-activated $umw_inst_plugin" );
		}
	}
	out( "network ready: site 2 = blog $blog2, $umw_inst_editor = user $eid" );
	exit( 0 );
}
fail( "unknown phase '$umw_inst_phase'" );
