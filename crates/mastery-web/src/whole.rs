//! Whole numbers in JSON request bodies, however they are written.
//!
//! The API's document is OpenAPI 3.1, whose JSON Schema counts `3.0` as an `integer`: a
//! client (or a generator such as Schemathesis) may send `"rating": 3.0`, which serde reads
//! as a float and refuses for a `u8`. Every integer field of a request body deserializes with
//! [`de`] (or [`opt`] for an optional one): an integer, or a float without a fractional part,
//! of at most [`MAX_SAFE_INTEGER`] in magnitude, then converted to the field's type (a value
//! the type cannot hold is refused, and the request answers 422). serde_json parses floats
//! exactly here (its `float_roundtrip` feature, set in this crate's manifest): without it,
//! `2251799813685247.0` can come out as `2251799813685247.25`.
//!
//! ```ignore
//! #[serde(deserialize_with = "crate::whole::de")]
//! rating: u8,
//! #[serde(default, deserialize_with = "crate::whole::opt")]
//! item: Option<usize>,
//! ```

use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// 2^53 − 1: the largest integer every JSON parser reads exactly, and the largest magnitude
/// an integer field of a request body accepts (the document says so where a field has no
/// smaller limit).
pub(crate) const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Whether an index read from a query string (which serde parses itself) is within
/// [`MAX_SAFE_INTEGER`], as the document says.
pub(crate) fn is_safe(value: usize) -> bool {
    i64::try_from(value).is_ok_and(|v| v <= MAX_SAFE_INTEGER)
}

fn from_number<T: TryFrom<i64>, E: Error>(n: &serde_json::Number) -> Result<T, E> {
    let whole = match n.as_i64() {
        Some(i) => Some(i),
        // Beyond i64 (a u64): out of range below.
        None if n.is_u64() => None,
        None => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64)
            .map(|f| f as i64),
    };
    // `unsigned_abs`: `abs` of i64::MIN overflows.
    let Some(value) = whole.filter(|v| v.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs()) else {
        return Err(
            if n.is_f64() && n.as_f64().is_some_and(|f| f.fract() != 0.0) {
                E::custom(format!("expected a whole number, not {n}"))
            } else {
                E::custom(format!("{n} is out of range"))
            },
        );
    };
    T::try_from(value).map_err(|_| E::custom(format!("{value} is out of range")))
}

/// A whole number for an integer field.
pub(crate) fn de<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    from_number(&serde_json::Number::deserialize(deserializer)?)
}

/// A whole number for an optional integer field (with `#[serde(default)]`): absent or `null`
/// is `None`.
pub(crate) fn opt<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    Option::<serde_json::Number>::deserialize(deserializer)?
        .as_ref()
        .map(from_number)
        .transpose()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::de")]
        rating: u8,
        #[serde(default, deserialize_with = "super::opt")]
        item: Option<usize>,
    }

    #[test]
    fn safe_indices_end_at_2_pow_53_minus_1() {
        assert!(super::is_safe(9_007_199_254_740_991));
        assert!(!super::is_safe(9_007_199_254_740_992));
    }

    fn parse(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_are_integers_and_the_rest_is_refused() {
        let body = parse(r#"{"rating": 3.0, "item": 81.0}"#).unwrap();
        assert_eq!((body.rating, body.item), (3, Some(81)));
        let body = parse(r#"{"rating": 4, "item": null}"#).unwrap();
        assert_eq!((body.rating, body.item), (4, None));
        assert_eq!(parse(r#"{"rating": 1}"#).unwrap().item, None);
        assert_eq!(parse(r#"{"rating": -0.0}"#).unwrap().rating, 0);
        // Read exactly (serde_json's `float_roundtrip`), not one step away from a whole number.
        assert_eq!(
            parse(r#"{"rating": 1, "item": 2251799813685247.0}"#)
                .unwrap()
                .item,
            Some(2_251_799_813_685_247)
        );
        assert_eq!(
            parse(r#"{"rating": 1, "item": 9007199254740991}"#)
                .unwrap()
                .item,
            Some(9_007_199_254_740_991)
        );
        for (json, words) in [
            (r#"{"rating": 2.5}"#, "expected a whole number, not 2.5"),
            (r#"{"rating": 256}"#, "256 is out of range"),
            (r#"{"rating": -1.0}"#, "-1 is out of range"),
            (r#"{"rating": 1, "item": 9007199254740992}"#, "out of range"),
            (
                r#"{"rating": 1, "item": -9223372036854775808}"#,
                "out of range",
            ),
            (r#"{"rating": 1, "item": 2.9e28}"#, "out of range"),
            (
                r#"{"rating": 1, "item": 18446744073709551615}"#,
                "out of range",
            ),
            (r#"{"rating": "3"}"#, "invalid type"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.contains(words), "{json}: {error}");
        }
    }
}
