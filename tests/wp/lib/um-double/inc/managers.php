<?php
/**
 * The managers of the double, hooks and priorities as UM 2.4.10 adds them.
 *
 * @package Umw\Tests
 */

namespace WP_Ultimo\Managers;

use WP_Ultimo\Models\Webhook;

defined( 'ABSPATH' ) || exit;

/** inc/traits/trait-singleton.php:31-40: one instance, init() on first get_instance(). */
trait Singleton {
	private static $instance;
	public static function get_instance() {
		if ( ! isset( static::$instance ) ) {
			static::$instance = new static();
			static::$instance->init();
		}
		return static::$instance;
	}
}

final class Event_Manager {
	use Singleton;

	protected $events        = array();
	protected $models_events = array();

	/** inc/managers/class-event-manager.php:72-89 (the hooks that matter). */
	public function init(): void {
		add_action( 'init', array( $this, 'register_all_events' ) );
	}

	/** class-event-manager.php:258-286. */
	public function do_event( $slug, $payload ) {
		$registered_event = $this->get_event( $slug );
		if ( ! $registered_event ) {
			return false;
		}
		// UM builds the registered sample on every event to look for missing keys; its check reads
		// $payload_diff[0], which an associative sample never has, so it never refuses (:267-274).
		$payload_diff = array_diff_key( wu_maybe_lazy_load_payload( $registered_event['payload'] ), $payload );
		if ( ! empty( $payload_diff[0] ) ) {
			return false;
		}
		$payload['wu_version'] = wu_get_version();
		do_action( 'wu_event', $slug, $payload );
		do_action( "wu_event_{$slug}", $payload );
		return true;
	}

	public function register_event( $slug, $args ): bool {
		$this->events[ $slug ] = $args;
		return true;
	}

	public function get_events() {
		return $this->events;
	}

	public function get_event( $slug ) {
		return $this->events[ $slug ] ?? false;
	}

	/** class-event-manager.php:372-497: five events, then the model events known so far, then an action. */
	public function register_all_events(): void {
		wu_register_event_type(
			'payment_received',
			array(
				'name'    => 'Payment Received',
				'desc'    => 'This event is fired every time a new payment is received, regardless of the payment status.',
				'payload' => fn() => array_merge( wu_generate_event_payload( 'payment' ), wu_generate_event_payload( 'membership' ), wu_generate_event_payload( 'customer' ) ),
			)
		);
		wu_register_event_type(
			'site_published',
			array(
				'name'    => 'Site Published',
				'desc'    => 'This event is fired every time a new site is created tied to a membership, or transitions from a pending state to a published state.',
				'payload' => fn() => array_merge( wu_generate_event_payload( 'site' ), wu_generate_event_payload( 'customer' ), wu_generate_event_payload( 'membership' ) ),
			)
		);
		wu_register_event_type(
			'confirm_email_address',
			array(
				'name'    => 'Email Verification Needed',
				'desc'    => 'This event is fired every time a new customer is added with an email verification status of pending.',
				'payload' => fn() => array_merge( array( 'verification_link' => 'https://linktoverifyemail.com' ), wu_generate_event_payload( 'customer' ) ),
			)
		);
		wu_register_event_type(
			'domain_created',
			array(
				'name'    => 'New Domain Mapping Added',
				'desc'    => 'This event is fired every time a new domain mapping is added by a customer.',
				'payload' => fn() => array_merge( wu_generate_event_payload( 'domain' ), wu_generate_event_payload( 'site' ), wu_generate_event_payload( 'membership' ), wu_generate_event_payload( 'customer' ) ),
			)
		);
		wu_register_event_type(
			'renewal_payment_created',
			array(
				'name'    => 'New Renewal Payment Created',
				'desc'    => 'This event is fired every time a new renewal payment is created by Ultimate Multisite.',
				'payload' => fn() => array_merge( array( 'default_payment_url' => 'https://linktopayment.com' ), wu_generate_event_payload( 'payment' ), wu_generate_event_payload( 'membership' ), wu_generate_event_payload( 'customer' ) ),
			)
		);
		// Empty at this point: the managers' closures that fill it run later on the same `init` 10.
		foreach ( $this->models_events as $model => $params ) {
			foreach ( $params['types'] as $type ) {
				wu_register_event_type(
					$model . '_' . $type,
					array(
						'name'    => sprintf( '%1$s %2$s', $params['label'], ucfirst( $type ) ),
						'desc'    => sprintf( 'This event is fired every time a %1$s is %2$s by Ultimate Multisite.', $params['label'], $type ),
						'payload' => fn() => wu_generate_event_payload( $model ),
					)
				);
			}
		}
		do_action( 'wu_register_all_events' );
	}

	/** class-event-manager.php:507-515. */
	public static function register_model_events( string $slug, string $label, array $event_types ): void {
		self::get_instance()->models_events[ $slug ] = array(
			'label' => $label,
			'types' => $event_types,
		);
	}
}

/** inc/managers/class-membership-manager.php:63-68. */
final class Membership_Manager {
	use Singleton;
	public function init(): void {
		add_action( 'init', fn() => Event_Manager::register_model_events( 'membership', 'Membership', array( 'created', 'updated' ) ) );
	}
}

/** inc/managers/class-payment-manager.php:70-78. */
final class Payment_Manager {
	use Singleton;
	public function init(): void {
		add_action( 'init', fn() => Event_Manager::register_model_events( 'payment', 'Payment', array( 'created', 'updated' ) ) );
	}
}

/** inc/managers/class-customer-manager.php:63-72. */
final class Customer_Manager {
	use Singleton;
	public function init(): void {
		add_action( 'init', fn() => Event_Manager::register_model_events( 'customer', 'Customer', array( 'created', 'updated' ) ) );
	}
}

/** inc/managers/class-webhook-manager.php. */
final class Webhook_Manager {
	use Singleton;

	/** :70-81 */
	public function init(): void {
		add_action( 'init', array( $this, 'register_webhook_listeners' ) );
		add_action( 'wp_ajax_wu_send_test_event', array( $this, 'send_test_event' ) );
	}

	/** :89-94: one listener per event registered by now, default priority 10. */
	public function register_webhook_listeners(): void {
		foreach ( wu_get_event_types() as $key => $event ) {
			add_action( 'wu_event_' . $key, array( $this, 'send_webhooks' ) );
		}
	}

	/** :104-115: every row of the default page, `active` not consulted. */
	public function send_webhooks( $args ): void {
		$webhooks = Webhook::get_all();
		foreach ( $webhooks as $webhook ) {
			if ( 'wu_event_' . $webhook->get_event() === current_filter() ) {
				$blocking = wu_get_setting( 'webhook_calls_blocking', false );
				$this->send_webhook( $webhook, $args, $blocking );
			}
		}
	}

	/** :128-189. */
	public function send_webhook( $webhook, $data, $blocking = true, $count = true ) {
		if ( ! $data ) {
			return null;
		}
		$request = wp_remote_post(
			$webhook->get_webhook_url(),
			array(
				'method'      => 'POST',
				'timeout'     => 45,
				'redirection' => 5,
				'headers'     => array( 'Content-Type' => 'application/json' ),
				'cookies'     => array(),
				'body'        => wp_json_encode( $data ),
				'blocking'    => $blocking,
			)
		);
		if ( is_wp_error( $request ) ) {
			$error_message = $request->get_error_message();
			if ( $count ) {
				$this->create_event( $webhook->get_event(), $webhook->get_id(), $webhook->get_webhook_url(), $data, $error_message, true );
			}
			return $error_message;
		}
		$response = $blocking ? wp_remote_retrieve_body( $request ) : '';
		if ( $count ) {
			$this->create_event( $webhook->get_event(), $webhook->get_id(), $webhook->get_webhook_url(), $data, $response );
			$webhook->set_event_count( $webhook->get_event_count() + 1 );
			$webhook->save();
		}
		return $response;
	}

	/** :196-226. */
	public function send_test_event(): void {
		if ( ! current_user_can( 'manage_network' ) ) {
			wp_send_json(
				array(
					'response' => 'You do not have enough permissions to send a test event.',
					'webhooks' => array(),
				)
			);
		}
		check_ajax_referer( 'wu_webhook_send_test', 'nonce' );
		$event    = wu_get_event_type( sanitize_text_field( wp_unslash( $_POST['webhook_event'] ?? '' ) ) );
		$webhook  = new Webhook(
			array(
				'active'      => true,
				'id'          => wu_request( 'webhook_id' ),
				'webhook_url' => wu_request( 'webhook_url' ),
			)
		);
		$response = $this->send_webhook( $webhook, wu_maybe_lazy_load_payload( $event['payload'] ), true, false );
		wp_send_json(
			array(
				'response' => htmlentities2( $response ),
				'id'       => wu_request( 'webhook_id' ),
			)
		);
	}

	/** :241-261. */
	protected function create_event( $event_name, $id, $url, $data, $response, $is_error = false ) {
		$message = sprintf( 'Sent a %s event to the URL %s with data: %s ', $event_name, $url, wp_json_encode( $data ) );
		$message .= $is_error ? sprintf( 'Got error: %s', $response ) : sprintf( 'Got response: %s', $response );
		wu_create_event(
			array(
				'object_id'   => $id,
				'object_type' => 'webhook',
				'slug'        => $event_name,
				'payload'     => array( 'message' => $message ),
			)
		);
	}
}

/** inc/managers/class-email-manager.php:76: UM's system emails listen on `wu_event` itself. */
final class Email_Manager {
	use Singleton;
	public function init(): void {
		add_action( 'wu_event', array( $this, 'send_system_email' ), 10, 2 );
	}
	public function send_system_email( $slug, $payload ): void {
		$GLOBALS['umw_test_um_system_emails'][] = $slug;
	}
}
