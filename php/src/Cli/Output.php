<?php
/**
 * Shared WP-CLI helpers: exception => WP_CLI::error, item formatting (--format/--fields).
 *
 * @package Umw
 */

namespace Umw\Cli;

defined( 'ABSPATH' ) || exit;

trait Output {

	/**
	 * Run service code; exceptions become WP_CLI::error (exit 1).
	 *
	 * @template T
	 * @param callable():T $callback
	 * @return T
	 */
	protected function run( callable $callback ) {
		try {
			return $callback();
		} catch ( \Throwable $e ) {
			\WP_CLI::error( $e->getMessage() );
		}
		return null; // Not reached.
	}

	/**
	 * Print a list with \WP_CLI\Formatter; format ids / count handled here.
	 *
	 * @param list<array<string,mixed>> $items
	 * @param list<string>              $default_fields
	 * @param array<string,mixed>       $assoc_args
	 */
	protected function display_items( array $items, array $default_fields, array $assoc_args, string $id_key = 'id' ): void {
		$format = $assoc_args['format'] ?? 'table';
		if ( 'ids' === $format ) {
			echo implode( ' ', array_map( static fn( $i ) => (string) $i[ $id_key ], $items ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
			return;
		}
		if ( 'count' === $format ) {
			echo count( $items ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
			return;
		}
		if ( in_array( $format, array( 'table', 'csv' ), true ) ) {
			$items = array_map( array( $this, 'flatten' ), $items );
		}
		$formatter = new \WP_CLI\Formatter( $assoc_args, $default_fields );
		$formatter->display_items( $items );
	}

	/**
	 * @param array<string,mixed> $item
	 * @param array<string,mixed> $assoc_args
	 */
	protected function display_item( array $item, array $assoc_args ): void {
		$format = $assoc_args['format'] ?? 'table';
		if ( in_array( $format, array( 'table', 'csv' ), true ) ) {
			$item = $this->flatten( $item );
		}
		$formatter = new \WP_CLI\Formatter( $assoc_args, array_keys( $item ) );
		$formatter->display_item( $item );
	}

	/**
	 * Lists => "a,b", maps => JSON, booleans => true/false, timestamps kept.
	 *
	 * @param array<string,mixed> $item
	 * @return array<string,mixed>
	 */
	protected function flatten( array $item ): array {
		foreach ( $item as $key => $value ) {
			if ( is_bool( $value ) ) {
				$item[ $key ] = $value ? 'true' : 'false';
			} elseif ( is_array( $value ) ) {
				$item[ $key ] = array_is_list( $value ) && array_filter( $value, 'is_scalar' ) === $value
					? implode( ',', $value )
					: (string) wp_json_encode( $value );
			}
		}
		return $item;
	}

	/**
	 * @return array<string,mixed>|null
	 */
	protected function payload_arg( ?string $json ): ?array {
		if ( null === $json || '' === $json ) {
			return null;
		}
		if ( '-' === $json ) {
			$json = (string) file_get_contents( 'php://stdin' );
		}
		return \Umw\Service\Events::decode_payload( $json );
	}
}
