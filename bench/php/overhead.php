<?php
// Per-worker cost: RSS and threads before and after the runtime starts.
require __DIR__ . '/common.php';
gc_collect_cycles();
$rss0 = bench_rss_kb(); $th0 = bench_threads();
if (!function_exists('umw_stats')) { bench_out('rss_noext_kb', $rss0); bench_out('threads_noext', $th0); exit(0); }
umw_stats();                       // starts the runtime (writer thread + tokio workers + store)
umw_emit('payment_received', bench_payload());
umw_flush(1.0);
usleep(200000);
$rss1 = bench_rss_kb(); $th1 = bench_threads();
bench_out('rss_before_kb', $rss0);
bench_out('rss_after_kb', $rss1);
bench_out('rss_added_mb', ($rss1 - $rss0) / 1024.0);
bench_out('threads_before', $th0);
bench_out('threads_after', $th1);
bench_out('threads_added', $th1 - $th0);
