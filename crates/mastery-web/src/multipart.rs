//! `multipart/form-data` bodies (RFC 7578): what a plain HTML form with a file field sends,
//! so a file can be uploaded without JavaScript (the settings page's backup restore).
//!
//! The session middleware has already read the whole body (it must find the `csrf` field
//! before any handler runs), so this parses bytes in memory, strictly and without copying:
//! every part is a name, an optional file name and a slice of the body. A streaming parser
//! would buy nothing here.

use std::fmt;

/// The most parts a body may have.
const MAX_PARTS: usize = 32;

/// One part of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// The form field's name.
    pub(crate) name: String,
    /// The file's name, for a file field.
    pub(crate) filename: Option<String>,
    /// The value or the file's bytes.
    pub(crate) data: &'a [u8],
}

/// Why a body is not a well-formed `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MultipartError(&'static str);

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the form upload is malformed: {}", self.0)
    }
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        (!value.is_empty() && value.len() <= 70).then(|| value.to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The parts of `body`, in order.
///
/// # Errors
///
/// A body that does not follow the format: no opening or closing boundary, a part
/// without headers or a `form-data` name, too many parts.
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, MultipartError> {
    let opening = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The first boundary starts the body or a line (anything before is a preamble).
    let start = if body.starts_with(opening.as_bytes()) {
        0
    } else {
        find(body, delimiter.as_bytes())
            .map(|at| at + 2)
            .ok_or(MultipartError("no boundary"))?
    };
    let mut rest = &body[start + opening.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break that ends the boundary line.
        let padding = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        rest = rest[padding..]
            .strip_prefix(b"\r\n")
            .ok_or(MultipartError("a boundary line does not end"))?;
        let headers_end = if rest.starts_with(b"\r\n") {
            0
        } else {
            find(rest, b"\r\n\r\n")
                .map(|at| at + 2)
                .ok_or(MultipartError("a part's headers do not end"))?
        };
        let headers = std::str::from_utf8(&rest[..headers_end])
            .map_err(|_| MultipartError("a part's headers are not UTF-8"))?;
        rest = &rest[headers_end + 2..];
        let end = find(rest, delimiter.as_bytes()).ok_or(MultipartError("no closing boundary"))?;
        let (name, filename) = disposition(headers)?;
        if parts.len() == MAX_PARTS {
            return Err(MultipartError("too many fields"));
        }
        parts.push(Part {
            name,
            filename,
            data: &rest[..end],
        });
        rest = &rest[end + delimiter.len()..];
    }
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data` header.
fn disposition(headers: &str) -> Result<(String, Option<String>), MultipartError> {
    let value = headers
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-disposition"))
        .map(|(_, value)| value)
        .ok_or(MultipartError("a part has no Content-Disposition"))?;
    let mut params = Params(value);
    let kind = params.token();
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(MultipartError("a part is not form-data"));
    }
    let (mut name, mut filename) = (None, None);
    while let Some((key, value)) = params.next_param() {
        if key.eq_ignore_ascii_case("name") {
            name = Some(value);
        } else if key.eq_ignore_ascii_case("filename") {
            filename = Some(value);
        }
    }
    Ok((name.ok_or(MultipartError("a part has no name"))?, filename))
}

/// A reader of `token; key=value; key="quoted \" value"`.
struct Params<'a>(&'a str);

impl Params<'_> {
    fn token(&mut self) -> String {
        let text = self.0.trim_start();
        let end = text.find(';').unwrap_or(text.len());
        self.0 = &text[end..];
        text[..end].trim().to_owned()
    }

    fn next_param(&mut self) -> Option<(String, String)> {
        let text = self.0.trim_start().strip_prefix(';')?.trim_start();
        let eq = text.find('=')?;
        let key = text[..eq].trim().to_owned();
        let after = text[eq + 1..].trim_start();
        if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        self.0 = &quoted[i + 1..];
                        return Some((key, value));
                    }
                    other => value.push(other),
                }
            }
            self.0 = "";
            Some((key, value))
        } else {
            let end = after.find(';').unwrap_or(after.len());
            self.0 = &after[end..];
            Some((key, after[..end].trim().to_owned()))
        }
    }
}

/// The text of the field `name`, if the body has it.
pub(crate) fn text<'a>(parts: &'a [Part<'_>], name: &str) -> Option<&'a str> {
    parts
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| std::str::from_utf8(p.data).ok())
}

/// The `csrf` field of a multipart body sent with `content_type`, for the middleware.
pub(crate) fn csrf_field(content_type: &str, body: &[u8]) -> Option<String> {
    let boundary = boundary(content_type)?;
    let parts = parse(body, &boundary).ok()?;
    text(&parts, "csrf").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use proptest::prelude::*;

    /// A body as browsers write it.
    fn body(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = b"preamble, ignored\r\n".to_vec();
        for (name, filename, data) in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let file = filename
                .map(|f| format!("; filename=\"{}\"", f.replace('"', "\\\"")))
                .unwrap_or_default();
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n").as_bytes(),
            );
            if filename.is_some() {
                out.extend_from_slice(b"Content-Type: application/json\r\n");
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    #[test]
    fn a_browser_upload_is_read() {
        let b = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
        let data = body(
            b,
            &[
                ("csrf", None, b"tok"),
                ("file", Some("my \"data\".json"), b"{\"a\":\r\n1}"),
                ("overwrite", None, b"on"),
            ],
        );
        let ct = format!("multipart/form-data; boundary={b}");
        assert_eq!(boundary(&ct).as_deref(), Some(b));
        let parts = parse(&data, b).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].filename.as_deref(), Some("my \"data\".json"));
        assert_eq!(parts[1].data, b"{\"a\":\r\n1}");
        assert_eq!(text(&parts, "overwrite"), Some("on"));
        assert_eq!(csrf_field(&ct, &data).as_deref(), Some("tok"));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; boundary=\"x y\"").as_deref(),
            Some("x y")
        );
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let b = "XyZ";
        for bad in [
            &b""[..],
            b"--XyZ\r\nno blank line",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
            b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",
            b"--XyZjunk",
        ] {
            assert!(parse(bad, b).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(b"--XyZ--", b).unwrap(), Vec::new());
    }

    proptest! {
        #[test]
        fn parts_round_trip(
            fields in prop::collection::vec(
                ("[a-z_]{1,8}", prop::option::of("[a-zA-Z0-9 ._\"-]{0,12}"), prop::collection::vec(any::<u8>(), 0..64)),
                0..6,
            ),
        ) {
            let b = "b0uNdArY-31a8c";
            let parts: Vec<(&str, Option<&str>, &[u8])> = fields
                .iter()
                .map(|(n, f, d)| (n.as_str(), f.as_deref(), d.as_slice()))
                .collect();
            let data = body(b, &parts);
            let parsed = parse(&data, b).unwrap();
            prop_assert_eq!(parsed.len(), parts.len());
            for (got, (name, filename, bytes)) in parsed.iter().zip(&parts) {
                prop_assert_eq!(&got.name, name);
                prop_assert_eq!(got.filename.as_deref(), *filename);
                prop_assert_eq!(got.data, *bytes);
            }
        }

        #[test]
        fn any_bytes_are_parsed_or_refused_without_panic(
            data in prop::collection::vec(any::<u8>(), 0..256),
            boundary_text in "[a-zA-Z0-9]{1,6}",
        ) {
            let _ = parse(&data, &boundary_text);
            let mut framed = format!("--{boundary_text}\r\n").into_bytes();
            framed.extend_from_slice(&data);
            let _ = parse(&framed, &boundary_text);
        }
    }
}
