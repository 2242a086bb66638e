<?php
// Emit cost per event in one PHP CLI process.
//   php emit_cost.php umw  <url> <rounds> <iters> [sustained]   json_encode vs umw_emit, interleaved
//     rounds of <iters> events (fit umw.queue_capacity), then one sustained run of [sustained]
//     back-to-back events (beyond the writer's persist rate: the queue fills, emit writes inline)
//   php emit_cost.php wp   <url> <rounds> <iters> [timeout]   wp_remote_post the way Ultimate Multisite does
// Prints key=value lines: medians of per-round ns/event.
require __DIR__ . '/common.php';

[$_, $mode, $url, $rounds, $iters, $sustained] = $argv + [null, 'umw', '', 5, 5000, 0];
$rounds = (int)$rounds;
$iters = (int)$iters;
$payload = bench_payload();
$deadline = microtime(true) + (float)(getenv('BENCH_MAX_SECONDS') ?: 120);

if ($mode === 'umw') {
    // Agent mode: umw_flush waits until the agent has taken everything from the spool; embedded:
    // until this process's writer has persisted its queue (not for the deliveries).
    $agent = ini_get('umw.delivery') === 'agent';
    $settle = function (float $secs) use ($agent): void {
        if ($agent) { umw_flush($secs); return; }
        $until = microtime(true) + $secs;
        while (umw_stats()['queued'] > 0 && microtime(true) < $until) usleep(5000);
    };
    // BENCH_NO_REGISTER=1: the store already has its webhooks (the 1 vs 10,000 webhooks rows).
    if (!getenv('BENCH_NO_REGISTER')) {
        umw_register_webhook(['name' => 'bench', 'url' => $url, 'events' => ['payment_received']]);
    }
    // Warm up: start the runtime, fill caches, connect.
    for ($i = 0; $i < 200; $i++) { json_encode($payload); umw_emit('payment_received', $payload); }
    umw_flush(2.0);
    // ns per event of $n json_encode calls, then of $n umw_emit calls, back to back.
    $round = function (int $n) use ($payload): array {
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) { json_encode($payload); }
        $j = (hrtime(true) - $t) / $n;
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) { umw_emit('payment_received', $payload); }
        return [$j, (hrtime(true) - $t) / $n];
    };
    $json = $emit = $ratio = [];
    for ($r = 0; $r < $rounds && microtime(true) < $deadline; $r++) {
        [$j, $e] = $round($iters);
        $json[] = $j; $emit[] = $e; $ratio[] = $e / $j;
        // Let the writer (or the agent) persist this round before the next json round (bounded).
        $settle(5.0);
    }
    // Sustained: far more events than the queue holds, back to back, once.
    $sustained = (int)$sustained;
    if ($sustained > 0 && microtime(true) < $deadline) {
        [$j, $e] = $round($sustained);
        bench_out('sustained_events', $sustained);
        bench_out('sustained_json_ns', $j);
        bench_out('sustained_emit_ns', $e);
        bench_out('sustained_ratio', $e / $j);
        $settle(30.0);
    }
    $s = umw_stats();
    bench_out('json_ns', bench_median($json));
    bench_out('emit_ns', bench_median($emit));
    bench_out('ratio', bench_median($ratio));
    bench_out('rounds', count($emit));
    bench_out('round_events', $iters);
    bench_out('payload_bytes', strlen(json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)));
    bench_out('store_errors', $s['store_errors']);
    exit(0);
}

if ($mode === 'wp') {
    $timeout = (float)($argv[5] ?? 45);
    if (!bench_load_wp_http()) { fwrite(STDERR, "WordPress not found; using cURL directly\n"); }
    $post = function () use ($url, $payload, $timeout) {
        // As Ultimate Multisite sends a webhook (Webhook_Manager::send_webhook).
        if (function_exists('wp_remote_post')) {
            return wp_remote_post($url, [
                'method' => 'POST', 'timeout' => $timeout, 'redirection' => 5,
                'headers' => ['Content-Type' => 'application/json'], 'cookies' => [],
                'body' => json_encode($payload), 'blocking' => false,
            ]);
        }
        $ch = curl_init($url);
        curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => json_encode($payload),
            CURLOPT_HTTPHEADER => ['Content-Type: application/json'], CURLOPT_TIMEOUT => (int)ceil($timeout),
            CURLOPT_RETURNTRANSFER => true]);
        curl_exec($ch);
        curl_close($ch);
    };
    if ($iters > 5) $post();   // warm-up (skipped for the capped hanging case)
    $per = [];
    for ($r = 0; $r < $rounds && microtime(true) < $deadline; $r++) {
        $t = hrtime(true);
        for ($i = 0; $i < $iters; $i++) { $post(); }
        $per[] = (hrtime(true) - $t) / $iters;
    }
    bench_out('wp_ns', bench_median($per));
    bench_out('wp_rounds', count($per));
    bench_out('wp_loaded', function_exists('wp_remote_post'));
    exit(0);
}
fwrite(STDERR, "unknown mode $mode\n");
exit(2);
