#!/usr/bin/env bash
# One address floods the sign-in form while people at other addresses sign in: two
# `mastery serve` instances (multi-user mode) on one PostgreSQL database behind nginx, which
# is their trusted proxy. The attempt limits live in the database, so the flood is cut to
# a few attempts a minute on both instances at once, while everyone else signs in.
# Usage: bench/signin-flood.sh [DURATION_SECONDS] [PEOPLE] [ATTACKER_CONNECTIONS]
# Needs wrk, nginx, curl, psql, python3 (Debian packages) and a PostgreSQL whose user may
# create databases: MASTERY_BENCH_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/postgres. Figures: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
bin="${CARGO_TARGET_DIR:-target}/release"
duration=${1:-20}
people=${2:-20}
connections=${3:-64}
admin="${MASTERY_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
for tool in wrk nginx curl psql python3; do
  command -v "$tool" >/dev/null || { echo "bench/signin-flood.sh needs $tool"; exit 2; }
done
psql -X -q -d "$admin" -c 'SELECT 1' >/dev/null || { echo "PostgreSQL is not reachable at $admin"; exit 2; }
cargo build --release -p mastery >&2
work=$(mktemp -d)
chmod 755 "$work"
name="mastery_bench_$$_flood"
cleanup() {
  kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true
  sleep 0.5
  psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
psql -X -q -d "$admin" -c "CREATE DATABASE $name" >/dev/null
url="${admin%/*}/$name"
pass='benchmark passphrase that is long'
for i in $(seq "$people"); do
  "$bin"/mastery user add "person$i" --database "$url" --password-stdin <<<"$pass" >/dev/null
done

start_instance() { # label -> port
  local port; port=$(free_port)
  "$bin"/mastery serve --mode multi-user --bind "127.0.0.1:$port" --database "$url" \
    --trusted-proxy 127.0.0.1 --log warn >"$work/$1.log" 2>&1 &
  echo $! >"$work/$1.pid"
  for _ in $(seq 400); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
  echo "$port"
}
a=$(start_instance a)
b=$(start_instance b)
front=$(free_port)
nginx_start "$work" "http://127.0.0.1:$front/healthz" <<CONF
  upstream mastery {
    server 127.0.0.1:$a;
    server 127.0.0.1:$b;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$front;
    location / {
      proxy_pass http://mastery;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
CONF
base="http://127.0.0.1:$front"

# sign_in N: person N signs in from their own address (198.51.100.N, named in
# X-Forwarded-For as a client behind the proxy would be); prints the seconds it took and
# the status, which must be 303.
sign_in() {
  local jar="$work/jar-$1" token from="198.51.100.$1"
  rm -f "$jar"
  token=$(curl -fs -c "$jar" -H "X-Forwarded-For: $from" "$base/api/v1/session" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -b "$jar" -c "$jar" -H "X-Forwarded-For: $from" \
    --data-urlencode "csrf=$token" --data-urlencode "login=person$1" \
    --data-urlencode "password=$pass" --data-urlencode "next=/" "$base/sign-in"
}
# everyone OUT: each person signs in once, in turn; their times in OUT.
everyone() {
  : >"$1"
  for i in $(seq "$people"); do sign_in "$i" >>"$1"; done
  if awk '$2 != 303 {bad=1} END {exit !bad}' "$1"; then
    echo "a sign-in failed:"; cat "$1"; exit 1
  fi
}
summary() { # label file
  python3 - "$1" "$2" <<'PY'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
times = sorted(float(line.split()[0]) * 1000 for line in open(path))
p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
print(f"{label:<44} {len(times):>4} sign-ins   median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")
PY
}

everyone "$work/warm"  # first hashes, connections, caches
everyone "$work/quiet"
summary "people signing in, no flood" "$work/quiet"

export COOKIE TOKEN
jar="$work/jar-attacker"
TOKEN=$(curl -fs -c "$jar" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
COOKIE=$(awk '$6=="mastery_session"{print "mastery_session="$7}' "$jar")
wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/signin-flood.lua "$base" >"$work/flood" 2>&1 &
echo $! >"$work/wrk.pid"
sleep 2
everyone "$work/flooded"
summary "people signing in, one address flooding" "$work/flooded"
wait "$(cat "$work/wrk.pid")" || true
rm -f "$work/wrk.pid"
echo
echo "the flooding address, wrk -t2 -c$connections ${duration}s through nginx to both instances:"
grep -E 'Requests/sec|attacker answers|Socket errors' "$work/flood" | sed 's/^/  /'
allowed=$(grep -o '401: [0-9]*' "$work/flood" | awk '{print $2}')
echo "  guesses that reached a password check: ${allowed:-0} (the rest were refused with 429)"
