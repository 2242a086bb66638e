<?php
/**
 * Network Admin → Webhooks → Dashboard (page umw-dashboard, &webhook_id=N for one webhook,
 * &days=1|7|30): attempts per hour (per day for 30 days) by outcome, success rate, p50/p95 — the
 * numbers of `wp umw stats` and GET /umw/v1/stats. Elements: #umw-dashboard, .umw-kpi[data-kpi],
 * svg.umw-chart-attempts, svg.umw-chart-latency, table#umw-dashboard-webhooks.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Stats;
use Umw\Service\Time;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DashboardPage {

	/** Ranges offered: days => bucket. */
	public const RANGES = array(
		1  => 'hour',
		7  => 'hour',
		30 => 'day',
	);

	/** Webhooks listed in the network view's table. */
	private const TABLE_LIMIT = 50;

	public static function load(): void {
		if ( Plugin::current_user_can() ) {
			Help::dashboard( get_current_screen() );
		}
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			Admin::forbid();
		}
		$webhook_id = absint( Actions::request( 'webhook_id' ) ) ?: null;
		$days       = absint( Actions::request( 'days', '7' ) );
		$days       = isset( self::RANGES[ $days ] ) ? $days : 7;
		$service    = new Webhooks();
		echo '<div class="wrap umw-wrap" id="umw-dashboard">';
		printf( '<h1 class="wp-heading-inline">%s</h1> ', esc_html__( 'Webhooks Dashboard', 'umw' ) );
		printf( '<a href="%s" class="page-title-action">%s</a>', esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, $webhook_id ? array( 'webhook_id' => $webhook_id ) : array() ) ), esc_html__( 'Deliveries', 'umw' ) );
		echo '<hr class="wp-header-end" />';
		Notices::render();
		try {
			$hooks = $service->list();
			$hook  = $webhook_id ? $service->get( $webhook_id ) : null;
			$stats = ( new Stats() )->get( $webhook_id, $days, self::RANGES[ $days ] );
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error inline"><p>%s</p></div></div>', esc_html( $e->getMessage() ) );
			return;
		}
		self::render_controls( $hooks, $webhook_id, $days );
		$scope = $hook ? sprintf( '"%s"', (string) $hook['name'] ) : __( 'the whole network', 'umw' );
		printf(
			'<p class="umw-period">%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: webhook name or "the whole network", 2: start, 3: end */
					__( 'Delivery attempts to %1$s from %2$s to %3$s (test sends left out).', 'umw' ),
					$scope,
					Time::format( $stats['since'] ),
					Time::format( $stats['until'] )
				)
			)
		);
		self::render_kpis( $stats['totals'] );
		$unit = 'hour' === self::RANGES[ $days ] ? __( 'per hour', 'umw' ) : __( 'per day', 'umw' );
		/* translators: %s: "per hour" or "per day" */
		printf( '<div class="umw-card umw-chart-card"><h2>%s</h2>', esc_html( sprintf( __( 'Attempts %s', 'umw' ), $unit ) ) );
		self::render_legend( array( 'umw-bar-delivered' => __( 'Delivered', 'umw' ), 'umw-bar-retrying' => __( 'Failed, will retry', 'umw' ), 'umw-bar-failed' => __( 'Failed for good', 'umw' ) ) );
		echo Chart::attempts( $stats['buckets'], (int) $stats['bucket_seconds'], self::summary( $stats['totals'] ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts.
		echo '</div>';
		/* translators: %s: "per hour" or "per day" */
		printf( '<div class="umw-card umw-chart-card"><h2>%s</h2>', esc_html( sprintf( __( 'Response time %s', 'umw' ), $unit ) ) );
		self::render_legend( array( 'umw-line-p50' => __( 'p50 (median)', 'umw' ), 'umw-line-p95' => 'p95' ) );
		echo Chart::latency( $stats['buckets'], (int) $stats['bucket_seconds'], __( 'Response time, p50 and p95', 'umw' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts.
		echo '</div>';
		if ( ! $hook ) {
			self::render_webhooks_table( $hooks, $days );
			SystemCard::render();
		}
		echo '</div>';
	}

	/**
	 * @param list<array<string,mixed>> $hooks
	 */
	private static function render_controls( array $hooks, ?int $webhook_id, int $days ): void {
		printf( '<form method="get" class="umw-dashboard-controls" id="umw-dashboard-controls"><input type="hidden" name="page" value="%s" />', esc_attr( Admin::PAGE_DASHBOARD ) );
		echo '<label for="umw-dashboard-webhook">' . esc_html__( 'Show', 'umw' ) . '</label> <select name="webhook_id" id="umw-dashboard-webhook"><option value="">' . esc_html__( 'All webhooks (network)', 'umw' ) . '</option>';
		foreach ( $hooks as $hook ) {
			printf( '<option value="%1$d" %2$s>%3$s</option>', (int) $hook['id'], selected( $webhook_id, (int) $hook['id'], false ), esc_html( (string) $hook['name'] ) );
		}
		echo '</select> <label for="umw-dashboard-days" class="screen-reader-text">' . esc_html__( 'Period', 'umw' ) . '</label><select name="days" id="umw-dashboard-days">';
		foreach ( array( 1 => __( 'Last 24 hours', 'umw' ), 7 => __( 'Last 7 days', 'umw' ), 30 => __( 'Last 30 days', 'umw' ) ) as $value => $label ) {
			printf( '<option value="%1$d" %2$s>%3$s</option>', (int) $value, selected( $days, $value, false ), esc_html( $label ) );
		}
		echo '</select> ';
		submit_button( __( 'Show', 'umw' ), 'secondary', '', false );
		echo '</form>';
	}

	/**
	 * @param array<string,mixed> $totals
	 */
	private static function render_kpis( array $totals ): void {
		$kpis = array(
			'success_rate' => array( __( 'Success rate', 'umw' ), Stats::format_rate( $totals['success_rate'] ) ),
			'delivered'    => array( __( 'Delivered', 'umw' ), number_format_i18n( (int) $totals['delivered'] ) ),
			'retrying'     => array( __( 'Failed, will retry', 'umw' ), number_format_i18n( (int) $totals['retrying'] ) ),
			'failed'       => array( __( 'Failed for good', 'umw' ), number_format_i18n( (int) $totals['failed'] ) ),
			'p50_ms'       => array( __( 'p50 response', 'umw' ), Stats::format_ms( $totals['p50_ms'] ) ),
			'p95_ms'       => array( __( 'p95 response', 'umw' ), Stats::format_ms( $totals['p95_ms'] ) ),
		);
		echo '<ul class="umw-kpis">';
		foreach ( $kpis as $key => list( $label, $value ) ) {
			printf( '<li class="umw-kpi umw-kpi-%1$s" data-kpi="%1$s"><span class="umw-kpi-value">%2$s</span><span class="umw-kpi-label">%3$s</span></li>', esc_attr( $key ), esc_html( $value ), esc_html( $label ) );
		}
		echo '</ul>';
	}

	/**
	 * @param array<string,string> $items CSS class => label
	 */
	private static function render_legend( array $items ): void {
		echo '<ul class="umw-legend">';
		foreach ( $items as $class => $label ) {
			printf( '<li><span class="umw-swatch %1$s"></span>%2$s</li>', esc_attr( $class ), esc_html( $label ) );
		}
		echo '</ul>';
	}

	/**
	 * @param list<array<string,mixed>> $hooks
	 */
	private static function render_webhooks_table( array $hooks, int $days ): void {
		if ( ! $hooks ) {
			return;
		}
		echo '<h2>' . esc_html__( 'By webhook', 'umw' ) . '</h2><table class="widefat striped" id="umw-dashboard-webhooks"><thead><tr>';
		foreach ( array( __( 'Webhook', 'umw' ), __( 'Status', 'umw' ), __( 'Attempts', 'umw' ), __( 'Success rate', 'umw' ), 'p50', 'p95' ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		$stats = new Stats();
		foreach ( array_slice( $hooks, 0, self::TABLE_LIMIT ) as $hook ) {
			$totals = $stats->get( (int) $hook['id'], $days, self::RANGES[ $days ] )['totals'];
			printf(
				'<tr data-webhook-id="%1$d"><td><a href="%2$s">%3$s</a></td><td>%4$s</td><td>%5$s</td><td class="umw-rate">%6$s</td><td>%7$s</td><td>%8$s</td></tr>',
				(int) $hook['id'],
				esc_url( Admin::page_url( Admin::PAGE_DASHBOARD, array( 'webhook_id' => (int) $hook['id'], 'days' => $days ) ) ),
				esc_html( (string) $hook['name'] ),
				esc_html( Labels::webhook_status( Webhooks::status_of( $hook ) ) ),
				esc_html( number_format_i18n( (int) $totals['attempts'] ) ),
				esc_html( Stats::format_rate( $totals['success_rate'] ) ),
				esc_html( Stats::format_ms( $totals['p50_ms'] ) ),
				esc_html( Stats::format_ms( $totals['p95_ms'] ) )
			);
		}
		echo '</tbody></table>';
	}

	/**
	 * @param array<string,mixed> $totals
	 */
	private static function summary( array $totals ): string {
		return sprintf(
			/* translators: 1: delivered, 2: retrying, 3: failed, 4: success rate */
			__( 'Attempts: %1$d delivered, %2$d failed and retried, %3$d failed for good; success rate %4$s.', 'umw' ),
			(int) $totals['delivered'],
			(int) $totals['retrying'],
			(int) $totals['failed'],
			Stats::format_rate( $totals['success_rate'] )
		);
	}
}
