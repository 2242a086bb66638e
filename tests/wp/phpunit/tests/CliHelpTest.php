<?php

namespace Umw\Tests;

/**
 * Issue 13 item 3: `wp help umw`, every group and every subcommand documented, under the real WP-CLI 2.10.
 */
final class CliHelpTest extends TestCase {

	/** Group => its subcommands. */
	private const COMMANDS = array(
		'webhook'  => array( 'list', 'get', 'create', 'update', 'delete', 'activate', 'deactivate', 'test', 'rotate-secret' ),
		'event'    => array( 'list', 'get', 'emit' ),
		'delivery' => array( 'list', 'get', 'resend', 'replay', 'prune' ),
		'queue'    => array( 'status', 'work' ),
	);

	public function test_wp_cli_is_the_real_2_10(): void {
		$r = WpCli::run( array( '--version' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertMatchesRegularExpression( '/^WP-CLI 2\.10\./', trim( $r['stdout'] ) );
	}

	public function test_namespace_help_lists_every_group_with_a_description_and_examples(): void {
		$r = WpCli::run( array( 'help', 'umw' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertStringContainsString( "DESCRIPTION\n\n  Manages umw webhooks", $r['stdout'] );
		$this->assertStringContainsString( 'EXAMPLES', $r['stdout'] );
		foreach ( array_merge( array_keys( self::COMMANDS ), array( 'stats', 'import' ) ) as $group ) {
			$this->assertMatchesRegularExpression( '/^  ' . $group . ' +[A-Z]\w+/m', $r['stdout'], "`wp help umw` gives $group a summary" );
		}
	}

	public function test_every_group_has_a_description_and_examples(): void {
		foreach ( array_keys( self::COMMANDS ) as $group ) {
			$r = WpCli::run( array( 'help', 'umw', $group ) );
			$this->assertSame( 0, $r['code'], $r['stderr'] );
			$this->assertMatchesRegularExpression( "/DESCRIPTION\n\n  [A-Z]/", $r['stdout'], "$group has a description" );
			$this->assertStringContainsString( "EXAMPLES\n", $r['stdout'], "$group shows its examples" );
			$this->assertStringContainsString( '$ wp umw ' . $group, $r['stdout'] );
			foreach ( self::COMMANDS[ $group ] as $sub ) {
				$this->assertMatchesRegularExpression( '/^  ' . preg_quote( $sub, '/' ) . ' +[A-Z].*[a-z]/m', $r['stdout'], "$group $sub has a summary" );
			}
		}
		$import = WpCli::run( array( 'help', 'umw', 'import' ) );
		$this->assertMatchesRegularExpression( "/DESCRIPTION\n\n  Imports webhooks/", $import['stdout'] );
		$this->assertStringContainsString( "EXAMPLES\n", $import['stdout'] );
	}

	public function test_every_subcommand_answers_help_with_synopsis_options_and_examples(): void {
		foreach ( self::COMMANDS as $group => $subs ) {
			foreach ( $subs as $sub ) {
				$r = WpCli::run( array( 'umw', $group, $sub, '--help' ) );
				$this->assertSame( 0, $r['code'], "wp umw $group $sub --help: " . $r['stderr'] );
				$this->assertStringContainsString( "SYNOPSIS\n\n  wp umw $group $sub", $r['stdout'] );
				$this->assertMatchesRegularExpression( "/DESCRIPTION\n\n  [A-Z]/", $r['stdout'], "$group $sub description" );
				$this->assertStringContainsString( "EXAMPLES\n", $r['stdout'], "$group $sub examples" );
			}
		}
		$stats = WpCli::run( array( 'umw', 'stats', '--help' ) );
		$this->assertSame( 0, $stats['code'] );
		foreach ( array( '--webhook=<id>', '--days=<days>', '--bucket=<bucket>', '--format=<format>', 'EXAMPLES' ) as $needle ) {
			$this->assertStringContainsString( $needle, $stats['stdout'] );
		}
		$this->assertSame( 0, WpCli::run( array( 'umw', 'import', 'ultimate-multisite', '--help' ) )['code'] );
	}

	public function test_list_commands_document_their_formats(): void {
		foreach ( array( array( 'webhook', 'list' ), array( 'delivery', 'list' ), array( 'event', 'list' ) ) as list( $group, $sub ) ) {
			$out = WpCli::run( array( 'umw', $group, $sub, '--help' ) )['stdout'];
			foreach ( array( 'table', 'json', 'csv', 'yaml', 'ids', 'count' ) as $format ) {
				$this->assertMatchesRegularExpression( '/^\s+- ' . $format . '$/m', $out, "$group $sub --format=$format documented" );
			}
		}
	}
}
