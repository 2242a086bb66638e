<?php
/**
 * PSR-4 style autoloader: Umw\Foo\Bar => src/Foo/Bar.php.
 *
 * @package Umw
 */

defined( 'ABSPATH' ) || exit;

spl_autoload_register(
	static function ( string $class ): void {
		if ( 0 !== strncmp( $class, 'Umw\\', 4 ) ) {
			return;
		}
		$relative = substr( $class, 4 );
		if ( ! preg_match( '/^[A-Za-z0-9_\\\\]+$/', $relative ) ) {
			return;
		}
		$file = __DIR__ . '/' . str_replace( '\\', '/', $relative ) . '.php';
		if ( is_file( $file ) ) {
			require_once $file;
		}
	}
);
