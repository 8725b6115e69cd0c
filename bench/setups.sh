# Sourced by the benchmarks that compare storage setups (bench/scale.sh, bench/community.sh,
# bench/soak.sh): the binaries, a temporary folder cleaned up at exit, fresh PostgreSQL
# databases dropped at exit, instances of `mastery serve` and nginx in front of them.
# Needs bench/nginx.sh sourced first and the repository's root as the working directory.
#
# Settings (environment):
#   MASTERY_BENCH_BIN            a folder holding the binaries to run (`mastery`,
#                                `gen-cohort`); unset: `cargo build --release` them into
#                                ${CARGO_TARGET_DIR:-target}/release first
#   MASTERY_BENCH_POSTGRES_URL   a PostgreSQL whose user may create databases
#                                [default: postgres://postgres@127.0.0.1:5432/postgres]

admin="${MASTERY_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# bench_binaries PACKAGE...: sets `bin`, the folder of the binaries; builds the packages
# (release) first unless MASTERY_BENCH_BIN names a folder of binaries already built.
bench_binaries() {
  if [ -n "${MASTERY_BENCH_BIN:-}" ]; then
    bin=$MASTERY_BENCH_BIN
  else
    local packages=()
    for p in "$@"; do packages+=(-p "$p"); done
    cargo build --release "${packages[@]}" >&2
    bin="${CARGO_TARGET_DIR:-target}/release"
  fi
}

# need_tools SCRIPT TOOL...: exits 2 naming the first tool missing.
need_tools() {
  local script=$1; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$script needs $tool"; exit 2; }
  done
}

# need_postgres: exits 2 unless the PostgreSQL of MASTERY_BENCH_POSTGRES_URL answers.
need_postgres() {
  psql -X -q -d "$admin" -c 'SELECT 1' >/dev/null || { echo "PostgreSQL is not reachable at $admin"; exit 2; }
}

# setups_init: a temporary folder `work` (readable by nginx's workers), removed at exit
# with every process whose pid file is in it and every database new_database made.
setups_init() {
  work=$(mktemp -d)
  chmod 755 "$work"  # nginx workers run as an unprivileged user
  : >"$work/databases"
  trap setups_cleanup EXIT
}

setups_cleanup() {
  local pids
  pids=$(find "$work" -name '*.pid' -exec cat {} + 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  sleep 0.5
  # The names are kept in a file, not a variable: new_database runs in $(…), a subshell.
  while read -r db; do
    [ -z "$db" ] || psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done <"$work/databases"
  rm -rf "$work"
}

# sign_in BASE NAME PASSWORD JAR: the value of NAME's session cookie, signed in through the
# sign-in form of the server at BASE (cookies kept in the file JAR).
sign_in() {
  local base=$1 name=$2 password=$3 jar=$4 token
  token=$(curl -fs -c "$jar" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" --data-urlencode "login=$name" \
    --data-urlencode "password=$password" --data-urlencode "next=/" "$base/sign-in"
  awk '$6 ~ /mastery_session$/ {print $7}' "$jar"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# new_database SUFFIX [TEMPLATE]: creates mastery_bench_PID_SUFFIX (a copy of the database
# TEMPLATE when given), dropped at exit; prints its URL.
new_database() {
  local name="mastery_bench_$$_$1"
  psql -X -q -d "$admin" -c "CREATE DATABASE $name${2:+ TEMPLATE $2}" >/dev/null
  echo "$name" >>"$work/databases"
  echo "${admin%/*}/$name"
}

# run_instance LABEL DATABASE_URL PORT [SERVE_ARGS...]: starts `mastery serve` on
# 127.0.0.1:PORT (data folder WORK/data-LABEL, log WORK/LABEL.log, pid WORK/LABEL.pid) and
# returns once it is ready; fails, with the end of its log, when it is not within 60 s.
run_instance() {
  local label=$1 url=$2 port=$3; shift 3
  "$bin"/mastery serve --bind "127.0.0.1:$port" --data-dir "$work/data-$label" --database "$url" "$@" \
    >>"$work/$label.log" 2>&1 </dev/null &
  echo $! >"$work/$label.pid"
  for _ in $(seq 1200); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return 0
    kill -0 "$(cat "$work/$label.pid")" 2>/dev/null || break
    sleep 0.05
  done
  echo "mastery ($label) is not ready on port $port:" >&2
  tail -n 20 "$work/$label.log" >&2
  return 1
}

# start_instance LABEL DATABASE_URL [SERVE_ARGS...]: run_instance on a free port; prints it.
start_instance() {
  local label=$1 url=$2 port; shift 2
  port=$(free_port)
  run_instance "$label" "$url" "$port" "$@" >&2
  echo "$port"
}

# stop_instance LABEL: ends the instance (SIGTERM) and waits for it to exit.
stop_instance() {
  local pid
  pid=$(cat "$work/$1.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$work/$1.pid"
}

# start_nginx PORT UPSTREAM_PORT...: nginx on 127.0.0.1:PORT as a load balancer over the
# instances (round robin, keep-alive to them), its files in WORK. NGINX_SERVER_PARAMS is
# added to every `server` line of the upstream (e.g. `max_fails=1 fail_timeout=2s`) and
# NGINX_LOCATION to the location block (e.g. `proxy_next_upstream error timeout;`).
# NGINX_RETRIED_POSTS, a regular expression of paths, gets a location of its own with
# NGINX_RETRIED_LOCATION instead, whose POSTs nginx may send again to the other instance
# (`proxy_next_upstream … non_idempotent`): for the answers, which carry a review id and
# are recorded once however often they arrive (docs/deploy.md).
start_nginx() {
  local port=$1; shift
  local servers="" proxy retried=""
  for p in "$@"; do servers+="    server 127.0.0.1:$p ${NGINX_SERVER_PARAMS:-};"$'\n'; done
  proxy="proxy_pass http://mastery; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_set_header Host \$http_host; proxy_buffering on; proxy_buffers 64 16k;"
  if [ -n "${NGINX_RETRIED_POSTS:-}" ]; then
    retried="location ~ ^(${NGINX_RETRIED_POSTS})\$ {
      $proxy
      ${NGINX_RETRIED_LOCATION:-proxy_next_upstream error timeout non_idempotent;}
    }"
  fi
  nginx_start "$work" "http://127.0.0.1:$port/healthz" <<CONF
  upstream mastery {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      $proxy
      ${NGINX_LOCATION:-}
    }
    $retried
  }
CONF
}

# stop_nginx DIR: stops the nginx whose files are in DIR and waits for it to exit.
stop_nginx() {
  local pid
  pid=$(cat "$1/nginx.pid" 2>/dev/null) || return 0
  kill -QUIT "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$1/nginx.pid"
}

# ---------------------------------------------------------------- the mixed workload
# Shared by bench/community.sh and bench/soak.sh: a generated community of signed-in
# learners and wrk processes running bench/community.lua. They use the variables `members`,
# `days`, `duration` (seconds per wrk run), `timeout` (wrk's), `questions` (the ids,
# comma-separated) and `results` (the file RESULT lines go to).

# Connections per kind of request (64 in all), in the proportions of a study session.
mix_kinds=(guide question queue review mark search)
declare -A mix=([guide]=10 [question]=14 [queue]=10 [review]=16 [mark]=6 [search]=8)

# migrate URL: `mastery db migrate` when this build has it (gen-cohort's connection
# migrates an empty PostgreSQL database itself otherwise).
migrate() {
  if "$bin"/mastery db --help 2>/dev/null | grep -qE '^ +migrate( |$)'; then
    "$bin"/mastery db migrate --database "$1" >&2
  fi
}

# generate OUT SESSIONS_FILE: the community (gen-cohort, deterministic for a size) in a new
# SQLite file or an empty PostgreSQL database; SESSIONS_FILE gets "USERNAME COOKIE" per
# learner, a session begun now. GEN_COHORT_FLAGS [default: --community, an open community
# with notes, interviews and discussions; empty: gen-cohort's one team of diligent members].
generate() {
  local flags
  read -ra flags <<<"${GEN_COHORT_FLAGS---community}"
  echo "generating $members learners with $days days of study each (gen-cohort ${flags[*]}) into $1" >&2
  SESSIONS=$2 "$bin"/gen-cohort "${flags[@]}" "$1" "$members" "$days" >&2
}

# tokens SETUP BASE: WORK/tokens-SETUP, "COOKIE TOKEN" per learner of WORK/sessions-SETUP
# (each session's CSRF token, over keep-alive connections: bench/csrf_tokens.py); asks
# for each learner's guide page once too, so that every setup starts with the pages it
# keeps per learner made (the first page of a learner is rendered and compressed).
tokens() {
  python3 bench/csrf_tokens.py "$2" "$work/sessions-$1" "$work/tokens-$1" --warm /guides/python-django
}

# study_questions BASE SETUP: the guide's questions that can be studied (those with a
# level), comma-separated, as the first learner of SETUP sees them.
study_questions() {
  local cookie
  cookie=$(awk 'NR==1{print $2}' "$work/sessions-$2")
  curl -fs -H "Cookie: mastery_session=$cookie" "$1/api/v1/guides/python-django" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(",".join(q["id"] for s in d["sections"] for q in s["questions"] if q["level"]))'
}

# load SETUP RUN BASE KIND=CONNECTIONS...: one wrk process per kind, all at once, for
# `duration` seconds, each request from a random learner of WORK/tokens-SETUP; appends
# their RESULT lines to `results` as "SETUP RUN conns=N kind=…". One kind alone gets two
# wrk threads (as bench/web.sh), each kind of a mix one. SETUP and RUN make the review ids
# unique: keep them short and distinct across a run.
load() {
  local setup=$1 run=$2 base=$3; shift 3
  local pids=() spec kind conns threads=1 i
  [ $# -gt 1 ] || threads=2
  for spec in "$@"; do
    kind=${spec%=*} conns=${spec#*=}
    KIND=$kind TAG="$setup$run-$kind" LEARNERS="$work/tokens-$setup" QUESTIONS="$questions" \
      wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout "$timeout" --latency \
      -s bench/community.lua "$base" >"$work/wrk-$setup-$run-$kind.txt" 2>&1 &
    pids+=($!)
    echo $! >"$work/wrk-$kind.pid"
  done
  i=0
  for spec in "$@"; do
    kind=${spec%=*} conns=${spec#*=}
    wait "${pids[$i]}" || echo "wrk ($setup $run $kind) failed: $(tail -n 3 "$work/wrk-$setup-$run-$kind.txt")" >&2
    rm -f "$work/wrk-$kind.pid"
    grep -h '^RESULT' "$work/wrk-$setup-$run-$kind.txt" | sed "s/^RESULT/$setup $run conns=$conns/" >>"$results" || true
    i=$((i + 1))
  done
}

# mix_specs: the mix above as KIND=CONNECTIONS words, scaled to CONNECTIONS in all when set
# (rounded; each kind keeps at least one, so the sum can differ a little).
mix_specs() {
  local kind n all=${CONNECTIONS:-64}
  for kind in "${mix_kinds[@]}"; do
    n=$(( (mix[$kind] * all + 32) / 64 ))
    echo "$kind=$(( n > 0 ? n : 1 ))"
  done
}

# mixed_load SETUP RUN BASE: the mix of mix_specs.
mixed_load() {
  local specs
  mapfile -t specs < <(mix_specs)
  load "$1" "$2" "$3" "${specs[@]}"
}

# settle LABEL...: waits (20 s at most) until the instances are idle (under a tenth of a
# core in half a second): requests a finished wrk run left in flight end before the next
# run starts.
settle() {
  local i before after label pid
  for i in $(seq 40); do
    before=0 after=0
    for label in "$@"; do
      pid=$(cat "$work/$label.pid")
      before=$((before + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    sleep 0.5
    for label in "$@"; do
      pid=$(cat "$work/$label.pid")
      after=$((after + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    [ $((after - before)) -gt $(($(getconf CLK_TCK) / 20)) ] || return 0
  done
}
