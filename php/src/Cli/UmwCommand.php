<?php
/**
 * `wp umw`: the command namespace (its docblock is what `wp help umw` shows).
 *
 * @package Umw
 */

namespace Umw\Cli;

defined( 'ABSPATH' ) || exit;

/**
 * Manages umw webhooks: durable, signed deliveries from the umw PHP extension.
 *
 * ## EXAMPLES
 *
 *     # Subscribe an endpoint and send it a test event
 *     $ wp umw webhook create https://example.com/hook --events=payment_received --porcelain
 *     7
 *     $ wp umw webhook test 7
 *     Success: payment_received delivered — HTTP 200 in 12 ms.
 *
 *     # What failed, and send it again
 *     $ wp umw delivery list --status=failed
 *     $ wp umw delivery replay 7 --since="-1 day"
 *
 *     # How deliveries went over the last week
 *     $ wp umw stats
 */
final class UmwCommand extends \WP_CLI\Dispatcher\CommandNamespace {
}
