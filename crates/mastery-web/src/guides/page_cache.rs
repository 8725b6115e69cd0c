//! Finished guide pages, kept until the learner's data changes.
//!
//! A guide page is hundreds of kilobytes, and for one learner in one browser it stays the
//! same bytes until they tick a question, record a review or forget one. [`prerender`]
//! already avoids rendering the page per request; this module avoids the rest: reading
//! every mark and card, filling the template and compressing. A finished page is kept
//! under (guide, learner, browser session, theme, header, whether the client takes gzip)
//! together with a [`Freshness`] read *before* the learner's data was read, and served
//! again only while it is unchanged:
//!
//! - [`Freshness::Revision`]: the learner's data revision, which triggers move in the same
//!   transaction as every change of the learner's marks or cards, whoever writes it
//!   (another instance on PostgreSQL, `mastery study` in a terminal). Exact: a signed-in
//!   request reads it with its session, so checking a kept page costs no query at all;
//!   other requests read it with one indexed query.
//! - [`Freshness::LocalWrites`]: the one learner of personal mode on SQLite, where the
//!   store counts its own commits without touching the database. A write by another
//!   process on the same file is not counted, so such a page is also checked again after
//!   [`EXTERNAL_WRITES_VISIBLE_WITHIN`].
//!
//! Kept pages are capped by their bytes ([`MAX_KEPT_BYTES`]); the least recently sent
//! goes first. Browsers are sent `Cache-Control: no-store`, so Back never shows marks
//! older than the server's (and no validator is sent: with `no-store` no browser would
//! revalidate). A client that takes gzip gets its page made gzipped
//! ([`FinishedPage::gzipped`]); for others a brotli copy is made once per kept page, on the
//! blocking pool, when one first asks for it. Pages of sessions that begin with the
//! request (no cookie sent) and pages of nobody signed in are not kept.
//!
//! [`prerender`]: crate::prerender

use std::collections::HashMap;
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

/// The bytes of kept pages in all (HTML and compressed copies): about 200 pages of the
/// built-in guide as browsers get them (0.46 MB gzipped), 70 as HTML (1.1 MB and room
/// for 0.24 MB of brotli). The least
/// recently sent page goes first; a page not kept is filled in again from the guide's
/// template, which costs copies, not compression ([`crate::guides::prerender`]).
pub const MAX_KEPT_BYTES: usize = 96 << 20;

/// gzip level and brotli quality: made once per kept page, so better than the per-request
/// defaults of the compression layer, yet quick enough (milliseconds) for the one request
/// that pays for it.
const GZIP_LEVEL: u32 = 6;
const BROTLI_QUALITY: i32 = 5;
const BROTLI_WINDOW: i32 = 22;

/// Whose page it is: everything the finished bytes depend on besides the learner's data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    /// The guide id.
    pub guide: String,
    /// The learner.
    pub learner: i64,
    /// The CSRF token on the page (one per browser session).
    pub csrf: String,
    /// The theme cookie, if any.
    pub theme: Option<&'static str>,
    /// The header's account links as sent (name, role, unread notifications).
    pub header: String,
    /// Whether the client takes gzip ([`takes_gzip`]): its page is kept gzipped only.
    pub gzip: bool,
}

/// What a kept page is checked against: read before the learner's data, so a page kept
/// under it is never older than it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The learner's data revision ([`mastery_storage::Storage::data_revision`]): exact,
    /// whoever writes.
    Revision(i64),
    /// The store's count of its own commits
    /// ([`mastery_storage::Storage::local_write_generation`]): writes by other processes
    /// show within [`EXTERNAL_WRITES_VISIBLE_WITHIN`].
    LocalWrites(u64),
}

impl Freshness {
    /// Whether a page kept under `self` may be replaced by one built under `newer`. A local
    /// generation only grows: a page a slower request built from older data leaves a newer
    /// one alone. A data revision can go back (a database restored in place under running
    /// instances): any other revision replaces the page, at worst one rebuild too many.
    fn replaced_by(self, newer: Freshness) -> bool {
        match (self, newer) {
            (Freshness::LocalWrites(a), Freshness::LocalWrites(b)) => b >= a,
            _ => true,
        }
    }

    fn exact(self) -> bool {
        matches!(self, Freshness::Revision(_))
    }
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

/// One finished page: its HTML and compressed copies, or only its gzip body.
#[derive(Debug)]
pub struct FinishedPage {
    /// The HTML; `None` for a page made only gzipped ([`FinishedPage::gzipped`]).
    html: Option<Bytes>,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl FinishedPage {
    /// A page with `html` as its body.
    pub fn new(html: String) -> Self {
        Self {
            html: Some(Bytes::from(html)),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// A page made gzipped ([`crate::guides::prerender`]), for clients that take gzip
    /// ([`PageKey::gzip`]): it is sent as it is.
    pub fn gzipped(gzip: Vec<u8>) -> Self {
        let page = Self {
            html: None,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        };
        let _ = page.gzip.set(Some(Bytes::from(gzip)));
        page
    }

    /// Whether the two pages have the same body.
    fn same_as(&self, other: &FinishedPage) -> bool {
        match (&self.html, &other.html) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.gzip.get() == other.gzip.get(),
            _ => false,
        }
    }

    /// The body in `encoding`, compressing on first use; `None` when compression failed
    /// (the caller then sends the HTML uncompressed) or there is no HTML to compress.
    fn encoded(&self, encoding: Encoding) -> Option<Bytes> {
        let html = self.html.as_ref();
        match encoding {
            Encoding::Identity => html.cloned(),
            Encoding::Gzip => self.gzip.get_or_init(|| html.and_then(|h| gzip(h))).clone(),
            Encoding::Brotli => self
                .brotli
                .get_or_init(|| html.and_then(|h| brotli(h)))
                .clone(),
        }
    }

    /// The body in `encoding` if it was made already.
    fn encoded_now(&self, encoding: Encoding) -> Option<Option<Bytes>> {
        match encoding {
            Encoding::Identity => Some(self.html.clone()),
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
    freshness: Freshness,
    /// What it counts against [`MAX_KEPT_BYTES`] ([`Kept::weigh`]).
    weight: usize,
    built: Instant,
    /// When it was last sent (the least recently sent page goes first).
    used: Instant,
    /// When a request took on checking this page for writes from outside, if one did.
    refreshing: Option<Instant>,
    page: Arc<FinishedPage>,
}

impl Kept {
    /// What `page` counts against [`MAX_KEPT_BYTES`]: its HTML and room for a brotli copy
    /// (a fifth of the HTML for guide pages), or its gzip body.
    /// Reckoned once, when the page is kept, so the running sum stays exact.
    fn weigh(page: &FinishedPage) -> usize {
        let gzip = page
            .gzip
            .get()
            .and_then(Option::as_ref)
            .map_or(0, Bytes::len);
        let html = page.html.as_ref().map_or(0, Bytes::len);
        html + gzip + html / 4
    }
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

#[derive(Default)]
struct Pages {
    by_key: HashMap<PageKey, Kept>,
    /// The sum of the kept pages' [`Kept::weight`].
    bytes: usize,
}

/// The kept pages of one loaded library (a reloaded library starts empty).
pub struct PageCache {
    kept: Mutex<Pages>,
    max_bytes: usize,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::with_capacity(MAX_KEPT_BYTES)
    }
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (len, bytes) = self
            .kept
            .lock()
            .map(|k| (k.by_key.len(), k.bytes))
            .unwrap_or((0, 0));
        f.debug_struct("PageCache")
            .field("kept", &len)
            .field("bytes", &bytes)
            .finish()
    }
}

impl PageCache {
    /// A cache keeping at most `max_bytes` of pages.
    pub fn with_capacity(max_bytes: usize) -> Self {
        Self {
            kept: Mutex::new(Pages::default()),
            max_bytes,
        }
    }

    /// The page kept for `key` under `freshness`.
    ///
    /// A page kept under another freshness (a write came since) is never sent. A page
    /// kept under [`Freshness::LocalWrites`] and older than
    /// [`EXTERNAL_WRITES_VISIBLE_WITHIN`] is checked again by exactly one request (which
    /// gets [`Lookup::Build`]); the others keep getting the kept page while it does, so a
    /// busy page is never rebuilt by every request at once.
    pub fn get(&self, key: &PageKey, freshness: Freshness) -> Lookup {
        let Ok(mut kept) = self.kept.lock() else {
            return Lookup::Build;
        };
        let Some(k) = kept
            .by_key
            .get_mut(key)
            .filter(|k| k.freshness == freshness)
        else {
            return Lookup::Build;
        };
        k.used = Instant::now();
        if freshness.exact() || k.built.elapsed() < EXTERNAL_WRITES_VISIBLE_WITHIN {
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

    /// Keeps `page` for `key` and returns the page to send; `freshness` must have been
    /// read before the learner data the page shows. When the kept page has the same bytes
    /// (nothing changed outside), it stays, with the compressed copies made for it.
    pub fn put(
        &self,
        key: PageKey,
        freshness: Freshness,
        page: Arc<FinishedPage>,
    ) -> Arc<FinishedPage> {
        let Ok(mut guard) = self.kept.lock() else {
            return page;
        };
        let kept = &mut *guard;
        let page = match kept.by_key.get(&key) {
            // A slower request that read older data leaves a newer page alone.
            Some(old) if !old.freshness.replaced_by(freshness) => return page,
            Some(old) if old.page.same_as(&page) => Arc::clone(&old.page),
            _ => page,
        };
        let now = Instant::now();
        let entry = Kept {
            freshness,
            weight: Kept::weigh(&page),
            built: now,
            used: now,
            refreshing: None,
            page: Arc::clone(&page),
        };
        let weight = entry.weight;
        if weight > self.max_bytes {
            return page;
        }
        if let Some(old) = kept.by_key.remove(&key) {
            kept.bytes -= old.weight;
        }
        while kept.bytes + weight > self.max_bytes {
            let Some(oldest) = kept
                .by_key
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(gone) = kept.by_key.remove(&oldest) {
                kept.bytes -= gone.weight;
            }
        }
        kept.bytes += weight;
        kept.by_key.insert(key, entry);
        page
    }
}

/// The encoding to send to a client with these request headers: brotli or gzip when
/// `Accept-Encoding` accepts them (the higher `q` wins, brotli on a tie), else none.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let (brotli, gzip) = qualities(headers);
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The `q` of brotli and of gzip in `Accept-Encoding` (`*` standing for either when not
/// named; 0 when not accepted).
fn qualities(headers: &HeaderMap) -> (f32, f32) {
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
    (brotli.or(any).unwrap_or(0.0), gzip.or(any).unwrap_or(0.0))
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

/// Whether a client with these request headers takes gzip (a `q` above 0, by name or
/// through `*`).
pub fn takes_gzip(headers: &HeaderMap) -> bool {
    qualities(headers).1 > 0.0
}

/// The response for `page` to a request with `headers`: the page in the best encoding the
/// client accepts.
///
/// A page made gzipped ([`FinishedPage::gzipped`], kept only for clients that take gzip)
/// goes gzipped, even to a client that prefers brotli: a brotli copy of a guide page is
/// smaller (0.24 MB against 0.46 MB) but costs tens of milliseconds of a core to make, once
/// per learner and change of their data, which a busy server cannot spare (measured:
/// docs/performance.md, "A community of 1,000 learners").
pub async fn respond(page: Arc<FinishedPage>, headers: &HeaderMap) -> Response {
    let wanted = if page.html.is_none() {
        Encoding::Gzip
    } else {
        negotiate(headers)
    };
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
    let (encoding, body) = match (body, &page.html) {
        (Some(body), _) => (wanted, body),
        (None, Some(html)) => (Encoding::Identity, html.clone()),
        // A gzipped page always has its body: this is never reached.
        (None, None) => (Encoding::Identity, Bytes::new()),
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
            header: String::new(),
            gzip: false,
        }
    }

    fn text(page: &FinishedPage) -> String {
        String::from_utf8(page.html.clone().unwrap().to_vec()).unwrap()
    }

    /// A gzipped page (what browsers get) weighs its gzip body only, is sent gzipped
    /// whatever the client prefers, and is the same page when its body is.
    #[test]
    fn gzipped_pages_weigh_their_body_and_go_gzipped() {
        let gz = gzip(&Bytes::from("<p>answer</p>".repeat(100)))
            .unwrap()
            .to_vec();
        let page = FinishedPage::gzipped(gz.clone());
        assert_eq!(Kept::weigh(&page), gz.len());
        assert!(page.same_as(&FinishedPage::gzipped(gz.clone())));
        assert!(!page.same_as(&FinishedPage::gzipped(vec![1, 2, 3])));
        assert!(!page.same_as(&FinishedPage::new("<p>answer</p>".into())));
        assert_eq!(page.encoded(Encoding::Identity), None);
        assert_eq!(page.encoded(Encoding::Brotli), None, "no HTML to compress");
        let response = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(respond(Arc::new(page), &accept("br")));
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    }

    fn kept(cache: &PageCache, key: &PageKey, freshness: Freshness) -> Option<Arc<FinishedPage>> {
        match cache.get(key, freshness) {
            Lookup::Page(page) => Some(page),
            Lookup::Build => None,
        }
    }

    const LOCAL: fn(u64) -> Freshness = Freshness::LocalWrites;
    const REV: fn(i64) -> Freshness = Freshness::Revision;

    #[test]
    fn kept_pages_need_the_same_key_and_freshness() {
        let cache = PageCache::default();
        let page = Arc::new(FinishedPage::new("a".into()));
        cache.put(key("s1"), LOCAL(7), Arc::clone(&page));
        assert!(kept(&cache, &key("s1"), LOCAL(7)).is_some());
        assert!(
            kept(&cache, &key("s1"), LOCAL(8)).is_none(),
            "a write came after"
        );
        assert!(
            kept(&cache, &key("s1"), REV(7)).is_none(),
            "another kind of check"
        );
        assert!(
            kept(&cache, &key("s2"), LOCAL(7)).is_none(),
            "another browser session"
        );
        let dark = PageKey {
            theme: Some("dark"),
            ..key("s1")
        };
        assert!(kept(&cache, &dark, LOCAL(7)).is_none());
        let notified = PageKey {
            header: "Notifications 1".into(),
            ..key("s1")
        };
        assert!(
            kept(&cache, &notified, LOCAL(7)).is_none(),
            "the header changed"
        );
        // A newer page for the same key replaces the old one.
        cache.put(key("s1"), LOCAL(8), Arc::new(FinishedPage::new("b".into())));
        assert_eq!(text(&kept(&cache, &key("s1"), LOCAL(8)).unwrap()), "b");
        assert!(kept(&cache, &key("s1"), LOCAL(7)).is_none());
    }

    #[test]
    fn older_local_data_never_replaces_a_newer_page() {
        let (old, new) = (LOCAL(4), LOCAL(5));
        let cache = PageCache::default();
        cache.put(key("s"), new, Arc::new(FinishedPage::new("new".into())));
        let slow = cache.put(key("s"), old, Arc::new(FinishedPage::new("old".into())));
        assert_eq!(
            text(&slow),
            "old",
            "the slow request still sends what it built"
        );
        assert_eq!(text(&kept(&cache, &key("s"), new).unwrap()), "new");
        assert!(kept(&cache, &key("s"), old).is_none());
    }

    /// A revision that went back (a restore in place) replaces the kept page: the old
    /// page can never come back when the revision climbs to its number again.
    #[test]
    fn any_other_revision_replaces_the_kept_page() {
        let cache = PageCache::default();
        cache.put(
            key("s"),
            REV(10),
            Arc::new(FinishedPage::new("before".into())),
        );
        cache.put(
            key("s"),
            REV(7),
            Arc::new(FinishedPage::new("restored".into())),
        );
        assert!(kept(&cache, &key("s"), REV(10)).is_none());
        assert_eq!(text(&kept(&cache, &key("s"), REV(7)).unwrap()), "restored");
    }

    /// Pages are capped by their bytes; the least recently sent goes first, and the count
    /// of bytes stays exact through replacements.
    #[test]
    fn kept_pages_are_capped_by_bytes_least_recently_sent_first() {
        let page = |n: usize| Arc::new(FinishedPage::new("x".repeat(n)));
        // Each 800-byte page weighs 1,000 bytes: four fit in 4,500.
        let cache = PageCache::with_capacity(4_500);
        for i in 0..4 {
            cache.put(key(&i.to_string()), REV(1), page(800));
        }
        assert!(
            kept(&cache, &key("0"), REV(1)).is_some(),
            "sent again: now the most recent"
        );
        cache.put(key("4"), REV(1), page(800));
        assert!(
            kept(&cache, &key("1"), REV(1)).is_none(),
            "the least recently sent went"
        );
        for k in ["0", "2", "3", "4"] {
            assert!(kept(&cache, &key(k), REV(1)).is_some(), "{k} is kept");
        }
        // A bigger page for a kept key pushes out what it must, and the bytes add up.
        cache.put(key("0"), REV(2), page(2_400));
        let pages = cache.kept.lock().unwrap();
        let sum: usize = pages.by_key.values().map(|k| k.weight).sum();
        assert_eq!(pages.bytes, sum);
        assert!(pages.bytes <= 4_500);
        assert!(pages.by_key.contains_key(&key("0")));
        drop(pages);
        // A page bigger than the whole cache is sent, not kept.
        let huge = cache.put(key("huge"), REV(1), page(10_000));
        assert_eq!(text(&huge).len(), 10_000);
        assert!(kept(&cache, &key("huge"), REV(1)).is_none());
    }

    fn age(cache: &PageCache, by: Duration) {
        for k in cache.kept.lock().unwrap().by_key.values_mut() {
            k.built -= by;
            if let Some(since) = k.refreshing.as_mut() {
                *since -= by;
            }
        }
    }

    /// A page kept under the exact revision is sent however old it is.
    #[test]
    fn revision_pages_do_not_expire() {
        let cache = PageCache::default();
        cache.put(key("s"), REV(3), Arc::new(FinishedPage::new("a".into())));
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN * 100);
        for _ in 0..3 {
            assert!(kept(&cache, &key("s"), REV(3)).is_some());
        }
    }

    /// An old page is checked by one request while the others still get it; an unchanged
    /// page keeps its compressed copies, a changed one replaces it.
    #[test]
    fn old_local_pages_are_checked_by_one_request() {
        let cache = PageCache::default();
        let first = Arc::new(FinishedPage::new("a".into()));
        cache.put(key("s"), LOCAL(1), Arc::clone(&first));
        let _ = first.encoded(Encoding::Gzip);
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(
            matches!(cache.get(&key("s"), LOCAL(1)), Lookup::Build),
            "one request checks"
        );
        for _ in 0..3 {
            assert!(
                kept(&cache, &key("s"), LOCAL(1)).is_some(),
                "the others get the kept page"
            );
        }
        // The check found the same page: the kept one (with its gzip copy) stays.
        let same = cache.put(key("s"), LOCAL(1), Arc::new(FinishedPage::new("a".into())));
        assert!(Arc::ptr_eq(&same, &first));
        assert!(same.encoded_now(Encoding::Gzip).is_some());
        assert!(kept(&cache, &key("s"), LOCAL(1)).is_some());
        // Next time the page changed outside: the new one replaces it.
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(matches!(cache.get(&key("s"), LOCAL(1)), Lookup::Build));
        let changed = cache.put(key("s"), LOCAL(1), Arc::new(FinishedPage::new("b".into())));
        assert!(!Arc::ptr_eq(&changed, &first));
        assert_eq!(text(&kept(&cache, &key("s"), LOCAL(1)).unwrap()), "b");
        // A check that never came back (a failed request) is taken over after a while.
        age(&cache, EXTERNAL_WRITES_VISIBLE_WITHIN);
        assert!(matches!(cache.get(&key("s"), LOCAL(1)), Lookup::Build));
        assert!(kept(&cache, &key("s"), LOCAL(1)).is_some());
        age(&cache, REFRESH_GIVE_UP);
        assert!(matches!(cache.get(&key("s"), LOCAL(1)), Lookup::Build));
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
