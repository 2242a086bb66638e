<?php
// An idle PHP process: one emit delivered (the runtime is up), then nothing for <seconds>. Prints
// the CPU the whole process (every thread) used meanwhile: what umw costs a worker between requests.
//   php idle.php <seconds>
require __DIR__ . '/common.php';
$secs = (float)($argv[1] ?? 10);
umw_emit('payment_received', bench_payload());
umw_flush(5.0);
usleep(500000);
$c0 = bench_cpu_seconds(); $t0 = hrtime(true);
usleep((int)($secs * 1e6));
$c1 = bench_cpu_seconds(); $wall = (hrtime(true) - $t0) / 1e9;
bench_out('cpu_s', $c1 - $c0);
bench_out('wall_s', $wall);
bench_out('cpu_pct', 100.0 * ($c1 - $c0) / $wall);
bench_out('threads', bench_threads());
