"""Acknowledged writes during a soak, and the check that every one of them was kept once.

  python3 bench/acked_writes.py run BASE_URL SESSIONS TOKENS QUESTIONS OUT [--threads 4]
        [--learners N] [--tag TAG]
  python3 bench/acked_writes.py check DATABASE_URL OUT

`run` posts reviews (`POST /api/v1/study/reviews`) from THREADS threads, each on its own
keep-alive connection to BASE_URL, as random learners among the first N of SESSIONS
("USERNAME COOKIE" lines, gen-cohort) with the CSRF tokens of TOKENS ("COOKIE TOKEN" lines,
bench/csrf_tokens.py), about random questions of QUESTIONS (comma-separated), until it
gets SIGTERM or SIGINT. Every review id is new (`bench-w-TAG-THREAD-N`). Each review the
server acknowledged is appended to OUT at once as "USERNAME REVIEW_ID HOW UNIX_TIME": HOW is
`recorded` (200 with "recorded":true) or `retried` (200 with "recorded":false: an earlier
delivery of the same id had been kept; either this writer sent it again after no answer
or a 502, 503 or 504, as a client should, or nginx passed it to the other instance after
the first one took it and died before answering). Failures go to OUT.errors as
"UNIX_TIME WHAT" lines (WHAT: an HTTP status or the socket error's name); a summary is
printed at the end.

`check` loads OUT into a temporary table of the PostgreSQL database and verifies that
every acknowledged review is in `reviews` exactly once, under its learner; it also counts
any review id stored twice for one learner among all the benchmark's reviews
(`bench-%`). Prints the figures; exits 1 when a review is missing or duplicated.
"""

import argparse
import http.client
import json
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

stop = threading.Event()


class Writer:
    def __init__(self, args: argparse.Namespace) -> None:
        url = urllib.parse.urlsplit(args.base)
        self.host, self.port = url.hostname, url.port
        with open(args.sessions, encoding="utf-8") as f:
            names = {}
            for line in f:
                if line.strip():
                    username, cookie = line.split()[:2]
                    names[cookie] = username
        with open(args.tokens, encoding="utf-8") as f:
            pairs = [line.split()[:2] for line in f if line.strip()]
        self.learners = [(names[c], c, t) for c, t in pairs][: args.learners or None]
        self.questions = args.questions.split(",")
        self.tag = args.tag
        self.lock = threading.Lock()
        self.out = open(args.out, "a", encoding="utf-8")
        self.errors = open(args.out + ".errors", "a", encoding="utf-8")
        self.sent = self.recorded = self.retried = 0
        self.failures: dict[str, int] = {}

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures[what] = self.failures.get(what, 0) + 1
            self.errors.write(f"{time.time():.3f} {what}\n")
            self.errors.flush()

    def acknowledged(self, username: str, review_id: str, how: str) -> None:
        with self.lock:
            if how == "recorded":
                self.recorded += 1
            else:
                self.retried += 1
            self.out.write(f"{username} {review_id} {how} {time.time():.3f}\n")
            self.out.flush()

    def post(self, conn: http.client.HTTPConnection, learner, body: bytes):
        """(status, body) or raises an OSError / http.client exception."""
        _, cookie, token = learner
        conn.request("POST", "/api/v1/study/reviews", body=body, headers={
            "Cookie": f"mastery_session={cookie}",
            "X-CSRF-Token": token,
            "Content-Type": "application/json",
        })
        response = conn.getresponse()
        return response.status, response.read()

    def loop(self, number: int) -> None:
        rng = random.Random(f"{self.tag}-{number}")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        count = 0
        while not stop.is_set():
            count += 1
            learner = rng.choice(self.learners)
            review_id = f"bench-w-{self.tag}-{number}-{count}"
            body = json.dumps({
                "guide": "python-django", "question": rng.choice(self.questions),
                "rating": 3, "review_id": review_id,
            }).encode()
            for _ in range(2):  # the first attempt, and once more with the same id after no answer
                with self.lock:
                    self.sent += 1
                try:
                    status, answer = self.post(conn, learner, body)
                except (OSError, http.client.HTTPException) as e:
                    self.failed(type(e).__name__)
                    conn.close()
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                    time.sleep(0.05)
                    continue
                if status == 200 and b'"recorded":true' in answer:
                    self.acknowledged(learner[0], review_id, "recorded")
                elif status == 200 and b'"recorded":false' in answer:
                    # Every id is new, so only a second delivery meets a kept review: ours
                    # after a failure, or nginx's to the other instance.
                    self.acknowledged(learner[0], review_id, "retried")
                elif status in (502, 503, 504):
                    # The proxy or the server could not say whether it was kept: try again.
                    self.failed(str(status))
                    time.sleep(0.05)
                    continue
                else:
                    self.failed(str(status))
                break
        conn.close()

    def run(self, threads: int) -> None:
        workers = [threading.Thread(target=self.loop, args=(n,)) for n in range(threads)]
        for w in workers:
            w.start()
        while any(w.is_alive() for w in workers):
            for w in workers:
                w.join(0.2)
        failures = ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items())) or "none"
        print(f"writer: {self.sent} requests, {self.recorded + self.retried} acknowledged "
              f"({self.recorded} recorded, {self.retried} kept from an earlier delivery of the same id), "
              f"failures: {failures}")


# Joins, not a subquery per acknowledged id: the review log is read once (a hash join on
# review_id for "stored under another learner"), the learner's own reviews by their unique
# index.
CHECK = """
WITH k AS (
  SELECT k.review_id, a.learner_id AS learner
  FROM acked k LEFT JOIN accounts a ON a.username = k.username
), mine AS (
  SELECT k.review_id, count(r.review_id) AS n
  FROM k LEFT JOIN reviews r ON r.learner_id = k.learner AND r.review_id = k.review_id
  GROUP BY k.review_id
), elsewhere AS (
  SELECT DISTINCT k.review_id
  FROM k JOIN reviews r ON r.review_id = k.review_id AND r.learner_id <> k.learner
)
SELECT (SELECT count(*) FROM k) AS acknowledged,
       (SELECT count(*) FROM mine WHERE n = 0) AS missing,
       (SELECT count(*) FROM mine WHERE n > 1) AS duplicated,
       (SELECT count(*) FROM elsewhere) AS under_another_learner,
       (SELECT count(*) FROM k WHERE learner IS NULL) AS unknown_learner
"""

DUPLICATES = """
SELECT count(*) FROM (
  SELECT learner_id, review_id FROM reviews WHERE review_id LIKE 'bench-%'
  GROUP BY learner_id, review_id HAVING count(*) > 1
) d
"""


def check(database: str, acks: str) -> int:
    def psql(*commands: str, stdin=None) -> str:
        args = ["psql", "-X", "-q", "-A", "-t", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", database]
        for c in commands:
            args += ["-c", c]
        return subprocess.run(args, stdin=stdin, capture_output=True, text=True, check=True).stdout

    with open(acks, encoding="utf-8") as f:
        out = psql(
            "CREATE TEMP TABLE acked (username text, review_id text, how text, at float8)",
            r"\copy acked FROM pstdin WITH (FORMAT text, DELIMITER ' ')",
            "CREATE INDEX ON acked (review_id)",
            "ANALYZE acked",
            CHECK,
            stdin=f,
        )
    acknowledged, missing, duplicated, elsewhere, unknown = (int(x) for x in out.split())
    twice = int(psql(DUPLICATES).strip())
    print(f"acknowledged writes checked: {acknowledged}, missing {missing}, duplicated {duplicated}, "
          f"under another learner {elsewhere}, unknown learner {unknown}; "
          f"review ids stored twice for one learner among all bench-% reviews: {twice}")
    return 1 if missing or duplicated or elsewhere or unknown or twice else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    for name in ("base", "sessions", "tokens", "questions", "out"):
        run.add_argument(name)
    run.add_argument("--threads", type=int, default=4)
    run.add_argument("--learners", type=int, default=0, help="the first N learners (default: all)")
    run.add_argument("--tag", default=str(int(time.time())))
    chk = sub.add_parser("check")
    chk.add_argument("database")
    chk.add_argument("out")
    args = parser.parse_args()
    if args.command == "check":
        return check(args.database, args.out)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    Writer(args).run(args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
