<?php
/**
 * Registers `wp umw …` (only loaded under WP-CLI).
 *
 * @package Umw
 */

namespace Umw\Cli;

defined( 'ABSPATH' ) || exit;

final class Commands {

	public static function register(): void {
		\WP_CLI::add_command( 'umw webhook', WebhookCommand::class );
		\WP_CLI::add_command( 'umw event', EventCommand::class );
		\WP_CLI::add_command( 'umw delivery', DeliveryCommand::class );
		\WP_CLI::add_command( 'umw queue', QueueCommand::class );
		\WP_CLI::add_command( 'umw import', ImportCommand::class );
		\WP_CLI::add_command( 'umw store', StoreCommand::class );
	}
}
