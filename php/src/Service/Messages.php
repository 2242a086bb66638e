<?php
/**
 * The extension's own error messages in the site's language. The extension speaks English and
 * prefixes the function ("umw_register_webhook(): …"); the messages a network admin can meet
 * (blocked addresses, store trouble, a webhook to enable first) are mapped to translatable
 * sentences here, anything else is shown without the function prefix.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Messages {

	public static function translate( string $message ): string {
		$stripped = (string) preg_replace( '/^umw_[a-z_]+\(\): /', '', $message );
		$from_ext = $stripped !== $message;
		$message  = $stripped;

		if ( preg_match( '/^"url" blocked: (\S+) is ([^;]+); deliveries to it are refused/', $message, $m ) ) {
			return sprintf(
				/* translators: 1: IP address, 2: kind of address range, e.g. "loopback" */
				__( 'This URL points to %1$s, a %2$s address: umw refuses to deliver there (protection against requests into your own network). For local development set umw.allow_private_networks=1, or list the network in umw.allowed_networks (php.ini).', 'umw' ),
				$m[1],
				$m[2]
			);
		}
		if ( preg_match( '/^blocked: (\S+) is (.+)$/', $message, $m ) ) {
			return sprintf(
				/* translators: 1: IP address, 2: kind of address range */
				__( 'Not sent: the host resolved to %1$s, a %2$s address, which umw never connects to.', 'umw' ),
				$m[1],
				$m[2]
			);
		}
		if ( preg_match( '/^umw store (\S+): (.+)$/', $message, $m ) ) {
			return sprintf(
				/* translators: 1: file path, 2: the database error */
				__( 'The umw store %1$s could not be used (%2$s). Check that the directory exists and is writable by PHP (php.ini umw.store).', 'umw' ),
				$m[1],
				$m[2]
			);
		}
		if ( $from_ext && preg_match( '/enable it first/i', $message ) ) {
			return __( 'This webhook is switched off: enable it first, then replay.', 'umw' );
		}
		if ( $from_ext && preg_match( '/^"(\w+)" (.+)$/s', $message, $m ) ) {
			return sprintf(
				/* translators: 1: field name, 2: the extension's explanation (English) */
				__( 'Invalid %1$s: %2$s', 'umw' ),
				self::field_label( $m[1] ),
				$m[2]
			);
		}
		return $message;
	}

	private static function field_label( string $field ): string {
		$labels = array(
			'name'    => __( 'name', 'umw' ),
			'url'     => __( 'URL', 'umw' ),
			'events'  => __( 'events', 'umw' ),
			'headers' => __( 'headers', 'umw' ),
			'secret'  => __( 'secret', 'umw' ),
			'format'  => __( 'payload format', 'umw' ),
			'payload' => __( 'payload', 'umw' ),
		);
		return $labels[ $field ] ?? $field;
	}
}
