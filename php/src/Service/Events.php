<?php
/**
 * Event catalog and emitting.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

final class Events {

	/**
	 * @return array<string,array{name:string,label:string,description:string,sample:array,source:string}>
	 */
	public function types(): array {
		$types = umw_event_types();
		ksort( $types );
		return $types;
	}

	/**
	 * @return array{name:string,label:string,description:string,sample:array,source:string}
	 */
	public function get( string $name ): array {
		$types = umw_event_types();
		if ( ! isset( $types[ $name ] ) ) {
			throw new NotFoundException( self::unknown_message( $name, array_keys( $types ) ) );
		}
		return $types[ $name ];
	}

	/**
	 * Subscriptions must name catalog events (a typo would otherwise wait forever for an event
	 * that never fires). Events the webhook already had stay allowed. Filter
	 * `umw_allow_unknown_events` (bool) lifts the check for integrations that emit uncatalogued events.
	 *
	 * @param list<string> $events  sanitised event names
	 * @param list<string> $already the webhook's current events
	 * @return list<string>
	 */
	public static function require_known( array $events, array $already = array() ): array {
		if ( array( '*' ) === $events || apply_filters( 'umw_allow_unknown_events', false ) ) {
			return $events;
		}
		$known = array_keys( umw_event_types() );
		foreach ( $events as $event ) {
			if ( ! in_array( $event, $known, true ) && ! in_array( $event, $already, true ) ) {
				throw new \ValueError( self::unknown_message( $event, $known ) );
			}
		}
		return $events;
	}

	/**
	 * "Unknown event "payment_recieved". Did you mean "payment_received"? …"
	 *
	 * @param list<string> $known
	 */
	private static function unknown_message( string $event, array $known ): string {
		$best = null;
		$dist = PHP_INT_MAX;
		foreach ( $known as $candidate ) {
			$d = levenshtein( strtolower( $event ), strtolower( (string) $candidate ) );
			if ( $d < $dist ) {
				$best = (string) $candidate;
				$dist = $d;
			}
		}
		$message = sprintf(
			/* translators: %s: event name */
			__( 'Unknown event "%s".', 'umw' ),
			Sanitizer::single_line( $event )
		);
		if ( null !== $best && $dist <= max( 2, (int) ( strlen( $event ) / 4 ) ) ) {
			/* translators: %s: suggested event name */
			$message .= ' ' . sprintf( __( 'Did you mean "%s"?', 'umw' ), $best );
		}
		return $message . ' ' . __( 'See the list with `wp umw event list` or on the webhook form; plugins add their own events with umw_register_event_type().', 'umw' );
	}

	/**
	 * "Payment Received" for payment_received; the name itself for events without a label.
	 */
	public function label( string $event ): string {
		if ( '*' === $event ) {
			return __( 'All events', 'umw' );
		}
		$types = umw_event_types();
		return (string) ( $types[ $event ]['label'] ?? $event );
	}

	/**
	 * @param array<string,mixed>|null $payload null = the event's sample payload
	 * @return string the message id
	 */
	public function emit( string $event, ?array $payload = null ): string {
		$event = Sanitizer::event( $event );
		if ( '*' === $event ) {
			throw new \ValueError( __( 'Cannot emit "*": name one event.', 'umw' ) );
		}
		if ( null === $payload ) {
			$payload = (array) ( $this->get( $event )['sample'] ?? array() );
		}
		return umw_emit( $event, $payload, array( 'network_id' => Webhooks::network() ) );
	}

	/**
	 * Decode a JSON object given on the command line / in a form.
	 *
	 * @return array<string,mixed>
	 */
	public static function decode_payload( string $json ): array {
		$decoded = json_decode( $json, true );
		if ( JSON_ERROR_NONE !== json_last_error() || ! is_array( $decoded ) ) {
			throw new \ValueError(
				/* translators: %s: JSON error */
				sprintf( __( 'Payload must be a JSON object: %s', 'umw' ), json_last_error_msg() )
			);
		}
		return $decoded;
	}
}
