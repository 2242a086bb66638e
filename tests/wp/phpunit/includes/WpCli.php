<?php
/**
 * Runs the real WP-CLI 2.10 (../shared/wp-cli/wp-cli.phar; UMW_WP_CLI overrides) against the test
 * WordPress, in a child php with the same ini (the extension, the same store) as these tests.
 */

namespace Umw\Tests;

final class WpCli {

	public static function phar(): string {
		$candidates = array_filter(
			array(
				getenv( 'UMW_WP_CLI' ) ?: '',
				dirname( __DIR__, 5 ) . '/shared/wp-cli/wp-cli.phar',
				'/work/shared/wp-cli/wp-cli.phar',
			)
		);
		foreach ( $candidates as $phar ) {
			if ( is_file( $phar ) ) {
				return $phar;
			}
		}
		throw new \RuntimeException( 'wp-cli.phar not found (set UMW_WP_CLI): ' . implode( ', ', $candidates ) );
	}

	/**
	 * @param list<string> $args e.g. array( 'umw', 'webhook', 'list', '--format=json' )
	 * @return array{code:int,stdout:string,stderr:string}
	 */
	public static function run( array $args, ?string $stdin = null ): array {
		$cmd  = array_merge(
			array( PHP_BINARY, '-d', 'error_reporting=' . ( E_ALL & ~E_DEPRECATED ), '-d', 'display_errors=stderr', self::phar(), '--allow-root', '--path=' . rtrim( ABSPATH, '/' ) ),
			$args
		);
		$proc = proc_open(
			$cmd,
			array( 0 => array( 'pipe', 'r' ), 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ),
			$pipes,
			null,
			array_merge( getenv(), array( 'WP_CLI_CACHE_DIR' => sys_get_temp_dir() . '/umw-wp-cli-cache', 'COLUMNS' => '200' ) )
		);
		fwrite( $pipes[0], (string) $stdin );
		fclose( $pipes[0] );
		$stdout = stream_get_contents( $pipes[1] );
		$stderr = stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		return array(
			'code'   => proc_close( $proc ),
			'stdout' => (string) $stdout,
			'stderr' => (string) $stderr,
		);
	}

	/**
	 * Run, expect exit 0, decode stdout as JSON.
	 *
	 * @param list<string> $args
	 */
	public static function json( array $args ): mixed {
		$r = self::run( $args );
		if ( 0 !== $r['code'] ) {
			throw new \RuntimeException( 'wp ' . implode( ' ', $args ) . " exited {$r['code']}: {$r['stderr']}" );
		}
		$data = json_decode( $r['stdout'], true );
		if ( JSON_ERROR_NONE !== json_last_error() ) {
			throw new \RuntimeException( 'wp ' . implode( ' ', $args ) . ' printed no JSON: ' . $r['stdout'] );
		}
		return $data;
	}
}
