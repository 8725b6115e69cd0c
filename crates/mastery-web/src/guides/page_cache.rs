//! Finished guide pages, kept until the learner's data changes.
//!
//! A guide page is hundreds of kilobytes, and for one learner in one browser it stays the
//! same bytes until they tick a question, record a review or forget one. [`prerender`]
//! already avoids rendering the page per request; this module avoids the rest: reading
//! every mark and card, filling the template and compressing. A finished page is
//! kept under (guide, learner, browser session, theme) together with the storage's write
//! generation read *before* the learner's data was read; it is served again only while
//! the generation is unchanged and for at most [`EXTERNAL_WRITES_VISIBLE_WITHIN`]:
//!
//! - every write this server commits moves the generation after the commit, so the next
//!   request after a tick or a review builds the page afresh (read-your-writes);
//! - a write by another process on the same SQLite file (`mastery study` in a terminal
//!   beside `mastery serve`) is not seen by the generation; the age limit bounds how long
//!   the old page can be shown to one second;
//! - a backend without a meaningful generation (PostgreSQL, where several instances
//!   write) keeps nothing: each request builds its page as before.
//!
//! Browsers are sent `Cache-Control: no-store`, so Back never shows marks older than the
//! server's (and no validator is sent: with `no-store` no browser would revalidate).
//! Compressed copies (gzip, brotli) are made once per kept page, on the blocking pool, when
//! a client first asks for that encoding. Pages of sessions that begin with the request (no
//! cookie sent) are not kept.
//!
//! [`prerender`]: crate::prerender

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// How long a kept page may be served without reading the database again. Writes made by
/// this server take effect at once; this bounds how long a write by another process on
/// the same database takes to show.
pub const EXTERNAL_WRITES_VISIBLE_WITHIN: Duration = Duration::from_secs(1);

/// Kept pages in all (a few browsers of one learner, on a few guides). The oldest goes
/// first.
const MAX_KEPT: usize = 16;

/// gzip level and brotli quality: made once per kept page, so better than the per-request
/// defaults of the compression layer, yet quick enough (milliseconds) for the one request
/// that pays for it.
const GZIP_LEVEL: u32 = 6;
const BROTLI_QUALITY: i32 = 5;
const BROTLI_WINDOW: i32 = 22;

/// Whose page it is: everything the finished bytes depend on besides the learner's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey {
    /// The guide id.
    pub guide: String,
    /// The learner.
    pub learner: i64,
    /// The CSRF token on the page (one per browser session).
    pub csrf: String,
    /// The theme cookie, if any.
    pub theme: Option<&'static str>,
}

/// A content coding of a response body (RFC 9110 §8.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// No compression.
    Identity,
    /// gzip.
    Gzip,
    /// Brotli.
    Brotli,
}

impl Encoding {
    fn header(self) -> Option<HeaderValue> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some(HeaderValue::from_static("gzip")),
            Encoding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }
}

/// One finished page: its HTML and compressed copies.
#[derive(Debug)]
pub struct FinishedPage {
    html: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl FinishedPage {
    /// A page with `html` as its body.
    pub fn new(html: String) -> Self {
        Self {
            html: Bytes::from(html),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The body in `encoding`, compressing on first use; `None` when compression failed
    /// (the caller then sends the HTML uncompressed).
    fn encoded(&self, encoding: Encoding) -> Option<Bytes> {
        match encoding {
            Encoding::Identity => Some(self.html.clone()),
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.html)).clone(),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.html)).clone(),
        }
    }

    /// The body in `encoding` if it was made already.
    fn encoded_now(&self, encoding: Encoding) -> Option<Option<Bytes>> {
        match encoding {
            Encoding::Identity => Some(Some(self.html.clone())),
            Encoding::Gzip => self.gzip.get().cloned(),
            Encoding::Brotli => self.brotli.get().cloned(),
        }
    }
}

fn gzip(data: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(data).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

fn brotli(data: &[u8]) -> Option<Bytes> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(data.len() / 5);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

struct Kept {
    key: PageKey,
    generation: u64,
    built: Instant,
    /// When a request took on checking this page for writes from outside, if one did.
    refreshing: Option<Instant>,
    page: Arc<FinishedPage>,
}

/// What [`PageCache::get`] found.
#[derive(Debug)]
pub enum Lookup {
    /// A page to send as it is: fresh, or being checked by another request right now.
    Page(Arc<FinishedPage>),
    /// Nothing usable: build the page (and [`PageCache::put`] it).
    Build,
}

/// How long one request may take to check a page before another may take over (a check
/// is a few milliseconds; one that failed or was cancelled never reports back).
const REFRESH_GIVE_UP: Duration = Duration::from_millis(250);

/// The kept pages of one loaded library (a reloaded library starts empty).
#[derive(Default)]
pub struct PageCache {
    kept: Mutex<Vec<Kept>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.kept.lock().map(|k| k.len()).unwrap_or(0);
        f.debug_struct("PageCache").field("kept", &len).finish()
    }
}

impl PageCache {
    /// The page kept for `key` at write generation `generation`.
    ///
    /// A page older than [`EXTERNAL_WRITES_VISIBLE_WITHIN`] is checked again by exactly
    /// one request (which gets [`Lookup::Build`]); the others keep getting the kept page
    /// while it does, so a busy page is never rebuilt by every request at once. A page
    /// kept under another generation (a write came since) is never sent.
    pub fn get(&self, key: &PageKey, generation: u64) -> Lookup {
        let Ok(mut kept) = self.kept.lock() else {
            return Lookup::Build;
        };
        let Some(k) = kept
            .iter_mut()
            .find(|k| k.key == *key && k.generation == generation)
        else {
            return Lookup::Build;
        };
        if k.built.elapsed() < EXTERNAL_WRITES_VISIBLE_WITHIN {
            return Lookup::Page(Arc::clone(&k.page));
        }
        match k.refreshing {
            Some(since) if since.elapsed() < REFRESH_GIVE_UP => Lookup::Page(Arc::clone(&k.page)),
            _ => {
                k.refreshing = Some(Instant::now());
                Lookup::Build
            }
        }
    }

    /// Keeps `page` for `key` and returns the page to send; `generation` must have been
    /// read before the learner data the page shows. When the kept page has the same bytes
    /// (nothing changed outside), it stays, with the compressed copies made for it.
    pub fn put(&self, key: PageKey, generation: u64, page: Arc<FinishedPage>) -> Arc<FinishedPage> {
        let Ok(mut kept) = self.kept.lock() else {
            return page;
        };
        let page = match kept.iter().position(|k| k.key == key) {
            // A slower request that read an older generation leaves a newer page alone.
            Some(i) if kept[i].generation > generation => return page,
            Some(i) => {
                let old = kept.swap_remove(i);
                if old.page.html == page.html {
                    old.page
                } else {
                    page
                }
            }
            None => page,
        };
        if kept.len() >= MAX_KEPT
            && let Some(oldest) = kept
                .iter()
                .enumerate()
                .min_by_key(|(_, k)| k.built)
                .map(|(i, _)| i)
        {
            kept.swap_remove(oldest);
        }
        kept.push(Kept {
            key,
            generation,
            built: Instant::now(),
            refreshing: None,
            page: Arc::clone(&page),
        });
        page
    }
}

/// The encoding to send to a client with these request headers: brotli or gzip when
/// `Accept-Encoding` accepts them (the higher `q` wins, brotli on a tie), else none.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let mut brotli = None;
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = Some(1.0_f32);
            for param in parts {
                if let Some((name, v)) = param.split_once('=')
                    && name.trim().eq_ignore_ascii_case("q")
                {
                    q = parse_q(v.trim());
                }
            }
            let Some(q) = q else { continue };
            match coding.as_str() {
                "br" => brotli = Some(q),
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => any = Some(q),
                _ => {}
            }
        }
    }
    let brotli = brotli.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// A quality value (RFC 9110 §12.4.2): `0` to `1` with at most three decimals.
fn parse_q(v: &str) -> Option<f32> {
    let valid = match v.split_once('.') {
        Some(("0", frac)) => frac.len() <= 3 && frac.bytes().all(|b| b.is_ascii_digit()),
        Some(("1", frac)) => frac.len() <= 3 && frac.bytes().all(|b| b == b'0'),
        None => v == "0" || v == "1",
        Some(_) => false,
    };
    if valid { v.parse().ok() } else { None }
}

/// The response for `page` to a request with `headers`: the page in the best encoding the
/// client accepts.
pub async fn respond(page: Arc<FinishedPage>, headers: &HeaderMap) -> Response {
    let wanted = negotiate(headers);
    let body = match page.encoded_now(wanted) {
        Some(body) => body,
        None => {
            let page = Arc::clone(&page);
            tokio::task::spawn_blocking(move || page.encoded(wanted))
                .await
                .ok()
                .flatten()
        }
    };
    let (encoding, body) = match body {
        Some(body) => (wanted, body),
        None => (Encoding::Identity, page.html.clone()),
    };
    let mut response = Response::new(Body::from(body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(value) = encoding.header() {
        h.insert(header::CONTENT_ENCODING, value);
    }
    // Not `no-cache`: browsers show a stored page on Back without asking, and the learner
    // may have ticked questions elsewhere since.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::VARY,
        HeaderValue::from_static("accept-encoding, cookie"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn negotiation_follows_the_q_values() {
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(
            negotiate(&accept("gzip, deflate, br, zstd")),
            Encoding::Brotli
        );
        assert_eq!(negotiate(&accept("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("GZIP")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0.5, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(&accept("*")), Encoding::Brotli);
        assert_eq!(negotiate(&accept("*;q=0.2, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("identity")), Encoding::Identity);
        assert_eq!(negotiate(&accept("deflate, zstd")), Encoding::Identity);
        // A malformed q drops the item, not the header.
        assert_eq!(negotiate(&accept("br;q=2, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=abc")), Encoding::Identity);
    }

    #[test]
    fn q_values() {
        assert_eq!(parse_q("1"), Some(1.0));
        assert_eq!(parse_q("1.000"), Some(1.0));
        assert_eq!(parse_q("0.5"), Some(0.5));
        assert_eq!(parse_q("0"), Some(0.0));
        for bad in ["1.5", "0.1234", "-0.1", "", ".5", "2", "0.x", "1.01"] {
            assert_eq!(parse_q(bad), None, "{bad}");
        }
    }

    #[test]
    fn compressed_copies_decode_to_the_page() {
        use std::io::Read as _;
        let html = "<p>answer</p>".repeat(2_000);
        let page = FinishedPage::new(html.clone());
        let gz = page.encoded(Encoding::Gzip).unwrap();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, html);
        let br = page.encoded(Encoding::Brotli).unwrap();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, html.as_bytes());
        assert!(gz.len() < html.len() / 10 && br.len() < html.len() / 10);
        // Made once: the same bytes come back.
        assert_eq!(page.encoded_now(Encoding::Gzip), Some(Some(gz)));
    }

    fn key(csrf: &str) -> PageKey {
        PageKey {
            guide: "g".into(),
            learner: 1,
            csrf: csrf.into(),
            theme: None,
        }
    }

    fn kept(cache: &PageCache, key: &PageKey, generation: u64) -> Option<Arc<FinishedPage>> {
        match cache.get(key, generation) {
            Lookup::Page(page) => Some(page),
            Lookup::Build => None,
        }
    }

    #[test]
    fn kept_pages_need_the_same_key_and_generation() {
        let cache = PageCache::default();
        let page = Arc::new(FinishedPage::new("a".into()));
        cache.put(key("s1"), 7, Arc::clone(&page));
        assert!(kept(&cache, &key("s1"), 7).is_some());
        assert!(kept(&cache, &key("s1"), 8).is_none(), "a write came after");
        assert!(
            kept(&cache, &key("s2"), 7).is_none(),
            "another browser session"
        );
        let dark = PageKey {
            theme: Some("dark"),
            ..key("s1")
        };
        assert!(kept(&cache, &dark, 7).is_none());
        // A newer page for the same key replaces the old one.
        cache.put(key("s1"), 8, Arc::new(FinishedPage::new("b".into())));
        assert_eq!(kept(&cache, &key("s1"), 8).unwrap().html, "b");
        assert!(kept(&cache, &key("s1"), 7).is_none());
    }

    #[test]
    fn an_older_generation_never_replaces_a_newer_page() {
        let cache = PageCache::default();
        cache.put(key("s"), 5, Arc::new(FinishedPage::new("new".into())));
        let slow = cache.put(key("s"), 4, Arc::new(FinishedPage::new("old".into())));
        assert_eq!(
            slow.html, "old",
            "the slow request still sends what it built"
        );
        assert_eq!(kept(&cache, &key("s"), 5).unwrap().html, "new");
        assert!(kept(&cache, &key("s"), 4).is_none());
    }

    #[test]
    fn at_most_max_kept_pages() {
        let cache = PageCache::default();
        for i in 0..MAX_KEPT + 5 {
            cache.put(
                key(&i.to_string()),
                1,
                Arc::new(FinishedPage::new(i.to_string())),
            );
        }
        assert_eq!(cache.kept.lock().unwrap().len(), MAX_KEPT);
        assert!(
            kept(&cache, &key("0"), 1).is_none(),
            "the oldest went first"
        );
        assert!(kept(&cache, &key(&(MAX_KEPT + 4).to_string()), 1).is_some());
    }

    fn age(cache: &PageCache, by: Duration) {
        for k in cache.kept.lock().unwrap().iter_mut() {
            k.built -= by;
            if let Some(since) = k.refreshing.as_mut() {
                *since -= by;
            }
        }
    }

    /// An old page is checked by one request while the others still get it; an unchanged
    /// page keeps its compressed copies, a changed one replaces it.
    #[test]
    fn old_pages_are_checked_by_one_request() {
        let cache = PageCache::default();
        let first = Arc::new(FinishedPage::new("a".into()));
        cache.put(key("s"), 1, Arc::clone(&first));
        let _ = first.encoded(Encoding::Gzip);
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(
            matches!(cache.get(&key("s"), 1), Lookup::Build),
            "one request checks"
        );
        for _ in 0..3 {
            assert!(
                kept(&cache, &key("s"), 1).is_some(),
                "the others get the kept page"
            );
        }
        // The check found the same page: the kept one (with its gzip copy) stays.
        let same = cache.put(key("s"), 1, Arc::new(FinishedPage::new("a".into())));
        assert!(Arc::ptr_eq(&same, &first));
        assert!(same.encoded_now(Encoding::Gzip).is_some());
        assert!(kept(&cache, &key("s"), 1).is_some());
        // Next time the page changed outside: the new one replaces it.
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(matches!(cache.get(&key("s"), 1), Lookup::Build));
        let changed = cache.put(key("s"), 1, Arc::new(FinishedPage::new("b".into())));
        assert!(!Arc::ptr_eq(&changed, &first));
        assert_eq!(kept(&cache, &key("s"), 1).unwrap().html, "b");
        // A check that never came back (a failed request) is taken over after a while.
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(matches!(cache.get(&key("s"), 1), Lookup::Build));
        assert!(kept(&cache, &key("s"), 1).is_some());
        age(&cache, REFRESH_GIVE_UP);
        assert!(matches!(cache.get(&key("s"), 1), Lookup::Build));
    }

    proptest! {
        /// Any header value: negotiation never panics, and never picks a coding the
        /// header does not mention (directly or through `*`).
        #[test]
        fn negotiation_never_invents_a_coding(value in "[ -~]{0,80}") {
            if let Ok(v) = HeaderValue::from_str(&value) {
                let mut h = HeaderMap::new();
                h.insert(header::ACCEPT_ENCODING, v);
                let lower = value.to_ascii_lowercase();
                match negotiate(&h) {
                    Encoding::Brotli => prop_assert!(lower.contains("br") || lower.contains('*')),
                    Encoding::Gzip => prop_assert!(lower.contains("gzip") || lower.contains('*')),
                    Encoding::Identity => {}
                }
            }
        }
    }
}
