<?php
/**
 * Network Admin → Webhooks (page slug umw-webhooks): list, add (&action=new), edit (&action=edit&id=N).
 * Bulk actions are handled on load-{page} (nonce bulk-webhooks). Field names: see Actions::FIELD_*.
 *
 * Element ids: #umw-webhook-form, #umw-secret, #umw-test-result, #umw-test-form, #umw-rotate-form,
 * #umw-import-form, #umw-sample-preview (pre), #umw-preview-event (select).
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
	 * load-{page}: bulk actions (POST to the page itself) with PRG.
	 */
	public static function load(): void {
		if ( ! Plugin::current_user_can() ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified below.
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) || empty( $_POST['webhook'] ) && empty( $_POST['_umw_bulk'] ) ) {
			return;
		}
		check_admin_referer( self::BULK_NONCE );
		$action = Actions::request( 'action' );
		if ( '' === $action || '-1' === $action ) {
			$action = Actions::request( 'action2' );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified above.
		$ids     = array_filter( array_map( 'absint', (array) wp_unslash( $_POST['webhook'] ?? array() ) ) );
		$service = new Webhooks();
		$done    = 0;
		if ( ! in_array( $action, array( 'activate', 'deactivate', 'delete' ), true ) ) {
			Notices::error( __( 'Choose a bulk action.', 'umw' ) );
		} else {
			foreach ( $ids as $id ) {
				try {
					if ( 'delete' === $action ) {
						$service->delete( $id );
					} else {
						$service->set_active( $id, 'activate' === $action );
					}
					++$done;
				} catch ( \Throwable $e ) {
					Actions::fail( $e );
				}
			}
			/* translators: %d: number of webhooks */
			Notices::success( sprintf( _n( '%d webhook updated.', '%d webhooks updated.', $done, 'umw' ), $done ) );
		}
		wp_safe_redirect( Admin::page_url( Admin::PAGE_WEBHOOKS ) );
		exit;
	}

	public static function render(): void {
		if ( ! Plugin::current_user_can() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage webhooks.', 'umw' ), '', array( 'response' => 403 ) );
		}
		$action = sanitize_key( Actions::request( 'action' ) );
		echo '<div class="wrap umw-wrap">';
		if ( 'new' === $action ) {
			WebhookForm::render( null );
		} elseif ( 'edit' === $action ) {
			$id = absint( Actions::request( 'id' ) );
			try {
				$hook = ( new Webhooks() )->get( $id );
			} catch ( \Throwable $e ) {
				Notices::render();
				printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( $e->getMessage() ) );
				echo '</div>';
				return;
			}
			WebhookForm::render( $hook );
		} else {
			self::render_list();
		}
		echo '</div>';
	}

	private static function render_list(): void {
		$search = sanitize_text_field( Actions::request( 's' ) );
		printf( '<h1 class="wp-heading-inline">%s</h1> ', esc_html__( 'Webhooks', 'umw' ) );
		printf( '<a href="%s" class="page-title-action">%s</a>', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS, array( 'action' => 'new' ) ) ), esc_html__( 'Add New', 'umw' ) );
		printf( ' <a href="%s" class="page-title-action">%s</a>', esc_url( Admin::page_url( Admin::PAGE_DELIVERIES ) ), esc_html__( 'Deliveries', 'umw' ) );
		echo '<hr class="wp-header-end" />';
		Notices::render();
		TestResultView::render();

		try {
			$webhooks = ( new Webhooks() )->list( array(), $search );
		} catch ( \Throwable $e ) {
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( $e->getMessage() ) );
			$webhooks = array();
		}
		$table = new WebhooksListTable( $webhooks );
		$table->prepare_items();

		echo '<form method="get" id="umw-search-form">';
		printf( '<input type="hidden" name="page" value="%s" />', esc_attr( Admin::PAGE_WEBHOOKS ) );
		$table->search_box( __( 'Search webhooks', 'umw' ), 'umw-webhook-search' );
		echo '</form>';

		printf( '<form method="post" id="umw-webhooks-form" action="%s">', esc_url( Admin::page_url( Admin::PAGE_WEBHOOKS ) ) );
		echo '<input type="hidden" name="_umw_bulk" value="1" />';
		$table->display();
		echo '</form>';

		self::render_import_box();
	}

	private static function render_import_box(): void {
		echo '<div class="card" id="umw-import"><h2>' . esc_html__( 'Import from Ultimate Multisite', 'umw' ) . '</h2>';
		echo '<p>' . esc_html__( 'Copies the webhooks configured in Ultimate Multisite into umw. Running it again updates the imported webhooks instead of duplicating them.', 'umw' ) . '</p>';
		printf( '<form method="post" id="umw-import-form" action="%s">', esc_url( Admin::post_url() ) );
		printf( '<input type="hidden" name="action" value="%s" />', esc_attr( Actions::IMPORT_UM ) );
		wp_nonce_field( Actions::IMPORT_UM );
		submit_button( __( 'Import Ultimate Multisite webhooks', 'umw' ), 'secondary', 'submit', false );
		echo '</form></div>';
	}
}
