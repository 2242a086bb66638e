<?php
/**
 * Keeps umw's copies of a network's Ultimate Multisite webhooks in step with UM's table, which stays the
 * source of truth. Stateless and idempotent: each run compares UM's rows with the umw webhooks whose
 * `external_id` links them (ExternalId) and changes only what differs, so any number of processes or
 * servers may run it at once.
 *
 * UM owns name, URL, event and active; secret, extra headers and format belong to umw and are never touched.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class Mirror {

	/** Before external ids: UM id => umw id kept by the first importer (main network). */
	public const LEGACY_OPTION = 'umw_imported_um_webhooks';

	private UrlForms $url_forms;

	public function __construct( ?UrlForms $url_forms = null ) {
		$this->url_forms = $url_forms ?? new UrlForms();
	}

	/**
	 * @throws \RuntimeException when UM's table or umw's store cannot be read
	 */
	public function sync( int $network_id ): SyncResult {
		$table  = new WebhooksTable( $network_id );
		$result = new SyncResult( $network_id, $table->name() );
		$rows   = $table->rows();
		if ( null === $rows ) {
			// UM not installed on this network: nothing of it to send, and nothing of umw's to touch.
			$result->table_exists = false;
			return $result;
		}
		$result->rows = $rows;
		$this->adopt_legacy_imports( $network_id );

		$copies = $this->copies( $network_id, $result );
		foreach ( $rows as $um_id => $row ) {
			$copy = $copies[ $um_id ] ?? null;
			unset( $copies[ $um_id ] );
			if ( '' === $row['event'] ) {
				// UM hooks its sender on `wu_event_{event}`: an empty event matches nothing, so UM sends nothing.
				$result->ignored[ $um_id ] = SyncResult::IGNORED_NO_EVENT;
				if ( $copy && umw_delete_webhook( (int) $copy['id'] ) ) {
					++$result->deleted;
				}
				continue;
			}
			$this->reconcile( $network_id, $row, $copy, $result );
		}
		foreach ( $copies as $copy ) {
			// Deleted in UM (by any path, its table included).
			if ( umw_delete_webhook( (int) $copy['id'] ) ) {
				++$result->deleted;
			}
		}
		return $result;
	}

	/**
	 * The umw copies of this network's UM webhooks, by UM id (extra copies from before external ids were
	 * unique are removed).
	 *
	 * @return array<int,array<string,mixed>>
	 */
	private function copies( int $network_id, SyncResult $result ): array {
		$out = array();
		foreach ( umw_list_webhooks( array( 'network_id' => $network_id ) ) as $webhook ) {
			$um_id = ExternalId::um_id( $webhook['external_id'] ?? null, $network_id );
			if ( null === $um_id ) {
				continue;
			}
			if ( isset( $out[ $um_id ] ) ) {
				if ( umw_delete_webhook( (int) $webhook['id'] ) ) {
					++$result->deleted;
				}
				continue;
			}
			$out[ $um_id ] = $webhook;
		}
		return $out;
	}

	/**
	 * @param array<string,mixed>      $row  UM row
	 * @param array<string,mixed>|null $copy its umw copy
	 */
	private function reconcile( int $network_id, array $row, ?array $copy, SyncResult $result ): void {
		$um_id   = (int) $row['id'];
		$desired = $this->desired( $row );
		try {
			if ( null === $copy ) {
				$copy = $this->create( $network_id, $um_id, $desired, $result );
			} else {
				$changes = $this->changes( $copy, $desired );
				if ( $changes ) {
					$copy = umw_update_webhook( (int) $copy['id'], $changes );
					++$result->updated;
				}
			}
			$this->url_forms->remember( $desired['url'], (string) $copy['url'] );
			$result->linked[ $um_id ] = (int) $copy['id'];
		} catch ( \ValueError | \TypeError $e ) {
			// umw refuses it (a blocked or malformed URL, an event name it cannot carry): UM's own sender keeps
			// it, and the stale copy (if any) stops sending to what UM no longer says.
			$result->left_to_um[ $um_id ] = $e->getMessage();
			if ( $copy && ! empty( $copy['active'] ) ) {
				umw_update_webhook( (int) $copy['id'], array( 'active' => false ) );
			}
		}
	}

	/**
	 * @param array<string,mixed> $desired
	 * @return array<string,mixed> the new copy
	 */
	private function create( int $network_id, int $um_id, array $desired, SyncResult $result ): array {
		$external_id = ExternalId::of( $network_id, $um_id );
		try {
			$id = umw_register_webhook(
				$desired + array(
					'format'      => 'flat',
					'network_id'  => $network_id,
					'external_id' => $external_id,
				)
			);
			++$result->created;
			return (array) umw_get_webhook( (int) $id );
		} catch ( \ValueError | \RuntimeException $e ) {
			// Another process created it a moment ago: the unique external id refused ours.
			$existing = umw_list_webhooks( array( 'external_id' => $external_id ) );
			if ( ! $existing ) {
				throw $e;
			}
			$copy    = reset( $existing );
			$changes = $this->changes( $copy, $desired );
			return $changes ? umw_update_webhook( (int) $copy['id'], $changes ) : $copy;
		}
	}

	/**
	 * What umw's copy must say, from UM's row.
	 *
	 * @param array<string,mixed> $row
	 * @return array{name:string,url:string,events:list<string>,active:bool}
	 */
	public function desired( array $row ): array {
		$name = trim( (string) preg_replace( '/[[:cntrl:]]+/', ' ', (string) $row['name'] ) );
		if ( '' === $name ) {
			/* translators: %d: Ultimate Multisite webhook id */
			$name = sprintf( __( 'Ultimate Multisite webhook #%d', 'umw' ), (int) $row['id'] );
		}
		$max = defined( 'UMW_WEBHOOK_NAME_MAX_LENGTH' ) ? (int) UMW_WEBHOOK_NAME_MAX_LENGTH : 191;
		return array(
			'name'   => mb_substr( $name, 0, $max ),
			'url'    => (string) $row['webhook_url'],
			// Exactly UM's string: UM matches 'wu_event_' . $event against the hook name, untrimmed.
			'events' => array( (string) $row['event'] ),
			'active' => (bool) $row['active'],
		);
	}

	/**
	 * The UM-owned fields that differ.
	 *
	 * @param array<string,mixed> $copy
	 * @param array<string,mixed> $desired
	 * @return array<string,mixed>
	 */
	private function changes( array $copy, array $desired ): array {
		$changes = array();
		if ( (string) ( $copy['name'] ?? '' ) !== $desired['name'] ) {
			$changes['name'] = $desired['name'];
		}
		if ( ! $this->url_forms->same( $desired['url'], (string) ( $copy['url'] ?? '' ) ) ) {
			$changes['url'] = $desired['url'];
		}
		if ( array_values( (array) ( $copy['events'] ?? array() ) ) !== $desired['events'] ) {
			$changes['events'] = $desired['events'];
		}
		// Only `active`: a copy disabled by endpoint health (disabled_at) stays disabled until someone acts.
		if ( (bool) ( $copy['active'] ?? false ) !== $desired['active'] ) {
			$changes['active'] = $desired['active'];
		}
		return $changes;
	}

	/**
	 * Webhooks copied by the first importer (a UM id => umw id option, no external id) become linked
	 * copies instead of being copied a second time.
	 */
	private function adopt_legacy_imports( int $network_id ): void {
		if ( (int) get_main_network_id() !== $network_id ) {
			return;
		}
		$legacy = get_network_option( $network_id, self::LEGACY_OPTION, null );
		if ( ! is_array( $legacy ) ) {
			return;
		}
		foreach ( $legacy as $um_id => $umw_id ) {
			$webhook = umw_get_webhook( (int) $umw_id );
			if ( is_array( $webhook ) && empty( $webhook['external_id'] ) ) {
				try {
					umw_update_webhook(
						(int) $umw_id,
						array(
							'network_id'  => $network_id,
							'external_id' => ExternalId::of( $network_id, (int) $um_id ),
						)
					);
				} catch ( \ValueError $e ) {
					// Already linked elsewhere: the sync removes the extra copy.
					umw_delete_webhook( (int) $umw_id );
				}
			}
		}
		delete_network_option( $network_id, self::LEGACY_OPTION );
	}
}
