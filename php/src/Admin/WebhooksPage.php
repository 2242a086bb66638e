<?php
/**
 * Network Admin → Webhooks (page slug umw-webhooks): list, add (&action=new), edit (&action=edit&id=N).
 * Bulk actions are handled on load-{page} (nonce bulk-webhooks). Field names: see Actions::FIELD_*.
 *
 * Element ids: #umw-webhook-form, #umw-secret, #umw-test-result, #umw-test-form, #umw-rotate-form,
 * #umw-sample-preview (pre), #umw-preview-event (select), #umw-empty-state.
 *
 * @package Umw
 */

namespace Umw\Admin;

use Umw\Plugin;
use Umw\Service\Webhooks;

defined( 'ABSPATH' ) || exit;

final class WebhooksPage {

	public const BULK_NONCE = 'bulk-webhooks';

	/**
	 * load-{page}: screen options, help, and bulk actions (POST to the page itself) with PRG.
	 */
	public static function load(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		$action = sanitize_key( Actions::request( 'action' ) );
		if ( ! in_array( $action, array( 'new', 'edit' ), true ) ) {
			add_screen_option(
				'per_page',
				array(
					'label'   => __( 'Webhooks per page', 'umw' ),
					'default' => WebhooksListTable::PER_PAGE,
					'option'  => Admin::OPTION_WEBHOOKS_PER_PAGE,
				)
			);
		}
		Help::webhooks( get_current_screen(), $action );
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in bulk().
		if ( 'POST' === ( $_SERVER['REQUEST_METHOD'] ?? '' ) && ! empty( $_POST['_umw_bulk'] ) ) {
			self::bulk();
		}
	}

	/**
	 * @return never
	 */
	private static function bulk(): void {
		check_admin_referer( self::BULK_NONCE );
		$action = Actions::request( 'action' );
		if ( '' === $action || '-1' === $action ) {
			$action = Actions::request( 'action2' );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified above.
		$ids     = array_values( array_filter( array_map( 'absint', (array) wp_unslash( $_POST['webhook'] ?? array() ) ) ) );
		$service = new Webhooks();
		if ( ! in_array( $action, array( 'activate', 'deactivate', 'delete' ), true ) ) {
			Notices::error( __( 'Choose a bulk action (Activate, Deactivate or Delete) from the menu, then Apply.', 'umw' ) );
		} elseif ( ! $ids ) {
			Notices::warning( __( 'No webhooks selected: tick the boxes of the webhooks to change, then Apply.', 'umw' ) );
		} else {
			$done = array();
			foreach ( $ids as $id ) {
				try {
					$done[] = 'delete' === $action ? $service->delete( $id ) : $service->set_active( $id, 'activate' === $action );
				} catch ( \Throwable $e ) {
					Actions::fail( $e );
				}
			}
			if ( $done ) {
				Notices::success( self::bulk_message( $action, $done ) );
			}
		}
		wp_safe_redirect( wp_get_referer() ?: Admin::page_url( Admin::PAGE_WEBHOOKS ) );
		exit;
	}

	/**
	 * @param list<array<string,mixed>> $done
	 */
	private static function bulk_message( string $action, array $done ): string {
		$n = number_format_i18n( count( $done ) );
		if ( 'delete' === $action ) {
			return Actions::deleted_message( $done );
		}
		return 'activate' === $action
			/* translators: %s: number of webhooks */
			? sprintf( _n( '%s webhook activated.', '%s webhooks activated.', count( $done ), 'umw' ), $n )
			/* translators: %s: number of webhooks */
			: sprintf( _n( '%s webhook deactivated.', '%s webhooks deactivated.', count( $done ), 'umw' ), $n );
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			Admin::forbid();
		}
		$action = sanitize_key( Actions::request( 'action' ) );
		echo '<div class="wrap umw-wrap">';
		if ( 'new' === $action ) {
			WebhookForm::render( null );
		} elseif ( 'edit' === $action ) {
			self::render_edit( Actions::request( 'id' ) );
		} else {
			self::render_list();
		}
		echo '</div>';
	}

	private static function render_edit( string $id ): void {
		try {
			$hook = ( new Webhooks() )->get( \Umw\Service\Sanitizer::id( $id, __( 'webhook', 'umw' ) ) );
		} catch ( \Throwable $e ) {
			printf(
				'<h1 class="wp-heading-inline">%s</h1> <a href="%s" class="page-title-action">%s</a><hr class="wp-header-end" />',
				esc_html__( 'Edit Webhook', 'umw' ),
				esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ),
				esc_html__( 'Back to webhooks', 'umw' )
			);
			Notices::render();
			printf(
				'<div class="notice notice-error inline" id="umw-not-found"><p>%s</p><p>%s <a href="%s">%s</a></p></div>',
				esc_html( $e->getMessage() ),
				esc_html__( 'It may have been deleted.', 'umw' ),
				esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ),
				esc_html__( 'See all webhooks', 'umw' )
			);
			return;
		}
		WebhookForm::render( $hook );
	}

	private static function render_list(): void {
		$search = sanitize_text_field( Actions::request( 's' ) );
		printf( '<h1 class="wp-heading-inline">%s</h1> ', esc_html__( 'Webhooks', 'umw' ) );
		printf( '<a href="%s" class="page-title-action">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'new' ) ) ), esc_html__( 'Add New', 'umw' ) );
		if ( '' !== $search ) {
			/* translators: %s: search query */
			printf( '<span class="subtitle">%s</span>', esc_html( sprintf( __( 'Search results for: %s', 'umw' ), $search ) ) );
		}
		echo '<hr class="wp-header-end" />';
		Notices::render();
		TestResultView::render();

		$table = new WebhooksListTable( new Webhooks(), $search );
		$table->prepare_items();
		if ( $table->is_empty_network() ) {
			self::render_empty_state();
		} else {
			$table->views();
			echo '<form method="get" id="umw-search-form">';
			printf( '<input type="hidden" name="page" value="%s" />', esc_attr( Admin::PAGE_WEBHOOKS ) );
			printf( '<input type="hidden" name="status" value="%s" />', esc_attr( $table->current_view() ) );
			$table->search_box( __( 'Search webhooks', 'umw' ), 'umw-webhook-search' );
			echo '</form>';

			printf( '<form method="post" id="umw-webhooks-form" action="%s">', esc_url( remove_query_arg( array( 'paged' ) ) ) );
			echo '<input type="hidden" name="_umw_bulk" value="1" />';
			$table->display();
			echo '</form>';
		}

		/**
		 * After the webhooks list (e.g. the Ultimate Multisite import box).
		 */
		do_action( 'umw_webhooks_list_after' );
	}

	/**
	 * No webhook at all yet: say what a webhook is and how to make the first.
	 */
	private static function render_empty_state(): void {
		echo '<div class="umw-empty-state" id="umw-empty-state">';
		echo '<span class="dashicons dashicons-rss" aria-hidden="true"></span>';
		echo '<h2>' . esc_html__( 'No webhooks yet', 'umw' ) . '</h2>';
		echo '<p>' . esc_html__( 'A webhook sends a signed HTTP POST to a URL of yours whenever something happens on the network — a payment, a new site, a membership change — so other systems (a CRM, Zapier, your own app) learn about it within seconds.', 'umw' ) . '</p>';
		echo '<p>' . esc_html__( 'Deliveries are queued and retried when the endpoint is down, and every attempt is logged.', 'umw' ) . '</p>';
		printf( '<p><a class="button button-primary button-hero" href="%s">%s</a></p>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'new' ) ) ), esc_html__( 'Add your first webhook', 'umw' ) );
		echo '</div>';
	}
}
