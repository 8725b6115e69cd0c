//! What the account pages show.

use askama::Template;

use crate::layout::{Choice, Layout};

/// A form's mistakes, each shown next to its field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub current: Option<String>,
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
    pub sessions: Vec<SessionRow>,
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
