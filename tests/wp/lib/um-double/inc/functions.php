<?php
/**
 * The double's public functions (inc/functions/*.php of UM 2.4.10), only those the events and webhooks use.
 *
 * @package Umw\Tests
 */

defined( 'ABSPATH' ) || exit;

use WP_Ultimo\Managers\Event_Manager;

/** inc/functions/event.php:24-27. */
function wu_do_event( $slug, $payload ) {
	return Event_Manager::get_instance()->do_event( $slug, $payload );
}

/** inc/functions/event.php:38-41. */
function wu_register_event_type( $slug, $args ) {
	return Event_Manager::get_instance()->register_event( $slug, $args );
}

/** inc/functions/event.php:50-53. */
function wu_get_event_types() {
	return Event_Manager::get_instance()->get_events();
}

/** inc/functions/event.php (wu_get_event_type). */
function wu_get_event_type( $slug ) {
	return Event_Manager::get_instance()->get_event( $slug );
}

/** inc/functions/helper.php:21-24. */
function wu_get_version() {
	return class_exists( \WP_Ultimo::class ) ? \WP_Ultimo::VERSION : '';
}

/** inc/functions/event.php wu_maybe_lazy_load_payload: call the closure, then `wu_version` last. */
function wu_maybe_lazy_load_payload( $payload ) {
	if ( is_callable( $payload ) ) {
		$payload = (array) call_user_func( $payload );
	}
	$payload['wu_version'] = wu_get_version();
	return $payload;
}

/** inc/functions/settings.php:37 → Settings::get_setting (class-settings.php:199-210), KEY 'v2_settings'. */
function wu_get_setting( $setting, $default_value = false ) {
	$settings = get_network_option( null, 'wp-ultimo_v2_settings', array() );
	return is_array( $settings ) && array_key_exists( $setting, $settings ) ? $settings[ $setting ] : $default_value;
}

function wu_string_to_bool( $value ) {
	return is_bool( $value ) ? $value : in_array( strtolower( (string) $value ), array( '1', 'true', 'yes', 'on' ), true );
}

function wu_request( $key, $default_value = false ) {
	return isset( $_REQUEST[ $key ] ) ? wp_unslash( $_REQUEST[ $key ] ) : $default_value; // phpcs:ignore
}

/** inc/functions/webhook.php: wu_get_webhook / wu_get_webhooks / wu_create_webhook. */
function wu_get_webhook( $webhook_id ) {
	return \WP_Ultimo\Models\Webhook::get_by_id( $webhook_id );
}

function wu_get_webhooks( $query = array() ) {
	return \WP_Ultimo\Models\Webhook::get_all( $query );
}

function wu_create_webhook( $webhook_data ) {
	$webhook_data = wp_parse_args(
		$webhook_data,
		array(
			'name'         => false,
			'webhook_url'  => false,
			'event'        => false,
			'active'       => false,
			'event_count'  => 0,
			'date_created' => gmdate( 'Y-m-d H:i:s' ),
		)
	);
	$webhook      = new \WP_Ultimo\Models\Webhook( $webhook_data );
	$saved        = $webhook->save();
	return is_wp_error( $saved ) ? $saved : $webhook;
}

/** inc/functions/event.php wu_create_event: a row in the (network-prefixed) events table. */
function wu_create_event( $event_data ) {
	global $wpdb;
	$event_data = wp_parse_args(
		$event_data,
		array(
			'severity'     => 3,
			'initiator'    => 'system',
			'author_id'    => get_current_user_id(),
			'object_type'  => 'network',
			'object_id'    => 0,
			'date_created' => gmdate( 'Y-m-d H:i:s' ),
			'payload'      => array(),
		)
	);
	$event_data['payload'] = maybe_serialize( $event_data['payload'] );
	$wpdb->insert( \WP_Ultimo\Database\Events_Table::name(), $event_data ); // phpcs:ignore WordPress.DB
	return (int) $wpdb->insert_id;
}

/**
 * inc/functions/event.php wu_generate_event_payload: the keys, order and value types UM builds for each model
 * (domain flags through var_export(bool, true), so the strings 'true'/'false'). $model is an array of overrides
 * here (the double has no models); without one, mock values as in inc/functions/mock.php.
 */
function wu_generate_event_payload( $model_name, $model = false ): array {
	$m = is_array( $model ) ? $model : array();
	$v = static fn( string $key, $default ) => array_key_exists( $key, $m ) ? $m[ $key ] : $default;
	switch ( $model_name ) {
		case 'customer':
			return array(
				'customer_id'                 => $v( 'id', 0 ),
				'customer_name'               => $v( 'display_name', 'John McMocked' ),
				'customer_user_id'            => $v( 'user_id', 0 ),
				'customer_user_email'         => $v( 'user_email', 'mockeduser@dev.dev' ),
				'customer_email_verification' => $v( 'email_verification', 'none' ),
				'customer_avatar'             => $v( 'avatar', '' ),
				'customer_billing_address'    => $v( 'billing_address', "Company Co.\ncompany@co.dev" ),
				'customer_manage_url'         => network_admin_url( 'admin.php?page=wp-ultimo-edit-customer&id=' . $v( 'id', 0 ) ),
			);
		case 'membership':
			return array(
				'membership_id'                 => $v( 'id', 0 ),
				'membership_status'             => $v( 'status', 'pending' ),
				'membership_reference_code'     => $v( 'reference_code', '' ),
				'membership_initial_amount'     => '$' . number_format( (float) $v( 'initial_amount', 0 ), 2 ),
				'membership_initial_amount_raw' => $v( 'initial_amount', 0 ),
				'membership_amount'             => '$' . number_format( (float) $v( 'amount', 0 ), 2 ),
				'membership_amount_raw'         => $v( 'amount', 0 ),
				'membership_currency'           => $v( 'currency', 'USD' ),
				'membership_description'        => $v( 'formatted_price', 'Free!' ),
				'membership_gateway'            => $v( 'gateway', '' ),
				'membership_date_expiration'    => $v( 'date_expiration', null ),
				'membership_manage_url'         => network_admin_url( 'admin.php?page=wp-ultimo-edit-membership&id=' . $v( 'id', 0 ) ),
			);
		case 'payment':
			return array(
				'payment_id'             => $v( 'id', 0 ),
				'payment_status'         => $v( 'status', 'pending' ),
				'payment_reference_code' => $v( 'reference_code', '' ),
				'payment_subtotal'       => '$' . number_format( (float) $v( 'subtotal', 0 ), 2 ),
				'payment_subtotal_raw'   => $v( 'subtotal', 0.0 ),
				'payment_tax_total'      => '$' . number_format( (float) $v( 'tax_total', 0 ), 2 ),
				'payment_tax_total_raw'  => $v( 'tax_total', 0.0 ),
				'payment_total'          => '$' . number_format( (float) $v( 'total', 0 ), 2 ),
				'payment_total_raw'      => $v( 'total', 0.0 ),
				'payment_currency'       => $v( 'currency', 'USD' ),
				'payment_product_names'  => $v( 'product_names', 'Test Product' ),
				'payment_date_created'   => $v( 'date_created', null ),
				'payment_gateway'        => $v( 'gateway', '' ),
				'payment_invoice_url'    => add_query_arg( array( 'action' => 'invoice' ), get_site_url( get_main_site_id() ) ),
				'payment_manage_url'     => network_admin_url( 'admin.php?page=wp-ultimo-edit-payment&id=' . $v( 'id', 0 ) ),
			);
		case 'site':
			return array(
				'site_id'          => $v( 'blog_id', 0 ),
				'site_title'       => $v( 'title', 'Example Site' ),
				'site_description' => $v( 'description', 'This is an example of a site description.' ),
				'site_url'         => $v( 'siteurl', 'https://examplesite.dev' ),
				'site_admin_url'   => get_admin_url( (int) $v( 'blog_id', 0 ) ),
				'site_manage_url'  => network_admin_url( 'admin.php?page=wp-ultimo-edit-site&id=' . $v( 'blog_id', 0 ) ),
			);
		case 'domain':
			return array(
				'domain_id'           => $v( 'id', 0 ),
				'domain_domain'       => $v( 'domain', 'example.com' ),
				'domain_site_id'      => $v( 'blog_id', 1 ),
				'domain_stage'        => $v( 'stage', 'checking-dns' ),
				'domain_active'       => var_export( wu_string_to_bool( $v( 'active', true ) ), true ), // phpcs:ignore
				'domain_primary'      => var_export( wu_string_to_bool( $v( 'primary_domain', true ) ), true ), // phpcs:ignore
				'domain_secure'       => var_export( wu_string_to_bool( $v( 'secure', true ) ), true ), // phpcs:ignore
				'domain_date_created' => $v( 'date_created', null ),
				'domain_manage_url'   => network_admin_url( 'admin.php?page=wp-ultimo-edit-domain&id=' . $v( 'id', 0 ) ),
			);
	}
	return array();
}
