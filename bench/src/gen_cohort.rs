//! `gen-cohort [--community] OUT [MEMBERS] [DAYS]`: a new database of MEMBERS accounts,
//! each with DAYS days (default 365) of study simulated with Mastery's own FSRS scheduler:
//! a member studies on a day with their own diligence, answers the cards due (recalling
//! with the probability FSRS predicts) and learns a few new questions; a card that reaches
//! 21 days of stability is ticked as mastered. OUT is a path (a new SQLite database) or
//! `postgres://…` (an empty PostgreSQL database with Mastery's schema, as `mastery db
//! migrate` leaves it). The study is written in one transaction through the storage
//! layer's bulk import (the same path as `mastery db copy`), deterministic for a given
//! size. Members cannot sign in with a password (their hash is a placeholder): add a coach
//! or admin with `mastery user add`.
//!
//! - Without `--community` (default 500 members): one team (number 1, "Cohort", the
//!   built-in Python & Django guide, an interview date 60 days ahead) that every member
//!   shares; diligent members (about 1,550 reviews each a year).
//! - With `--community` (default 10,000 members): an open community (with one team of its
//!   first 100 members, coached by `member00001`); most members
//!   study now and then and some stop after a while (about 500 reviews each a year: 5
//!   million for 10,000), a note on some questions they learn, and after the import, through
//!   the application layer as the web app does it: mock interviews (about one member in
//!   ten, finished today, which feeds their reviews) and discussion threads with replies
//!   on the guide's questions (Markdown rendered and sanitised by the app).
//!
//! With `BIG=N` set, the first member (`member00000`) studies every day and goes over
//! learned questions before they are due too, to about N reviews in the DAYS (the "big
//! learner" whose `/stats` and readiness pages are measured).
//!
//! With `SESSIONS=FILE` set, every member also gets a session that began now, and FILE
//! lists `USERNAME COOKIE` per line: a load test sends `Cookie: mastery_session=COOKIE`
//! as a thousand signed-in learners without a thousand password checks (each asks
//! `GET /api/v1/session` for its CSRF token). Sessions end after 3 idle days.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use mastery_app::cards::to_stored;
use mastery_app::interview::NewInterview;
use mastery_content::{GuideFiles, load_guide};
use mastery_storage::DumpSiteSetting;
use mastery_storage::StoredSession;
use mastery_storage::dump::{Cell, DumpTable};
use mastery_storage::{
    ACCOUNT_KIND, Account, Dump, DumpLearner, DumpReview, LearnerId, Mark, Note, Owned,
    QuestionKey, ReviewRecord, Role, Storage,
};
use mastery_storage_postgres::PostgresStore;
use mastery_storage_sqlite::SqliteStore;
use mastery_study::interview::Request;
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

/// What a note of a generated member says (the question's id is added).
const NOTES: &[&str] = &[
    "Say the trade-off first, then the example.",
    "Asked in my last screen: remember the follow-up about locking.",
    "Draw it: request -> middleware -> view -> template.",
    "I always mix this up with the one before; the difference is *when* it runs.",
    "Practise aloud, two minutes max.",
];

/// Opening posts and replies of generated threads (Markdown, as members write them).
const POSTS: &[&str] = &[
    "Is it fair to answer this with an example from production? I used `select_related` \
     to cut a page from 120 queries to 3.",
    "The official docs put it well:\n\n```python\nfrom functools import lru_cache\n\n\
     @lru_cache(maxsize=128)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n```\n\n\
     The cache is per function, not per instance.",
    "I was asked this last week. The interviewer wanted the **why**, not the definition.",
    "One more angle: what happens under load, with two workers writing the same row?",
    "- say what it is\n- say when you would not use it\n- give the number that matters",
    "Thanks, the second point is what I missed.",
    "Careful: that changed in Django 4.1, see the release notes.",
];

struct Options {
    community: bool,
    out: String,
    members: i64,
    days: i64,
}

fn options() -> anyhow::Result<Options> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let community = args.first().is_some_and(|a| a == "--community");
    if community {
        args.remove(0);
    }
    let mut args = args.into_iter();
    let Some(out) = args.next() else {
        bail!("usage: gen-cohort [--community] OUT.db|postgres://… [MEMBERS] [DAYS]");
    };
    let members: i64 = args
        .next()
        .map_or(Ok(if community { 10_000 } else { 500 }), |a| a.parse())
        .context("MEMBERS")?;
    let days: i64 = args.next().map_or(Ok(365), |a| a.parse()).context("DAYS")?;
    Ok(Options {
        community,
        out,
        members,
        days,
    })
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:<24} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

fn main() -> anyhow::Result<()> {
    let Options {
        community,
        out,
        members,
        days,
    } = options()?;
    let postgres = out.starts_with("postgres://") || out.starts_with("postgresql://");
    if !postgres && Path::new(&out).exists() {
        bail!("{out} exists: give the path of a new database");
    }
    let sessions_file = std::env::var_os("SESSIONS");
    let big: Option<usize> = std::env::var("BIG")
        .ok()
        .map(|n| n.parse().context("BIG: a number of reviews"))
        .transpose()?;
    let mut cookies = String::new();
    let report = load_guide(&GuideFiles::from_dir(Path::new("guides/python-django"))?);
    let Some(guide) = report.guide else {
        bail!("guides/python-django does not load (run from the repository's root)");
    };
    let guide = Arc::new(guide);
    let questions: Vec<QuestionKey> = guide
        .questions()
        .map(|e| QuestionKey::new(guide.id.as_str(), e.id.as_str()))
        .collect();
    let scheduler = Scheduler::new(Settings::default(), 0)?;
    let now = mastery_storage::now();
    let today = now.div_euclid(DAY_MS);
    let start = (today - days) * DAY_MS;
    let started = Instant::now();
    let mut rng = Rng(0x5EED ^ (members as u64) << 20 ^ days as u64 ^ u64::from(community));
    let mut dump = Dump::default();
    let mut seq = 0_i64;
    let mut members_rows = Vec::new();
    let simulating = bar(u64::try_from(members).unwrap_or(0), "simulating the study");
    for m in 0..members {
        simulating.inc(1);
        let learner = LearnerId(m + 1);
        let name = format!("member{m:05}");
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
        // A community holds a cohort too: its first 100 members, coached by the second.
        if !community || m < 100 {
            let role = if community && m == 1 {
                "coach"
            } else {
                "member"
            };
            members_rows.push(vec![
                Cell::Int(Some(1)),
                Cell::Int(Some(learner.0)),
                Cell::Text(role.to_owned()),
                Cell::Int(Some(1)),
                Cell::Int(Some(start)),
                Cell::Int(Some(start)),
            ]);
        }
        // A cohort studies for a date; a community studies now and then, and half of it
        // stops some time in the year.
        let big = big.filter(|_| m == 0);
        let (diligence, new_per_day, last_day) = if big.is_some() {
            (1.0, 3, days)
        } else if community {
            let d = rng.unit();
            let stops = rng.unit() < 0.5;
            (
                0.04 + 0.4 * d * d,
                1 + (rng.next() % 3) as usize,
                if stops {
                    (days as f64 * (0.1 + 0.9 * rng.unit())) as i64
                } else {
                    days
                },
            )
        } else {
            (0.25 + 0.7 * rng.unit(), 1 + (rng.next() % 4) as usize, days)
        };
        let mut states: HashMap<usize, CardState> = HashMap::new();
        let mut next_new = 0;
        let mut reviewed = 0_usize;
        for day in 0..last_day {
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
                    if community && rng.unit() < 0.04 {
                        let key = &questions[next_new];
                        let note = NOTES[(rng.next() % NOTES.len() as u64) as usize];
                        dump.notes.push(Owned {
                            learner,
                            value: Note {
                                key: key.clone(),
                                body: format!("{note} ({})", key.question),
                                updated_at: at,
                            },
                        });
                    }
                    next_new += 1;
                }
            }
            // The big learner also goes over questions learned before they are due.
            // (A tenth more a day than N / DAYS, as the first days have few questions
            // learned, and no more once N is reached.)
            if let Some(n) = big {
                let per_day = (n + n / 10).div_ceil(days.max(1) as usize);
                let per_day = per_day.min(n.saturating_sub(reviewed));
                let learned = next_new.min(questions.len());
                let mut tries = 0;
                while due.len() < per_day && learned > 0 && tries < 4 * per_day {
                    tries += 1;
                    let q = (rng.next() % learned as u64) as usize;
                    if !due.contains(&q) {
                        due.push(q);
                    }
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
                reviewed += 1;
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
    simulating.finish();
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
    if community {
        // The generated threads are seen at once, as if moderators had approved each
        // member's first posts long ago.
        dump.site_settings.push(DumpSiteSetting {
            name: "community.approve_first".to_owned(),
            value: "0".to_owned(),
        });
    }
    let simulated = started.elapsed();
    let (reviews, cards, marks, notes) = (
        dump.reviews.len(),
        dump.cards.len(),
        dump.marks.len(),
        dump.notes.len(),
    );
    let accounts = dump.accounts.clone();
    let dump = dump.canonical();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (written, social) = runtime.block_on(async {
        let counts = format!("{reviews} reviews, {cards} cards, {marks} marks, {notes} notes");
        let mut rng = rng;
        let write = Write {
            dump: &dump,
            counts: &counts,
            community,
            guide: &guide,
            accounts: &accounts,
            now,
        };
        if postgres {
            let store = PostgresStore::connect(&out).await?;
            let done = write.to(&store, &mut rng).await;
            store.close().await;
            done
        } else {
            let store = SqliteStore::open(&out).await?;
            let done = write.to(&store, &mut rng).await;
            store.close().await;
            done
        }
    })?;
    if let Some(file) = &sessions_file {
        std::fs::write(file, &cookies)
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    let what = if community {
        format!(
            "team 1 (interview on {date}) of the first {} members, coached by member00001",
            members.min(100)
        )
    } else {
        format!("team 1 (interview on {date})")
    };
    println!(
        "{out}: {members} members, {reviews} reviews, {cards} cards, {marks} marks, {notes} \
         notes; {what}; simulated in {:.1} s, written in {:.1} s",
        simulated.as_secs_f64(),
        written.as_secs_f64()
    );
    if let Some(s) = social {
        println!(
            "then through the application: {} interviews, {} threads, {} replies ({} refused \
             by the posting limits) in {:.1} s",
            s.interviews,
            s.threads,
            s.replies,
            s.refused,
            s.took.as_secs_f64()
        );
    }
    Ok(())
}

/// What goes into the new database.
struct Write<'a> {
    dump: &'a Dump,
    counts: &'a str,
    community: bool,
    guide: &'a Arc<mastery_content::Guide>,
    accounts: &'a [Account],
    now: i64,
}

impl Write<'_> {
    /// Imports the dump, then (a community) writes the interviews and threads; returns
    /// the import's time.
    async fn to(
        &self,
        store: &dyn Storage,
        rng: &mut Rng,
    ) -> anyhow::Result<(std::time::Duration, Option<Social>)> {
        let writing = ProgressBar::new_spinner();
        writing.set_message(format!("writing {}", self.counts));
        writing.enable_steady_tick(std::time::Duration::from_millis(200));
        let began = Instant::now();
        store.import_all(self.dump).await?;
        let written = began.elapsed();
        writing.finish();
        let social = if self.community {
            Some(social(store, self.guide, self.accounts, rng, self.now).await?)
        } else {
            None
        };
        Ok((written, social))
    }
}

/// What [`social`] wrote.
struct Social {
    interviews: usize,
    threads: usize,
    replies: usize,
    refused: usize,
    took: std::time::Duration,
}

/// Mock interviews and discussion threads, written through the application layer as the
/// web app writes them (checked, rendered, sanitised, limited).
async fn social(
    store: &dyn Storage,
    guide: &Arc<mastery_content::Guide>,
    accounts: &[Account],
    rng: &mut Rng,
    now: i64,
) -> anyhow::Result<Social> {
    let began = Instant::now();
    let guides = [Arc::clone(guide)];
    let presets = [
        "recruiter-screen",
        "senior-python-internals",
        "django-architecture-scaling",
    ];
    let interviewing: Vec<&Account> = accounts.iter().filter(|_| rng.unit() < 0.1).collect();
    let progress = bar(interviewing.len() as u64, "mock interviews");
    let mut interviews = 0;
    for (i, account) in interviewing.iter().enumerate() {
        progress.inc(1);
        // Today, one after another: finishing feeds the member's reviews, which must come
        // after the simulated year's.
        let at = now - 3 * HOUR_MS + (i as i64 % 120) * 60_000;
        let request = Request::Preset {
            id: presets[i % presets.len()].to_owned(),
        };
        let id = format!("gen-{:05}-{i}", account.learner.0);
        let new = NewInterview {
            guide: guide.id.as_str(),
            request: &request,
            id: &id,
            seed: rng.next(),
        };
        mastery_app::interview::start(store, account.learner, &guides, &new, at).await?;
        mastery_app::interview::finish(store, account.learner, &guides, &id, at + 40 * 60_000)
            .await?;
        interviews += 1;
    }
    progress.finish();
    // A thread on one question in three, written over the last month.
    let questions: Vec<&mastery_content::Entry> = guide.questions().collect();
    let discussed: Vec<&&mastery_content::Entry> =
        questions.iter().filter(|_| rng.unit() < 0.34).collect();
    let progress = bar(discussed.len() as u64, "discussion threads");
    let (mut threads, mut replies, mut refused) = (0, 0, 0);
    let pick = |rng: &mut Rng| &accounts[(rng.next() % accounts.len() as u64) as usize];
    for question in discussed {
        progress.inc(1);
        let mut at = now - 30 * DAY_MS + (rng.next() % (29 * DAY_MS as u64)) as i64;
        let body = POSTS[(rng.next() % POSTS.len() as u64) as usize];
        let opened = mastery_app::community::discussion::start_thread(
            store,
            &guides,
            pick(rng),
            guide.id.as_str(),
            question.id.as_str(),
            &format!(
                "How would you answer: {}?",
                question
                    .title
                    .trim_end_matches('?')
                    .chars()
                    .take(120)
                    .collect::<String>()
            ),
            body,
            at,
        )
        .await;
        let thread = match opened {
            Ok(posted) => posted.thread,
            Err(mastery_app::AppError::TooMany { .. }) => {
                refused += 1;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        threads += 1;
        for _ in 0..rng.next() % 13 {
            at += (rng.next() % (6 * HOUR_MS as u64)) as i64;
            let body = POSTS[(rng.next() % POSTS.len() as u64) as usize];
            match mastery_app::community::discussion::reply(store, pick(rng), thread, body, at)
                .await
            {
                Ok(_) => replies += 1,
                Err(mastery_app::AppError::TooMany { .. }) => refused += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }
    progress.finish();
    Ok(Social {
        interviews,
        threads,
        replies,
        refused,
        took: began.elapsed(),
    })
}
