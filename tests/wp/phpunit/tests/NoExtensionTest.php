<?php

namespace Umw\Tests;

/**
 * Loads WordPress + the plugin in a php-cli WITHOUT the umw extension: no fatal, only the notice.
 */
final class NoExtensionTest extends \PHPUnit\Framework\TestCase {

	public function test_plugin_without_extension(): void {
		$script = tempnam( sys_get_temp_dir(), 'umw-noext-' ) . '.php';
		file_put_contents(
			$script,
			<<<'PHP'
<?php
define( 'WP_ADMIN', true );
define( 'WP_NETWORK_ADMIN', true );
require getenv( 'WP_DIR' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
$out = array( 'umw_emit' => function_exists( 'umw_emit' ), 'plugin' => defined( 'UMW_PLUGIN_FILE' ), 'rest' => null );
$admin = get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) ?: 'admin' );
wp_set_current_user( $admin->ID );
ob_start();
do_action( 'network_admin_notices' );
$out['notice'] = ob_get_clean();
$routes = rest_get_server()->get_routes();
$out['rest'] = isset( $routes['/umw/v1/webhooks'] );
$out['menu_hooked'] = (bool) has_action( 'network_admin_menu', array( 'Umw\Admin\Admin', 'menu' ) );
$out['setup_menu'] = (bool) has_action( 'network_admin_menu', array( 'Umw\Admin\MissingExtension', 'menu' ) );
ob_start();
\Umw\Admin\MissingExtension::page();
$out['page'] = ob_get_clean();
$out['links'] = apply_filters( 'network_admin_plugin_action_links_' . plugin_basename( UMW_PLUGIN_FILE ), array() );
echo "\nUMW-JSON:" . json_encode( $out ) . "\n";
PHP
		);
		$wp_dir = defined( 'ABSPATH' ) ? rtrim( ABSPATH, '/' ) : getenv( 'WP_DIR' );
		$env    = array_merge(
			getenv(),
			array(
				// Debian's own ini only: the harness's cli.d (which loads libumw.so) is left out.
				'PHP_INI_SCAN_DIR' => '/etc/php/8.2/cli/conf.d',
				'WP_DIR'           => $wp_dir,
			)
		);
		$proc = proc_open(
			array( PHP_BINARY, '-d', 'display_errors=stderr', '-d', 'error_log=', '-d', 'error_reporting=' . ( E_ALL & ~E_DEPRECATED ), $script ),
			array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ),
			$pipes,
			null,
			$env
		);
		$stdout = stream_get_contents( $pipes[1] );
		$stderr = stream_get_contents( $pipes[2] );
		$code   = proc_close( $proc );
		unlink( $script );

		$this->assertSame( 0, $code, "php exited $code\nSTDOUT:\n$stdout\nSTDERR:\n$stderr" );
		$this->assertStringNotContainsString( 'Fatal error', $stdout . $stderr );
		$this->assertTrue( (bool) preg_match( '/UMW-JSON:(\{.*\})/', $stdout, $m ), $stdout . $stderr );
		$out = json_decode( $m[1], true );
		$this->assertFalse( $out['umw_emit'], 'extension really not loaded' );
		$this->assertTrue( $out['plugin'], 'plugin loaded' );
		$this->assertStringContainsString( 'id="umw-missing-extension"', $out['notice'] );
		$this->assertStringContainsString( 'libumw.so', $out['notice'] );
		$this->assertFalse( $out['rest'], 'no REST routes without the extension' );
		$this->assertFalse( $out['menu_hooked'] );
		// A bookmarked screen explains instead of a bare 403; the guide link is a page, not a raw .md download.
		$this->assertTrue( $out['setup_menu'] );
		$this->assertStringContainsString( 'id="umw-missing-extension-page"', $out['page'] );
		$this->assertStringContainsString( 'extension=/path/to/libumw.so', $out['page'] );
		$this->assertStringNotContainsString( 'plugins/umw/README.md', $out['notice'] . $out['page'] );
		$this->assertStringContainsString( 'github.com/umw/umw/blob/main/php/README.md', $out['notice'] );
		$this->assertArrayHasKey( 'umw-setup', $out['links'] );
	}
}
