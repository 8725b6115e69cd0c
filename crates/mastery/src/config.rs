//! The settings of `mastery serve`, in layers: built-in defaults, then a `mastery.toml`
//! file, then `MASTERY_*` environment variables, then command-line flags (each layer wins
//! over the ones before it). `mastery config default` prints a commented file with every
//! key; `mastery config show` prints what `mastery serve` would use, and where it came from.
//!
//! Each key of the file is its environment variable without `MASTERY_`, in lower case
//! (`MASTERY_DATA_DIR` is `data_dir`); its flag is the key with dashes (`--data-dir`). The
//! file is the first of: `--config FILE` (or `MASTERY_CONFIG`; it must exist),
//! `./mastery.toml`, the platform config folder's `mastery/mastery.toml` (e.g.
//! `~/.config/mastery/mastery.toml`). Only that one file is read. Relative paths in it are
//! relative to the file's folder. A key the file does not know is an error naming the file,
//! the line and the keys it does know.
//!
//! The environment and flag layers are clap's (`env = ...`: a flag wins over its variable);
//! the fields of [`ServeArgs`] are `Option`s without clap defaults, so "not given" is seen
//! here and the file and then the defaults fill in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::builder::BoolishValueParser;
use mastery_web::AllowedNet;
use serde::Deserialize;

use crate::context::{self, DataArgs, GuidesArgs};

/// The address `mastery serve` listens on by default.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Seconds requests in flight get to finish on shutdown, by default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: f64 = 10.0;
/// The file name looked for in the working folder and the platform config folder.
pub const FILE_NAME: &str = "mastery.toml";

/// Arguments of `mastery serve` (and of `mastery config show`): `Option`s without clap
/// defaults, so that the file can sit between the defaults and the environment.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Read settings from this TOML file [default: ./mastery.toml, else
    /// ~/.config/mastery/mastery.toml, when present]. Environment variables and flags win
    /// over it; `mastery config default` prints an example.
    #[arg(long, env = "MASTERY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080]. Personal mode has no login:
    /// keep it on 127.0.0.1 unless you trust everyone who can reach the address.
    #[arg(long, env = "MASTERY_BIND", value_name = "ADDR:PORT")]
    pub bind: Option<SocketAddr>,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub guides: GuidesArgs,
    /// A host name this server may be reached by, besides IP addresses and `localhost`
    /// (repeatable), e.g. when it runs behind a reverse proxy under a domain name. Requests
    /// for any other name are refused, which stops DNS-rebinding attacks.
    #[arg(
        long = "allowed-host",
        env = "MASTERY_ALLOWED_HOSTS",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Author mode: reload the --guides folders when their files change and show content
    /// errors in the browser instead of refusing to start.
    #[arg(
        long,
        env = "MASTERY_WATCH",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub watch: Option<bool>,
    /// Mark cookies `Secure` (when users reach Mastery over HTTPS, through a proxy).
    #[arg(
        long,
        env = "MASTERY_SECURE_COOKIES",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub secure_cookies: Option<bool>,
    /// Who uses this server: `personal` (one learner, no sign-in) or `multi-user`
    /// (accounts, roles, sessions; see docs/multi-user.md) [default: personal].
    #[arg(long, env = "MASTERY_MODE", value_enum, value_name = "MODE")]
    pub mode: Option<ServerMode>,
    /// A reverse proxy (address or network) whose X-Forwarded-For and X-Forwarded-Proto
    /// are believed (repeatable) [default: none]: then the client address is the one it
    /// names, and cookies are Secure when it says the request came over HTTPS.
    #[arg(
        long = "trusted-proxy",
        env = "MASTERY_TRUSTED_PROXIES",
        value_name = "NET",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<AllowedNet>,
    /// Multi-user mode: the fewest characters of a new password, 8 to 1024 [default: 15].
    #[arg(long, env = "MASTERY_MIN_PASSWORD_LENGTH", value_name = "CHARS")]
    pub min_password_length: Option<usize>,
    /// Multi-user mode: hours without a request after which a session ends [default: 72].
    #[arg(long, env = "MASTERY_SESSION_IDLE_HOURS", value_name = "HOURS")]
    pub session_idle_hours: Option<u32>,
    /// Multi-user mode: days after signing in at which a session ends, used or not
    /// [default: 30].
    #[arg(long, env = "MASTERY_SESSION_LIFETIME_DAYS", value_name = "DAYS")]
    pub session_lifetime_days: Option<u32>,
    /// Log lines as text (for people) or JSON (one object per line, for log collectors;
    /// includes a line per request) [default: text].
    #[arg(long, env = "MASTERY_LOG_FORMAT", value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// What to log, as a tracing filter [default: warn for text, info for JSON].
    #[arg(long = "log", env = "MASTERY_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Serve Prometheus metrics at /metrics [default: true]; `--metrics=false` turns them
    /// off.
    #[arg(
        long,
        env = "MASTERY_METRICS",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub metrics: Option<bool>,
    /// An address or network allowed to read /metrics (repeatable) [default: 127.0.0.0/8
    /// and ::1]. Requests through a proxy are always refused.
    #[arg(
        long = "metrics-allow",
        env = "MASTERY_METRICS_ALLOW",
        value_name = "NET",
        value_delimiter = ','
    )]
    pub metrics_allow: Vec<AllowedNet>,
    /// Seconds requests in flight get to finish after Ctrl-C or SIGTERM [default: 10].
    #[arg(long, env = "MASTERY_SHUTDOWN_TIMEOUT", value_name = "SECONDS")]
    pub shutdown_timeout: Option<f64>,
    /// Multi-user mode: the SMTP server that sends e-mail (address confirmation, password
    /// reset links, notices of changes), as `smtp://USER:PASSWORD@HOST:587` (STARTTLS) or
    /// `smtps://…@HOST:465` [default: none: no e-mail]. Needs --mail-from and --public-url.
    #[arg(long, env = "MASTERY_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Multi-user mode: the sender of e-mail, like `Mastery <noreply@example.org>`.
    #[arg(long, env = "MASTERY_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// The site's address as people reach it, like `https://mastery.example.org` (for
    /// links in e-mail).
    #[arg(long, env = "MASTERY_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

/// Who uses the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ServerMode {
    /// One learner, no sign-in.
    #[default]
    Personal,
    /// Accounts, roles and sessions.
    MultiUser,
}

impl ServerMode {
    /// Its name in the file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerMode::Personal => "personal",
            ServerMode::MultiUser => "multi-user",
        }
    }
}

/// How log lines are written (to standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: one line per event, coloured on a terminal.
    #[default]
    Text,
    /// For log collectors: one JSON object per line.
    Json,
}

impl LogFormat {
    fn as_str(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }

    /// The log filter used when none is set: quiet for a person, requests for collectors.
    pub fn default_filter(self) -> &'static str {
        match self {
            LogFormat::Text => "warn",
            LogFormat::Json => "info",
        }
    }
}

/// An entry of `metrics_allow` in the file (parsed where it stands, so an error has a line).
#[derive(Debug, Clone, Copy)]
struct Net(AllowedNet);

impl<'de> Deserialize<'de> for Net {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Net).map_err(serde::de::Error::custom)
    }
}

/// `mastery.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    bind: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    guides: Option<Vec<PathBuf>>,
    watch: Option<bool>,
    allowed_hosts: Option<Vec<String>>,
    secure_cookies: Option<bool>,
    mode: Option<ServerMode>,
    trusted_proxies: Option<Vec<Net>>,
    min_password_length: Option<usize>,
    session_idle_hours: Option<u32>,
    session_lifetime_days: Option<u32>,
    log_format: Option<LogFormat>,
    log: Option<String>,
    metrics: Option<bool>,
    metrics_allow: Option<Vec<Net>>,
    shutdown_timeout: Option<f64>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    public_url: Option<String>,
    single_sign_on: Option<SingleSignOnFile>,
}

/// `[single_sign_on]` of `mastery.toml` (see docs/multi-user.md).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SingleSignOnFile {
    name: String,
    issuer: String,
    client_id: String,
    /// Or `MASTERY_SSO_CLIENT_SECRET`, which wins.
    #[serde(default)]
    client_secret: String,
    redirect_url: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    groups_claim: Option<String>,
    #[serde(default)]
    admin_groups: Vec<String>,
    #[serde(default)]
    moderator_groups: Vec<String>,
    #[serde(default)]
    allow_sign_ups: bool,
    #[serde(default)]
    allow_http: bool,
}

impl std::fmt::Debug for SingleSignOnFile {
    /// Never prints the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleSignOnFile")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// The variable that holds the client secret of single sign-on (kept out of the file).
pub const SSO_SECRET_VARIABLE: &str = "MASTERY_SSO_CLIENT_SECRET";

/// The single sign-on settings of the file, with the secret from the environment when set,
/// checked.
fn single_sign_on(
    file: Option<SingleSignOnFile>,
    mode: ServerMode,
) -> anyhow::Result<Option<mastery_web::SingleSignOn>> {
    let Some(file) = file else {
        return Ok(None);
    };
    if mode != ServerMode::MultiUser {
        bail!("[single_sign_on] needs mode = \"multi-user\"");
    }
    let client_secret = match std::env::var(SSO_SECRET_VARIABLE) {
        Ok(secret) if !secret.is_empty() => secret,
        _ => file.client_secret,
    };
    let sso = mastery_web::SingleSignOn {
        name: file.name,
        issuer: file.issuer,
        client_id: file.client_id,
        client_secret,
        redirect_url: file.redirect_url,
        scopes: file.scopes,
        groups_claim: file.groups_claim,
        admin_groups: file.admin_groups,
        moderator_groups: file.moderator_groups,
        allow_sign_ups: file.allow_sign_ups,
        allow_http: file.allow_http,
    };
    sso.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(sso))
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The settings file.
    File,
    /// A `MASTERY_*` variable or a flag (clap does not say which; the flag wins).
    Command,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "settings file",
            Source::Command => "environment or command line",
        }
    }
}

/// The settings `mastery serve` runs with, once every layer is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    /// The settings file read, if any.
    pub file: Option<PathBuf>,
    pub bind: SocketAddr,
    /// `None`: the platform data folder.
    pub data_dir: Option<PathBuf>,
    /// `None`: `sqlite://DATA_DIR/mastery.db`.
    pub database_url: Option<String>,
    pub guides: Vec<PathBuf>,
    pub watch: bool,
    pub allowed_hosts: Vec<String>,
    pub secure_cookies: bool,
    pub mode: ServerMode,
    pub trusted_proxies: Vec<AllowedNet>,
    pub min_password_length: usize,
    pub session_idle_hours: u32,
    pub session_lifetime_days: u32,
    pub log_format: LogFormat,
    /// `None`: [`LogFormat::default_filter`].
    pub log: Option<String>,
    pub metrics: bool,
    pub metrics_allow: Vec<AllowedNet>,
    pub shutdown_timeout: Duration,
    /// `None`: no e-mail.
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub public_url: Option<String>,
    /// `[single_sign_on]`, when the file has it (its secret never shown).
    pub single_sign_on: Option<mastery_web::SingleSignOn>,
    /// Where each key came from, in the order of the example file.
    pub sources: Vec<(&'static str, Source)>,
}

impl ServeConfig {
    /// The log filter in effect.
    pub fn log_filter(&self) -> &str {
        self.log
            .as_deref()
            .unwrap_or(self.log_format.default_filter())
    }

    /// Who may read `/metrics`.
    pub fn metrics_policy(&self) -> mastery_web::MetricsPolicy {
        mastery_web::MetricsPolicy {
            enabled: self.metrics,
            allow: self.metrics_allow.clone(),
        }
    }
}

/// Finds and reads the settings file: `explicit` (which must exist), else `./mastery.toml`,
/// else the platform config folder's `mastery/mastery.toml`, if present.
fn read_file(explicit: Option<&Path>) -> anyhow::Result<Option<(PathBuf, File)>> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let candidates = [
                Some(PathBuf::from(FILE_NAME)),
                dirs::config_dir().map(|d| d.join("mastery").join(FILE_NAME)),
            ];
            match candidates.into_iter().flatten().find(|p| p.is_file()) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read the settings file {} (named by --config or MASTERY_CONFIG)",
            path.display()
        )
    })?;
    let file = parse(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?;
    Ok(Some((path, file)))
}

/// Parses the text of a settings file; an error reads `LINE:COLUMN: message`.
fn parse(text: &str) -> Result<File, String> {
    toml::from_str::<File>(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        });
        format!("{line}:{column}: {}", e.message().trim_end())
    })
}

/// A list from the command line, or `None` when it gave none (empty means "not given").
fn nonempty<T: Clone>(v: &[T]) -> Option<Vec<T>> {
    (!v.is_empty()).then(|| v.to_vec())
}

/// Paths in the file are relative to its folder.
fn relative_to(base: Option<&Path>, path: PathBuf) -> PathBuf {
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    }
}

/// A database location from the file: a relative SQLite path is relative to the file's
/// folder, like every other path in it; URLs of other databases are left as they are.
fn database_relative_to(base: Option<&Path>, url: String) -> String {
    let Some(base) = base.and_then(Path::to_str) else {
        return url;
    };
    let (scheme, path) = if let Some(path) = url.strip_prefix("sqlite://") {
        ("sqlite://", path)
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        ("sqlite:", path)
    } else if url.contains("://") {
        return url;
    } else {
        ("", url.as_str())
    };
    if path.is_empty() || path.starts_with(':') || Path::new(path).is_absolute() {
        return url;
    }
    format!("{scheme}{}", Path::new(base).join(path).display())
}

/// Applies the layers: `args` (flags over environment) over the file over the defaults.
pub fn resolve(args: &ServeArgs) -> anyhow::Result<ServeConfig> {
    let (path, file) = match read_file(args.config.as_deref())? {
        Some((path, file)) => (Some(path), file),
        None => (None, File::default()),
    };
    let base = path.as_deref().and_then(Path::parent);
    let mut sources = Vec::new();
    // One layer step: the command's value, else the file's, else the default.
    macro_rules! layer {
        ($key:literal, $command:expr, $file:expr, $default:expr) => {{
            let (value, source) = match ($command, $file) {
                (Some(v), _) => (v, Source::Command),
                (None, Some(v)) => (v, Source::File),
                (None, None) => ($default, Source::Default),
            };
            sources.push(($key, source));
            value
        }};
    }
    let default_bind: SocketAddr = DEFAULT_BIND
        .parse()
        .context("the built-in default address")?;
    let bind = layer!("bind", args.bind, file.bind, default_bind);
    let data_dir = layer!(
        "data_dir",
        args.data.data_dir.clone().map(Some),
        file.data_dir.map(|p| Some(relative_to(base, p))),
        None
    );
    let database_url = layer!(
        "database_url",
        args.data.database.clone().map(Some),
        file.database_url
            .map(|u| Some(database_relative_to(base, u))),
        None
    );
    let guides = layer!(
        "guides",
        nonempty(&args.guides.guides),
        file.guides.map(|g| g
            .into_iter()
            .map(|p| relative_to(base, p))
            .collect::<Vec<_>>()),
        Vec::new()
    );
    let watch = layer!("watch", args.watch, file.watch, false);
    let allowed_hosts = layer!(
        "allowed_hosts",
        nonempty(&args.allowed_hosts),
        file.allowed_hosts,
        Vec::new()
    );
    let secure_cookies = layer!(
        "secure_cookies",
        args.secure_cookies,
        file.secure_cookies,
        false
    );
    let mode = layer!("mode", args.mode, file.mode, ServerMode::Personal);
    let trusted_proxies = layer!(
        "trusted_proxies",
        nonempty(&args.trusted_proxies),
        file.trusted_proxies
            .map(|nets| nets.into_iter().map(|n| n.0).collect::<Vec<_>>()),
        Vec::new()
    );
    let min_password_length = layer!(
        "min_password_length",
        args.min_password_length,
        file.min_password_length,
        mastery_app::accounts::password::DEFAULT_MIN_PASSWORD_CHARS
    );
    mastery_app::accounts::password::PasswordRules::with_min(min_password_length)
        .map_err(|e| anyhow::anyhow!("min_password_length: {e}"))?;
    let session_idle_hours = layer!(
        "session_idle_hours",
        args.session_idle_hours,
        file.session_idle_hours,
        72
    );
    let session_lifetime_days = layer!(
        "session_lifetime_days",
        args.session_lifetime_days,
        file.session_lifetime_days,
        30
    );
    if session_idle_hours == 0 || session_lifetime_days == 0 {
        bail!("session_idle_hours and session_lifetime_days must be at least 1");
    }
    let log_format = layer!(
        "log_format",
        args.log_format,
        file.log_format,
        LogFormat::Text
    );
    let log = layer!("log", args.log.clone().map(Some), file.log.map(Some), None);
    let metrics = layer!("metrics", args.metrics, file.metrics, true);
    let metrics_allow = layer!(
        "metrics_allow",
        nonempty(&args.metrics_allow),
        file.metrics_allow
            .map(|nets| nets.into_iter().map(|n| n.0).collect::<Vec<_>>()),
        AllowedNet::loopback()
    );
    let seconds = layer!(
        "shutdown_timeout",
        args.shutdown_timeout,
        file.shutdown_timeout,
        DEFAULT_SHUTDOWN_TIMEOUT
    );
    let shutdown_timeout = Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| *d <= Duration::from_secs(3600))
        .with_context(|| {
            format!("shutdown_timeout is a number of seconds from 0 to 3600, not {seconds}")
        })?;
    let smtp_url = layer!(
        "smtp_url",
        args.smtp_url.clone().map(Some),
        file.smtp_url.map(Some),
        None
    );
    let mail_from = layer!(
        "mail_from",
        args.mail_from.clone().map(Some),
        file.mail_from.map(Some),
        None
    );
    let public_url = layer!(
        "public_url",
        args.public_url.clone().map(Some),
        file.public_url.map(Some),
        None
    );
    if smtp_url.is_some() && (mail_from.is_none() || public_url.is_none()) {
        bail!(
            "smtp_url is set, so e-mail needs mail_from (the sender, like \"Mastery <noreply@example.org>\") and public_url (the site's address for links, like \"https://mastery.example.org\") too"
        );
    }
    let single_sign_on = single_sign_on(file.single_sign_on, mode)?;
    if let Some(filter) = &log
        && let Err(e) = tracing_subscriber::EnvFilter::try_new(filter)
    {
        bail!(
            "log = {filter:?} is not a log filter (e.g. \"info\" or \"warn,mastery=debug\"): {e}"
        );
    }
    Ok(ServeConfig {
        file: path,
        bind,
        data_dir,
        database_url,
        guides,
        watch,
        allowed_hosts,
        secure_cookies,
        mode,
        trusted_proxies,
        min_password_length,
        session_idle_hours,
        session_lifetime_days,
        log_format,
        log,
        metrics,
        metrics_allow,
        shutdown_timeout,
        smtp_url,
        mail_from,
        public_url,
        single_sign_on,
        sources,
    })
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list<T: ToString>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(|i| quote(&i.to_string())).collect();
    format!("[{}]", items.join(", "))
}

/// The example `mastery.toml`: every key, its meaning, its variable and flag, and its
/// default. Keys without a fixed default are commented out.
pub fn default_file() -> String {
    let loopback = list(&AllowedNet::loopback());
    format!(
        r#"# mastery.toml: settings of `mastery serve`.
#
# Precedence, lowest to highest: built-in defaults < this file < MASTERY_* environment
# variables < command-line flags. Each key's variable is MASTERY_ and the key in capitals;
# its flag is the key with dashes. `mastery serve` reads the first of: --config FILE (or
# MASTERY_CONFIG), ./mastery.toml, ~/.config/mastery/mastery.toml (the platform config
# folder). Relative paths here are relative to this file's folder. Unknown keys are errors.
# `mastery config show` prints the settings in effect and where each came from.
#
# Every value below is the default.

# Address and port to listen on. Personal mode has no login: keep it on 127.0.0.1 unless
# you trust everyone who can reach the address. (MASTERY_BIND, --bind)
bind = "{DEFAULT_BIND}"

# Where Mastery keeps its data [default: the platform data folder, e.g.
# ~/.local/share/mastery]. (MASTERY_DATA_DIR, --data-dir)
# data_dir = "/var/lib/mastery"

# The database [default: sqlite://DATA_DIR/mastery.db]; a relative SQLite path is relative
# to this file. A password in it is never shown by Mastery, but prefer the environment
# variable for secrets. (MASTERY_DATABASE_URL, --database)
# database_url = "sqlite:///var/lib/mastery/mastery.db"

# Guide folders to load next to the built-in guides. (MASTERY_GUIDES, comma-separated;
# --guides, repeatable)
guides = []

# Author mode: reload the guide folders when their files change and show content errors
# in the browser. (MASTERY_WATCH, --watch)
watch = false

# Host names this server may be reached by, besides IP addresses and localhost (e.g. its
# domain name behind a reverse proxy); other names are refused (DNS rebinding).
# (MASTERY_ALLOWED_HOSTS, comma-separated; --allowed-host, repeatable)
allowed_hosts = []

# Mark cookies Secure: set it when users reach Mastery over HTTPS (through a proxy).
# (MASTERY_SECURE_COOKIES, --secure-cookies)
secure_cookies = false

# Who uses this server: "personal" (one learner, no sign-in: keep it on loopback) or
# "multi-user" (accounts, roles and sessions; see docs/multi-user.md). (MASTERY_MODE,
# --mode)
mode = "personal"

# Reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are
# believed: the client address is then the one the proxy names (for attempt limits), and
# cookies are Secure when it says the request came over HTTPS. (MASTERY_TRUSTED_PROXIES,
# comma-separated; --trusted-proxy, repeatable)
trusted_proxies = []

# Multi-user mode: the fewest characters of a new password, 8 to 1024 (NIST SP 800-63B asks
# 15 when the password is the only factor). (MASTERY_MIN_PASSWORD_LENGTH,
# --min-password-length)
min_password_length = 15

# Multi-user mode: a session ends after this many hours without a request, and this many
# days after signing in, whichever comes first. (MASTERY_SESSION_IDLE_HOURS,
# --session-idle-hours; MASTERY_SESSION_LIFETIME_DAYS, --session-lifetime-days)
session_idle_hours = 72
session_lifetime_days = 30

# "text" for people, "json" for log collectors (one object per line on standard error,
# with a line per request: method, route, status, latency). (MASTERY_LOG_FORMAT,
# --log-format)
log_format = "text"

# What to log, as a tracing filter [default: "warn" with text logs, "info" with JSON logs,
# which includes one line per request]. (MASTERY_LOG, --log)
# log = "info,sqlx=warn"

# Serve Prometheus metrics at /metrics. (MASTERY_METRICS, --metrics)
metrics = true

# The peer addresses or networks allowed to read /metrics. Requests carrying a proxy's
# forwarding header are always refused: scrape each instance directly, and block /metrics
# at a reverse proxy. (MASTERY_METRICS_ALLOW, comma-separated; --metrics-allow)
metrics_allow = {loopback}

# Seconds requests in flight get to finish after Ctrl-C or SIGTERM before they are cut
# off. (MASTERY_SHUTDOWN_TIMEOUT, --shutdown-timeout)
shutdown_timeout = {DEFAULT_SHUTDOWN_TIMEOUT}

# Multi-user mode's e-mail (confirming addresses, password-reset links, notices of changed
# passwords and sign-in settings), through this SMTP server: smtp://USER:PASSWORD@HOST:587
# (STARTTLS required), smtps://USER:PASSWORD@HOST:465 (TLS), or smtp://127.0.0.1:25?tls=none
# for a relay on this machine. Without it these features are off and the pages say so.
# Prefer the environment variable for the password. (MASTERY_SMTP_URL, --smtp-url)
# smtp_url = "smtp://mastery:PASSWORD@smtp.example.org:587"

# The sender of that e-mail. (MASTERY_MAIL_FROM, --mail-from)
# mail_from = "Mastery <noreply@example.org>"

# The site's address as people reach it, for links in e-mail. (MASTERY_PUBLIC_URL,
# --public-url)
# public_url = "https://mastery.example.org"
# Multi-user mode: "Sign in with NAME" through an OpenID Connect provider (Keycloak, Google,
# Microsoft Entra ID, Authentik...); see docs/multi-user.md. Only in this file; the secret
# may instead come from MASTERY_SSO_CLIENT_SECRET, which wins. Never shown or logged.
# [single_sign_on]
# name = "Example SSO"
# issuer = "https://sso.example.org/realms/staff"
# client_id = "mastery"
# client_secret = "..."
# redirect_url = "https://mastery.example.org/sign-in/sso/callback"  # default: from the request
# scopes = ["email", "profile"]
# groups_claim = "groups"                   # roles follow these groups at each sign-in
# admin_groups = ["mastery-admins"]
# moderator_groups = ["mastery-moderators"]
# allow_sign_ups = false                    # true: the provider may create accounts even
#                                           # when registration is by invitation or closed
# allow_http = false                        # plain http:// to a provider not on loopback
"#
    )
}

/// The settings in effect as a settings file, each line saying where its value came from.
pub fn show(config: &ServeConfig) -> String {
    let source = |key: &str| {
        config
            .sources
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("default", |(_, s)| s.as_str())
    };
    let paths = |p: &[PathBuf]| {
        list(
            &p.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let mut out = String::from("# The settings `mastery serve` would use here.\n");
    match &config.file {
        Some(file) => out.push_str(&format!("# Settings file: {}\n", file.display())),
        None => out.push_str(&format!(
            "# Settings file: none (looked for ./{FILE_NAME} and {})\n",
            dirs::config_dir().map_or_else(
                || "the platform config folder".to_owned(),
                |d| d.join("mastery").join(FILE_NAME).display().to_string()
            )
        )),
    }
    let mut line = |key: &str, value: Option<String>| match value {
        Some(v) => out.push_str(&format!("{key} = {v}  # {}\n", source(key))),
        None => out.push_str(&format!("# {key}: not set ({})\n", source(key))),
    };
    line("bind", Some(quote(&config.bind.to_string())));
    line(
        "data_dir",
        config
            .data_dir
            .as_ref()
            .map(|d| quote(&d.display().to_string())),
    );
    line(
        "database_url",
        config
            .database_url
            .as_ref()
            .map(|u| quote(&context::redact(u))),
    );
    line("guides", Some(paths(&config.guides)));
    line("watch", Some(config.watch.to_string()));
    line("allowed_hosts", Some(list(&config.allowed_hosts)));
    line("secure_cookies", Some(config.secure_cookies.to_string()));
    line("mode", Some(quote(config.mode.as_str())));
    line("trusted_proxies", Some(list(&config.trusted_proxies)));
    line(
        "min_password_length",
        Some(config.min_password_length.to_string()),
    );
    line(
        "session_idle_hours",
        Some(config.session_idle_hours.to_string()),
    );
    line(
        "session_lifetime_days",
        Some(config.session_lifetime_days.to_string()),
    );
    line("log_format", Some(quote(config.log_format.as_str())));
    line("log", config.log.as_ref().map(|l| quote(l)));
    line("metrics", Some(config.metrics.to_string()));
    line("metrics_allow", Some(list(&config.metrics_allow)));
    line(
        "shutdown_timeout",
        Some(config.shutdown_timeout.as_secs_f64().to_string()),
    );
    line(
        "smtp_url",
        config.smtp_url.as_ref().map(|u| quote(&context::redact(u))),
    );
    line("mail_from", config.mail_from.as_ref().map(|m| quote(m)));
    line("public_url", config.public_url.as_ref().map(|u| quote(u)));
    match &config.single_sign_on {
        Some(sso) => out.push_str(&format!(
            "# single_sign_on: {} at {}, client {} (the secret is not shown)\n",
            quote(&sso.name),
            quote(&sso.issuer),
            quote(&sso.client_id)
        )),
        None => out.push_str("# single_sign_on: not set up\n"),
    }
    out
}

/// Arguments of `mastery config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Print an example mastery.toml: every key, commented, with its default.
    Default,
    /// Print the settings `mastery serve` would use with these options, and where each
    /// came from.
    Show(Box<ServeArgs>),
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Default => print!("{}", default_file()),
        Action::Show(serve) => print!("{}", show(&resolve(serve)?)),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Every key, in the order of the example file.
    const KEYS: [&str; 20] = [
        "bind",
        "data_dir",
        "database_url",
        "guides",
        "watch",
        "allowed_hosts",
        "secure_cookies",
        "mode",
        "trusted_proxies",
        "min_password_length",
        "session_idle_hours",
        "session_lifetime_days",
        "log_format",
        "log",
        "metrics",
        "metrics_allow",
        "shutdown_timeout",
        "smtp_url",
        "mail_from",
        "public_url",
    ];

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn args(argv: &[&str]) -> ServeArgs {
        Cli::try_parse_from(std::iter::once("mastery").chain(argv.iter().copied()))
            .unwrap()
            .serve
    }

    #[test]
    fn the_example_file_parses_to_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mastery.toml");
        std::fs::write(&path, default_file()).unwrap();
        let from_file = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap();
        assert_eq!(from_file.bind.to_string(), DEFAULT_BIND);
        assert_eq!(from_file.shutdown_timeout, Duration::from_secs(10));
        assert_eq!(from_file.metrics_allow, AllowedNet::loopback());
        assert!(from_file.metrics && !from_file.watch && !from_file.secure_cookies);
        assert_eq!(from_file.log_format, LogFormat::Text);
        assert_eq!(from_file.log_filter(), "warn");
        assert!(from_file.data_dir.is_none() && from_file.database_url.is_none());
        // Every key of the file is documented, and the file sets nothing a default does not.
        for key in KEYS {
            assert!(
                default_file().contains(&format!("\n{key} = "))
                    || default_file().contains(&format!("\n# {key} = ")),
                "{key}"
            );
        }
        let empty = dir.path().join("empty.toml");
        std::fs::write(&empty, "").unwrap();
        let defaults = resolve(&args(&["--config", empty.to_str().unwrap()])).unwrap();
        assert!(defaults.sources.iter().all(|(_, s)| *s == Source::Default));
        let strip = |c: ServeConfig| ServeConfig {
            file: None,
            sources: Vec::new(),
            ..c
        };
        assert_eq!(strip(from_file), strip(defaults));
    }

    #[test]
    fn relative_sqlite_paths_in_the_file_are_relative_to_it() {
        let base = Some(Path::new("/etc/mastery"));
        let cases = [
            ("sqlite://data/m.db", "sqlite:///etc/mastery/data/m.db"),
            ("sqlite:m.db", "sqlite:/etc/mastery/m.db"),
            ("m.db", "/etc/mastery/m.db"),
            ("sqlite:///var/lib/m.db", "sqlite:///var/lib/m.db"),
            ("/var/lib/m.db", "/var/lib/m.db"),
            ("sqlite::memory:", "sqlite::memory:"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("sqlite://", "sqlite://"),
        ];
        for (given, resolved) in cases {
            assert_eq!(
                database_relative_to(base, given.into()),
                resolved,
                "{given}"
            );
        }
        assert_eq!(database_relative_to(None, "m.db".into()), "m.db");
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:9001\"\nwatch = true\nguides = [\"mine\"]\nshutdown_timeout = 2.5\nlog_format = \"json\"\n",
        )
        .unwrap();
        let config = path.to_str().unwrap();
        let c = resolve(&args(&["--config", config])).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:9001");
        assert!(c.watch);
        assert_eq!(
            c.guides,
            vec![dir.path().join("mine")],
            "relative to the file"
        );
        assert_eq!(c.shutdown_timeout, Duration::from_millis(2500));
        assert_eq!(c.log_filter(), "info", "JSON logs include requests");
        let c = resolve(&args(&[
            "--config",
            config,
            "--bind",
            "127.0.0.1:9002",
            "--watch=false",
            "--guides",
            "other",
        ]))
        .unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:9002");
        assert!(!c.watch);
        assert_eq!(c.guides, vec![PathBuf::from("other")], "flags: as given");
        assert!(
            c.sources.contains(&("bind", Source::Command))
                && c.sources.contains(&("log_format", Source::File))
                && c.sources.contains(&("metrics", Source::Default))
        );
    }

    #[test]
    fn mistakes_in_the_file_name_line_and_keys() {
        let err = parse("bind = \"127.0.0.1:1\"\n\nbnd = 3\n").unwrap_err();
        assert!(err.starts_with("3:1: unknown field `bnd`"), "{err}");
        assert!(
            err.contains("`bind`") && err.contains("`shutdown_timeout`"),
            "{err}"
        );
        let err = parse("metrics_allow = [\"::1\", \"nope\"]\n").unwrap_err();
        assert!(
            err.starts_with("1:17:") && err.contains("`nope` is not an IP address"),
            "{err}"
        );
        let err = parse("log_format = \"xml\"\n").unwrap_err();
        assert!(err.starts_with("1:14:") && err.contains("`text`"), "{err}");
        let err = parse("watch = yes\n").unwrap_err();
        assert!(err.starts_with("1:9:"), "{err}");
    }

    #[test]
    fn bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        std::fs::write(&path, "shutdown_timeout = -1\n").unwrap();
        let err = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert!(err.to_string().contains("shutdown_timeout"), "{err}");
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "").unwrap();
        let err = resolve(&args(&[
            "--config",
            good.to_str().unwrap(),
            "--log",
            "[bad",
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("not a log filter"), "{err:#}");
        let missing = dir.path().join("missing.toml");
        let err = resolve(&args(&["--config", missing.to_str().unwrap()])).unwrap_err();
        assert!(
            err.to_string().contains("cannot read the settings file"),
            "{err}"
        );
    }

    #[test]
    fn show_prints_a_file_that_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        std::fs::write(&path, "database_url = \"postgres://u:secret@h/db\"\n").unwrap();
        let c = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap();
        let text = show(&c);
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("# settings file"), "{text}");
        parse(&text).unwrap();
    }

    #[test]
    fn single_sign_on_is_read_checked_and_its_secret_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        let write = |extra: &str| {
            std::fs::write(
                &path,
                format!(
                    "mode = \"multi-user\"\n[single_sign_on]\nname = \"Staff SSO\"\n\
                     issuer = \"https://sso.example.org/realms/staff\"\n\
                     client_id = \"mastery\"\nclient_secret = \"file-s3cret\"\n{extra}"
                ),
            )
            .unwrap();
        };
        write("groups_claim = \"groups\"\nadmin_groups = [\"ops\"]\n");
        let c = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap();
        let sso = c.single_sign_on.clone().unwrap();
        assert_eq!(sso.issuer, "https://sso.example.org/realms/staff");
        assert_eq!(sso.admin_groups, ["ops"]);
        assert!(!sso.allow_sign_ups && !sso.allow_http);
        let text = show(&c);
        assert!(
            text.contains("Staff SSO") && !text.contains("s3cret"),
            "{text}"
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        parse(&text).unwrap();
        // Unknown keys, a plain-HTTP issuer elsewhere than loopback, personal mode: refused.
        write("colour = \"blue\"\n");
        let err = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        std::fs::write(
            &path,
            "mode = \"multi-user\"\n[single_sign_on]\nname = \"X\"\n\
             issuer = \"http://sso.example.org\"\nclient_id = \"m\"\nclient_secret = \"s\"\n",
        )
        .unwrap();
        let err = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        std::fs::write(
            &path,
            "[single_sign_on]\nname = \"X\"\nissuer = \"https://sso.example.org\"\n\
             client_id = \"m\"\nclient_secret = \"s\"\n",
        )
        .unwrap();
        let err = resolve(&args(&["--config", path.to_str().unwrap()])).unwrap_err();
        assert!(err.to_string().contains("multi-user"), "{err}");
    }
}
