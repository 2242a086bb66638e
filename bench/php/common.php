<?php
// Shared by the benchmark scripts: the payload, timing helpers, WordPress's HTTP API.

/** A ~1.1 KB Ultimate-Multisite-like nested payload (payment + membership + customer). */
function bench_payload(int $i = 0): array {
    return [
        'wu_version' => '2.3.4',
        'payment' => [
            'id' => 1204 + $i, 'status' => 'completed', 'reference_code' => 'PAYK4M8ZT',
            'subtotal' => '$29.00', 'subtotal_raw' => 29, 'tax_total' => '$6.67', 'tax_total_raw' => 6.67,
            'total' => '$35.67', 'total_raw' => 35.67, 'currency' => 'USD', 'product_names' => 'Premium Plan',
            'date_created' => '2026-11-28 14:03:12', 'gateway' => 'stripe',
            'invoice_url' => 'https://network.example.com/invoice/PAYK4M8ZT/',
            'line_items' => [
                ['product' => 'Premium Plan', 'quantity' => 1, 'unit_price' => 29.0, 'tax_rate' => 23.0],
                ['product' => 'Setup fee', 'quantity' => 1, 'unit_price' => 20.0, 'tax_rate' => 23.0],
            ],
        ],
        'membership' => [
            'id' => 318, 'status' => 'active', 'reference_code' => 'MBR7Q2KX9',
            'initial_amount' => '$49.00', 'amount' => '$29.00', 'amount_raw' => 29, 'currency' => 'USD',
            'description' => '$29.00 / month, $49.00 setup', 'gateway' => 'stripe', 'auto_renew' => true,
            'date_expiration' => '2026-12-28 14:03:12',
            'manage_url' => 'https://network.example.com/wp-admin/network/memberships/318/',
        ],
        'customer' => [
            'id' => 42, 'name' => 'Maria Silva', 'user_id' => 187, 'user_email' => 'maria.silva@example.com',
            'email_verification' => 'verified', 'vip' => false,
            'billing_address' => ['line1' => 'Rua Augusta 274', 'postcode' => '1100-053', 'city' => 'Lisbon', 'country' => 'PT'],
            'manage_url' => 'https://network.example.com/wp-admin/network/customers/42/',
        ],
    ];
}

function bench_median(array $xs): float {
    sort($xs);
    $n = count($xs);
    if ($n === 0) return NAN;
    return $n % 2 ? (float)$xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2.0;
}

function bench_rss_kb(): int {
    $s = @file_get_contents('/proc/self/status');
    return preg_match('/^VmRSS:\s+(\d+)/m', (string)$s, $m) ? (int)$m[1] : -1;
}

/** CPU seconds this process has used so far, every thread counted (user + system). */
function bench_cpu_seconds(): float {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6 + $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6;
}

function bench_threads(): int {
    return count(scandir('/proc/self/task')) - 2;
}

/** key=value lines on stdout: run.sh collects them. */
function bench_out(string $key, $value): void {
    if (is_float($value)) $value = sprintf('%.6g', $value);
    echo $key, '=', is_bool($value) ? ($value ? '1' : '0') : $value, "\n";
}

/**
 * WordPress's own HTTP API (wp-includes/class-wp-http.php + Requests), loaded standalone with
 * the handful of WordPress functions it calls stubbed. Returns false when not installed.
 */
function bench_load_wp_http(): bool {
    $inc = getenv('WP_INCLUDES') ?: '/usr/share/wordpress/wp-includes';
    if (!is_file("$inc/class-wp-http.php")) return false;
    if (function_exists('wp_remote_post')) return true;
    if (!defined('ABSPATH')) define('ABSPATH', dirname($inc) . '/');
    if (!defined('WPINC')) define('WPINC', 'wp-includes');
    $GLOBALS['wp_version'] = '6.1';
    require_once "$inc/plugin.php";        // apply_filters/do_action (WP_Hook): the real ones
    require_once "$inc/class-wp-error.php";
    require_once "$inc/class-requests.php";
    Requests::register_autoloader();       // as wp-settings.php does
    Requests::set_certificate_path("$inc/certificates/ca-bundle.crt");
    require_once "$inc/class-wp-http.php";
    require_once "$inc/class-wp-http-proxy.php";
    require_once "$inc/class-wp-http-response.php";
    require_once "$inc/class-wp-http-requests-response.php";
    require_once "$inc/class-wp-http-requests-hooks.php";
    require_once "$inc/class-wp-http-cookie.php";
    require_once "$inc/http.php";          // wp_remote_post, wp_http_validate_url, wp_parse_url
    require_once __DIR__ . '/wp_stubs.php';
    return true;
}
