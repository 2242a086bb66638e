<?php
// The webhooks every store of the benchmark has (idempotent: by name):
//   ok    payment_received → the fast receiver (the page's event, /<pool>/umw.php?e=ok)
//   hang  bench_hang       → the endpoint that never answers (?e=hang)
//   count bench_count      → the counting receiver (?e=count: connections per delivery)
//   php setup_store.php <recv_url> <hang_url> <count_url>
require __DIR__ . '/common.php';
[$_, $recv, $hang, $count] = $argv;
$want = ['ok' => [$recv, 'payment_received'], 'hang' => [$hang, 'bench_hang'], 'count' => [$count, 'bench_count']];
$have = [];
foreach (umw_list_webhooks() as $w) $have[$w['name']] = $w;
foreach ($want as $name => [$url, $event]) {
    if (isset($have[$name])) umw_update_webhook($have[$name]['id'], ['url' => $url, 'events' => [$event]]);
    else umw_register_webhook(['name' => $name, 'url' => $url, 'events' => [$event]]);
}
