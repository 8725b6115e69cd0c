"""The CSRF token of every session gen-cohort made, for the mixed-workload benchmarks.

Usage: python3 bench/csrf_tokens.py BASE_URL SESSIONS OUT [--warm PATH]

SESSIONS holds "USERNAME COOKIE" lines (gen-cohort's SESSIONS=FILE); OUT gets one
"COOKIE TOKEN" line per learner, in the same order. Asks `GET /api/v1/session` with each
cookie over a few keep-alive connections (a thousand learners in a second or two, not a
thousand curl processes). Fails when a cookie is not a signed-in session (the server
answers with a new anonymous session cookie instead). With --warm PATH, also asks for PATH
once per learner as a browser does (`Accept-Encoding: gzip, br`), so that the pages the
server keeps per learner are there before a measurement, on every setup alike.
"""

import http.client
import json
import sys
import threading
import urllib.parse

CONNECTIONS = 4


def fetch(base: str, cookies: list[str], tokens: list[str | None], start: int, step: int,
          warm: str | None) -> None:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    for i in range(start, len(cookies), step):
        conn.request("GET", "/api/v1/session", headers={"Cookie": f"mastery_session={cookies[i]}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET /api/v1/session answered {response.status}: {body[:200]!r}")
        renewed = [
            v for k, v in response.getheaders()
            if k.lower() == "set-cookie" and "mastery_session=" in v
        ]
        if renewed:
            raise SystemExit(
                "the server does not know a session of gen-cohort (it set a new cookie): "
                + renewed[0].split(";")[0]
            )
        tokens[i] = json.loads(body)["csrf_token"]
        if warm:
            conn.request("GET", warm, headers={
                "Cookie": f"mastery_session={cookies[i]}", "Accept-Encoding": "gzip, br"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"GET {warm} answered {response.status}")
    conn.close()


def main() -> None:
    warm = None
    if len(sys.argv) == 6 and sys.argv[4] == "--warm":
        warm = sys.argv[5]
    elif len(sys.argv) != 4:
        raise SystemExit(__doc__)
    base, sessions, out = sys.argv[1:4]
    with open(sessions, encoding="utf-8") as f:
        cookies = [line.split()[1] for line in f if line.strip()]
    if not cookies:
        raise SystemExit(f"{sessions} lists no sessions")
    tokens: list[str | None] = [None] * len(cookies)
    failures: list[BaseException] = []

    def run(start: int) -> None:
        try:
            fetch(base, cookies, tokens, start, CONNECTIONS, warm)
        except BaseException as e:  # reported below, once for all threads
            failures.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(str(failures[0]))
    with open(out, "w", encoding="utf-8") as f:
        for cookie, token in zip(cookies, tokens):
            f.write(f"{cookie} {token}\n")


if __name__ == "__main__":
    main()
