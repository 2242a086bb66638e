<?php

namespace Umw\Tests;

use Umw\Admin\Actions;
use Umw\Admin\Admin;
use Umw\Admin\DeliveriesPage;
use Umw\Admin\WebhookForm;
use Umw\Admin\WebhooksPage;
use Umw\Admin\WebhookTools;

/**
 * The screens a first-time network admin meets (issue 13 items 12, 14, 15, 16, 17), rendered in-process.
 */
final class AdminScreensTest extends TestCase {

	use WithReceiver;

	protected function setUp(): void {
		parent::setUp();
		set_current_screen( 'toplevel_page_umw-webhooks-network' );
		$_GET = $_REQUEST = array();
	}

	protected function tearDown(): void {
		$_GET = $_REQUEST = array();
		delete_user_option( get_current_user_id(), Admin::OPTION_WEBHOOKS_PER_PAGE, true );
		parent::tearDown();
	}

	private function request( array $args ): void {
		$_GET     = array_merge( $_GET, $args );
		$_REQUEST = $_GET;
	}

	public function test_list_has_views_sorting_paging_row_actions_and_help(): void {
		$a = $this->create_webhook( array( 'name' => 'views A', 'url' => 'https://example.com/a' ) );
		$b = $this->create_webhook( array( 'name' => 'views B', 'url' => 'https://example.com/b', 'active' => false ) );
		$this->request( array( 'page' => Admin::PAGE_WEBHOOKS ) );
		WebhooksPage::load();
		$screen = get_current_screen();
		$this->assertNotNull( $screen->get_help_tab( 'umw-overview' ), 'Help tab' );
		$this->assertNotNull( $screen->get_help_tab( 'umw-statuses' ) );
		$this->assertSame( Admin::OPTION_WEBHOOKS_PER_PAGE, $screen->get_option( 'per_page', 'option' ), 'Screen Options: per page' );

		$counts = $this->webhooks->view_counts();
		$html   = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertMatchesRegularExpression( '#class="current" aria-current="page">All <span class="count">\(' . $counts['all'] . '\)</span>#', $html );
		$this->assertStringContainsString( 'Inactive <span class="count">(' . $counts['inactive'] . ')</span>', $html );
		foreach ( array( 'orderby=name', 'orderby=url', 'orderby=last_delivery_at', 'orderby=id' ) as $sort ) {
			$this->assertStringContainsString( $sort, html_entity_decode( $html ), "sortable: $sort" );
		}
		$this->assertStringContainsString( 'action=' . Actions::SET_ACTIVE . '&id=' . $a['id'] . '&active=0', html_entity_decode( $html ), 'row Deactivate' );
		$this->assertStringContainsString( 'action=' . Actions::SET_ACTIVE . '&id=' . $b['id'] . '&active=1', html_entity_decode( $html ), 'row Activate' );
		$this->assertStringContainsString( 'data-confirm="Delete &quot;views A&quot;? Its delivery log', $html );

		$this->request( array( 'status' => 'inactive', 'orderby' => 'name', 'order' => 'desc' ) );
		$inactive = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertStringContainsString( 'views B', $inactive );
		$this->assertStringNotContainsString( '>views A<', $inactive );

		update_user_option( get_current_user_id(), Admin::OPTION_WEBHOOKS_PER_PAGE, 1, true );
		$this->request( array( 'status' => 'all', 'orderby' => 'id', 'order' => 'asc' ) );
		$paged = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertSame( 1, substr_count( $paged, 'name="webhook[]"' ), 'the per-page screen option is honoured' );
		$this->assertMatchesRegularExpression( '/class=.next-page/', $paged, 'a second page' );
	}

	public function test_empty_network_shows_what_a_webhook_is_and_how_to_start(): void {
		foreach ( $this->webhooks->list() as $hook ) {
			umw_delete_webhook( (int) $hook['id'] );
		}
		$html = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertStringContainsString( 'id="umw-empty-state"', $html );
		$this->assertStringContainsString( 'Add your first webhook', $html );
		$this->assertStringContainsString( 'signed HTTP POST', $html );
		$this->assertStringNotContainsString( 'wp-list-table', $html );
	}

	public function test_edit_form_events_preview_test_dropdown_and_missing_id(): void {
		$hook = $this->create_webhook( array( 'name' => 'form', 'url' => self::$receiver->url( '/ok' ), 'events' => array( 'payment_received', 'site_published' ), 'format' => 'envelope' ) );
		WebhookTools::remember_test_event( (int) $hook['id'], 'site_published' );
		$html = $this->render( static fn() => WebhookForm::render( umw_get_webhook( (int) $hook['id'] ) ) );
		$this->assertStringNotContainsString( 'max-height:320px', $html, 'no scroll box hiding the selection' );
		$this->assertStringContainsString( '<h4>Payments</h4>', $html, 'events grouped' );
		$this->assertStringContainsString( 'id="umw-events-summary" aria-live="polite">Selected: Payment Received, Site Published<', $html );
		$this->assertMatchesRegularExpression( '#id="umw-sample-preview"[^>]*>\{\s*&quot;type&quot;: &quot;payment_received&quot;#', $html, 'the preview is in the Envelope format' );
		$this->assertMatchesRegularExpression( '#<option value="site_published"\s+selected=\'selected\'>Site Published \(site_published\)</option>#', $html, 'labels, and the last tested event kept' );
		$this->assertStringContainsString( 'class="spinner umw-spinner"', $html );
		$this->assertStringContainsString( 'umw-busy-form', $html );

		$this->request( array( 'action' => 'edit', 'id' => '987654321' ) );
		$missing = $this->render( array( WebhooksPage::class, 'render' ) );
		$this->assertStringContainsString( '<h1 class="wp-heading-inline">Edit Webhook</h1>', $missing );
		$this->assertStringContainsString( 'id="umw-not-found"', $missing );
		$this->assertStringContainsString( 'Webhook 987654321 not found.', $missing );
		$this->assertStringContainsString( 'See all webhooks', $missing );
		$this->assertStringEndsWith( '</div>', trim( $missing ), 'the layout closes' );
	}

	public function test_deliveries_list_total_filters_in_the_table_nav_and_detail(): void {
		$hook = $this->create_webhook( array( 'name' => 'Detail <hook>', 'url' => self::$receiver->url( '/fail' ), 'events' => array( 'payment_received' ), 'headers' => array( 'Authorization' => 'Bearer hide-me' ) ) );
		$test = $this->webhooks->send_test( (int) $hook['id'] );
		set_current_screen( 'webhooks_page_umw-deliveries-network' );
		DeliveriesPage::load();
		$this->assertNotNull( get_current_screen()->get_help_tab( 'umw-deliveries' ) );
		$this->request( array( 'webhook_id' => (string) $hook['id'] ) );
		$list = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertMatchesRegularExpression( '#<span class="displaying-num">1 item</span>#', $list, 'total count' );
		$this->assertMatchesRegularExpression( '#<div class="alignleft actions umw-filters">.*id="umw-filter-webhook"#s', $list, 'filters in the table nav' );
		$this->assertStringContainsString( 'list="umw-event-names"', $list, 'any event can be typed; names are suggested' );
		$this->assertStringContainsString( 'Failed <span class="count">(1)</span>', $list, 'status views' );
		$this->assertStringContainsString( 'umw-badge-test', $list );

		$this->request( array( 'delivery' => $test['delivery_id'] ) );
		$detail = $this->render( array( DeliveriesPage::class, 'render' ) );
		$this->assertStringContainsString( 'Detail &lt;hook&gt;</a>', $detail, 'the webhook by name' );
		$this->assertStringContainsString( 'class="umw-attempt-url">POST ' . self::$receiver->url( '/fail' ), $detail );
		$this->assertMatchesRegularExpression( '#umw-request-headers">.*webhook-signature: #s', $detail );
		$this->assertStringContainsString( 'Authorization: ••••••', $detail );
		$this->assertStringNotContainsString( 'hide-me', $detail );
		$this->assertMatchesRegularExpression( '#umw-response-headers">.*x-receiver: umw-phpunit#s', $detail );
		$this->assertSame( 1, substr_count( strip_tags( $detail ), 'HTTP 500' ), 'the status is said once' );
	}

	public function test_plugin_row_links(): void {
		$links = Admin::plugin_links( array( 'deactivate' => '<a>Deactivate</a>' ) );
		$this->assertSame( array( 'umw-settings', 'umw-dashboard', 'deactivate' ), array_keys( $links ) );
		$this->assertStringContainsString( 'page=umw-webhooks', $links['umw-settings'] );
	}
}
