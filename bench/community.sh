#!/usr/bin/env bash
# Performance at community scale (issue 22): the mixed workload of a study session from
# MEMBERS distinct signed-in learners (default 1,000) at 64 connections, on three setups in
# one run so the figures compare: (a) one instance on SQLite, (b) one instance on
# PostgreSQL, (c) two instances on PostgreSQL behind nginx, each on the same generated
# community (bench/src/gen_cohort.rs, deterministic: a year of study per learner and a
# session each; (c) gets a copy of (b)'s database made before (b)'s load). In the same
# run, the references: pgbench running the very statements of one review
# (bench/review.pgbench) on setup (b)'s database, and nginx sending the same guide-page
# bytes as a static file.
#
# Usage: bench/community.sh [DURATION_SECONDS=30] [MEMBERS=1000]
#   CONNECTIONS=N      connections in all instead of 64 (the mix scaled, pgbench's clients
#                      too): the latency of a machine that is not saturated
#   COMMUNITY_DAYS=N   days of simulated study per learner [365]
#   GEN_COHORT_FLAGS=… gen-cohort's flags [--community]
#   WRK_TIMEOUT=T      wrk's request timeout (a slower answer counts as an error) [2s]
#   MASTERY_BENCH_BIN=DIR runs the binaries in DIR (mastery, gen-cohort) instead of building
#   them; MASTERY_BENCH_POSTGRES_URL: see bench/setups.sh.
# Needs wrk, nginx, curl, psql, pgbench, python3. Exits 1 when fewer reviews are stored
# than were acknowledged.
#
# Per setup: the guide page alone and reviews alone at 64 connections (wrk -t2), then the
# mixed workload: one wrk process per kind of request (-t1), the 64 connections split as a
# study session mixes them. Every request is from a random learner about a random
# question (bench/community.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
. bench/setups.sh
duration=${1:-30}
members=${2:-1000}
days=${COMMUNITY_DAYS:-365}
timeout=${WRK_TIMEOUT:-2s}
connections=${CONNECTIONS:-64}
[[ $connections =~ ^[0-9]+$ ]] && [ "$connections" -ge 2 ] || {
  echo "CONNECTIONS must be a whole number of at least 2 (a kind alone runs two wrk threads), not $connections" >&2
  exit 2
}
need_tools bench/community.sh wrk nginx curl psql pgbench python3
need_postgres
bench_binaries mastery mastery-bench
setups_init
results="$work/results"    # "SETUP RUN kind=… requests=… …" per wrk process
figures="$work/figures"    # "NAME VALUE" lines for the summary
: >"$results"
: >"$figures"

serve=(--mode multi-user --log warn)

figure() { echo "$1 $2" >>"$figures"; }

# stored_reviews SETUP DATABASE: the reviews the load wrote (ids bench-…), counted in the
# database, against those acknowledged (200 with "recorded":true, counted by the Lua
# response callback).
stored_reviews() {
  local stored
  case $2 in
    postgres://*) stored=$(psql -X -q -A -t -d "$2" -c "SELECT count(*) FROM reviews WHERE review_id LIKE 'bench-%'") ;;
    *) stored=$(python3 - "$2" <<'PY'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
print(con.execute("SELECT count(*) FROM reviews WHERE review_id LIKE 'bench-%'").fetchone()[0])
PY
) ;;
  esac
  figure "stored_$1" "$stored"
}

# report SETUP: the setup's table (bench/community_report.py prints every table and the
# summary at the end).
report() { python3 bench/community_report.py "$results" "$figures" "$1"; }

# measure SETUP BASE DATABASE INSTANCE...: the guide page alone and reviews alone at 64
# connections (the figures the references compare with), then the mixed workload with the
# CPU time of each kind of process, then the reviews stored. Each run starts once the
# instances are idle.
measure() {
  local setup=$1 base=$2 db=$3; shift 3
  tokens "$setup" "$base"
  settle "$@"
  load "$setup" alone "$base" guide="$connections"
  settle "$@"
  load "$setup" alone "$base" review="$connections"
  settle "$@"
  # Where the cores go during the mix (bench/cpu_split.py): the app, PostgreSQL, wrk, nginx.
  python3 bench/cpu_split.py "$work/cpu-$setup" &
  local sampler=$!
  mixed_load "$setup" mix "$base"
  kill -TERM "$sampler"
  wait "$sampler" || true
  sed "s/^cpu_/cpu_${setup}_/" "$work/cpu-$setup" >>"$figures"
  stored_reviews "$setup" "$db"
}

figure connections "$connections"
echo "mixed workload: $members learners, $connections connections for a kind alone, the mix $(mix_specs | tr '\n' ' ' | sed 's/ $//') (${duration}s per run)"

# (a) SQLite, one instance.
generate "$work/a.db" "$work/sessions-a"
port=$(start_instance a "sqlite://$work/a.db" "${serve[@]}")
base="http://127.0.0.1:$port"
questions=$(study_questions "$base" a)
[ -n "$questions" ] || { echo "no questions to study in python-django"; exit 1; }
figure questions "$(tr ',' '\n' <<<"$questions" | wc -l)"
# The page nginx will send: what the first learner's browser gets, before any load, once
# the kept page has its brotli copy (made in the background after the first request, which
# is sent gzip meanwhile); the last answer if it never comes.
mkdir -p "$work/www"
first_cookie=$(awk 'NR==1{print $2}' "$work/sessions-a")
for _ in $(seq 20); do
  curl -fs -D "$work/www/headers" -o "$work/www/guide.bin" -H "Cookie: mastery_session=$first_cookie" \
    -H 'Accept-Encoding: gzip, br' "$base/guides/python-django"
  encoding=$(awk 'tolower($1)=="content-encoding:"{print $2}' "$work/www/headers" | tr -d '\r')
  [ "$encoding" = br ] && break
  sleep 0.25
done
figure page_bytes "$(wc -c <"$work/www/guide.bin")"
figure page_encoding "${encoding:-identity}"
measure a "$base" "$work/a.db" a
stop_instance a
report a

# (b) PostgreSQL, one instance; (c) starts from a copy of the same generated database.
url_b=$(new_database b)
migrate "$url_b"
generate "$url_b" "$work/sessions-b"
url_c=$(new_database c "${url_b##*/}")
cp "$work/sessions-b" "$work/sessions-c"
port=$(start_instance b "$url_b" "${serve[@]}")
measure b "http://127.0.0.1:$port" "$url_b" b
stop_instance b

# The database's own limit: pgbench running the statements of one review over the same
# learners, on the same database, after the app's load.
psql -X -q -v ON_ERROR_STOP=1 -d "$url_b" -v questions="$questions" <<'SQL'
CREATE TABLE bench_sessions AS
  SELECT row_number() OVER (ORDER BY learner_id, id_hash) AS n, id_hash
  FROM sessions WHERE device = 'gen-cohort';
ALTER TABLE bench_sessions ADD PRIMARY KEY (n);
CREATE TABLE bench_questions AS
  SELECT n, id FROM unnest(string_to_array(:'questions', ',')) WITH ORDINALITY AS q(id, n);
ALTER TABLE bench_questions ADD PRIMARY KEY (n);
ANALYZE bench_sessions;
ANALYZE bench_questions;
SQL
now=$(date +%s%3N)
pgbench_out=$(pgbench -n -M prepared -c "$connections" -j 2 -T "$duration" -f bench/review.pgbench \
  -D members="$(psql -X -q -A -t -d "$url_b" -c 'SELECT count(*) FROM bench_sessions')" \
  -D questions="$(tr ',' '\n' <<<"$questions" | wc -l)" -D guide=python-django \
  -D now="$now" -D due=$((now + 21 * 86400000)) "$url_b" 2>&1) || { echo "$pgbench_out"; exit 1; }
echo "$pgbench_out" >"$work/pgbench.txt"
figure pgbench_tps "$(awk '/^tps = /{print $3; exit}' <<<"$pgbench_out")"
figure pgbench_latency_ms "$(awk '/^latency average = /{print $4; exit}' <<<"$pgbench_out")"
figure pgbench_failed "$(awk -F'[:(]' '/^number of failed transactions/{gsub(/ /,"",$2); print $2; exit}' <<<"$pgbench_out")"
figure pgbench_transactions "$(awk -F': ' '/^number of transactions actually processed/{print $2; exit}' <<<"$pgbench_out")"
report b

# (c) PostgreSQL, two instances behind nginx.
a_port=$(start_instance c1 "$url_c" "${serve[@]}")
b_port=$(start_instance c2 "$url_c" "${serve[@]}")
front=$(free_port)
start_nginx "$front" "$a_port" "$b_port"
measure c "http://127.0.0.1:$front" "$url_c" c1 c2
stop_nginx "$work"
stop_instance c1
stop_instance c2
report c

# nginx sending the same page bytes (the first learner's guide page as mastery sent it for
# `Accept-Encoding: gzip, br`), to the same wrk and Lua script.
static=$(free_port)
mkdir -p "$work/static"
nginx_start "$work/static" "http://127.0.0.1:$static/ok" <<CONF
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$static;
    root $work/www;
    location = /ok { default_type text/plain; return 200 "ok"; }
    location = /guides/python-django {
      types { }
      default_type "text/html; charset=utf-8";
      ${encoding:+add_header Content-Encoding $encoding;}
      add_header Vary Accept-Encoding;
      try_files /guide.bin =404;
    }
  }
CONF
cp "$work/tokens-a" "$work/tokens-nginx"
load nginx alone "http://127.0.0.1:$static" guide="$connections"
stop_nginx "$work/static"
report nginx

# The summary against issue 22's targets; exits 1 when acknowledged reviews are missing.
python3 bench/community_report.py "$results" "$figures"
