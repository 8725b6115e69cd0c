#!/usr/bin/env bash
# The coach's view of a big cohort: MEMBERS members (default 500) who share, each with a
# year of simulated study (bench/src/gen_cohort.rs), on SQLite. Times the team page, its
# JSON and its CSV for a signed-in coach, one request at a time, against the teams list of
# the same coach in the same run (the reference: a page of the same frame and session with
# almost no work), then prints the query plans of the view's statements (EXPLAIN QUERY
# PLAN on the generated database: each must search an index, never scan a large table).
# Usage: bench/cohort.sh [MEMBERS] [DAYS] [REQUESTS]   (needs curl, python3)
# COHORT_DB=FILE uses a copy of a database gen-cohort made instead of generating one.
# Figures and how to read them: docs/performance.md, "A coach's view of a cohort".
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-500}
days=${2:-365}
requests=${3:-40}
bin="${CARGO_TARGET_DIR:-target}/release"
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/cohort.sh needs $tool"; exit 2; }
done
cargo build --release -p mastery -p mastery-bench --bin mastery --bin gen-cohort >&2
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data"
if [ -n "${COHORT_DB:-}" ]; then
  # Measuring again without generating again: a copy of a database gen-cohort made.
  cp "$COHORT_DB" "$work/data/mastery.db"
else
  /usr/bin/time -f "generated in %e s, %M KiB peak" "$bin"/gen-cohort "$work/data/mastery.db" "$members" "$days"
fi
ls -l "$work/data/mastery.db" | awk '{printf "database: %.1f MiB\n", $5 / 1048576}'
pass='benchmark passphrase that is long'
"$bin"/mastery user add coach --admin --data-dir "$work/data" --password-stdin <<<"$pass" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin"/mastery serve --mode multi-user --bind "127.0.0.1:$port" --data-dir "$work/data" --log warn >"$work/mastery.log" 2>&1 &
echo $! >"$work/mastery.pid"
until curl -fs "$base/healthz" >/dev/null; do sleep 0.05; done
jar="$work/jar"
token=$(curl -fs -c "$jar" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" --data-urlencode "login=coach" \
  --data-urlencode "password=$pass" --data-urlencode "next=/" "$base/sign-in"

# time URL: REQUESTS sequential requests after 3 warm-ups; p50, p90 and max in ms, and bytes.
time_it() {
  local url=$1 out
  for _ in 1 2 3; do curl -fs -o /dev/null -b "$jar" "$url"; done
  out=$(for _ in $(seq "$requests"); do
    curl -fs -o /dev/null -b "$jar" -w '%{time_total} %{size_download}\n' "$url"
  done)
  python3 - "$url" <<PY
import sys
rows = [line.split() for line in """$out""".strip().splitlines()]
t = sorted(float(r[0]) * 1000 for r in rows)
q = lambda p: t[min(len(t) - 1, int(p * len(t)))]
print(f"{sys.argv[1].split('127.0.0.1')[1].split('/', 1)[1]:<28} p50 {q(0.5):7.1f} ms  p90 {q(0.9):7.1f} ms  max {t[-1]:7.1f} ms  {int(rows[0][1]):>9} bytes")
PY
}
echo "$members members, $days days of study, $requests requests each, one at a time:"
time_it "$base/teams"
time_it "$base/teams/1"
time_it "$base/api/v1/teams/1/cohort"
time_it "$base/teams/1/members.csv"
rss=$(ps -o rss= -p "$(cat "$work/mastery.pid")")
echo "server RSS after: $((rss / 1024)) MiB"
kill "$(cat "$work/mastery.pid")"; wait "$(cat "$work/mastery.pid")" 2>/dev/null || true

echo
echo "Query plans (SQLite) of the coach's view, on the generated data:"
python3 - "$work/data/mastery.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
sharing = ("SELECT learner_id FROM team_members WHERE team_id = 1 AND role = 'member' "
           "AND sharing = 1 AND joined_at IS NOT NULL")
since = "(CAST(strftime('%s','now') AS INTEGER) - 30 * 86400) * 1000"
statements = {
    "members": "SELECT m.learner_id, a.username FROM team_members m JOIN accounts a ON a.learner_id = m.learner_id WHERE m.team_id = 1",
    # What TeamStorage::team_progress runs: one row per member who shares.
    "progress": (
        "SELECT s.learner_id, "
        "(SELECT group_concat(k.guide_id || ' ' || k.question_id, char(10)) FROM marks k WHERE k.learner_id = s.learner_id), "
        "(SELECT group_concat(c.guide_id || ' ' || c.question_id || ' ' || c.phase || ' ' || COALESCE(CAST(c.stability AS TEXT), '-') "
        "  || ' ' || COALESCE(CAST(c.difficulty AS TEXT), '-') || ' ' || COALESCE(CAST(c.last_review AS TEXT), '-'), char(10)) "
        "  FROM cards c WHERE c.learner_id = s.learner_id), "
        f"(SELECT group_concat(r.guide_id || ' ' || r.question_id || ' ' || CAST(r.reviewed_at AS TEXT), char(10)) FROM reviews r WHERE r.learner_id = s.learner_id AND r.reviewed_at >= {since}), "
        "(SELECT MAX(r.reviewed_at) FROM reviews r WHERE r.learner_id = s.learner_id) "
        f"FROM ({sharing}) s"
    ),
    "settings": f"SELECT learner_id, name, value FROM learner_settings WHERE learner_id IN ({sharing})",
    "interviews": f"SELECT learner_id FROM interviews WHERE learner_id IN ({sharing}) AND finished_at IS NOT NULL",
    "assignments taken": f"SELECT ia.learner_id FROM interview_assignments ia JOIN interviews i ON i.learner_id = ia.learner_id AND i.interview_id = ia.interview_id WHERE ia.assignment_id IN (SELECT id FROM team_assignments WHERE team_id = 1) AND ia.learner_id IN ({sharing})",
    "my teams": "SELECT t.id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.learner_id = 2",
}
bad = 0
for name, sql in statements.items():
    plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql)]
    large = {"marks", "k", "cards", "c", "reviews", "r", "learner_settings", "interviews", "i", "ia", "accounts", "a"}
    scans = [p for p in plan if p.startswith("SCAN") and p.split()[1] in large]
    bad += len(scans)
    print(f"  {name}: " + "; ".join(plan))
print("every large table is searched by an index" if bad == 0 else f"{bad} full scans of a large table")
sys.exit(1 if bad else 0)
PY
