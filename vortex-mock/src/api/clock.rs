//! Timestamps: the wall clock, or (deterministic mode) a fixed start advancing one second
//! per change.

use std::time::{SystemTime, UNIX_EPOCH};

/// `2026-01-01T00:00:00.000Z`, the first instant of a deterministic mock.
pub(crate) const DETERMINISTIC_START_MS: i64 = 1_767_225_600_000;

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Where the mock's timestamps come from.
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    /// The system clock.
    System,
    /// `start_ms`, then one second later for each change.
    Stepped { start_ms: i64, changes: i64 },
}

impl Clock {
    /// A stepped clock starting at [`DETERMINISTIC_START_MS`].
    pub(crate) fn stepped() -> Self {
        Self::Stepped {
            start_ms: DETERMINISTIC_START_MS,
            changes: 0,
        }
    }

    /// The instant (ms since the Unix epoch) of the next change; a stepped clock advances.
    pub(crate) fn tick(&mut self) -> i64 {
        match self {
            Self::System => system_now_ms(),
            Self::Stepped { start_ms, changes } => {
                let now = *start_ms + *changes * 1000;
                *changes += 1;
                now
            }
        }
    }
}

fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Formats ms since the Unix epoch as JavaScript's `toISOString` does:
/// `2026-01-01T00:00:00.000Z`.
pub(crate) fn format_iso(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard
/// Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(format_iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_iso(DETERMINISTIC_START_MS),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(format_iso(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(format_iso(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(
            format_iso(DETERMINISTIC_START_MS + 30 * DAY_MS),
            "2026-01-31T00:00:00.000Z"
        );
    }

    #[test]
    fn stepped_clock_advances_one_second_per_change() {
        let mut clock = Clock::stepped();
        assert_eq!(clock.tick(), DETERMINISTIC_START_MS);
        assert_eq!(clock.tick(), DETERMINISTIC_START_MS + 1000);
    }
}
