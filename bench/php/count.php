<?php
// Deliveries of the named webhooks (all when none are named) by status, through the extension's
// own API (any backend). Meant for an admin process (umw.delivery=agent: it starts no threads).
//   php count.php show                      pending/retrying/delivered/failed of every webhook
//   php count.php wait <seconds> [names…]   until none of those webhooks' deliveries is left to send
//   php count.php until <n> <seconds> name  until <n> deliveries of that webhook are delivered;
//                                           prints the seconds it took
require __DIR__ . '/common.php';
$mode = $argv[1] ?? 'show';

function bench_webhook_ids(array $names): array {
    $ids = [];
    foreach (umw_list_webhooks() as $w) if (!$names || in_array($w['name'], $names, true)) $ids[] = $w['id'];
    return $ids;
}

function bench_count(array $ids, array $statuses): int {
    $n = 0;
    foreach ($ids as $id) foreach ($statuses as $s) $n += umw_count_deliveries(['webhook_id' => $id, 'status' => $s]);
    return $n;
}

if ($mode === 'show') {
    foreach (['pending', 'retrying', 'delivered', 'failed'] as $s) bench_out($s, bench_count(bench_webhook_ids([]), [$s]));
    exit(0);
}
if ($mode === 'wait') {
    $ids = bench_webhook_ids(array_slice($argv, 3));
    $deadline = microtime(true) + (float)$argv[2];
    do {
        $left = bench_count($ids, ['pending', 'retrying']);
        if ($left === 0) break;
        usleep(50000);
    } while (microtime(true) < $deadline);
    bench_out('left', $left);
    exit($left === 0 ? 0 : 1);
}
if ($mode === 'until') {
    [$n, $secs, $name] = [(int)$argv[2], (float)$argv[3], $argv[4]];
    $ids = bench_webhook_ids([$name]);
    $t = microtime(true);
    do {
        $done = bench_count($ids, ['delivered']);
        if ($done >= $n) break;
        usleep(20000);
    } while (microtime(true) < $t + $secs);
    bench_out('delivered', $done);
    bench_out('seconds', microtime(true) - $t);
    exit($done >= $n ? 0 : 1);
}
fwrite(STDERR, "count.php: unknown mode $mode\n");
exit(2);
