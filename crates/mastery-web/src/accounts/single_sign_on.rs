//! Single sign-on with an OpenID Connect provider (authorization code flow with PKCE):
//! the "Sign in with …" button, the provider's answer, and the confirmation that links an
//! identity to an existing account. What happens to accounts is
//! `mastery_app::accounts::single_sign_on`; this module speaks the protocol.
//!
//! 1. `POST /sign-in/sso` (a form with the CSRF token) reads the provider's discovery
//!    document, stores a **pending sign-in** (the SHA-256 digest of a fresh `state`, the
//!    digest of this browser's session id, a fresh nonce and PKCE verifier, five minutes)
//!    and sends the browser to the provider with the state, the nonce and the S256 code
//!    challenge.
//! 2. `GET /sign-in/sso/callback?code=…&state=…` takes (deletes) the pending sign-in of the
//!    state: a state is used once, by the browser that started it, within five minutes.
//!    Then the code and the verifier are exchanged for tokens, and the ID token's signature
//!    (the provider's published keys), issuer, audience (this client alone), expiry and
//!    nonce are checked by `openidconnect`. Anything wrong answers a 4xx page and creates
//!    nothing.
//! 3. The account found or created signs in as after a password: through the two-factor
//!    step when the account has it on (the provider's own factors do not replace ours).
//!    An identity whose verified e-mail address belongs to an account gets
//!    `POST /sign-in/sso/link`, which asks for that account's password first; the proof
//!    carried between the two is signed with the site's key, names the identity, the
//!    account, this browser's session and an expiry, and lapses when the password changes.
//!
//! The requests to the provider run on a blocking thread with ureq (no redirects followed,
//! ten seconds at most). Plain `http://` is refused unless the issuer is on a loopback
//! address or the operator allowed it ([`SingleSignOn::allow_http`]).

use std::net::IpAddr;
use std::time::Duration;

use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::header::{HeaderMap, HeaderValue, LOCATION};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mastery_app::AppError;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::limits::Guessed;
use mastery_app::accounts::single_sign_on::{Claims, SsoOutcome, SsoRules};
use mastery_app::accounts::{limits, tokens, two_factor};
use mastery_storage::{Account as StoredAccount, LearnerId, Millis, SsoPending};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    HttpRequest, HttpResponse, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    SyncHttpClient, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::access::account_service;
use crate::accounts::activity::{device_of, note};
use crate::accounts::entry::{finish_sign_in, next_or_home};
use crate::accounts::second_factor::{code_page, pending_proof};
use crate::accounts::views::with_status;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::{Session, constant_time_eq, signed};
use crate::state::{AppState, now};

/// How long the provider has to send the browser back, and the password step to follow.
const PENDING_FOR: Millis = 5 * 60 * 1000;

/// How long one request to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read from the provider.
const MAX_PROVIDER_BYTES: u64 = 1024 * 1024;

/// The operator's settings of single sign-on (`[single_sign_on]` in `mastery.toml`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SingleSignOn {
    /// The provider's name on the button ("Sign in with Example").
    pub name: String,
    /// The issuer URL: discovery reads `ISSUER/.well-known/openid-configuration`.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (never logged or shown).
    pub client_secret: String,
    /// The redirect URL registered at the provider; `None`: this site's
    /// `/sign-in/sso/callback` on the host and scheme of the request.
    pub redirect_url: Option<String>,
    /// Scopes asked besides `openid` (`email` and `profile` when empty).
    pub scopes: Vec<String>,
    /// The claim of the ID token that lists the person's groups (`None`: no role mapping).
    pub groups_claim: Option<String>,
    /// Groups whose members are admins.
    pub admin_groups: Vec<String>,
    /// Groups whose members are moderators.
    pub moderator_groups: Vec<String>,
    /// The provider may create accounts even when registration is by invitation or closed.
    pub allow_sign_ups: bool,
    /// Plain `http://` to a provider that is not on loopback (never in production).
    pub allow_http: bool,
}

impl std::fmt::Debug for SingleSignOn {
    /// Never prints the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleSignOn")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .field("groups_claim", &self.groups_claim)
            .field("allow_sign_ups", &self.allow_sign_ups)
            .finish_non_exhaustive()
    }
}

impl SingleSignOn {
    /// Checks the settings: every field needed is there and the issuer is HTTPS (or plain
    /// HTTP on loopback, or allowed). The message names the key.
    ///
    /// # Errors
    ///
    /// What is wrong, for the operator.
    pub fn check(&self) -> Result<(), String> {
        for (key, value) in [
            ("name", &self.name),
            ("issuer", &self.issuer),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
        ] {
            if value.trim().is_empty() {
                return Err(format!("single_sign_on.{key} is missing"));
            }
        }
        IssuerUrl::new(self.issuer.clone())
            .map_err(|e| format!("single_sign_on.issuer is not a URL: {e}"))?;
        let issuer: Uri = self
            .issuer
            .parse()
            .map_err(|e| format!("single_sign_on.issuer is not a URL: {e}"))?;
        if !self.reachable(&issuer) {
            return Err(
                "single_sign_on.issuer must be https:// (plain http:// only on a loopback \
                 address, or with single_sign_on.allow_http = true)"
                    .into(),
            );
        }
        if let Some(url) = &self.redirect_url {
            RedirectUrl::new(url.clone())
                .map_err(|e| format!("single_sign_on.redirect_url is not a URL: {e}"))?;
        }
        Ok(())
    }

    /// Whether a request to this URL may go out: HTTPS, or HTTP to loopback (or allowed).
    fn reachable(&self, uri: &Uri) -> bool {
        match uri.scheme_str() {
            Some("https") => true,
            Some("http") => self.allow_http || uri.host().is_some_and(is_loopback),
            _ => false,
        }
    }

    fn rules(&self) -> SsoRules {
        SsoRules {
            allow_sign_ups: self.allow_sign_ups,
            maps_roles: self.groups_claim.is_some()
                && !(self.admin_groups.is_empty() && self.moderator_groups.is_empty()),
            admin_groups: self.admin_groups.clone(),
            moderator_groups: self.moderator_groups.clone(),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

// ------------------------------------------------------------------ the protocol

/// The ID token's claims beyond the standard ones (the groups claim is read from here).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    rest: std::collections::HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type TokenFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type Tokens = StandardTokenResponse<TokenFields, CoreTokenType>;

type OidcClient<AuthUrl, TokenUrl, UserInfoUrl> = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    AuthUrl,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    TokenUrl,
    UserInfoUrl,
>;

type DiscoveredClient = OidcClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Why a request to the provider failed.
#[derive(Debug, thiserror::Error)]
enum HttpError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Transport(#[from] ureq::Error),
    #[error("{0}")]
    Http(#[from] openidconnect::http::Error),
}

/// The HTTP client of the requests to the provider: ureq, no redirects (a redirect could
/// send the client secret elsewhere), a timeout, a size limit, HTTPS only (see
/// [`SingleSignOn::reachable`]).
struct Http<'a> {
    agent: ureq::Agent,
    settings: &'a SingleSignOn,
}

impl<'a> Http<'a> {
    fn new(settings: &'a SingleSignOn) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(PROVIDER_TIMEOUT))
            .build()
            .into();
        Self { agent, settings }
    }
}

impl SyncHttpClient for Http<'_> {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        if !self.settings.reachable(request.uri()) {
            return Err(HttpError::Refused(format!(
                "the provider named a URL that is not HTTPS: {}",
                request.uri()
            )));
        }
        let response = self.agent.run(request)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body.with_config().limit(MAX_PROVIDER_BYTES).read_to_vec()?;
        let mut answer = openidconnect::http::Response::builder().status(parts.status);
        for (name, value) in &parts.headers {
            answer = answer.header(name, value);
        }
        Ok(answer.body(bytes)?)
    }
}

/// A failure of the protocol, with what the person is told.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: &'static str,
    cause: String,
}

impl Failure {
    fn new(status: StatusCode, message: &'static str, cause: impl std::fmt::Display) -> Self {
        Self {
            status,
            message,
            cause: cause.to_string(),
        }
    }
}

const PROVIDER_UNREACHABLE: &str = "The sign-in provider could not be reached or gave an answer we cannot use. Try again in \
     a moment, or sign in with your password.";

fn discover(settings: &SingleSignOn, http: &Http<'_>) -> Result<CoreProviderMetadata, Failure> {
    let issuer = IssuerUrl::new(settings.issuer.clone())
        .map_err(|e| Failure::new(StatusCode::BAD_GATEWAY, PROVIDER_UNREACHABLE, e))?;
    CoreProviderMetadata::discover(&issuer, http)
        .map_err(|e| Failure::new(StatusCode::BAD_GATEWAY, PROVIDER_UNREACHABLE, e))
}

fn client(
    settings: &SingleSignOn,
    http: &Http<'_>,
    redirect: &str,
) -> Result<DiscoveredClient, Failure> {
    let metadata = discover(settings, http)?;
    let redirect = RedirectUrl::new(redirect.to_owned())
        .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, PROVIDER_UNREACHABLE, e))?;
    Ok(DiscoveredClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// The provider's authorization URL for a pending sign-in.
fn authorization_url(
    settings: &SingleSignOn,
    redirect: &str,
    state: String,
    nonce: String,
    verifier: String,
) -> Result<String, Failure> {
    let http = Http::new(settings);
    let client = client(settings, &http, redirect)?;
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier));
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(state),
            move || Nonce::new(nonce),
        )
        .set_pkce_challenge(challenge);
    let scopes = if settings.scopes.is_empty() {
        vec!["email".to_owned(), "profile".to_owned()]
    } else {
        settings.scopes.clone()
    };
    for scope in scopes {
        request = request.add_scope(Scope::new(scope));
    }
    let (url, _, _) = request.url();
    Ok(url.to_string())
}

const NOT_SIGNED_IN: &str = "The sign-in provider's answer could not be checked, so you are not \
     signed in. Start again from the sign-in page.";

/// Exchanges the code and checks the ID token; its claims.
fn redeem(
    settings: &SingleSignOn,
    pending: &SsoPending,
    code: String,
    at: Millis,
) -> Result<Claims, Failure> {
    let http = Http::new(settings);
    let client = client(settings, &http, &pending.redirect_url)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Failure::new(StatusCode::BAD_GATEWAY, PROVIDER_UNREACHABLE, e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request(&http)
        .map_err(|e| match e {
            openidconnect::RequestTokenError::ServerResponse(_) => {
                Failure::new(StatusCode::BAD_REQUEST, NOT_SIGNED_IN, e)
            }
            other => Failure::new(StatusCode::BAD_GATEWAY, PROVIDER_UNREACHABLE, other),
        })?;
    let id_token = tokens.id_token().ok_or_else(|| {
        Failure::new(StatusCode::BAD_GATEWAY, PROVIDER_UNREACHABLE, "no ID token")
    })?;
    let clock = chrono_of(at);
    let verifier = client.id_token_verifier().set_time_fn(move || clock);
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, NOT_SIGNED_IN, e))?;
    let groups = settings
        .groups_claim
        .as_ref()
        .and_then(|name| claims.additional_claims().rest.get(name))
        .map(groups_of)
        .unwrap_or_default();
    Ok(Claims {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified() == Some(true),
        preferred_username: claims.preferred_username().map(|u| u.to_string()),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        groups,
    })
}

/// A groups claim as names: a list of strings, or one string.
fn groups_of(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(one) => vec![one.clone()],
        serde_json::Value::Array(many) => many
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Our clock as the crate's (the verifier checks expiry against it).
fn chrono_of(at: Millis) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(at).unwrap_or_default()
}

// ------------------------------------------------------------------ the pages

fn settings(state: &AppState) -> Result<&SingleSignOn, WebError> {
    account_service(state)?;
    state
        .settings()
        .single_sign_on
        .as_ref()
        .ok_or_else(|| WebError::NotFound("single sign-on is not set up on this site".into()))
}

/// Takes one attempt from the client address's limit (sign-ins per minute, shared by
/// every instance).
async fn limited(state: &AppState, session: &Session) -> Result<(), WebError> {
    let key = format!("sso-ip:{}", limits::client_group(session.client));
    let per_minute = i64::from(state.limits().sign_ins_per_minute.max(1));
    match state
        .store()
        .take_rate(&key, now(), (60_000 / per_minute).max(1), per_minute)
        .await?
    {
        None => Ok(()),
        Some(wait) => {
            let retry_after_secs = u64::try_from(wait.saturating_add(999) / 1000)
                .unwrap_or(1)
                .max(1);
            Err(AppError::TooMany {
                message: format!(
                    "Too many sign-ins from your network: try again in {retry_after_secs} seconds."
                ),
                retry_after_secs,
            }
            .into())
        }
    }
}

fn refused(failure: &Failure) -> WebError {
    tracing::warn!(cause = %failure.cause, status = failure.status.as_u16(), "single sign-on refused");
    let message = failure.message.to_owned();
    // Never 401: the error pages send a 401 to the sign-in form, without the message.
    match failure.status {
        StatusCode::BAD_GATEWAY => WebError::BadGateway(message),
        _ => WebError::BadRequest(message),
    }
}

/// This site's callback URL, as the request reached it (or as configured).
fn redirect_url(settings: &SingleSignOn, session: &Session, headers: &HeaderMap) -> String {
    if let Some(url) = &settings.redirect_url {
        return url.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if session.secure { "https" } else { "http" };
    format!("{scheme}://{host}/sign-in/sso/callback")
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    next: Option<String>,
}

/// `POST /sign-in/sso`: sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Result<Response, WebError> {
    let settings = settings(&state)?.clone();
    let next = next_or_home(form.next.as_deref());
    if session.user.is_some() {
        return Ok(redirect_back(Some(&next)));
    }
    limited(&state, &session).await?;
    let (state_token, nonce, verifier) = (
        tokens::fresh_token()?,
        tokens::fresh_token()?,
        tokens::fresh_token()?,
    );
    let redirect = redirect_url(&settings, &session, &headers);
    let pending = SsoPending {
        state_hash: tokens::digest(&state_token),
        browser_hash: tokens::digest(&session.id),
        nonce: nonce.clone(),
        verifier: verifier.clone(),
        redirect_url: redirect.clone(),
        next,
        expires_at: now().saturating_add(PENDING_FOR),
    };
    let url = tokio::task::spawn_blocking(move || {
        authorization_url(&settings, &redirect, state_token, nonce, verifier)
    })
    .await
    .map_err(|e| WebError::Internal(anyhow::anyhow!("single sign-on thread: {e}")))?
    .map_err(|f| refused(&f))?;
    state.store().save_sso_pending(&pending, now()).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(&url)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("authorization URL: {e}")))?;
    response.headers_mut().insert(LOCATION, location);
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

const FORGED_STATE: &str = "This sign-in was not started in this browser, took longer than five \
     minutes, or was used already: nothing was done. Start again from the sign-in page.";

/// `GET /sign-in/sso/callback`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, WebError> {
    let settings = settings(&state)?.clone();
    let accounts = account_service(&state)?;
    limited(&state, &session).await?;
    let sent_state = query.state.unwrap_or_default();
    let pending = if tokens::is_token(&sent_state) {
        state
            .store()
            .take_sso_pending(&tokens::digest(&sent_state), now())
            .await?
    } else {
        None
    };
    // An error from the provider ends the sign-in whatever else it says (some providers
    // leave the state out of their errors): nothing is created either way.
    if let Some(error) = query.error {
        tracing::info!(
            error = %error.chars().take(64).collect::<String>(),
            "the provider did not sign the person in"
        );
        return Err(WebError::Forbidden(
            "The sign-in provider did not sign you in (it answered with an error). Nothing was \
             done: start again, or sign in with your password."
                .into(),
        ));
    }
    let Some(pending) =
        pending.filter(|p| constant_time_eq(&p.browser_hash, &tokens::digest(&session.id)))
    else {
        tracing::warn!("single sign-on answer with an unknown, expired or foreign state");
        return Err(WebError::BadRequest(FORGED_STATE.into()));
    };
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 4096) else {
        return Err(WebError::BadRequest(NOT_SIGNED_IN.into()));
    };
    let at = now();
    let pending_next = pending.next.clone();
    let claims = tokio::task::spawn_blocking(move || redeem(&settings, &pending, code, at))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("single sign-on thread: {e}")))?
        .map_err(|f| refused(&f))?;
    let rules = state
        .settings()
        .single_sign_on
        .as_ref()
        .map(SingleSignOn::rules)
        .unwrap_or_default();
    let outcome = accounts
        .single_sign_on(state.store(), &claims, &rules, now())
        .await
        .map_err(WebError::from)?;
    let next = next_or_home(Some(&pending_next));
    match outcome {
        SsoOutcome::Known(account) | SsoOutcome::Created(account) => {
            signed_in(&state, &session, &headers, &account, &next).await
        }
        SsoOutcome::ConfirmLink(account) => {
            let proof = link_proof(&state, &session, &account, &claims)?;
            Ok(render(&link_page(
                &state, &session, &account, proof, &next, None,
            )))
        }
    }
}

/// An account the provider vouched for: the second factor when it is on, else signed in.
async fn signed_in(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    account: &StoredAccount,
    next: &str,
) -> Result<Response, WebError> {
    if two_factor::is_on(state.store(), account.learner).await? {
        let proof = pending_proof(state, session, account);
        return Ok(code_page(state, session, proof, next, None));
    }
    finish_sign_in(state, session, headers, account, next).await
}

/// What the link step carries: the identity and the groups, as the provider said.
#[derive(Debug, Serialize, Deserialize)]
struct Carried {
    issuer: String,
    subject: String,
    groups: Vec<String>,
}

fn link_mac(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    expires: Millis,
    carried: &str,
) -> String {
    signed(
        state.csrf_key(),
        "mastery-sso-link",
        &[
            &account.learner.0.to_string(),
            &account.password_changed_at.to_string(),
            &expires.to_string(),
            carried,
            &session.id,
        ],
    )
}

/// `LEARNER.EXPIRES.CARRIED.MAC`, CARRIED the identity as hex-encoded JSON.
fn link_proof(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    claims: &Claims,
) -> Result<String, WebError> {
    let carried = serde_json::to_string(&Carried {
        issuer: claims.issuer.clone(),
        subject: claims.subject.clone(),
        groups: claims.groups.clone(),
    })
    .map_err(|e| WebError::Internal(e.into()))?;
    let carried = tokens::hex(carried.as_bytes());
    let expires = now().saturating_add(PENDING_FOR);
    let mac = link_mac(state, session, account, expires, &carried);
    Ok(format!("{}.{expires}.{carried}.{mac}", account.learner.0))
}

/// The account and identity a link proof names, if it is still good for this browser.
async fn proven(
    state: &AppState,
    session: &Session,
    proof: &str,
) -> Result<Option<(StoredAccount, Claims)>, WebError> {
    let mut parts = proof.splitn(4, '.');
    let (Some(learner), Some(expires), Some(carried), Some(mac)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let (Ok(learner), Ok(expires)) = (learner.parse::<i64>(), expires.parse::<Millis>()) else {
        return Ok(None);
    };
    if expires <= now() || carried.len() > 16 * 1024 {
        return Ok(None);
    }
    let Some(account) = state.store().account(LearnerId(learner)).await? else {
        return Ok(None);
    };
    if !constant_time_eq(&link_mac(state, session, &account, expires, carried), mac) {
        return Ok(None);
    }
    let Some(carried) =
        unhex(carried).and_then(|bytes| serde_json::from_slice::<Carried>(&bytes).ok())
    else {
        return Ok(None);
    };
    let claims = Claims {
        issuer: carried.issuer,
        subject: carried.subject,
        groups: carried.groups,
        ..Claims::default()
    };
    Ok(Some((account, claims)))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[derive(Template)]
#[template(path = "sign_in_sso_link.html")]
struct LinkPage {
    layout: Layout,
    provider: String,
    username: String,
    pending: String,
    next: String,
    error: Option<String>,
}

fn link_page(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    pending: String,
    next: &str,
    error: Option<String>,
) -> LinkPage {
    LinkPage {
        layout: Layout::new(state, Some(session), "Link your account", "/sign-in"),
        provider: state
            .settings()
            .single_sign_on
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        username: account.username.clone(),
        pending,
        next: next.to_owned(),
        error,
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pending: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /sign-in/sso/link`: the account's password links the identity and signs in.
pub async fn link(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Result<Response, WebError> {
    let rules = settings(&state)?.rules();
    let accounts = account_service(&state)?;
    let next = next_or_home(form.next.as_deref());
    let Some((account, claims)) = proven(&state, &session, &form.pending).await? else {
        return Err(WebError::BadRequest(FORGED_STATE.into()));
    };
    let again = |error: String, status: StatusCode| {
        with_status(
            render(&link_page(
                &state,
                &session,
                &account,
                form.pending.clone(),
                &next,
                Some(error),
            )),
            status,
        )
    };
    // Guesses of the password count like sign-ins to this account.
    match state
        .limits()
        .sign_in(
            state.store(),
            session.client,
            Guessed::Account(account.learner),
            now(),
        )
        .await
    {
        Ok(()) => {}
        Err(limited @ AppError::TooMany { .. }) => {
            return Ok(crate::accounts::views::with_retry_after(
                again(limited.to_string(), StatusCode::TOO_MANY_REQUESTS),
                &limited,
            ));
        }
        Err(other) => return Err(other.into()),
    }
    let device = device_of(&headers);
    let account = match accounts
        .link_single_sign_on(
            state.store(),
            &account,
            &form.password,
            &claims,
            &rules,
            now(),
        )
        .await
    {
        Ok(account) => account,
        Err(AppError::Field { message, .. }) => {
            note(
                &state,
                account.learner,
                EventKind::SignInFailed,
                &session,
                &device,
            )
            .await;
            return Ok(again(message, StatusCode::UNAUTHORIZED));
        }
        Err(other) => return Err(other.into()),
    };
    state
        .limits()
        .signed_in(state.store(), Guessed::Account(account.learner))
        .await?;
    note(
        &state,
        account.learner,
        EventKind::SingleSignOnLinked,
        &session,
        &device,
    )
    .await;
    signed_in(&state, &session, &headers, &account, &next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        let mut sso = SingleSignOn {
            name: "Example".into(),
            issuer: "http://127.0.0.1:9400".into(),
            client_id: "mastery".into(),
            client_secret: "s3cret".into(),
            ..SingleSignOn::default()
        };
        assert!(sso.check().is_ok());
        sso.issuer = "http://[::1]:9400".into();
        assert!(sso.check().is_ok());
        sso.issuer = "http://idp.example.org".into();
        assert!(sso.check().is_err());
        sso.allow_http = true;
        assert!(sso.check().is_ok());
        sso.issuer = "https://idp.example.org/realms/staff".into();
        sso.allow_http = false;
        assert!(sso.check().is_ok());
        sso.client_secret = String::new();
        assert!(sso.check().unwrap_err().contains("client_secret"));
    }

    #[test]
    fn the_secret_is_never_printed() {
        let sso = SingleSignOn {
            client_secret: "s3cret-value".into(),
            ..SingleSignOn::default()
        };
        assert!(!format!("{sso:?}").contains("s3cret"));
    }

    #[test]
    fn groups_are_a_list_or_one_name() {
        assert_eq!(groups_of(&serde_json::json!(["a", 1, "b"])), ["a", "b"]);
        assert_eq!(groups_of(&serde_json::json!("a")), ["a"]);
        assert!(groups_of(&serde_json::json!({"a": 1})).is_empty());
    }

    #[test]
    fn hex_goes_both_ways() {
        assert_eq!(unhex(&tokens::hex(b"{\"a\":1}")).unwrap(), b"{\"a\":1}");
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
    }
}
