<?php
/**
 * Dates in the site's time zone everywhere (screens, WP-CLI, REST), always with the zone labelled,
 * and dates typed by people read in that same zone unless they name another.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Time {

	/** What a datetime-local field sends. */
	public const INPUT_FORMAT = 'Y-m-d\TH:i';

	/**
	 * For people: the site's date and time formats, then the zone ("5 December 2026 4:02 am UTC").
	 */
	public static function format( int|float|null $time ): string {
		if ( ! $time ) {
			return '—';
		}
		$format = trim( get_option( 'date_format', 'Y-m-d' ) . ' ' . get_option( 'time_format', 'H:i' ) );
		return trim( (string) wp_date( $format, (int) $time ) . ' ' . self::zone_label( (int) $time ) );
	}

	/**
	 * For machines: ISO 8601 with the site's offset ("2026-12-05T04:02:11+00:00"); null stays null.
	 */
	public static function iso( int|float|null $time ): ?string {
		if ( null === $time || '' === $time || 0 === (int) $time ) {
			return null;
		}
		return (string) wp_date( 'c', (int) $time );
	}

	/**
	 * The zone as people know it: its abbreviation where it has one (CET, EST, UTC), else its offset.
	 */
	public static function zone_label( ?int $at = null ): string {
		$abbr = (string) wp_date( 'T', $at ?? time() );
		if ( preg_match( '/^[A-Z]{2,5}$/', $abbr ) ) {
			return $abbr;
		}
		$offset = (string) wp_date( 'P', $at ?? time() );
		return '+00:00' === $offset ? 'UTC' : 'UTC' . $offset;
	}

	/**
	 * The zone's name for labels next to inputs: "Europe/Lisbon" or "UTC+02:00".
	 */
	public static function zone_name(): string {
		$name = wp_timezone_string();
		if ( '+00:00' === $name ) {
			return 'UTC';
		}
		return preg_match( '/^[+-]\d{2}:\d{2}$/', $name ) ? 'UTC' . $name : $name;
	}

	/**
	 * A time typed by a person: unix seconds, a relative expression ("-2 days"), or a date read in
	 * the site's time zone unless it carries its own offset/zone.
	 */
	public static function parse( mixed $value ): int {
		if ( is_int( $value ) || ( is_string( $value ) && ctype_digit( trim( $value ) ) && '' !== trim( $value ) ) ) {
			return max( 0, (int) $value );
		}
		$string = is_scalar( $value ) ? trim( (string) $value ) : '';
		$time   = false;
		if ( '' !== $string ) {
			try {
				$time = ( new \DateTimeImmutable( $string, wp_timezone() ) )->getTimestamp();
			} catch ( \Exception $e ) {
				$time = false;
			}
		}
		if ( false === $time ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: what was typed, 2: time zone name */
					__( 'Invalid date/time "%1$s": use e.g. 2026-05-01 14:30 (read in %2$s), "-2 days", or a unix timestamp.', 'umw' ),
					Sanitizer::single_line( $value ),
					self::zone_name()
				)
			);
		}
		return max( 0, $time );
	}

	/**
	 * A datetime-local value in the site's zone.
	 */
	public static function input_value( int $time ): string {
		return (string) wp_date( self::INPUT_FORMAT, $time );
	}
}
