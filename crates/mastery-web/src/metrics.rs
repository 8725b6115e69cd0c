//! Prometheus metrics (`GET /metrics`) and the request log.
//!
//! One [`Metrics`] registry lives in each `AppState` (no globals: two
//! servers in one process, as in the tests, count separately). The [`track`] middleware,
//! outermost in the router, times every request and counts it by **route template** (axum's
//! [`MatchedPath`], e.g. `/guides/{guide}/{question}`; never the raw path, so the number of
//! series stays bounded whatever URLs clients invent; anything no route matched is
//! `route="unmatched"`), method and status code, and writes one log line per request
//! (method, route, status, latency: never the query string, a body, a cookie or a token).
//!
//! Exposed series (see `docs/operations.md`):
//!
//! | name | type | labels |
//! | --- | --- | --- |
//! | `mastery_http_requests_total` | counter | `route`, `method`, `status` |
//! | `mastery_http_request_duration_seconds` | histogram | `route`, `method` |
//! | `mastery_http_requests_in_flight` | gauge | |
//! | `mastery_reviews_recorded_total` | counter | |
//! | `mastery_db_pool_connections` | gauge | `state` = `idle` / `in_use` |
//! | `mastery_db_pool_max` | gauge | |
//! | `mastery_build_info` | gauge (1) | `version`, `commit`, `backend` |
//! | `process_start_time_seconds` | gauge | |
//!
//! Nothing in them identifies a learner or a question: labels are route templates, methods
//! and status codes. Who may read them is [`MetricsPolicy`]: by default only loopback peers
//! that did not come through a proxy.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Upper bounds of the latency buckets, in seconds: a page or an API call normally takes a
/// millisecond or two, so the resolution is where that happens; 5 s is "broken".
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0,
];

/// The routes of the probes and of the metrics themselves: logged at `debug`, not `info`,
/// so a scraper every few seconds does not drown the request log.
const QUIET_ROUTES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The content type of the Prometheus text format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of the OpenMetrics text format.
const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    commit: &'static str,
    backend: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The registry and the handles the server updates.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    reviews: Counter,
    security_events: Family<EventLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
}

impl Metrics {
    /// A fresh registry; `backend` is the storage backend's name for `mastery_build_info`.
    pub fn new(backend: &'static str) -> Self {
        Self::with_commit(backend, "unknown")
    }

    /// The metrics of a server built from `commit` (shown in `mastery_build_info`).
    pub fn with_commit(backend: &'static str, commit: &'static str) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "mastery_http_requests",
            "HTTP requests answered, by route template, method and status code",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "mastery_http_request_duration_seconds",
            "Time from receiving a request to sending its response headers, by route template and method",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "mastery_http_requests_in_flight",
            "HTTP requests being handled now",
            in_flight.clone(),
        );
        let reviews = Counter::default();
        registry.register(
            "mastery_reviews_recorded",
            "Study reviews recorded by this instance (a retried review id is not counted again)",
            reviews.clone(),
        );
        let security_events = Family::<EventLabels, Counter>::default();
        registry.register(
            "mastery_security_events",
            "Security events of accounts seen by this instance, by kind (sign-in, sign-in-failed, locked-out, password-changed, two-factor-on, token-used, ...)",
            security_events.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "mastery_db_pool_connections",
            "Open database connections, idle or in use",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "mastery_db_pool_max",
            "The most database connections the pool opens",
            pool_max.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
                commit,
                backend,
            })
            .set(1);
        registry.register(
            "mastery_build_info",
            "Always 1: the version of Mastery, the commit it was built from and the storage backend",
            build,
        );
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        registry.register(
            "process_start_time_seconds",
            "Start time of the process since the Unix epoch in seconds",
            ConstGauge::new(started),
        );
        Self {
            registry,
            requests,
            latency,
            in_flight,
            reviews,
            security_events,
            pool_connections,
            pool_max,
        }
    }

    /// Counts a security event of an account (`kind` as `EventKind::as_str` names it).
    pub fn security_event(&self, kind: &'static str) {
        self.security_events
            .get_or_create(&EventLabels { kind })
            .inc();
    }

    /// Counts a review that was recorded (call it only for new ones, not for duplicates).
    pub fn review_recorded(&self) {
        self.reviews.inc();
    }

    /// Counts the reviews a mock interview fed to the scheduler when it finished.
    pub(crate) fn count_fed(&self, loaded: &mastery_app::interview::Loaded) {
        self.reviews.inc_by(loaded.fed_reviews as u64);
    }

    /// Counts an answer when it recorded a review; a retried review id counts nothing.
    pub(crate) fn count_answer(&self, answered: &mastery_app::study::Answered) {
        if matches!(answered, mastery_app::study::Answered::Recorded { .. }) {
            self.review_recorded();
        }
    }

    /// Requests being handled now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.get()
    }

    /// The metrics in the OpenMetrics text format.
    fn encode(&self, pool: Option<mastery_storage::PoolStats>) -> String {
        if let Some(pool) = pool {
            let gauge = |n: u32| i64::from(n);
            self.pool_connections
                .get_or_create(&PoolLabels { state: "idle" })
                .set(gauge(pool.idle));
            self.pool_connections
                .get_or_create(&PoolLabels { state: "in_use" })
                .set(gauge(pool.in_use()));
            self.pool_max.set(gauge(pool.max));
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::warn!("cannot encode the metrics");
        }
        text
    }
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsPolicy {
    /// Whether `/metrics` is served at all.
    pub enabled: bool,
    /// The peer addresses allowed to read it. A request that carries a proxy's forwarding
    /// header (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`) is refused whatever its peer:
    /// behind a reverse proxy on the same machine every peer is 127.0.0.1.
    pub allow: Vec<AllowedNet>,
}

impl Default for MetricsPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            allow: AllowedNet::loopback(),
        }
    }
}

/// An IP address or network (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedNet {
    addr: IpAddr,
    prefix: u8,
}

impl AllowedNet {
    /// `127.0.0.0/8` and `::1`: this machine only.
    pub fn loopback() -> Vec<Self> {
        vec![
            Self {
                addr: IpAddr::from([127, 0, 0, 0]),
                prefix: 8,
            },
            Self {
                addr: IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
                prefix: 128,
            },
        ]
    }

    /// Whether `ip` is in this network (an IPv4 address mapped into IPv6, as a dual-stack
    /// listener reports it, counts as the IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for AllowedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an IP address or a network like 10.0.0.0/8");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let addr = addr.to_canonical();
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            None => bits,
        };
        Ok(Self { addr, prefix })
    }
}

impl std::fmt::Display for AllowedNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bits = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == bits {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// A method as a label: the standard ones by name, anything else as `OTHER` (a client can
/// send any token as a method; it must not create series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Takes one off the in-flight gauge when the request ends, even when the client went away
/// and the request's future was dropped.
struct InFlight<'m>(&'m Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware (outermost): counts, times and logs every request.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let started = Instant::now();
    metrics.in_flight.inc();
    let _in_flight = InFlight(&metrics.in_flight);
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
            method,
        })
        .observe(elapsed.as_secs_f64());
    // Milliseconds to the microsecond.
    let latency_ms = (elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0;
    if QUIET_ROUTES.contains(&route.as_str()) {
        tracing::debug!(target: "mastery::http", method, route = %route, status, latency_ms, "request");
    } else {
        tracing::info!(target: "mastery::http", method, route = %route, status, latency_ms, "request");
    }
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status,
        })
        .inc();
    response
}

/// `GET /metrics`, for the peers `policy` allows: Prometheus text format 0.0.4, or
/// OpenMetrics when the scraper asks for it.
pub fn serve(
    metrics: &Metrics,
    pool: Option<mastery_storage::PoolStats>,
    policy: &MetricsPolicy,
    request: Request,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Err(why) = allowed(policy, peer, request.headers()) {
        tracing::debug!(?peer, why, "metrics refused");
        let mut response = (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return response;
    }
    let openmetrics = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let text = metrics.encode(pool);
    let (body, content_type) = if openmetrics {
        (text, OPENMETRICS_TEXT)
    } else {
        (to_prometheus_text(&text), PROMETHEUS_TEXT)
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn allowed(
    policy: &MetricsPolicy,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> Result<(), &'static str> {
    if ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h))
    {
        return Err("metrics are not served through a proxy: scrape the instance directly");
    }
    match peer {
        Some(ip) if policy.allow.iter().any(|net| net.contains(ip)) => Ok(()),
        _ => Err("metrics are not served to this address (see metrics_allow)"),
    }
}

/// OpenMetrics text as the Prometheus text format 0.0.4: counters are typed under their
/// `_total` name, and the `# UNIT` and `# EOF` lines go.
fn to_prometheus_text(openmetrics: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in openmetrics.lines() {
        if line.starts_with("# EOF") || line.starts_with("# UNIT ") {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("# TYPE ")
            .and_then(|rest| rest.strip_suffix(" counter"))
        {
            let help = format!("# HELP {name} ");
            if let Some(previous) = lines.last_mut()
                && let Some(text) = previous.strip_prefix(&help)
            {
                *previous = format!("# HELP {name}_total {text}");
            }
            lines.push(format!("# TYPE {name}_total counter"));
            continue;
        }
        lines.push(line.to_owned());
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse_and_match() {
        let net = |s: &str| s.parse::<AllowedNet>().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(net("10.0.0.0/8").contains(ip("10.200.1.2")));
        assert!(!net("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(net("192.168.1.5").contains(ip("192.168.1.5")));
        assert!(!net("192.168.1.5").contains(ip("192.168.1.6")));
        assert!(net("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(net("::1").contains(ip("::1")));
        assert!(net("fd00::/8").contains(ip("fd12::1")));
        assert!(!net("fd00::/8").contains(ip("10.0.0.1")));
        assert!(
            net("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")),
            "mapped IPv4"
        );
        assert_eq!(net("10.0.0.0/8").to_string(), "10.0.0.0/8");
        assert_eq!(net("::1").to_string(), "::1");
        for bad in ["", "10.0.0.0/33", "localhost", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<AllowedNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_allowed_peers_without_a_proxy_read_metrics() {
        let policy = MetricsPolicy::default();
        let none = HeaderMap::new();
        assert!(allowed(&policy, Some(IpAddr::from([127, 0, 0, 1])), &none).is_ok());
        assert!(allowed(&policy, Some(IpAddr::from([10, 0, 0, 1])), &none).is_err());
        assert!(allowed(&policy, None, &none).is_err(), "unknown peer");
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert!(allowed(&policy, Some(IpAddr::from([127, 0, 0, 1])), &proxied).is_err());
    }

    #[test]
    fn the_text_format_names_counters_with_total() {
        let m = Metrics::new("sqlite");
        m.review_recorded();
        m.requests
            .get_or_create(&RequestLabels {
                route: "/guides/{guide}".into(),
                method: "GET",
                status: 200,
            })
            .inc();
        m.latency
            .get_or_create(&RouteLabels {
                route: "/guides/{guide}".into(),
                method: "GET",
            })
            .observe(0.0015);
        let open = m.encode(Some(mastery_storage::PoolStats {
            size: 3,
            idle: 2,
            max: 5,
        }));
        assert!(open.ends_with("# EOF\n"), "{open}");
        let text = to_prometheus_text(&open);
        for expected in [
            "# TYPE mastery_reviews_recorded_total counter\n",
            "# HELP mastery_reviews_recorded_total Study reviews",
            "mastery_reviews_recorded_total 1\n",
            "mastery_http_requests_total{route=\"/guides/{guide}\",method=\"GET\",status=\"200\"} 1\n",
            "mastery_http_request_duration_seconds_bucket{le=\"0.001\",route=\"/guides/{guide}\",method=\"GET\"} 0\n",
            "mastery_http_request_duration_seconds_bucket{le=\"0.002\",route=\"/guides/{guide}\",method=\"GET\"} 1\n",
            "mastery_http_request_duration_seconds_bucket{le=\"+Inf\",route=\"/guides/{guide}\",method=\"GET\"} 1\n",
            "mastery_db_pool_connections{state=\"idle\"} 2\n",
            "mastery_db_pool_connections{state=\"in_use\"} 1\n",
            "mastery_db_pool_max 5\n",
            "# TYPE process_start_time_seconds gauge\n",
            "mastery_build_info{version=\"",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        assert!(
            !text.contains("# EOF") && !text.contains("# TYPE mastery_reviews_recorded counter")
        );
    }
}
