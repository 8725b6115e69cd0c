//! Serde for levels as their names (`"junior"`), as the stored interviews and the reports
//! write them.

use mastery_content::Level;
use serde::{Deserialize, Deserializer, Serializer};

/// Serde for a list of levels as their names (`["junior", "senior"]`).
pub(super) mod level_list {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(levels: &[Level], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(levels.iter().map(|l| l.as_str()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Level>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|name| {
                Level::parse(name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown level {name:?} (junior, confirmed or senior)"
                    ))
                })
            })
            .collect()
    }
}

/// Serialises an optional level as its name or `null`.
pub(super) fn serialize_opt_level<S: Serializer>(
    level: &Option<Level>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match level {
        Some(l) => s.serialize_str(l.as_str()),
        None => s.serialize_none(),
    }
}
