//! Human intervals for the answer buttons: "1m", "10m", "3d", "2.1mo", "1.5y".
//!
//! Units as in Anki: seconds, minutes, hours, days, months of 30 days, years of 365 days.
//! Days are whole numbers (review intervals are whole days); the other units show one decimal
//! when it is not zero.

use super::state::{DAY_MS, HOUR_MS, MINUTE_MS, Millis, SECOND_MS};

/// A short text for a delay of `ms` milliseconds.
pub fn human_interval(ms: Millis) -> String {
    if ms <= 0 {
        return "now".to_string();
    }
    let ms_f = ms as f64;
    if ms < MINUTE_MS {
        let secs = (ms_f / SECOND_MS as f64).round().max(1.0);
        return format!("{secs}s");
    }
    if ms < HOUR_MS {
        return one_decimal(ms_f / MINUTE_MS as f64, "m");
    }
    if ms < DAY_MS {
        return one_decimal(ms_f / HOUR_MS as f64, "h");
    }
    let days = ms_f / DAY_MS as f64;
    if days < 30.0 {
        return format!("{}d", days.round());
    }
    if days < 365.0 {
        return one_decimal(days / 30.0, "mo");
    }
    one_decimal(days / 365.0, "y")
}

fn one_decimal(value: f64, unit: &str) -> String {
    let tenths = (value * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{}{unit}", tenths / 10.0)
    } else {
        format!("{:.1}{unit}", tenths / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_table() {
        let cases = [
            (0, "now"),
            (-5, "now"),
            (400, "1s"),
            (30 * SECOND_MS, "30s"),
            (MINUTE_MS, "1m"),
            (330 * SECOND_MS, "5.5m"),
            (10 * MINUTE_MS, "10m"),
            (15 * MINUTE_MS, "15m"),
            (HOUR_MS, "1h"),
            (90 * MINUTE_MS, "1.5h"),
            (DAY_MS, "1d"),
            (3 * DAY_MS, "3d"),
            (29 * DAY_MS, "29d"),
            (30 * DAY_MS, "1mo"),
            (63 * DAY_MS, "2.1mo"),
            (364 * DAY_MS, "12.1mo"),
            (365 * DAY_MS, "1y"),
            (548 * DAY_MS, "1.5y"),
            (36500 * DAY_MS, "100y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_interval(ms), want, "{ms} ms");
        }
    }
}
