<?php
// The endpoint comes back (run.sh pointed the webhook at the live receiver before this process
// started): count the backlog down until it is gone. Embedded, this long-lived process's own
// runtime drains it; as an admin process (umw.delivery=agent) it only watches the agent drain it.
// The rate is taken from the last look before the count first moved, so a drainer's start-up
// (the agent's, started just after this) is not counted as draining time.
//   php drain.php <max_seconds>
require __DIR__ . '/common.php';
$max = (float)($argv[1] ?? 120);
$left = fn() => umw_count_deliveries(['status' => 'pending']) + umw_count_deliveries(['status' => 'retrying']);
$start_left = $left();
$cpu0 = bench_cpu_seconds();
$deadline = microtime(true) + $max;
$t0 = hrtime(true);
$remaining = $start_left;
while (microtime(true) < $deadline) {
    usleep(50000);
    $remaining = $left();
    if ($remaining === $start_left) { $t0 = hrtime(true); continue; }
    if ($remaining === 0) break;
}
$secs = max(1e-3, (hrtime(true) - $t0) / 1e9);
bench_out('backlog', $start_left);
bench_out('remaining', $remaining);
bench_out('drain_s', $secs);
bench_out('delivered_total', umw_count_deliveries(['status' => 'delivered']));
bench_out('drain_per_s', ($start_left - $remaining) / $secs);
// Embedded: this process delivered them (every thread counted); watching the agent: the watcher's own.
if (ini_get('umw.delivery') !== 'agent') bench_out('cpu_us_per_delivery', 1e6 * (bench_cpu_seconds() - $cpu0) / max(1, $start_left - $remaining));
