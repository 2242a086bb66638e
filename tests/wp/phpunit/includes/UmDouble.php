<?php
/**
 * Puts the Ultimate Multisite double (tests/wp/lib/um-double) into the test WordPress and takes it out again,
 * creates a second network when a test needs one, and runs scenario processes (tests/wp/lib/um-scenario.php)
 * — each a fresh PHP process booting WordPress, so load order and `init` are real.
 */

namespace Umw\Tests;

final class UmDouble {

	public const PLUGIN = 'ultimate-multisite/ultimate-multisite.php';
	/** Same double under a name that sorts after "umw/": WordPress then loads umw first. */
	public const PLUGIN_LATE = 'zz-ultimate-multisite/ultimate-multisite.php';

	public static function lib(): string {
		return dirname( __DIR__, 2 ) . '/lib';
	}

	public static function activate( string $plugin = self::PLUGIN ): void {
		$dir  = WP_PLUGIN_DIR . '/' . dirname( $plugin );
		if ( ! is_link( $dir ) ) {
			symlink( self::lib() . '/um-double', $dir );
		}
		$active = (array) get_site_option( 'active_sitewide_plugins', array() );
		unset( $active[ self::PLUGIN ], $active[ self::PLUGIN_LATE ] );
		$active[ $plugin ] = time();
		update_site_option( 'active_sitewide_plugins', $active );
	}

	public static function deactivate(): void {
		global $wpdb;
		$active = (array) get_site_option( 'active_sitewide_plugins', array() );
		unset( $active[ self::PLUGIN ], $active[ self::PLUGIN_LATE ] );
		update_site_option( 'active_sitewide_plugins', $active );
		foreach ( array( self::PLUGIN, self::PLUGIN_LATE ) as $plugin ) {
			$dir = WP_PLUGIN_DIR . '/' . dirname( $plugin );
			if ( is_link( $dir ) ) {
				unlink( $dir );
			}
		}
		foreach ( $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $wpdb->base_prefix . 'wu_' ) . '%' ) ) as $table ) {
			$wpdb->query( "DROP TABLE `{$table}`" ); // phpcs:ignore
		}
		foreach ( get_networks( array( 'fields' => 'ids' ) ) as $network_id ) {
			foreach ( array( 'umw_um_status', 'umw_um_bridge', 'umw_um_url_forms' ) as $option ) {
				delete_network_option( $network_id, $option );
			}
		}
		foreach ( umw_list_webhooks() as $webhook ) {
			if ( 0 === strpos( (string) ( $webhook['external_id'] ?? '' ), 'ultimate-multisite:' ) ) {
				umw_delete_webhook( (int) $webhook['id'] );
			}
		}
	}

	/**
	 * A second network at /net2/ on the same host, with one site (idempotent).
	 *
	 * @return int the network id
	 */
	public static function second_network(): int {
		global $wpdb;
		$host = getenv( 'UMW_WP_HOST' ) ?: '127.0.0.1';
		$id   = (int) $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$wpdb->site} WHERE path = %s", '/net2/' ) );
		if ( $id ) {
			return $id;
		}
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		require_once ABSPATH . 'wp-admin/includes/network.php';
		$wpdb->insert( $wpdb->site, array( 'domain' => $host, 'path' => '/net2/' ) );
		$id    = (int) $wpdb->insert_id;
		$admin = get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) ?: 'admin' );
		populate_network_meta( $id, array( 'site_name' => 'Network 2', 'admin_email' => $admin->user_email, 'admin_user_id' => $admin->ID, 'subdomain_install' => 0 ) );
		update_network_option( $id, 'site_admins', array( $admin->user_login ) );
		$blog = wp_insert_site( array( 'domain' => $host, 'path' => '/net2/', 'network_id' => $id, 'title' => 'Net 2', 'user_id' => $admin->ID ) );
		if ( is_wp_error( $blog ) ) {
			throw new \RuntimeException( $blog->get_error_message() );
		}
		update_network_option( $id, 'main_site', (int) $blog );
		$active = (array) get_site_option( 'active_sitewide_plugins', array() );
		update_network_option( $id, 'active_sitewide_plugins', $active );
		clean_network_cache( $id );
		return $id;
	}

	/**
	 * Run one scenario process.
	 *
	 * @param list<array> $steps
	 * @param array{uri?:string,ini?:array<string,string>} $opts
	 * @return array{network:int,results:list<mixed>,system_emails:list<string>}
	 */
	public static function run( array $steps, array $opts = array() ): array {
		$cmd = array( dirname( __DIR__, 2 ) . '/wp-php.sh' );
		foreach ( $opts['ini'] ?? array() as $k => $v ) {
			$cmd[] = '-d';
			$cmd[] = "$k=$v";
		}
		$cmd[] = self::lib() . '/um-scenario.php';
		$cmd[] = wp_json_encode( $steps );
		$env   = getenv();
		$env['REQUEST_URI'] = $opts['uri'] ?? '/';
		unset( $env['UMW_PHPUNIT'] );
		$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $env );
		$out  = stream_get_contents( $pipes[1] );
		$err  = stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		$rc = proc_close( $proc );
		$lines = array_values( array_filter( explode( "\n", (string) $out ), static fn( $l ) => '' !== $l && '{' === $l[0] ) );
		$json  = $lines ? json_decode( end( $lines ), true ) : null;
		if ( 0 !== $rc || ! is_array( $json ) ) {
			throw new \RuntimeException( "scenario failed (exit $rc): $out\n$err" );
		}
		return $json;
	}

	/**
	 * Start several scenario processes at once and wait for all.
	 *
	 * @param list<list<array>> $each
	 * @return list<array>
	 */
	public static function run_parallel( array $each ): array {
		$procs = array();
		foreach ( $each as $i => $steps ) {
			$cmd = array( dirname( __DIR__, 2 ) . '/wp-php.sh', self::lib() . '/um-scenario.php', wp_json_encode( $steps ) );
			$procs[ $i ] = proc_open( $cmd, array( 1 => array( 'file', sys_get_temp_dir() . "/umw-par-$i.out", 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ), $pipes );
		}
		$results = array();
		foreach ( $procs as $i => $proc ) {
			proc_close( $proc );
			$lines       = array_values( array_filter( explode( "\n", (string) file_get_contents( sys_get_temp_dir() . "/umw-par-$i.out" ) ), static fn( $l ) => '' !== $l && '{' === $l[0] ) );
			$results[ $i ] = $lines ? json_decode( end( $lines ), true ) : null;
			unlink( sys_get_temp_dir() . "/umw-par-$i.out" );
		}
		return $results;
	}
}
