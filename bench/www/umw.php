<?php
// One event per request through umw: ?e=ok (payment_received → the fast receiver, the default),
// ?e=hang (→ the endpoint that never answers), ?e=count (→ the counting receiver). The webhooks are
// set up by php/setup_store.php; the pool (/emb/, /agent/, /mysql/) decides how umw delivers.
require __DIR__ . '/../php/common.php';
$events = ['ok' => 'payment_received', 'hang' => 'bench_hang', 'count' => 'bench_count'];
$payload = bench_payload(mt_rand());
umw_emit($events[$_GET['e'] ?? 'ok'] ?? 'payment_received', $payload);
echo "ok\n";
