<?php
// PHP's own best effort: curl_multi POSTing N webhooks with C concurrent keep-alive handles.
//   php curl_multi.php <url> <N> <C>
require __DIR__ . '/common.php';
[$_, $url, $n, $c] = $argv;
$n = (int)$n; $c = (int)$c;
$body = json_encode(bench_payload());
$mh = curl_multi_init();
$make = function () use ($url, $body) {
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['Content-Type: application/json'], CURLOPT_TIMEOUT => 10]);
    return $ch;
};
$started = 0; $done = 0; $ok = 0;
$t = hrtime(true);
$deadline = microtime(true) + 120;
for ($i = 0; $i < min($c, $n); $i++) { curl_multi_add_handle($mh, $make()); $started++; }
while ($done < $n && microtime(true) < $deadline) {
    curl_multi_exec($mh, $running);
    while ($info = curl_multi_info_read($mh)) {
        $ch = $info['handle'];
        if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) < 300) $ok++;
        $done++;
        curl_multi_remove_handle($mh, $ch);
        if ($started < $n) { curl_multi_add_handle($mh, $ch); $started++; } // reuse: keep-alive
        else curl_close($ch);
    }
    if ($running) curl_multi_select($mh, 0.05);
}
$secs = (hrtime(true) - $t) / 1e9;
bench_out('multi_per_s', $done / $secs);
bench_out('multi_ok', $ok);
