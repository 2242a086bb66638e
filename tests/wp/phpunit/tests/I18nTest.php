<?php

namespace Umw\Tests;

use Umw\Admin\Labels;
use Umw\Service\Messages;
use Umw\Service\Time;

/**
 * Issue 13 item 19: a current .pot in languages/, statuses and the extension's messages
 * translatable, dates in the site's format.
 */
final class I18nTest extends TestCase {

	/**
	 * @return list<string>
	 */
	private static function msgids( string $pot ): array {
		preg_match_all( '/^msgid "(.+)"$/m', $pot, $m );
		return array_values( array_unique( $m[1] ) );
	}

	public function test_the_pot_is_current(): void {
		$committed = UMW_PLUGIN_DIR . '/languages/umw.pot';
		$this->assertFileExists( $committed, 'Domain Path: /languages has a .pot' );
		$fresh = tempnam( sys_get_temp_dir(), 'umw-pot-' ) . '.pot';
		$r     = WpCli::run( array( 'i18n', 'make-pot', UMW_PLUGIN_DIR, $fresh, '--domain=umw', '--exclude=languages', '--skip-plugins' ) );
		$this->assertSame( 0, $r['code'], $r['stderr'] );
		$this->assertStringNotContainsString( 'Warning', $r['stderr'], 'no translator-comment problems' );
		$want = self::msgids( (string) file_get_contents( $fresh ) );
		$have = self::msgids( (string) file_get_contents( $committed ) );
		unlink( $fresh );
		$this->assertGreaterThan( 300, count( $want ) );
		$this->assertSame( array(), array_values( array_diff( $want, $have ) ), 'strings missing from languages/umw.pot: regenerate it (wp i18n make-pot php php/languages/umw.pot --domain=umw --exclude=languages)' );
		$this->assertStringContainsString( '"X-Domain: umw\n"', (string) file_get_contents( $committed ) );
	}

	public function test_statuses_http_and_extension_messages_are_translatable(): void {
		$translate = static function ( $translation, $text, $context, $domain ) {
			$map = array(
				'Delivered|delivery status' => 'Entregue',
				'HTTP %d|'                  => 'Código HTTP %d',
			);
			return 'umw' === $domain ? ( $map[ $text . '|' . $context ] ?? $translation ) : $translation;
		};
		$plain = static fn( $translation, $text, $domain ) => $translate( $translation, $text, '', $domain );
		add_filter( 'gettext_with_context', $translate, 10, 4 );
		add_filter( 'gettext', $plain, 10, 3 );
		$blocked = static fn( $translation, $text, $domain ) => 'umw' === $domain && str_starts_with( $text, 'This URL points to %1$s' ) ? 'Este URL aponta para %1$s (%2$s).' : $translation;
		add_filter( 'gettext', $blocked, 10, 3 );
		try {
			$this->assertStringContainsString( '>Entregue<', Labels::delivery_badge( 'delivered' ) );
			$this->assertSame( 'Código HTTP 404', Labels::http_status( 404 ) );
			$message = 'umw_register_webhook(): "url" blocked: 127.0.0.1 is loopback; deliveries to it are refused (SSRF protection). Set umw.allow_private_networks=1';
			$this->assertSame( 'Este URL aponta para 127.0.0.1 (loopback).', Messages::translate( $message ) );
		} finally {
			remove_filter( 'gettext_with_context', $translate, 10 );
			remove_filter( 'gettext', $plain, 10 );
			remove_filter( 'gettext', $blocked, 10 );
		}
		$this->assertSame( 'Invalid URL: scheme "ftp" is not allowed; use http or https', Messages::translate( 'umw_register_webhook(): "url" scheme "ftp" is not allowed; use http or https' ), 'the function prefix is gone' );
	}

	public function test_dates_use_the_sites_formats(): void {
		$saved = array( get_option( 'date_format' ), get_option( 'time_format' ), get_option( 'timezone_string' ) );
		update_option( 'date_format', 'd/m/Y' );
		update_option( 'time_format', 'H\hi' );
		update_option( 'timezone_string', 'Europe/Lisbon' );
		try {
			$time = ( new \DateTimeImmutable( '2026-07-01 09:30', new \DateTimeZone( 'Europe/Lisbon' ) ) )->getTimestamp();
			$this->assertSame( '01/07/2026 09h30 WEST', Time::format( $time ) );
			$this->assertSame( 'Europe/Lisbon', Time::zone_name() );
		} finally {
			update_option( 'date_format', $saved[0] );
			update_option( 'time_format', $saved[1] );
			update_option( 'timezone_string', $saved[2] );
		}
	}
}
