<?php
/**
 * The webhooks list (WP_List_Table): views All / Active / Inactive / Disabled with counts,
 * sortable Name / URL / Last delivery / ID, per-page screen option, row actions (Edit, Send Test
 * Event, Deliveries, Dashboard, Activate / Deactivate / Re-enable, Delete), bulk Activate /
 * Deactivate / Delete (checkbox name webhook[], nonce bulk-webhooks; delete confirmed in the browser).
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Service\Deliveries;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\WP_List_Table', false ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

final class WebhooksListTable extends \WP_List_Table {

	public const PER_PAGE = 20;

	private Webhooks $service;
	private string $search;
	/** @var array<string,int> */
	private array $view_counts = array();
	/** @var array<int,array{delivered:int,failed:int}> */
	private array $outcomes = array();

	public function __construct( Webhooks $service, string $search = '' ) {
		parent::__construct(
			array(
				'singular' => 'webhook',
				'plural'   => 'webhooks',
				'ajax'     => false,
				'screen'   => get_current_screen() ?? 'umw-webhooks',
			)
		);
		$this->service = $service;
		$this->search  = $search;
	}

	public function current_view(): string {
		$view = sanitize_key( Actions::request( 'status', 'all' ) );
		return in_array( $view, Webhooks::VIEWS, true ) ? $view : 'all';
	}

	/**
	 * No webhook on the network at all (not just none in this view or search).
	 */
	public function is_empty_network(): bool {
		return 0 === ( $this->view_counts['all'] ?? 0 );
	}

	public function get_columns() {
		return array(
			'cb'            => '<input type="checkbox" />',
			'name'          => __( 'Name', 'umw' ),
			'url'           => __( 'URL', 'umw' ),
			'events'        => __( 'Events', 'umw' ),
			'status'        => __( 'Status', 'umw' ),
			'deliveries'    => __( 'Deliveries delivered / failed', 'umw' ),
			'last_delivery' => __( 'Last delivery', 'umw' ),
			'id'            => __( 'ID', 'umw' ),
		);
	}

	protected function get_sortable_columns() {
		return array(
			'name'          => array( 'name', false ),
			'url'           => array( 'url', false ),
			'last_delivery' => array( 'last_delivery_at', true ),
			'id'            => array( 'id', false ),
		);
	}

	protected function get_views() {
		$current = $this->current_view();
		$views   = array();
		foreach ( Webhooks::VIEWS as $view ) {
			$count = $this->view_counts[ $view ] ?? 0;
			if ( 'all' !== $view && 0 === $count ) {
				continue;
			}
			$views[ $view ] = sprintf(
				'<a href="%1$s"%2$s>%3$s <span class="count">(%4$s)</span></a>',
				esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, 'all' === $view ? array() : array( 'status' => $view ) ) ),
				$current === $view ? ' class="current" aria-current="page"' : '',
				esc_html( Labels::webhook_status( $view ) ),
				esc_html( number_format_i18n( $count ) )
			);
		}
		return $views;
	}

	protected function get_bulk_actions() {
		return array(
			'activate'   => __( 'Activate', 'umw' ),
			'deactivate' => __( 'Deactivate', 'umw' ),
			'delete'     => __( 'Delete', 'umw' ),
		);
	}

	public function prepare_items() {
		$this->_column_headers = array( $this->get_columns(), array(), $this->get_sortable_columns(), 'name' );
		$this->view_counts     = $this->service->view_counts();
		$orderby               = sanitize_key( Actions::request( 'orderby', 'id' ) );
		$order                 = 'desc' === strtolower( Actions::request( 'order', 'asc' ) ) ? 'desc' : 'asc';
		try {
			$all = $this->service->list( array( 'status' => $this->current_view() ), $this->search, $orderby, $order );
		} catch ( \Throwable $e ) {
			Actions::fail( $e );
			$all = array();
		}
		$per_page       = $this->get_items_per_page( Admin::OPTION_WEBHOOKS_PER_PAGE, self::PER_PAGE );
		$page           = max( 1, $this->get_pagenum() );
		$this->items    = array_slice( $all, ( $page - 1 ) * $per_page, $per_page );
		$this->outcomes = ( new Deliveries() )->outcome_counts( array_map( static fn( $w ) => (int) $w['id'], $this->items ) );
		$this->set_pagination_args(
			array(
				'total_items' => count( $all ),
				'per_page'    => $per_page,
				'total_pages' => (int) ceil( count( $all ) / $per_page ),
			)
		);
	}

	public function no_items() {
		if ( '' !== $this->search ) {
			/* translators: %s: search query */
			echo esc_html( sprintf( __( 'No webhooks match "%s".', 'umw' ), $this->search ) );
			return;
		}
		/* translators: %s: view name, e.g. "Disabled" */
		echo esc_html( sprintf( __( 'No webhooks in "%s".', 'umw' ), Labels::webhook_status( $this->current_view() ) ) );
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
		return sprintf( '<strong><a class="row-title" href="%s">%s</a></strong>', esc_url( $edit ), esc_html( (string) $item['name'] ) );
	}

	protected function handle_row_actions( $item, $column_name, $primary ) {
		return $column_name === $primary ? $this->row_actions( $this->actions_for( $item ) ) : '';
	}

	/**
	 * @param array<string,mixed> $item
	 * @return array<string,string>
	 */
	private function actions_for( array $item ): array {
		$id      = (int) $item['id'];
		$status  = Webhooks::status_of( $item );
		$link    = static fn( string $url, string $label, string $extra = '' ) => sprintf( '<a href="%s"%s>%s</a>', esc_url( $url ), $extra, esc_html( $label ) );
		$toggle  = static fn( int $active ) => Admin::action_url( Actions::SET_ACTIVE, Actions::SET_ACTIVE . '_' . $id, array( 'id' => $id, 'active' => $active ) );
		$actions = array(
			'edit'       => $link( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'edit', 'id' => $id ) ), __( 'Edit', 'umw' ) ),
			'test'       => $link( Admin::action_url( Actions::TEST, Actions::TEST . '_' . $id, array( 'id' => $id ) ), __( 'Send Test Event', 'umw' ), ' class="umw-test-link"' ),
			'deliveries' => $link( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => $id ) ), __( 'Deliveries', 'umw' ) ),
			'dashboard'  => $link( Admin::page_url( Admin::PAGE_DASHBOARD, array( 'webhook_id' => $id ) ), __( 'Dashboard', 'umw' ) ),
		);
		if ( 'active' === $status ) {
			$actions['deactivate'] = $link( $toggle( 0 ), __( 'Deactivate', 'umw' ) );
		} else {
			$actions['activate'] = $link( $toggle( 1 ), 'disabled' === $status ? __( 'Re-enable', 'umw' ) : __( 'Activate', 'umw' ) );
		}
		$logged            = array_sum( $this->outcomes[ $id ] ?? array() );
		$actions['delete'] = sprintf(
			'<a class="submitdelete umw-confirm" href="%s" data-confirm="%s">%s</a>',
			esc_url( Admin::action_url( Actions::DELETE, Actions::DELETE . '_' . $id, array( 'id' => $id ) ) ),
			esc_attr(
				sprintf(
					/* translators: 1: webhook name, 2: number of logged deliveries */
					__( 'Delete "%1$s"? Its delivery log (%2$s delivered or failed deliveries and any pending ones) is deleted with it and cannot be restored.', 'umw' ),
					(string) $item['name'],
					number_format_i18n( $logged )
				)
			),
			esc_html__( 'Delete', 'umw' )
		);
		return $actions;
	}

	protected function column_url( $item ) {
		return '<span class="umw-url">' . esc_html( (string) $item['url'] ) . '</span>';
	}

	protected function column_events( $item ) {
		$events = (array) ( $item['events'] ?? array() );
		if ( array( '*' ) === $events ) {
			return esc_html__( 'All events', 'umw' );
		}
		return implode( ', ', array_map( static fn( $e ) => '<code>' . esc_html( (string) $e ) . '</code>', $events ) );
	}

	protected function column_status( $item ) {
		$status = Webhooks::status_of( $item );
		$html   = sprintf( '<span class="umw-webhook-status umw-webhook-%1$s">%2$s</span>', esc_attr( $status ), esc_html( Labels::webhook_status( $status ) ) );
		if ( 'disabled' === $status ) {
			$html .= sprintf(
				'<br /><small class="umw-disabled-reason">%s</small><br /><small>%s</small>',
				esc_html( (string) ( $item['disabled_reason'] ?? '' ) ),
				Admin::time_html( (int) $item['disabled_at'] ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside.
			);
		}
		return $html;
	}

	protected function column_deliveries( $item ) {
		$id     = (int) $item['id'];
		$counts = $this->outcomes[ $id ] ?? array( 'delivered' => 0, 'failed' => 0 );
		return sprintf(
			'<a class="umw-delivered" href="%1$s" title="%2$s">%3$s</a> / <a class="umw-failed" href="%4$s" title="%5$s">%6$s</a>',
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => $id, 'status' => 'delivered' ) ) ),
			esc_attr__( 'Deliveries that arrived', 'umw' ),
			esc_html( number_format_i18n( $counts['delivered'] ) ),
			esc_url( Admin::page_url( Admin::PAGE_DELIVERIES, array( 'webhook_id' => $id, 'status' => 'failed' ) ) ),
			esc_attr__( 'Deliveries that failed for good (all retries used)', 'umw' ),
			esc_html( number_format_i18n( $counts['failed'] ) )
		);
	}

	protected function column_last_delivery( $item ) {
		if ( empty( $item['last_delivery_at'] ) ) {
			return '—';
		}
		$status = Labels::delivery_status( (string) ( $item['last_status'] ?? '' ) );
		if ( ! empty( $item['last_status_code'] ) ) {
			$status .= ' (' . Labels::http_status( (int) $item['last_status_code'] ) . ')';
		}
		return esc_html( $status ) . '<br />' . Admin::time_html( (int) $item['last_delivery_at'] );
	}

	protected function column_id( $item ) {
		return (string) (int) $item['id'];
	}

	protected function column_default( $item, $column_name ) {
		return isset( $item[ $column_name ] ) && is_scalar( $item[ $column_name ] ) ? esc_html( (string) $item[ $column_name ] ) : '';
	}
}
