<?php
/**
 * An email to the network admin when umw disables a webhook (its endpoint answered 410 Gone, or
 * every delivery failed for umw.disable_after_hours), like Svix's operational events. The
 * extension disables in the background, so this looks for newly disabled webhooks on a WP-Cron
 * event every five minutes (and on network admin page loads), and mails once per disabling.
 *
 * Filters:
 *  - umw_notify_disabled_webhooks (bool, default true): send these emails at all.
 *  - umw_disabled_webhook_email (array{to,subject,message,headers}|false, $webhook): change the
 *    email, or return false to skip it.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class DisabledAlerts {

	public const CRON_HOOK = 'umw_check_disabled_webhooks';
	public const SCHEDULE  = 'umw_five_minutes';
	/** Network option: webhook id => the disabled_at already reported. */
	public const OPTION = 'umw_disabled_reported';

	public static function register(): void {
		add_action( self::CRON_HOOK, array( self::class, 'check' ) );
		add_filter( 'cron_schedules', array( self::class, 'schedules' ) ); // phpcs:ignore WordPress.WP.CronInterval -- five minutes on purpose.
		add_action( 'init', array( self::class, 'schedule' ) );
		add_action( 'load-index.php', array( self::class, 'check' ) );
	}

	/**
	 * @param array<string,array<string,mixed>> $schedules
	 * @return array<string,array<string,mixed>>
	 */
	public static function schedules( $schedules ): array {
		$schedules                   = (array) $schedules;
		$schedules[ self::SCHEDULE ] = array(
			'interval' => 5 * MINUTE_IN_SECONDS,
			'display'  => __( 'Every five minutes (umw)', 'umw' ),
		);
		return $schedules;
	}

	public static function schedule(): void {
		if ( is_main_site() && ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + MINUTE_IN_SECONDS, self::SCHEDULE, self::CRON_HOOK );
		}
	}

	/**
	 * Mail the network admin about every webhook disabled since the last look.
	 *
	 * @return int how many emails were sent
	 */
	public static function check(): int {
		$reported = get_site_option( self::OPTION, array() );
		$reported = is_array( $reported ) ? $reported : array();
		try {
			$disabled = ( new Webhooks() )->disabled();
		} catch ( \Throwable $e ) {
			return 0;
		}
		$now  = array();
		$sent = 0;
		foreach ( $disabled as $hook ) {
			$id         = (int) $hook['id'];
			$now[ $id ] = (int) $hook['disabled_at'];
			if ( ( $reported[ $id ] ?? null ) !== $now[ $id ] && self::notify( $hook ) ) {
				++$sent;
			}
		}
		if ( $now !== $reported ) {
			update_site_option( self::OPTION, $now );
		}
		return $sent;
	}

	/**
	 * @param array<string,mixed> $hook
	 */
	private static function notify( array $hook ): bool {
		if ( ! apply_filters( 'umw_notify_disabled_webhooks', true ) ) {
			return false;
		}
		$edit  = add_query_arg(
			array(
				'page'   => 'umw-webhooks',
				'action' => 'edit',
				'id'     => (int) $hook['id'],
			),
			network_admin_url( 'admin.php' )
		);
		$email = array(
			'to'      => (string) get_site_option( 'admin_email' ),
			/* translators: 1: network name, 2: webhook name */
			'subject' => sprintf( __( '[%1$s] Webhook "%2$s" was disabled', 'umw' ), get_network()->site_name ?? '', (string) $hook['name'] ),
			'message' => implode(
				"\n\n",
				array(
					sprintf(
						/* translators: 1: webhook name, 2: URL */
						__( 'umw stopped sending events to the webhook "%1$s" (%2$s).', 'umw' ),
						(string) $hook['name'],
						(string) $hook['url']
					),
					/* translators: 1: reason, 2: date */
					sprintf( __( 'Reason: %1$s (%2$s).', 'umw' ), (string) $hook['disabled_reason'], Time::format( (int) $hook['disabled_at'] ) ),
					__( 'Events that happen while it is disabled are not queued for it. Once the endpoint works again, re-enable the webhook, then replay the failed deliveries from the Deliveries screen if the receiver needs them.', 'umw' ),
					/* translators: %s: URL of the edit screen */
					sprintf( __( 'Review the webhook: %s', 'umw' ), $edit ),
				)
			),
			'headers' => array(),
		);
		$email = apply_filters( 'umw_disabled_webhook_email', $email, $hook );
		if ( ! is_array( $email ) || empty( $email['to'] ) ) {
			return false;
		}
		return (bool) wp_mail( $email['to'], (string) $email['subject'], (string) $email['message'], $email['headers'] ?? array() );
	}
}
