<?php

namespace Umw\Tests;

use Umw\Service\NotFoundException;

final class WebhooksServiceTest extends TestCase {

	public function test_crud_through_the_extension(): void {
		$hook = $this->create_webhook(
			array(
				'name'    => 'CRUD hook',
				'url'     => 'https://example.com/hook',
				'events'  => array( 'payment_received', 'site_published' ),
				'format'  => 'envelope',
				'headers' => "X-Tenant: acme\nAuthorization: Bearer t0ken",
				'active'  => false,
			)
		);
		$id = (int) $hook['id'];
		$this->assertGreaterThan( 0, $id );
		$this->assertStringStartsWith( 'whsec_', $hook['secret'], 'create returns the secret once' );
		$this->assertSame( array( 'payment_received', 'site_published' ), $hook['events'] );
		$this->assertSame( 'envelope', $hook['format'] );
		$this->assertFalse( $hook['active'] );
		$this->assertSame( array( 'X-Tenant' => 'acme', 'Authorization' => 'Bearer t0ken' ), $hook['headers'] );

		$got = $this->webhooks->get( $id );
		$this->assertArrayNotHasKey( 'secret', $got );
		$this->assertSame( 'CRUD hook', $got['name'] );
		$this->assertSame( $hook['secret'], $this->webhooks->get( $id, true )['secret'] );

		$ids = array_column( $this->webhooks->list(), 'id' );
		$this->assertContains( $id, $ids );
		$this->assertContains( $id, array_column( $this->webhooks->list( array(), 'crud HOOK' ), 'id' ), 'search is case-insensitive' );
		$this->assertNotContains( $id, array_column( $this->webhooks->list( array(), 'no-such-thing' ), 'id' ) );
		$this->assertNotContains( $id, array_column( $this->webhooks->list( array( 'active' => true ) ), 'id' ) );

		$updated = $this->webhooks->update( $id, array( 'name' => 'Renamed', 'events' => '*', 'headers' => '' ) );
		$this->assertSame( 'Renamed', $updated['name'] );
		$this->assertSame( array( '*' ), $updated['events'] );
		$this->assertSame( 'https://example.com/hook', $updated['url'], 'partial update keeps the URL' );
		$this->assertEmpty( $updated['headers'] );

		$this->assertTrue( $this->webhooks->set_active( $id, true )['active'] );
		$this->assertFalse( $this->webhooks->set_active( $id, false )['active'] );

		$new = $this->webhooks->rotate_secret( $id );
		$this->assertStringStartsWith( 'whsec_', $new );
		$this->assertNotSame( $hook['secret'], $new );
		$this->assertSame( $new, $this->webhooks->get( $id, true )['secret'] );

		$deleted = $this->webhooks->delete( $id );
		$this->assertSame( 'Renamed', $deleted['name'] );
		$this->assertFalse( $this->webhooks->exists( $id ) );
		$this->expectException( NotFoundException::class );
		$this->webhooks->get( $id );
	}

	public function test_defaults_and_aliases(): void {
		$hook = $this->webhooks->create( array( 'target_url' => 'https://hooks.zapier.example/abc', 'event' => 'payment_received' ) );
		$this->track( (int) $hook['id'] );
		$this->assertSame( 'https://hooks.zapier.example/abc', $hook['url'] );
		$this->assertSame( array( 'payment_received' ), $hook['events'] );
		$this->assertTrue( $hook['active'] );
		$this->assertSame( 'flat', $hook['format'] );
		$this->assertStringContainsString( 'hooks.zapier.example', $hook['name'] );
	}

	public function test_javascript_url_rejected_and_nothing_stored(): void {
		$before = count( $this->webhooks->list() );
		try {
			$this->webhooks->create( array( 'name' => 'evil', 'url' => 'javascript:alert(1)' ) );
			$this->fail( 'javascript: URL accepted' );
		} catch ( \ValueError $e ) {
			$this->assertStringContainsString( 'http', $e->getMessage() );
		}
		$this->assertCount( $before, $this->webhooks->list() );

		$hook = $this->create_webhook( array( 'url' => 'https://example.com/a' ) );
		try {
			$this->webhooks->update( (int) $hook['id'], array( 'url' => 'javascript:alert(1)' ) );
			$this->fail( 'javascript: URL accepted on update' );
		} catch ( \ValueError $e ) {
			$this->assertSame( 'https://example.com/a', $this->webhooks->get( (int) $hook['id'] )['url'] );
		}
	}

	public function test_header_injection_rejected(): void {
		$this->expectException( \ValueError::class );
		$this->create_webhook( array( 'url' => 'https://example.com/a', 'headers' => array( 'X-A' => "1\r\nX-Injected: 1" ) ) );
	}

	public function test_script_tags_stored_verbatim(): void {
		$hook = $this->create_webhook( array( 'name' => '<script>alert("x")</script>', 'url' => 'https://example.com/a' ) );
		$this->assertSame( '<script>alert("x")</script>', $this->webhooks->get( (int) $hook['id'] )['name'] );
	}

	public function test_not_found(): void {
		foreach ( array(
			fn() => $this->webhooks->get( 987654321 ),
			fn() => $this->webhooks->update( 987654321, array( 'name' => 'x' ) ),
			fn() => $this->webhooks->delete( 987654321 ),
			fn() => $this->webhooks->rotate_secret( 987654321 ),
			fn() => $this->webhooks->send_test( 987654321 ),
		) as $i => $call ) {
			try {
				$call();
				$this->fail( "call $i: no exception" );
			} catch ( NotFoundException $e ) {
				$this->assertStringContainsString( '987654321', $e->getMessage() );
			}
		}
	}

	public function test_unknown_format_rejected(): void {
		$this->expectException( \ValueError::class );
		$this->create_webhook( array( 'url' => 'https://example.com/a', 'format' => 'xml' ) );
	}

	public function test_event_catalog(): void {
		$types = ( new \Umw\Service\Events() )->types();
		$this->assertArrayHasKey( 'payment_received', $types );
		$this->assertIsArray( $types['payment_received']['sample'] );
		$this->expectException( NotFoundException::class );
		( new \Umw\Service\Events() )->get( 'no_such_event_xyz' );
	}
}
