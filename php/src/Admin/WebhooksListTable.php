<?php
/**
 * The webhooks list (WP_List_Table). Columns: name, url, events, active, deliveries,
 * last_delivery, id. Row actions: edit, test, deliveries, delete (+ activate/re-enable).
 * Bulk: activate, deactivate, delete (checkbox name webhook[], nonce bulk-webhooks).
 *
 * @package Umw
 */

namespace Umw\Admin;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\WP_List_Table', false ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

final class WebhooksListTable extends \WP_List_Table {

	public const PER_PAGE = 20;

	/** @var list<array<string,mixed>> */
	private array $webhooks;

	/**
	 * @param list<array<string,mixed>> $webhooks already filtered by search
	 */
	public function __construct( array $webhooks, array $args = array() ) {
		parent::__construct(
			array_merge(
				array(
					'singular' => 'webhook',
					'plural'   => 'webhooks',
					'ajax'     => false,
				),
				$args
			)
		);
		$this->webhooks = $webhooks;
	}

	public function get_columns() {
		return array(
			'cb'            => '<input type="checkbox" />',
			'name'          => __( 'Name', 'umw' ),
			'url'           => __( 'URL', 'umw' ),
			'events'        => __( 'Events', 'umw' ),
			'active'        => __( 'Active', 'umw' ),
			'deliveries'    => __( 'Deliveries (delivered / failed)', 'umw' ),
			'last_delivery' => __( 'Last delivery', 'umw' ),
			'id'            => __( 'ID', 'umw' ),
		);
	}

	protected function get_sortable_columns() {
		return array();
	}

	protected function get_bulk_actions() {
		return array(
			'activate'   => __( 'Activate', 'umw' ),
			'deactivate' => __( 'Deactivate', 'umw' ),
			'delete'     => __( 'Delete', 'umw' ),
		);
	}

	public function prepare_items() {
		$this->_column_headers = array( $this->get_columns(), array(), array(), 'name' );
		$total                 = count( $this->webhooks );
		$page                  = max( 1, $this->get_pagenum() );
		$this->items           = array_slice( $this->webhooks, ( $page - 1 ) * self::PER_PAGE, self::PER_PAGE );
		$this->set_pagination_args(
			array(
				'total_items' => $total,
				'per_page'    => self::PER_PAGE,
				'total_pages' => (int) ceil( $total / self::PER_PAGE ),
			)
		);
	}

	public function no_items() {
		esc_html_e( 'No webhooks yet.', 'umw' );
	}

	protected function column_cb( $item ) {
		return sprintf(
			'<label class="screen-reader-text" for="umw-cb-%1$d">%2$s</label><input type="checkbox" id="umw-cb-%1$d" name="webhook[]" value="%1$d" />',
			(int) $item['id'],
			/* translators: %s: webhook name */
			esc_html( sprintf( __( 'Select %s', 'umw' ), (string) $item['name'] ) )
		);
	}

	protected function column_name( $item ) {
		$id   = (int) $item['id'];
		$edit = Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) );
		$out  = sprintf( '<strong><a class="row-title" href="%s">%s</a></strong>', esc_url( $edit ), esc_html( (string) $item['name'] ) );
		return $out . $this->row_actions( $this->actions_for( $item ) );
	}

	/**
	 * @param array<string,mixed> $item
	 * @return array<string,string>
	 */
	private function actions_for( array $item ): array {
		$id      = (int) $item['id'];
		$actions = array(
			'edit'       => sprintf( '<a href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) ) ), esc_html__( 'Edit', 'umw' ) ),
			'test'       => sprintf( '<a href="%s">%s</a>', esc_url( Admin::action_url( Actions::TEST, Actions::TEST . '_' . $id, array( 'id' => $id ) ) ), esc_html__( 'Send Test Event', 'umw' ) ),
			'deliveries' => sprintf( '<a href="%s">%s</a>', esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => $id ) ) ), esc_html__( 'Deliveries', 'umw' ) ),
		);
		if ( ! empty( $item['disabled_at'] ) || empty( $item['active'] ) ) {
			$actions['activate'] = sprintf(
				'<a href="%s">%s</a>',
				esc_url( Admin::action_url( Actions::SET_ACTIVE, Actions::SET_ACTIVE . '_' . $id, array( 'id' => $id, 'active' => 1 ) ) ),
				! empty( $item['disabled_at'] ) ? esc_html__( 'Re-enable', 'umw' ) : esc_html__( 'Activate', 'umw' )
			);
		}
		$actions['delete'] = sprintf(
			'<a class="submitdelete" href="%s" onclick="return confirm(%s);">%s</a>',
			esc_url( Admin::action_url( Actions::DELETE, Actions::DELETE . '_' . $id, array( 'id' => $id ) ) ),
			esc_attr( (string) wp_json_encode( __( 'Delete this webhook? Its pending deliveries will not be sent.', 'umw' ) ) ),
			esc_html__( 'Delete', 'umw' )
		);
		return $actions;
	}

	protected function column_url( $item ) {
		return '<code>' . esc_html( (string) $item['url'] ) . '</code>';
	}

	protected function column_events( $item ) {
		$events = (array) ( $item['events'] ?? array() );
		if ( array( '*' ) === $events ) {
			return esc_html__( 'All events (*)', 'umw' );
		}
		return implode( ', ', array_map( static fn( $e ) => '<code>' . esc_html( (string) $e ) . '</code>', $events ) );
	}

	protected function column_active( $item ) {
		if ( ! empty( $item['disabled_at'] ) ) {
			return sprintf(
				'<span class="umw-disabled" style="color:#d63638"><strong>%s</strong><br />%s<br /><small>%s</small></span>',
				esc_html__( 'Disabled', 'umw' ),
				esc_html( (string) ( $item['disabled_reason'] ?? '' ) ),
				esc_html( Admin::format_time( (int) $item['disabled_at'] ) )
			);
		}
		return ! empty( $item['active'] )
			? '<span class="umw-active" style="color:#00a32a">' . esc_html__( 'Yes', 'umw' ) . '</span>'
			: '<span class="umw-inactive">' . esc_html__( 'No', 'umw' ) . '</span>';
	}

	protected function column_deliveries( $item ) {
		return sprintf(
			'<a href="%s"><span class="umw-delivered">%d</span> / <span class="umw-failed">%d</span></a>',
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => (int) $item['id'] ) ) ),
			(int) ( $item['delivered_count'] ?? 0 ),
			(int) ( $item['failed_count'] ?? 0 )
		);
	}

	protected function column_last_delivery( $item ) {
		if ( empty( $item['last_delivery_at'] ) ) {
			return '—';
		}
		$status = (string) ( $item['last_status'] ?? '' );
		if ( ! empty( $item['last_status_code'] ) ) {
			$status .= ' (HTTP ' . (int) $item['last_status_code'] . ')';
		}
		return sprintf(
			'%s<br /><span title="%s">%s</span>',
			esc_html( $status ),
			esc_attr( Admin::format_time( (int) $item['last_delivery_at'] ) ),
			esc_html( Admin::ago( (int) $item['last_delivery_at'] ) )
		);
	}

	protected function column_id( $item ) {
		return (string) (int) $item['id'];
	}

	protected function column_default( $item, $column_name ) {
		return isset( $item[ $column_name ] ) && is_scalar( $item[ $column_name ] ) ? esc_html( (string) $item[ $column_name ] ) : '';
	}
}
