#!/usr/bin/env bash
# Search on a generated 10,000-question guide: `GET /api/v1/search` of `mastery serve`,
# one request at a time (p50/p99 over 30 runs per query) and at 64 connections (wrk),
# against SQLite FTS5 (bm25 ranking + snippet, in process, no HTTP) on the same corpus in
# the same run. Also the index's build time and memory (the server's RSS with and without
# the generated guide).
# Usage: bench/search.sh [QUESTIONS]   (needs wrk, curl, python3 with sqlite3 FTS5)
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/release"
questions=${1:-10000}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/search.sh needs $tool"; exit 2; }
done
cargo build --release -p mastery -p mastery-bench --bins >&2
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin"/gen-guide "$work/synthetic" "$questions" >&2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME [GUIDES]: serves, waits, prints the RSS in KiB after start.
start_server() {
  local port=$1; shift
  "$bin"/mastery serve --bind "127.0.0.1:$port" --data-dir "$work/data-$port" --log warn "$@" >"$work/$port.log" 2>&1 &
  echo $! >"$work/$port.pid"
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
  sleep 1
  ps -o rss= -p "$(cat "$work/$port.pid")" | tr -d ' '
}
plain=$(free_port)
rss_plain=$(start_server "$plain")
kill "$(cat "$work/$plain.pid")"; rm -f "$work/$plain.pid"
port=$(free_port)
start_ns=$(date +%s%N)
rss_big=$(start_server "$port" --guides "$work/synthetic")
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
base="http://127.0.0.1:$port"

queries=(mechanism threshold contention "reference count" gil select_related decoratr "select_relatd" "mechanism -threshold" '"reference count"')
echo
echo "search, $questions generated questions + the built-in guide, one request at a time (30 runs each)"
printf '%-26s %8s %8s %8s\n' query results p50_ms p99_ms
for q in "${queries[@]}"; do
  enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
  total=$(curl -fs -D - -o /dev/null "$base/api/v1/search?q=$enc" | awk -F': ' 'tolower($1)=="x-total-count"{print $2+0}')
  times=$(for _ in $(seq 30); do curl -fs -o /dev/null -w '%{time_total}\n' "$base/api/v1/search?q=$enc"; done | sort -n)
  p50=$(sed -n '15p' <<<"$times"); p99=$(tail -n 1 <<<"$times")
  printf '%-26s %8s %8.2f %8.2f\n' "$q" "$total" "$(python3 -c "print($p50*1000)")" "$(python3 -c "print($p99*1000)")"
done

echo
echo "64 connections, 10 s each (wrk -t2):"
for q in mechanism decoratr; do
  out=$(wrk -t2 -c64 -d10s --latency "$base/api/v1/search?q=$q")
  printf '%-12s %10s req/s   p99 %s\n' "$q" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")"
done

echo
echo "SQLite FTS5 (bm25 + snippet, in process, same corpus and queries):"
python3 - "$work/synthetic" <<'PY'
import pathlib, re, sqlite3, sys, time
root = pathlib.Path(sys.argv[1])
rows = []
for f in sorted(root.glob("*.md")):
    text = f.read_text()
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        rows.append((title, body))
con = sqlite3.connect(":memory:")
con.execute("CREATE VIRTUAL TABLE q USING fts5(title, body)")
t = time.perf_counter()
con.executemany("INSERT INTO q VALUES (?, ?)", rows)
print(f"  indexed {len(rows)} questions in {(time.perf_counter()-t)*1000:.0f} ms")
sql = ("SELECT title, snippet(q, 1, '<mark>', '</mark>', '…', 24) FROM q WHERE q MATCH ? "
       "ORDER BY bm25(q, 10.0, 1.0) LIMIT 100")
for query in ["mechanism", "threshold", "contention", '"reference count"', "gil", "select_related"]:
    fts = query if query.startswith('"') else '"' + query + '"'
    times = []
    for _ in range(30):
        t = time.perf_counter()
        con.execute(sql, (fts,)).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"  {query:<24} p50 {times[14]:.2f} ms  p99 {times[-1]:.2f} ms")
PY
echo
echo "idle RSS: $((rss_plain / 1024)) MiB with the built-in guide, $((rss_big / 1024)) MiB with $questions more questions (index and guide)"
echo "start to ready with $questions questions (load, render, index): ${ready_ms} ms"
