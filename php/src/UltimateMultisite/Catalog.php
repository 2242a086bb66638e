<?php
/**
 * Makes umw's event catalog say what the installed Ultimate Multisite really does: each event UM registers
 * (its live registry, wu_get_event_types()) is in the catalog with UM's own label, description and the
 * sample UM itself builds (the payload callback, then `wu_version` last, as wu_maybe_lazy_load_payload
 * does); each built-in UM event the installed UM does not register is marked as never fired.
 *
 * Runs where the catalog is looked at (admin, REST, WP-CLI), not on every request: building UM's samples
 * instantiates its mock models.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Catalog {

	public const SOURCE = 'ultimate-multisite';

	private static bool $synced = false;

	public static function register(): void {
		add_action( 'admin_init', array( self::class, 'sync' ), 20 );
		add_action( 'rest_api_init', array( self::class, 'sync' ), 5 );
		if ( defined( 'WP_CLI' ) && WP_CLI ) {
			add_action( 'init', array( self::class, 'sync' ), PHP_INT_MAX - 5 );
		}
	}

	public static function sync(): void {
		if ( self::$synced || ! function_exists( 'umw_register_event_type' ) ) {
			return;
		}
		self::$synced = true;
		$known        = umw_event_types();
		$registered   = Settings::um_active() ? (array) wu_get_event_types() : array();
		$version      = Settings::um_version();
		foreach ( $registered as $slug => $info ) {
			if ( is_string( $slug ) && is_array( $info ) ) {
				self::register_from_um( $slug, $info, $known[ $slug ] ?? null, $version );
			}
		}
		foreach ( $known as $slug => $event ) {
			if ( self::SOURCE === ( $event['source'] ?? '' ) && ! isset( $registered[ $slug ] ) && false !== $event['fired'] ) {
				$why = Settings::um_active()
					/* translators: %s: Ultimate Multisite version */
					? sprintf( __( 'Not registered by the installed Ultimate Multisite %s, so it never fires.', 'umw' ), $version )
					: __( 'Ultimate Multisite is not active, so nothing fires it.', 'umw' );
				self::put( $slug, array( 'fired' => false, 'origin' => $why . ' ' . $event['origin'] ) + $event );
			}
		}
	}

	/**
	 * @param array<string,mixed>      $info  UM's registration (name, desc, payload)
	 * @param array<string,mixed>|null $known umw's entry, if any
	 */
	private static function register_from_um( string $slug, array $info, ?array $known, string $version ): void {
		$origin = self::SOURCE === ( $known['source'] ?? '' ) && true === ( $known['fired'] ?? null )
			? (string) $known['origin']
			/* translators: %s: Ultimate Multisite version */
			: sprintf( __( 'Registered in the event registry of the installed Ultimate Multisite %s (wu_register_event_type).', 'umw' ), $version );
		$entry  = array(
			'label'       => wp_strip_all_tags( (string) ( $info['name'] ?? $slug ) ),
			'description' => wp_strip_all_tags( (string) ( $info['desc'] ?? '' ) ),
			'source'      => self::SOURCE,
			'origin'      => $origin,
			'fired'       => true,
		);
		$sample = self::um_sample( $info );
		if ( null !== $sample ) {
			$entry['sample'] = $sample;
		}
		if ( ! self::put( $slug, $entry ) && isset( $entry['sample'] ) ) {
			// UM's sample did not fit (size, objects): keep the built-in one.
			unset( $entry['sample'] );
			self::put( $slug, $entry + array( 'sample' => $known['sample'] ?? array() ) );
		}
	}

	/**
	 * The sample as UM builds it (Event_Manager::event_payload_preview → wu_maybe_lazy_load_payload).
	 *
	 * @param array<string,mixed> $info
	 * @return array<string,mixed>|null
	 */
	private static function um_sample( array $info ): ?array {
		if ( ! isset( $info['payload'] ) ) {
			return null;
		}
		try {
			$sample = function_exists( 'wu_maybe_lazy_load_payload' ) ? wu_maybe_lazy_load_payload( $info['payload'] ) : null;
		} catch ( \Throwable $e ) {
			return null;
		}
		return is_array( $sample ) ? $sample : null;
	}

	/**
	 * @param array<string,mixed> $entry
	 */
	private static function put( string $slug, array $entry ): bool {
		$allowed = array_flip( array( 'label', 'description', 'sample', 'source', 'origin', 'fired' ) );
		try {
			umw_register_event_type( $slug, array_intersect_key( $entry, $allowed ) );
			return true;
		} catch ( \ValueError | \TypeError $e ) {
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( sprintf( 'umw: could not register Ultimate Multisite event "%s": %s', $slug, $e->getMessage() ) );
			return false;
		}
	}

	/**
	 * Events of $events that nothing fires (or that the catalog does not know), with why.
	 *
	 * @param list<string> $events
	 * @return array<string,string> event => reason
	 */
	public static function unfired( array $events ): array {
		self::sync();
		$types = umw_event_types();
		$out   = array();
		foreach ( $events as $event ) {
			if ( '*' === $event ) {
				continue;
			}
			if ( ! isset( $types[ $event ] ) ) {
				$out[ $event ] = __( 'not in the event catalog: nothing known fires it', 'umw' );
			} elseif ( false === $types[ $event ]['fired'] ) {
				$out[ $event ] = (string) $types[ $event ]['origin'];
			}
		}
		return $out;
	}
}
