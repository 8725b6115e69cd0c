//! The community's settings, changed by an admin and kept in the site settings: its rules
//! (the reasons a member picks from when flagging a post), how many first posts of a new
//! member wait for approval, how long a member counts as new, and whether the moderation
//! log names moderators.

use mastery_storage::Storage;

use crate::AppError;

const RULES: &str = "community.rules";
const APPROVE_FIRST: &str = "community.approve_first";
const NEW_MEMBER_DAYS: &str = "community.new_member_days";
const SHOW_MODERATORS: &str = "community.show_moderators";

/// The rules a new community starts with.
pub const DEFAULT_RULES: &str = "\
Be kind: criticise ideas, not people; assume good faith.
Stay on the question: discuss the question the thread is attached to.
Be accurate: say what you know, link your sources, mark what you are unsure of.
Write in your own words: no copied answers or text you may not share.
No spam: no advertising, self-promotion or repeated posts.";

/// The most rules a community may have.
pub const MAX_RULES: usize = 30;
/// The longest rule name (the text before the first colon), in characters.
pub const MAX_RULE_NAME_CHARS: usize = 80;
/// The reason a member may always pick besides the rules.
pub const OTHER_REASON: &str = "Something else";

/// The community's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunitySettings {
    /// One rule per line: its name, a colon, what it means.
    pub rules: String,
    /// How many of a new member's first posts wait for a moderator (0: none).
    pub approve_first: u32,
    /// For how many days after joining a member has the tighter limits of new members.
    pub new_member_days: u32,
    /// Whether the moderation log names the moderator of each action.
    pub show_moderators: bool,
}

impl Default for CommunitySettings {
    fn default() -> Self {
        Self {
            rules: DEFAULT_RULES.into(),
            approve_first: 2,
            new_member_days: 7,
            show_moderators: true,
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its name: what a flag records.
    pub name: String,
    /// What it means.
    pub text: String,
}

impl CommunitySettings {
    /// The settings as stored, with defaults for what was never set.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn load(store: &dyn Storage) -> Result<Self, AppError> {
        let defaults = Self::default();
        // One read for the four (every question page asks).
        let stored = store.site_settings_under("community.").await?;
        let value = |name: &str| {
            stored
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let number = |value: Option<String>, default: u32| {
            value.and_then(|v| v.parse().ok()).unwrap_or(default)
        };
        Ok(Self {
            rules: value(RULES).unwrap_or(defaults.rules),
            approve_first: number(value(APPROVE_FIRST), defaults.approve_first),
            new_member_days: number(value(NEW_MEMBER_DAYS), defaults.new_member_days),
            show_moderators: value(SHOW_MODERATORS)
                .map_or(defaults.show_moderators, |v| v == "true"),
        })
    }

    /// Checks and stores the settings.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] naming the field that breaks a rule; storage errors.
    pub async fn save(&self, store: &dyn Storage) -> Result<(), AppError> {
        self.check()?;
        store.set_site_setting(RULES, self.rules.trim()).await?;
        store
            .set_site_setting(APPROVE_FIRST, &self.approve_first.to_string())
            .await?;
        store
            .set_site_setting(NEW_MEMBER_DAYS, &self.new_member_days.to_string())
            .await?;
        store
            .set_site_setting(
                SHOW_MODERATORS,
                if self.show_moderators {
                    "true"
                } else {
                    "false"
                },
            )
            .await?;
        Ok(())
    }

    /// The rules' own checks.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] naming the field that breaks a rule.
    pub fn check(&self) -> Result<(), AppError> {
        let field = |field, message: String| Err(AppError::Field { field, message });
        let rules = parse_rules(&self.rules);
        if rules.is_empty() {
            return field("rules", "write at least one rule, one per line".into());
        }
        if rules.len() > MAX_RULES {
            return field("rules", format!("at most {MAX_RULES} rules, one per line"));
        }
        if self.rules.len() > 8 * 1024 || self.rules.contains('\0') {
            return field("rules", "the rules may be at most 8 KiB of text".into());
        }
        if let Some(long) = rules
            .iter()
            .find(|r| r.name.chars().count() > MAX_RULE_NAME_CHARS)
        {
            return field(
                "rules",
                format!(
                    "a rule's name (before the colon) may be at most {MAX_RULE_NAME_CHARS} \
                     characters: {:?} is longer",
                    long.name.chars().take(30).collect::<String>()
                ),
            );
        }
        if self.approve_first > 100 {
            return field("approve_first", "from 0 (off) to 100 posts".into());
        }
        if self.new_member_days > 365 {
            return field("new_member_days", "from 0 to 365 days".into());
        }
        Ok(())
    }

    /// The rules, in order.
    #[must_use]
    pub fn rules(&self) -> Vec<Rule> {
        parse_rules(&self.rules)
    }

    /// The reasons a flag may give: each rule's name, then [`OTHER_REASON`].
    #[must_use]
    pub fn flag_reasons(&self) -> Vec<String> {
        let mut reasons: Vec<String> = self.rules().into_iter().map(|r| r.name).collect();
        reasons.push(OTHER_REASON.into());
        reasons
    }
}

/// One rule per non-blank line: `name: meaning` (a line without a colon is all name).
fn parse_rules(text: &str) -> Vec<Rule> {
    text.lines()
        .map(|line| line.trim().trim_start_matches(['-', '*']).trim())
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, text)) => Rule {
                name: name.trim().into(),
                text: text.trim().into(),
            },
            None => Rule {
                name: line.into(),
                text: String::new(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_read_one_per_line() {
        let settings = CommunitySettings {
            rules: "- Be kind: no insults\n\nNo spam\n".into(),
            ..CommunitySettings::default()
        };
        assert_eq!(
            settings.rules(),
            [
                Rule {
                    name: "Be kind".into(),
                    text: "no insults".into()
                },
                Rule {
                    name: "No spam".into(),
                    text: String::new()
                }
            ]
        );
        assert_eq!(
            settings.flag_reasons(),
            ["Be kind", "No spam", OTHER_REASON]
        );
        assert!(settings.check().is_ok());
        assert_eq!(CommunitySettings::default().rules().len(), 5);
    }

    #[test]
    fn broken_settings_name_their_field() {
        let empty = CommunitySettings {
            rules: "  \n".into(),
            ..CommunitySettings::default()
        };
        assert!(matches!(
            empty.check(),
            Err(AppError::Field { field: "rules", .. })
        ));
        let many = CommunitySettings {
            approve_first: 101,
            ..CommunitySettings::default()
        };
        assert!(matches!(
            many.check(),
            Err(AppError::Field {
                field: "approve_first",
                ..
            })
        ));
    }
}
