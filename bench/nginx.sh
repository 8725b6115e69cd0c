# Sourced by the benchmark scripts: nginx (Debian package) as the reference server or the
# load balancer, with its files in the benchmark's temporary folder.

# nginx_start WORK CHECK_URL: writes WORK/nginx.conf with the settings every benchmark
# shares and the rest of the `http` block read from standard input, starts nginx (pid file
# WORK/nginx.pid) and returns once CHECK_URL answers.
nginx_start() {
  local work=$1 check=$2
  {
    cat <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
CONF
    cat
    echo "}"
  } >"$work/nginx.conf"
  nginx -c "$work/nginx.conf"
  for _ in $(seq 100); do curl -fs -o /dev/null "$check" 2>/dev/null && return 0; sleep 0.05; done
  echo "nginx does not answer $check; see $work/nginx-error.log"
  cat "$work/nginx-error.log"
  return 1
}

# nginx_static WORK ROOT PORT: serves the folder ROOT (which needs an index.html) on
# 127.0.0.1:PORT with sendfile and gzip_static (ROOT/F.gz is sent for ROOT/F to clients
# that accept gzip).
nginx_static() {
  nginx_start "$1" "http://127.0.0.1:$3/" <<CONF
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type text/html;
  gzip_static on;
  server { listen 127.0.0.1:$3; root $2; }
CONF
}

# run_wrk LABEL URL [COOKIE] [ACCEPT_ENCODING]: wrk -t2 at `connections` connections for
# `duration` seconds (variables of the calling script); prints LABEL, requests/s, p99 and
# any errors, and writes the requests/s to WORK/rps-LABEL (spaces and slashes as `_`)
# for the script's ratios.
run_wrk() {
  local out args=()
  [ -n "${3:-}" ] && args+=(-H "Cookie: $3")
  [ -n "${4:-}" ] && args+=(-H "Accept-Encoding: $4")
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "${args[@]}" "$2")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  printf '%-34s %12s req/s   p99 %-9s %s\n' "$1" "$rps" "$p99" "$errors"
  echo "$rps" >"$work/rps-$(tr ' /' '__' <<<"$1")"
}
