<?php
// A store with the `ok` webhook (payment_received → the receiver) plus <n> webhooks that do not
// take that event (each subscribed to an event of its own nobody emits).
//   php many_webhooks.php <recv_url> <n>
require __DIR__ . '/common.php';
[$_, $url, $n] = $argv;
umw_register_webhook(['name' => 'ok', 'url' => $url, 'events' => ['payment_received']]);
for ($i = 0; $i < (int)$n; $i++) {
    umw_register_webhook(['name' => "other $i", 'url' => $url . "?other=$i", 'events' => ["bench_other_$i"]]);
}
bench_out('webhooks', count(umw_list_webhooks()));
