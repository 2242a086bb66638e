<?php
/**
 * Network Admin → Webhooks → Deliveries (page slug umw-deliveries).
 * GET filters: webhook_id, event, status, paged. Detail: &delivery=dlv_… (DeliveryView).
 * Replay form (#umw-replay-form): admin-post action umw_replay, nonce umw_replay,
 * fields webhook_id, since (datetime-local, UTC).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Deliveries;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class DeliveriesPage {

	public static function load(): void {
		// Nothing to process: every action posts to admin-post.php.
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ), '', array( 'response' => 403 ) );
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

		$filter = array(
			'webhook_id' => absint( Actions::request( 'webhook_id' ) ),
			'event'      => sanitize_text_field( Actions::request( 'event' ) ),
			'status'     => sanitize_key( Actions::request( 'status' ) ),
		);
		$page  = max( 1, absint( Actions::request( 'paged', '1' ) ) );
		$names = array();
		try {
			foreach ( ( new Webhooks() )->list() as $hook ) {
				$names[ (int) $hook['id'] ] = (string) $hook['name'];
			}
		} catch ( \Throwable $e ) {
			$names = array();
		}
		self::render_filters( $filter, $names );

		$rows = array();
		try {
			$rows = ( new Deliveries() )->list(
				array_merge(
					$filter,
					array(
						'limit'  => DeliveriesListTable::PER_PAGE + 1,
						'offset' => ( $page - 1 ) * DeliveriesListTable::PER_PAGE,
					)
				)
			);
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( $e->getMessage() ) );
		}
		$table = new DeliveriesListTable( $rows, $names, $page );
		$table->prepare_items();
		$table->display();

		self::render_replay_form( $filter['webhook_id'], $names );
		echo '</div>';
	}

	/**
	 * @param array{webhook_id:int,event:string,status:string} $filter
	 * @param array<int,string>                                $names
	 */
	private static function render_filters( array $filter, array $names ): void {
		echo '<form method="get" id="umw-deliveries-filter" class="umw-filters" style="margin:1em 0">';
		printf( '<input type="hidden" name="page" value="%s" />', esc_attr( Admin::PAGE_DELIVERIES ) );
		echo '<label for="umw-filter-webhook" class="screen-reader-text">' . esc_html__( 'Webhook', 'umw' ) . '</label>';
		echo '<select name="webhook_id" id="umw-filter-webhook"><option value="">' . esc_html__( 'All webhooks', 'umw' ) . '</option>';
		foreach ( $names as $id => $name ) {
			printf( '<option value="%1$d" %2$s>%3$s</option>', (int) $id, selected( $filter['webhook_id'], $id, false ), esc_html( $name . ' (#' . $id . ')' ) );
		}
		echo '</select> ';
		echo '<label for="umw-filter-event" class="screen-reader-text">' . esc_html__( 'Event', 'umw' ) . '</label>';
		echo '<select name="event" id="umw-filter-event"><option value="">' . esc_html__( 'All events', 'umw' ) . '</option>';
		try {
			$types = array_keys( ( new \Umw\Service\Events() )->types() );
		} catch ( \Throwable $e ) {
			$types = array();
		}
		foreach ( $types as $event ) {
			printf( '<option value="%1$s" %2$s>%1$s</option>', esc_attr( (string) $event ), selected( $filter['event'], $event, false ) );
		}
		echo '</select> ';
		echo '<label for="umw-filter-status" class="screen-reader-text">' . esc_html__( 'Status', 'umw' ) . '</label>';
		echo '<select name="status" id="umw-filter-status"><option value="">' . esc_html__( 'All statuses', 'umw' ) . '</option>';
		foreach ( Deliveries::STATUSES as $status ) {
			printf( '<option value="%1$s" %2$s>%1$s</option>', esc_attr( $status ), selected( $filter['status'], $status, false ) );
		}
		echo '</select> ';
		submit_button( __( 'Filter', 'umw' ), 'secondary', '', false );
		echo '</form>';
	}

	/**
	 * @param array<int,string> $names
	 */
	private static function render_replay_form( int $webhook_id, array $names ): void {
		if ( ! $names ) {
			return;
		}
		echo '<div class="card" id="umw-replay"><h2>' . esc_html__( 'Replay failed deliveries', 'umw' ) . '</h2>';
		printf( '<form method="post" id="umw-replay-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" />', esc_attr( Actions::REPLAY ) );
		wp_nonce_field( Actions::REPLAY );
		echo '<label for="umw-replay-webhook">' . esc_html__( 'Webhook', 'umw' ) . '</label> <select name="webhook_id" id="umw-replay-webhook">';
		foreach ( $names as $id => $name ) {
			printf( '<option value="%1$d" %2$s>%3$s</option>', (int) $id, selected( $webhook_id, $id, false ), esc_html( $name . ' (#' . $id . ')' ) );
		}
		echo '</select> ';
		printf(
			'<label for="umw-replay-since">%s</label> <input type="datetime-local" name="since" id="umw-replay-since" value="%s" required /> <small>UTC</small> ',
			esc_html__( 'Failed since', 'umw' ),
			esc_attr( gmdate( 'Y-m-d\TH:i', time() - DAY_IN_SECONDS ) )
		);
		submit_button( __( 'Replay', 'umw' ), 'secondary', 'submit', false );
		echo '</form></div>';
	}
}
