//! Feeds arbitrary bytes to the guide parser as a section file and as guide.toml.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastery_content::{GuideFiles, SourceFile, load_guide};

const TOML: &[u8] = b"id = \"f\"\ntitle = \"F\"\ndescription = \"d\"\nversion = \"1\"\n";

fuzz_target!(|data: &[u8]| {
    // Split the input: the first byte chooses which file receives it.
    let (as_toml, bytes) = match data.split_first() {
        Some((first, rest)) => (first % 4 == 0, rest.to_vec()),
        None => (false, Vec::new()),
    };
    let files = if as_toml {
        vec![
            SourceFile { path: "guide.toml".into(), bytes },
            SourceFile { path: "01.md".into(), bytes: b"---\nid: s\ntitle: S\n---\n".to_vec() },
        ]
    } else {
        vec![
            SourceFile { path: "guide.toml".into(), bytes: TOML.to_vec() },
            SourceFile { path: "01.md".into(), bytes },
        ]
    };
    let _ = load_guide(&GuideFiles { root: "fuzz".into(), files });
});
