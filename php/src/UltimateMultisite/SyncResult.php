<?php
/**
 * What one sync of a network's UM webhooks found and did.
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class SyncResult {

	/** Why a UM webhook has no umw copy that sends. */
	public const IGNORED_NO_EVENT = 'no_event';

	public int $network_id;
	public string $table;
	public bool $table_exists = true;
	public int $created       = 0;
	public int $updated       = 0;
	public int $deleted       = 0;

	/** @var array<int,array<string,mixed>> UM rows by UM id (as WebhooksTable::rows()) */
	public array $rows = array();

	/** @var array<int,int> UM id => umw id, copies in step with UM (active or not) */
	public array $linked = array();

	/** @var array<int,string> UM id => why umw cannot send it (left to UM's own sender) */
	public array $left_to_um = array();

	/** @var array<int,string> UM id => why nobody sends it (UM itself would not either) */
	public array $ignored = array();

	public function __construct( int $network_id, string $table ) {
		$this->network_id = $network_id;
		$this->table      = $table;
	}

	/**
	 * UM ids that umw sends $event to.
	 *
	 * @return list<int>
	 */
	public function sent_by_umw( string $event ): array {
		$ids = array();
		foreach ( $this->linked as $um_id => $umw_id ) {
			$row = $this->rows[ $um_id ] ?? null;
			if ( $row && $row['active'] && $row['event'] === $event ) {
				$ids[] = $um_id;
			}
		}
		return $ids;
	}

	/**
	 * UM ids that umw cannot send $event to and UM's own sender must.
	 *
	 * @return list<int>
	 */
	public function for_um_sender( string $event ): array {
		$ids = array();
		foreach ( $this->left_to_um as $um_id => $reason ) {
			$row = $this->rows[ $um_id ] ?? null;
			if ( $row && $row['active'] && $row['event'] === $event ) {
				$ids[] = $um_id;
			}
		}
		return $ids;
	}

	/**
	 * UM webhooks switched off in UM that UM 2.4.10 still sent to (its sender ignores `active`).
	 *
	 * @return list<int>
	 */
	public function inactive_um_still_sent(): array {
		return $this->where( static fn( array $row, bool $um_sees ): bool => ! $row['active'] && '' !== $row['event'] && $um_sees );
	}

	/**
	 * Active UM webhooks UM 2.4.10 never sent to: older than its 100 newest.
	 *
	 * @return list<int>
	 */
	public function beyond_um_page(): array {
		return $this->where( static fn( array $row, bool $um_sees ): bool => $row['active'] && ! $um_sees );
	}

	/**
	 * @param callable(array,bool):bool $keep given the row and whether UM's own sender looks at it
	 * @return list<int>
	 */
	private function where( callable $keep ): array {
		$seen = array_flip( WebhooksTable::ids_um_would_see( $this->rows ) );
		$ids  = array();
		foreach ( $this->rows as $id => $row ) {
			if ( $keep( $row, isset( $seen[ $id ] ) ) ) {
				$ids[] = $id;
			}
		}
		return $ids;
	}

	/**
	 * A summary for status screens, stable across runs when nothing changed.
	 *
	 * @return array<string,mixed>
	 */
	public function summary(): array {
		$problem = fn( array $reasons ): array => array_map(
			fn( int $id ): array => array(
				'um_id'  => $id,
				'name'   => (string) ( $this->rows[ $id ]['name'] ?? '' ),
				'url'    => (string) ( $this->rows[ $id ]['webhook_url'] ?? '' ),
				'event'  => (string) ( $this->rows[ $id ]['event'] ?? '' ),
				'active' => (bool) ( $this->rows[ $id ]['active'] ?? false ),
				'reason' => $reasons[ $id ],
			),
			array_keys( $reasons )
		);
		return array(
			'network_id'              => $this->network_id,
			'table'                   => $this->table,
			'table_exists'            => $this->table_exists,
			'um_webhooks'             => count( $this->rows ),
			'linked'                  => count( $this->linked ),
			'active'                  => count( array_filter( array_keys( $this->linked ), fn( $id ) => ! empty( $this->rows[ $id ]['active'] ) ) ),
			'left_to_um'              => $problem( $this->left_to_um ),
			'ignored'                 => $problem( $this->ignored ),
			'inactive_um_still_sent'  => $this->inactive_um_still_sent(),
			'beyond_um_page'          => $this->beyond_um_page(),
		);
	}

	/**
	 * @return array<string,mixed> counts of what this run changed, plus the summary
	 */
	public function to_array(): array {
		return array(
			'created' => $this->created,
			'updated' => $this->updated,
			'deleted' => $this->deleted,
		) + $this->summary();
	}
}
