//! Feeds arbitrary bytes to the Anki readers (`mastery import FILE.apkg|.csv`): the text
//! format, the field HTML converter, and the notes-to-guide writer must never panic, and
//! whatever guide they write loads with no error (`mastery check`). The package reader
//! needs an async runtime and a temporary database, so its property tests cover it
//! (`mastery_anki::read`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastery_anki::guide::{Options, to_guide};
use mastery_anki::{html, text};
use mastery_content::{GuideFiles, Level, SourceFile, load_guide};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = html::to_markdown(s);
        let _ = html::to_text(s);
    }
    let Ok(file) = text::read("fuzz.csv", data, b',') else {
        return;
    };
    let options = Options {
        id: None,
        title: None,
        level: Level::Confirmed,
        name: "fuzz.csv".into(),
    };
    let imported = to_guide(&file.notes, &options);
    if imported.sections.is_empty() {
        return;
    }
    let files = GuideFiles {
        root: "fuzz".into(),
        files: imported
            .files
            .iter()
            .map(|(path, text)| SourceFile {
                path: path.clone(),
                bytes: text.as_bytes().to_vec(),
            })
            .collect(),
    };
    assert_eq!(load_guide(&files).error_count(), 0, "{:#?}", imported.files);
});
