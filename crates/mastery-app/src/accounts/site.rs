//! The site-wide rules an admin sets: who may register, and whether anonymous visitors see
//! anything at all.

use mastery_storage::Storage;

use crate::AppError;

const REGISTRATION: &str = "registration";
const PRIVATE: &str = "private";
const STAFF_TWO_FACTOR: &str = "staff-two-factor";

/// Who may create an account from the sign-up page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Registration {
    /// Anyone.
    Open,
    /// Whoever has a usable invitation link (the default).
    #[default]
    Invitation,
    /// Nobody: accounts come from admins (`mastery user add`).
    Closed,
}

impl Registration {
    /// Whether a team's invitation link may create an account: on an open site, or on a
    /// site by invitation when the team's admin lets its links (`team_open`).
    #[must_use]
    pub fn admits_team_sign_ups(self, team_open: bool) -> bool {
        match self {
            Registration::Open => true,
            Registration::Invitation => team_open,
            Registration::Closed => false,
        }
    }

    /// Every mode, in the order pages list them.
    pub const ALL: [Registration; 3] = [
        Registration::Open,
        Registration::Invitation,
        Registration::Closed,
    ];

    /// Its stored and form name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Invitation => "invitation",
            Registration::Closed => "closed",
        }
    }

    /// The mode of a name.
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] for another name.
    pub fn parse(name: &str) -> Result<Self, AppError> {
        Registration::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "registration is open, invitation or closed, not {name:?}"
                ))
            })
    }
}

/// The site-wide rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Site {
    /// Who may register.
    pub registration: Registration,
    /// Whether only signed-in people see anything (guides and search included).
    pub private: bool,
    /// Whether moderators and admins must use two-factor sign-in (they are sent to turn it
    /// on, and cannot use their powers before).
    pub staff_two_factor: bool,
}

impl Site {
    /// The rules as stored (defaults for what was never set).
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn load(store: &dyn Storage) -> Result<Self, AppError> {
        let registration = match store.site_setting(REGISTRATION).await? {
            Some(name) => Registration::parse(&name).unwrap_or_default(),
            None => Registration::default(),
        };
        let private = store.site_setting(PRIVATE).await?.as_deref() == Some("true");
        let staff_two_factor =
            store.site_setting(STAFF_TWO_FACTOR).await?.as_deref() == Some("true");
        Ok(Self {
            registration,
            private,
            staff_two_factor,
        })
    }

    /// Stores the rules.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn save(&self, store: &dyn Storage) -> Result<(), AppError> {
        store
            .set_site_setting(REGISTRATION, self.registration.as_str())
            .await?;
        store
            .set_site_setting(PRIVATE, if self.private { "true" } else { "false" })
            .await?;
        store
            .set_site_setting(
                STAFF_TWO_FACTOR,
                if self.staff_two_factor {
                    "true"
                } else {
                    "false"
                },
            )
            .await?;
        tracing::info!(
            registration = self.registration.as_str(),
            private = self.private,
            staff_two_factor = self.staff_two_factor,
            "site rules changed"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_and_invitation_is_the_default() {
        for mode in Registration::ALL {
            assert_eq!(Registration::parse(mode.as_str()).unwrap(), mode);
        }
        assert!(Registration::parse("everyone").is_err());
        assert_eq!(Site::default().registration, Registration::Invitation);
        assert!(!Site::default().private);
    }
}
