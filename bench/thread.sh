#!/usr/bin/env bash
# A discussion thread of 200 posts read by a signed-in member: `mastery serve` (multi-user
# mode, SQLite) against nginx serving the same bytes as a static file, in the same run.
# Usage: bench/thread.sh [DURATION_SECONDS]   (needs wrk, nginx, curl, python3)
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/nginx.sh
. bench/setups.sh  # need_tools, bench_binaries, setups_init, free_port, sign_in
duration=${1:-10}
connections=64
posts=200
need_tools bench/thread.sh wrk nginx curl python3
bench_binaries mastery
setups_init
pass='benchmark passphrase that is long'
for name in writer reader; do
  "$bin"/mastery user add "$name" --data-dir "$work/data" --password-stdin <<<"$pass" >/dev/null
done

mport=$(free_port)
base="http://127.0.0.1:$mport"
"$bin"/mastery serve --mode multi-user --bind "127.0.0.1:$mport" --data-dir "$work/data" --log warn >"$work/mastery.log" 2>&1 &
echo $! >"$work/mastery.pid"
until curl -fs "$base/healthz" >/dev/null; do sleep 0.05; done

writer="mastery_session=$(sign_in "$base" writer "$pass" "$work/jar-writer")"
reader="mastery_session=$(sign_in "$base" reader "$pass" "$work/jar-reader")"
token=$(curl -fs -H "Cookie: $writer" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')

# One real post through the API (rendered and sanitised by the server), then its copies:
# writing 200 posts through the API would meet the limits per member.
body=$(python3 - <<'PY'
import json
text = ("`select_related` follows foreign keys in **one** query with a SQL join; "
        "`prefetch_related` runs a second query and joins in Python. See the "
        "[docs](https://docs.djangoproject.com/en/stable/ref/models/querysets/).\n\n"
        "```python\nbooks = Book.objects.select_related(\"author\")\n"
        "for b in books:\n    print(b.title, b.author.name)\n```\n\n"
        "- one query for the books and their authors\n- no N+1\n")
print(json.dumps({"title": "select_related or prefetch_related?", "body": text}))
PY
)
thread=$(curl -fs -H "Cookie: $writer" -H "x-csrf-token: $token" -H 'content-type: application/json' \
  -d "$body" "$base/api/v1/guides/python-django/questions/select-vs-prefetch-related/threads" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["thread"])')
db=$(ls "$work"/data/*.db | head -n 1)
python3 - "$db" "$thread" "$posts" <<'PY'
import sqlite3, sys
db, thread, posts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = sqlite3.connect(db, timeout=30)
# The writer is a new member: their first post waits for approval; approve it here.
con.execute("UPDATE posts SET state = 'visible', approved_at = created_at WHERE thread_id = ?", (thread,))
row = con.execute("SELECT author_id, body, html, created_at FROM posts WHERE thread_id = ?", (thread,)).fetchone()
author, body, html, at = row
readers = [r[0] for r in con.execute("SELECT learner_id FROM accounts")]
with con:
    for n in range(1, posts):
        who = readers[n % len(readers)]
        con.execute(
            "INSERT INTO posts (thread_id, author_id, body, html, state, score, created_at, approved_at) "
            "VALUES (?, ?, ?, ?, 'visible', ?, ?, ?)",
            (thread, who, body, html, n % 7, at + n * 1000, at + n * 1000),
        )
    con.execute("UPDATE threads SET last_post_at = ? WHERE id = ?", (at + posts * 1000, thread))
PY
page="$base/threads/$thread"
count=$(curl -fs -H "Cookie: $reader" "$page" | grep -o 'id="post-[0-9]*"' | wc -l)
[ "$count" -ge "$posts" ] || { echo "the thread page shows $count posts, not $posts"; exit 1; }

mkdir -p "$work/www"
curl -fs -H "Cookie: $reader" "$page" >"$work/www/thread.html"
curl -fs -H "Cookie: $reader" -H 'Accept-Encoding: gzip' "$page" >"$work/www/thread.html.gz"
echo ok >"$work/www/index.html"
nport=$(free_port)
nginx_static "$work" "$work/www" "$nport"

# One request at a time first: a single page's cost, without queueing.
for _ in 1 2 3; do curl -s -o /dev/null -w 'one request alone: %{time_total}s\n' -H "Cookie: $reader" "$page"; done
echo
echo "a thread of $posts posts read by a signed-in member, $connections connections, ${duration}s each, wrk -t2"
echo "page: $(wc -c <"$work/www/thread.html") bytes ($(wc -c <"$work/www/thread.html.gz") gzip)"
run_wrk "mastery thread page" "$page" "$reader"
run_wrk "nginx thread page (static)" "http://127.0.0.1:$nport/thread.html"
run_wrk "mastery thread page gzip" "$page" "$reader" gzip
run_wrk "nginx thread page gzip (static)" "http://127.0.0.1:$nport/thread.html" "" gzip
r() { python3 -c "print(f'{float(open(\"$work/rps-$1\").read())/float(open(\"$work/rps-$2\").read())*100:.0f}%')"; }
echo
echo "mastery / nginx:       $(r mastery_thread_page nginx_thread_page_\(static\))"
echo "mastery / nginx, gzip: $(r mastery_thread_page_gzip nginx_thread_page_gzip_\(static\))"
