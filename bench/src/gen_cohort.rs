//! `gen-cohort OUT [MEMBERS] [DAYS]`: a new database holding one team (number 1, "Cohort",
//! the built-in Python & Django guide, an interview date 60 days ahead) of MEMBERS accounts
//! (default 500) who all share, each with DAYS days (default 365) of study simulated with
//! Mastery's own FSRS scheduler: a member studies on a day with their own diligence,
//! answers the cards due (recalling with the probability FSRS predicts) and learns a few
//! new questions; a card that reaches 21 days of stability is ticked as mastered. OUT is a
//! path (a new SQLite database) or `postgres://…` (an empty PostgreSQL database with
//! Mastery's schema, as `mastery db migrate` leaves it). Written in one transaction through
//! the storage layer's bulk import (the same path as `mastery db copy`), deterministic for
//! a given size. Members cannot sign in with a password (their hash is a placeholder): add
//! a coach or admin with `mastery user add`.
//!
//! With `SESSIONS=FILE` set, every member also gets a session that began now, and FILE
//! lists `USERNAME COOKIE` per line: a load test sends `Cookie: mastery_session=COOKIE`
//! as a thousand signed-in learners without a thousand password checks (each asks
//! `GET /api/v1/session` for its CSRF token). Sessions end after 3 idle days.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use mastery_app::cards::to_stored;
use mastery_content::{GuideFiles, load_guide};
use mastery_storage::StoredSession;
use mastery_storage::dump::{Cell, DumpTable};
use mastery_storage::{
    ACCOUNT_KIND, Account, Dump, DumpLearner, DumpReview, LearnerId, Mark, Owned, QuestionKey,
    ReviewRecord, Role, Storage,
};
use mastery_storage_postgres::PostgresStore;
use mastery_storage_sqlite::SqliteStore;
use mastery_study::scheduler::{CardState, DAY_MS, HOUR_MS, Rating, Scheduler, Settings};

/// splitmix64: a small deterministic generator (no dependency for one benchmark).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const PLACEHOLDER_HASH: &str = "generated-member-without-a-password";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        bail!("usage: gen-cohort OUT.db|postgres://… [MEMBERS] [DAYS]");
    };
    let members: i64 = args
        .next()
        .map_or(Ok(500), |a| a.parse())
        .context("MEMBERS")?;
    let days: i64 = args.next().map_or(Ok(365), |a| a.parse()).context("DAYS")?;
    let postgres = out.starts_with("postgres://") || out.starts_with("postgresql://");
    if !postgres && Path::new(&out).exists() {
        bail!("{out} exists: give the path of a new database");
    }
    let sessions_file = std::env::var_os("SESSIONS");
    let mut cookies = String::new();
    let report = load_guide(&GuideFiles::from_dir(Path::new("guides/python-django"))?);
    let Some(guide) = report.guide else {
        bail!("guides/python-django does not load (run from the repository's root)");
    };
    let questions: Vec<QuestionKey> = guide
        .questions()
        .map(|e| QuestionKey::new(guide.id.as_str(), e.id.as_str()))
        .collect();
    let scheduler = Scheduler::new(Settings::default(), 0)?;
    let now = mastery_storage::now();
    let today = now.div_euclid(DAY_MS);
    let start = (today - days) * DAY_MS;
    let started = Instant::now();
    let mut rng = Rng(0x5EED ^ (members as u64) << 20 ^ days as u64);
    let mut dump = Dump::default();
    let mut seq = 0_i64;
    let mut members_rows = Vec::new();
    for m in 0..members {
        let learner = LearnerId(m + 1);
        let name = format!("member{m:04}");
        dump.learners.push(DumpLearner {
            id: learner,
            kind: ACCOUNT_KIND.to_owned(),
            created_at: start,
        });
        dump.accounts.push(Account {
            learner,
            username: name.clone(),
            username_key: name,
            email: None,
            email_key: None,
            password_hash: PLACEHOLDER_HASH.to_owned(),
            role: Role::Learner,
            created_at: start,
            password_changed_at: start,
            disabled_at: None,
        });
        if sessions_file.is_some() {
            let cookie = format!(
                "{:016x}{:016x}{:016x}{:016x}",
                rng.next(),
                rng.next(),
                rng.next(),
                rng.next()
            );
            dump.sessions.push(StoredSession {
                id_hash: mastery_app::accounts::tokens::digest(&cookie),
                learner,
                created_at: now,
                last_seen_at: now,
                device: "gen-cohort".to_owned(),
            });
            cookies.push_str(&format!(
                "{} {cookie}\n",
                dump.accounts.last().map_or("", |a| a.username.as_str())
            ));
        }
        members_rows.push(vec![
            Cell::Int(Some(1)),
            Cell::Int(Some(learner.0)),
            Cell::Text("member".to_owned()),
            Cell::Int(Some(1)),
            Cell::Int(Some(start)),
            Cell::Int(Some(start)),
        ]);
        let diligence = 0.25 + 0.7 * rng.unit();
        let new_per_day = 1 + (rng.next() % 4) as usize;
        let mut states: HashMap<usize, CardState> = HashMap::new();
        let mut next_new = 0;
        for day in 0..days {
            if rng.unit() > diligence {
                continue;
            }
            let mut at = start + day * DAY_MS + 18 * HOUR_MS + (rng.next() % 3_600_000) as i64;
            let mut due: Vec<usize> = states
                .iter()
                .filter(|(_, s)| s.due <= at)
                .map(|(q, _)| *q)
                .collect();
            due.sort_unstable();
            for _ in 0..new_per_day {
                if next_new < questions.len() {
                    due.push(next_new);
                    next_new += 1;
                }
            }
            for q in due {
                let state = states.get(&q).copied().unwrap_or(CardState::NEW);
                let recall = scheduler.retrievability(&state, at).unwrap_or(0.6);
                let roll = rng.unit();
                let rating = if roll > f64::from(recall) {
                    Rating::Again
                } else if roll < 0.1 {
                    Rating::Easy
                } else if roll > 0.9 * f64::from(recall) {
                    Rating::Hard
                } else {
                    Rating::Good
                };
                let (after, log) = scheduler.review(&state, rating, at, 9_000, rng.next())?;
                let key = &questions[q];
                seq += 1;
                dump.reviews.push(DumpReview {
                    seq,
                    learner,
                    review: ReviewRecord {
                        id: format!("generated-{m:05}-{seq:09}"),
                        key: key.clone(),
                        rating: rating.as_u8(),
                        reviewed_at: at,
                        elapsed_days: f64::from(log.elapsed_days),
                        scheduled_days: f64::from(log.scheduled_days),
                        time_spent_ms: 9_000,
                        before: (!state.is_new()).then(|| to_stored(key, &state)),
                        after: to_stored(key, &after),
                    },
                });
                states.insert(q, after);
                at += 20_000;
            }
        }
        for (q, state) in &states {
            let key = &questions[*q];
            dump.cards.push(Owned {
                learner,
                value: to_stored(key, state),
            });
            if state.memory.is_some_and(|m| m.stability >= 21.0) {
                dump.marks.push(Owned {
                    learner,
                    value: Mark {
                        key: key.clone(),
                        at: state.last_review.unwrap_or(start),
                    },
                });
            }
        }
    }
    let date = mastery_study::stats::Date::of_day(today + 60).to_string();
    dump.account_security = vec![
        DumpTable {
            table: "teams".to_owned(),
            rows: vec![vec![
                Cell::Int(Some(1)),
                Cell::Text("Cohort".to_owned()),
                Cell::Text(guide.id.to_string()),
                Cell::Text(String::new()),
                Cell::Text(date.clone()),
                Cell::Int(Some(0)),
                Cell::Int(Some(start)),
            ]],
        },
        DumpTable {
            table: "team_members".to_owned(),
            rows: members_rows,
        },
    ];
    let simulated = started.elapsed();
    let (reviews, cards, marks) = (dump.reviews.len(), dump.cards.len(), dump.marks.len());
    let dump = dump.canonical();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if postgres {
            let store = PostgresStore::connect(&out).await?;
            store.import_all(&dump).await?;
            store.close().await;
        } else {
            let store = SqliteStore::open(&out).await?;
            store.import_all(&dump).await?;
            store.close().await;
        }
        anyhow::Ok(())
    })?;
    if let Some(file) = &sessions_file {
        std::fs::write(file, &cookies)
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    println!(
        "{out}: {members} members, {reviews} reviews, {cards} cards, {marks} marks; team 1 \
         (interview on {date}); simulated in {:.1} s, written in {:.1} s",
        simulated.as_secs_f64(),
        (started.elapsed() - simulated).as_secs_f64()
    );
    Ok(())
}
