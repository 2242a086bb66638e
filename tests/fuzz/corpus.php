<?php
// Hostile-input corpus for umw_emit's PHP → JSON conversion.
//
// Run with the extension loaded and a scratch store, e.g.
//   php -d extension=target/release/libumw.so -d umw.store=/tmp/x.sqlite \
//       -d umw.allow_private_networks=1 tests/fuzz/corpus.php
// Every case prints one line: "<name>\t<PASS|FAIL>\t<outcome>".
// A case expects either an exception class (and checks the message names the payload) or
// success, in which case the stored payload must equal json_encode() of the same value with
// umw's flags. When UMW_FUZZ_URL is set, a webhook there receives every accepted case and,
// when UMW_FUZZ_OUT names a directory, <message id>.json in it holds the expected body (the
// test compares it with what the receiver got). The last line is "summary\t<PASS|FAIL>\t...".

const FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION;

interface Marker {}
class Plain { public $a = 1; protected $b = 2; private $c = 3; public $list = [1, 2]; public ?Plain $child = null; }
class Ser implements JsonSerializable {
    public function __construct(private mixed $v) {}
    public function jsonSerialize(): mixed { return $this->v; }
}
class BoomException extends DomainException {}
class Boom implements JsonSerializable {
    public function jsonSerialize(): mixed { throw new BoomException("kaboom from jsonSerialize #42"); }
}
class NestedBoom implements JsonSerializable {
    public function jsonSerialize(): mixed { return ['ok' => 1, 'inner' => new Boom()]; }
}
class SelfSer implements JsonSerializable {
    public function jsonSerialize(): mixed { return ['me' => $this]; }
}
enum Pure { case Hearts; case Spades; }
enum BackedS: string { case H = 'hearts'; case S = 'spa/des'; }
enum BackedI: int { case One = 1; case Big = PHP_INT_MAX; }

function nest(int $levels, $leaf = 1) { $v = $leaf; for ($i = 0; $i < $levels; $i++) { $v = [$v]; } return $v; }
function nest_obj(int $levels) { $v = new stdClass; $top = $v; for ($i = 0; $i < $levels; $i++) { $n = new stdClass; $v->n = $n; $v = $n; } return $top; }

$limit = (int) ini_get('umw.max_payload_bytes');
$big = str_repeat('é', 5 * 1024 * 1024); // 10 MiB of UTF-8 (5 Mi two-byte chars)

$cases = [];
// name => [payload thunk, expected: 'ok' | exception class]
$cases['empty_array'] = [fn() => [], 'ok'];
$cases['list'] = [fn() => [1, 2, 3], 'ok'];
$cases['assoc'] = [fn() => ['a' => 1, 'b' => [true, false, null]], 'ok'];
$cases['non_string_keys'] = [fn() => [5 => 'five', 7 => 'seven', -1 => 'neg'], 'ok'];
$cases['gap_keys'] = [fn() => [0 => 'a', 2 => 'c'], 'ok'];
$cases['mixed_keys'] = [fn() => [0 => 'a', 'k' => 'v', 1 => 'b'], 'ok'];
$cases['numeric_string_keys'] = [fn() => ['0' => 'zero', '1' => 'one'], 'ok'];
$cases['empty_key'] = [fn() => ['' => 'empty', ' ' => 'space'], 'ok'];
$cases['php_int_max'] = [fn() => ['v' => PHP_INT_MAX, 'min' => PHP_INT_MIN], 'ok'];
$cases['huge_float'] = [fn() => ['v' => 1.7976931348623157e308, 'tiny' => 4.9e-324, 'neg0' => -0.0], 'ok'];
$cases['float_zero_fraction'] = [fn() => ['v' => 10.0, 'w' => 0.1 + 0.2, 'x' => 1e22, 'y' => 1e-7], 'ok'];
$cases['int_overflow_to_float'] = [fn() => ['v' => PHP_INT_MAX + 1], 'ok'];
$cases['numeric_strings'] = [fn() => ['v' => '12', 'w' => '1e3', 'x' => '0x1A'], 'ok'];
$cases['unicode'] = [fn() => ['v' => "Zoë 😀 中文 \u{2028}\u{2029} \u{FEFF}", 'rtl' => "\u{202E}abc"], 'ok'];
$cases['escapes'] = [fn() => ['v' => "quote\" backslash\\ slash/ tab\t nl\n cr\r nul\0 bell\x07 del\x7f <script>&'"], 'ok'];
$cases['unicode_keys'] = [fn() => ['ключ' => 1, '😀' => 2, "a\"b" => 3, "nul\0key" => 4], 'ok'];
$cases['invalid_utf8'] = [fn() => ['v' => "ok \xff\xfe bad"], 'ValueError'];
$cases['invalid_utf8_key'] = [fn() => ["\xc3\x28" => 1], 'ValueError'];
$cases['overlong_utf8'] = [fn() => ['v' => "\xc0\xaf"], 'ValueError'];
$cases['surrogate_utf8'] = [fn() => ['v' => "\xed\xa0\x80"], 'ValueError'];
$cases['nan'] = [fn() => ['v' => NAN], 'ValueError'];
$cases['inf'] = [fn() => ['v' => INF], 'ValueError'];
$cases['neg_inf_deep'] = [fn() => ['a' => ['b' => [1, 2, -INF]]], 'ValueError'];
$cases['depth_500'] = [fn() => nest(500), 'ok'];
$cases['depth_511'] = [fn() => nest(510), 'ok'];
$cases['depth_512_levels'] = [fn() => nest(512), 'ok'];          // json_encode's limit exactly
$cases['depth_513_levels'] = [fn() => nest(512, []), 'ValueError'];
$cases['depth_512_objects'] = [fn() => nest(511, new stdClass), 'ok'];
$cases['depth_513_objects'] = [fn() => nest(511, (object) ['x' => [1]]), 'ValueError'];
$cases['depth_600'] = [fn() => nest(600), 'ValueError'];
$cases['depth_600_objects'] = [fn() => ['o' => nest_obj(600)], 'ValueError'];
// Deep enough to overflow the C stack in PHP's own encoder (json_encode crashes on these).
$cases['depth_100000'] = [fn() => nest(100000), 'ValueError'];
// (PHP 8.2 itself crashes destroying a 100000-deep object chain, so objects stop at 40000.)
$cases['depth_40000_objects'] = [fn() => ['o' => nest_obj(40000)], 'ValueError'];
$cases['depth_40000_mixed'] = [function () { $v = 1; for ($i = 0; $i < 40000; $i++) { $v = $i % 2 ? [$v] : (object) ['n' => $v]; } return [$v]; }, 'ValueError'];
$cases['depth_40000_declared_props'] = [function () { $v = new Plain; $top = $v; for ($i = 0; $i < 40000; $i++) { $v->child = new Plain; $v = $v->child; } return [$top]; }, 'ValueError'];
$cases['references'] = [function () { $x = [1, 2]; $r = ['a' => &$x, 'b' => &$x]; $x[] = 3; return $r; }, 'ok'];
$cases['reference_to_scalar'] = [function () { $s = 'str'; $r = ['a' => &$s]; $s = 'changed'; return $r; }, 'ok'];
$cases['recursive_array'] = [function () { $a = ['x' => 1]; $a['self'] = &$a; return $a; }, 'ValueError'];
$cases['recursive_object'] = [function () { $o = new stdClass; $o->self = $o; return ['o' => $o]; }, 'ValueError'];
$cases['same_object_twice'] = [function () { $o = (object) ['k' => 'v']; return ['a' => $o, 'b' => $o]; }, 'ok'];
$cases['stdclass'] = [fn() => ['o' => (object) ['a' => 1, 'b' => (object) []]], 'ok'];
$cases['object_numeric_props'] = [fn() => ['o' => (object) [1 => 'a', 2 => 'b']], 'ok'];
$cases['plain_object_visibility'] = [function () { $p = new Plain; $p->child = new Plain; $p->dyn = 'x'; return ['p' => $p]; }, 'ok'];
$cases['jsonserializable'] = [fn() => ['s' => new Ser(['k' => [1, 2.5, 'x/y']]), 't' => new Ser(null), 'u' => new Ser(3.0)], 'ok'];
$cases['jsonserializable_nested'] = [fn() => ['s' => new Ser(new Ser(new Ser('deep')))], 'ok'];
$cases['jsonserializable_throws'] = [fn() => ['ok' => 1, 'boom' => new Boom()], 'BoomException'];
$cases['jsonserializable_throws_nested'] = [fn() => ['x' => [new NestedBoom()]], 'BoomException'];
$cases['jsonserializable_self'] = [fn() => ['s' => new SelfSer()], 'ValueError'];
$cases['jsonserializable_returns_nan'] = [fn() => ['s' => new Ser(NAN)], 'ValueError'];
$cases['jsonserializable_returns_resource'] = [fn() => ['s' => new Ser(STDERR)], 'TypeError'];
$cases['backed_enums'] = [fn() => ['s' => BackedS::S, 'i' => BackedI::Big, 'list' => [BackedS::H, BackedI::One]], 'ok'];
$cases['pure_enum'] = [fn() => ['e' => Pure::Hearts], 'TypeError'];
$cases['pure_enum_deep'] = [fn() => ['a' => [['b' => Pure::Spades]]], 'TypeError'];
$cases['closure'] = [fn() => ['f' => function () { return 1; }, 'g' => fn() => 2], 'ok'];
$cases['generator'] = [function () { $g = (function () { yield 1; })(); return ['g' => $g]; }, 'ok'];
$cases['datetime'] = [fn() => ['d' => new DateTimeImmutable('2020-01-02 03:04:05', new DateTimeZone('UTC'))], 'ok'];
$cases['arrayobject'] = [fn() => ['a' => new ArrayObject([1, 2, 3])], 'ok'];
$cases['splfixedarray'] = [fn() => ['a' => SplFixedArray::fromArray([1, 2])], 'ok'];
$cases['resource'] = [fn() => ['r' => STDIN], 'TypeError'];
$cases['resource_deep'] = [fn() => ['a' => ['b' => fopen('php://memory', 'r')]], 'TypeError'];
$cases['closed_resource'] = [function () { $f = fopen('php://memory', 'r'); fclose($f); return ['r' => $f]; }, 'TypeError'];
$cases['bools_nulls'] = [fn() => [true, false, null, 0, '', '0', 0.0, []], 'ok'];
$cases['long_key'] = [fn() => [str_repeat('k', 100000) => 1], 'ok'];
$cases['many_keys'] = [function () { $a = []; for ($i = 0; $i < 20000; $i++) { $a["k$i"] = $i; } return $a; }, 'ok'];
$cases['binary_string_base64'] = [fn() => ['b' => base64_encode(random_bytes(256))], 'ok'];
$cases['string_10mb'] = [fn() => ['s' => $big], $limit >= 11 * 1024 * 1024 ? 'ok' : 'ValueError'];
$cases['just_over_limit'] = [fn() => ['s' => str_repeat('a', $limit)], 'ValueError'];
$cases['just_under_limit'] = [fn() => ['s' => str_repeat('a', $limit - 8)], 'ok'];
$cases['object_payload_arg'] = [fn() => new stdClass, 'TypeError'];
$cases['string_payload_arg'] = [fn() => 'not an array', 'TypeError'];

$url = getenv('UMW_FUZZ_URL') ?: '';
$out = getenv('UMW_FUZZ_OUT') ?: '';
// Without a receiver, deliveries go to a closed loopback port: the stored payload (the body
// that is sent) is still compared with json_encode.
umw_register_webhook(['name' => 'fuzz', 'url' => $url !== '' ? $url : 'http://127.0.0.1:1/fuzz', 'events' => ['fuzz_case']]);

// json_last_error() of the caller must survive umw_emit, success or failure: each case
// starts with a syntax error pending and checks it right after umw_emit.

$failures = 0;
$accepted = 0;
$only = getenv('UMW_FUZZ_ONLY') ?: '';
foreach ($cases as $name => [$make, $expect]) {
    if ($only !== '' && !in_array($name, explode(',', $only), true)) {
        continue;
    }
    if (in_array($name, explode(',', getenv('UMW_FUZZ_SKIP') ?: ''), true)) {
        continue;
    }
    $value = $make();
    $outcome = '';
    $ok = false;
    $callers_error_kept = true;
    try {
        json_decode('{');
        try {
            $id = umw_emit('fuzz_case', $value);
        } finally {
            $callers_error_kept = json_last_error() === JSON_ERROR_SYNTAX;
        }
        $expected = json_encode($value, FLAGS);
        $accepted++;
        if ($expect !== 'ok') {
            $outcome = "accepted, expected $expect";
        } elseif ($expected === false) {
            $outcome = 'accepted, but json_encode refuses it: ' . json_last_error_msg();
        } else {
            if ($out !== '') {
                file_put_contents("$out/$id.json", $expected);
            }
            $outcome = "ok $id " . strlen($expected) . ' bytes';
            $ok = true;
            $stored = umw_deliveries(['message_id' => $id, 'with_payload' => true])[0]['payload'] ?? null;
            if ($stored === null) {
                umw_flush(10);
                $stored = umw_deliveries(['message_id' => $id, 'with_payload' => true])[0]['payload'] ?? null;
            }
            if ($stored !== $expected) {
                $ok = false;
                $outcome = "stored payload differs from json_encode: " . substr($stored, 0, 200) . ' vs ' . substr($expected, 0, 200);
            }
        }
    } catch (Throwable $e) {
        $class = get_class($e);
        $outcome = $class . ': ' . substr(str_replace(["\n", "\t"], ' ', $e->getMessage()), 0, 300);
        if ($class === $expect) {
            $ok = true;
            if ($expect === 'BoomException') {
                $ok = $e->getMessage() === 'kaboom from jsonSerialize #42' && $e->getPrevious() === null;
            } elseif ($e instanceof ValueError || $e instanceof TypeError) {
                // The engine's errors name the function and the argument; PHP's own TypeErrors
                // for a non-array argument name the argument too.
                // A payload that is not an array at all is refused by ext-php-rs's argument
                // parsing ("Invalid value given for argument `payload`").
                $ok = (str_contains($e->getMessage(), 'umw_emit()') && str_contains($e->getMessage(), '$payload'))
                    || str_contains($e->getMessage(), 'argument `payload`');
            }
        }
    }
    if (!$callers_error_kept) {
        $ok = false;
        $outcome .= ' (json_last_error() of the caller was changed)';
    }
    if (!$ok) {
        $failures++;
    }
    echo $name, "\t", $ok ? 'PASS' : 'FAIL', "\t", $outcome, "\n";
}
echo "summary\t", $failures === 0 ? 'PASS' : 'FAIL', "\t", count($cases), " cases, $accepted accepted, $failures failed\n";
umw_flush($url !== '' ? 20 : 0);
exit($failures === 0 ? 0 : 1);
