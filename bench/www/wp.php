<?php
// One event per request the way Ultimate Multisite sends it: WordPress's wp_remote_post inline,
// timeout 45, blocking false (the cURL transport still runs the request to completion).
// ?to=<url>&timeout=<s> (the hanging case passes a capped timeout).
require __DIR__ . '/../php/common.php';
bench_load_wp_http();
$payload = bench_payload(mt_rand());
wp_remote_post($_GET['to'] ?? 'http://127.0.0.1:9/', [
    'method' => 'POST', 'timeout' => (float)($_GET['timeout'] ?? 45), 'redirection' => 5,
    'headers' => ['Content-Type' => 'application/json'], 'cookies' => [],
    'body' => json_encode($payload), 'blocking' => false,
]);
echo "ok\n";
