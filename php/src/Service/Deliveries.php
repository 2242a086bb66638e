<?php
/**
 * Delivery log, counts, resend, replay and pruning over the extension. Shared by admin, REST and WP-CLI.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Deliveries {

	/**
	 * @param array<string,mixed> $filter webhook_id, event, status, message_id, since, until, is_test, limit, offset, with_payload
	 * @return list<array<string,mixed>>
	 */
	public function list( array $filter = array() ): array {
		return array_values( umw_deliveries( $this->filter( $filter ) ) );
	}

	/**
	 * How many deliveries match (the same filter as list(), limit/offset ignored).
	 *
	 * @param array<string,mixed> $filter
	 */
	public function count( array $filter = array() ): int {
		$clean = $this->filter( $filter );
		unset( $clean['limit'], $clean['offset'], $clean['with_payload'] );
		return umw_count_deliveries( $clean );
	}

	/**
	 * Delivered / failed deliveries (not attempts) per webhook.
	 *
	 * @param list<int> $webhook_ids
	 * @return array<int,array{delivered:int,failed:int}>
	 */
	public function outcome_counts( array $webhook_ids ): array {
		$out = array();
		foreach ( $webhook_ids as $id ) {
			$out[ (int) $id ] = array(
				'delivered' => umw_count_deliveries( array( 'webhook_id' => (int) $id, 'status' => 'delivered' ) ),
				'failed'    => umw_count_deliveries( array( 'webhook_id' => (int) $id, 'status' => 'failed' ) ),
			);
		}
		return $out;
	}

	/**
	 * Deliveries per status, for the status views.
	 *
	 * @param array<string,mixed> $filter
	 * @return array<string,int> status => count, plus 'all'
	 */
	public function status_counts( array $filter = array() ): array {
		unset( $filter['status'] );
		$counts = array( 'all' => $this->count( $filter ) );
		foreach ( self::statuses() as $status ) {
			$counts[ $status ] = $this->count( array( 'status' => $status ) + $filter );
		}
		return $counts;
	}

	/**
	 * @return list<string> pending, delivered, retrying, failed
	 */
	public static function statuses(): array {
		return array_values( (array) Sanitizer::rule( 'statuses' ) );
	}

	public static function list_limit_max(): int {
		return (int) Sanitizer::rule( 'list_limit_max' );
	}

	/**
	 * Sanitised filter for umw_deliveries(); empty values dropped.
	 *
	 * @param array<string,mixed> $filter
	 * @return array<string,mixed>
	 */
	public function filter( array $filter ): array {
		$out = array( 'network_id' => Webhooks::network() );
		if ( ! empty( $filter['webhook_id'] ) ) {
			$out['webhook_id'] = Sanitizer::id( $filter['webhook_id'], __( 'webhook', 'umw' ) );
		}
		if ( isset( $filter['event'] ) && '' !== $filter['event'] ) {
			$out['event'] = Sanitizer::event( $filter['event'] );
		}
		if ( isset( $filter['status'] ) && '' !== $filter['status'] ) {
			$status = is_string( $filter['status'] ) ? strtolower( $filter['status'] ) : '';
			if ( ! in_array( $status, self::statuses(), true ) ) {
				throw new \ValueError(
					/* translators: %s: the allowed values */
					sprintf( __( 'Status must be one of: %s.', 'umw' ), implode( ', ', self::statuses() ) )
				);
			}
			$out['status'] = $status;
		}
		if ( isset( $filter['message_id'] ) && '' !== $filter['message_id'] ) {
			$message_id = is_string( $filter['message_id'] ) ? $filter['message_id'] : '';
			if ( ! preg_match( '/^msg_[A-Za-z0-9]+$/', $message_id ) ) {
				throw new \ValueError( __( 'Invalid message id: expected msg_ followed by letters and digits.', 'umw' ) );
			}
			$out['message_id'] = $message_id;
		}
		if ( isset( $filter['since'] ) && '' !== $filter['since'] ) {
			$out['since'] = Time::parse( $filter['since'] );
		}
		if ( isset( $filter['limit'] ) && '' !== $filter['limit'] ) {
			$out['limit'] = max( 1, min( self::list_limit_max(), (int) $filter['limit'] ) );
		}
		if ( isset( $filter['offset'] ) && '' !== $filter['offset'] ) {
			$out['offset'] = max( 0, (int) $filter['offset'] );
		}
		if ( isset( $filter['until'] ) && '' !== $filter['until'] ) {
			$out['until'] = Time::parse( $filter['until'] );
		}
		if ( isset( $filter['is_test'] ) && '' !== $filter['is_test'] ) {
			$out['is_test'] = Sanitizer::bool( $filter['is_test'], 'is_test' );
		}
		if ( ! empty( $filter['with_payload'] ) ) {
			$out['with_payload'] = true;
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
	 * Re-queue the failed deliveries of a webhook since a time. Test sends are never replayed, and a
	 * webhook that is switched off is refused: its deliveries would only wait, or meet the same 410.
	 *
	 * @param int|string $since unix time or a date (site time zone)
	 * @return int how many were queued
	 */
	public function replay( int $webhook_id, int|string $since ): int {
		$hook = ( new Webhooks() )->get( $webhook_id );
		if ( 'active' !== Webhooks::status_of( $hook ) ) {
			throw new \ValueError(
				sprintf(
					/* translators: 1: webhook name, 2: "inactive" or "disabled" */
					__( 'Webhook "%1$s" is %2$s: its deliveries would not be sent. Enable it first, then replay.', 'umw' ),
					(string) $hook['name'],
					'disabled' === Webhooks::status_of( $hook ) ? __( 'disabled', 'umw' ) : __( 'inactive', 'umw' )
				)
			);
		}
		return (int) umw_replay( $webhook_id, Time::parse( $since ) );
	}

	/**
	 * Delete deliveries, attempts and payloads older than a number of days.
	 *
	 * @return array{deliveries:int,attempts:int,messages:int}
	 */
	public function prune( ?int $older_than_days = null ): array {
		$options = array();
		if ( null !== $older_than_days ) {
			if ( $older_than_days < 1 ) {
				throw new \ValueError( __( 'Days must be 1 or more.', 'umw' ) );
			}
			$options['older_than_days'] = $older_than_days;
		}
		return umw_prune( $options );
	}

	/**
	 * The payload as decoded JSON (or the raw string if it is not JSON).
	 *
	 * @param array<string,mixed> $delivery
	 */
	public static function decoded_payload( array $delivery ): mixed {
		$raw = $delivery['payload'] ?? '';
		if ( is_array( $raw ) ) {
			return $raw;
		}
		$dec = json_decode( (string) $raw, true );
		return JSON_ERROR_NONE === json_last_error() ? $dec : $raw;
	}

	/**
	 * The last attempt of a delivery, or null.
	 *
	 * @param array<string,mixed> $delivery
	 * @return array<string,mixed>|null
	 */
	public static function last_attempt( array $delivery ): ?array {
		$attempts = array_values( (array) ( $delivery['attempts'] ?? array() ) );
		return $attempts ? (array) end( $attempts ) : null;
	}
}
