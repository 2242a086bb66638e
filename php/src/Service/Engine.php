<?php
/**
 * Facts about the loaded umw extension: its version and its validation rules (umw_rules()).
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Engine {

	/** @var array<string,mixed>|null */
	private static ?array $rules = null;

	/**
	 * Every validation rule the extension applies, nested as umw_rules() gives them
	 * (event_name, webhook, headers, secret, statuses, list_limit_max, max_payload_bytes, settings).
	 *
	 * @return array<string,mixed>
	 */
	public static function rules(): array {
		return self::$rules ??= (array) umw_rules();
	}

	/**
	 * One rule by its path in umw_rules(), e.g. "webhook.name_max_length".
	 */
	public static function rule( string $path ): mixed {
		$value = self::rules();
		foreach ( explode( '.', $path ) as $key ) {
			if ( ! is_array( $value ) || ! array_key_exists( $key, $value ) ) {
				throw new \LogicException( sprintf( 'The umw extension reports no rule "%s" (umw_rules()).', $path ) );
			}
			$value = $value[ $key ];
		}
		return $value;
	}

	public static function version(): string {
		if ( defined( 'UMW_VERSION' ) ) {
			return (string) constant( 'UMW_VERSION' );
		}
		$version = phpversion( 'umw' );
		return is_string( $version ) ? $version : '0';
	}
}
