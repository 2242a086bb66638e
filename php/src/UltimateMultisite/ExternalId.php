<?php
/**
 * The link between a UM webhook and its umw copy: the umw webhook's `external_id`,
 * "ultimate-multisite:{network_id}:{um_id}". Unique in the store, so two processes (or two servers) that
 * copy the same UM webhook at once cannot both succeed.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class ExternalId {

	public const PREFIX = 'ultimate-multisite';

	public static function of( int $network_id, int $um_id ): string {
		return self::PREFIX . ':' . $network_id . ':' . $um_id;
	}

	/**
	 * @return int|null the UM id when $external_id links to a UM webhook of this network
	 */
	public static function um_id( $external_id, int $network_id ): ?int {
		$prefix = self::PREFIX . ':' . $network_id . ':';
		if ( ! is_string( $external_id ) || 0 !== strpos( $external_id, $prefix ) ) {
			return null;
		}
		$id = substr( $external_id, strlen( $prefix ) );
		return ctype_digit( $id ) && (int) $id > 0 ? (int) $id : null;
	}
}
