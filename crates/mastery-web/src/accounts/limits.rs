//! Attempt limits per client address on the account forms, so that guessing passwords or
//! probing which usernames exist is slow: sign-in 6 a minute (Discourse's figure), sign-up
//! 10 an hour (its "this username is taken" answer tells whether a name exists).
//!
//! Buckets live in this instance's memory (GCRA, the `governor` crate): each instance
//! counts on its own. IPv6 clients are grouped by /64, the block one subscriber usually
//! gets. A client without a known address shares one bucket.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::WebError;

/// How many addresses a limiter tracks; past that, new ones share one bucket (a flood
/// from very many addresses then slows only itself and other newcomers, and memory stays
/// bounded). Idle entries are forgotten by [`Limits::forget_idle`], run every minute.
const MOST_KEYS: usize = 50_000;

/// The bucket of addresses beyond [`MOST_KEYS`].
const OVERFLOW: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);

/// The limits of this instance.
#[derive(Debug)]
pub(crate) struct Limits {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    sign_up: DefaultKeyedRateLimiter<IpAddr>,
}

/// Which form is being tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// Sign-in, setup and "confirm with your password" forms.
    SignIn,
    /// Sign-up.
    SignUp,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(6, 10)
    }
}

impl Limits {
    /// Sign-in `per_minute` a minute, sign-up `per_hour` an hour, each as a burst too.
    pub(crate) fn new(per_minute: u32, per_hour: u32) -> Self {
        let quota = |n: u32, per_hour: bool| {
            let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
            if per_hour {
                Quota::per_hour(n)
            } else {
                Quota::per_minute(n)
            }
        };
        Self {
            sign_in: RateLimiter::keyed(quota(per_minute, false)),
            sign_up: RateLimiter::keyed(quota(per_hour, true)),
        }
    }

    /// Takes one attempt for `client`, or says how long to wait.
    pub(crate) fn check(&self, attempt: Attempt, client: Option<IpAddr>) -> Result<(), WebError> {
        let limiter = match attempt {
            Attempt::SignIn => &self.sign_in,
            Attempt::SignUp => &self.sign_up,
        };
        let mut key = group(client.unwrap_or(IpAddr::from([0, 0, 0, 0])));
        if limiter.len() >= MOST_KEYS {
            key = OVERFLOW;
        }
        limiter.check_key(&key).map_err(|_| {
            let what = match attempt {
                Attempt::SignIn => {
                    "Too many sign-in attempts from your network: wait a minute and try again."
                }
                Attempt::SignUp => {
                    "Too many sign-up attempts from your network: wait an hour and try again."
                }
            };
            WebError::TooManyRequests(what.into())
        })
    }
}

impl Limits {
    /// Forgets the addresses whose buckets are full again (called every minute).
    pub(crate) fn forget_idle(&self) {
        self.sign_in.retain_recent();
        self.sign_up.retain_recent();
    }
}

/// An address as its bucket key: IPv4 as it is, IPv6 by its /64 (an IPv4 address mapped
/// into IPv6 counts as IPv4).
fn group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_per_network() {
        let limits = Limits::new(3, 2);
        let a = Some("203.0.113.7".parse().unwrap());
        let b = Some("203.0.113.8".parse().unwrap());
        for _ in 0..3 {
            assert!(limits.check(Attempt::SignIn, a).is_ok());
        }
        let refused = limits.check(Attempt::SignIn, a).unwrap_err();
        assert!(matches!(refused, WebError::TooManyRequests(_)));
        assert!(
            limits.check(Attempt::SignIn, b).is_ok(),
            "another address has its own bucket"
        );
        assert!(
            limits.check(Attempt::SignUp, a).is_ok(),
            "sign-up counts apart"
        );
    }

    #[test]
    fn ipv6_is_grouped_by_its_64_bit_prefix() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(group(one), group(same));
        assert_ne!(group(one), group(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(group(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
