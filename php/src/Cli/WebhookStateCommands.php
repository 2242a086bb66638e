<?php
/**
 * `wp umw webhook delete|activate|deactivate`: the batch subcommands of WebhookCommand.
 *
 * @package Umw
 */

namespace Umw\Cli;

use Umw\Service\Deliveries;
use Umw\Service\Sanitizer;

defined( 'ABSPATH' ) || exit;

/**
 * Batches finish, then report (as wp-cli's own commands do); the host class provides $webhooks and Output.
 */
trait WebhookStateCommands {

	/**
	 * Deletes webhooks together with their delivery logs.
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * [--yes]
	 * : Do not ask for confirmation.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook delete 7 8 --yes
	 *     Deleted webhook 7 and its 12 logged deliveries.
	 *     Deleted webhook 8 and its 0 logged deliveries.
	 *     Success: Deleted 2 of 2 webhooks.
	 */
	public function delete( $args, $assoc_args ) {
		$logged = 0;
		foreach ( $args as $id ) {
			if ( preg_match( '/^[1-9][0-9]*$/', (string) $id ) ) {
				$logged += $this->run( fn() => ( new Deliveries() )->count( array( 'webhook_id' => (int) $id ) ) );
			}
		}
		\WP_CLI::confirm(
			sprintf( 'Delete %s and %d logged deliveries? The delivery log cannot be restored.', 1 === count( $args ) ? 'webhook ' . $args[0] : count( $args ) . ' webhooks', $logged ),
			$assoc_args
		);
		$this->batch(
			$args,
			'webhooks',
			'deleted',
			function ( string $id ): string {
				$hook = $this->webhooks->delete( Sanitizer::id( $id, 'webhook' ) );
				return sprintf( 'Deleted webhook %d and its %d logged deliveries.', $hook['id'], $hook['deliveries_deleted'] );
			}
		);
	}

	/**
	 * Activates webhooks (also re-enables webhooks the extension disabled).
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook activate 7
	 *     Activated webhook 7.
	 *     Success: Activated 1 of 1 webhooks.
	 */
	public function activate( $args, $assoc_args ) {
		$this->set_active( $args, true );
	}

	/**
	 * Deactivates webhooks.
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : One or more webhook ids.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp umw webhook deactivate 7 8
	 *     Deactivated webhook 7.
	 *     Deactivated webhook 8.
	 *     Success: Deactivated 2 of 2 webhooks.
	 */
	public function deactivate( $args, $assoc_args ) {
		$this->set_active( $args, false );
	}

	/**
	 * @param list<string> $ids
	 */
	private function set_active( array $ids, bool $active ): void {
		$this->batch(
			$ids,
			'webhooks',
			$active ? 'activated' : 'deactivated',
			function ( string $id ) use ( $active ): string {
				$hook = $this->webhooks->set_active( Sanitizer::id( $id, 'webhook' ), $active );
				if ( $active && $hook['was_disabled'] ) {
					return sprintf( 'Re-enabled webhook %d (it had been disabled).', $hook['id'] );
				}
				return sprintf( $active ? 'Activated webhook %d.' : 'Deactivated webhook %d.', $hook['id'] );
			}
		);
	}
}
