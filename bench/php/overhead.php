<?php
// Per-process cost: RSS and threads before umw is used and after a request's worth of use (one
// emit, then umw_flush: embedded, the writer and delivery runtime are running; agent mode, the
// event is in the spool and the agent has taken it). Then, as information, after an admin call
// (umw_stats opens this process's own store connection).
require __DIR__ . '/common.php';
gc_collect_cycles();
$rss0 = bench_rss_kb(); $th0 = bench_threads();
if (!function_exists('umw_stats')) { bench_out('rss_noext_kb', $rss0); bench_out('threads_noext', $th0); exit(0); }
umw_emit('payment_received', bench_payload());
umw_flush(2.0);
usleep(200000);
$rss1 = bench_rss_kb(); $th1 = bench_threads();
umw_stats();
$rss2 = bench_rss_kb();
bench_out('rss_before_kb', $rss0);
bench_out('rss_after_kb', $rss1);
bench_out('rss_added_mb', ($rss1 - $rss0) / 1024.0);
bench_out('rss_admin_added_mb', ($rss2 - $rss1) / 1024.0);
bench_out('threads_before', $th0);
bench_out('threads_after', $th1);
bench_out('threads_added', $th1 - $th0);
