"""Reference for bench/reviews.sh: raw SQLite inserting review rows like Mastery's, in WAL
mode with synchronous=FULL, one transaction per row and in batches. Prints rows/s."""
import os, sqlite3, sys, tempfile, time

def run(batch: int, rows: int) -> float:
    d = tempfile.mkdtemp()
    db = sqlite3.connect(os.path.join(d, "raw.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("""CREATE TABLE reviews (seq INTEGER PRIMARY KEY, learner_id INTEGER, review_id TEXT,
        guide_id TEXT, question_id TEXT, rating INTEGER, reviewed_at INTEGER, elapsed_days REAL,
        scheduled_days REAL, time_spent_ms INTEGER, UNIQUE (learner_id, review_id))""")
    db.execute("""CREATE TABLE cards (learner_id INTEGER, guide_id TEXT, question_id TEXT, phase TEXT,
        stability REAL, difficulty REAL, due INTEGER, reps INTEGER,
        PRIMARY KEY (learner_id, guide_id, question_id)) WITHOUT ROWID""")
    start = time.perf_counter()
    for i in range(0, rows, batch):
        db.execute("BEGIN IMMEDIATE")
        for j in range(i, min(i + batch, rows)):
            db.execute("INSERT INTO reviews (learner_id, review_id, guide_id, question_id, rating, reviewed_at,"
                       " elapsed_days, scheduled_days, time_spent_ms) VALUES (1, ?, 'g', ?, 3, ?, 0, 1, 1000)",
                       (f"r{j}", f"q{j % 71}", j))
            db.execute("INSERT INTO cards VALUES (1, 'g', ?, 'review', 3.2, 5.1, ?, ?) ON CONFLICT DO UPDATE"
                       " SET stability=excluded.stability, due=excluded.due, reps=cards.reps+1", (f"q{j % 71}", j, 1))
        db.execute("COMMIT")
    return rows / (time.perf_counter() - start)

if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5
    per_row = run(1, 500)
    print(f"raw SQLite, one transaction per review: {per_row:10.0f} reviews/s")
    batched = run(64, int(max(per_row, 1000) * 64 * seconds / 8))
    print(f"raw SQLite, 64 reviews per transaction:  {batched:10.0f} reviews/s")
