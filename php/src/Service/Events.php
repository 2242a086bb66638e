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
			throw new NotFoundException(
				/* translators: %s: event name */
				sprintf( __( 'Event type "%s" not found.', 'umw' ), Sanitizer::single_line( $name ) )
			);
		}
		return $types[ $name ];
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
		return umw_emit( $event, $payload );
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
