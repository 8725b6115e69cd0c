//! The guides compiled into the binary, so every command works with no files around.

use include_dir::{Dir, include_dir};
use mastery_content::{GuideFiles, SourceFile};

static GUIDES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../guides");

/// Every embedded guide, as files ready for the parser. Diagnostics name them by their
/// path in the repository (`guides/python-django/01-core-python.md`).
pub fn guides() -> Vec<GuideFiles> {
    let mut out: Vec<GuideFiles> = GUIDES
        .dirs()
        .filter(|dir| dir.get_file(dir.path().join("guide.toml")).is_some())
        .map(|dir| GuideFiles {
            root: format!("guides/{}", dir.path().display()),
            files: dir
                .files()
                .filter_map(|f| {
                    let name = f.path().file_name()?.to_str()?.to_owned();
                    Some(SourceFile {
                        path: name,
                        bytes: f.contents().to_vec(),
                    })
                })
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| a.root.cmp(&b.root));
    out
}
