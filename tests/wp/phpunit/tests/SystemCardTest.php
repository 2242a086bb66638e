<?php
/**
 * Network Admin → Webhooks Dashboard shows which store umw uses, its health, and how deliveries
 * are made (embedded, or the host's agent and whether it is alive).
 */

namespace Umw\Tests;

use Umw\Admin\SystemCard;

final class SystemCardTest extends TestCase {

	public function test_the_dashboard_card_names_the_store_and_the_delivery_mode(): void {
		ob_start();
		SystemCard::render();
		$html  = (string) ob_get_clean();
		$store = umw_stats()['store'];
		$this->assertStringContainsString( 'id="umw-system"', $html );
		$this->assertStringContainsString( esc_html( $store['location'] ), $html );
		$this->assertStringContainsString( 'mysql' === $store['backend'] ? 'MySQL/MariaDB' : 'SQLite', $html );
		$this->assertStringContainsString( 'Embedded: every PHP worker delivers', $html );
		$this->assertStringNotContainsString( getenv( 'DB_PASS' ) ?: 'umw-wp-db-pass', $html, 'never a password' );
		$this->assertMatchesRegularExpression( '/Spool<\/th><td>[^<]+: \d+ segments/', $html );
	}
}
