<?php
/**
 * Charts drawn on the server as inline SVG (no script, no dependency): stacked bars of attempts
 * per bucket (delivered / retrying / failed) and lines of p50 / p95 response time. Each bar and
 * point has a <title> (the browser's tooltip); the SVG has role="img" and a summary label.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Stats;

defined( 'ABSPATH' ) || exit;

final class Chart {

	private const WIDTH  = 960;
	private const HEIGHT = 220;
	private const LEFT   = 44;
	private const RIGHT  = 8;
	private const TOP    = 10;
	private const BOTTOM = 28;

	/** Outcome => CSS class (colours in admin.css, with WordPress's own palette). */
	public const SERIES = array(
		'delivered' => 'umw-bar-delivered',
		'retrying'  => 'umw-bar-retrying',
		'failed'    => 'umw-bar-failed',
	);

	/**
	 * @param list<array<string,mixed>> $buckets umw_delivery_stats() buckets
	 */
	public static function attempts( array $buckets, int $bucket_seconds, string $label ): string {
		$max   = 0;
		$total = 0;
		foreach ( $buckets as $b ) {
			$max    = max( $max, (int) $b['delivered'] + (int) $b['retrying'] + (int) $b['failed'] );
			$total += (int) $b['attempts'];
		}
		$top  = self::nice_max( $max );
		$svg  = self::open( 'umw-chart-attempts', $label );
		$svg .= self::grid( $top, static fn( $v ) => number_format_i18n( $v ) );
		$svg .= self::time_axis( $buckets, $bucket_seconds );
		$n    = max( 1, count( $buckets ) );
		$slot = ( self::WIDTH - self::LEFT - self::RIGHT ) / $n;
		$bar  = max( 1.0, $slot * 0.8 );
		foreach ( array_values( $buckets ) as $i => $b ) {
			$x = self::LEFT + $i * $slot + ( $slot - $bar ) / 2;
			$y = (float) ( self::HEIGHT - self::BOTTOM );
			foreach ( self::SERIES as $key => $class ) {
				$value = (int) $b[ $key ];
				if ( ! $value ) {
					continue;
				}
				$h    = $value / $top * ( self::HEIGHT - self::TOP - self::BOTTOM );
				$y   -= $h;
				$svg .= sprintf(
					'<rect class="%1$s" x="%2$.1f" y="%3$.1f" width="%4$.1f" height="%5$.1f"><title>%6$s</title></rect>',
					esc_attr( $class ),
					$x,
					$y,
					$bar,
					max( 0.5, $h ),
					esc_html( self::bucket_title( $b, $bucket_seconds ) )
				);
			}
		}
		if ( 0 === $total ) {
			$svg .= sprintf( '<text class="umw-chart-empty" x="%d" y="%d" text-anchor="middle">%s</text>', ( self::WIDTH + self::LEFT ) / 2, self::HEIGHT / 2, esc_html__( 'No deliveries in this period', 'umw' ) );
		}
		return $svg . '</svg>';
	}

	/**
	 * @param list<array<string,mixed>> $buckets
	 */
	public static function latency( array $buckets, int $bucket_seconds, string $label ): string {
		$max = 0.0;
		foreach ( $buckets as $b ) {
			$max = max( $max, (float) ( $b['p95_ms'] ?? 0 ), (float) ( $b['p50_ms'] ?? 0 ) );
		}
		$top  = self::nice_max( (int) ceil( $max ) );
		$svg  = self::open( 'umw-chart-latency', $label );
		$svg .= self::grid( $top, static fn( $v ) => Stats::format_ms( (float) $v ) );
		$svg .= self::time_axis( $buckets, $bucket_seconds );
		$n    = max( 1, count( $buckets ) );
		$slot = ( self::WIDTH - self::LEFT - self::RIGHT ) / $n;
		foreach ( array( 'p95_ms' => 'umw-line-p95', 'p50_ms' => 'umw-line-p50' ) as $key => $class ) {
			$points = array();
			$dots   = '';
			foreach ( array_values( $buckets ) as $i => $b ) {
				if ( null === ( $b[ $key ] ?? null ) ) {
					continue;
				}
				$x        = self::LEFT + ( $i + 0.5 ) * $slot;
				$y        = self::HEIGHT - self::BOTTOM - (float) $b[ $key ] / $top * ( self::HEIGHT - self::TOP - self::BOTTOM );
				$points[] = sprintf( '%.1f,%.1f', $x, $y );
				$dots    .= sprintf(
					'<circle class="%1$s" cx="%2$.1f" cy="%3$.1f" r="2.5"><title>%4$s</title></circle>',
					esc_attr( $class ),
					$x,
					$y,
					esc_html( self::when( (int) $b['start'], $bucket_seconds ) . ' — ' . ( 'p95_ms' === $key ? 'p95 ' : 'p50 ' ) . Stats::format_ms( (float) $b[ $key ] ) )
				);
			}
			if ( $points ) {
				$svg .= sprintf( '<polyline class="%1$s" fill="none" points="%2$s" />', esc_attr( $class ), esc_attr( implode( ' ', $points ) ) ) . $dots;
			}
		}
		return $svg . '</svg>';
	}

	private static function open( string $class, string $label ): string {
		return sprintf(
			'<svg class="umw-chart %1$s" viewBox="0 0 %2$d %3$d" role="img" aria-label="%4$s" xmlns="http://www.w3.org/2000/svg">',
			esc_attr( $class ),
			self::WIDTH,
			self::HEIGHT,
			esc_attr( $label )
		);
	}

	/**
	 * Four horizontal grid lines with their values on the left.
	 *
	 * @param callable(int):string $format
	 */
	private static function grid( int $top, callable $format ): string {
		$svg = '';
		for ( $i = 0; $i <= 4; $i++ ) {
			$value = (int) round( $top * $i / 4 );
			$y     = self::HEIGHT - self::BOTTOM - ( self::HEIGHT - self::TOP - self::BOTTOM ) * $i / 4;
			$svg  .= sprintf( '<line class="umw-grid" x1="%1$d" x2="%2$d" y1="%3$.1f" y2="%3$.1f" />', self::LEFT, self::WIDTH - self::RIGHT, $y );
			$svg  .= sprintf( '<text class="umw-axis" x="%1$d" y="%2$.1f" text-anchor="end">%3$s</text>', self::LEFT - 4, $y + 4, esc_html( $format( $value ) ) );
		}
		return $svg;
	}

	/**
	 * Labels at day starts (hourly buckets) or every few days (daily buckets), in the site's zone.
	 *
	 * @param list<array<string,mixed>> $buckets
	 */
	private static function time_axis( array $buckets, int $bucket_seconds ): string {
		$n     = max( 1, count( $buckets ) );
		$slot  = ( self::WIDTH - self::LEFT - self::RIGHT ) / $n;
		$every = max( 1, (int) ceil( $n / 8 ) );
		$svg   = '';
		foreach ( array_values( $buckets ) as $i => $b ) {
			$start = (int) $b['start'];
			$label = $bucket_seconds < DAY_IN_SECONDS
				? ( '00' === wp_date( 'H', $start ) ? wp_date( 'D j M', $start ) : '' )
				: ( 0 === $i % $every ? wp_date( 'j M', $start ) : '' );
			if ( '' === $label ) {
				continue;
			}
			$x    = self::LEFT + $i * $slot;
			$svg .= sprintf( '<line class="umw-tick" x1="%1$.1f" x2="%1$.1f" y1="%2$d" y2="%3$d" />', $x, self::TOP, self::HEIGHT - self::BOTTOM + 4 );
			$svg .= sprintf( '<text class="umw-axis" x="%1$.1f" y="%2$d">%3$s</text>', $x + 2, self::HEIGHT - 8, esc_html( (string) $label ) );
		}
		return $svg;
	}

	/**
	 * @param array<string,mixed> $b
	 */
	private static function bucket_title( array $b, int $bucket_seconds ): string {
		return sprintf(
			/* translators: 1: time, 2: delivered, 3: retrying, 4: failed */
			__( '%1$s — %2$d delivered, %3$d retrying, %4$d failed', 'umw' ),
			self::when( (int) $b['start'], $bucket_seconds ),
			(int) $b['delivered'],
			(int) $b['retrying'],
			(int) $b['failed']
		);
	}

	private static function when( int $start, int $bucket_seconds ): string {
		$format = $bucket_seconds < DAY_IN_SECONDS ? get_option( 'date_format', 'Y-m-d' ) . ' ' . get_option( 'time_format', 'H:i' ) : get_option( 'date_format', 'Y-m-d' );
		return (string) wp_date( $format, $start );
	}

	/**
	 * A round axis maximum above the data (1, 2, 5 × 10^n), at least 4 so the grid has whole steps.
	 */
	private static function nice_max( int $max ): int {
		if ( $max <= 4 ) {
			return 4;
		}
		$magnitude = 10 ** (int) floor( log10( $max ) );
		foreach ( array( 1, 2, 4, 5, 10 ) as $step ) {
			if ( $step * $magnitude >= $max ) {
				return (int) ( $step * $magnitude );
			}
		}
		return (int) ( 10 * $magnitude );
	}
}
