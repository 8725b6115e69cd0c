"""Where the machine's CPU goes during a load: CPU seconds per kind of process.

Usage: python3 bench/cpu_split.py OUT    (runs until SIGTERM or SIGINT, then writes OUT)

Samples /proc every 0.2 s and keeps, per process, the CPU time (user + system) it used
since it was first seen (or since the start, for processes already running), so processes
that start and end during the load (wrk) are counted too, less at most one sample's worth.
OUT gets "cpu_KIND SECONDS" lines (KIND: mastery, postgres, wrk, nginx, other), "cpu_busy
SECONDS" (the whole machine's busy time from /proc/stat, every core), "cpu_wall SECONDS"
and "cpu_cores N", in the "NAME VALUE" form of bench/community.sh's figures.

It counts every process on the machine by the start of its name, so run it on a machine
doing nothing else (another PostgreSQL cluster or a build would be counted too); "busy"
is every core's time outside idle and I/O wait (steal included, as the machine's loss).
"""

import os
import signal
import sys
import time

KINDS = ("mastery", "postgres", "wrk", "nginx")
TICKS = os.sysconf("SC_CLK_TCK")


def kind_of(comm):
    for kind in KINDS:
        if comm.startswith(kind):
            return kind
    return "other"


def processes():
    """{pid: (kind, cpu ticks)} of every process readable now."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # comm is in parentheses and may hold spaces; the fields after it are fixed.
        open_paren, close_paren = stat.find("("), stat.rfind(")")
        if open_paren < 0 or close_paren < 0:
            continue
        fields = stat[close_paren + 2:].split()
        try:
            ticks = int(fields[11]) + int(fields[12])  # utime, stime
        except (IndexError, ValueError):
            continue
        found[int(name)] = (kind_of(stat[open_paren + 1:close_paren]), ticks)
    return found


def machine_busy():
    """Busy ticks of all cores (everything but idle and iowait)."""
    with open("/proc/stat", encoding="utf-8") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values) - values[3] - values[4]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    start_wall, start_busy = time.monotonic(), machine_busy()
    first = processes()  # baseline of what was already running
    last = dict(first)
    while not stop:
        time.sleep(0.2)
        for pid, seen in processes().items():
            if pid not in first:
                first[pid] = (seen[0], 0)  # started during the load: all its time counts
            last[pid] = seen
    used = {kind: 0 for kind in KINDS + ("other",)}
    for pid, (kind, ticks) in last.items():
        used[kind] += max(0, ticks - first[pid][1])
    with open(out, "w", encoding="utf-8") as f:
        for kind, ticks in used.items():
            f.write(f"cpu_{kind} {ticks / TICKS:.2f}\n")
        f.write(f"cpu_busy {(machine_busy() - start_busy) / TICKS:.2f}\n")
        f.write(f"cpu_wall {time.monotonic() - start_wall:.2f}\n")
        f.write(f"cpu_cores {os.cpu_count()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
