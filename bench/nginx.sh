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
