//! The search index of the static site, as a script: `window.MASTERY_SEARCH = {...}`.
//! A page opened from a file (`file://`) cannot fetch a JSON file, but it can load a
//! script. The fields are the ones the server's search weighs (title, tags, key points,
//! answer, code); `assets/site.js` searches them with the same weights.

use mastery_content::Guide;
use serde_json::json;

/// The longest answer text indexed per entry, in characters (the rest adds little).
const MAX_TEXT: usize = 6_000;
/// The longest code indexed per entry, in characters.
const MAX_CODE: usize = 2_000;

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// `assets/search-index.js` of `guide`.
pub(super) fn index_script(guide: &Guide) -> String {
    let entries: Vec<serde_json::Value> = guide
        .sections
        .iter()
        .flat_map(|section| {
            section.entries.iter().map(move |entry| {
                let code: Vec<&str> = entry.examples.iter().map(|e| e.code.as_str()).collect();
                json!({
                    "id": entry.id.as_str(),
                    "url": format!("q/{}.html", entry.id),
                    "title": entry.title_text,
                    "section": section.title,
                    "level": entry.level().map(|l| l.to_string()),
                    "tags": entry.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                    "points": entry.key_points.iter().map(|k| k.text.as_str()).collect::<Vec<_>>().join(" "),
                    "text": cut(&entry.answer_text, MAX_TEXT),
                    "code": cut(&code.join("\n"), MAX_CODE),
                })
            })
        })
        .collect();
    let index = json!({ "guide": guide.id.as_str(), "title": guide.title, "entries": entries });
    // `</` cannot end a script element when the file is inlined somewhere; keep it safe.
    let body = index.to_string().replace("</", "<\\/");
    format!("window.MASTERY_SEARCH = {body};\n")
}
