<?php
// For callgrind: N json_encode or N umw_emit of the payload (N = 0 gives the fixed cost).
require __DIR__ . '/common.php';
[$_, $mode, $n, $url] = $argv;
$p = bench_payload();
if ($mode === 'emit') { umw_register_webhook(['name' => 'cg', 'url' => $url, 'events' => ['payment_received']]); umw_emit('payment_received', $p); }
else { json_encode($p); }
for ($i = 0; $i < (int)$n; $i++) { $mode === 'emit' ? umw_emit('payment_received', $p) : json_encode($p); }
if ($mode === 'emit') umw_flush(5.0);
