#!/usr/bin/env bash
# Guide-page throughput and latency of `mastery serve` against nginx serving the same HTML
# as a static file, in the same run. Also idle memory and time to first answered request.
# Usage: bench/web.sh [DURATION_SECONDS]   (needs wrk, nginx, curl; Debian packages)
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
bin="${CARGO_TARGET_DIR:-target}/release"
duration=${1:-10}
connections=64
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/web.sh needs $tool (apt-get install wrk nginx curl)"; exit 2; }
done
cargo build --release -p mastery -p mastery-bench --bins >&2
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin"/gen-guide "$work/synthetic" 1000 >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mport=$(free_port)
start_ns=$(date +%s%N)
"$bin"/mastery serve --bind "127.0.0.1:$mport" --data-dir "$work/data" --guides "$work/synthetic" >"$work/mastery.log" 2>&1 &
echo $! >"$work/mastery.pid"
until curl -fs "http://127.0.0.1:$mport/healthz" >/dev/null; do sleep 0.005; done
first_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep 1
rss_kb=$(ps -o rss= -p "$(cat "$work/mastery.pid")" | tr -d ' ')

# A returning learner: one session cookie, a mark on every fifth question of both guides.
jar="$work/cookies"
token=$(curl -fs -c "$jar" "http://127.0.0.1:$mport/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
cookie=$(awk '$6=="mastery_session"{print "mastery_session="$7}' "$jar")
mark() {
  curl -fs -o /dev/null -b "$jar" -X PUT -H 'content-type: application/json' -H "x-csrf-token: $token" \
    -d '{"mastered":true}' "http://127.0.0.1:$mport/api/v1/guides/$1/questions/$2/mark"
}
for q in $(curl -fs "http://127.0.0.1:$mport/api/v1/guides/python-django" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(q["id"] for s in d["sections"] for q in s["questions"] if q["level"])[::1])' | tr ' ' '\n' | awk 'NR%5==1'); do mark python-django "$q"; done
for n in $(seq 0 5 999); do mark synthetic "q-$n"; done

mkdir -p "$work/www"
curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$mport/guides/python-django" >"$work/www/real.html"
curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$mport/guides/synthetic" >"$work/www/synthetic.html"
# The gzip copies mastery sends that learner, byte for byte, for nginx's gzip_static.
for page in real:python-django synthetic:synthetic; do
  curl -fs -H "Cookie: $cookie" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$mport/guides/${page#*:}" >"$work/www/${page%%:*}.html.gz"
  gzip -dc "$work/www/${page%%:*}.html.gz" | cmp -s - "$work/www/${page%%:*}.html" \
    || { echo "the gzip copy of ${page%%:*} does not decode to the page"; exit 1; }
done
nport=$(free_port)
# nginx answers 403 for the folder itself; serve an index so its readiness check passes.
echo ok >"$work/www/index.html"
nginx_static "$work" "$work/www" "$nport"
curl -fs "http://127.0.0.1:$nport/real.html" >/dev/null || { echo "nginx does not serve the page"; exit 1; }

echo
echo "guide page, $connections connections, ${duration}s each, wrk -t2 (same machine, same run)"
echo "sizes: real $(wc -c <"$work/www/real.html") bytes ($(wc -c <"$work/www/real.html.gz") gzip), synthetic $(wc -c <"$work/www/synthetic.html") bytes ($(wc -c <"$work/www/synthetic.html.gz") gzip)"
echo "uncompressed (no Accept-Encoding):"
run_wrk "mastery real guide" "http://127.0.0.1:$mport/guides/python-django" "$cookie"
run_wrk "nginx real guide (static)" "http://127.0.0.1:$nport/real.html"
run_wrk "mastery synthetic 1000q" "http://127.0.0.1:$mport/guides/synthetic" "$cookie"
run_wrk "nginx synthetic 1000q (static)" "http://127.0.0.1:$nport/synthetic.html"
echo "gzip (Accept-Encoding: gzip, as browsers send; nginx: gzip_static):"
run_wrk "mastery real guide gzip" "http://127.0.0.1:$mport/guides/python-django" "$cookie" gzip
run_wrk "nginx real guide gzip (static)" "http://127.0.0.1:$nport/real.html" "" gzip
run_wrk "mastery synthetic 1000q gzip" "http://127.0.0.1:$mport/guides/synthetic" "$cookie" gzip
run_wrk "nginx synthetic 1000q gzip (static)" "http://127.0.0.1:$nport/synthetic.html" "" gzip
ratio() { python3 -c "print(f'{float(open(\"$1\").read())/float(open(\"$2\").read())*100:.0f}%')"; }
echo
r() { ratio "$work/rps-$(tr ' /' '__' <<<"$1")" "$work/rps-$(tr ' /' '__' <<<"$2")"; }
echo "mastery / nginx, real guide:            $(r "mastery real guide" "nginx real guide (static)")"
echo "mastery / nginx, synthetic guide:       $(r "mastery synthetic 1000q" "nginx synthetic 1000q (static)")"
echo "mastery / nginx, real guide, gzip:      $(r "mastery real guide gzip" "nginx real guide gzip (static)")"
echo "mastery / nginx, synthetic guide, gzip: $(r "mastery synthetic 1000q gzip" "nginx synthetic 1000q gzip (static)")"
echo "idle RSS after start (1,071 questions loaded): $((rss_kb / 1024)) MiB"
echo "start to first answered request: ${first_ms} ms"
