<?php
/**
 * Help tabs (the "Help" pull-down) of the plugin's screens.
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

final class Help {

	public static function webhooks( ?\WP_Screen $screen, string $action ): void {
		if ( ! $screen ) {
			return;
		}
		$screen->add_help_tab(
			array(
				'id'      => 'umw-overview',
				'title'   => __( 'Overview', 'umw' ),
				'content' => self::paragraphs(
					__( 'A webhook sends a signed HTTP POST with a JSON body to a URL whenever one of its events happens anywhere on the network. Deliveries leave in the background: the page that caused the event does not wait for the endpoint.', 'umw' ),
					__( 'If the endpoint is down or answers with an error, the delivery is retried on a schedule (seconds, then minutes, then hours). Every attempt is logged under Deliveries.', 'umw' )
				),
			)
		);
		$screen->add_help_tab(
			array(
				'id'      => 'umw-statuses',
				'title'   => __( 'Statuses', 'umw' ),
				'content' => self::paragraphs(
					__( 'Active: receives its events. Inactive: switched off by you.', 'umw' ),
					__( 'Disabled: switched off by umw because the endpoint answered 410 Gone, or because every delivery failed for a long time (umw.disable_after_hours). The network admin gets an email. Fix the endpoint, use Re-enable, then replay what failed on the Deliveries screen.', 'umw' )
				),
			)
		);
		if ( 'new' === $action || 'edit' === $action ) {
			$screen->add_help_tab(
				array(
					'id'      => 'umw-form',
					'title'   => __( 'Adding and testing', 'umw' ),
					'content' => self::paragraphs(
						__( 'Choose the events the receiver needs, or All events. The sample payload shows exactly what the receiver gets, in the chosen format.', 'umw' ),
						__( 'After saving, copy the signing secret (shown once) to the receiver so it can verify the webhook-signature header, then use Send Test Event: it sends the sample now and shows the endpoint\'s real answer.', 'umw' ),
						__( 'Extra headers (e.g. Authorization) are sent with every delivery. Their values are never shown again: they appear as ••••••.', 'umw' )
					),
				)
			);
		}
		self::sidebar( $screen );
	}

	public static function deliveries( ?\WP_Screen $screen ): void {
		if ( ! $screen ) {
			return;
		}
		$screen->add_help_tab(
			array(
				'id'      => 'umw-deliveries',
				'title'   => __( 'Deliveries', 'umw' ),
				'content' => self::paragraphs(
					__( 'One row per event and webhook. Pending: waiting for its first attempt. Retrying: an attempt failed and another is scheduled. Delivered: the endpoint answered 2xx. Failed: every retry was used.', 'umw' ),
					__( 'Open a delivery to see each attempt: what was sent (URL, headers), and the endpoint\'s answer (status, headers, body). Resend queues it again now.', 'umw' ),
					__( 'Replay queues again all failed deliveries of a webhook since a time (read in the site\'s time zone), e.g. after an outage.', 'umw' )
				),
			)
		);
		self::sidebar( $screen );
	}

	public static function dashboard( ?\WP_Screen $screen ): void {
		if ( ! $screen ) {
			return;
		}
		$screen->add_help_tab(
			array(
				'id'      => 'umw-dashboard',
				'title'   => __( 'Reading the chart', 'umw' ),
				'content' => self::paragraphs(
					__( 'Each bar is one hour (or day): delivery attempts that succeeded (green), failed and will be retried (yellow), and failed for good (red). Test sends are left out.', 'umw' ),
					__( 'Success rate is delivered attempts among all attempts. p50 and p95: half of the attempts got an answer faster than p50, 95 % faster than p95.', 'umw' ),
					__( 'The same numbers: wp umw stats, and GET /wp-json/umw/v1/stats.', 'umw' )
				),
			)
		);
		self::sidebar( $screen );
	}

	private static function sidebar( \WP_Screen $screen ): void {
		$screen->set_help_sidebar(
			'<p><strong>' . esc_html__( 'For more information:', 'umw' ) . '</strong></p>'
			. '<p><a href="https://www.standardwebhooks.com/">' . esc_html__( 'Verifying signatures (Standard Webhooks)', 'umw' ) . '</a></p>'
			. '<p><a href="' . esc_url( get_admin_url( get_main_site_id(), 'site-health.php' ) ) . '">' . esc_html__( 'Site Health: umw checks', 'umw' ) . '</a></p>'
			. '<p>' . esc_html__( 'WP-CLI: wp help umw', 'umw' ) . '</p>'
		);
	}

	private static function paragraphs( string ...$texts ): string {
		return implode( '', array_map( static fn( $t ) => '<p>' . esc_html( $t ) . '</p>', $texts ) );
	}
}
