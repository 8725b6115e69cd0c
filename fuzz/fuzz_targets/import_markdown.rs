//! Feeds arbitrary text to the Markdown importer (`mastery import`) and checks its promise:
//! it never panics, and whatever guide it writes loads with no error (`mastery check`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastery_content::import::{Input, Options, Source, import};
use mastery_content::load_guide;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // NUL separates files (up to four, in two folders), so links between files and the
    // one-question-per-file shape are reached too.
    let files: Vec<Source> = text
        .split('\0')
        .take(4)
        .enumerate()
        .map(|(i, text)| Source {
            path: format!("dir{}/f{i}.md", i % 2),
            text: text.to_owned(),
        })
        .collect();
    let input = Input {
        name: "fuzz".into(),
        files,
        assets: vec!["dir0/img.png".into()],
    };
    let Ok(imported) = import(&input, &Options::default()) else {
        return;
    };
    let report = load_guide(&imported.guide_files("fuzz"));
    let errors = report.error_messages();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
});
