<?php
/**
 * Stands where UM's inline sender (Webhook_Manager::send_webhooks on `wu_event_{slug}`) stood, at its
 * priority. When umw took the event, it hands UM only the webhooks umw cannot send; when umw did not take
 * it (bridge off, umw's store failing, `wu_event_{slug}` fired without `wu_event`), it runs UM's sender
 * exactly as UM would have. So every event reaches every UM webhook once: never twice, never not at all.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class SenderProxy {

	/** @var callable UM's own callback */
	private $original;

	/**
	 * @param callable $original UM's Webhook_Manager::send_webhooks callback
	 */
	public function __construct( $original ) {
		$this->original = $original;
	}

	/**
	 * @return callable
	 */
	public function original() {
		return $this->original;
	}

	/**
	 * @param mixed $payload what UM passes to `wu_event_{slug}`
	 */
	public function send( $payload = array() ): void {
		$hook = (string) current_filter();
		$slug = substr( $hook, strlen( Takeover::EVENT_HOOK_PREFIX ) );
		$left = Dispatch::take( $slug );
		if ( null === $left ) {
			call_user_func( $this->original, $payload );
			return;
		}
		$this->send_with_um( $left, $payload );
	}

	/**
	 * UM's own per-webhook sender, for the webhooks umw cannot send: the same request, log and counter.
	 *
	 * @param list<int> $um_ids
	 * @param mixed     $payload
	 */
	private function send_with_um( array $um_ids, $payload ): void {
		if ( ! $um_ids || ! function_exists( 'wu_get_webhook' ) ) {
			return;
		}
		$manager = is_array( $this->original ) ? $this->original[0] : null;
		if ( is_string( $manager ) && method_exists( $manager, 'get_instance' ) ) {
			$manager = $manager::get_instance();
		}
		if ( ! is_object( $manager ) || ! method_exists( $manager, 'send_webhook' ) ) {
			return;
		}
		$blocking = function_exists( 'wu_get_setting' ) ? wu_get_setting( 'webhook_calls_blocking', false ) : false;
		foreach ( $um_ids as $um_id ) {
			$webhook = wu_get_webhook( $um_id );
			if ( $webhook ) {
				$manager->send_webhook( $webhook, $payload, $blocking );
			}
		}
	}
}
