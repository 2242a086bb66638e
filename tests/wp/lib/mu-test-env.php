<?php
/**
 * Plugin Name: umw test environment tweaks
 * Description: Installed by tests/wp/env.sh into the throw-away test site only. Keeps WordPress off the network.
 */
// No mail.
add_filter( 'pre_wp_mail', '__return_true' );
// No avatars from gravatar.com, no emoji CDN.
add_filter( 'pre_option_show_avatars', function () { return '0'; } );
remove_action( 'wp_head', 'print_emoji_detection_script', 7 );
remove_action( 'admin_print_scripts', 'print_emoji_detection_script' );
remove_action( 'wp_print_styles', 'print_emoji_styles' );
remove_action( 'admin_print_styles', 'print_emoji_styles' );
add_filter( 'emoji_svg_url', '__return_false' );
// No update checks / browse-happy / events calls (they would be blocked by WP_HTTP_BLOCK_EXTERNAL anyway).
add_action(
	'admin_init',
	function () {
		remove_action( 'admin_init', '_maybe_update_core' );
		remove_action( 'admin_init', '_maybe_update_plugins' );
		remove_action( 'admin_init', '_maybe_update_themes' );
		foreach ( array( 'load-plugins.php', 'load-update.php', 'load-update-core.php' ) as $h ) {
			remove_action( $h, 'wp_update_plugins' );
		}
		foreach ( array( 'load-themes.php', 'load-update.php', 'load-update-core.php' ) as $h ) {
			remove_action( $h, 'wp_update_themes' );
		}
		remove_action( 'wp_version_check', 'wp_version_check' );
	},
	0
);
add_filter( 'pre_http_request', function ( $pre, $args, $url ) {
	$host = wp_parse_url( $url, PHP_URL_HOST );
	return ( 'localhost' === $host || preg_match( '/^127\.\d+\.\d+\.\d+$/', (string) $host ) ) ? $pre : new WP_Error( 'umw_test_offline', 'test env: no outside network' );
}, 10, 3 );
add_filter( 'pre_site_transient_browser_' . md5( isset( $_SERVER['HTTP_USER_AGENT'] ) ? $_SERVER['HTTP_USER_AGENT'] : '' ), function () {
	return array( 'upgrade' => false, 'insecure' => false, 'name' => 'Chrome', 'version' => '999', 'current_version' => '999', 'img_src' => '', 'img_src_ssl' => '', 'update_url' => '' );
} );
add_filter( 'pre_site_transient_php_check_' . md5( PHP_VERSION ), function () {
	return array( 'recommended_version' => '8.2', 'minimum_version' => '7.0', 'is_supported' => true, 'is_secure' => true, 'is_acceptable' => true );
} );

/*
 * Test-only endpoint (exists only in the throw-away test site): fire an Ultimate Multisite style event the way
 * UM does (`do_action( 'wu_event', $slug, $payload )`) from whichever site the request is for:
 *   GET /site2/?umw_test_emit=payment_received&token=<UMW_TEST_TOKEN>&marker=<string>
 * Answers JSON {blog_id, event, marker, fired, listeners}.
 */
add_action(
	'init',
	function () {
		if ( ! isset( $_GET['umw_test_emit'] ) ) {
			return;
		}
		if ( ! defined( 'UMW_TEST_TOKEN' ) || ! isset( $_GET['token'] ) || ! hash_equals( UMW_TEST_TOKEN, (string) $_GET['token'] ) ) {
			wp_send_json( array( 'error' => 'bad token' ), 403 );
		}
		$event   = sanitize_key( wp_unslash( $_GET['umw_test_emit'] ) );
		$marker  = isset( $_GET['marker'] ) ? sanitize_text_field( wp_unslash( $_GET['marker'] ) ) : '';
		$payload = array();
		if ( function_exists( 'umw_event_types' ) ) {
			$types   = umw_event_types();
			$payload = isset( $types[ $event ]['sample'] ) ? (array) $types[ $event ]['sample'] : array();
		}
		$payload['umw_test_marker'] = $marker;
		$payload['umw_test_blog_id'] = get_current_blog_id();
		do_action( 'wu_event', $event, $payload );
		wp_send_json(
			array(
				'blog_id'   => get_current_blog_id(),
				'event'     => $event,
				'marker'    => $marker,
				'fired'     => true,
				'listeners' => has_action( 'wu_event' ) ? count( $GLOBALS['wp_filter']['wu_event']->callbacks ) : 0,
				'extension' => function_exists( 'umw_emit' ),
			)
		);
	},
	1
);
