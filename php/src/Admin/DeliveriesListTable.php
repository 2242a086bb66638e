<?php
/**
 * Deliveries list (WP_List_Table). Paging uses limit/offset (umw_deliveries has no total):
 * one extra row is fetched to know whether there is a next page.
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\WP_List_Table', false ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

final class DeliveriesListTable extends \WP_List_Table {

	public const PER_PAGE = 25;

	/** @var array<int,string> webhook id => name */
	private array $names;
	private bool $has_more;
	private int $page;

	/**
	 * @param list<array<string,mixed>> $rows     at most PER_PAGE + 1 rows
	 * @param array<int,string>         $names    webhook names
	 */
	public function __construct( array $rows, array $names, int $page ) {
		parent::__construct(
			array(
				'singular' => 'delivery',
				'plural'   => 'deliveries',
				'ajax'     => false,
			)
		);
		$this->has_more = count( $rows ) > self::PER_PAGE;
		$this->items    = array_slice( $rows, 0, self::PER_PAGE );
		$this->names    = $names;
		$this->page     = max( 1, $page );
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
	}

	public function no_items() {
		esc_html_e( 'No deliveries found.', 'umw' );
	}

	protected function column_id( $item ) {
		$id  = (string) $item['id'];
		$out = sprintf(
			'<strong><a class="row-title" href="%s"><code>%s</code></a></strong>',
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'delivery' => $id ) ) ),
			esc_html( $id )
		);
		if ( ! empty( $item['is_test'] ) ) {
			$out .= ' <span class="umw-badge">' . esc_html__( 'test', 'umw' ) . '</span>';
		}
		return $out . $this->row_actions(
			array(
				'view' => sprintf( '<a href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'delivery' => $id ) ) ), esc_html__( 'Details', 'umw' ) ),
			)
		);
	}

	protected function column_event( $item ) {
		return '<code>' . esc_html( (string) $item['event'] ) . '</code>';
	}

	protected function column_webhook( $item ) {
		$wid = (int) $item['webhook_id'];
		return sprintf(
			'<a href="%s">%s</a>',
			esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $wid ) ) ),
			esc_html( $this->names[ $wid ] ?? '#' . $wid )
		);
	}

	protected function column_status( $item ) {
		return DeliveryView::status_badge( (string) $item['status'] );
	}

	protected function column_attempts( $item ) {
		return (string) count( (array) ( $item['attempts'] ?? array() ) );
	}

	protected function column_last( $item ) {
		$attempts = (array) ( $item['attempts'] ?? array() );
		if ( ! empty( $item['in_flight'] ) ) {
			return esc_html__( 'sending now', 'umw' );
		}
		if ( ! $attempts ) {
			return ! empty( $item['next_attempt_at'] )
				/* translators: %s: date */
				? esc_html( sprintf( __( 'due %s', 'umw' ), Admin::format_time( (int) $item['next_attempt_at'] ) ) )
				: '—';
		}
		$last = end( $attempts );
		$text = isset( $last['status_code'] ) ? 'HTTP ' . (int) $last['status_code'] : (string) ( $last['error'] ?? '' );
		return sprintf(
			'%s<br /><small title="%s">%s · %d ms</small>',
			esc_html( $text ),
			esc_attr( Admin::format_time( (float) $last['time'] ) ),
			esc_html( Admin::ago( (float) $last['time'] ) ),
			(int) round( (float) ( $last['duration_ms'] ?? 0 ) )
		);
	}

	protected function column_created( $item ) {
		return esc_html( Admin::format_time( (int) $item['created_at'] ) );
	}

	protected function column_default( $item, $column_name ) {
		return '';
	}

	/**
	 * Newer / Older links instead of numbered pages.
	 *
	 * @param string $which top|bottom
	 */
	protected function pagination( $which ) {
		$links = array();
		if ( $this->page > 1 ) {
			$links[] = sprintf( '<a class="button" href="%s">&laquo; %s</a>', esc_url( add_query_arg( 'paged', $this->page - 1 ) ), esc_html__( 'Newer', 'umw' ) );
		}
		if ( $this->has_more ) {
			$links[] = sprintf( '<a class="button umw-next-page" href="%s">%s &raquo;</a>', esc_url( add_query_arg( 'paged', $this->page + 1 ) ), esc_html__( 'Older', 'umw' ) );
		}
		if ( $links ) {
			/* translators: %d: page number */
			echo '<div class="tablenav-pages"><span class="displaying-num">' . esc_html( sprintf( __( 'Page %d', 'umw' ), $this->page ) ) . '</span> ' . implode( ' ', $links ) . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
		}
	}
}
