#!/usr/bin/env bash
# The guide-page and review benchmarks on each storage setup, in one run so the figures
# compare: one instance on SQLite (the reference), one instance on PostgreSQL, and two
# instances on PostgreSQL behind nginx. wrk at 64 connections on 127.0.0.1; each setup gets
# a fresh database. Usage: bench/scale.sh [DURATION_SECONDS]
# Needs wrk, nginx, curl, psql (Debian packages) and a PostgreSQL whose user may create
# databases: MASTERY_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres.
# MASTERY_BENCH_BIN=DIR runs the binaries in DIR instead of building them (bench/setups.sh).
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
. bench/setups.sh
duration=${1:-10}
need_tools bench/scale.sh wrk nginx curl psql python3
need_postgres
bench_binaries mastery
setups_init

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
stop_instance sqlite

# 2. PostgreSQL, one instance.
url=$(new_database one)
port=$(start_instance pg1 "$url")
measure "postgres, 1 instance" "$port"
stop_instance pg1

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
