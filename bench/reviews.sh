#!/usr/bin/env bash
# Review submission throughput and latency at 64 concurrent connections against
# `mastery serve` (SQLite, WAL, synchronous=FULL: every acknowledged review is on disk),
# and, in the same run, raw SQLite inserting the same rows one transaction per review and
# in batches. Also, as the ceiling any HTTP service reaches here, the cheapest request
# mastery answers (GET /healthz: no session, no database) and nginx sending a small static
# file, at the same concurrency. Usage: bench/reviews.sh [DURATION_SECONDS].
# Needs wrk, nginx, curl (Debian packages). Figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
bin="${CARGO_TARGET_DIR:-target}/release"
duration=${1:-10}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/reviews.sh needs $tool (apt-get install wrk nginx curl)"; exit 2; }
done
cargo build --release -p mastery >&2
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
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
raw=$(python3 bench/raw_sqlite.py 5)
echo "$raw"

echo
echo "HTTP ceiling, 64 connections, ${duration}s, wrk -t2 (same run):"
rps() { awk '/Requests\/sec/{print $2}'; }
healthz=$(wrk -t2 -c64 -d"${duration}s" "http://127.0.0.1:$port/healthz" | rps)
echo "mastery GET /healthz (no session, no database): $healthz requests/s"
mkdir -p "$work/www"
printf '{"recorded":true,"question":"python-django/gil","next":"in 3 days","padding":"xxxxxxxxxxxx"}\n' >"$work/www/index.html"
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nginx_static "$work" "$work/www" "$nport"
nginx_rps=$(wrk -t2 -c64 -d"${duration}s" "http://127.0.0.1:$nport/" | rps)
echo "nginx, a $(wc -c <"$work/www/index.html")-byte static file:             $nginx_rps requests/s"
reviews=$(rps <"$work/wrk.txt")
batched=$(awk '/64 reviews per transaction/{print $NF == "reviews/s" ? $(NF-1) : $NF}' <<<"$raw")
python3 - "$reviews" "$batched" "$healthz" "$nginx_rps" <<'PY'
import sys
reviews, batched, healthz, nginx = map(float, sys.argv[1:])
print()
print(f"mastery reviews / raw batched:      {reviews / batched:6.1%}   (target 50%)")
print(f"mastery /healthz / raw batched:     {healthz / batched:6.1%}   (no work at all)")
print(f"nginx static file / raw batched:    {nginx / batched:6.1%}")
print(f"mastery reviews / mastery /healthz: {reviews / healthz:6.1%}")
PY
