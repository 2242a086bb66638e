<?php
/**
 * Thrown by the services when a webhook, delivery or event type does not exist.
 * REST maps it to 404, the admin to an error notice, WP-CLI to WP_CLI::error.
 *
 * @package Umw
 */

namespace Umw\Service;

defined( 'ABSPATH' ) || exit;

class NotFoundException extends \OutOfBoundsException {
}
