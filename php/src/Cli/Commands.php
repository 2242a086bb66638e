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
		\WP_CLI::add_command( 'umw', UmwCommand::class );
		\WP_CLI::add_command( 'umw webhook', WebhookCommand::class );
		\WP_CLI::add_command( 'umw event', EventCommand::class );
		\WP_CLI::add_command( 'umw delivery', DeliveryCommand::class );
		\WP_CLI::add_command( 'umw queue', QueueCommand::class );
		\WP_CLI::add_command( 'umw stats', StatsCommand::class );
		// The import group's class is another module's; its group description is given here.
		\WP_CLI::add_command(
			'umw import',
			ImportCommand::class,
			array(
				'shortdesc' => 'Imports webhooks from other plugins into umw.',
				'longdesc'  => "## EXAMPLES\n\n    \$ wp umw import ultimate-multisite\n    Success: 3 created, 0 updated, 0 skipped.",
			)
		);
		\WP_CLI::add_command( 'umw store', StoreCommand::class );
	}
}
