//! `mastery user`, `mastery invite` and `mastery token`: the operator's commands for the
//! accounts of a multi-user database (SQLite or PostgreSQL), run beside or without the
//! server.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use mastery_app::AppError;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::password::{DEFAULT_MIN_PASSWORD_CHARS, PasswordRules};
use mastery_app::accounts::{AccountPolicy, Accounts, SignUp, access_tokens, names};
use mastery_storage::{Account, LearnerId, Role, Storage, TokenScope};

use crate::context::{self, DataArgs};
use crate::runtime;

/// Arguments of `mastery user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    action: UserAction,
}

#[derive(Debug, clap::Subcommand)]
enum UserAction {
    /// Create an account. Its password is generated and printed once, unless
    /// --password-stdin reads it from standard input.
    Add {
        #[command(flatten)]
        data: DataArgs,
        /// The username (3 to 32 letters, digits, '_', '-', '.').
        name: String,
        /// The private e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Make it an admin (the same as --role admin). The first admin of a database that
        /// was used in personal mode takes over its data.
        #[arg(long, conflicts_with = "role")]
        admin: bool,
        /// Its role.
        #[arg(long, value_parser = ["learner", "moderator", "admin"], default_value = "learner")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The fewest characters of the password (as the server's min_password_length).
        #[arg(long, default_value_t = DEFAULT_MIN_PASSWORD_CHARS)]
        min_password_length: usize,
    },
    /// List the accounts: username, role, state, e-mail, creation date.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Change an account's role.
    Role {
        #[command(flatten)]
        data: DataArgs,
        /// The username or e-mail address.
        name: String,
        /// The new role.
        #[arg(value_parser = ["learner", "moderator", "admin"])]
        role: String,
    },
    /// Disable an account: it cannot sign in, and its sessions end now.
    Disable {
        #[command(flatten)]
        data: DataArgs,
        /// The username or e-mail address.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        #[command(flatten)]
        data: DataArgs,
        /// The username or e-mail address.
        name: String,
    },
    /// Set a new password (generated and printed once, or read with --password-stdin);
    /// every session of the account ends.
    ResetPassword {
        #[command(flatten)]
        data: DataArgs,
        /// The username or e-mail address.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The fewest characters of the password (as the server's min_password_length).
        #[arg(long, default_value_t = DEFAULT_MIN_PASSWORD_CHARS)]
        min_password_length: usize,
    },
    /// Delete an account and everything it owns (marks, notes, reviews, interviews,
    /// settings, sessions). Needs --yes.
    Delete {
        #[command(flatten)]
        data: DataArgs,
        /// The username or e-mail address.
        name: String,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
}

/// Arguments of `mastery invite`.
#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    #[command(subcommand)]
    action: InviteAction,
}

#[derive(Debug, clap::Subcommand)]
enum InviteAction {
    /// Create an invitation link; it is printed once (only a digest is stored).
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// A label for you ("cohort 12").
        #[arg(long, default_value = "")]
        label: String,
        /// Days it stays valid (1 to 365).
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
        days: i64,
        /// How many accounts it may create (1 to 10000).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        uses: i64,
        /// The server's address, to print a whole link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// List the invitations: number, label, expiry, uses, status.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke an invitation by its number (from `mastery invite list`).
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        /// The invitation's number.
        id: i64,
    },
}

/// Arguments of `mastery token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    action: TokenAction,
}

#[derive(Debug, clap::Subcommand)]
enum TokenAction {
    /// Create a personal access token for an account's scripts; it is printed once (only a
    /// digest is stored). Send it as `Authorization: Bearer TOKEN` to /api/v1.
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// The account's username or e-mail address.
        #[arg(long)]
        user: String,
        /// What will use it ("backup script").
        #[arg(long)]
        label: String,
        /// What it may do: read (GET only) or write (read and change).
        #[arg(long, value_parser = ["read", "write"], default_value = "read")]
        scope: String,
        /// Days until it expires (1 to 3650); without it, it never expires.
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: Option<i64>,
    },
    /// List an account's tokens: number, scope, state, expiry, last use, label.
    List {
        #[command(flatten)]
        data: DataArgs,
        /// The account's username or e-mail address.
        #[arg(long)]
        user: String,
    },
    /// Revoke one of an account's tokens by its number (from `mastery token list`).
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        /// The account's username or e-mail address.
        #[arg(long)]
        user: String,
        /// The token's number.
        id: i64,
    },
}

impl TokenAction {
    fn data(&self) -> &DataArgs {
        match self {
            TokenAction::Create { data, .. }
            | TokenAction::List { data, .. }
            | TokenAction::Revoke { data, .. } => data,
        }
    }
}

impl UserAction {
    fn data(&self) -> &DataArgs {
        match self {
            UserAction::Add { data, .. }
            | UserAction::List { data }
            | UserAction::Role { data, .. }
            | UserAction::Disable { data, .. }
            | UserAction::Enable { data, .. }
            | UserAction::ResetPassword { data, .. }
            | UserAction::Delete { data, .. } => data,
        }
    }
}

impl InviteAction {
    fn data(&self) -> &DataArgs {
        match self {
            InviteAction::Create { data, .. }
            | InviteAction::List { data }
            | InviteAction::Revoke { data, .. } => data,
        }
    }
}

fn accounts(min_password_length: usize) -> anyhow::Result<Accounts> {
    let passwords = PasswordRules::with_min(min_password_length).map_err(anyhow::Error::msg)?;
    Ok(Accounts::new(AccountPolicy {
        passwords,
        ..AccountPolicy::default()
    }))
}

/// An application error as a message for the operator.
fn say(error: AppError) -> anyhow::Error {
    match error {
        AppError::Field { field, message } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::Error::new(other),
    }
}

async fn find(store: &dyn Storage, name: &str) -> anyhow::Result<Account> {
    store
        .account_by_key(&names::login_key(name))
        .await
        .context("cannot read the accounts")?
        .with_context(|| format!("there is no account {name:?}; `mastery user list` shows them"))
}

/// The password to set: the first line of standard input, or a generated one (printed).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        if std::io::stdin().is_terminal() {
            eprintln!("Password (it is shown as you type; end with Enter):");
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let line = line.trim_end_matches(['\n', '\r']).to_owned();
        if line.is_empty() {
            bail!("standard input held no password");
        }
        Ok((line, false))
    } else {
        Ok((
            mastery_app::accounts::password::generate().map_err(anyhow::Error::new)?,
            true,
        ))
    }
}

fn day(ms: i64) -> String {
    let date = mastery_study::stats::Date::of_day(ms.div_euclid(24 * 60 * 60 * 1000));
    date.to_string()
}

/// `mastery user ...`.
pub fn run_user(args: &UserArgs) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let data = args.action.data();
        let db = context::open_store(data.data_dir.as_deref(), data.database.as_deref()).await?;
        let store = db.store.as_ref();
        let now = mastery_storage::now();
        match &args.action {
            UserAction::Add {
                name,
                email,
                admin,
                role,
                password_stdin,
                min_password_length,
                ..
            } => {
                let role = if *admin {
                    Role::Admin
                } else {
                    Role::parse(role)?
                };
                let (password, generated) = password(*password_stdin)?;
                let form = SignUp {
                    username: name,
                    email: email.as_deref().unwrap_or(""),
                    password: &password,
                };
                let learner = accounts(*min_password_length)?
                    .add(store, &form, role, now)
                    .await
                    .map_err(say)?;
                let account = store.account(learner).await?.context("the new account")?;
                println!("Created {} ({role}).", account.username);
                if generated {
                    println!("Password (shown once): {password}");
                }
            }
            UserAction::List { .. } => {
                let all = store.accounts().await.context("cannot read the accounts")?;
                if all.is_empty() {
                    println!("No accounts.");
                }
                for a in all {
                    println!(
                        "{:<32} {:<9} {:<8} {:<40} created {}",
                        a.username,
                        a.role.as_str(),
                        if a.disabled_at.is_some() { "disabled" } else { "active" },
                        a.email.as_deref().unwrap_or("-"),
                        day(a.created_at)
                    );
                }
            }
            UserAction::Role { name, role, .. } => {
                let account = find(store, name).await?;
                let role = Role::parse(role)?;
                accounts(DEFAULT_MIN_PASSWORD_CHARS)?
                    .set_role(store, account.learner, role)
                    .await
                    .map_err(say)?;
                println!("{} is now {role}.", account.username);
            }
            UserAction::Disable { name, .. } | UserAction::Enable { name, .. } => {
                let disable = matches!(args.action, UserAction::Disable { .. });
                let account = find(store, name).await?;
                accounts(DEFAULT_MIN_PASSWORD_CHARS)?
                    .set_disabled(store, account.learner, disable, now)
                    .await
                    .map_err(say)?;
                if disable {
                    println!("{} is disabled; its sessions have ended.", account.username);
                } else {
                    println!("{} is enabled.", account.username);
                }
            }
            UserAction::ResetPassword {
                name,
                password_stdin,
                min_password_length,
                ..
            } => {
                let account = find(store, name).await?;
                let (password, generated) = password(*password_stdin)?;
                accounts(*min_password_length)?
                    .reset_password(store, account.learner, &password, now)
                    .await
                    .map_err(say)?;
                println!(
                    "The password of {} was reset; its sessions have ended.",
                    account.username
                );
                if generated {
                    println!("Password (shown once): {password}");
                }
            }
            UserAction::Delete { name, yes, .. } => {
                let account = find(store, name).await?;
                if !yes {
                    bail!(
                        "deleting {} removes the account and all its data for good; add --yes to confirm",
                        account.username
                    );
                }
                accounts(DEFAULT_MIN_PASSWORD_CHARS)?
                    .delete(store, account.learner)
                    .await
                    .map_err(say)?;
                println!("Deleted {} and all its data.", account.username);
            }
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// `mastery invite ...`.
pub fn run_invite(args: &InviteArgs) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let data = args.action.data();
        let db = context::open_store(data.data_dir.as_deref(), data.database.as_deref()).await?;
        let store = db.store.as_ref();
        let now = mastery_storage::now();
        match &args.action {
            InviteAction::Create {
                label,
                days,
                uses,
                base_url,
                ..
            } => {
                let new = accounts(DEFAULT_MIN_PASSWORD_CHARS)?
                    .create_invite(
                        store,
                        None::<LearnerId>,
                        label,
                        now + days * 24 * 60 * 60 * 1000,
                        *uses,
                        now,
                    )
                    .await
                    .map_err(say)?;
                println!(
                    "Invitation {} (valid {days} day(s), {uses} account(s)); the link, shown once:",
                    new.invite.id
                );
                println!(
                    "{}/sign-up?invite={}",
                    base_url.trim_end_matches('/'),
                    new.token
                );
            }
            InviteAction::List { .. } => {
                let all = store
                    .invites()
                    .await
                    .context("cannot read the invitations")?;
                if all.is_empty() {
                    println!("No invitations.");
                }
                for i in all {
                    let status = i.status(now);
                    println!(
                        "{:>5}  {:<8} used {}/{}  expires {}  {}",
                        i.id,
                        status,
                        i.uses,
                        i.max_uses,
                        day(i.expires_at),
                        i.label
                    );
                }
            }
            InviteAction::Revoke { id, .. } => {
                if !store.revoke_invite(*id, now).await? {
                    bail!("there is no open invitation {id}; `mastery invite list` shows them");
                }
                println!("Invitation {id} is revoked.");
            }
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// `mastery token ...`.
pub fn run_token(args: &TokenArgs) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let data = args.action.data();
        let db = context::open_store(data.data_dir.as_deref(), data.database.as_deref()).await?;
        let store = db.store.as_ref();
        let now = mastery_storage::now();
        match &args.action {
            TokenAction::Create {
                user,
                label,
                scope,
                days,
                ..
            } => {
                let account = find(store, user).await?;
                let scope = TokenScope::parse(scope)?;
                let expires_at = days.map(|d| now + d * 24 * 60 * 60 * 1000);
                let new =
                    access_tokens::create(store, account.learner, label, scope, expires_at, now)
                        .await
                        .map_err(say)?;
                mastery_app::accounts::events::record(
                    store,
                    account.learner,
                    EventKind::TokenCreated,
                    None,
                    "mastery token create",
                    now,
                )
                .await
                .map_err(say)?;
                println!(
                    "Token {} for {} ({}, {}); shown once:",
                    new.token.id,
                    account.username,
                    scope.as_str(),
                    match days {
                        Some(d) => format!("expires in {d} day(s)"),
                        None => "never expires".to_owned(),
                    }
                );
                println!("{}", new.secret);
            }
            TokenAction::List { user, .. } => {
                let account = find(store, user).await?;
                let all = store
                    .api_tokens(account.learner)
                    .await
                    .context("cannot read the tokens")?;
                if all.is_empty() {
                    println!("{} has no tokens.", account.username);
                }
                for t in all {
                    println!(
                        "{:>5}  {:<5}  {:<7}  expires {:<10}  last used {:<10}  {}",
                        t.id,
                        t.scope.as_str(),
                        t.status(now),
                        t.expires_at.map_or_else(|| "never".to_owned(), day),
                        t.last_used_at.map_or_else(|| "never".to_owned(), day),
                        t.label
                    );
                }
            }
            TokenAction::Revoke { user, id, .. } => {
                let account = find(store, user).await?;
                access_tokens::revoke(store, account.learner, *id, now)
                    .await
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "{} has no active token {id}; `mastery token list --user {}` shows them",
                            account.username,
                            account.username
                        )
                    })?;
                mastery_app::accounts::events::record(
                    store,
                    account.learner,
                    EventKind::TokenRevoked,
                    None,
                    "mastery token revoke",
                    now,
                )
                .await
                .map_err(say)?;
                println!("Token {id} of {} is revoked.", account.username);
            }
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
