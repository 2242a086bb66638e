<?php
/**
 * Boots the harness's real WordPress multisite (tests/wp/env.sh up) with the umw plugin
 * network-activated and the umw extension loaded (tests/wp/wp-php.sh sets the ini + env).
 *
 * PHPUnit includes this file inside a function, so every variable WordPress expects to be
 * global at file level is declared global first.
 */

// phpcs:disable
global $table_prefix, $wpdb, $wp_version, $wp_db_version, $tinymce_version, $required_php_version,
	$required_mysql_version, $wp_local_package, $current_site, $current_blog, $domain, $path, $site_id,
	$public, $wp_rewrite, $wp, $wp_query, $wp_the_query, $wp_filter, $wp_actions, $wp_current_filter,
	$wp_locale, $wp_locale_switcher, $wp_embed, $wp_widget_factory, $wp_roles, $shortcode_tags,
	$wp_theme_directories, $wp_plugin_paths, $phpmailer, $blog_id, $wp_object_cache, $pagenow,
	$allowedposttags, $allowedtags, $allowedentitynames, $wp_post_types, $wp_taxonomies, $wp_scripts,
	$wp_styles, $wp_textdomain_registry, $menu, $submenu, $admin_page_hooks, $_registered_pages,
	$_parent_pages, $hook_suffix, $plugin_page, $typenow, $taxnow, $current_screen, $wp_list_table,
	$wp_meta_boxes, $wp_settings_sections, $wp_settings_fields, $wp_settings_errors, $super_admins;

$umw_state = getenv( 'UMW_WP_STATE' ) ?: '/tmp/umw-wp';
$umw_wp    = getenv( 'WP_DIR' ) ?: $umw_state . '/wordpress';
if ( ! is_file( $umw_wp . '/wp-load.php' ) ) {
	fwrite( STDERR, "umw phpunit: no WordPress at $umw_wp (run tests/wp/env.sh up, then tests/wp/wp-php.sh /usr/bin/phpunit -c tests/wp/phpunit/phpunit.xml.dist)\n" );
	exit( 1 );
}

$umw_host = getenv( 'UMW_WP_HOST' ) ?: '127.0.0.1';
foreach ( array(
	'HTTP_HOST'       => $umw_host,
	'SERVER_NAME'     => $umw_host,
	'SERVER_PORT'     => '80',
	'REMOTE_ADDR'     => '127.0.0.1',
	'REQUEST_URI'     => '/',
	'REQUEST_METHOD'  => 'GET',
	'SERVER_PROTOCOL' => 'HTTP/1.1',
) as $umw_k => $umw_v ) {
	if ( empty( $_SERVER[ $umw_k ] ) ) {
		$_SERVER[ $umw_k ] = getenv( $umw_k ) ?: $umw_v;
	}
}

define( 'UMW_PHPUNIT', true );
require_once $umw_wp . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

if ( ! function_exists( 'umw_emit' ) ) {
	fwrite( STDERR, "umw phpunit: the umw extension is not loaded in this php-cli (use tests/wp/wp-php.sh)\n" );
	exit( 1 );
}
if ( ! class_exists( \Umw\Plugin::class ) ) {
	fwrite( STDERR, "umw phpunit: the umw plugin is not active in the test WordPress\n" );
	exit( 1 );
}

require_once __DIR__ . '/includes/TestCase.php';
require_once __DIR__ . '/includes/Receiver.php';
require_once __DIR__ . '/includes/WpCli.php';
require_once __DIR__ . '/includes/WithReceiver.php';
