#!/usr/bin/env bash
# Lean at rest: how long `mastery serve` (built-in guide, fresh SQLite database) takes from
# start to its first answered request, and how much memory it holds once idle, against
# nginx serving one static page, started the same way in the same run.
# Usage: bench/rest.sh [RUNS]   (needs nginx and curl; figures in docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin="${CARGO_TARGET_DIR:-target}/release/mastery"
[ -x "$bin" ] || cargo build --release -p mastery >&2
work=$(mktemp -d)
chmod 755 "$work"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# Resident memory of a process and its children, in KiB.
rss_tree() { ps -o rss= --pid "$1" --ppid "$1" | awk '{s+=$1} END {print s}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "<html><body>static</body></html>" >"$work/index.html"
for run in $(seq "$runs"); do
  port=$(free_port)
  rm -rf "$work/data"
  start=$(date +%s%N)
  "$bin" serve --bind "127.0.0.1:$port" --data-dir "$work/data" >/dev/null 2>&1 &
  pid=$!; echo $pid >"$work/mastery.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.002; done
  echo "$(ms_since "$start")" >>"$work/mastery.first"
  curl -fs -o /dev/null "http://127.0.0.1:$port/guides/python-django"
  sleep 2
  rss_tree "$pid" >>"$work/mastery.rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true

  nport=$(free_port)
  cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx.run;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server { listen 127.0.0.1:$nport; root $work; }
}
CONF
  start=$(date +%s%N)
  nginx -c "$work/nginx.conf" -p "$work" &
  npid=$!; echo $npid >"$work/nginx.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:$nport/index.html"; do sleep 0.002; done
  echo "$(ms_since "$start")" >>"$work/nginx.first"
  sleep 2
  rss_tree "$npid" >>"$work/nginx.rss"
  kill "$npid"; wait "$npid" 2>/dev/null || true
done
printf '%-8s %18s %14s   (median of %s runs)\n' "" "first answer (ms)" "idle RSS (MiB)" "$runs"
for who in mastery nginx; do
  first=$(median <"$work/$who.first")
  rss=$(median <"$work/$who.rss")
  printf '%-8s %18s %14s\n' "$who" "$first" "$(awk -v k="$rss" 'BEGIN {printf "%.1f", k/1024}')"
done
