<?php
/**
 * The extension stores a webhook URL in its canonical (WHATWG) form, e.g. "https://Example.com" becomes
 * "https://example.com/". So that a UM URL written differently does not look changed on every event, the
 * canonical form of each UM URL seen is remembered (a pure function of the URL: valid on every server).
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class UrlForms {

	/** Network option on the main network: md5(raw URL) => canonical URL. */
	public const OPTION = 'umw_um_url_forms';

	private const MAX = 1000;

	/** @var array<string,string>|null */
	private static ?array $forms = null;

	public function same( string $raw, string $stored ): bool {
		if ( $raw === $stored ) {
			return true;
		}
		$forms = $this->forms();
		return ( $forms[ md5( $raw ) ] ?? null ) === $stored;
	}

	public function remember( string $raw, string $stored ): void {
		if ( $raw === $stored || '' === $stored ) {
			return;
		}
		$forms = $this->forms();
		$key   = md5( $raw );
		if ( ( $forms[ $key ] ?? null ) === $stored ) {
			return;
		}
		$forms[ $key ] = $stored;
		if ( count( $forms ) > self::MAX ) {
			$forms = array_slice( $forms, -self::MAX, null, true );
		}
		self::$forms = $forms;
		update_network_option( get_main_network_id(), self::OPTION, $forms );
	}

	/** @return array<string,string> */
	private function forms(): array {
		if ( null === self::$forms ) {
			$stored      = get_network_option( get_main_network_id(), self::OPTION, array() );
			self::$forms = is_array( $stored ) ? $stored : array();
		}
		return self::$forms;
	}
}
