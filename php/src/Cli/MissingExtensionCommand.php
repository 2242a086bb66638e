<?php
/**
 * `wp umw …` without the extension: say so and exit 1.
 *
 * @package Umw
 */

namespace Umw\Cli;

defined( 'ABSPATH' ) || exit;

final class MissingExtensionCommand {

	public static function register(): void {
		\WP_CLI::add_command(
			'umw',
			array( self::class, 'run' ),
			array(
				'shortdesc' => 'Manage umw webhooks (needs the umw PHP extension, which is not loaded).',
				'synopsis'  => array(
					array(
						'type'      => 'positional',
						'name'      => 'args',
						'optional'  => true,
						'repeating' => true,
					),
					array(
						'type'     => 'generic',
						'optional' => true,
					),
				),
			)
		);
	}

	/**
	 * @param array<int,string>    $args
	 * @param array<string,string> $assoc_args
	 */
	public static function run( $args = array(), $assoc_args = array() ): void {
		\WP_CLI::error( 'The umw PHP extension is not loaded in this PHP (' . PHP_VERSION . '). Add "extension=/path/to/libumw.so" to ' . ( php_ini_loaded_file() ?: 'php.ini' ) . ' (see the plugin README).' );
	}
}
