//! A guide as an Anki package (`.apkg`): one note type ("Mastery Q&A": Question, Answer,
//! Key points, References, Id), one note per question (insights are not questions), the
//! sections as subdecks of the guide's deck, levels and tags as tags, and note GUIDs, note
//! type and deck ids made from the guide's and questions' ids, so importing a newer export
//! updates the notes instead of adding copies. With a learner's scheduling, each card
//! carries its FSRS memory state and due date, and the review log comes along.
//!
//! The package is the legacy format every current Anki imports: a zip holding
//! `collection.anki21` (an SQLite database of schema 11, written with sqlx) and a `media`
//! JSON map.

use std::collections::BTreeMap;
use std::io::{Cursor, Write as _};

use mastery_content::highlight::{CodeTheme, highlight_css};
use mastery_content::html::escape;
use mastery_content::{Guide, Level};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection as _, SqliteConnection};

use crate::AnkiError;
use crate::html::to_text;
use crate::ids::{field_checksum, note_guid, stable_id};
use crate::schedule::{CardState, DAY_MS, Phase, Scheduling};

/// The note type's name.
pub const NOTE_TYPE: &str = "Mastery Q&A";
/// The note type's fields, in order.
pub const FIELDS: [&str; 5] = ["Question", "Answer", "Key points", "References", "Id"];

/// One note to write.
#[derive(Debug, Clone)]
pub struct NoteOut {
    /// The question's id.
    pub question: String,
    /// The note's GUID.
    pub guid: String,
    /// The fields' HTML, in [`FIELDS`] order.
    pub fields: [String; 5],
    /// Tags (`level::senior`, the question's tags).
    pub tags: Vec<String>,
    /// The full deck name (`Guide::01 Section`).
    pub deck: String,
}

/// What an export holds.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Notes written.
    pub notes: usize,
    /// Decks written (the guide's and one per section).
    pub decks: usize,
    /// Cards with a review state.
    pub scheduled: usize,
    /// Reviews written to the review log.
    pub reviews: usize,
    /// Insights left out.
    pub insights_left_out: usize,
}

/// A deck name's part: one line, without Anki's separator.
fn deck_part(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = line.replace("::", ":");
    if line.is_empty() {
        "Untitled".to_owned()
    } else {
        line
    }
}

/// The notes of a guide, in its order.
pub fn notes(guide: &Guide) -> (Vec<NoteOut>, usize) {
    let root = deck_part(&guide.title);
    let mut notes = Vec::new();
    let mut insights = 0;
    for (n, section) in guide.sections.iter().enumerate() {
        let deck = format!("{root}::{:02} {}", n + 1, deck_part(&section.title));
        insights += section.entries.len() - section.questions().count();
        for entry in section.questions() {
            let key_points = if entry.key_points.is_empty() {
                String::new()
            } else {
                let items: String = entry
                    .key_points
                    .iter()
                    .map(|k| format!("<li>{}</li>", k.html))
                    .collect();
                format!("<ul>{items}</ul>")
            };
            let references = if entry.references.is_empty() {
                String::new()
            } else {
                let items: String = entry
                    .references
                    .iter()
                    .map(|r| {
                        format!(
                            "<li><a href=\"{}\">{}</a></li>",
                            escape(&r.url),
                            escape(&r.title)
                        )
                    })
                    .collect();
                format!("<ul>{items}</ul>")
            };
            let mut tags: Vec<String> = entry
                .level()
                .map(|l: Level| format!("level::{l}"))
                .into_iter()
                .collect();
            tags.extend(entry.tags.iter().map(|t| t.as_str().to_owned()));
            notes.push(NoteOut {
                question: entry.id.as_str().to_owned(),
                guid: note_guid(guide.id.as_str(), entry.id.as_str()),
                fields: [
                    entry.title_html.clone(),
                    entry.answer_html.clone(),
                    key_points,
                    references,
                    entry.id.as_str().to_owned(),
                ],
                tags,
                deck: deck.clone(),
            });
        }
    }
    (notes, insights)
}

/// The note type's stylesheet: readable cards in light and night mode, code highlighted
/// as on Mastery's pages.
pub fn stylesheet() -> String {
    let mut css = String::from(
        ".card { font-family: system-ui, -apple-system, \"Segoe UI\", sans-serif; font-size: 18px; \
         line-height: 1.5; text-align: left; color: #0f172a; background: #ffffff; \
         max-width: 46em; margin: 0 auto; padding: 0 1em; }\n\
         .card.nightMode, .nightMode .card { color: #e2e8f0; background: #1e293b; }\n\
         .mastery-question { font-size: 1.25em; font-weight: 600; }\n\
         pre { background: #0f172a; color: #e2e8f0; padding: 0.75em 1em; border-radius: 6px; \
         overflow-x: auto; font-size: 0.85em; line-height: 1.4; }\n\
         code { font-family: ui-monospace, \"SF Mono\", Menlo, Consolas, monospace; }\n\
         :not(pre) > code { background: rgba(100, 116, 139, 0.15); padding: 0 0.2em; border-radius: 3px; }\n\
         .code-block .code-label, a.anchor { display: none; }\n\
         figure.output-block { margin: 0.5em 0; } figure.output-block figcaption { font-size: 0.8em; opacity: 0.7; }\n\
         table { border-collapse: collapse; } td, th { border: 1px solid #94a3b8; padding: 0.25em 0.5em; }\n\
         h3 { font-size: 1em; margin-top: 1.5em; }\n",
    );
    css.push_str(&highlight_css(CodeTheme::Dark, "pre"));
    css
}

const QUESTION_TEMPLATE: &str = "<div class=\"mastery-question\">{{Question}}</div>";
const ANSWER_TEMPLATE: &str = "{{FrontSide}}\n\n<hr id=answer>\n\n<div class=\"mastery-answer\">{{Answer}}</div>\n\
{{#Key points}}<h3>Key points</h3><div class=\"mastery-key-points\">{{Key points}}</div>{{/Key points}}\n\
{{#References}}<h3>References</h3><div class=\"mastery-references\">{{References}}</div>{{/References}}";

const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// Writes `guide` (with `scheduling`, when given) as an `.apkg`, at `now` (milliseconds).
///
/// # Errors
///
/// The temporary database cannot be written, or the zip cannot be made.
pub async fn package(
    guide: &Guide,
    scheduling: Option<&Scheduling>,
    now: i64,
) -> Result<(Vec<u8>, Summary), AnkiError> {
    let (notes, insights) = notes(guide);
    let guide_id = guide.id.as_str();
    let now_s = now / 1000;
    let model_id = stable_id(&["mastery-notetype", NOTE_TYPE, "v1"]);

    // Decks: the guide's, then one per section.
    let mut decks: BTreeMap<String, i64> = BTreeMap::new();
    decks.insert(
        deck_part(&guide.title),
        stable_id(&["mastery-deck", guide_id]),
    );
    for note in &notes {
        if !decks.contains_key(&note.deck) {
            decks.insert(
                note.deck.clone(),
                stable_id(&["mastery-deck", guide_id, &note.deck]),
            );
        }
    }

    // The collection's day zero: a midnight (UTC) before everything it schedules.
    let earliest = scheduling
        .into_iter()
        .flat_map(|s| {
            s.reviews.iter().map(|r| r.reviewed_at).chain(
                s.cards
                    .values()
                    .flat_map(|c| [Some(c.due), c.last_review].into_iter().flatten()),
            )
        })
        .filter(|t| *t > 0)
        .min()
        .unwrap_or(now)
        .min(now);
    let crt_s = (earliest.div_euclid(DAY_MS) - 1) * 86_400;

    let mut summary = Summary {
        notes: notes.len(),
        decks: decks.len(),
        insights_left_out: insights,
        ..Summary::default()
    };

    let dir = tempfile::tempdir().map_err(AnkiError::Temp)?;
    let path = dir.path().join("collection.anki21");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let mut tx = conn.begin().await?;
    for statement in SCHEMA.split(';').filter(|s| !s.trim().is_empty()) {
        sqlx::query(statement).execute(&mut *tx).await?;
    }

    let first_deck = notes
        .first()
        .and_then(|n| decks.get(&n.deck))
        .copied()
        .unwrap_or(1);
    let css = stylesheet();
    let fields: Vec<Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(ord, name)| {
            json!({"name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial",
                   "size": 20, "media": [], "description": ""})
        })
        .collect();
    let model = json!({
        "id": model_id, "name": NOTE_TYPE, "type": 0, "mod": now_s, "usn": -1, "sortf": 0,
        "did": first_deck,
        "tmpls": [{"name": "Question → Answer", "ord": 0, "qfmt": QUESTION_TEMPLATE,
                   "afmt": ANSWER_TEMPLATE, "bqfmt": "", "bafmt": "", "did": null,
                   "bfont": "", "bsize": 0}],
        "flds": fields, "css": css,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}", "latexsvg": false,
        "req": [[0, "any", [0]]], "tags": [], "vers": []
    });
    let deck_json = |id: i64, name: &str| {
        json!({"id": id, "name": name, "mod": now_s, "usn": -1, "lrnToday": [0, 0],
               "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0], "collapsed": false,
               "browserCollapsed": false, "desc": "", "dyn": 0, "conf": 1, "extendNew": 0,
               "extendRev": 0})
    };
    let mut decks_json = serde_json::Map::new();
    decks_json.insert("1".to_owned(), deck_json(1, "Default"));
    for (name, id) in &decks {
        decks_json.insert(id.to_string(), deck_json(*id, name));
    }
    let dconf = json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": false, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 0],
                "order": 1, "perDay": 20},
        "rev": {"bury": false, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200,
                "hardFactor": 1.2},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0}
    }});
    let conf = json!({
        "nextPos": notes.len() + 1, "estTimes": true, "activeDecks": [1], "sortType": "noteFld",
        "timeLim": 0, "sortBackwards": false, "addToCur": true, "curDeck": 1, "newSpread": 0,
        "dueCounts": true, "curModel": model_id, "collapseTime": 1200, "schedVer": 2
    });
    sqlx::query("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')")
        .bind(crt_s)
        .bind(now)
        .bind(now)
        .bind(conf.to_string())
        .bind(json!({ model_id.to_string(): model }).to_string())
        .bind(Value::Object(decks_json).to_string())
        .bind(dconf.to_string())
        .execute(&mut *tx)
        .await?;

    let mut card_ids: BTreeMap<&str, (i64, Option<&CardState>)> = BTreeMap::new();
    for (position, note) in notes.iter().enumerate() {
        let note_id = stable_id(&["mastery-note", guide_id, &note.question]);
        let card_id = stable_id(&["mastery-card", guide_id, &note.question]);
        let deck = decks.get(&note.deck).copied().unwrap_or(1);
        let sort = to_text(&note.fields[0]);
        let tags = if note.tags.is_empty() {
            String::new()
        } else {
            format!(" {} ", note.tags.join(" "))
        };
        sqlx::query("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')")
            .bind(note_id)
            .bind(note.guid.clone())
            .bind(model_id)
            .bind(now_s)
            .bind(tags)
            .bind(note.fields.join("\x1f"))
            .bind(sort.clone())
            .bind(field_checksum(&sort))
            .execute(&mut *tx)
            .await?;
        let state = scheduling.and_then(|s| s.cards.get(&note.question));
        let card = card_row(state, position, crt_s, now);
        if card.kind != 0 {
            summary.scheduled += 1;
        }
        sqlx::query(
            "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?)",
        )
        .bind(card_id)
        .bind(note_id)
        .bind(deck)
        .bind(now_s)
        .bind(card.kind)
        .bind(card.queue)
        .bind(card.due)
        .bind(card.ivl)
        .bind(card.factor)
        .bind(card.reps)
        .bind(card.lapses)
        .bind(card.left)
        .bind(card.data)
        .execute(&mut *tx)
        .await?;
        card_ids.insert(&note.question, (card_id, state));
    }

    if let Some(scheduling) = scheduling {
        let mut last_id = 0_i64;
        for review in &scheduling.reviews {
            let Some((card_id, _)) = card_ids.get(review.question.as_str()) else {
                continue;
            };
            let id = review.reviewed_at.max(last_id + 1);
            last_id = id;
            let kind = match review.before.as_ref().map(|b| b.phase) {
                None | Some(Phase::New | Phase::Learning) => 0,
                Some(Phase::Review) => 1,
                Some(Phase::Relearning) => 2,
            };
            let ivl = interval(&review.after, review.reviewed_at);
            let last_ivl = review
                .before
                .as_ref()
                .and_then(|b| b.last_review.map(|l| interval(b, l)))
                .unwrap_or(0);
            let factor = review
                .after
                .difficulty
                .map_or(0, |d| (d * 100.0).round() as i64);
            sqlx::query("INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)")
                .bind(id)
                .bind(card_id)
                .bind(i64::from(review.rating.clamp(1, 4)))
                .bind(ivl)
                .bind(last_ivl)
                .bind(factor)
                .bind(review.time_spent_ms.clamp(0, 60_000))
                .bind(kind)
                .execute(&mut *tx)
                .await?;
            summary.reviews += 1;
        }
    }
    tx.commit().await?;
    conn.close().await?;

    let collection = std::fs::read(&path).map_err(AnkiError::Temp)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("collection.anki21", deflated)?;
    zip.write_all(&collection).map_err(AnkiError::Temp)?;
    zip.start_file("media", deflated)?;
    zip.write_all(b"{}").map_err(AnkiError::Temp)?;
    let bytes = zip.finish()?.into_inner();
    Ok((bytes, summary))
}

/// A card's interval as Anki's review log keeps it: days when in review, negative
/// seconds while learning.
fn interval(state: &CardState, from: i64) -> i64 {
    let until = (state.due - from).max(0);
    match state.phase {
        Phase::Review => (until as f64 / DAY_MS as f64).round().max(1.0) as i64,
        Phase::New => 0,
        Phase::Learning | Phase::Relearning => -(until / 1000).max(1),
    }
}

struct CardRow {
    kind: i64,
    queue: i64,
    due: i64,
    ivl: i64,
    factor: i64,
    reps: i64,
    lapses: i64,
    left: i64,
    data: String,
}

/// A card's row: new cards in the guide's order; the others with their due date in
/// Anki's terms (days since the collection's day zero in review, a time while learning).
fn card_row(state: Option<&CardState>, position: usize, crt_s: i64, now: i64) -> CardRow {
    let new = CardRow {
        kind: 0,
        queue: 0,
        due: i64::try_from(position).unwrap_or(0) + 1,
        ivl: 0,
        factor: 0,
        reps: 0,
        lapses: 0,
        left: 0,
        data: String::new(),
    };
    let Some(state) = state.filter(|s| s.phase != Phase::New) else {
        return new;
    };
    let data = match (state.stability, state.difficulty) {
        (Some(s), Some(d)) if s.is_finite() && d.is_finite() => {
            let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
            json!({"s": round(s), "d": round(d)}).to_string()
        }
        _ => String::new(),
    };
    let (kind, queue, due, ivl) = match state.phase {
        Phase::Review => {
            let last = state.last_review.unwrap_or(now);
            (
                2,
                2,
                (state.due / 1000 - crt_s).div_euclid(86_400),
                interval(state, last),
            )
        }
        Phase::Learning => (1, 1, state.due / 1000, 0),
        Phase::Relearning => {
            let last = state.last_review.unwrap_or(now);
            (3, 1, state.due / 1000, (interval(state, last)).max(1))
        }
        Phase::New => return new,
    };
    CardRow {
        kind,
        queue,
        due,
        ivl,
        factor: 2500,
        reps: i64::from(state.reps),
        lapses: i64::from(state.lapses),
        left: if queue == 1 { 1001 } else { 0 },
        data,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::block_on;
    use crate::schedule::Review;
    use mastery_content::{GuideFiles, load_guide};

    fn guide() -> Guide {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
        load_guide(&GuideFiles::from_dir(&dir).unwrap())
            .guide
            .unwrap()
    }

    #[test]
    fn a_package_reads_back_as_the_same_questions() {
        let guide = guide();
        let now = 1_790_000_000_000;
        let card = CardState {
            phase: Phase::Review,
            step: 0,
            stability: Some(12.5),
            difficulty: Some(5.25),
            due: now + 5 * DAY_MS,
            last_review: Some(now - 2 * DAY_MS),
            reps: 2,
            lapses: 0,
        };
        let first = Review {
            id: "r-0000001".to_owned(),
            question: "gil".to_owned(),
            rating: 3,
            reviewed_at: now - 9 * DAY_MS,
            time_spent_ms: 5_000,
            before: None,
            after: CardState {
                due: now - 2 * DAY_MS,
                last_review: Some(now - 9 * DAY_MS),
                reps: 1,
                ..card.clone()
            },
        };
        let second = Review {
            id: "r-0000002".to_owned(),
            reviewed_at: now - 2 * DAY_MS,
            before: Some(first.after.clone()),
            after: card.clone(),
            ..first.clone()
        };
        let scheduling = Scheduling {
            cards: [("gil".to_owned(), card.clone())].into_iter().collect(),
            reviews: vec![first, second],
        };
        let (bytes, summary) = block_on(package(&guide, Some(&scheduling), now)).unwrap();
        assert_eq!(summary.notes, guide.questions().count());
        assert_eq!((summary.scheduled, summary.reviews), (1, 2));
        if let Ok(path) = std::env::var("MASTERY_ANKI_SAMPLE") {
            std::fs::write(path, &bytes).unwrap();
        }
        let read = block_on(crate::read::read(&bytes)).unwrap();
        assert_eq!(read.format, "legacy (collection.anki21)");
        assert_eq!(read.notes.len(), guide.questions().count());
        assert_eq!(read.reviews, 2);
        let gil = read
            .notes
            .iter()
            .find(|n| n.fields.get(4).map(String::as_str) == Some("gil"))
            .unwrap();
        assert_eq!(
            gil.guid.as_deref(),
            Some(note_guid("python-django", "gil").as_str())
        );
        let state = gil.card.as_ref().unwrap();
        assert_eq!(state.phase, Phase::Review);
        assert_eq!(state.stability, Some(12.5));
        assert_eq!(state.difficulty, Some(5.25));
        assert!(
            (state.due - card.due).abs() < DAY_MS,
            "{} vs {}",
            state.due,
            card.due
        );
        assert_eq!(gil.reviews.len(), 2);

        let imported = crate::guide::to_guide(
            &read.notes,
            &crate::guide::Options {
                id: None,
                title: None,
                level: Level::Confirmed,
                name: "python-django.apkg".to_owned(),
            },
        );
        assert_eq!(imported.title, guide.title);
        assert_eq!(imported.questions.len(), guide.questions().count());
        let files = GuideFiles {
            root: "back".to_owned(),
            files: imported
                .files
                .iter()
                .map(|(p, t)| mastery_content::SourceFile {
                    path: p.clone(),
                    bytes: t.as_bytes().to_vec(),
                })
                .collect(),
        };
        let report = load_guide(&files);
        assert_eq!(report.error_count(), 0, "{:#?}", report.diagnostics);
        let back = report.guide.unwrap();
        let section_titles: Vec<&str> = back.sections.iter().map(|s| s.title.as_str()).collect();
        let original: Vec<&str> = guide.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(section_titles, original);
        assert!(back.question("gil").is_some());
    }

    #[test]
    fn exports_are_the_same_twice() {
        let guide = guide();
        let (a, _) = notes(&guide);
        let (b, _) = notes(&guide);
        assert_eq!(
            a.iter().map(|n| &n.guid).collect::<Vec<_>>(),
            b.iter().map(|n| &n.guid).collect::<Vec<_>>()
        );
    }
}
