<?php
/**
 * Keeps UM's own bookkeeping moving for the webhooks umw sends: the per-webhook event count
 * (Webhook_Manager::send_webhook adds one per send) and an entry in UM's event log for that webhook,
 * pointing to umw's delivery log. Filter `umw_um_records` (default true) turns it off.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class UmRecords {

	public static function record( SyncResult $result, string $slug, string $message_id ): void {
		$ids = $result->sent_by_umw( $slug );
		if ( ! $ids || ! apply_filters( 'umw_um_records', true, $result->network_id ) ) {
			return;
		}
		try {
			( new WebhooksTable( $result->network_id ) )->count_sent( $ids );
			if ( ! function_exists( 'wu_create_event' ) ) {
				return;
			}
			foreach ( $ids as $um_id ) {
				$log = add_query_arg(
					array(
						'page'       => 'umw-deliveries',
						'webhook_id' => $result->linked[ $um_id ],
					),
					network_admin_url( 'admin.php' )
				);
				wu_create_event(
					array(
						'object_id'   => $um_id,
						'object_type' => 'webhook',
						'slug'        => $slug,
						'payload'     => array(
							'message' => sprintf(
								/* translators: 1: event, 2: URL, 3: umw message id, 4: link to umw's delivery log */
								__( 'Queued a %1$s event for %2$s in umw (message %3$s): signed, retried until delivered. Attempts and responses: %4$s', 'umw' ),
								$slug,
								$result->rows[ $um_id ]['webhook_url'],
								$message_id,
								$log
							),
						),
					)
				);
			}
		} catch ( \Throwable $e ) {
			// Bookkeeping only: never break the request that fired the event.
			// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			error_log( 'umw: could not update Ultimate Multisite event counts: ' . $e->getMessage() );
		}
	}
}
