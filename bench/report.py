#!/usr/bin/env python3
"""Helpers for run.sh: parse wrk output, aggregate rounds, print the results table."""
import re, statistics, sys, datetime, platform, os

def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    n, u = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]

def wrk_parse(path, prefix):
    text = open(path).read()
    out = {}
    for pct, val in re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", text, re.M):
        out[f"p{pct}_ms"] = to_ms(val)
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:.*timeout (\d+)", text)
    out["timeouts"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    for k, v in out.items():
        print(f"{prefix}.{k}={v}")

def load(path):
    kv = {}
    for line in open(path):
        line = line.strip()
        if "=" in line:
            k, v = line.split("=", 1)
            kv.setdefault(k, []).append(v)
    return kv

def med(kv, key):
    vals = [float(v) for v in kv.get(key, []) if v not in ("", "nan")]
    return statistics.median(vals) if vals else None

def fmt(x, unit="", digits=3):
    if x is None:
        return "n/a"
    if abs(x) >= 1000:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.{digits}g}"
    return s + unit

def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "NOT met")

def table(path, mode, machine):
    kv = load(path)
    g = lambda k: med(kv, k)
    rows = []  # (section, measurement, value, ratio/vs, target, verdict)
    R = rows.append
    # 1. emit cost
    for ep, label in (("fast", "0 ms"), ("slow", "200 ms"), ("hang", "never answers")):
        j, e, r = g(f"emit.{ep}.json_ns"), g(f"emit.{ep}.emit_ns"), g(f"emit.{ep}.ratio")
        R(("1 emit", f"json_encode, 1.1 KB payload (endpoint {label})", fmt(j, " ns"), "1.00×", "floor", ""))
        n = g(f"emit.{ep}.round_events")
        R(("1 emit", f"umw_emit, rounds of {fmt(n)} events (endpoint {label})", fmt(e, " ns"), fmt(r, "×") + " json", "≤ 1.5×", verdict(None if r is None else r <= 1.5)))
        sn, sj, se, sr = g(f"emit.{ep}.sustained_events"), g(f"emit.{ep}.sustained_json_ns"), g(f"emit.{ep}.sustained_emit_ns"), g(f"emit.{ep}.sustained_ratio")
        if sn:
            R(("1 emit", f"umw_emit, {fmt(sn)} back to back (beyond the queue: emit persists inline once it is full) vs json_encode (endpoint {label})", f"{fmt(se, ' ns')} vs {fmt(sj, ' ns')}", fmt(sr, "×") + " json", "info", ""))
        w = g(f"wp.{ep}.wp_ns")
        jr = None if (w is None or j is None) else w / j
        extra = " (capped timeout; WP's 45 s would block 45 s)" if ep == "hang" else ""
        R(("1 emit", f"wp_remote_post inline, timeout 45, blocking=false (endpoint {label}){extra}", fmt(w / 1000 if w else None, " µs"), fmt(jr, "×") + " json", "baseline", ""))
    j, e, r = g("emit.durable.json_ns"), g("emit.durable.emit_ns"), g("emit.durable.ratio")
    R(("1 emit", "umw_emit, umw.durable_emit=1 (endpoint 0 ms)", fmt(e, " ns"), fmt(r, "×") + " json", "≤ 10×", verdict(None if r is None else r <= 10)))
    cg_j, cg_e, cg_ea = g("cg.json_ir"), g("cg.emit_ir"), g("cg.emit_all_ir")
    if cg_j:
        R(("1 emit", "callgrind instructions/event, PHP thread: json_encode / umw_emit", f"{fmt(cg_j)} / {fmt(cg_e)}", fmt(cg_e / cg_j, "×"), "≤ 1.5×", verdict(cg_e / cg_j <= 1.5)))
        R(("1 emit", "callgrind instructions/event, all threads (incl. writer + delivery)", fmt(cg_ea), fmt(cg_ea / cg_j, "×"), "info", ""))
    # 2. request latency
    base99 = g("fpm.none.p99_ms")
    for sc, label in (("none", "no webhooks"), ("umw_ok", "umw, healthy endpoint"), ("umw_hang", "umw, hanging endpoint"),
                      ("wp_ok", "inline wp_remote_post, healthy endpoint"), ("wp_hang", "inline wp_remote_post, hanging endpoint (timeout capped to 2 s)")):
        p50, p99, rps = g(f"fpm.{sc}.p50_ms"), g(f"fpm.{sc}.p99_ms"), g(f"fpm.{sc}.rps")
        ratio = None if (p99 is None or not base99) else p99 / base99
        tgt, ver = ("", "")
        if sc.startswith("umw"):
            tgt, ver = "info (saturated)", ""
        R(("2 latency", f"wrk, saturated: {label}", f"p50 {fmt(p50, ' ms')}, p99 {fmt(p99, ' ms')}, {fmt(rps)} req/s", fmt(ratio, "×") + " p99", tgt, ver))
    rate = g("rate.target")
    base_rate99 = g("rate.none.p99_ms")
    for sc, label in (("none", "no webhooks"), ("umw_ok", "umw, healthy endpoint"), ("umw_hang", "umw, hanging endpoint")):
        p50, p99, got = g(f"rate.{sc}.p50_ms"), g(f"rate.{sc}.p99_ms"), g(f"rate.{sc}.rate")
        ratio = None if (p99 is None or not base_rate99) else p99 / base_rate99
        tgt, ver = ("", "")
        if sc.startswith("umw"):
            tgt, ver = "p99 ≤ 1.10× none", verdict(None if ratio is None else ratio <= 1.10)
        R(("2 latency", f"open loop at {fmt(rate)} req/s: {label}", f"p50 {fmt(p50, ' ms')}, p99 {fmt(p99, ' ms')}, {fmt(got)} req/s", fmt(ratio, "×") + " p99", tgt, ver))
    # 3. throughput
    wrk_rps, umw_rate, multi = g("tp.wrk.rps"), g("tp.drain.drain_per_s"), g("tp.multi.multi_per_s")
    R(("3 throughput", "wrk raw POST rate, same receiver, same connections", fmt(wrk_rps, " req/s"), "1.00×", "", ""))
    R(("3 throughput", f"umw draining {fmt(g('tp.drain.backlog'))} queued events", fmt(umw_rate, " deliveries/s"),
       fmt(None if not wrk_rps or umw_rate is None else umw_rate / wrk_rps, "×") + " wrk", "≥ 0.7×",
       verdict(None if not wrk_rps or umw_rate is None else umw_rate / wrk_rps >= 0.7)))
    R(("3 throughput", "PHP curl_multi, same concurrency", fmt(multi, " req/s"),
       fmt(None if not wrk_rps or multi is None else multi / wrk_rps, "×") + " wrk", "baseline", ""))
    # 4. backlog
    growth = g("bl.emit.rss_growth_mb")
    R(("4 backlog", f"RSS growth while {fmt(g('bl.emit.events'))} events back up (endpoint down)",
       f"{fmt(growth, ' MB')} (base {fmt((g('bl.emit.rss0_kb') or 0) / 1024, ' MB')}, max {fmt((g('bl.emit.rss_max_kb') or 0) / 1024, ' MB')})", "", "≤ 64 MB", verdict(None if growth is None else growth <= 64)))
    R(("4 backlog", "store size per event (SQLite + WAL)", fmt(g("bl.emit.bytes_per_event"), " B"), "", "info", ""))
    R(("4 backlog", "emit rate while backing up", fmt((g("bl.emit.events") or 0) / (g("bl.emit.emit_s") or 1), " events/s"), "", "info", ""))
    R(("4 backlog", "drain rate when the endpoint is back", fmt(g("bl.drain.drain_per_s"), " deliveries/s"),
       f"{fmt(g('bl.drain.remaining'))} left", "info", ""))
    # 5. per worker
    added = g("ovh.rss_added_mb")
    load_mb = None if g("ovh.rss_before_kb") is None or g("ovh.rss_noext_kb") is None else (g("ovh.rss_before_kb") - g("ovh.rss_noext_kb")) / 1024
    total = None if added is None or load_mb is None else added + load_mb
    R(("5 per worker", "RSS added: loading umw + starting its runtime", f"{fmt(total, ' MB')} (load {fmt(load_mb, ' MB')}, start {fmt(added, ' MB')})", "", "≤ 10 MB", verdict(None if total is None else total <= 10)))
    R(("5 per worker", "threads added by the runtime", fmt(g("ovh.threads_added")), "", "info", ""))

    out = []
    out.append(f"# umw benchmark results ({mode} run)\n")
    out.append(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    out.append(f"- machine: {machine}")
    out.append(f"- values are medians over rounds; ratios are within this run\n")
    out.append("| section | measurement | median | ratio | target | verdict |")
    out.append("|---|---|---|---|---|---|")
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    return "\n".join(out) + "\n"

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "wrk":
        wrk_parse(sys.argv[2], sys.argv[3])
    elif cmd == "table":
        sys.stdout.write(table(sys.argv[2], sys.argv[3], sys.argv[4]))
