#!/usr/bin/env bash
# Review submission throughput and latency at 64 concurrent connections against
# `mastery serve` (SQLite, WAL, synchronous=FULL: every acknowledged review is on disk),
# and, in the same run, raw SQLite inserting the same rows one transaction per review and
# in batches. Usage: bench/reviews.sh [DURATION_SECONDS]. Figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/release"
duration=${1:-10}
command -v wrk >/dev/null || { echo "bench/reviews.sh needs wrk (apt-get install wrk)"; exit 2; }
cargo build --release -p mastery >&2
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin"/mastery serve --bind "127.0.0.1:$port" --data-dir "$work/data" >"$work/mastery.log" 2>&1 &
echo $! >"$work/mastery.pid"
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
jar="$work/cookies"
export TOKEN=$(curl -fs -c "$jar" "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
export COOKIE=$(awk '$6=="mastery_session"{print "mastery_session="$7}' "$jar")
export QUESTIONS=$(curl -fs "http://127.0.0.1:$port/api/v1/guides/python-django" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(q["id"] for s in d["sections"] for q in s["questions"] if q["level"]))')
echo "reviews, 64 connections, ${duration}s, wrk -t2 (same machine, same run)"
wrk -t2 -c64 -d"${duration}s" --latency -s bench/reviews.lua "http://127.0.0.1:$port" | tee "$work/wrk.txt" | grep -E "Requests/sec|Non-2xx|Socket errors|  99%|  50%"
stored=$(curl -fs -b "$jar" "http://127.0.0.1:$port/api/v1/study/reviews?format=csv" | tail -n +2 | wc -l)
echo "reviews stored: $stored"
python3 bench/raw_sqlite.py 5
