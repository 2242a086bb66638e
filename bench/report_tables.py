"""The result tables of one run (bench/report.py table): the three comparisons the issues ask for
(agent vs embedded vs no webhooks; MariaDB beside SQLite; 1 vs 10,000 webhooks), the WordPress
page, then every measurement in detail."""
import statistics
from report import fmt, ratio, diff, verdict, at_most, at_least


def x(v):
    return fmt(v, "×")


def with_ratio(value, unit, r, what=""):
    if value is None:
        return "n/a"
    return f"{fmt(value, unit)} ({x(r)}{(' ' + what) if what else ''})"


def spread(r, key, unit=""):
    s = r.spread(key)
    return f" [{fmt(s[0])}–{fmt(s[1], unit)}]" if s else ""


def worker(r, pool):
    """Median RSS (MB) and threads of a pool's FPM workers."""
    rss, th = r.med(f"fpmw.{pool}.rss_kb"), r.med(f"fpmw.{pool}.threads")
    return (None if rss is None else rss / 1024), th


def cli_added(r, m):
    """RSS a CLI process gains from loading umw and using it once (MB), and its threads."""
    noext, before, added = r.med("ovh.noext.rss_noext_kb"), r.med(f"ovh.{m}.rss_before_kb"), r.med(f"ovh.{m}.rss_added_mb")
    load = None if noext is None or before is None else (before - noext) / 1024
    total = None if load is None or added is None else load + added
    return total, load, added, r.med(f"ovh.{m}.threads_added")


def conns_per_10k(r, m):
    c, n = r.med(f"conn.{m}.connections"), r.med(f"conn.{m}.requests")
    return None if c is None or not n else c * 10000 / n


def agent_table(r):
    g = r.med
    rows = []
    none99 = g("rate.none.p99_ms")
    rate = g("rate.target")
    for ep, label in (("ok", "fast endpoint (0 ms)"), ("hang", "hanging endpoint")):
        e, a = g(f"rate.emb_{ep}.p99_ms"), g(f"rate.agent_{ep}.p99_ms")
        rows.append((f"open-loop p99 at {fmt(rate)} req/s, page firing one event, {label}",
                     f"{fmt(none99, ' ms')}{spread(r, 'rate.none.p99_ms')}",
                     with_ratio(e, " ms", ratio(e, none99)) + spread(r, f"rate.emb_{ep}.p99_ms"),
                     with_ratio(a, " ms", ratio(a, none99)) + spread(r, f"rate.agent_{ep}.p99_ms"),
                     "≤ 1.10× none", at_most(ratio(a, none99), 1.10)))
    a0 = g("rate.agent0_ok.p99_ms")
    if a0 is not None:
        rows.append(("same, fast endpoint, the agent moved back to nice 0 (before it yielded to requests)", "", "",
                     with_ratio(a0, " ms", ratio(a0, none99)) + spread(r, "rate.agent0_ok.p99_ms"), "info (A/B)", ""))
    nc = g("rate.none.cpu_us_per_req")
    for ep, label in (("ok", "fast endpoint"), ("hang", "hanging endpoint")):
        e, a = g(f"rate.emb_{ep}.cpu_us_per_req"), g(f"rate.agent_{ep}.cpu_us_per_req")
        rows.append((f"CPU per request during the open loop, {label}: PHP-FPM workers (all their threads) + the agent",
                     fmt(nc, " µs"), with_ratio(e, " µs", ratio(e, nc)), with_ratio(a, " µs", ratio(a, nc)), "info", ""))
    none50 = g("rate.none.p50_ms")
    e, a = g("rate.emb_ok.p50_ms"), g("rate.agent_ok.p50_ms")
    rows.append(("open-loop p50, fast endpoint", fmt(none50, " ms"), with_ratio(e, " ms", ratio(e, none50)),
                 with_ratio(a, " ms", ratio(a, none50)), "info", ""))
    n, e, a = g("fpm.none.rps"), g("fpm.emb_ok.rps"), g("fpm.agent_ok.rps")
    rows.append(("saturated req/s (wrk, 8 connections), fast endpoint", fmt(n), with_ratio(e, "", ratio(e, n)),
                 with_ratio(a, "", ratio(a, n)), "info", ""))
    a0 = g("fpm.agent0_ok.rps")
    if a0 is not None:
        rows.append(("same, the agent at nice 0 (before it yielded to requests)", "", "", with_ratio(a0, "", ratio(a0, n)), "info (A/B)", ""))
    j, e, a = g("emit.fast.json_ns"), g("emit.fast.emit_ns"), g("emit.agent.emit_ns")
    ja = g("emit.agent.json_ns")
    rows.append(("`umw_emit` vs `json_encode` (1.1 KB payload, interleaved rounds)", f"json_encode {fmt(j, ' ns')}",
                 with_ratio(e, " ns", g("emit.fast.ratio")), with_ratio(a, " ns", g("emit.agent.ratio")) + f" (json {fmt(ja, ' ns')})",
                 "≤ 1.5×", at_most(g("emit.agent.ratio"), 1.5)))
    cj, ce, ca = g("cg.json_ir"), g("cg.emit_ir"), g("cg.agent_emit_ir")
    if cj:
        rows.append(("same, PHP-thread instructions (callgrind)", f"json_encode {fmt(cj)}", with_ratio(ce, "", ratio(ce, cj)),
                     with_ratio(ca, "", ratio(ca, cj)), "≤ 1.5×", at_most(ratio(ca, cj), 1.5)))
    w, e, a = g("tp.wrk.rps"), g("tp.emb.drain.drain_per_s"), g("tp.agent.drain.drain_per_s")
    rows.append((f"drain a backlog of {fmt(g('tp.emb.drain.backlog'))} to the fast receiver, deliveries/s vs wrk",
                 f"wrk {fmt(w)} req/s", with_ratio(e, "/s", ratio(e, w)), with_ratio(a, "/s", ratio(a, w)),
                 "≥ 0.7× wrk", at_least(ratio(a, w), 0.7)))
    e, a = g("tp.emb.drain.cpu_us_per_delivery"), g("tp.agent.drain.cpu_us_per_delivery")
    if e is not None or a is not None:
        rows.append(("CPU per delivery while draining (the embedded process / the agent, every thread)", "",
                     fmt(e, " µs"), fmt(a, " µs"), "info", ""))
    e, a = g("e2e.emb.per_s"), g("e2e.agent.per_s")
    rows.append((f"end to end: emit {fmt(g('e2e.emb.events'))}, wait until all are delivered, events/s vs wrk",
                 f"wrk {fmt(w)} req/s", with_ratio(e, "/s", ratio(e, w)), with_ratio(a, "/s", ratio(a, w)),
                 "≥ 0.7× wrk", at_least(ratio(a, w), 0.7)))
    e, ap, aa = g("e2e.emb.process_cpu_us_per_event"), g("e2e.agent.process_cpu_us_per_event"), g("e2e.agent.agent_cpu_us_per_event")
    if e is not None:
        rows.append(("CPU per event end to end (embedded: the process; agent: the emitting process + the agent)", "",
                     fmt(e, " µs"), f"{fmt(ap, ' µs')} + {fmt(aa, ' µs')}", "info", ""))
    (prss, pth), (ersss, eth), (arss, ath) = worker(r, "plain"), worker(r, "emb"), worker(r, "agent")
    rows.append(("RSS added per FPM worker after the load (vs the pool without umw)", fmt(prss, " MB"),
                 fmt(diff(ersss, prss), " MB"), fmt(diff(arss, prss), " MB"), "≤ 2 MB", at_most(diff(arss, prss), 2.0)))
    so_e, so_a, seg_a = g("fpmw.emb.umw_so_kb"), g("fpmw.agent.umw_so_kb"), g("fpmw.agent.spool_kb")
    if so_a is not None:
        rows.append(("of that RSS: libumw.so pages / the mapped spool segment (file pages, shared)", "",
                     f"{fmt((so_e or 0) / 1024, ' MB')} / –", f"{fmt(so_a / 1024, ' MB')} / {fmt((seg_a or 0) / 1024, ' MB')}", "info", ""))
    pp, pe, pa = (g(f"fpmw.{p}.private_kb") for p in ("plain", "emb", "agent"))
    mb = lambda v: None if v is None else v / 1024
    rows.append(("private memory (USS) added per FPM worker: not shared with the master or other workers", fmt(mb(pp), " MB"),
                 fmt(mb(diff(pe, pp)), " MB"), fmt(mb(diff(pa, pp)), " MB"), "info", ""))
    rows.append(("threads added per FPM worker", fmt(pth), fmt(diff(eth, pth)), fmt(diff(ath, pth)), "0",
                 at_most(diff(ath, pth), 0)))
    (et, el, ea, eth), (at, al, aa, ath2) = cli_added(r, "emb"), cli_added(r, "agent")
    rows.append(("RSS added per process, CLI (load + one emit): total (load + use)", "",
                 f"{fmt(et, ' MB')} ({fmt(el)} + {fmt(ea)})", f"{fmt(at, ' MB')} ({fmt(al)} + {fmt(aa)})", "info", ""))
    e, a = conns_per_10k(r, "emb"), conns_per_10k(r, "agent")
    rows.append((f"TCP connections accepted by the receiver per 10,000 deliveries, 4 FPM workers emitting "
                 f"({fmt(g('conn.agent.requests'))} delivered per mode)", "", fmt(e), fmt(a),
                 "≤ 16 (2 × max_in_flight_per_webhook)", at_most(a, 16)))
    rows.append(("the agent process itself, RSS after the load", "", "", fmt((g("fpmw.agent_process_rss_kb") or 0) / 1024, " MB"), "info", ""))
    return ("Agent vs embedded vs no webhooks (issue 14)",
            ["measurement", "no webhooks / baseline", "embedded", "agent", "target (agent)", "agent"], rows)


def mysql_table(r):
    g = r.med
    if g("emit.mysql.emit_ns") is None and g("tp.mysql.drain.drain_per_s") is None:
        return ("MariaDB beside SQLite (issue 10)", [], [])
    rows = []
    rows.append(("`umw_emit` vs `json_encode`, embedded, async (rounds)", with_ratio(g("emit.fast.emit_ns"), " ns", g("emit.fast.ratio")),
                 with_ratio(g("emit.mysql.emit_ns"), " ns", g("emit.mysql.ratio")), "≤ 1.5×", at_most(g("emit.mysql.ratio"), 1.5)))
    rows.append((f"same, {fmt(g('emit.mysql.sustained_events'))} back to back (beyond the queue)",
                 with_ratio(g("emit.fast.sustained_emit_ns"), " ns", g("emit.fast.sustained_ratio")),
                 with_ratio(g("emit.mysql.sustained_emit_ns"), " ns", g("emit.mysql.sustained_ratio")), "info", ""))
    rows.append(("durable emit, per event on the PHP thread (SQLite: the host's spool; MariaDB: a synchronous write to the shared store)",
                 with_ratio(g("emit.durable.emit_ns"), " ns", g("emit.durable.ratio")),
                 with_ratio(g("emit.mysql_durable.emit_ns"), " ns", g("emit.mysql_durable.ratio")), "info (its own row)", ""))
    w = g("tp.wrk.rps")
    for key, label in (("", "one embedded PHP process"), ("_agent", "the agent")):
        s, m = g(f"tp.{'emb' if not key else 'agent'}.drain.drain_per_s"), g(f"tp.mysql{key}.drain.drain_per_s")
        rows.append((f"drain rate, {label}, deliveries/s (vs wrk {fmt(w)})", with_ratio(s, "/s", ratio(s, w)),
                     with_ratio(m, "/s", ratio(m, w)), "info", ""))
    s, m = g("tp.emb.emit.events"), g("tp.mysql.emit.events")
    se, me = g("tp.emb.emit.emit_s"), g("tp.mysql.emit.emit_s")
    rows.append(("backlog build: events/s accepted while the endpoint hangs", fmt(ratio(s, se), "/s"), fmt(ratio(m, me), "/s"), "info", ""))
    none99 = g("rate.none.p99_ms")
    s, m = g("rate.emb_ok.p99_ms"), g("rate.mysql_ok.p99_ms")
    rows.append((f"open-loop p99 at {fmt(g('rate.target'))} req/s, fast endpoint, vs no webhooks {fmt(none99, ' ms')}",
                 with_ratio(s, " ms", ratio(s, none99)), with_ratio(m, " ms", ratio(m, none99)), "≤ 1.10×", at_most(ratio(m, none99), 1.10)))
    s, m = g("rate.emb_ok.cpu_us_per_req"), g("rate.mysql_ok.cpu_us_per_req")
    nc = g("rate.none.cpu_us_per_req")
    rows.append((f"CPU per request during that open loop (workers + MariaDB server; no webhooks: {fmt(nc, ' µs')})",
                 with_ratio(s, " µs", ratio(s, nc)), with_ratio(m, " µs", ratio(m, nc)), "info", ""))
    n = g("fpm.none.rps")
    s, m = g("fpm.emb_ok.rps"), g("fpm.mysql_ok.rps")
    rows.append(("saturated req/s (wrk)", with_ratio(s, "", ratio(s, n)), with_ratio(m, "", ratio(m, n)), "info", ""))
    (st, sl, sa, _), (mt, ml, ma, _) = cli_added(r, "emb"), cli_added(r, "mysql")
    rows.append(("RSS added per process, CLI (load + one emit)", fmt(st, " MB"), fmt(mt, " MB"), "≤ 10 MB", at_most(mt, 10)))
    (prss, _), (srss, _), (mrss, _) = worker(r, "plain"), worker(r, "emb"), worker(r, "mysql")
    rows.append(("RSS added per FPM worker after the load", fmt(diff(srss, prss), " MB"), fmt(diff(mrss, prss), " MB"), "info", ""))
    return ("MariaDB beside SQLite (issue 10)", ["measurement", "SQLite", "MariaDB", "target", "MariaDB"], rows)


def scale_table(r):
    g = r.med
    rows = []
    n = int(g("scale.setup_10000.webhooks") or 10001) - 1

    def flat(a, b, slack):
        """Flat: the 10,000-webhook figure within 1.5× of the 1-webhook one, or within `slack`."""
        if a is None or b is None:
            return "n/a"
        return verdict(b <= a * 1.5 or b - a <= slack)

    for key, label, unit, slack in (
            ("scale.idle_{}.cpu_pct", "idle embedded PHP process, background CPU (% of a core)", " %", 0.1),
            ("scale.agent_idle_{}.cpu_pct", "idle agent, CPU (% of a core)", " %", 0.1),
            ("scale.durable_{}.emit_ns", "durable emit (SQLite, spool), ns per event on the PHP thread", " ns", 500),
            ("scale.mysql_durable_{}.emit_ns", "durable emit (MariaDB, synchronous write), ns per event", " ns", 5000)):
        a, b = g(key.format(0)), g(key.format(10000))
        if a is None and b is None:
            continue
        rows.append((label, fmt(a, unit), fmt(b, unit), x(ratio(b, a)), f"flat (≤ 1.5×, or +{fmt(slack, unit)})", flat(a, b, slack)))
    secs = g("scale.idle_0.wall_s")
    return (f"1 vs {fmt(n + 1)} webhooks (issue 12; {fmt(n)} of them do not take the event; idle over {fmt(secs)} s)",
            ["measurement", "1 webhook", f"{fmt(n + 1)} webhooks", "ratio", "target", "verdict"], rows)


def wordpress_table(r):
    g = r.med
    if g("wpp.none.p99_ms") is None:
        return ("WordPress page", [], [])
    rows = []
    base99, base50 = g("wpp.none.p99_ms"), g("wpp.none.p50_ms")
    for sc, label in (("none", "no webhooks (no Ultimate Multisite webhook, bridge off)"),
                      ("um", "Ultimate Multisite's own inline sender (Webhook_Manager::send_webhooks, bridge off)"),
                      ("emb", "umw, embedded delivery (bridge on)"),
                      ("agent", "umw, agent (bridge on)")):
        p50, p99 = g(f"wpp.{sc}.p50_ms"), g(f"wpp.{sc}.p99_ms")
        rows.append((label, fmt(p50, " ms"), fmt(p99, " ms") + spread(r, f"wpp.{sc}.p99_ms"), x(ratio(p50, base50)),
                     x(ratio(p99, base99)), fmt(g(f"wpp.{sc}.event_us"), " µs"), fmt(g(f"wpp.{sc}.rate"))))
    slow = g("wpp.um_slow.p50_ms")
    if slow is not None:
        rows.append((f"Ultimate Multisite's inline sender, endpoint answering in 200 ms (one round at {fmt(g('wpp.um_slow.rate'))} req/s)",
                     fmt(slow, " ms"), fmt(g("wpp.um_slow.p99_ms"), " ms"), x(ratio(slow, base50)), x(ratio(g("wpp.um_slow.p99_ms"), base99)),
                     fmt(g("wpp.um_slow.event_us"), " µs"), fmt(g("wpp.um_slow.rate"))))
    return (f"A real WordPress page firing one Ultimate Multisite event (open loop at {fmt(g('wpp.target'))} req/s, "
            f"saturation {fmt(g('wpp.sat.rps'))} req/s)",
            ["page", "p50", "p99", "p50 vs none", "p99 vs none", "the event's share of the request (median)", "req/s"], rows)


def tables(r):
    import report_detail
    return [agent_table(r), mysql_table(r), scale_table(r), wordpress_table(r), report_detail.detail_table(r)]
