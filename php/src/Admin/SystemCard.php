<?php
/**
 * The dashboard's "Delivery system" card: which store umw uses and its health, how deliveries are
 * made (each PHP worker, or the host's agent) and whether the agent is alive.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Store;

defined( 'ABSPATH' ) || exit;

final class SystemCard {

	public static function render(): void {
		$stats    = umw_stats();
		$store    = ( new Store() )->status();
		$delivery = (array) ( $stats['delivery'] ?? array() );
		$rows     = array(
			__( 'Store', 'umw' )  => sprintf(
				/* translators: 1: sqlite or mysql, 2: path or URL without password, 3: schema version */
				__( '%1$s — %2$s (schema %3$d)', 'umw' ),
				'mysql' === $store['backend'] ? 'MySQL/MariaDB' : 'SQLite',
				$store['location'],
				$store['schema_version']
			),
			__( 'Health', 'umw' ) => $store['warnings']
				/* translators: %s: the extension's findings */
				? sprintf( __( 'Warnings: %s', 'umw' ), implode( '; ', $store['warnings'] ) )
				: __( 'Writable and private', 'umw' ),
		);
		$rows[ __( 'Delivery', 'umw' ) ] = self::delivery_line( $delivery );
		$spool                           = (array) ( $delivery['spool'] ?? array() );
		/* translators: 1: directory, 2: number of segment files, 3: bytes waiting */
		$rows[ __( 'Spool', 'umw' ) ] = sprintf( __( '%1$s: %2$d segments, %3$s waiting', 'umw' ), (string) ( $spool['dir'] ?? '' ), (int) ( $spool['segments'] ?? 0 ), size_format( (int) ( $spool['bytes'] ?? 0 ) ) ?: '0 B' );
		echo '<div class="umw-card" id="umw-system"><h2>' . esc_html__( 'Delivery system', 'umw' ) . '</h2><table class="widefat striped"><tbody>';
		foreach ( $rows as $label => $value ) {
			printf( '<tr><th scope="row">%s</th><td>%s</td></tr>', esc_html( $label ), esc_html( $value ) );
		}
		echo '</tbody></table></div>';
	}

	/**
	 * @param array<string,mixed> $delivery umw_stats()['delivery']
	 */
	private static function delivery_line( array $delivery ): string {
		if ( 'agent' !== ( $delivery['mode'] ?? 'embedded' ) ) {
			return __( 'Embedded: every PHP worker delivers in the background.', 'umw' );
		}
		$agent = (array) ( $delivery['agent'] ?? array() );
		if ( ! empty( $agent['alive'] ) ) {
			$line = sprintf(
				/* translators: 1: host, 2: pid, 3: time since heartbeat, 4: bytes waiting */
				__( 'Agent on %1$s (pid %2$s), heartbeat %3$s ago, %4$s waiting in the spool.', 'umw' ),
				(string) ( $agent['host'] ?? '?' ),
				(string) ( $agent['pid'] ?? '?' ),
				human_time_diff( (int) ( $agent['last_heartbeat'] ?? time() ), time() ),
				size_format( (int) ( $agent['backlog_bytes'] ?? 0 ) ) ?: '0 B'
			);
		} else {
			$line = __( 'Agent mode, but no agent is alive on this web server: workers deliver themselves until it runs (systemctl enable --now umw-agent).', 'umw' );
		}
		if ( ! empty( $delivery['fallback'] ) ) {
			/* translators: %s: why this PHP process delivers itself */
			$line .= ' ' . sprintf( __( 'This PHP process delivers itself: %s.', 'umw' ), (string) $delivery['fallback'] );
		}
		return $line;
	}
}
