<?php
// No webhooks: the same page work without the event (served by the pool without umw).
require __DIR__ . '/../php/common.php';
$payload = bench_payload(mt_rand());
echo "ok\n";
