<?php
// Randomized round trip: random nested PHP values through umw_emit, compared with
// json_encode(..., JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION).
//
// Env: UMW_FUZZ_SEED (default: random; printed first), UMW_FUZZ_COUNT (default 300),
// UMW_FUZZ_URL (receiver; else a closed loopback port), UMW_FUZZ_OUT (directory for
// <message id>.json holding the expected body). Prints "seed <n>", one line per mismatch,
// then "summary\t<PASS|FAIL>\t...".

const FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION;

$seed = getenv('UMW_FUZZ_SEED');
$seed = ($seed === false || $seed === '') ? random_int(1, PHP_INT_MAX >> 16) : (int) $seed;
echo "seed $seed\n";
mt_srand($seed);

function pick(array $a) { return $a[mt_rand(0, count($a) - 1)]; }

function rand_char(): string {
    switch (mt_rand(0, 9)) {
        case 0: return pick(['"', '\\', '/', "\n", "\r", "\t", "\x08", "\x0c", "\0", "\x1f", "\x7f", '<', '>', '&', "'"]);
        case 1: return mb_chr(mt_rand(0xA0, 0x24F), 'UTF-8');            // Latin supplements
        case 2: return mb_chr(mt_rand(0x4E00, 0x9FFF), 'UTF-8');          // CJK
        case 3: return mb_chr(mt_rand(0x1F300, 0x1FAFF), 'UTF-8');        // emoji (4-byte)
        case 4: return pick(["\u{2028}", "\u{2029}", "\u{FEFF}", "\u{200B}", "\u{0301}", "\u{FFFD}", "\u{10FFFF}", "\u{E000}"]);
        case 5: return mb_chr(mt_rand(0x0400, 0x04FF), 'UTF-8');          // Cyrillic
        default: return chr(mt_rand(0x20, 0x7e));
    }
}

function rand_string(): string {
    $n = pick([0, 1, 2, 5, 10, 30, 100]);
    $s = '';
    for ($i = 0; $i < $n; $i++) { $s .= rand_char(); }
    return $s;
}

function rand_float(): float {
    switch (mt_rand(0, 6)) {
        case 0: return (float) mt_rand(-1000, 1000);                      // zero fraction
        case 1: return mt_rand() / mt_getrandmax();
        case 2: return (mt_rand() / mt_getrandmax() - 0.5) * pow(10, mt_rand(-320, 308));
        case 3: return pick([0.0, -0.0, 0.1, 0.2 + 0.1, 1e15, 1e16, 1e21, 1e22, -1e-7, 5e-324, 1.7976931348623157e308, 2.0 ** 53, 2.0 ** 63]);
        case 4: return mt_rand(-1000000, 1000000) / 100;
        case 5: return (float) (mt_rand() * mt_rand());
        default: return unpack('e', pack('P', mt_rand() | (mt_rand(0, 0x7FEFFFFF) << 32)))[1] ?: 1.5;
    }
}

function rand_int(): int {
    return match (mt_rand(0, 4)) {
        0 => pick([0, -1, 1, PHP_INT_MAX, PHP_INT_MIN, 2 ** 53, -(2 ** 53) - 1]),
        1 => mt_rand(-100, 100),
        2 => mt_rand(),
        3 => (mt_rand() << 31) | mt_rand(),
        default => -mt_rand(),
    };
}

function rand_key() {
    return match (mt_rand(0, 4)) {
        0 => mt_rand(-5, 1000),        // int key
        1 => (string) mt_rand(0, 99),  // numeric string: becomes an int key
        default => rand_string(),
    };
}

function rand_value(int $depth) {
    $kinds = $depth >= 6 ? ['int', 'float', 'string', 'bool', 'null'] : ['int', 'float', 'string', 'bool', 'null', 'list', 'map', 'object', 'list', 'map'];
    switch (pick($kinds)) {
        case 'int': return rand_int();
        case 'float': $f = rand_float(); return is_finite($f) ? $f : 0.5;
        case 'string': return rand_string();
        case 'bool': return (bool) mt_rand(0, 1);
        case 'null': return null;
        case 'list': $n = mt_rand(0, 5); $a = []; for ($i = 0; $i < $n; $i++) { $a[] = rand_value($depth + 1); } return $a;
        case 'map': return rand_map($depth + 1);
        default: return (object) rand_map($depth + 1);
    }
}

function rand_map(int $depth): array {
    $n = mt_rand(0, 6);
    $a = [];
    for ($i = 0; $i < $n; $i++) { $a[rand_key()] = rand_value($depth); }
    return $a;
}

$count = (int) (getenv('UMW_FUZZ_COUNT') ?: 300);
$url = getenv('UMW_FUZZ_URL') ?: '';
$out = getenv('UMW_FUZZ_OUT') ?: '';
umw_register_webhook(['name' => 'random', 'url' => $url !== '' ? $url : 'http://127.0.0.1:1/random', 'events' => ['fuzz_random']]);

$ids = [];
$failures = 0;
for ($i = 0; $i < $count; $i++) {
    $value = mt_rand(0, 1) ? rand_map(0) : [rand_value(0), rand_value(1)];
    $expected = json_encode($value, FLAGS);
    if ($expected === false) {
        echo "case $i\tSKIP\tjson_encode refuses it: ", json_last_error_msg(), "\n";
        continue;
    }
    try {
        $id = umw_emit('fuzz_random', $value);
    } catch (Throwable $e) {
        $failures++;
        echo "case $i\tFAIL\t", get_class($e), ': ', $e->getMessage(), "\t", substr($expected, 0, 300), "\n";
        continue;
    }
    $ids[$id] = [$i, $expected];
    if ($out !== '') {
        file_put_contents("$out/$id.json", $expected);
    }
}
umw_flush(20);
foreach ($ids as $id => [$i, $expected]) {
    $stored = umw_deliveries(['message_id' => $id, 'with_payload' => true])[0]['payload'] ?? null;
    if ($stored !== $expected) {
        $failures++;
        echo "case $i\tFAIL\tstored ", var_export(substr((string) $stored, 0, 300), true), ' expected ', var_export(substr($expected, 0, 300), true), "\n";
    }
}
echo "summary\t", $failures === 0 ? 'PASS' : 'FAIL', "\t", count($ids), " values emitted, $failures failed, seed $seed\n";
exit($failures === 0 ? 0 : 1);
