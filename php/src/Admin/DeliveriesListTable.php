<?php
/**
 * Deliveries list (WP_List_Table): status views with counts, the webhook / event filters in the
 * table nav, numbered pages over the total (umw_count_deliveries), per-page screen option.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Deliveries;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\WP_List_Table', false ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

final class DeliveriesListTable extends \WP_List_Table {

	public const PER_PAGE = 25;

	/** @var array<int,string> webhook id => name */
	private array $names;
	/** @var list<string> */
	private array $events;
	/** @var array{webhook_id:int,event:string,status:string} */
	private array $filter;
	/** @var array<string,int> */
	private array $counts = array();

	/**
	 * @param array<int,string> $names  webhook names
	 * @param list<string>      $events event names to suggest in the filter
	 */
	public function __construct( array $names, array $events ) {
		parent::__construct(
			array(
				'singular' => 'delivery',
				'plural'   => 'deliveries',
				'ajax'     => false,
				'screen'   => get_current_screen() ?? 'umw-deliveries',
			)
		);
		$this->names  = $names;
		$this->events = $events;
		$status       = sanitize_key( Actions::request( 'status' ) );
		$this->filter = array(
			'webhook_id' => absint( Actions::request( 'webhook_id' ) ),
			'event'      => sanitize_text_field( Actions::request( 'event' ) ),
			'status'     => in_array( $status, Deliveries::statuses(), true ) ? $status : '',
		);
	}

	/**
	 * @return array{webhook_id:int,event:string,status:string}
	 */
	public function filter(): array {
		return $this->filter;
	}

	public function get_columns() {
		return array(
			'id'       => __( 'Delivery', 'umw' ),
			'event'    => __( 'Event', 'umw' ),
			'webhook'  => __( 'Webhook', 'umw' ),
			'status'   => __( 'Status', 'umw' ),
			'attempts' => __( 'Attempts', 'umw' ),
			'last'     => __( 'Last attempt', 'umw' ),
			'created'  => __( 'Created', 'umw' ),
		);
	}

	public function prepare_items() {
		$this->_column_headers = array( $this->get_columns(), array(), array(), 'id' );
		$service               = new Deliveries();
		$per_page              = $this->get_items_per_page( Admin::OPTION_DELIVERIES_PER_PAGE, self::PER_PAGE );
		$page                  = max( 1, $this->get_pagenum() );
		$total                 = 0;
		$this->items           = array();
		try {
			$this->counts = $service->status_counts( $this->filter );
			$total        = '' === $this->filter['status'] ? $this->counts['all'] : (int) $this->counts[ $this->filter['status'] ];
			$this->items  = $service->list( $this->filter + array( 'limit' => $per_page, 'offset' => ( $page - 1 ) * $per_page ) );
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( $e->getMessage() ) );
		}
		$this->set_pagination_args(
			array(
				'total_items' => $total,
				'per_page'    => $per_page,
				'total_pages' => (int) ceil( $total / $per_page ),
			)
		);
	}

	protected function get_views() {
		$views = array();
		$base  = array_filter(
			array(
				'webhook_id' => $this->filter['webhook_id'],
				'event'      => $this->filter['event'],
			)
		);
		foreach ( array_merge( array( '' ), Deliveries::statuses() ) as $status ) {
			$count = (int) ( $this->counts[ '' === $status ? 'all' : $status ] ?? 0 );
			if ( '' !== $status && 0 === $count ) {
				continue;
			}
			$views[ '' === $status ? 'all' : $status ] = sprintf(
				'<a href="%1$s"%2$s>%3$s <span class="count">(%4$s)</span></a>',
				esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, $base + ( '' === $status ? array() : array( 'status' => $status ) ) ) ),
				$this->filter['status'] === $status ? ' class="current" aria-current="page"' : '',
				esc_html( '' === $status ? _x( 'All', 'deliveries view', 'umw' ) : Labels::delivery_status( $status ) ),
				esc_html( number_format_i18n( $count ) )
			);
		}
		return $views;
	}

	/**
	 * The filters, where WordPress puts them: in the table nav above the list.
	 *
	 * @param string $which top|bottom
	 */
	protected function extra_tablenav( $which ) {
		if ( 'top' !== $which ) {
			return;
		}
		echo '<div class="alignleft actions umw-filters">';
		echo '<label for="umw-filter-webhook" class="screen-reader-text">' . esc_html__( 'Filter by webhook', 'umw' ) . '</label>';
		echo '<select name="webhook_id" id="umw-filter-webhook"><option value="">' . esc_html__( 'All webhooks', 'umw' ) . '</option>';
		foreach ( $this->names as $id => $name ) {
			printf( '<option value="%1$d" %2$s>%3$s</option>', (int) $id, selected( $this->filter['webhook_id'], $id, false ), esc_html( $name ) );
		}
		echo '</select>';
		echo '<label for="umw-filter-event" class="screen-reader-text">' . esc_html__( 'Filter by event', 'umw' ) . '</label>';
		printf(
			'<input type="search" name="event" id="umw-filter-event" list="umw-event-names" value="%1$s" placeholder="%2$s" />',
			esc_attr( $this->filter['event'] ),
			esc_attr__( 'All events', 'umw' )
		);
		echo '<datalist id="umw-event-names">';
		foreach ( $this->events as $event ) {
			printf( '<option value="%s"></option>', esc_attr( $event ) );
		}
		echo '</datalist>';
		submit_button( __( 'Filter', 'umw' ), '', 'filter_action', false, array( 'id' => 'umw-filter-submit' ) );
		if ( $this->filter['webhook_id'] || '' !== $this->filter['event'] ) {
			printf( ' <a class="button-link" href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_DELIVERIES ) ), esc_html__( 'Clear filters', 'umw' ) );
		}
		echo '</div>';
	}

	public function no_items() {
		if ( $this->filter['webhook_id'] || '' !== $this->filter['event'] || '' !== $this->filter['status'] ) {
			esc_html_e( 'No deliveries match these filters.', 'umw' );
			return;
		}
		esc_html_e( 'No deliveries yet. They appear here as soon as an event is sent to a webhook — try Send Test Event on a webhook.', 'umw' );
	}

	protected function column_id( $item ) {
		$id  = (string) $item['id'];
		$url = Admin::page_url( Admin::PAGE_DELIVERIES, array( 'delivery' => $id ) );
		$out = sprintf( '<strong><a class="row-title" href="%s"><code>%s</code></a></strong>', esc_url( $url ), esc_html( $id ) );
		if ( ! empty( $item['is_test'] ) ) {
			$out .= ' ' . Labels::test_badge();
		}
		return $out;
	}

	protected function handle_row_actions( $item, $column_name, $primary ) {
		if ( $column_name !== $primary ) {
			return '';
		}
		$url = Admin::page_url( Admin::PAGE_DELIVERIES, array( 'delivery' => (string) $item['id'] ) );
		return $this->row_actions( array( 'view' => sprintf( '<a href="%s">%s</a>', esc_url( $url ), esc_html__( 'Details', 'umw' ) ) ) );
	}

	protected function column_event( $item ) {
		return '<code>' . esc_html( (string) $item['event'] ) . '</code>';
	}

	protected function column_webhook( $item ) {
		$wid = (int) $item['webhook_id'];
		if ( ! isset( $this->names[ $wid ] ) ) {
			/* translators: %d: webhook id */
			return esc_html( sprintf( __( 'Webhook #%d', 'umw' ), $wid ) );
		}
		return sprintf( '<a href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $wid ) ) ), esc_html( $this->names[ $wid ] ) );
	}

	protected function column_status( $item ) {
		return Labels::delivery_badge( (string) $item['status'] );
	}

	protected function column_attempts( $item ) {
		return esc_html( number_format_i18n( count( (array) ( $item['attempts'] ?? array() ) ) ) );
	}

	protected function column_last( $item ) {
		if ( ! empty( $item['in_flight'] ) ) {
			return esc_html__( 'sending now', 'umw' );
		}
		$last = Deliveries::last_attempt( $item );
		if ( ! $last ) {
			return ! empty( $item['next_attempt_at'] )
				/* translators: %s: relative time */
				? esc_html( sprintf( __( 'first attempt due %s', 'umw' ), Admin::ago( (int) $item['next_attempt_at'] ) ) )
				: '—';
		}
		$outcome = isset( $last['status_code'] ) ? Labels::http_status( (int) $last['status_code'] ) : \Umw\Service\Messages::translate( (string) ( $last['error'] ?? '' ) );
		return sprintf(
			'%1$s <small>· %2$s ms</small><br />%3$s',
			esc_html( $outcome ),
			esc_html( number_format_i18n( (float) ( $last['duration_ms'] ?? 0 ), 0 ) ),
			Admin::time_html( (float) $last['time'] ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside.
		);
	}

	protected function column_created( $item ) {
		return esc_html( Admin::format_time( (int) $item['created_at'] ) );
	}

	protected function column_default( $item, $column_name ) {
		return '';
	}
}
