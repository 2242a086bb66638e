<?php
/**
 * Delivery log, resend and replay over the extension. Shared by admin, REST and WP-CLI.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Deliveries {

	public const STATUSES  = array( 'pending', 'delivered', 'retrying', 'failed' );
	public const MAX_LIMIT = 1000;

	/**
	 * @param array<string,mixed> $filter webhook_id, event, status, message_id, since, limit, offset
	 * @return list<array<string,mixed>>
	 */
	public function list( array $filter = array() ): array {
		return array_values( umw_deliveries( $this->filter( $filter ) ) );
	}

	/**
	 * Sanitised filter for umw_deliveries(); empty values dropped.
	 *
	 * @param array<string,mixed> $filter
	 * @return array<string,mixed>
	 */
	public function filter( array $filter ): array {
		$out = array();
		if ( ! empty( $filter['webhook_id'] ) ) {
			$out['webhook_id'] = absint( $filter['webhook_id'] );
		}
		if ( isset( $filter['event'] ) && '' !== $filter['event'] ) {
			$out['event'] = Sanitizer::event( $filter['event'] );
		}
		if ( isset( $filter['status'] ) && '' !== $filter['status'] ) {
			$status = strtolower( (string) $filter['status'] );
			if ( ! in_array( $status, self::STATUSES, true ) ) {
				throw new \ValueError(
					/* translators: %s: allowed statuses */
					sprintf( __( 'Status must be one of: %s.', 'umw' ), implode( ', ', self::STATUSES ) )
				);
			}
			$out['status'] = $status;
		}
		if ( isset( $filter['message_id'] ) && '' !== $filter['message_id'] ) {
			$message_id = (string) $filter['message_id'];
			if ( ! preg_match( '/^msg_[A-Za-z0-9]+$/', $message_id ) ) {
				throw new \ValueError( __( 'Invalid message id.', 'umw' ) );
			}
			$out['message_id'] = $message_id;
		}
		if ( isset( $filter['since'] ) && '' !== $filter['since'] ) {
			$out['since'] = Sanitizer::time( $filter['since'] );
		}
		if ( isset( $filter['limit'] ) && '' !== $filter['limit'] ) {
			$out['limit'] = max( 1, min( self::MAX_LIMIT, (int) $filter['limit'] ) );
		}
		if ( isset( $filter['offset'] ) && '' !== $filter['offset'] ) {
			$out['offset'] = max( 0, (int) $filter['offset'] );
		}
		return $out;
	}

	public static function is_delivery_id( string $id ): bool {
		return 1 === preg_match( '/^dlv_[A-Za-z0-9]+$/', $id );
	}

	/**
	 * @return array<string,mixed>
	 */
	public function get( string $id ): array {
		$delivery = self::is_delivery_id( $id ) ? umw_get_delivery( $id ) : null;
		if ( ! is_array( $delivery ) ) {
			throw new NotFoundException(
				/* translators: %s: delivery id */
				sprintf( __( 'Delivery %s not found.', 'umw' ), Sanitizer::single_line( $id ) )
			);
		}
		return $delivery;
	}

	/**
	 * Queue a delivery again now (its history is kept).
	 */
	public function resend( string $id ): bool {
		$this->get( $id );
		return (bool) umw_redeliver( $id );
	}

	/**
	 * Re-queue the failed deliveries of a webhook since a time.
	 *
	 * @param int|string $since unix time or a date string
	 * @return int how many were queued
	 */
	public function replay( int $webhook_id, int|string $since ): int {
		( new Webhooks() )->get( $webhook_id );
		return (int) umw_replay( $webhook_id, Sanitizer::time( $since ) );
	}

	/**
	 * The payload as decoded JSON (or the raw string if it is not JSON).
	 *
	 * @param array<string,mixed> $delivery
	 */
	public static function decoded_payload( array $delivery ): mixed {
		$raw = (string) ( $delivery['payload'] ?? '' );
		$dec = json_decode( $raw, true );
		return JSON_ERROR_NONE === json_last_error() ? $dec : $raw;
	}
}
