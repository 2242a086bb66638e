<?php

namespace Umw\Tests;

use Umw\Service\Sanitizer;

final class SanitizerTest extends \PHPUnit\Framework\TestCase {

	/**
	 * @dataProvider bad_urls
	 */
	public function test_rejects_non_http_urls( string $url ): void {
		$this->expectException( \ValueError::class );
		Sanitizer::url( $url );
	}

	public static function bad_urls(): array {
		return array(
			'javascript'        => array( 'javascript:alert(1)' ),
			'javascript upper'  => array( 'JaVaScRiPt:alert(document.cookie)' ),
			'javascript slashes' => array( 'javascript://example.com/%0aalert(1)' ),
			'data'              => array( 'data:text/html;base64,PHNjcmlwdD4=' ),
			'ftp'               => array( 'ftp://example.com/x' ),
			'relative'          => array( '/wp-admin/' ),
			'no scheme'         => array( 'example.com/hook' ),
			'empty'             => array( '' ),
			'spaces'            => array( 'https://exa mple.com/' ),
			'newline'           => array( "https://example.com/\nX: y" ),
			'no host'           => array( 'https:///path' ),
		);
	}

	public function test_accepts_http_and_https(): void {
		$this->assertSame( 'https://example.com/hook?a=1&b=2', Sanitizer::url( ' https://example.com/hook?a=1&b=2 ' ) );
		$this->assertSame( 'http://127.0.0.1:8080/x', Sanitizer::url( 'http://127.0.0.1:8080/x' ) );
	}

	public function test_headers_from_textarea(): void {
		$this->assertSame(
			array(
				'Authorization' => 'Bearer abc:def',
				'X-Tenant'      => 'acme',
			),
			Sanitizer::headers( "Authorization: Bearer abc:def\r\n\r\nX-Tenant:acme\n" )
		);
		$this->assertSame( array(), Sanitizer::headers( '' ) );
		$this->assertSame( "A: 1\nB: 2", Sanitizer::headers_to_text( array( 'A' => '1', 'B' => '2' ) ) );
	}

	/**
	 * @dataProvider bad_headers
	 */
	public function test_rejects_bad_headers( $headers ): void {
		$this->expectException( \ValueError::class );
		Sanitizer::headers( $headers );
	}

	public static function bad_headers(): array {
		return array(
			'CRLF in value (map)'   => array( array( 'X-A' => "1\r\nX-Injected: yes" ) ),
			'LF in value (map)'     => array( array( 'X-A' => "1\nX-Injected: yes" ) ),
			'CR in name (map)'      => array( array( "X-A\r" => '1' ) ),
			'lone CR in text line'  => array( "X-A: 1\rX-Injected: yes" ),
			'NUL'                   => array( array( 'X-A' => "a\0b" ) ),
			'no colon'              => array( "just text" ),
			'bad name'              => array( 'X A: 1' ),
			'reserved signature'    => array( 'Webhook-Signature: v1,forged' ),
			'reserved content-type' => array( array( 'Content-Type' => 'text/plain' ) ),
			'not a map'             => array( 42 ),
		);
	}

	public function test_events(): void {
		$this->assertSame( array( '*' ), Sanitizer::events( '*' ) );
		$this->assertSame( array( '*' ), Sanitizer::events( array( 'payment_received', '*' ) ) );
		$this->assertSame( array( 'a', 'b.c' ), Sanitizer::events( 'a, b.c,,a' ) );
		$this->expectException( \ValueError::class );
		Sanitizer::events( array( '<script>' ) );
	}

	public function test_name_keeps_text_strips_control_chars(): void {
		$this->assertSame( '<b>Shop</b> hook', Sanitizer::name( "  <b>Shop</b>\r\n hook " ) );
		$this->expectException( \ValueError::class );
		Sanitizer::name( str_repeat( 'x', 192 ) );
	}

	public function test_time(): void {
		$this->assertSame( 1700000000, Sanitizer::time( '1700000000' ) );
		$this->assertSame( gmmktime( 0, 0, 0, 5, 1, 2024 ), Sanitizer::time( '2024-05-01' ) );
		$this->assertSame( gmmktime( 10, 30, 0, 5, 1, 2024 ), Sanitizer::time( '2024-05-01T10:30' ) );
		$this->expectException( \ValueError::class );
		Sanitizer::time( 'not a date at all' );
	}

	public function test_format_and_secret(): void {
		$this->assertSame( 'envelope', Sanitizer::format( 'Envelope' ) );
		$this->assertNull( Sanitizer::secret( '' ) );
		$this->assertSame( 'whsec_' . str_repeat( 'A', 32 ), Sanitizer::secret( 'whsec_' . str_repeat( 'A', 32 ) ) );
		$this->expectException( \ValueError::class );
		Sanitizer::format( 'xml' );
	}
}
