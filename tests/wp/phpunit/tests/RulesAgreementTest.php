<?php

namespace Umw\Tests;

use Umw\Service\Sanitizer;

/**
 * Issue 12 (plugin side): the sanitiser takes every shared rule from the extension. Two checks
 * that fail when the sides disagree: the values it reads are umw_rules()/UMW_*, and on the
 * boundary of every rule the sanitiser accepts exactly what the extension accepts.
 */
final class RulesAgreementTest extends TestCase {

	public function test_the_rules_read_are_the_extensions(): void {
		$rules = umw_rules();
		$this->assertSame( UMW_WEBHOOK_NAME_MAX_LENGTH, Sanitizer::rule( 'webhook.name_max_length' ) );
		$this->assertSame( UMW_URL_MAX_BYTES, Sanitizer::rule( 'webhook.url_max_bytes' ) );
		$this->assertSame( UMW_EVENT_NAME_PATTERN, Sanitizer::pattern( 'event_name.pattern' ) );
		$this->assertSame( UMW_EVENT_NAME_MAX_LENGTH, Sanitizer::rule( 'event_name.max_length' ) );
		$this->assertSame( UMW_LIST_LIMIT_MAX, \Umw\Service\Deliveries::list_limit_max() );
		$this->assertSame( $rules['headers']['reserved'], Sanitizer::rule( 'headers.reserved' ) );
		$this->assertSame( $rules['statuses'], \Umw\Service\Deliveries::statuses() );
		$this->assertSame( $rules['webhook']['formats'], Sanitizer::rule( 'webhook.formats' ) );
	}

	public function test_the_plugin_keeps_no_copy_of_a_limit(): void {
		$source = '';
		foreach ( array( 'Service/Sanitizer.php', 'Service/Webhooks.php', 'Service/Deliveries.php', 'Service/Events.php' ) as $file ) {
			$source .= file_get_contents( UMW_PLUGIN_DIR . '/src/' . $file );
		}
		foreach ( array( '191', '2048', '4096', '128', '1000', "'whsec_'", "'x-umw-event'", "'content-type'", "'delivered', 'failed'", "'flat', 'envelope'" ) as $copy ) {
			$this->assertStringNotContainsString( $copy, $source, "a copy of an extension rule ($copy) is back in the plugin" );
		}
	}

	/**
	 * @dataProvider boundaries
	 * @param callable():mixed $sanitize
	 * @param array<string,mixed> $webhook umw_register_webhook() input
	 */
	public function test_sanitizer_and_extension_agree( callable $sanitize, array $webhook ): void {
		try {
			$sanitize();
			$plugin = true;
		} catch ( \ValueError $e ) {
			$plugin = false;
		}
		try {
			$id = umw_register_webhook( $webhook + array( 'name' => 'rules probe', 'url' => 'https://example.com/probe' ) );
			umw_delete_webhook( $id );
			$engine = true;
		} catch ( \ValueError | \TypeError $e ) {
			$engine = false;
		}
		$this->assertSame( $engine, $plugin, $plugin ? 'the plugin accepts what the extension refuses' : 'the plugin refuses what the extension accepts' );
	}

	public static function boundaries(): array {
		$name_max  = UMW_WEBHOOK_NAME_MAX_LENGTH;
		$event_max = UMW_EVENT_NAME_MAX_LENGTH;
		$url       = static fn( int $bytes ) => 'https://example.com/' . str_repeat( 'a', $bytes - strlen( 'https://example.com/' ) );
		$headers   = static fn( int $n ) => array_combine( array_map( static fn( $i ) => "X-H$i", range( 1, $n ) ), array_fill( 0, $n, 'v' ) );
		$secret    = static fn( int $bytes, string $prefix = 'whsec_' ) => $prefix . base64_encode( str_repeat( 'k', $bytes ) );
		$cases     = array(
			'name at the limit'          => array( $name_max, 'name', str_repeat( 'n', $name_max ) ),
			'name over the limit'        => array( $name_max, 'name', str_repeat( 'n', $name_max + 1 ) ),
			'name multibyte at limit'    => array( $name_max, 'name', str_repeat( 'é', $name_max ) ),
			'url at the limit'           => array( 0, 'url', $url( UMW_URL_MAX_BYTES ) ),
			'url over the limit'         => array( 0, 'url', $url( UMW_URL_MAX_BYTES + 1 ) ),
			'url ftp'                    => array( 0, 'url', 'ftp://example.com/' ),
			'url with quotes and braces' => array( 0, 'url', 'https://example.com/a"<b>{c}' ),
			'event at the limit'         => array( 0, 'events', array( str_repeat( 'e', $event_max ) ) ),
			'event over the limit'       => array( 0, 'events', array( str_repeat( 'e', $event_max + 1 ) ) ),
			'event with slash and colon' => array( 0, 'events', array( 'shop/order:paid' ) ),
			'event with a space'         => array( 0, 'events', array( 'payment received' ) ),
			'event with a tag'           => array( 0, 'events', array( '<script>' ) ),
			'events at the limit'        => array( 0, 'events', array_map( static fn( $i ) => "e$i", range( 1, UMW_EVENTS_PER_WEBHOOK_MAX ) ) ),
			'events over the limit'      => array( 0, 'events', array_map( static fn( $i ) => "e$i", range( 1, UMW_EVENTS_PER_WEBHOOK_MAX + 1 ) ) ),
			'headers at the limit'       => array( 0, 'headers', $headers( UMW_HEADERS_MAX ) ),
			'headers over the limit'     => array( 0, 'headers', $headers( UMW_HEADERS_MAX + 1 ) ),
			'header name at the limit'   => array( 0, 'headers', array( str_repeat( 'h', 128 ) => 'v' ) ),
			'header name over the limit' => array( 0, 'headers', array( str_repeat( 'h', 129 ) => 'v' ) ),
			'header value at the limit'  => array( 0, 'headers', array( 'X-V' => str_repeat( 'v', 4096 ) ) ),
			'header value over'          => array( 0, 'headers', array( 'X-V' => str_repeat( 'v', 4097 ) ) ),
			'header value with a tab'    => array( 0, 'headers', array( 'X-V' => "a\tb" ) ),
			'header value with a bell'   => array( 0, 'headers', array( 'X-V' => "a\x07b" ) ),
			'user-agent reserved'        => array( 0, 'headers', array( 'User-Agent' => 'x' ) ),
			'proxy- prefix reserved'     => array( 0, 'headers', array( 'Proxy-Whatever' => 'x' ) ),
			'signature reserved'         => array( 0, 'headers', array( 'Webhook-Signature' => 'x' ) ),
			'header name with a space'   => array( 0, 'headers', array( 'X Y' => 'x' ) ),
			'secret at the minimum'      => array( 0, 'secret', $secret( 24 ) ),
			'secret under the minimum'   => array( 0, 'secret', $secret( 23 ) ),
			'secret at the maximum'      => array( 0, 'secret', $secret( 64 ) ),
			'secret over the maximum'    => array( 0, 'secret', $secret( 65 ) ),
			'secret without padding'     => array( 0, 'secret', rtrim( $secret( 25 ), '=' ) ),
			'secret without the prefix'  => array( 0, 'secret', $secret( 32, 'wh_' ) ),
			'format envelope'            => array( 0, 'format', 'envelope' ),
			'format xml'                 => array( 0, 'format', 'xml' ),
		);
		$out = array();
		foreach ( $cases as $label => list( , $field, $value ) ) {
			$method        = array(
				'name'    => 'name',
				'url'     => 'url',
				'events'  => 'events',
				'headers' => 'headers',
				'secret'  => 'secret',
				'format'  => 'format',
			)[ $field ];
			$out[ $label ] = array( static fn() => Sanitizer::$method( $value ), array( $field => $value ) );
		}
		return $out;
	}
}
