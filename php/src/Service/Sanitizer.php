<?php
/**
 * Input sanitising / validation shared by admin, REST and WP-CLI. Every method returns a clean
 * value or throws \ValueError with a translatable message that says what is wrong and how to fix it.
 *
 * The limits, patterns and reserved names are the extension's own (umw_rules(), read through
 * Engine::rule()): this class keeps no copy of them, so the plugin refuses exactly what the
 * extension would refuse, only earlier and in the site's language.
 *
 * Text is stored as typed (tags included) and escaped late on output; control characters
 * and invalid UTF-8 are removed here.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Sanitizer {

	/** Shown instead of a stored header value; sent back unchanged it means "keep the stored value". */
	public const MASK = '••••••';

	/**
	 * One rule of the extension by its path in umw_rules() (see Engine::rule()).
	 */
	public static function rule( string $path ): mixed {
		return Engine::rule( $path );
	}

	/**
	 * A rule's pattern (umw_rules() gives complete PCRE patterns, delimiters and flags included).
	 */
	public static function pattern( string $path ): string {
		return (string) self::rule( $path );
	}

	/**
	 * A webhook name: single line, no control characters, 1..webhook_name_max_length characters.
	 */
	public static function name( mixed $value ): string {
		self::require_text( $value, __( 'Name', 'umw' ) );
		$name = self::single_line( $value );
		if ( '' === $name ) {
			throw new \ValueError( __( 'Name is required.', 'umw' ) );
		}
		$max = (int) self::rule( 'webhook.name_max_length' );
		if ( mb_strlen( $name ) > $max ) {
			/* translators: %d: maximum length */
			throw new \ValueError( sprintf( __( 'Name must be at most %d characters.', 'umw' ), $max ) );
		}
		return $name;
	}

	/**
	 * An absolute URL with one of the extension's schemes and a host. Nothing is silently dropped:
	 * characters a URL cannot carry are refused with their names; the extension percent-encodes the rest.
	 */
	public static function url( mixed $value ): string {
		self::require_text( $value, __( 'URL', 'umw' ) );
		$raw = trim( (string) $value );
		if ( '' === $raw ) {
			throw new \ValueError( __( 'URL is required.', 'umw' ) );
		}
		if ( preg_match( '/[\x00-\x20\x7f]/', $raw ) ) {
			throw new \ValueError( __( 'URL must not contain spaces or control characters (encode a space as %20).', 'umw' ) );
		}
		$schemes = (array) self::rule( 'webhook.url_schemes' );
		$scheme  = strtolower( (string) wp_parse_url( $raw, PHP_URL_SCHEME ) );
		$host    = (string) wp_parse_url( $raw, PHP_URL_HOST );
		if ( ! in_array( $scheme, $schemes, true ) || '' === $host ) {
			throw new \ValueError(
				sprintf(
					/* translators: %s: allowed schemes, e.g. "http://, https://" */
					__( 'URL must be absolute and start with %s, e.g. https://example.com/webhooks.', 'umw' ),
					implode( ', ', array_map( static fn( $s ) => $s . '://', $schemes ) )
				)
			);
		}
		$max = (int) self::rule( 'webhook.url_max_bytes' );
		if ( strlen( $raw ) > $max ) {
			/* translators: %d: maximum length in bytes */
			throw new \ValueError( sprintf( __( 'URL must be at most %d bytes.', 'umw' ), $max ) );
		}
		return $raw;
	}

	/**
	 * One event name (or "*").
	 */
	public static function event( mixed $value ): string {
		if ( ! is_string( $value ) ) {
			throw new \ValueError( __( 'Each event must be a string such as "payment_received" (or "*" for all events).', 'umw' ) );
		}
		$event = trim( $value );
		if ( '*' === $event ) {
			return '*';
		}
		if ( ! preg_match( self::pattern( 'event_name.pattern' ), $event ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: the rejected event name, 2: maximum length */
					__( 'Invalid event name "%1$s": use 1 to %2$d letters, digits and _ . : / - (no spaces), or * for all events.', 'umw' ),
					self::single_line( $value ),
					(int) self::rule( 'event_name.max_length' )
				)
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
		$max = (int) self::rule( 'webhook.events_max' );
		if ( count( $events ) > $max ) {
			/* translators: %d: maximum number of events */
			throw new \ValueError( sprintf( __( 'A webhook can subscribe to at most %d events; use * for all events.', 'umw' ), $max ) );
		}
		return $events;
	}

	public static function format( mixed $value ): string {
		$formats = (array) self::rule( 'webhook.formats' );
		$format  = is_string( $value ) ? strtolower( trim( $value ) ) : '';
		if ( ! in_array( $format, $formats, true ) ) {
			/* translators: %s: the allowed formats */
			throw new \ValueError( sprintf( __( 'Payload format must be one of: %s.', 'umw' ), implode( ', ', $formats ) ) );
		}
		return $format;
	}

	/**
	 * A yes/no: true/false, 1/0, yes/no, on/off (any case). Anything else is refused, never read as "no".
	 */
	public static function bool( mixed $value, string $field = 'active' ): bool {
		if ( is_bool( $value ) ) {
			return $value;
		}
		if ( is_int( $value ) && in_array( $value, array( 0, 1 ), true ) ) {
			return 1 === $value;
		}
		if ( is_string( $value ) ) {
			$parsed = filter_var( trim( $value ), FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE );
			if ( null !== $parsed && '' !== trim( $value ) ) {
				return $parsed;
			}
		}
		throw new \ValueError(
			sprintf(
				/* translators: 1: field name, 2: the rejected value */
				__( '"%1$s" must be true or false (also accepted: 1/0, yes/no, on/off); got "%2$s".', 'umw' ),
				$field,
				is_scalar( $value ) ? self::single_line( $value ) : gettype( $value )
			)
		);
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
			$headers = self::headers_from_text( $value );
		} elseif ( is_array( $value ) ) {
			$headers = array();
			foreach ( $value as $name => $header_value ) {
				if ( is_int( $name ) ) {
					if ( ! is_string( $header_value ) ) {
						throw new \ValueError( __( 'Headers must be a map of name => value or "Name: value" lines.', 'umw' ) );
					}
					$headers += self::header_line( $header_value );
					continue;
				}
				if ( ! is_scalar( $header_value ) || is_bool( $header_value ) ) {
					/* translators: %s: header name */
					throw new \ValueError( sprintf( __( 'The value of header "%s" must be a string.', 'umw' ), self::single_line( $name ) ) );
				}
				list( $n, $v )  = self::header_pair( (string) $name, (string) $header_value );
				$headers[ $n ] = $v;
			}
		} else {
			throw new \ValueError( __( 'Headers must be a map of name => value or "Name: value" lines.', 'umw' ) );
		}
		$max = (int) self::rule( 'headers.max' );
		if ( count( $headers ) > $max ) {
			/* translators: %d: maximum number of headers */
			throw new \ValueError( sprintf( __( 'At most %d extra headers.', 'umw' ), $max ) );
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
	 * Stored header values replaced by the mask: extra headers usually carry credentials.
	 *
	 * @param array<string,string> $headers
	 * @return array<string,string>
	 */
	public static function mask_headers( array $headers ): array {
		return array_map( static fn() => self::MASK, $headers );
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
		if ( '' === $name || strlen( $name ) > (int) self::rule( 'headers.name_max_bytes' ) || ! preg_match( self::pattern( 'headers.name_pattern' ), $name ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: the header name, 2: maximum length */
					__( 'Invalid header name "%1$s": use letters, digits and -, at most %2$d characters.', 'umw' ),
					self::single_line( $name ),
					(int) self::rule( 'headers.name_max_bytes' )
				)
			);
		}
		if ( preg_match( '/[\x00-\x08\x0a-\x1f\x7f]/', $value ) || strlen( $value ) > (int) self::rule( 'headers.value_max_bytes' ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: the header name, 2: maximum length */
					__( 'Invalid value for header "%1$s": at most %2$d bytes, no control characters.', 'umw' ),
					$name,
					(int) self::rule( 'headers.value_max_bytes' )
				)
			);
		}
		$lower = strtolower( $name );
		$owned = in_array( $lower, (array) self::rule( 'headers.reserved' ), true );
		foreach ( (array) self::rule( 'headers.reserved_prefixes' ) as $prefix ) {
			$owned = $owned || str_starts_with( $lower, (string) $prefix );
		}
		if ( $owned ) {
			throw new \ValueError(
				/* translators: %s: the header name */
				sprintf( __( 'Header "%s" is set by umw and cannot be overridden.', 'umw' ), $name )
			);
		}
		return array( $name, $value );
	}

	/**
	 * A signing secret (prefix + standard base64 of secret_min_bytes..secret_max_bytes bytes) or null.
	 */
	public static function secret( mixed $value ): ?string {
		if ( null === $value || '' === $value ) {
			return null;
		}
		$prefix  = (string) self::rule( 'secret.prefix' );
		$secret  = is_string( $value ) ? trim( $value ) : '';
		$encoded = str_starts_with( $secret, $prefix ) ? substr( $secret, strlen( $prefix ) ) : '';
		$bytes   = preg_match( '~^[A-Za-z0-9+/]+={0,2}$~D', $encoded ) ? base64_decode( $encoded, true ) : false;
		$length  = false === $bytes ? 0 : strlen( $bytes );
		if ( $length < (int) self::rule( 'secret.min_bytes' ) || $length > (int) self::rule( 'secret.max_bytes' ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: prefix, 2: minimum bytes, 3: maximum bytes */
					__( 'Secret must be "%1$s" followed by standard base64 of %2$d to %3$d random bytes.', 'umw' ),
					$prefix,
					(int) self::rule( 'secret.min_bytes' ),
					(int) self::rule( 'secret.max_bytes' )
				)
			);
		}
		return $secret;
	}

	/**
	 * A point in time typed by a person (see Time::parse: the site's time zone unless one is named).
	 */
	public static function time( mixed $value ): int {
		return Time::parse( $value );
	}

	/**
	 * A positive integer id typed by a person ("7"); anything else says so instead of becoming 0.
	 */
	public static function id( mixed $value, string $what ): int {
		$string = is_int( $value ) ? (string) $value : ( is_string( $value ) ? trim( $value ) : '' );
		if ( ! preg_match( '/^[1-9][0-9]{0,18}$/', $string ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: what the id is of ("webhook"), 2: the rejected value */
					__( 'Invalid %1$s id "%2$s": expected a positive whole number.', 'umw' ),
					$what,
					is_scalar( $value ) ? self::single_line( $value ) : gettype( $value )
				)
			);
		}
		return (int) $string;
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

	/**
	 * Strings only: a list or an object where text belongs is refused, not turned into a default.
	 */
	private static function require_text( mixed $value, string $field ): void {
		if ( null !== $value && ! is_string( $value ) && ! is_int( $value ) && ! is_float( $value ) ) {
			/* translators: %s: field label */
			throw new \ValueError( sprintf( __( '%s must be text.', 'umw' ), $field ) );
		}
	}
}
