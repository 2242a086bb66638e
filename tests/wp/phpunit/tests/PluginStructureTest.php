<?php

namespace Umw\Tests;

use Umw\Admin\Admin;
use Umw\Plugin;

final class PluginStructureTest extends TestCase {

	public function test_every_plugin_file_lints_and_is_guarded(): void {
		$dir   = dirname( __DIR__, 4 ) . '/php';
		$files = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( $dir, \FilesystemIterator::SKIP_DOTS ) );
		$n     = 0;
		foreach ( $files as $file ) {
			if ( 'php' !== $file->getExtension() ) {
				continue;
			}
			++$n;
			exec( escapeshellarg( PHP_BINARY ) . ' -n -l ' . escapeshellarg( $file->getPathname() ) . ' 2>&1', $out, $code );
			$this->assertSame( 0, $code, implode( "\n", $out ) );
			$this->assertStringContainsString( "defined( 'ABSPATH' ) || exit;", file_get_contents( $file->getPathname() ), $file->getPathname() . ' must not run outside WordPress' );
			$this->assertLessThan( 500, count( file( $file->getPathname() ) ), $file->getPathname() . ' is too long' );
		}
		$this->assertGreaterThan( 30, $n );
	}

	public function test_plugin_header(): void {
		$data = get_plugin_data( UMW_PLUGIN_FILE, false, false );
		$this->assertSame( 'umw — Native Webhooks', $data['Name'] );
		$this->assertTrue( $data['Network'] );
		$this->assertSame( 'umw', $data['TextDomain'] );
		$this->assertSame( '8.1', $data['RequiresPHP'] );
	}

	public function test_network_admin_menu(): void {
		global $admin_page_hooks, $submenu;
		Admin::menu();
		$this->assertArrayHasKey( Admin::PAGE_WEBHOOKS, $admin_page_hooks );
		$slugs = array_column( $submenu[ Admin::PAGE_WEBHOOKS ] ?? array(), 2 );
		$this->assertContains( Admin::PAGE_WEBHOOKS, $slugs );
		$this->assertContains( Admin::PAGE_DELIVERIES, $slugs );
		foreach ( $submenu[ Admin::PAGE_WEBHOOKS ] as $item ) {
			$this->assertSame( Plugin::DEFAULT_CAPABILITY, $item[1] );
		}
		$this->assertSame( 'manage_network_options', Plugin::capability() );
		$filter = static fn() => 'manage_sites';
		add_filter( 'umw_capability', $filter );
		$this->assertSame( 'manage_sites', Plugin::capability() );
		remove_filter( 'umw_capability', $filter );
	}
}
