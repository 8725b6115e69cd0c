#!/usr/bin/env bash
# Search on a generated 10,000-question guide: `GET /api/v1/search` of `mastery serve`,
# at one connection (p50/p99 of wrk with keep-alive, against /healthz as the ceiling) and at 64 connections (wrk),
# against SQLite FTS5 (bm25 ranking + snippet, in process, no HTTP) on the same corpus in
# the same run. Also the index's build time and memory (the server's RSS with and without
# the generated guide).
# Usage: bench/search.sh [QUESTIONS]   (needs wrk, curl, python3 with sqlite3 FTS5)
# SECONDS_PER_QUERY (default 4) is how long each query is asked at one connection.
# BASELINE=path/to/an/older/mastery also serves the same guide with that binary and asks it
# the same queries, interleaved, so that two versions are compared in the same run.
# The index keeps no cache of results: every request is a cold search.
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

# start_server PORT [ARGS]: serves, waits, prints the RSS in KiB after start.
# ($server picks the binary: the one built here unless told otherwise.)
server="$bin/mastery"
start_server() {
  local port=$1; shift
  "$server" serve --bind "127.0.0.1:$port" --data-dir "$work/data-$port" --log warn "$@" >"$work/$port.log" 2>&1 &
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

if [ -n "${BASELINE:-}" ]; then
  server="$BASELINE"
  base_port=$(free_port)
  start_server "$base_port" --guides "$work/synthetic" >/dev/null
  server="$bin/mastery"
fi

# ms VALUE: wrk's latency ("812.00us", "4.21ms", "1.02s") in milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }
# time_query URL: p50 and p99 in ms at one connection (keep-alive, as a browser's search box
# does), wrk for $SECONDS_PER_QUERY seconds: hundreds to thousands of requests, so the p99 is
# a percentile and not the slowest of a few. A process per request (curl) would time the
# process start and the TCP handshake instead.
seconds=${SECONDS_PER_QUERY:-4}
time_query() {
  local out p50 p99
  out=$(wrk -t1 -c1 -d"${seconds}s" --latency "$1")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  printf '%6s / %6s' "$(ms "$p50")" "$(ms "$p99")"
}

# The ceiling of HTTP on this machine, in the same run: the same client at one connection
# against /healthz (no work at all) and a search that matches nothing.
echo
echo "reference at one connection (wrk -t1 -c1, ${seconds} s each), p50 / p99 in ms:"
printf '  %-36s %s\n' "/healthz (the HTTP ceiling)" "$(time_query "$base/healthz")"
printf '  %-36s %s\n' "search matching nothing" "$(time_query "$base/api/v1/search?q=qqqqzzzzxxxx")"

queries=(mechanism threshold contention "reference count" gil select_related decoratr "select_relatd" "mechanism -threshold" '"reference count"' me)
echo
echo "search, $questions generated questions + the built-in guide, at one connection (wrk -t1 -c1, ${seconds} s per cell)"
echo "p50 / p99 in ms over HTTP: the default 100 results, and limit=20 (what search as you type asks for)"
header=$(printf '%-24s %7s %17s %17s' query results "100: p50 / p99" "20: p50 / p99")
[ -n "${BASELINE:-}" ] && header+=$(printf ' %17s %17s' "baseline 100" "baseline 20")
echo "$header"
for q in "${queries[@]}"; do
  enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
  total=$(curl -fs -D - -o /dev/null "$base/api/v1/search?q=$enc" | awk -F': ' 'tolower($1)=="x-total-count"{print $2+0}')
  line=$(printf '%-24s %7s %17s %17s' "$q" "$total" "$(time_query "$base/api/v1/search?q=$enc")" "$(time_query "$base/api/v1/search?q=$enc&limit=20")")
  if [ -n "${BASELINE:-}" ]; then
    old="http://127.0.0.1:$base_port"
    same=$(python3 - "$base/api/v1/search?q=$enc" "$old/api/v1/search?q=$enc" <<'PY'
import json, sys, urllib.request
ids = [[h["guide"] + "/" + h["question"] for h in json.load(urllib.request.urlopen(u))] for u in sys.argv[1:]]
print("same" if ids[0] == ids[1] else "DIFFERENT")
PY
)
    [ "$same" = same ] || echo "  $q: the best 100 differ from the baseline's"
    # The baseline may not know `limit` (it then ignores it and returns 100).
    line+=$(printf ' %17s %17s' "$(time_query "$old/api/v1/search?q=$enc")" "$(time_query "$old/api/v1/search?q=$enc&limit=20")")
  fi
  echo "$line"
done

echo
echo "64 connections, 10 s each (wrk -t2):"
for path in "q=mechanism" "q=mechanism&limit=20" "q=decoratr"; do
  for target in "$base" ${BASELINE:+"http://127.0.0.1:$base_port"}; do
    out=$(wrk -t2 -c64 -d10s --latency "$target/api/v1/search?$path")
    label=$path; [ "$target" != "$base" ] && label="$path (baseline)"
    printf '%-36s %10s req/s   p99 %s\n' "$label" "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")"
  done
done

echo
echo "in process, no HTTP (bench-search: p50/p99 ms for 100, 10 and 0 results):"
"$bin"/bench-search "$work/synthetic"

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
