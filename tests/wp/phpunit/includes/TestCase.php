<?php
/**
 * Base class: admin / non-privileged users, cleanup of the webhooks a test created.
 */

namespace Umw\Tests;

use Umw\Service\Webhooks;

abstract class TestCase extends \PHPUnit\Framework\TestCase {

	/** @var list<int> */
	protected array $created = array();
	protected Webhooks $webhooks;

	protected function setUp(): void {
		parent::setUp();
		$this->webhooks = new Webhooks();
		$this->as_admin();
	}

	protected function tearDown(): void {
		foreach ( $this->created as $id ) {
			if ( $this->webhooks->exists( $id ) ) {
				umw_delete_webhook( $id );
			}
		}
		$this->created = array();
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	protected function as_admin(): int {
		$user = get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) ?: 'admin' );
		$this->assertInstanceOf( \WP_User::class, $user, 'admin user missing' );
		wp_set_current_user( $user->ID );
		$this->assertTrue( is_super_admin( $user->ID ) );
		return $user->ID;
	}

	/**
	 * A logged-in user without manage_network_options (editor1 from the harness, or a new one).
	 */
	protected function as_unprivileged(): int {
		$user = get_user_by( 'login', getenv( 'WP_EDITOR_USER' ) ?: 'editor1' );
		if ( ! $user ) {
			$id   = wp_insert_user(
				array(
					'user_login' => 'umw_phpunit_user',
					'user_pass'  => wp_generate_password(),
					'role'       => 'administrator',
				)
			);
			$user = get_user_by( 'id', $id );
		}
		wp_set_current_user( $user->ID );
		$this->assertFalse( current_user_can( 'manage_network_options' ) );
		return $user->ID;
	}

	/**
	 * @param array<string,mixed> $input
	 * @return array<string,mixed>
	 */
	protected function create_webhook( array $input ): array {
		$hook            = $this->webhooks->create( $input + array( 'name' => 'phpunit ' . uniqid() ) );
		$this->created[] = (int) $hook['id'];
		return $hook;
	}

	protected function track( int $id ): void {
		$this->created[] = $id;
	}

	protected function render( callable $callback ): string {
		ob_start();
		try {
			$callback();
		} finally {
			$out = (string) ob_get_clean();
		}
		return $out;
	}
}
