#!/usr/bin/env bash
# Soak and faults (issue 22): the mixed workload of bench/community.sh from MEMBERS
# signed-in learners (default 1,000) for MINUTES minutes (default 10) on two instances on
# PostgreSQL behind nginx, at 64 connections: 60 for wrk (one process per kind, run in
# one-minute slices so every minute has its own figures) and 4 for bench/acked_writes.py,
# which posts reviews during the whole soak and notes every one the server acknowledged.
# At minute MINUTES/2 one instance is killed with SIGKILL and started again on the same
# port 5 s later; nginx sends requests to the survivor meanwhile (max_fails=1
# fail_timeout=2s; idempotent requests that fail on the killed instance are passed on,
# and so are the answers' POSTs, which carry a review id and are recorded once however
# often they arrive; other POSTs are not, as nginx does by default). Afterwards every
# acknowledged review must be in the database exactly once (acked_writes.py check).
#
# Usage: bench/soak.sh [MINUTES=10] [MEMBERS=1000]
#   SOAK_SLICE=SECONDS  the length of a measured slice, "a minute" [60]
#   SOAK_DAYS=N         days of simulated study per learner [365]
#   GEN_COHORT_FLAGS=…  gen-cohort's flags [--community]
#   WRK_TIMEOUT=T       wrk's request timeout [2s]
#   MASTERY_BENCH_BIN=DIR runs the binaries in DIR (mastery, gen-cohort) instead of building
#   them; MASTERY_BENCH_POSTGRES_URL: see bench/setups.sh.
# Reports per minute: requests/s, errors (non-2xx, socket errors, the writer's failures),
# the highest p99 of a kind, each instance's RSS; RSS growth after the first minute; the
# kill window; the acknowledged-writes check. Exits 1 when an acknowledged review is
# missing or duplicated.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
. bench/setups.sh
minutes=${1:-10}
members=${2:-1000}
slice=${SOAK_SLICE:-60}
days=${SOAK_DAYS:-365}
timeout=${WRK_TIMEOUT:-2s}
duration=$slice
need_tools bench/soak.sh wrk nginx curl psql python3
need_postgres
bench_binaries mastery mastery-bench
setups_init
results="$work/results"
figures="$work/figures"
: >"$results"
: >"$figures"
figure() { echo "$1 $2" >>"$figures"; }
serve=(--mode multi-user --log warn)
writers=4
restart_delay=5
kill_slice=$((minutes / 2 + 1))      # the slice that starts at minute MINUTES/2
kill_offset=$((slice / 6))           # seconds into it (10 s of a minute)

url=$(new_database soak)
migrate "$url"
generate "$url" "$work/sessions-s"
p1=$(start_instance s1 "$url" "${serve[@]}")
p2=$(start_instance s2 "$url" "${serve[@]}")
front=$(free_port)
NGINX_SERVER_PARAMS="max_fails=1 fail_timeout=2s" \
  NGINX_LOCATION="proxy_next_upstream error timeout; proxy_next_upstream_tries 2; proxy_connect_timeout 2s;" \
  NGINX_RETRIED_POSTS="/api/v1/study/reviews|/study/answer" \
  NGINX_RETRIED_LOCATION="proxy_next_upstream error timeout non_idempotent; proxy_next_upstream_tries 2; proxy_connect_timeout 2s;" \
  start_nginx "$front" "$p1" "$p2"
base="http://127.0.0.1:$front"
tokens s "$base"
questions=$(study_questions "$base" s)
[ -n "$questions" ] || { echo "no questions to study in python-django"; exit 1; }
settle s1 s2

# wrk's review connections make room for the writer's: 64 in all.
specs=()
for spec in $(mix_specs); do
  [ "${spec%=*}" = review ] && spec="review=$(( ${spec#*=} - writers ))"
  specs+=("$spec")
done

rss() { # LABEL: the instance's resident set in KiB (0 when it is not running)
  local pid
  pid=$(cat "$work/$1.pid" 2>/dev/null) || { echo 0; return; }
  [ -r "/proc/$pid/status" ] || { echo 0; return; }
  awk '/^VmRSS:/{print $2; found=1} END{if (!found) print 0}' "/proc/$pid/status"
}

python3 bench/acked_writes.py run "$base" "$work/sessions-s" "$work/tokens-s" "$questions" \
  "$work/acked" --threads "$writers" --tag "s$$" >"$work/writer.txt" 2>&1 &
echo $! >"$work/writer.pid"
figure start "$(date +%s.%N)"
echo "soak: $minutes slices of ${slice}s, $members learners, 64 connections (wrk: ${specs[*]}; $writers writer threads); instance s1 killed ${kill_offset}s into slice $kill_slice"

for m in $(seq "$minutes"); do
  figure "slice_start_$m" "$(date +%s.%N)"
  if [ "$m" -eq "$kill_slice" ]; then
    (
      sleep "$kill_offset"
      kill -9 "$(cat "$work/s1.pid")"
      echo "kill_at $(date +%s.%N)" >>"$figures"
      sleep "$restart_delay"
      echo "restart_at $(date +%s.%N)" >>"$figures"
      run_instance s1 "$url" "$p1" "${serve[@]}"
      echo "ready_at $(date +%s.%N)" >>"$figures"
    ) &
    killer=$!
  fi
  load s "m$m" "$base" "${specs[@]}"
  figure "slice_end_$m" "$(date +%s.%N)"
  figure "rss_s1_$m" "$(rss s1)"
  figure "rss_s2_$m" "$(rss s2)"
  python3 bench/community_report.py "$results" "$figures" --slice "$m" "$work/acked"
done
[ -z "${killer:-}" ] || wait "$killer"

kill -TERM "$(cat "$work/writer.pid")"
while kill -0 "$(cat "$work/writer.pid")" 2>/dev/null; do sleep 0.1; done
rm -f "$work/writer.pid"
cat "$work/writer.txt"
status=0
python3 bench/acked_writes.py check "$url" "$work/acked" >"$work/check.txt" || status=1
cat "$work/check.txt"
python3 bench/community_report.py "$results" "$figures" --soak "$work/acked" "$work/check.txt" "$work/nginx-error.log" || true
exit $status
