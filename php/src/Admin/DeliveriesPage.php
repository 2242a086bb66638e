<?php
/**
 * Network Admin → Webhooks → Deliveries (page slug umw-deliveries).
 * Views: status (All / Pending / Delivered / Retrying / Failed with counts). Filters in the table
 * nav: webhook_id, event (any name: the catalog and every subscribed event are suggested). paged.
 * Detail: &delivery=dlv_… (DeliveryView).
 * Replay form (#umw-replay-form): admin-post action umw_replay, nonce umw_replay, fields webhook_id,
 * since (datetime-local, in the site's time zone).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Time;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DeliveriesPage {

	public static function load(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		if ( '' === Actions::request( 'delivery' ) ) {
			add_screen_option(
				'per_page',
				array(
					'label'   => __( 'Deliveries per page', 'umw' ),
					'default' => DeliveriesListTable::PER_PAGE,
					'option'  => Admin::OPTION_DELIVERIES_PER_PAGE,
				)
			);
		}
		Help::deliveries( get_current_screen() );
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			Admin::forbid();
		}
		echo '<div class="wrap umw-wrap">';
		$delivery = sanitize_text_field( Actions::request( 'delivery' ) );
		if ( '' !== $delivery ) {
			DeliveryView::render( $delivery );
			echo '</div>';
			return;
		}

		printf( '<h1 class="wp-heading-inline">%s</h1> ', esc_html__( 'Webhook Deliveries', 'umw' ) );
		printf( '<a href="%s" class="page-title-action">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ), esc_html__( 'Webhooks', 'umw' ) );
		echo '<hr class="wp-header-end" />';
		Notices::render();

		$names = array();
		$hooks = array();
		try {
			foreach ( ( new Webhooks() )->list() as $hook ) {
				$names[ (int) $hook['id'] ] = (string) $hook['name'];
				$hooks[]                    = $hook;
			}
		} catch ( \Throwable $e ) {
			Actions::fail( $e );
		}
		$table = new DeliveriesListTable( $names, self::event_suggestions( $hooks ) );
		$table->prepare_items();
		$table->views();
		echo '<form method="get" id="umw-deliveries-filter">';
		printf( '<input type="hidden" name="page" value="%s" />', esc_attr( Admin::PAGE_DELIVERIES ) );
		if ( '' !== $table->filter()['status'] ) {
			printf( '<input type="hidden" name="status" value="%s" />', esc_attr( $table->filter()['status'] ) );
		}
		$table->display();
		echo '</form>';

		self::render_replay_form( $table->filter()['webhook_id'], $hooks );
		echo '</div>';
	}

	/**
	 * Event names for the filter: the catalog, plus whatever the webhooks subscribe to.
	 *
	 * @param list<array<string,mixed>> $hooks
	 * @return list<string>
	 */
	private static function event_suggestions( array $hooks ): array {
		try {
			$events = array_keys( ( new \Umw\Service\Events() )->types() );
		} catch ( \Throwable $e ) {
			$events = array();
		}
		foreach ( $hooks as $hook ) {
			$events = array_merge( $events, array_diff( (array) $hook['events'], array( '*' ) ) );
		}
		$events = array_values( array_unique( array_map( 'strval', $events ) ) );
		sort( $events );
		return $events;
	}

	/**
	 * @param list<array<string,mixed>> $hooks
	 */
	private static function render_replay_form( int $webhook_id, array $hooks ): void {
		if ( ! $hooks ) {
			return;
		}
		echo '<div class="card umw-card" id="umw-replay"><h2>' . esc_html__( 'Replay failed deliveries', 'umw' ) . '</h2>';
		echo '<p>' . esc_html__( 'Queues again every delivery of a webhook that failed for good since a time — e.g. after fixing an endpoint that was down. Test sends are not replayed; the webhook must be active.', 'umw' ) . '</p>';
		printf( '<form method="post" id="umw-replay-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" />', esc_attr( Actions::REPLAY ) );
		wp_nonce_field( Actions::REPLAY );
		echo '<label for="umw-replay-webhook">' . esc_html__( 'Webhook', 'umw' ) . '</label> <select name="webhook_id" id="umw-replay-webhook">';
		foreach ( $hooks as $hook ) {
			$id     = (int) $hook['id'];
			$status = Webhooks::status_of( $hook );
			printf(
				'<option value="%1$d" %2$s %3$s>%4$s</option>',
				$id,
				selected( $webhook_id, $id, false ),
				disabled( 'active' !== $status, true, false ),
				esc_html( (string) $hook['name'] . ( 'active' === $status ? '' : ' — ' . Labels::webhook_status( $status ) ) )
			);
		}
		echo '</select> ';
		printf(
			'<label for="umw-replay-since">%1$s</label> <input type="datetime-local" name="since" id="umw-replay-since" value="%2$s" required /> <span class="umw-zone" id="umw-replay-zone">%3$s</span> ',
			esc_html__( 'Failed since', 'umw' ),
			esc_attr( Time::input_value( time() - DAY_IN_SECONDS ) ),
			esc_html( Time::zone_name() )
		);
		submit_button( __( 'Replay', 'umw' ), 'secondary', 'submit', false );
		echo '</form></div>';
	}
}
