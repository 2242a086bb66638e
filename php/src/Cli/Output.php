<?php
/**
 * Shared WP-CLI helpers: exceptions => WP_CLI::error (exit 1), --format/--fields through
 * \WP_CLI\Formatter, ids typed on the command line, and batches that finish before they report
 * (as wp-cli's own CommandWithDBObject does).
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Sanitizer;
use Umw\Service\Time;

defined( 'ABSPATH' ) || exit;

trait Output {

	/**
	 * Run service code; exceptions become WP_CLI::error (message on STDERR, exit 1).
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
	 * A positional id ("7"), or WP_CLI::error saying what was typed.
	 */
	protected function id_arg( string $value, string $what ): int {
		return $this->run( fn() => Sanitizer::id( $value, $what ) );
	}

	/**
	 * Run $callback for every item, report each failure as a warning, then one summary line:
	 * "Success: Deactivated 3 of 3 webhooks." or "Error: Only deactivated 2 of 3 webhooks." (exit 1).
	 *
	 * @param list<string>            $items
	 * @param string                  $nouns    plural, e.g. "webhooks"
	 * @param string                  $done     past tense, e.g. "deactivated"
	 * @param callable(string):string $callback returns the line to print on success
	 */
	protected function batch( array $items, string $nouns, string $done, callable $callback ): void {
		$successes = 0;
		$failures  = 0;
		foreach ( $items as $item ) {
			try {
				\WP_CLI::log( $callback( (string) $item ) );
				++$successes;
			} catch ( \Throwable $e ) {
				\WP_CLI::warning( $e->getMessage() );
				++$failures;
			}
		}
		if ( ! $failures ) {
			\WP_CLI::success( sprintf( '%s %d of %d %s.', ucfirst( $done ), $successes, count( $items ), $nouns ) );
			return;
		}
		\WP_CLI::error( $successes ? sprintf( 'Only %s %d of %d %s.', $done, $successes, count( $items ), $nouns ) : sprintf( 'No %s %s.', $nouns, $done ) );
	}

	/**
	 * Print a list with \WP_CLI\Formatter. ids / count are handled by the Formatter too.
	 *
	 * @param list<array<string,mixed>> $items
	 * @param list<string>              $default_fields
	 * @param array<string,mixed>       $assoc_args
	 */
	protected function display_items( array $items, array $default_fields, array $assoc_args, string $id_key = 'id' ): void {
		$format = $assoc_args['format'] ?? 'table';
		if ( 'ids' === $format ) {
			\WP_CLI::line( implode( ' ', array_map( static fn( $i ) => (string) $i[ $id_key ], $items ) ) );
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
	 * For table/csv: lists => "a,b", maps => JSON, booleans => true/false, null => "".
	 *
	 * @param array<string,mixed> $item
	 * @return array<string,mixed>
	 */
	protected function flatten( array $item ): array {
		foreach ( $item as $key => $value ) {
			if ( is_bool( $value ) ) {
				$item[ $key ] = $value ? 'true' : 'false';
			} elseif ( null === $value ) {
				$item[ $key ] = '';
			} elseif ( is_array( $value ) ) {
				$item[ $key ] = array_is_list( $value ) && array_filter( $value, 'is_scalar' ) === $value
					? implode( ',', $value )
					: (string) wp_json_encode( $value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
			}
		}
		return $item;
	}

	/**
	 * Unix times => ISO 8601 in the site's time zone (the offset labels the zone).
	 *
	 * @param array<string,mixed> $item
	 * @param list<string>        $keys
	 * @return array<string,mixed>
	 */
	protected function iso_times( array $item, array $keys ): array {
		foreach ( $keys as $key ) {
			if ( array_key_exists( $key, $item ) ) {
				$item[ $key ] = Time::iso( $item[ $key ] );
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
		return $this->run( fn() => \Umw\Service\Events::decode_payload( $json ) );
	}
}
