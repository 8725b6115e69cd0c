//! Reading Anki packages (`.apkg`, `.colpkg`) of every format current Anki writes:
//!
//! - legacy: `collection.anki2` or `collection.anki21` (SQLite, schema 11: note types and
//!   decks as JSON in the `col` row) and `media`, a JSON map from zip entry to file name;
//! - current: `collection.anki21b` (SQLite compressed with zstd, schema 18: note types,
//!   fields, templates and decks in their own tables), `meta` (a protocol-buffer message
//!   with the package version) and `media` (zstd-compressed protocol buffer listing the
//!   files, each one zstd-compressed in the zip).
//!
//! The collection is opened read-only with sqlx from a temporary file. Each note's first
//! card gives its deck and (with its review log) its scheduling.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read as _};

use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, Row as _, SqliteConnection};

use crate::AnkiError;
use crate::guide::AnkiNote;
use crate::proto;
use crate::schedule::{CardState, DAY_MS, Phase, Review};

/// The largest collection or media file read (decompressed).
const MAX_FILE: u64 = 2 << 30;

/// What a package holds.
#[derive(Debug, Clone, Default)]
pub struct Package {
    /// Which format it is in (`legacy (collection.anki2)`, `current (collection.anki21b)`).
    pub format: String,
    /// Its notes, by deck then creation.
    pub notes: Vec<AnkiNote>,
    /// Card templates of its note types (not carried over), by note type.
    pub templates: BTreeMap<String, usize>,
    /// Reviews in its log of each note's first card.
    pub reviews: usize,
    /// Reviews of further cards (reverse cards, further clozes), not carried over.
    pub other_reviews: usize,
}

fn bad(message: impl Into<String>) -> AnkiError {
    AnkiError::Package(message.into())
}

/// The package's version (1 and 2 legacy, 3 current), its collection's entry and whether
/// that is compressed.
fn layout(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<(u64, &'static str, bool), AnkiError> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);

    let version = if has("meta") {
        let meta = entry(zip, "meta")?;
        proto::varint_field(&meta, 1)
            .ok_or_else(|| bad("the package's `meta` file is damaged; export it again"))?
    } else if has("collection.anki21") {
        2
    } else {
        1
    };
    let (collection_name, compressed) = match version {
        1 if has("collection.anki2") => ("collection.anki2", false),
        2 if has("collection.anki21") => ("collection.anki21", false),
        1 | 2 if has("collection.anki21b") => ("collection.anki21b", true),
        3 if has("collection.anki21b") => ("collection.anki21b", true),
        0..=3 => {
            return Err(bad(
                "the package holds no collection (collection.anki2, .anki21 or .anki21b); is it an Anki package?",
            ));
        }
        v => {
            return Err(bad(format!(
                "the package is of version {v}, newer than this Mastery reads (1 to 3); in Anki, \
                 export it again with \"Support older Anki versions\" ticked"
            )));
        }
    };
    Ok((version, collection_name, compressed))
}

/// Reads a package's notes, note types and scheduling (not its media: see [`media`]).
///
/// # Errors
///
/// Bytes that are not a zip, a zip without a collection, a package version this reader
/// does not know, or a collection it cannot read.
pub async fn read(bytes: &[u8]) -> Result<Package, AnkiError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let (_, collection_name, compressed) = layout(&mut zip)?;
    let mut collection = entry(&mut zip, collection_name)?;
    if compressed {
        collection = unzstd(&collection, collection_name)?;
    }
    drop(zip);
    let dir = tempfile::tempdir().map_err(AnkiError::Temp)?;
    let path = dir.path().join("collection.sqlite");
    std::fs::write(&path, &collection).map_err(AnkiError::Temp)?;
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .immutable(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let result = read_collection(&mut conn).await;
    conn.close().await?;
    let mut package = result?;
    package.format = if compressed {
        format!("current ({collection_name})")
    } else {
        format!("legacy ({collection_name})")
    };
    Ok(package)
}

/// The package's media files that `wanted` picks, by name.
///
/// # Errors
///
/// A damaged zip or media list.
pub fn media(
    bytes: &[u8],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<BTreeMap<String, Vec<u8>>, AnkiError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let (version, _, compressed) = layout(&mut zip)?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    // Media: which zip entry holds which file.
    let mut media_names: Vec<(String, String)> = Vec::new();
    if has("media") {
        let raw = entry(&mut zip, "media")?;
        if version >= 3 || (compressed && raw.first() != Some(&b'{')) {
            let list = unzstd(&raw, "media")?;
            let entries = proto::fields(&list).ok_or_else(|| bad("the media list is damaged"))?;
            for (index, (number, value)) in entries.iter().enumerate() {
                let (1, proto::Value::Bytes(message)) = (number, value) else {
                    continue;
                };
                let fields =
                    proto::fields(message).ok_or_else(|| bad("the media list is damaged"))?;
                let mut name = String::new();
                let mut zip_name = index.to_string();
                for (n, v) in fields {
                    match (n, v) {
                        (1, proto::Value::Bytes(b)) => name = String::from_utf8_lossy(b).into(),
                        (255, proto::Value::Varint(x)) => zip_name = x.to_string(),
                        _ => {}
                    }
                }
                media_names.push((zip_name, name));
            }
        } else if !raw.is_empty() {
            let map: HashMap<String, String> = serde_json::from_slice(&raw)
                .map_err(|e| bad(format!("the media list is not valid JSON ({e})")))?;
            media_names.extend(map);
        }
    }
    let mut media = BTreeMap::new();
    for (zip_name, name) in media_names {
        if name.is_empty() || !wanted(&name) || !has(&zip_name) {
            continue;
        }
        let mut data = entry(&mut zip, &zip_name)?;
        if compressed && data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            data = unzstd(&data, &name)?;
        }
        media.insert(name, data);
    }

    Ok(media)
}

fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, AnkiError> {
    let file = zip.by_name(name)?;
    if file.size() > MAX_FILE {
        return Err(bad(format!("{name} in the package is larger than 2 GiB")));
    }
    let mut out = Vec::new();
    file.take(MAX_FILE)
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("cannot unpack {name} from the package: {e}")))?;
    Ok(out)
}

fn unzstd(data: &[u8], name: &str) -> Result<Vec<u8>, AnkiError> {
    let decoder = zstd::stream::read::Decoder::new(data)
        .map_err(|e| bad(format!("{name} is not zstd-compressed as expected: {e}")))?;
    let mut out = Vec::new();
    decoder
        .take(MAX_FILE)
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("cannot decompress {name}: {e}")))?;
    Ok(out)
}

struct NoteType {
    name: String,
    cloze: bool,
    fields: Vec<String>,
    templates: usize,
}

async fn read_collection(conn: &mut SqliteConnection) -> Result<Package, AnkiError> {
    let col = sqlx::query("SELECT crt, ver, models, decks FROM col LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| bad("the collection has no `col` row; is it an Anki collection?"))?;
    let crt: i64 = col.try_get(0)?;
    let ver: i64 = col.try_get(1)?;
    let mut note_types: HashMap<i64, NoteType> = HashMap::new();
    let mut decks: HashMap<i64, String> = HashMap::new();
    if ver < 15 {
        let models: String = col.try_get(2)?;
        let models: Value = serde_json::from_str(&models)
            .map_err(|e| bad(format!("the note types are not valid JSON ({e})")))?;
        for (id, model) in models.as_object().into_iter().flatten() {
            let Ok(id) = id.parse::<i64>() else { continue };
            let mut fields: Vec<(i64, String)> = model["flds"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    (
                        f["ord"].as_i64().unwrap_or(0),
                        f["name"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            fields.sort();
            note_types.insert(
                id,
                NoteType {
                    name: model["name"].as_str().unwrap_or("").to_owned(),
                    cloze: model["type"].as_i64() == Some(1),
                    fields: fields.into_iter().map(|(_, n)| n).collect(),
                    templates: model["tmpls"].as_array().map_or(0, Vec::len),
                },
            );
        }
        let deck_json: String = col.try_get(3)?;
        let deck_json: Value = serde_json::from_str(&deck_json)
            .map_err(|e| bad(format!("the decks are not valid JSON ({e})")))?;
        for (id, deck) in deck_json.as_object().into_iter().flatten() {
            if let (Ok(id), Some(name)) = (id.parse::<i64>(), deck["name"].as_str()) {
                decks.insert(id, name.to_owned());
            }
        }
    } else {
        for row in sqlx::query("SELECT id, name, config FROM notetypes")
            .fetch_all(&mut *conn)
            .await?
        {
            let config: Vec<u8> = row.try_get(2)?;
            note_types.insert(
                row.try_get(0)?,
                NoteType {
                    name: row.try_get(1)?,
                    cloze: proto::varint_field(&config, 1) == Some(1),
                    fields: Vec::new(),
                    templates: 0,
                },
            );
        }
        for row in sqlx::query("SELECT ntid, name FROM fields ORDER BY ntid, ord")
            .fetch_all(&mut *conn)
            .await?
        {
            if let Some(nt) = note_types.get_mut(&row.try_get::<i64, _>(0)?) {
                nt.fields.push(row.try_get(1)?);
            }
        }
        for row in sqlx::query("SELECT ntid, count(*) FROM templates GROUP BY ntid")
            .fetch_all(&mut *conn)
            .await?
        {
            if let Some(nt) = note_types.get_mut(&row.try_get::<i64, _>(0)?) {
                nt.templates = usize::try_from(row.try_get::<i64, _>(1)?).unwrap_or(0);
            }
        }
        for row in sqlx::query("SELECT id, name FROM decks")
            .fetch_all(&mut *conn)
            .await?
        {
            let name: String = row.try_get(1)?;
            decks.insert(row.try_get(0)?, name.replace('\u{1f}', "::"));
        }
    }

    // Cards: each note's first one, and how many more it has.
    struct Card {
        id: i64,
        deck: i64,
        state: CardState,
        extra: usize,
    }
    let mut cards: HashMap<i64, Card> = HashMap::new();
    let mut card_note: HashMap<i64, i64> = HashMap::new();
    for row in sqlx::query(
        "SELECT id, nid, did, odid, type, queue, due, odue, ivl, reps, lapses, data \
         FROM cards ORDER BY nid, ord",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let nid: i64 = row.try_get(1)?;
        if let Some(card) = cards.get_mut(&nid) {
            card.extra += 1;
            continue;
        }
        let id: i64 = row.try_get(0)?;
        let (did, odid): (i64, i64) = (row.try_get(2)?, row.try_get(3)?);
        let (kind, due, odue): (i64, i64, i64) =
            (row.try_get(4)?, row.try_get(6)?, row.try_get(7)?);
        let due = if odid != 0 && odue != 0 { odue } else { due };
        let data: String = row.try_get(11).unwrap_or_default();
        let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
        let phase = match kind {
            1 => Phase::Learning,
            2 => Phase::Review,
            3 => Phase::Relearning,
            _ => Phase::New,
        };
        let due_ms = match phase {
            Phase::New => 0,
            Phase::Review => crt
                .saturating_add(due.saturating_mul(86_400))
                .saturating_mul(1000),
            // A learning card is due at a time, or (across days) on a day.
            Phase::Learning | Phase::Relearning => {
                if due > 1_000_000_000 {
                    due.saturating_mul(1000)
                } else {
                    crt.saturating_add(due.saturating_mul(86_400))
                        .saturating_mul(1000)
                }
            }
        };
        let state = CardState {
            phase,
            step: 0,
            stability: data["s"].as_f64().filter(|s| s.is_finite() && *s > 0.0),
            difficulty: data["d"].as_f64().filter(|d| d.is_finite()),
            due: due_ms,
            last_review: data["lrt"].as_i64().map(|s| s.saturating_mul(1000)),
            reps: u32::try_from(row.try_get::<i64, _>(9)?).unwrap_or(0),
            lapses: u32::try_from(row.try_get::<i64, _>(10)?).unwrap_or(0),
        };
        card_note.insert(id, nid);
        cards.insert(
            nid,
            Card {
                id,
                deck: if odid != 0 { odid } else { did },
                state,
                extra: 0,
            },
        );
    }

    // The review log of each note's first card.
    let mut reviews: HashMap<i64, Vec<Review>> = HashMap::new();
    let mut review_count = 0;
    let mut other_reviews = 0;
    for row in sqlx::query("SELECT id, cid, ease, ivl, time, type FROM revlog ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
    {
        let cid: i64 = row.try_get(1)?;
        let ease: i64 = row.try_get(2)?;
        let kind: i64 = row.try_get(5)?;
        // Manual reschedules and cramming are not reviews.
        if !(1..=4).contains(&ease) || kind > 2 {
            continue;
        }
        let Some(nid) = card_note.get(&cid) else {
            other_reviews += 1;
            continue;
        };
        review_count += 1;
        let id: i64 = row.try_get(0)?;
        let ivl: i64 = row.try_get(3)?;
        let list = reviews.entry(*nid).or_default();
        let before = list.last().map(|r: &Review| r.after.clone());
        let mut after = before.clone().unwrap_or(CardState::NEW);
        after.reps += 1;
        if kind == 1 && ease == 1 {
            after.lapses += 1;
        }
        after.last_review = Some(id);
        if ivl > 0 {
            after.phase = Phase::Review;
            after.due = id.saturating_add(ivl.saturating_mul(DAY_MS));
        } else {
            after.phase = if kind == 2 || (kind == 1 && ease == 1) {
                Phase::Relearning
            } else {
                Phase::Learning
            };
            after.due = id.saturating_add(ivl.saturating_neg().saturating_mul(1000));
        }
        after.stability = None;
        after.difficulty = None;
        list.push(Review {
            id: format!("anki-{id}"),
            question: String::new(),
            rating: u8::try_from(ease).unwrap_or(3),
            reviewed_at: id,
            time_spent_ms: row.try_get::<i64, _>(4)?.max(0),
            before,
            after,
        });
    }

    let mut notes = Vec::new();
    let mut templates: BTreeMap<String, usize> = BTreeMap::new();
    for nt in note_types.values() {
        templates.insert(nt.name.clone(), nt.templates);
    }
    for row in sqlx::query("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
    {
        let id: i64 = row.try_get(0)?;
        let mid: i64 = row.try_get(2)?;
        let tags: String = row.try_get(3)?;
        let flds: String = row.try_get(4)?;
        let fields: Vec<String> = flds.split('\u{1f}').map(str::to_owned).collect();
        let nt = note_types.get(&mid);
        let mut field_names: Vec<String> = nt.map(|n| n.fields.clone()).unwrap_or_default();
        for i in field_names.len()..fields.len() {
            field_names.push(format!("Field {}", i + 1));
        }
        let card = cards.remove(&id);
        let mut log = reviews.remove(&id).unwrap_or_default();
        let mut state = card.as_ref().map(|c| c.state.clone());
        if let (Some(state), Some(last)) = (state.as_mut(), log.last_mut()) {
            // The card's own state is the truth after its last review.
            state.last_review = state.last_review.or(last.after.last_review);
            last.after.stability = state.stability;
            last.after.difficulty = state.difficulty;
            if state.phase != Phase::New {
                last.after.due = state.due;
                last.after.phase = state.phase;
            }
            state.reps = state.reps.max(last.after.reps);
        }
        notes.push(AnkiNote {
            guid: Some(row.try_get(1)?),
            notetype: nt
                .map(|n| n.name.clone())
                .unwrap_or_else(|| "Unknown".to_owned()),
            cloze: nt.is_some_and(|n| n.cloze),
            field_names,
            fields,
            tags: tags.split_whitespace().map(str::to_owned).collect(),
            deck: card
                .as_ref()
                .and_then(|c| decks.get(&c.deck))
                .cloned()
                .unwrap_or_default(),
            origin: format!("note {id}"),
            card: state.filter(|s| s.phase != Phase::New || !log.is_empty()),
            reviews: log,
            extra_cards: card.as_ref().map_or(0, |c| c.extra),
        });
        let _ = card.map(|c| c.id);
    }
    Ok(Package {
        notes,
        templates,
        reviews: review_count,
        other_reviews,
        ..Package::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::block_on;
    use proptest::prelude::*;

    #[test]
    fn not_a_zip_is_named_as_such() {
        let err = block_on(read(b"hello")).unwrap_err().to_string();
        assert!(err.contains("not a readable zip"), "{err}");
    }

    #[test]
    fn a_zip_without_a_collection_is_refused() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let err = block_on(read(&bytes)).unwrap_err().to_string();
        assert!(err.contains("holds no collection"), "{err}");
    }

    #[test]
    fn a_newer_version_is_refused_with_what_to_do() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("meta", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, &[0x08, 0x09]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let err = block_on(read(&bytes)).unwrap_err().to_string();
        assert!(err.contains("version 9"), "{err}");
        assert!(err.contains("Support older Anki versions"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = block_on(read(&bytes));
            let _ = media(&bytes, &|_| true);
        }

        #[test]
        fn any_collection_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600), name in prop::sample::select(vec!["collection.anki2", "collection.anki21", "collection.anki21b"])) {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut zip, &bytes).unwrap();
            zip.start_file("media", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut zip, &bytes).unwrap();
            let bytes = zip.finish().unwrap().into_inner();
            let _ = block_on(read(&bytes));
            let _ = media(&bytes, &|_| true);
        }
    }
}
