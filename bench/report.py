#!/usr/bin/env python3
"""Helpers for run.sh: parse wrk output, aggregate rounds, print the results tables.

  report.py wrk <wrk output> <key prefix>      key=value lines of one wrk run
  report.py table <results.kv> <mode> <machine> the markdown results (tables in report_tables.py)"""
import re, statistics, sys, datetime


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


class Results:
    """The raw key=value lines of one run; every key may hold several values (rounds)."""

    def __init__(self, path):
        self.kv = {}
        for line in open(path):
            line = line.strip()
            if "=" in line:
                k, v = line.split("=", 1)
                self.kv.setdefault(k, []).append(v)

    def values(self, key):
        out = []
        for v in self.kv.get(key, []):
            try:
                x = float(v)
            except ValueError:
                continue
            if x == x:  # not NaN
                out.append(x)
        return out

    def med(self, key):
        vals = self.values(key)
        return statistics.median(vals) if vals else None

    def spread(self, key):
        """min–max over rounds, for the noise column."""
        vals = self.values(key)
        return (min(vals), max(vals)) if len(vals) > 1 else None

    def text(self, key):
        return self.kv.get(key, [])


def fmt(x, unit="", digits=3):
    if x is None:
        return "n/a"
    s = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{digits}g}"
    return s + unit


def ratio(a, b):
    return None if a is None or not b else a / b


def diff(a, b):
    return None if a is None or b is None else a - b


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def at_most(x, limit):
    return verdict(None if x is None else x <= limit)


def at_least(x, limit):
    return verdict(None if x is None else x >= limit)


def markdown(title, header, rows):
    out = [f"## {title}\n", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def table(path, mode, machine):
    import report_tables
    r = Results(path)
    out = [f"# umw benchmark results ({mode} run)\n",
           f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
           f"- machine: {machine}",
           f"- run time: {fmt(r.med('run.seconds'))} s (sections after the build)",
           "- values are medians over rounds; ratios are within this run; [a–b] is the spread over rounds\n"]
    broken = sorted(k for k in r.kv if k.startswith("broken."))
    if broken:
        out.append("**Broken (real failures, not noise):** " + "; ".join(f"{k[7:]}: {r.text(k)[0]}" for k in broken) + "\n")
    for title, header, rows in report_tables.tables(r):
        if rows:
            out.append(markdown(title, header, rows))
    return "\n".join(out)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "wrk":
        wrk_parse(sys.argv[2], sys.argv[3])
    elif cmd == "table":
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        sys.stdout.write(table(sys.argv[2], sys.argv[3], sys.argv[4]))
