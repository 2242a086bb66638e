<?php
// End to end: emit N events as fast as this process can (to the store's `ok` webhook, the fast
// receiver), then wait until every one is delivered. Embedded, this process delivers them itself;
// in agent mode it only spools them and the agent delivers.
//   php e2e.php <N> <max_seconds>
require __DIR__ . '/common.php';
[$_, $n, $max] = $argv;
$n = (int)$n;
$ok = null;
foreach (umw_list_webhooks() as $w) if ($w['name'] === 'ok') $ok = $w['id'];
$delivered = fn() => umw_count_deliveries(['webhook_id' => $ok, 'status' => 'delivered']);
$before = $delivered();
$payload = bench_payload();
$cpu0 = bench_cpu_seconds();
$deadline = microtime(true) + (float)$max;
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) umw_emit('payment_received', $payload);
$emit_s = (hrtime(true) - $t) / 1e9;
do {
    $done = $delivered() - $before;
    if ($done >= $n) break;
    usleep(20000);
} while (microtime(true) < $deadline);
$secs = (hrtime(true) - $t) / 1e9;
bench_out('events', $n);
bench_out('delivered', $done);
bench_out('emit_s', $emit_s);
bench_out('total_s', $secs);
bench_out('per_s', $done / $secs);
bench_out('process_cpu_us_per_event', 1e6 * (bench_cpu_seconds() - $cpu0) / max(1, $n));
