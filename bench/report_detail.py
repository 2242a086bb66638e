"""Every measurement of one run, section by section (the last table of results.md)."""
from report import fmt, ratio, at_most, at_least


def detail_table(r):
    g = r.med
    rows = []
    R = rows.append
    # 1. emit cost
    for ep, label in (("fast", "embedded, endpoint 0 ms"), ("slow", "embedded, endpoint 200 ms"),
                      ("hang", "embedded, endpoint never answers"), ("agent", "agent mode, endpoint 0 ms"),
                      ("mysql", "embedded, MariaDB store, endpoint 0 ms")):
        j, e, rt = g(f"emit.{ep}.json_ns"), g(f"emit.{ep}.emit_ns"), g(f"emit.{ep}.ratio")
        if e is None:
            continue
        R(("1 emit", f"json_encode / umw_emit, rounds of {fmt(g(f'emit.{ep}.round_events'))} ({label})",
           f"{fmt(j, ' ns')} / {fmt(e, ' ns')}", fmt(rt, "×") + " json", "≤ 1.5×", at_most(rt, 1.5)))
        sn = g(f"emit.{ep}.sustained_events")
        if sn:
            R(("1 emit", f"umw_emit, {fmt(sn)} back to back vs json_encode ({label})",
               f"{fmt(g(f'emit.{ep}.sustained_emit_ns'), ' ns')} vs {fmt(g(f'emit.{ep}.sustained_json_ns'), ' ns')}",
               fmt(g(f"emit.{ep}.sustained_ratio"), "×") + " json", "info", ""))
    for key, label, target in (("durable", "umw.durable_emit=1 (SQLite: spool append)", 10),
                               ("mysql_durable", "umw.durable_emit=1, MariaDB (synchronous write to the store)", None)):
        e, rt = g(f"emit.{key}.emit_ns"), g(f"emit.{key}.ratio")
        if e is not None:
            R(("1 emit", label, fmt(e, " ns"), fmt(rt, "×") + " json", f"≤ {target}×" if target else "info",
               at_most(rt, target) if target else ""))
    j = g("emit.fast.json_ns")
    for ep, label in (("fast", "0 ms"), ("slow", "200 ms"), ("hang", "never answers, timeout capped")):
        w = g(f"wp.{ep}.wp_ns")
        R(("1 emit", f"wp_remote_post inline, timeout 45, blocking=false (endpoint {label})", fmt(w / 1000 if w else None, " µs"),
           fmt(ratio(w, j), "×") + " json", "baseline", ""))
    cj, ce, ca, cea = g("cg.json_ir"), g("cg.emit_ir"), g("cg.agent_emit_ir"), g("cg.emit_all_ir")
    if cj:
        R(("1 emit", "callgrind instructions/event, PHP thread: json_encode / embedded / agent",
           f"{fmt(cj)} / {fmt(ce)} / {fmt(ca)}", f"{fmt(ratio(ce, cj), '×')} / {fmt(ratio(ca, cj), '×')}", "≤ 1.5×", at_most(ratio(ca, cj), 1.5)))
        R(("1 emit", "callgrind instructions/event, all threads of the embedded process", fmt(cea), fmt(ratio(cea, cj), "×"), "info", ""))
    # 2. latency
    base = g("fpm.none.rps")
    for sc, label in (("none", "no webhooks (pool without umw)"), ("wp_ok", "inline wp_remote_post, healthy endpoint"),
                      ("emb_ok", "umw embedded"), ("agent_ok", "umw agent"), ("agent0_ok", "umw agent at nice 0 (A/B)"), ("mysql_ok", "umw embedded, MariaDB"),
                      ("wp_hang", "inline wp_remote_post, hanging endpoint (timeout capped)")):
        p50, p99, rps = g(f"fpm.{sc}.p50_ms"), g(f"fpm.{sc}.p99_ms"), g(f"fpm.{sc}.rps")
        if rps is None:
            continue
        R(("2 latency", f"wrk, saturated: {label}", f"p50 {fmt(p50, ' ms')}, p99 {fmt(p99, ' ms')}, {fmt(rps)} req/s",
           fmt(ratio(rps, base), "×") + " req/s", "info", ""))
    base99 = g("rate.none.p99_ms")
    for sc, label in (("none", "no webhooks"), ("emb_ok", "embedded, healthy endpoint"), ("emb_hang", "embedded, hanging endpoint"),
                      ("agent_ok", "agent, healthy endpoint"), ("agent0_ok", "agent at nice 0 (A/B), healthy endpoint"),
                      ("agent_hang", "agent, hanging endpoint"),
                      ("mysql_ok", "embedded + MariaDB, healthy endpoint")):
        p50, p99, got = g(f"rate.{sc}.p50_ms"), g(f"rate.{sc}.p99_ms"), g(f"rate.{sc}.rate")
        if p99 is None:
            continue
        rt = ratio(p99, base99)
        R(("2 latency", f"open loop at {fmt(g('rate.target'))} req/s: {label}",
           f"p50 {fmt(p50, ' ms')}, p99 {fmt(p99, ' ms')}, {fmt(got)} req/s, {fmt(g(f'rate.{sc}.errors'))} errors",
           fmt(rt, "×") + " p99", "" if sc == "none" else "≤ 1.10×", "" if sc == "none" else at_most(rt, 1.10)))
    for m in ("emb", "agent"):
        c, n = g(f"conn.{m}.connections"), g(f"conn.{m}.requests")
        if c is not None:
            R(("2 connections", f"{m}: connections accepted / requests at the counting receiver",
               f"{fmt(c)} / {fmt(n)} (delivered in {fmt(g(f'conn.{m}.seconds'), ' s')} after the load)", "", "info", ""))
    for p in ("plain", "emb", "agent", "mysql"):
        rss, th = g(f"fpmw.{p}.rss_kb"), g(f"fpmw.{p}.threads")
        if rss is not None:
            R(("2 per FPM worker", f"pool {p}: RSS, threads (median of 4 workers, after the load)", f"{fmt(rss / 1024, ' MB')}, {fmt(th)}", "", "info", ""))
    # 3. throughput
    w = g("tp.wrk.rps")
    R(("3 throughput", "wrk raw POST rate, same receiver, same connections", fmt(w, " req/s"), "1.00×", "", ""))
    for key, label in (("tp.emb.drain", "one embedded process draining"), ("tp.agent.drain", "the agent draining"),
                       ("tp.mysql.drain", "one embedded process draining, MariaDB"), ("tp.mysql_agent.drain", "the agent draining, MariaDB")):
        v = g(f"{key}.drain_per_s")
        if v is not None:
            R(("3 throughput", f"{label} {fmt(g(f'{key}.backlog'))} queued events", fmt(v, " deliveries/s"),
               fmt(ratio(v, w), "×") + " wrk", "≥ 0.7×", at_least(ratio(v, w), 0.7)))
    for m in ("emb", "agent"):
        v = g(f"e2e.{m}.per_s")
        if v is not None:
            R(("3 throughput", f"end to end, {m}: emit {fmt(g(f'e2e.{m}.events'))} (took {fmt(g(f'e2e.{m}.emit_s'), ' s')}), all delivered after {fmt(g(f'e2e.{m}.total_s'), ' s')}",
               fmt(v, " events/s"), fmt(ratio(v, w), "×") + " wrk", "≥ 0.7×", at_least(ratio(v, w), 0.7)))
    v = g("tp.multi.multi_per_s")
    R(("3 throughput", "PHP curl_multi, same concurrency", fmt(v, " req/s"), fmt(ratio(v, w), "×") + " wrk", "baseline", ""))
    # 4. backlog
    growth = g("bl.emit.rss_growth_mb")
    R(("4 backlog", f"RSS growth while {fmt(g('bl.emit.events'))} events back up (endpoint down)",
       f"{fmt(growth, ' MB')} (base {fmt((g('bl.emit.rss0_kb') or 0) / 1024, ' MB')}, max {fmt((g('bl.emit.rss_max_kb') or 0) / 1024, ' MB')})", "", "≤ 64 MB", at_most(growth, 64)))
    R(("4 backlog", "store size per event (SQLite + WAL)", fmt(g("bl.emit.bytes_per_event"), " B"), "", "info", ""))
    R(("4 backlog", "emit rate while backing up", fmt((g("bl.emit.events") or 0) / (g("bl.emit.emit_s") or 1), " events/s"), "", "info", ""))
    R(("4 backlog", "drain rate when the endpoint is back", fmt(g("bl.drain.drain_per_s"), " deliveries/s"), f"{fmt(g('bl.drain.remaining'))} left", "info", ""))
    # 5. per process
    noext = g("ovh.noext.rss_noext_kb")
    for m, label in (("emb", "embedded"), ("agent", "agent mode"), ("mysql", "embedded, MariaDB")):
        before, added = g(f"ovh.{m}.rss_before_kb"), g(f"ovh.{m}.rss_added_mb")
        if added is None:
            continue
        load = None if before is None or noext is None else (before - noext) / 1024
        total = None if load is None else load + added
        R(("5 per process", f"RSS added, {label}: loading umw + one emit (+ an admin call opening the store)",
           f"{fmt(total, ' MB')} (load {fmt(load, ' MB')}, use {fmt(added, ' MB')}; admin call +{fmt(g(f'ovh.{m}.rss_admin_added_mb'), ' MB')})",
           "", "≤ 10 MB" if m != "agent" else "≤ 2 MB", at_most(total, 10 if m != "agent" else 2)))
        R(("5 per process", f"threads added, {label}", fmt(g(f"ovh.{m}.threads_added")), "", "info" if m != "agent" else "0",
           "" if m != "agent" else at_most(g(f"ovh.{m}.threads_added"), 0)))
    return ("Every measurement", ["section", "measurement", "median", "ratio", "target", "verdict"], rows)
