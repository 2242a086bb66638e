<?php
// Build a backlog: the webhook's endpoint is down (accepts, never answers) while N events are
// emitted. Reports the process's RSS over time and the store's size per event. The process then
// exits; its shutdown hands its claims back, so every delivery is pending for any process.
//   php backlog.php <hang_url> <N> <store_path>
require __DIR__ . '/common.php';
[$_, $url, $n, $store] = $argv;
$n = (int)$n;
$deadline = microtime(true) + (float)(getenv('BENCH_MAX_SECONDS') ?: 300);
umw_register_webhook(['name' => 'backlog', 'url' => $url, 'events' => ['payment_received']]);
$payload = bench_payload();
// No-backlog size: runtime started, a few events emitted and persisted.
for ($i = 0; $i < 100; $i++) umw_emit('payment_received', $payload);
$until = microtime(true) + 5;
while (umw_stats()['queued'] > 0 && microtime(true) < $until) usleep(10000);
gc_collect_cycles();
$rss0 = bench_rss_kb();
$max = $rss0;
$t = hrtime(true);
$done = 100;
for ($i = 100; $i < $n && microtime(true) < $deadline; $i++) {
    umw_emit('payment_received', $payload);
    $done++;
    if ($i % 5000 === 0) $max = max($max, bench_rss_kb());
}
$emit_s = (hrtime(true) - $t) / 1e9;
$until = microtime(true) + 60;
while (umw_stats()['queued'] > 0 && microtime(true) < $until) { $max = max($max, bench_rss_kb()); usleep(20000); }
$max = max($max, bench_rss_kb());
$rss_end = bench_rss_kb();
$size = 0;
foreach (['', '-wal'] as $sfx) { clearstatcache(); $size += is_file($store . $sfx) ? filesize($store . $sfx) : 0; }
bench_out('events', $done);
bench_out('emit_s', $emit_s);
bench_out('rss0_kb', $rss0);
bench_out('rss_max_kb', $max);
bench_out('rss_end_kb', $rss_end);
bench_out('rss_growth_mb', ($max - $rss0) / 1024.0);
bench_out('store_bytes', $size);
bench_out('bytes_per_event', $size / max(1, $done));
bench_out('store_errors', umw_stats()['store_errors']);
