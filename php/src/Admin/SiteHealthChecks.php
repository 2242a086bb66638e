<?php
/**
 * The umw Site Health tests. Each returns core's result shape: label, status (good /
 * recommended / critical), badge, description, actions, test.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Engine;
use Umw\Service\Queue;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class SiteHealthChecks {

	public static function extension(): array {
		return self::result(
			'umw_extension',
			'good',
			/* translators: %s: version */
			sprintf( __( 'The umw extension is loaded (version %s)', 'umw' ), Engine::version() ),
			__( 'Webhooks are delivered by the native umw PHP extension: events are queued durably and sent in the background.', 'umw' )
		);
	}

	public static function store(): array {
		$store    = (array) ( umw_stats()['store'] ?? array() );
		$location = (string) ( $store['location'] ?? '' );
		if ( ! preg_match( '#^[a-z]+://#i', $location ) ) {
			$dir = dirname( $location );
			if ( ! is_dir( $dir ) || ! wp_is_writable( $dir ) || ( file_exists( $location ) && ! wp_is_writable( $location ) ) ) {
				return self::result(
					'umw_store',
					'critical',
					__( 'The umw store is not writable', 'umw' ),
					/* translators: %s: path */
					sprintf( __( 'PHP cannot write %s: events cannot be queued, so they are refused. Make the directory writable by the PHP user, or point umw.store (php.ini) elsewhere.', 'umw' ), $location )
				);
			}
			if ( str_starts_with( wp_normalize_path( (string) realpath( $dir ) ) . '/', wp_normalize_path( ABSPATH ) ) ) {
				return self::result(
					'umw_store',
					'critical',
					__( 'The umw store lies inside the WordPress directory', 'umw' ),
					/* translators: %s: path */
					sprintf( __( '%s is where the web server may hand it out to anyone, and it holds payloads and signing secrets. Move umw.store (php.ini) outside the document root.', 'umw' ), $location )
				);
			}
		}
		if ( empty( $store['private'] ) || ! empty( $store['warnings'] ) ) {
			return self::result(
				'umw_store',
				'recommended',
				__( 'Other users on the server may read the umw store', 'umw' ),
				/* translators: %s: the extension's findings */
				sprintf( __( 'The store holds payloads and signing secrets. The extension found: %s. Restrict the directory and file to the PHP user (e.g. chmod 700 / 600).', 'umw' ), implode( '; ', array_map( 'strval', (array) ( $store['warnings'] ?? array() ) ) ) )
			);
		}
		return self::result(
			'umw_store',
			'good',
			__( 'The umw store is writable and private', 'umw' ),
			/* translators: %s: path or database */
			sprintf( __( 'Queued deliveries and the log are kept in %s, outside the web root, readable by PHP only.', 'umw' ), $location )
		);
	}

	public static function backlog(): array {
		$status = ( new Queue() )->status();
		$age    = $status['oldest_backlog_at'] ? time() - (int) $status['oldest_backlog_at'] : 0;
		$link   = array( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'status' => 'retrying' ) ), __( 'See deliveries waiting for a retry', 'umw' ) );
		if ( ! $status['backlog'] || $age < SiteHealth::SLOW_AGE ) {
			return self::result(
				'umw_backlog',
				'good',
				__( 'Webhook deliveries are keeping up', 'umw' ),
				/* translators: %d: number of deliveries */
				sprintf( _n( '%d delivery is waiting to be sent.', '%d deliveries are waiting to be sent.', (int) $status['backlog'], 'umw' ), (int) $status['backlog'] )
			);
		}
		return self::result(
			'umw_backlog',
			$age >= SiteHealth::CRITICAL_AGE ? 'critical' : 'recommended',
			/* translators: 1: number of deliveries, 2: age */
			sprintf( __( '%1$d webhook deliveries are waiting, the oldest for %2$s', 'umw' ), (int) $status['backlog'], human_time_diff( time() - $age ) ),
			__( 'Endpoints that are down keep their deliveries in the queue until a retry succeeds. If most waiting deliveries belong to one webhook, its endpoint is the problem; if all are waiting, no process is delivering (see the delivery worker test).', 'umw' ),
			$link
		);
	}

	public static function webhooks(): array {
		$all      = ( new Webhooks() )->list();
		$disabled = array_filter( $all, static fn( $w ) => 'disabled' === Webhooks::status_of( $w ) );
		$failing  = array_filter( $all, static fn( $w ) => 'active' === Webhooks::status_of( $w ) && in_array( (string) ( $w['last_status'] ?? '' ), array( 'failed', 'retrying' ), true ) );
		if ( $disabled ) {
			return self::result(
				'umw_webhooks',
				'critical',
				/* translators: %d: number of webhooks */
				sprintf( _n( '%d webhook was disabled', '%d webhooks were disabled', count( $disabled ), 'umw' ), count( $disabled ) ),
				/* translators: %s: webhook names */
				sprintf( __( 'umw stopped sending events to %s after its endpoint answered 410 Gone or kept failing. Fix the endpoint, re-enable the webhook, and replay what failed.', 'umw' ), implode( ', ', array_map( static fn( $w ) => '"' . $w['name'] . '"', $disabled ) ) ),
				array( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'status' => 'disabled' ) ), __( 'Review disabled webhooks', 'umw' ) )
			);
		}
		if ( $failing ) {
			return self::result(
				'umw_webhooks',
				'recommended',
				/* translators: %d: number of webhooks */
				sprintf( _n( 'The last delivery of %d webhook failed', 'The last delivery of %d webhooks failed', count( $failing ), 'umw' ), count( $failing ) ),
				/* translators: %s: webhook names */
				sprintf( __( 'Failing now: %s. Deliveries are retried; the Deliveries screen shows each attempt\'s answer.', 'umw' ), implode( ', ', array_map( static fn( $w ) => '"' . $w['name'] . '"', $failing ) ) ),
				array( Admin::page_url( Admin::PAGE_DASHBOARD ), __( 'Open the Webhooks dashboard', 'umw' ) )
			);
		}
		return self::result(
			'umw_webhooks',
			'good',
			__( 'No webhook is failing or disabled', 'umw' ),
			/* translators: %d: number of webhooks */
			sprintf( _n( '%d webhook, all healthy.', '%d webhooks, all healthy.', count( $all ), 'umw' ), count( $all ) )
		);
	}

	public static function worker(): array {
		$stats    = umw_stats();
		$delivery = (array) ( $stats['delivery'] ?? array() );
		if ( 'agent' === ( $delivery['mode'] ?? '' ) ) {
			$agent = (array) ( $delivery['agent'] ?? array() );
			$beat  = isset( $agent['last_heartbeat'] ) ? (int) $agent['last_heartbeat'] : 0;
			if ( empty( $agent['alive'] ) ) {
				return self::result(
					'umw_worker',
					'critical',
					__( 'The umw delivery agent is not running', 'umw' ),
					/* translators: %s: time of last heartbeat */
					sprintf( __( 'umw.delivery=agent leaves deliveries to the umw-agent service of each web server, and this one has not reported since %s. Meanwhile each PHP-FPM worker falls back to delivering itself (after umw.agent_fallback_seconds), which costs the requests it serves. Start it: systemctl enable --now umw-agent.', 'umw' ), $beat ? Admin::format_time( $beat ) : __( 'ever', 'umw' ) )
				);
			}
			return self::result(
				'umw_worker',
				'good',
				__( 'The umw delivery agent is running', 'umw' ),
				/* translators: 1: host, 2: pid, 3: time */
				sprintf( __( 'Agent on %1$s (pid %2$s), last heartbeat %3$s.', 'umw' ), (string) ( $agent['host'] ?? '?' ), (string) ( $agent['pid'] ?? '?' ), Admin::ago( $beat ) )
			);
		}
		if ( 'running' !== (string) ( $stats['runtime'] ?? 'running' ) ) {
			return self::result(
				'umw_worker',
				'critical',
				__( 'The umw delivery runtime is not running', 'umw' ),
				/* translators: %s: runtime state */
				sprintf( __( 'The extension reports its runtime as "%s" in this PHP process. Check the PHP error log for umw messages.', 'umw' ), (string) ( $stats['runtime'] ?? '' ) )
			);
		}
		return self::result(
			'umw_worker',
			'good',
			__( 'Deliveries run inside the PHP processes', 'umw' ),
			__( 'Every PHP-FPM worker that runs WordPress also delivers in the background (embedded mode). On hosts where PHP only runs while requests come in, schedule `wp umw queue work --seconds=55` every minute so retries go out in quiet hours too.', 'umw' )
		);
	}

	/**
	 * @param array{0:string,1:string}|null $action URL and link text
	 * @return array<string,mixed>
	 */
	private static function result( string $test, string $status, string $label, string $description, ?array $action = null ): array {
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'Webhooks', 'umw' ),
				'color' => 'good' === $status ? 'blue' : ( 'critical' === $status ? 'red' : 'orange' ),
			),
			'description' => '<p>' . esc_html( $description ) . '</p>',
			'actions'     => $action ? sprintf( '<p><a href="%s">%s</a></p>', esc_url( $action[0] ), esc_html( $action[1] ) ) : '',
			'test'        => $test,
		);
	}
}
