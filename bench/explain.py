#!/usr/bin/env python3
"""Every SQL statement the app ran, explained on the generated data (issue 22, point 5).

    explain.py walk BASE COOKIES ADMIN_COOKIE
        Signed in as a big learner (member00000), a coach (member00001), another member
        (member00002) and an admin, requests every page and every GET operation of the
        OpenAPI document with its path filled in, and the writes of a study session
        (review, undo, mark, note, settings, a thread and a reply, a vote, an interview).
        Fails on any 5xx.

    explain.py time BASE COOKIES [--runs N]
        The big learner's (member00000) and another member's /stats, /study/readiness and
        GET /api/v1/study/stats, N loads each (after two), with /healthz as the same
        run's reference: median, 90th percentile and worst, in milliseconds.

    explain.py check LOG (--postgres URL | --sqlite PATH)
        Reads the statements from the server's JSON log (`--log 'warn,sqlx::query=debug'
        --log-format json`), and explains each distinct one on the database: PostgreSQL's
        generic plan (`PREPARE`, `plan_cache_mode = force_generic_plan`, `EXPLAIN EXECUTE`
        with NULL for every parameter: the plan any parameter gets, not the one a
        particular value would get); SQLite's `EXPLAIN QUERY PLAN`. Fails when a plan
        reads a large table (LARGE rows or more, default 10,000) from end to end.

bench/explain.sh runs both on each backend. Standard library only (psql for PostgreSQL).
"""

import argparse
import http.client
import json
import re
import sqlite3
import subprocess
import sys
import urllib.parse


# --- walking the app -------------------------------------------------------------------


class Browser:
    """One signed-in client: a session cookie, its CSRF token, keep-alive."""

    def __init__(self, base, cookie):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.cookie = cookie
        self.statuses = {}
        self.failures = []
        self.csrf = json.loads(self.request("GET", "/api/v1/session")[1])["csrf_token"]

    def request(self, method, path, body=None, form=False):
        headers = {"Cookie": f"mastery_session={self.cookie}", "Accept-Encoding": "gzip"}
        if method != "GET":
            headers["X-CSRF-Token"] = getattr(self, "csrf", "")
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body)
                headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        payload = r.read()
        self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
        if r.status >= 500:
            self.failures.append(f"{method} {path}: {r.status}")
        if r.headers.get("Content-Encoding") == "gzip":
            import gzip

            payload = gzip.decompress(payload)
        return r.status, payload

    def json(self, path):
        status, payload = self.request("GET", path)
        return json.loads(payload) if status == 200 else None


PAGES = [
    "/", "/guides/python-django", "/guides/python-django/{question}", "/study", "/stats",
    "/study/readiness", "/interviews", "/search?q=select_related", "/search?q=decoratr",
    "/account", "/account/security", "/account/tokens", "/settings", "/notifications",
    "/members/{member}", "/leaderboard", "/teams", "/teams/1", "/suggestions",
    "/threads/{thread}", "/moderation", "/moderation/log", "/admin/users", "/admin/site",
]


def walk(args):
    members = dict(line.split() for line in open(args.cookies) if line.strip())
    big = Browser(args.base, members["member00000"])
    coach = Browser(args.base, members["member00001"])
    other = Browser(args.base, members["member00002"])
    admin = Browser(args.base, args.admin_cookie)
    guide = big.json("/api/v1/guides/python-django")
    questions = [q["id"] for s in guide["sections"] for q in s["questions"] if q["level"]]
    q = questions[0]
    threads = big.json(f"/api/v1/guides/python-django/questions/{q}/threads") or {}
    thread = next(iter(threads.get("threads", [])), {}).get("id")
    if thread is None:
        for candidate in questions[1:40]:
            found = big.json(f"/api/v1/guides/python-django/questions/{candidate}/threads")
            if found and found.get("threads"):
                thread = found["threads"][0]["id"]
                break
    # The writes of a study session, so their statements are explained too.
    for i, question in enumerate(questions[:5]):
        big.request("POST", "/api/v1/study/reviews", {
            "guide": "python-django", "question": question, "rating": 3,
            "review_id": f"explain-{i}"})
    big.request("POST", "/api/v1/study/undo")
    big.request("PUT", f"/api/v1/guides/python-django/questions/{q}/mark", {"mastered": True})
    big.request("PUT", f"/api/v1/guides/python-django/questions/{q}/note",
                {"body": "Say the trade-off first."})
    big.request("PUT", "/api/v1/study/settings", {"daily_new_limit": 12})
    posted = other.request("POST", f"/api/v1/guides/python-django/questions/{q}/threads",
                           {"title": "How deep should this answer go?",
                            "body": "Is the definition enough in a screen?"})
    if posted[0] in (200, 201) and thread is None:
        thread = json.loads(posted[1]).get("thread")
    post = None
    if thread is not None:
        replied = big.request("POST", f"/api/v1/threads/{thread}/posts",
                              {"body": "Give one example from production."})
        if replied[0] in (200, 201):
            post = json.loads(replied[1]).get("post")
    if post is not None:
        other.request("PUT", f"/api/v1/posts/{post}/vote", {"vote": 1})
    started = other.request("POST", "/api/v1/interviews",
                            {"guide": "python-django", "preset": "recruiter-screen"})
    interview = json.loads(started[1]).get("id") if started[0] in (200, 201) else None
    if interview:
        other.request("POST", f"/api/v1/interviews/{interview}/finish")
    other.request("POST", "/api/v1/notifications/read")
    fill = {
        "guide": "python-django", "question": q, "member": "member00000",
        "username": "member00000", "thread": thread, "post": post, "id": interview,
        "team": 1, "suggestion": 1, "assignment": 1,
    }
    spec = big.json("/api/v1/openapi.json")
    skipped = []
    for path, ops in spec["paths"].items():
        if "get" not in ops or path.endswith("/openapi.json"):
            continue
        names = re.findall(r"\{(\w+)\}", path)
        if any(fill.get(n) is None for n in names):
            skipped.append(path)
            continue
        filled = re.sub(r"\{(\w+)\}", lambda m: urllib.parse.quote(str(fill[m.group(1)])), path)
        if path == "/api/v1/search":
            filled += "?q=select_related"
        for who in (big, coach, admin):
            who.request("GET", filled)
    for page in PAGES:
        if "{thread}" in page and thread is None:
            continue
        filled = page.format(question=q, member="member00000", thread=thread)
        for who in (big, coach, other, admin):
            who.request("GET", filled)
    statuses = {}
    failures = []
    for who in (big, coach, other, admin):
        for status, n in who.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
        failures += who.failures
    print("requests by status:", dict(sorted(statuses.items())))
    if skipped:
        print("not walked (no value for a path parameter):", ", ".join(skipped))
    if failures:
        print("server errors:\n  " + "\n  ".join(failures))
        sys.exit(1)


def timing(args):
    """Median, 90th percentile and worst of N loads of each page, in milliseconds."""
    import time

    members = dict(line.split() for line in open(args.cookies) if line.strip())
    rows = []
    for member in ("member00000", "member00002"):
        browser = Browser(args.base, members[member])
        for page in ("/healthz", "/stats", "/study/readiness", "/api/v1/study/stats"):
            times = []
            for i in range(args.runs + 2):
                began = time.perf_counter()
                status, _ = browser.request("GET", page)
                took = (time.perf_counter() - began) * 1000
                if status != 200:
                    print(f"{member} {page}: {status}")
                    sys.exit(1)
                if i >= 2:
                    times.append(took)
            times.sort()
            rows.append((member, page, times[len(times) // 2],
                         times[int(len(times) * 0.9)], times[-1]))
    print(f"{'learner':<12} {'page':<22} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8}")
    for member, page, p50, p90, worst in rows:
        print(f"{member:<12} {page:<22} {p50:8.1f} {p90:8.1f} {worst:8.1f}")


# --- explaining ------------------------------------------------------------------------


def statements(log):
    seen = {}
    for line in open(log, encoding="utf-8", errors="replace"):
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("target") != "sqlx::query":
            continue
        sql = (event.get("db.statement") or "").strip() or event.get("summary", "")
        sql = " ".join(sql.split())
        if sql.endswith("…") or not sql:
            continue
        head = sql.split(" ", 1)[0].upper()
        if head not in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            continue
        if "_sqlx_migrations" in sql or "sqlite_master" in sql or "pg_catalog" in sql:
            continue
        seen[sql] = seen.get(sql, 0) + 1
    return seen


def psql(url, sql):
    done = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url],
                          input=sql, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def postgres_plans(url, sqls, large):
    code, out, err = psql(url, "SELECT relname, reltuples::bigint FROM pg_class "
                          "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace;")
    rows = dict(line.split("|") for line in out.split() if "|" in line)
    rows = {name: int(n) for name, n in rows.items()}
    results = []
    for sql in sqls:
        count = max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)
        params = "(" + ", ".join(["NULL"] * count) + ")" if count else ""
        # A parameter PostgreSQL cannot type from its context (`$1 IS NULL OR …`) is
        # declared: bigint, then text, as the statement's other uses of it accept.
        types = ["unknown"] * count
        tried = {}
        while True:
            declared = "(" + ", ".join(types) + ")" if count else ""
            script = ("SET plan_cache_mode = force_generic_plan;\n"
                      f"PREPARE q{declared} AS {sql};\nEXPLAIN EXECUTE q{params};\n")
            code, out, err = psql(url, script)
            untyped = re.search(r"could not determine data type of parameter \$(\d+)", err)
            mistyped = re.search(r"operator does not exist: \w+ [^ ]+ bigint", err)
            if code == 0:
                break
            if untyped:
                n = int(untyped.group(1)) - 1
            elif mistyped and "bigint" in types:
                n = types.index("bigint")
            else:
                break
            tried[n] = tried.get(n, 0) + 1
            if tried[n] > 2:
                break
            types[n] = "bigint" if tried[n] == 1 else "text"
        if code != 0:
            lines = [line for line in err.strip().splitlines() if line.startswith("ERROR")]
            results.append((sql, None, lines[-1] if lines else "error"))
            continue
        scans = re.findall(r"Seq Scan on (\w+)", out)
        bad = sorted({t for t in scans if rows.get(t, 0) >= large})
        results.append((sql, out, bad))
    return results, rows


def sqlite_plans(path, sqls, large):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = {}
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%search%'"):
        rows[name] = db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
    results = []
    for sql in sqls:
        numbered = sorted({int(n) for n in re.findall(r"\$(\d+)", sql)})
        try:
            if numbered:
                plan = db.execute(f"EXPLAIN QUERY PLAN {sql}", {str(n): None for n in numbered})
            else:
                plan = db.execute(f"EXPLAIN QUERY PLAN {sql}", [None] * sql.count("?"))
            lines = [row[3] for row in plan.fetchall()]
        except sqlite3.Error as e:
            results.append((sql, None, str(e)))
            continue
        bad = set()
        for detail in lines:
            m = re.match(r"SCAN (\w+)( AS \w+)?$", detail) or re.match(r"SCAN (\w+)$", detail)
            if m and "USING" not in detail and rows.get(m.group(1), 0) >= large:
                bad.add(m.group(1))
        results.append((sql, "\n".join(lines), sorted(bad)))
    return results, rows


# Statements that read a whole large table on purpose, and why that is fine.
ALLOWED = [
    (r"^DELETE FROM sessions WHERE last_seen_at < \$1 OR created_at < \$2",
     "the hourly sweep of expired sessions: an index on last_seen_at would cost every "
     "session's once-a-minute touch its heap-only update"),
    (r"^SELECT COUNT\(\*\) AS accounts, COUNT\(CASE WHEN role",
     "start-up and the command line count every account once"),
]


def allowed(sql):
    return next((reason for pattern, reason in ALLOWED if re.search(pattern, sql)), None)


def check(args):
    found = statements(args.log)
    if not found:
        print(f"no statements in {args.log}: was the server run with "
              "--log 'warn,sqlx::query=debug' --log-format json?")
        sys.exit(2)
    if args.postgres:
        results, rows = postgres_plans(args.postgres, found, args.large)
        where = "PostgreSQL (generic plans)"
    else:
        results, rows = sqlite_plans(args.sqlite, found, args.large)
        where = "SQLite (EXPLAIN QUERY PLAN)"
    big = {t: n for t, n in rows.items() if n >= args.large}
    print(f"{len(found)} distinct statements ({sum(found.values())} run), on {where}")
    print("large tables:", ", ".join(f"{t} {n:,}" for t, n in sorted(big.items(), key=lambda x: -x[1])))
    failed = unexplained = 0
    for sql, plan, verdict in sorted(results, key=lambda r: r[0]):
        if plan is None:
            unexplained += 1
            print(f"  cannot explain ({verdict}): {sql[:160]}")
        elif verdict and allowed(sql):
            print(f"  full scan of {', '.join(verdict)}, allowed ({allowed(sql)}): {sql[:120]}")
        elif verdict:
            failed += 1
            print(f"  FULL SCAN of {', '.join(verdict)}: {sql[:300]}")
            if args.verbose:
                print("    " + plan.replace("\n", "\n    "))
    print(f"{len(results) - failed - unexplained} use an index or read only small tables; "
          f"{failed} read a large table from end to end; {unexplained} could not be explained")
    if failed:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("walk")
    w.add_argument("base")
    w.add_argument("cookies")
    w.add_argument("admin_cookie")
    t = sub.add_parser("time")
    t.add_argument("base")
    t.add_argument("cookies")
    t.add_argument("--runs", type=int, default=20)
    c = sub.add_parser("check")
    c.add_argument("log")
    c.add_argument("--postgres")
    c.add_argument("--sqlite")
    c.add_argument("--large", type=int, default=10_000)
    c.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.command == "walk":
        walk(args)
    elif args.command == "time":
        timing(args)
    else:
        if bool(args.postgres) == bool(args.sqlite):
            parser.error("check needs --postgres URL or --sqlite PATH")
        check(args)


if __name__ == "__main__":
    main()
