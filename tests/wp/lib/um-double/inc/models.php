<?php
/**
 * The Webhook model of the double: UM's properties, defaults and validation
 * (inc/models/class-webhook.php:30-125) and Base_Model's save/delete hooks
 * (inc/models/class-base-model.php:506-666).
 *
 * @package Umw\Tests
 */

namespace WP_Ultimo\Models;

use WP_Ultimo\Database\Webhook_Query;

defined( 'ABSPATH' ) || exit;

class Webhook {

	/** Base_Model::__construct: sanitize_key of the short class name (class-base-model.php:141). */
	public $model = 'webhook';

	protected $id               = 0;
	protected $name             = '';
	protected $webhook_url      = '';
	protected $event            = '';
	protected $event_count      = 0;
	protected $active           = true;
	protected $hidden           = false;
	protected $integration      = 'manual';
	protected $date_created;
	protected $date_last_failed = '0000-00-00 00:00:00';

	/** @param array<string,mixed>|object|null $data */
	public function __construct( $data = null ) {
		foreach ( (array) $data as $key => $value ) {
			if ( property_exists( $this, $key ) && 'model' !== $key ) {
				$this->{$key} = $value;
			}
		}
	}

	public function get_id() {
		return (int) $this->id;
	}
	public function get_name() {
		return $this->name;
	}
	public function set_name( $name ): void {
		$this->name = $name;
	}
	public function get_webhook_url() {
		return $this->webhook_url;
	}
	public function set_webhook_url( $url ): void {
		$this->webhook_url = $url;
	}
	public function get_event() {
		return $this->event;
	}
	public function set_event( $event ): void {
		$this->event = $event;
	}
	public function get_event_count() {
		return (int) $this->event_count;
	}
	public function set_event_count( $count ): void {
		$this->event_count = $count;
	}
	public function is_active() {
		return (bool) $this->active;
	}
	/** class-webhook.php:227-230: wu_string_to_bool. */
	public function set_active( $active ): void {
		$this->active = (bool) wu_string_to_bool( $active );
	}
	public function get_integration() {
		return $this->integration;
	}

	/** Base_Model::get_all (class-base-model.php:1055-1064): the query with no arguments. */
	public static function get_all( $query_args = array() ) {
		return ( new Webhook_Query() )->query( (array) $query_args );
	}

	public static function get_by_id( $id ) {
		$row = ( new Webhook_Query() )->get_item( (int) $id );
		return $row ? new static( $row ) : false;
	}

	/** class-webhook.php:114-125 validation_rules, the parts that matter: required name/url/event/integration. */
	private function validate() {
		if ( strlen( (string) $this->name ) < 2 ) {
			return new \WP_Error( 'name', 'The Name field must be at least 2 characters.' );
		}
		if ( ! in_array( wp_parse_url( (string) $this->webhook_url, PHP_URL_SCHEME ), array( 'http', 'https' ), true ) ) {
			return new \WP_Error( 'webhook_url', 'The Webhook URL must be a valid http(s) URL.' );
		}
		if ( '' === (string) $this->event ) {
			return new \WP_Error( 'event', 'The Event field is required.' );
		}
		if ( strlen( (string) $this->integration ) < 2 ) {
			return new \WP_Error( 'integration', 'The Integration field must be at least 2 characters.' );
		}
		return true;
	}

	/** Base_Model::save (class-base-model.php:506-627): validate, add or update, then the two post-save actions. */
	public function save() {
		$valid = $this->validate();
		if ( is_wp_error( $valid ) ) {
			return $valid;
		}
		$new  = ! $this->get_id();
		$data = array(
			'name'             => $this->name,
			'webhook_url'      => $this->webhook_url,
			'event'            => $this->event,
			'event_count'      => (int) $this->event_count,
			'active'           => (int) (bool) $this->active,
			'hidden'           => (int) (bool) $this->hidden,
			'integration'      => $this->integration,
			'date_last_failed' => $this->date_last_failed,
			'date_created'     => $this->date_created ?: gmdate( 'Y-m-d H:i:s' ),
		);
		$query = new Webhook_Query();
		if ( $new ) {
			$this->id = $query->add_item( $data );
			$saved    = $this->id > 0;
		} else {
			$saved = $query->update_item( $this->get_id(), $data );
		}
		wp_cache_delete( $this->get_id(), "wu-{$this->model}s" );
		do_action( 'wu_model_post_save', $this->model, $data, $data, $this );
		do_action( "wu_{$this->model}_post_save", $data, $this, $new );
		return $saved;
	}

	/** Base_Model::delete (class-base-model.php:636-666). */
	public function delete() {
		if ( ! $this->get_id() ) {
			return new \WP_Error( "wu_{$this->model}_delete_unsaved_item", 'Item not found.' );
		}
		do_action( "wu_{$this->model}_pre_delete", $this );
		$result = ( new Webhook_Query() )->delete_item( $this->get_id() );
		do_action( "wu_{$this->model}_post_delete", $result, $this );
		return $result;
	}

	public function to_array() {
		$out = get_object_vars( $this );
		unset( $out['model'] );
		return $out;
	}
}
