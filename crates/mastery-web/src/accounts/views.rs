//! What the account pages show.

use askama::Template;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::error_page::form_with_errors;
use crate::interviews::time::when;
use crate::layout::{Choice, Layout};

/// "6 Dec 2026, 07:30 UTC".
pub(crate) fn utc(ms: mastery_storage::Millis) -> String {
    let at = when(ms, 0);
    format!("{}, {} UTC", at.date, at.time)
}

/// A page with the status of its mistake, kept as it is by the error layer.
pub(crate) fn with_status(page: Response, status: StatusCode) -> Response {
    let mut page = form_with_errors(page);
    *page.status_mut() = status;
    page
}

/// A page refused by a limit: 429 with `Retry-After` (when the error says how long).
pub(crate) fn with_retry_after(page: Response, limited: &mastery_app::AppError) -> Response {
    let mut page = with_status(page, StatusCode::TOO_MANY_REQUESTS);
    if let mastery_app::AppError::TooMany {
        retry_after_secs, ..
    } = limited
    {
        page.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(*retry_after_secs),
        );
    }
    page
}

/// A form's mistakes, each shown next to its field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub current: Option<String>,
    pub code: Option<String>,
    pub label: Option<String>,
    pub expires: Option<String>,
    /// A mistake that belongs to no one field (shown above the button).
    pub general: Option<String>,
}

impl FieldErrors {
    /// The errors with `message` on `field` (an unknown field goes to `general`).
    pub fn on(field: &str, message: String) -> Self {
        let mut errors = Self::default();
        match field {
            "username" => errors.username = Some(message),
            "email" => errors.email = Some(message),
            "password" => errors.password = Some(message),
            "current" => errors.current = Some(message),
            "code" => errors.code = Some(message),
            "label" => errors.label = Some(message),
            "expires" => errors.expires = Some(message),
            _ => errors.general = Some(message),
        }
        errors
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub layout: Layout,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
    pub can_sign_up: bool,
    /// Whether this site sends e-mail ("Forgot your password?" then sends a link).
    pub mail_on: bool,
    /// The single sign-on provider's name, when one is set up.
    pub single_sign_on: Option<String>,
}

/// The e-mail pages: "Forgot your password?", the new password of a reset link, and what
/// a link did.
#[derive(Template)]
#[template(path = "email.html")]
pub struct EmailPage {
    pub layout: Layout,
    pub heading: String,
    /// Whether this site sends e-mail.
    pub mail_on: bool,
    /// Which form to show: `forgot`, `reset`, or none (`verified`, `signed-out`, empty).
    pub form: String,
    /// The reset link's token (posted back).
    pub token: String,
    pub login: String,
    /// What happened, in words.
    pub message: String,
    pub min_password: usize,
    pub errors: FieldErrors,
}

/// Sign-up, by open registration, an invitation or the setup link.
#[derive(Template)]
#[template(path = "sign_up.html")]
pub struct SignUpPage {
    pub layout: Layout,
    pub heading: String,
    pub intro: String,
    /// Where the form posts (with its invitation or setup token).
    pub action: String,
    pub username: String,
    pub email: String,
    pub min_password: usize,
    pub errors: FieldErrors,
    /// Registration is closed or the link is unusable: the form is not shown.
    pub closed: bool,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub username: String,
    pub role: String,
    pub email: String,
    pub member_since: String,
    pub min_password: usize,
    pub two_factor_on: bool,
    /// Whether this site sends e-mail, and whether the address is confirmed.
    pub mail_on: bool,
    pub email_verified: bool,
    pub sessions: Vec<SessionRow>,
    /// What the member shows of themselves (public profile, display name, leaderboard).
    pub profile_public: bool,
    pub display_name: String,
    pub on_leaderboard: bool,
    pub errors: FieldErrors,
    /// Which form the errors belong to (`email`, `password`, `delete`).
    pub errors_for: String,
    /// A line saying what just happened.
    pub notice: String,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role_choices: Vec<Choice>,
    pub created: String,
    pub disabled: bool,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    pub registration_choices: Vec<Choice>,
    pub private: bool,
    /// Moderators and admins must use two-factor sign-in.
    pub staff_two_factor: bool,
    pub notice: String,
    /// A temporary password just set by a reset, shown once.
    pub temporary: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct InviteRow {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub uses: String,
    pub status: String,
    pub usable: bool,
}

#[derive(Template)]
#[template(path = "admin_invites.html")]
pub struct AdminInvitesPage {
    pub layout: Layout,
    pub invites: Vec<InviteRow>,
    /// The link of an invitation just created, shown once.
    pub new_link: Option<String>,
    pub error: Option<String>,
}

/// One security event as the security page lists it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub what: String,
    pub at: String,
    pub client: String,
    pub device: String,
    /// Worth a second look (a failure, a change, a sign-in from a new place).
    pub notable: bool,
}

#[derive(Template)]
#[template(path = "account_security.html")]
pub struct SecurityPage {
    pub layout: Layout,
    pub events: Vec<EventRow>,
}

/// The second step of signing in: a code from the app or a recovery code.
#[derive(Template)]
#[template(path = "sign_in_code.html")]
pub struct SignInCodePage {
    pub layout: Layout,
    /// The signed proof that the password step passed (see `second_factor`).
    pub pending: String,
    pub next: String,
    pub error: Option<String>,
}

/// Two-factor sign-in on one's account: enrolment, the recovery codes once, or the state.
#[derive(Template)]
#[template(path = "account_two_factor.html")]
pub struct TwoFactorPage {
    pub layout: Layout,
    /// Whether it is on.
    pub on: bool,
    /// While enrolling: the secret as text and the QR code (an `<svg>` drawn by us).
    pub secret: String,
    pub qr_svg: String,
    /// Just turned on: the recovery codes, shown once.
    pub recovery_codes: Vec<String>,
    /// Unused recovery codes left (when on).
    pub codes_left: i64,
    /// The site asks moderators and admins to turn it on, and this account is one.
    pub required: bool,
    pub errors: FieldErrors,
    pub notice: String,
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub scope: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub status: String,
    pub active: bool,
}

/// Personal access tokens: the list, the form, a new token once.
#[derive(Template)]
#[template(path = "account_tokens.html")]
pub struct TokensPage {
    pub layout: Layout,
    pub tokens: Vec<TokenRow>,
    /// A token just created, shown once.
    pub new_token: Option<String>,
    pub label: String,
    pub errors: FieldErrors,
    pub notice: String,
}
