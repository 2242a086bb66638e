<?php
// The endpoint comes back: point the webhook at the live receiver and let this (long-lived)
// process's background runtime drain the backlog. Reports deliveries/s.
//   php drain.php <recv_url> <store_path> <max_seconds>
require __DIR__ . '/common.php';
[$_, $url, $store, $max] = $argv;
$db = new PDO('sqlite:' . $store);
$left = fn() => (int)$db->query("SELECT COUNT(*) FROM deliveries WHERE status IN ('pending','retrying')")->fetchColumn();
$start_left = $left();
// The URL was switched by a separate process (run.sh) before this one started: a runtime that
// starts first would claim deliveries with the old (dead) target and queue the rest behind them.
$t = hrtime(true);
$deadline = microtime(true) + (float)$max;
umw_stats(); // make sure the runtime runs
$remaining = $start_left;
while (microtime(true) < $deadline) {
    usleep(100000);
    $remaining = $left();
    if ($remaining === 0) break;
}
umw_flush(2.0);
$secs = (hrtime(true) - $t) / 1e9;
$ok = (int)$db->query("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'")->fetchColumn();
bench_out('backlog', $start_left);
bench_out('remaining', $remaining);
bench_out('drain_s', $secs);
bench_out('delivered_total', $ok);
bench_out('drain_per_s', ($start_left - $remaining) / $secs);
