#!/usr/bin/env bash
# Big learners and big tables (issue 22, point 5), on SQLite and on PostgreSQL, each on a
# generated community of MEMBERS learners (default 2,000: a million reviews; 10,000 for
# the full five million) whose first member has 50,000 reviews:
#   1. the big learner's /stats and /study/readiness timed (bench/explain.py time), beside
#      another member's and /healthz;
#   2. every page and GET operation of the API walked as that learner, a coach, a member
#      and an admin, with the writes of a study session, the server logging each SQL
#      statement it runs;
#   3. each distinct statement explained on the generated data (PostgreSQL's generic plan,
#      SQLite's query plan): the script fails when one reads a table of 10,000 rows or
#      more from end to end (bench/explain.py check).
# Usage: bench/explain.sh [MEMBERS=2000]   (MASTERY_BENCH_BIN, MASTERY_BENCH_POSTGRES_URL:
# see bench/setups.sh). Needs curl, psql, python3. Figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
. bench/setups.sh
members=${1:-2000}
days=365
need_tools bench/explain.sh curl psql python3
need_postgres
bench_binaries mastery mastery-bench
setups_init
pass='explain benchmark passphrase that is long'
failed=0

for backend in sqlite postgres; do
  echo
  echo "== $backend"
  if [ "$backend" = sqlite ]; then
    out="$work/explain.db"
    url="sqlite://$out"
  else
    url=$(new_database explain)
    migrate "$url"
    out=$url
  fi
  BIG=50000 generate "$out" "$work/sessions-$backend"
  count="SELECT count(*) FROM reviews WHERE learner_id = 1"
  if [ "$backend" = sqlite ]; then
    big=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$out" "$count")
  else
    big=$(psql -X -q -t -A -d "$url" -c "$count")
  fi
  echo "the big learner, member00000: $big reviews"
  "$bin"/mastery user add admin --role admin --password-stdin --data-dir "$work/data-$backend" \
    --database "$url" <<<"$pass" >/dev/null
  if [ "$backend" = postgres ]; then
    # The review log's size and what maintenance costs at this size (docs/scaling.md).
    psql -X -q -d "$url" <<'SQL'
\timing on
VACUUM ANALYZE;
\echo 'review log: rows, bytes per review (table + indexes + TOAST), table and index sizes'
SELECT count(*) AS reviews,
       pg_total_relation_size('reviews') / GREATEST(count(*), 1) AS bytes_per_review,
       pg_size_pretty(pg_relation_size('reviews')) AS table_size,
       pg_size_pretty(pg_indexes_size('reviews')) AS index_size
  FROM reviews;
\echo 'the whole database per learner (everything: reviews, cards, marks, notes, sessions, community)'
SELECT (SELECT count(*) FROM learners) AS learners,
       pg_size_pretty(pg_database_size(current_database())) AS database,
       pg_database_size(current_database()) / GREATEST((SELECT count(*) FROM learners), 1) AS bytes_per_learner;
\echo 'rebuilding the review log indexes and vacuuming it (the maintenance a bigger log makes slower)'
REINDEX TABLE reviews;
VACUUM (FREEZE) reviews;
\timing off
SQL
  fi
  port=$(start_instance "time-$backend" "$url" --mode multi-user --log warn)
  python3 bench/explain.py time "http://127.0.0.1:$port" "$work/sessions-$backend"
  stop_instance "time-$backend"
  port=$(start_instance "$backend" "$url" --mode multi-user --log 'warn,sqlx::query=debug' --log-format json)
  base="http://127.0.0.1:$port"
  python3 bench/explain.py walk "$base" "$work/sessions-$backend" "$(sign_in "$base" admin "$pass" "$work/jar-$backend")" || failed=1
  stop_instance "$backend"
  if [ "$backend" = sqlite ]; then
    python3 bench/explain.py check "$work/$backend.log" --sqlite "$out" || failed=1
  else
    python3 bench/explain.py check "$work/$backend.log" --postgres "$url" || failed=1
  fi
done
exit "$failed"
