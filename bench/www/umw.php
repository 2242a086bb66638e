<?php
// One event per request through umw (the webhook's endpoint is set by run.sh).
require __DIR__ . '/../php/common.php';
$payload = bench_payload(mt_rand());
umw_emit('payment_received', $payload);
echo "ok\n";
