#!/usr/bin/env bash
# The guide-page and review benchmarks on each storage setup, in one run so the figures
# compare: one instance on SQLite (the reference), one instance on PostgreSQL, and two
# instances on PostgreSQL behind nginx. wrk at 64 connections on 127.0.0.1; each setup gets
# a fresh database. Usage: bench/scale.sh [DURATION_SECONDS]
# Needs wrk, nginx, curl, psql (Debian packages) and a PostgreSQL whose user may create
# databases: MASTERY_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres.
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
bin="${CARGO_TARGET_DIR:-target}/release"
duration=${1:-10}
admin="${MASTERY_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
for tool in wrk nginx curl psql python3; do
  command -v "$tool" >/dev/null || { echo "bench/scale.sh needs $tool"; exit 2; }
done
psql -X -q -d "$admin" -c 'SELECT 1' >/dev/null || { echo "PostgreSQL is not reachable at $admin"; exit 2; }
cargo build --release -p mastery >&2
work=$(mktemp -d)
chmod 755 "$work"
databases=()
cleanup() {
  kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true
  sleep 0.5
  for db in "${databases[@]}"; do psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

new_database() { # name -> url
  local name="mastery_bench_$$_$1"
  psql -X -q -d "$admin" -c "CREATE DATABASE $name" >/dev/null
  databases+=("$name")
  echo "${admin%/*}/$name"
}

start_instance() { # label database-url -> port
  local port; port=$(free_port)
  "$bin"/mastery serve --bind "127.0.0.1:$port" --data-dir "$work/data-$1" --database "$2" >"$work/$1.log" 2>&1 &
  echo $! >"$work/$1.pid"
  for _ in $(seq 400); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
  echo "$port"
}

start_nginx() { # port upstream-ports...
  local port=$1; shift
  local servers=""
  for p in "$@"; do servers+="    server 127.0.0.1:$p;"$'\n'; done
  nginx_start "$work" "http://127.0.0.1:$port/healthz" <<CONF
  upstream mastery {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://mastery;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering on;
      proxy_buffers 64 16k;
    }
  }
CONF
}

printf '%-34s %14s %10s %14s %10s %8s\n' "setup" "page req/s" "page p99" "reviews/s" "rev. p99" "errors"
measure() { # label port
  local base="http://127.0.0.1:$2" jar="$work/cookies-$1"
  export TOKEN COOKIE QUESTIONS
  TOKEN=$(curl -fs -c "$jar" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  COOKIE=$(awk '$6=="mastery_session"{print "mastery_session="$7}' "$jar")
  QUESTIONS=$(curl -fs "$base/api/v1/guides/python-django" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(q["id"] for s in d["sections"] for q in s["questions"] if q["level"]))')
  # A returning learner: a mark on every fifth question.
  for q in $(tr ',' '\n' <<<"$QUESTIONS" | awk 'NR%5==1'); do
    curl -fs -o /dev/null -b "$jar" -X PUT -H 'content-type: application/json' -H "x-csrf-token: $TOKEN" \
      -d '{"mastered":true}' "$base/api/v1/guides/python-django/questions/$q/mark"
  done
  local page reviews
  page=$(wrk -t2 -c64 -d"${duration}s" --latency -H "Cookie: $COOKIE" "$base/guides/python-django")
  reviews=$(wrk -t2 -c64 -d"${duration}s" --latency -s bench/reviews.lua "$base")
  local stored
  stored=$(curl -fs -b "$jar" "$base/api/v1/study/reviews?format=csv" | tail -n +2 | wc -l)
  printf '%-34s %14s %10s %14s %10s %8s\n' "$1" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$page")" "$(awk '$1=="99%"{print $2}' <<<"$page")" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$reviews")" "$(awk '$1=="99%"{print $2}' <<<"$reviews")" \
    "$( (grep -hE 'Non-2xx|Socket errors' <<<"$page$reviews" || echo 0) | tr '\n' ' ')"
  echo "  (reviews stored: $stored)"
}

# 1. SQLite, one instance (the reference).
port=$(start_instance sqlite "sqlite://$work/sqlite.db")
measure "sqlite, 1 instance" "$port"
kill "$(cat "$work/sqlite.pid")"; rm "$work/sqlite.pid"

# 2. PostgreSQL, one instance.
url=$(new_database one)
port=$(start_instance pg1 "$url")
measure "postgres, 1 instance" "$port"
kill "$(cat "$work/pg1.pid")"; rm "$work/pg1.pid"

# 3. PostgreSQL, two instances behind nginx.
url=$(new_database two)
a=$(start_instance pg2a "$url")
b=$(start_instance pg2b "$url")
front=$(free_port)
start_nginx "$front" "$a" "$b"
measure "postgres, 2 instances + nginx" "$front"
size=$(psql -X -q -t -A -d "$url" -c "SELECT pg_total_relation_size('reviews') / GREATEST(count(*), 1) FROM reviews")
echo
echo "PostgreSQL review log: $size bytes per review (table, TOAST and indexes)"
