"""The tables and summaries of bench/community.sh and bench/soak.sh.

Usage: python3 bench/community_report.py RESULTS FIGURES [SETUP]
       python3 bench/community_report.py RESULTS FIGURES --slice M ACKED
       python3 bench/community_report.py RESULTS FIGURES --soak ACKED CHECK [NGINX_ERROR_LOG]

RESULTS: one line per wrk process, "SETUP RUN conns=N kind=K requests=… rps=… p50=… p99=…
max=… ok=… other=… acked=… connect=… read=… write=… timeout=… codes=…" (the RESULT line of
bench/community.lua, times in ms). FIGURES: "NAME VALUE" lines (stored_SETUP, pgbench_tps,
page_bytes, rss_s1_M, kill_at, …). With SETUP, prints that setup's table; with neither,
every table and the summary against issue 22's targets, and exits 1 when a setup stored
fewer reviews than it acknowledged. --slice prints one minute of bench/soak.sh, --soak its
report (ACKED: bench/acked_writes.py's file, with ACKED.errors; CHECK: the check's output).
"""

import sys

NAMES = {
    "a": "(a) SQLite, 1 instance",
    "b": "(b) PostgreSQL, 1 instance",
    "c": "(c) PostgreSQL, 2 instances + nginx",
    "nginx": "nginx, the same page bytes as a static file",
}
KINDS = ["guide", "question", "queue", "review", "mark", "search"]
P99_TARGET_MS = 50.0
CPU_KINDS = ("mastery", "postgres", "wrk", "nginx", "other")


def read_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            row = {"setup": parts[0], "run": parts[1]}
            for item in parts[2:]:
                key, _, value = item.partition("=")
                row[key] = value
            for key in ("conns", "requests", "ok", "other", "acked", "connect", "read", "write", "timeout"):
                row[key] = int(row.get(key, 0))
            for key in ("rps", "p50", "p99", "max", "seconds"):
                row[key] = float(row.get(key, 0))
            row["socket"] = row["connect"] + row["read"] + row["write"] + row["timeout"]
            rows.append(row)
    return rows


def read_figures(path):
    figures = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, _, value = line.strip().partition(" ")
            if name:
                figures[name] = value
    return figures


def socket_text(r):
    if not r["socket"]:
        return "0"
    parts = [f"{k} {r[k]}" for k in ("connect", "read", "write", "timeout") if r[k]]
    return f"{r['socket']} ({', '.join(parts)})"


def other_text(r):
    return str(r["other"]) if not r["other"] else f"{r['other']} ({r['codes']})"


def line(r, label=None):
    return (f"  {label or r['kind']:<9} {r['conns']:>5} {r['rps']:>10.1f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
            f"{r['max']:>8.1f} {r['ok']:>9} {other_text(r):>10}  {socket_text(r)}")


def table(setup, rows, figures):
    print()
    print(NAMES.get(setup, setup))
    header = (f"  {'kind':<9} {'conns':>5} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'2xx':>9} {'non-2xx':>10}  socket errors")
    alone = [r for r in rows if r["setup"] == setup and r["run"] == "alone"]
    mixed = [r for r in rows if r["setup"] == setup and r["run"] == "mix"]
    if alone:
        print(f"  each kind alone, {figures.get('connections', 64)} connections (wrk -t2):")
        print(header)
        for r in alone:
            print(line(r))
    if mixed:
        print("  the mixed workload, one wrk -t1 per kind, at once:")
        print(header)
        mixed.sort(key=lambda r: KINDS.index(r["kind"]) if r["kind"] in KINDS else 99)
        for r in mixed:
            print(line(r))
        total = {
            "kind": "total", "conns": sum(r["conns"] for r in mixed), "rps": sum(r["rps"] for r in mixed),
            "p50": max(r["p50"] for r in mixed), "p99": max(r["p99"] for r in mixed),
            "max": max(r["max"] for r in mixed), "ok": sum(r["ok"] for r in mixed),
            "other": sum(r["other"] for r in mixed),
            "codes": ",".join(r["codes"] for r in mixed if r["codes"] != "-"),
        }
        for k in ("connect", "read", "write", "timeout", "socket"):
            total[k] = sum(r[k] for r in mixed)
        print(line(total) + "   (p50, p99, max: the highest of the kinds)")
        acked = sum(r["acked"] for r in rows if r["setup"] == setup)
        stored = figures.get(f"stored_{setup}")
        if stored is not None:
            verdict = ("every acknowledged review found" if int(stored) >= acked
                       else f"MISSING: {acked - int(stored)} acknowledged reviews are not stored")
            print(f"  reviews acknowledged (200, \"recorded\":true), alone and mixed: {acked}; stored (review_id LIKE 'bench-%'): "
                  f"{stored}: {verdict}")
    cpu = {k: float(figures[f"cpu_{setup}_{k}"]) for k in CPU_KINDS + ("busy", "wall", "cores")
           if f"cpu_{setup}_{k}" in figures}
    if cpu.get("busy") and cpu.get("wall"):
        # CPU seconds per kind of process during the mix, as shares of the machine's busy time.
        parts = ", ".join(f"{k} {cpu.get(k, 0):.1f} s ({pct(cpu.get(k, 0), cpu['busy'])})" for k in CPU_KINDS)
        print(f"  CPU during the mix (bench/cpu_split.py): {parts}; the machine busy "
              f"{cpu['busy']:.1f} of {cpu['wall'] * cpu.get('cores', 1):.1f} core-seconds")
    if setup == "b" and "pgbench_tps" in figures:
        print(f"  pgbench, the statements of one review (bench/review.pgbench, -M prepared -c {figures.get('connections', 64)} -j 2): "
              f"{float(figures['pgbench_tps']):.1f} tps, latency average {figures.get('pgbench_latency_ms', '?')} ms, "
              f"{figures.get('pgbench_transactions', '?')} transactions, failed {figures.get('pgbench_failed') or 0}")


def find(rows, setup, run, kind):
    for r in rows:
        if r["setup"] == setup and r["run"] == run and r["kind"] == kind:
            return r
    return None


def pct(a, b):
    return f"{a / b * 100:.1f}%" if b else "n/a"


def summary(rows, figures):
    failed = False
    print()
    print("Summary (issue 22's targets)")
    review_b = find(rows, "b", "alone", "review")
    mixed_b = find(rows, "b", "mix", "review")
    tps = float(figures.get("pgbench_tps") or 0)
    if review_b and tps:
        ratio = review_b["rps"] / tps
        print(f"  reviews alone on PostgreSQL (b), {figures.get('connections', 64)} connections: {review_b['rps']:.1f}/s; pgbench, the same "
              f"statements, {figures.get('connections', 64)} clients: {tps:.1f} tps; ratio {ratio * 100:.1f}% "
              f"(target >= 50%: {'met' if ratio >= 0.5 else 'missed'})")
    if mixed_b and tps:
        print(f"    in the mixed workload (b): {mixed_b['rps']:.1f} reviews/s on {mixed_b['conns']} of the {figures.get('connections', 64)} "
              f"connections, {pct(mixed_b['rps'], tps)} of pgbench's rate")
    for s in ("a", "c"):
        r = find(rows, s, "alone", "review")
        if r:
            print(f"    reviews alone on {NAMES[s]}: {r['rps']:.1f}/s, p99 {r['p99']:.2f} ms"
                  + (f", {pct(r['rps'], tps)} of pgbench's rate" if tps else ""))
    guide = {s: find(rows, s, "alone", "guide") for s in ("a", "b", "c")}
    static = find(rows, "nginx", "alone", "guide")
    if guide["a"] and guide["b"]:
        ratio = guide["b"]["rps"] / guide["a"]["rps"] if guide["a"]["rps"] else 0
        print(f"  guide page alone: PostgreSQL (b) {guide['b']['rps']:.1f} req/s / SQLite (a) {guide['a']['rps']:.1f} "
              f"req/s = {ratio * 100:.1f}% (target >= 50%: {'met' if ratio >= 0.5 else 'missed'})")
    if guide["c"] and guide["a"]:
        print(f"    two instances + nginx (c): {guide['c']['rps']:.1f} req/s, {pct(guide['c']['rps'], guide['a']['rps'])} of (a)")
    if static:
        encoding = figures.get("page_encoding", "?")
        print(f"    nginx, the same {figures.get('page_bytes', '?')} bytes ({encoding}) as a static file: "
              f"{static['rps']:.1f} req/s, p99 {static['p99']:.2f} ms; "
              + ", ".join(f"({s}) {pct(guide[s]['rps'], static['rps'])}" for s in ("a", "b", "c") if guide[s])
              + " of it")
    for s in ("b", "c"):
        mixed = [r for r in rows if r["setup"] == s and r["run"] == "mix"]
        if not mixed:
            continue
        worst = max(mixed, key=lambda r: r["p99"])
        over = [f"{r['kind']} {r['p99']:.1f}" for r in mixed if r["p99"] > P99_TARGET_MS]
        print(f"  highest p99 of a kind, mixed workload, {NAMES[s]}: {worst['kind']} {worst['p99']:.2f} ms "
              f"(target <= {P99_TARGET_MS:.0f} ms: {'met' if not over else 'missed: ' + ', '.join(over)})")
        conns = sum(r["conns"] for r in mixed)
        rps = sum(r["rps"] for r in mixed)
        if rps:
            # Little's law: in a closed loop every connection always has a request in flight.
            print(f"    {conns} connections / {rps:.1f} req/s = {conns / rps * 1000:.1f} ms: the mean time of a "
                  f"request at this load, whatever the server does")
    errors = []
    for s in ("a", "b", "c"):
        runs = [r for r in rows if r["setup"] == s]
        bad = sum(r["other"] + r["socket"] for r in runs)
        if bad:
            errors.append(f"{s}: {bad}")
    print(f"  non-2xx responses and socket errors: {'none' if not errors else '; '.join(errors)}")
    for s in ("a", "b", "c"):
        runs = [r for r in rows if r["setup"] == s]
        stored = figures.get(f"stored_{s}")
        if not runs or stored is None:
            continue
        acked = sum(r["acked"] for r in runs)
        ok = int(stored) >= acked
        failed |= not ok
        print(f"  acknowledged reviews {NAMES[s]}: {acked} acknowledged, {stored} stored: "
              f"{'ok' if ok else 'FAILED: acknowledged reviews are missing'}")
    return 1 if failed else 0


# ------------------------------------------------------------------------------ soak

def read_times(path, column):
    """The UNIX times in COLUMN of a file of space-separated lines (absent: none)."""
    times = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) > column:
                    times.append((float(parts[column]), parts))
    except FileNotFoundError:
        pass
    return times


def slice_figures(m, rows, figures, acked):
    mixed = [r for r in rows if r["run"] == f"m{m}"]
    start = float(figures.get(f"slice_start_{m}", 0))
    end = float(figures.get(f"slice_end_{m}", 0))
    failures = [p for t, p in read_times(acked + ".errors", 0) if start <= t < end]
    acks = [p for t, p in read_times(acked, 3) if start <= t < end]
    worst = max(mixed, key=lambda r: r["p99"]) if mixed else None
    review = next((r for r in mixed if r["kind"] == "review"), None)
    return {
        "m": m,
        "rps": sum(r["rps"] for r in mixed),
        "ok": sum(r["ok"] for r in mixed),
        "other": sum(r["other"] for r in mixed),
        "codes": ",".join(f"{r['kind']}:{r['codes']}" for r in mixed if r["codes"] != "-"),
        "socket": sum(r["socket"] for r in mixed),
        "sockets": ", ".join(f"{r['kind']} {socket_text(r)}" for r in mixed if r["socket"]),
        "writer_acks": len(acks),
        "writer_failures": len(failures),
        "p99": worst["p99"] if worst else 0.0,
        "p99_kind": worst["kind"] if worst else "-",
        "review_p99": review["p99"] if review else 0.0,
        "rss1": int(figures.get(f"rss_s1_{m}", 0)) / 1024,
        "rss2": int(figures.get(f"rss_s2_{m}", 0)) / 1024,
    }


SLICE_HEADER = (f"{'minute':>6} {'req/s':>9} {'2xx':>8} {'non-2xx':>8} {'socket':>7} {'writer ok':>9} "
                f"{'writer err':>10} {'max p99 ms':>11} {'(kind)':<9} {'review p99':>10} {'RSS s1 MiB':>10} {'RSS s2 MiB':>10}")


def slice_line(f):
    return (f"{f['m']:>6} {f['rps']:>9.1f} {f['ok']:>8} {f['other']:>8} {f['socket']:>7} {f['writer_acks']:>9} "
            f"{f['writer_failures']:>10} {f['p99']:>11.2f} {f['p99_kind']:<9} {f['review_p99']:>10.2f} "
            f"{f['rss1']:>10.1f} {f['rss2']:>10.1f}"
            + (f"  non-2xx: {f['codes']}" if f["codes"] else "")
            + (f"  socket errors: {f['sockets']}" if f["sockets"] else ""))


def growth(series):
    """(growth from the first to the last value, the largest growth over the first), in %."""
    series = [v for v in series if v > 0]
    if len(series) < 2:
        return None
    first = series[0]
    return (series[-1] / first - 1) * 100, (max(series[1:]) / first - 1) * 100


def nginx_errors(path):
    """nginx's error log summarised: {(message, method): count}. A request `nginx passed
    on` to the other instance shows as an error line too (`… while connecting to upstream`)
    and still got its answer; only a POST whose request had been sent comes back as 502."""
    found = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "[error]" not in line and "[warn]" not in line:
                    continue
                text = line.split("]", 1)[1]
                text = text.split(": *", 1)[-1]
                text = text.split(" ", 1)[-1] if text[:1].isdigit() else text
                message = text.split(", client:", 1)[0].strip()
                method = "-"
                if 'request: "' in line:
                    method = line.split('request: "', 1)[1].split(" ", 1)[0]
                found[(message, method)] = found.get((message, method), 0) + 1
    except FileNotFoundError:
        pass
    return found


def soak(rows, figures, acked, check, nginx_log=None):
    slices = sorted({int(r["run"][1:]) for r in rows if r["run"].startswith("m")})
    per = [slice_figures(m, rows, figures, acked) for m in slices]
    print()
    print("=" * 100)
    print("Soak, per minute (two instances on PostgreSQL behind nginx; s1 killed and restarted):")
    print(SLICE_HEADER)
    for f in per:
        print(slice_line(f))
    verdicts = []
    start = float(figures.get("start", 0))
    kill_at = float(figures.get("kill_at", 0)) or None
    ready_at = float(figures.get("ready_at", 0)) or None
    restart_at = float(figures.get("restart_at", 0)) or None
    kill_slice = None
    if kill_at:
        kill_slice = next((m for m in slices
                           if float(figures.get(f"slice_start_{m}", 0)) <= kill_at < float(figures.get(f"slice_end_{m}", 1e18))), None)
    # Memory.
    print()
    g2 = growth([f["rss2"] for f in per])
    if g2:
        print(f"RSS growth after the first minute, s2 (the survivor): {g2[0]:+.1f}% (largest {g2[1]:+.1f}%)")
        verdicts.append(("memory flat (s2 < 10%)", g2[1] < 10))
    if kill_slice:
        before = [f["rss1"] for f in per if f["m"] < kill_slice]
        after = [f["rss1"] for f in per if f["m"] >= kill_slice]
        g1b, g1a = growth(before), growth(after)
        print("RSS growth, s1: "
              + (f"{g1b[0]:+.1f}% before the kill (largest {g1b[1]:+.1f}%)" if g1b else "too few minutes before the kill")
              + "; "
              + (f"{g1a[0]:+.1f}% after its restart, from its first minute (largest {g1a[1]:+.1f}%)" if g1a
                 else "too few minutes after its restart"))
    else:
        g1 = growth([f["rss1"] for f in per])
        if g1:
            print(f"RSS growth after the first minute, s1: {g1[0]:+.1f}% (largest {g1[1]:+.1f}%)")
    # Latency.
    p99s = [f["p99"] for f in per if f["m"] != kill_slice]
    if p99s:
        print(f"highest p99 of a kind per minute, outside the kill's minute: {min(p99s):.2f} to {max(p99s):.2f} ms")
        verdicts.append(("p99 of every kind <= 50 ms outside the kill's minute", max(p99s) <= P99_TARGET_MS))
    # The kill.
    if kill_at:
        window_end = (ready_at or kill_at) + 2.0  # nginx's fail_timeout
        failures = [(t, p) for t, p in read_times(acked + ".errors", 0) if kill_at <= t <= window_end]
        down_acks = [t for t, _ in read_times(acked, 3) if kill_at <= t < (ready_at or kill_at)]
        kinds = {}
        for _, p in failures:
            kinds[p[1]] = kinds.get(p[1], 0) + 1
        print(f"kill: s1 got SIGKILL at +{kill_at - start:.1f} s (minute {kill_slice}), was started again at "
              f"+{(restart_at or kill_at) - start:.1f} s and ready at +{(ready_at or kill_at) - start:.1f} s "
              f"({(ready_at or kill_at) - kill_at:.1f} s after the kill)")
        print(f"  while s1 was down, the writer had {len(down_acks)} reviews acknowledged through nginx "
              f"(served by s2): the survivor {'served on' if down_acks else 'DID NOT SERVE'}")
        print(f"  the writer's failures from the kill to s1's readiness + 2 s: {len(failures)}"
              + (f" ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})" if kinds else "")
              + " (expected: only POSTs other than answers that were in flight on s1: nginx passes answers on, they carry a review id)")
        verdicts.append(("the survivor served during the kill", bool(down_acks)))
        k = next((f for f in per if f["m"] == kill_slice), None)
        if k:
            print(f"  wrk in the kill's minute: {k['other']} non-2xx ({k['codes'] or 'none'}), {k['socket']} socket errors")
        if nginx_log:
            found = nginx_errors(nginx_log)
            if found:
                print("  nginx's error log (what failed on the way to an instance, by message and method):")
                for (message, method), n in sorted(found.items(), key=lambda x: -x[1]):
                    print(f"    {n:>5}  {method:<6} {message}")
            else:
                print("  nginx's error log: empty")
    others = [f for f in per if f["m"] != kill_slice]
    errors = sum(f["other"] + f["socket"] + f["writer_failures"] for f in others)
    print(f"errors outside the kill's minute: {errors}")
    verdicts.append(("0 errors outside the kill's minute", errors == 0))
    with open(check, encoding="utf-8") as f:
        text = f.read().strip()
    print(text)
    verdicts.append(("every acknowledged write present exactly once",
                     "missing 0, duplicated 0, under another learner 0, unknown learner 0" in text
                     and text.endswith(": 0")))
    print()
    for name, ok in verdicts:
        print(f"  {'met   ' if ok else 'MISSED'}  {name}")
    return 0


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    rows = read_results(sys.argv[1])
    figures = read_figures(sys.argv[2])
    if len(sys.argv) == 6 and sys.argv[3] == "--slice":
        f = slice_figures(int(sys.argv[4]), rows, figures, sys.argv[5])
        if f["m"] == 1:
            print(SLICE_HEADER)
        print(slice_line(f))
        return 0
    if len(sys.argv) in (6, 7) and sys.argv[3] == "--soak":
        return soak(rows, figures, sys.argv[4], sys.argv[5], sys.argv[6] if len(sys.argv) == 7 else None)
    if len(sys.argv) == 4:
        table(sys.argv[3], rows, figures)
        return 0
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    return summary(rows, figures)


if __name__ == "__main__":
    sys.exit(main())
