<?php
/**
 * The store umw keeps webhooks and deliveries in: which one, its health, and copying it into
 * another (moving a network from SQLite to MySQL/MariaDB, or back). Shared by WP-CLI and admin.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Store {

	/**
	 * Backend, location (never with a password), schema version, health and counts.
	 *
	 * @return array{backend:string,location:string,schema_version:int,health:string,warnings:list<string>,webhooks:int,pending:int,retrying:int,delivered:int,failed:int,oldest_waiting:?int}
	 */
	public function status(): array {
		$stats    = umw_stats();
		$store    = $stats['store'];
		$counts   = $stats['store_counts'];
		$warnings = array_values( $store['warnings'] );
		return array(
			'backend'        => $store['backend'],
			'location'       => $store['location'],
			'schema_version' => (int) $store['schema_version'],
			'health'         => $warnings ? 'warnings' : 'ok',
			'warnings'       => $warnings,
			'webhooks'       => (int) $counts['webhooks'],
			'pending'        => (int) $counts['pending'],
			'retrying'       => (int) $counts['retrying'],
			'delivered'      => (int) $counts['delivered'],
			'failed'         => (int) $counts['failed'],
			'oldest_waiting' => $stats['backlog']['oldest_created_at'] ?? null,
		);
	}

	/**
	 * Copy one batch of the store in use into `$to`; call again with the returned cursor until done.
	 *
	 * @param string              $to      An absolute SQLite path, a mysql:// URL, env:NAME or file:/path.
	 * @param array<string,mixed> $options with_log, with_stats, batch, cursor.
	 * @return array<string,mixed> umw_store_copy()'s result.
	 */
	public function copy_step( string $to, array $options = array() ): array {
		// An empty or malformed $to gets the extension's own message (what is wrong, and an example).
		return umw_store_copy( trim( $to ), $options );
	}

	/**
	 * A store address fit to print: the password of a URL replaced by ***.
	 */
	public static function redact( string $to ): string {
		return (string) preg_replace( '#^([a-z][a-z0-9+.-]*://[^:/@?]*):[^@/?]*@#i', '$1:***@', trim( $to ) );
	}
}
