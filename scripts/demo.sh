#!/usr/bin/env bash
# The main job: build the extension, start a local receiver that prints what it gets, register a
# webhook, send a test event, emit a payment_received, and show both arriving.
set -euo pipefail
cd "$(dirname "$0")/.."
# With the Debian package installed (`make deb`), PHP already loads the extension: use that one.
if php -m 2>/dev/null | grep -qx umw; then
    load=()
    echo "== using the installed extension ($(php -r 'echo phpversion("umw");'))"
else
    bash scripts/install-deps.sh --minimal
    cargo build --release --quiet
    load=(-d extension="$PWD/target/release/libumw.so")
fi

work=$(mktemp -d /tmp/umw-demo.XXXXXX)
python3 scripts/receiver.py "$work/port" > "$work/received.log" 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")/webhook"

echo "== receiver listening at $url"
php "${load[@]}" \
    -d umw.store="$work/umw.sqlite" \
    -d umw.allow_private_networks=1 \
    -r '
$url = $argv[1];
$id = umw_register_webhook(["name" => "Demo receiver", "url" => $url, "events" => ["payment_received"]]);
echo "== registered webhook #$id for payment_received -> $url\n";
$test = umw_send_test_event($id);
printf("== test event: %s, HTTP %s in %.1f ms%s\n", $test["ok"] ? "delivered" : "FAILED", $test["status"] ?? "-", $test["duration_ms"], $test["error"] ? " ({$test["error"]})" : "");
$t = hrtime(true);
$msg = umw_emit("payment_received", umw_event_types()["payment_received"]["sample"]);
printf("== umw_emit returned %s in %.1f µs (delivery happens in the background)\n", $msg, (hrtime(true) - $t) / 1e3);
umw_flush(5);
foreach (array_reverse(umw_deliveries(["webhook_id" => $id])) as $d) {
    $a = end($d["attempts"]);
    printf("== log: %s %s %s -> %s (HTTP %s)%s\n", $d["id"], $d["event"], $d["message_id"], $d["status"], $a["status_code"] ?? "-", $d["is_test"] ? " [test]" : "");
}
' "$url"
sleep 0.3
echo
echo "== what the receiver got:"
cat "$work/received.log"
