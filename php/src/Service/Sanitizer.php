<?php
/**
 * Input sanitising / validation shared by admin, REST and WP-CLI.
 * Every method returns a clean value or throws \ValueError with a translatable message.
 *
 * Text is stored as typed (tags included) and escaped late on output; control characters
 * and invalid UTF-8 are removed here.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Sanitizer {

	/** Only these URL schemes may receive webhooks. */
	public const ALLOWED_PROTOCOLS = array( 'http', 'https' );

	/** Extra headers may not override what the extension sets itself. */
	public const RESERVED_HEADERS = array(
		'host',
		'content-length',
		'content-type',
		'transfer-encoding',
		'connection',
		'user-agent',
		'webhook-id',
		'webhook-timestamp',
		'webhook-signature',
		'x-umw-event',
	);

	public const FORMATS = array( 'flat', 'envelope' );

	/**
	 * A webhook name: single line, no control characters, 1-191 chars.
	 */
	public static function name( mixed $value ): string {
		$name = self::single_line( $value );
		if ( '' === $name ) {
			throw new \ValueError( __( 'Name is required.', 'umw' ) );
		}
		if ( mb_strlen( $name ) > 191 ) {
			throw new \ValueError( __( 'Name must be at most 191 characters.', 'umw' ) );
		}
		return $name;
	}

	/**
	 * An http(s) URL with a host. Rejects javascript:, data:, ftp:, relative URLs, whitespace tricks.
	 */
	public static function url( mixed $value ): string {
		$raw = is_scalar( $value ) ? trim( (string) $value ) : '';
		if ( '' === $raw ) {
			throw new \ValueError( __( 'URL is required.', 'umw' ) );
		}
		if ( preg_match( '/[\x00-\x20\x7f]/', $raw ) ) {
			throw new \ValueError( __( 'URL must not contain spaces or control characters.', 'umw' ) );
		}
		$scheme = strtolower( (string) wp_parse_url( $raw, PHP_URL_SCHEME ) );
		$host   = (string) wp_parse_url( $raw, PHP_URL_HOST );
		if ( ! in_array( $scheme, self::ALLOWED_PROTOCOLS, true ) || '' === $host ) {
			throw new \ValueError( __( 'URL must be an absolute http:// or https:// URL.', 'umw' ) );
		}
		$clean = esc_url_raw( $raw, self::ALLOWED_PROTOCOLS );
		if ( '' === $clean ) {
			throw new \ValueError( __( 'URL must be an absolute http:// or https:// URL.', 'umw' ) );
		}
		if ( strlen( $clean ) > 2048 ) {
			throw new \ValueError( __( 'URL must be at most 2048 characters.', 'umw' ) );
		}
		return $clean;
	}

	/**
	 * One event name (or "*").
	 */
	public static function event( mixed $value ): string {
		$event = is_scalar( $value ) ? trim( (string) $value ) : '';
		if ( '*' === $event ) {
			return '*';
		}
		if ( ! preg_match( '/^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,190}$/', $event ) ) {
			throw new \ValueError(
				/* translators: %s: the rejected event name */
				sprintf( __( 'Invalid event name "%s": use letters, digits, _ . : - or * for all events.', 'umw' ), self::single_line( $value ) )
			);
		}
		return $event;
	}

	/**
	 * Events: a list, or a comma separated string. "*" alone means all events.
	 *
	 * @return list<string>
	 */
	public static function events( mixed $value ): array {
		if ( is_string( $value ) ) {
			$value = explode( ',', $value );
		}
		if ( ! is_array( $value ) ) {
			throw new \ValueError( __( 'Events must be a list of event names.', 'umw' ) );
		}
		$events = array();
		foreach ( $value as $event ) {
			if ( is_string( $event ) && '' === trim( $event ) ) {
				continue;
			}
			$events[] = self::event( $event );
		}
		$events = array_values( array_unique( $events ) );
		if ( ! $events ) {
			throw new \ValueError( __( 'Choose at least one event (or * for all events).', 'umw' ) );
		}
		if ( in_array( '*', $events, true ) ) {
			return array( '*' );
		}
		return $events;
	}

	public static function format( mixed $value ): string {
		$format = is_scalar( $value ) ? strtolower( trim( (string) $value ) ) : '';
		if ( ! in_array( $format, self::FORMATS, true ) ) {
			throw new \ValueError( __( 'Payload format must be "flat" or "envelope".', 'umw' ) );
		}
		return $format;
	}

	public static function bool( mixed $value ): bool {
		if ( is_bool( $value ) ) {
			return $value;
		}
		if ( is_string( $value ) && in_array( strtolower( trim( $value ) ), array( 'yes', 'on' ), true ) ) {
			return true;
		}
		return (bool) filter_var( $value, FILTER_VALIDATE_BOOLEAN );
	}

	/**
	 * Extra headers, from a map (name => value), a list of "Name: value" strings, or a textarea
	 * with one "Name: value" per line. CR/LF/NUL inside a name or value is rejected.
	 *
	 * @return array<string,string>
	 */
	public static function headers( mixed $value ): array {
		if ( null === $value || '' === $value ) {
			return array();
		}
		if ( is_string( $value ) ) {
			return self::headers_from_text( $value );
		}
		if ( ! is_array( $value ) ) {
			throw new \ValueError( __( 'Headers must be a map of name => value or "Name: value" lines.', 'umw' ) );
		}
		$headers = array();
		foreach ( $value as $name => $header_value ) {
			if ( is_int( $name ) ) {
				if ( ! is_string( $header_value ) ) {
					throw new \ValueError( __( 'Headers must be a map of name => value or "Name: value" lines.', 'umw' ) );
				}
				$headers += self::header_line( $header_value );
				continue;
			}
			if ( ! is_scalar( $header_value ) ) {
				throw new \ValueError( __( 'Header values must be strings.', 'umw' ) );
			}
			list( $n, $v )  = self::header_pair( (string) $name, (string) $header_value );
			$headers[ $n ] = $v;
		}
		return $headers;
	}

	/**
	 * Textarea => map. Blank lines are ignored; a lone CR inside a line is rejected.
	 *
	 * @return array<string,string>
	 */
	public static function headers_from_text( string $text ): array {
		$headers = array();
		foreach ( explode( "\n", str_replace( "\r\n", "\n", $text ) ) as $line ) {
			if ( '' === trim( $line ) ) {
				continue;
			}
			$headers += self::header_line( $line );
		}
		return $headers;
	}

	/**
	 * Map => textarea text.
	 *
	 * @param array<string,string> $headers
	 */
	public static function headers_to_text( array $headers ): string {
		$lines = array();
		foreach ( $headers as $name => $value ) {
			$lines[] = $name . ': ' . $value;
		}
		return implode( "\n", $lines );
	}

	/**
	 * @return array<string,string>
	 */
	private static function header_line( string $line ): array {
		$pos = strpos( $line, ':' );
		if ( false === $pos ) {
			throw new \ValueError(
				/* translators: %s: the header line */
				sprintf( __( 'Header line "%s" must look like "Name: value".', 'umw' ), self::single_line( $line ) )
			);
		}
		list( $n, $v ) = self::header_pair( substr( $line, 0, $pos ), substr( $line, $pos + 1 ) );
		return array( $n => $v );
	}

	/**
	 * @return array{0:string,1:string}
	 */
	private static function header_pair( string $name, string $value ): array {
		if ( preg_match( '/[\r\n\0]/', $name . $value ) ) {
			throw new \ValueError( __( 'Header names and values must not contain line breaks (CR/LF) or NUL bytes.', 'umw' ) );
		}
		$name  = trim( $name );
		$value = trim( $value, " \t" );
		if ( ! preg_match( "/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/", $name ) ) {
			throw new \ValueError(
				/* translators: %s: the header name */
				sprintf( __( 'Invalid header name "%s".', 'umw' ), self::single_line( $name ) )
			);
		}
		if ( preg_match( '/[\x00-\x08\x0a-\x1f\x7f]/', $value ) || strlen( $value ) > 4096 ) {
			throw new \ValueError(
				/* translators: %s: the header name */
				sprintf( __( 'Invalid value for header "%s".', 'umw' ), $name )
			);
		}
		if ( in_array( strtolower( $name ), self::RESERVED_HEADERS, true ) ) {
			throw new \ValueError(
				/* translators: %s: the header name */
				sprintf( __( 'Header "%s" is set by umw and cannot be overridden.', 'umw' ), $name )
			);
		}
		return array( $name, $value );
	}

	/**
	 * A "whsec_..." secret or null.
	 */
	public static function secret( mixed $value ): ?string {
		if ( null === $value || '' === $value ) {
			return null;
		}
		$secret = is_scalar( $value ) ? trim( (string) $value ) : '';
		if ( ! preg_match( '/^whsec_[A-Za-z0-9+\/]{32,88}={0,2}$/', $secret ) ) {
			throw new \ValueError( __( 'Secret must be "whsec_" followed by standard base64 of 24 to 64 random bytes.', 'umw' ) );
		}
		return $secret;
	}

	/**
	 * A point in time: unix timestamp, or anything strtotime() understands (UTC).
	 */
	public static function time( mixed $value ): int {
		if ( is_int( $value ) || ( is_string( $value ) && ctype_digit( trim( $value ) ) ) ) {
			return max( 0, (int) $value );
		}
		$string = is_scalar( $value ) ? trim( (string) $value ) : '';
		$time   = '' === $string ? false : strtotime( $string . ( preg_match( '/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/', $string ) ? ' UTC' : '' ) );
		if ( false === $time ) {
			throw new \ValueError(
				/* translators: %s: what was typed */
				sprintf( __( 'Invalid date/time "%s".', 'umw' ), self::single_line( $value ) )
			);
		}
		return max( 0, $time );
	}

	/**
	 * Text on one line: invalid UTF-8 and control characters removed, trimmed. Tags are kept
	 * (escape on output).
	 */
	public static function single_line( mixed $value ): string {
		if ( ! is_scalar( $value ) ) {
			return '';
		}
		$text = wp_check_invalid_utf8( (string) $value, true );
		$text = (string) preg_replace( '/[\x00-\x1f\x7f]+/', ' ', $text );
		return trim( (string) preg_replace( '/ {2,}/', ' ', $text ) );
	}
}
