<?php
/**
 * Plain-language findings of a network's last sync, shared by the admin box, Site Health and WP-CLI.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Report {

	/**
	 * @param array<string,mixed> $problem one entry of left_to_um / ignored
	 */
	public static function reason( array $problem ): string {
		if ( SyncResult::IGNORED_NO_EVENT === $problem['reason'] ) {
			return __( 'No event: Ultimate Multisite never sends it, and neither does umw.', 'umw' );
		}
		/* translators: %s: why umw refused the webhook */
		return sprintf( __( 'umw cannot send it (%s); Ultimate Multisite\'s own inline sender still does.', 'umw' ), $problem['reason'] );
	}

	/**
	 * Lines worth a network admin's attention (empty when all is well).
	 *
	 * @param array<string,mixed> $status Status::get()
	 * @return list<string>
	 */
	public static function findings( array $status ): array {
		$out = array();
		if ( ! empty( $status['error'] ) ) {
			/* translators: %s: error */
			$out[] = sprintf( __( 'The last check failed: %s. Until it succeeds, Ultimate Multisite\'s events go to the webhooks umw already knows.', 'umw' ), $status['error'] );
		}
		foreach ( array_merge( $status['left_to_um'] ?? array(), $status['ignored'] ?? array() ) as $problem ) {
			/* translators: 1: UM webhook id, 2: name, 3: URL, 4: explanation */
			$out[] = sprintf( __( 'Ultimate Multisite webhook #%1$d "%2$s" (%3$s): %4$s', 'umw' ), $problem['um_id'], $problem['name'], $problem['url'], self::reason( $problem ) );
		}
		$inactive = count( $status['inactive_um_still_sent'] ?? array() );
		if ( $inactive ) {
			$out[] = sprintf(
				/* translators: %d: number of webhooks */
				_n( '%d Ultimate Multisite webhook is switched off. Ultimate Multisite 2.4.10 sent to it anyway (its sender ignores the Active switch); umw does not.', '%d Ultimate Multisite webhooks are switched off. Ultimate Multisite 2.4.10 sent to them anyway (its sender ignores the Active switch); umw does not.', $inactive, 'umw' ),
				$inactive
			);
		}
		$beyond = count( $status['beyond_um_page'] ?? array() );
		if ( $beyond ) {
			$out[] = sprintf(
				/* translators: %d: number of webhooks */
				_n( '%d active Ultimate Multisite webhook is older than its 100 newest, so Ultimate Multisite 2.4.10 never sent to it; umw does.', '%d active Ultimate Multisite webhooks are older than its 100 newest, so Ultimate Multisite 2.4.10 never sent to them; umw does.', $beyond, 'umw' ),
				$beyond
			);
		}
		return $out;
	}

	/**
	 * UM webhooks subscribed to an event nothing fires.
	 *
	 * @param array<int,array<string,mixed>> $rows UM rows
	 * @return list<string>
	 */
	public static function unfired_subscriptions( array $rows ): array {
		$events  = array_values( array_unique( array_filter( array_map( static fn( $r ) => (string) $r['event'], $rows ) ) ) );
		$unfired = Catalog::unfired( $events );
		$out     = array();
		foreach ( $rows as $row ) {
			if ( isset( $unfired[ $row['event'] ] ) ) {
				/* translators: 1: UM webhook id, 2: name, 3: event, 4: why */
				$out[] = sprintf( __( 'Ultimate Multisite webhook #%1$d "%2$s" listens to %3$s, which nothing fires: %4$s', 'umw' ), $row['id'], $row['name'], $row['event'], $unfired[ $row['event'] ] );
			}
		}
		return $out;
	}
}
