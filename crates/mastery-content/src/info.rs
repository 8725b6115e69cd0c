//! The info string of a fenced code block: `python predict requires="django>=5.2" timeout=20`.

use std::time::Duration;

use crate::diagnostic::did_you_mean;

/// What an info string says about a code block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Info {
    pub(crate) language: String,
    pub(crate) predict: bool,
    pub(crate) norun: bool,
    /// Why it is not run (`norun="needs Python 3.14"`), shown by `mastery verify`.
    pub(crate) norun_reason: Option<String>,
    pub(crate) requires: Vec<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) exit_code: Option<i32>,
}

/// A bad attribute, located by byte offset within the info string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InfoError {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

const ATTRIBUTES: [&str; 5] = ["predict", "norun", "requires", "timeout", "exit"];

/// Splits on spaces, keeping `"quoted values"` together. Returns (offset, token) pairs.
fn tokens(info: &str) -> Result<Vec<(usize, String)>, InfoError> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = None;
    let mut quote: Option<(char, usize)> = None;
    for (i, c) in info.char_indices() {
        match (quote, c) {
            (Some((q, _)), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some((c, i));
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push((s, std::mem::take(&mut current)));
                }
            }
            (None, c) => {
                start.get_or_insert(i);
                current.push(c);
            }
        }
    }
    if let Some((_, at)) = quote {
        return Err(InfoError {
            offset: at,
            len: info.len() - at,
            message: "unterminated quote in the code block's attributes".into(),
            hint: Some("close the quote: requires=\"django>=5.2,<6\"".into()),
        });
    }
    if let Some(s) = start {
        out.push((s, current));
    }
    Ok(out)
}

/// Parses an info string. Every bad attribute is reported; good ones still apply.
pub(crate) fn parse_info(info: &str) -> (Info, Vec<InfoError>) {
    let mut parsed = Info::default();
    let mut errors = Vec::new();
    let toks = match tokens(info) {
        Ok(t) => t,
        Err(e) => return (parsed, vec![e]),
    };
    let mut iter = toks.into_iter();
    if let Some((_, language)) = iter.next() {
        parsed.language = language
            .trim_start_matches('{')
            .trim_end_matches('}')
            .to_owned();
    }
    for (offset, token) in iter {
        let (name, value) = match token.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (token.as_str(), None),
        };
        let err = |message: String, hint: Option<String>| InfoError {
            offset,
            len: token.len(),
            message,
            hint,
        };
        match (name, value) {
            ("predict", None) => parsed.predict = true,
            ("norun", None) => parsed.norun = true,
            ("norun", Some(reason)) if !reason.trim().is_empty() => {
                parsed.norun = true;
                parsed.norun_reason = Some(reason.trim().to_owned());
            }
            ("requires", Some(spec)) if !spec.trim().is_empty() => {
                parsed.requires.push(spec.trim().to_owned());
            }
            ("timeout", Some(v)) => match v.parse::<u64>() {
                Ok(secs @ 1..=300) => parsed.timeout = Some(Duration::from_secs(secs)),
                _ => errors.push(err(
                    format!("`timeout={v}` is not a number of seconds from 1 to 300"),
                    Some("write, for example, `timeout=30`".into()),
                )),
            },
            ("exit", Some(v)) => match v.parse::<i32>() {
                Ok(code) if (0..=255).contains(&code) => parsed.exit_code = Some(code),
                _ => errors.push(err(
                    format!("`exit={v}` is not an exit status from 0 to 255"),
                    Some("an uncaught exception ends Python with `exit=1`".into()),
                )),
            },
            ("predict", Some(_)) => errors.push(err(
                format!("`{name}` takes no value"),
                Some(format!("write just `{name}`")),
            )),
            ("requires" | "timeout" | "exit", _) => errors.push(err(
                format!("`{name}` needs a value"),
                Some(match name {
                    "requires" => "write, for example, `requires=django>=5.2`".into(),
                    "timeout" => "write, for example, `timeout=30`".into(),
                    _ => "write, for example, `exit=1`".into(),
                }),
            )),
            _ => errors.push(err(
                format!("unknown code block attribute `{name}`"),
                Some(match did_you_mean(name, &ATTRIBUTES) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known attributes: {}", ATTRIBUTES.join(", ")),
                }),
            )),
        }
    }
    (parsed, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes() {
        let (info, errors) =
            parse_info("python predict requires=\"django>=5.2,<6\" requires=pytz timeout=20");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(info.language, "python");
        assert!(info.predict && !info.norun);
        assert_eq!(info.requires, ["django>=5.2,<6", "pytz"]);
        assert_eq!(info.timeout, Some(Duration::from_secs(20)));
    }

    #[test]
    fn reports_every_bad_attribute() {
        let (_, errors) = parse_info("python predcit timeout=0 exit=x predict=1");
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errors.len(), 4, "{messages:?}");
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `predict`?"));
        assert_eq!(errors[0].offset, 7);
    }

    #[test]
    fn norun_may_say_why() {
        let (info, errors) = parse_info("python norun=\"needs Python 3.14 (t-strings)\"");
        assert!(errors.is_empty());
        assert!(info.norun);
        assert_eq!(
            info.norun_reason.as_deref(),
            Some("needs Python 3.14 (t-strings)")
        );
        let (info, _) = parse_info("python norun");
        assert!(info.norun && info.norun_reason.is_none());
    }

    #[test]
    fn unterminated_quote() {
        let (_, errors) = parse_info("python requires=\"django");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].offset, 16);
    }
}
