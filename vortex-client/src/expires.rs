//! Token lifetimes: `expiresIn` as the official SDKs accept it.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// The largest integer a JavaScript number holds exactly; the official SDK computes expiry
/// times in doubles, so anything larger would not match its tokens.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why an `expiresIn` value was rejected. Messages follow the official Node SDK.
///
/// `Debug` (what `main() -> Result` prints) names the variant, then the message.
///
/// ```
/// use vortex_client::ExpiresIn;
///
/// let error = "2w".parse::<ExpiresIn>().unwrap_err();
/// assert_eq!(
///     format!("{error:?}"),
///     r#"Format: Invalid expiresIn format: "2w". Use format like "5m", "1h", "24h", "7d" or a number of seconds."#
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpiresInError {
    /// A string that is not digits followed by `m`, `h` or `d`.
    #[error(
        "Invalid expiresIn format: \"{0}\". Use format like \"5m\", \"1h\", \"24h\", \"7d\" or a number of seconds."
    )]
    Format(String),
    /// A duration string whose value is zero (`"0m"`).
    #[error(
        "Invalid expiresIn value: \"{0}\". Duration must be positive (e.g., \"5m\", \"1h\", \"7d\")."
    )]
    ZeroDuration(String),
    /// A number that is not a positive integer.
    #[error(
        "Invalid expiresIn value: \"{0}\". Numeric expiresIn must be a positive integer number of seconds."
    )]
    NotPositiveInteger(String),
    /// More seconds than a JavaScript number holds exactly (2^53 - 1).
    #[error(
        "Invalid expiresIn value: \"{0}\". It is too large; use at most 9007199254740991 seconds."
    )]
    TooLarge(String),
    /// A JSON value that is neither a string nor a number.
    #[error(
        "Invalid expiresIn value: {0}. Use a string like \"5m\", \"1h\", \"7d\" or a number of seconds."
    )]
    WrongType(String),
}

impl fmt::Debug for ExpiresInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Format(_) => "Format",
            Self::ZeroDuration(_) => "ZeroDuration",
            Self::NotPositiveInteger(_) => "NotPositiveInteger",
            Self::TooLarge(_) => "TooLarge",
            Self::WrongType(_) => "WrongType",
        };
        write!(f, "{name}: {self}")
    }
}

/// A validated token lifetime, in whole seconds (at least 1).
///
/// Accepts what the official SDKs accept: a positive integer number of seconds, or a string of
/// ASCII digits followed by `m` (minutes), `h` (hours) or `d` (days). The default lifetime of
/// both token kinds is 30 days.
///
/// ```
/// use vortex_client::ExpiresIn;
///
/// assert_eq!("90m".parse::<ExpiresIn>()?.as_secs(), 5400);
/// assert_eq!(ExpiresIn::from_secs(3600)?.as_secs(), 3600);
/// assert_eq!(ExpiresIn::default().as_secs(), 30 * 24 * 3600);
/// assert!("5s".parse::<ExpiresIn>().is_err());
/// # Ok::<(), vortex_client::ExpiresInError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExpiresIn(u64);

impl ExpiresIn {
    /// 30 days, the default of the official SDKs for both token kinds.
    pub const THIRTY_DAYS: Self = Self(30 * 24 * 60 * 60);

    /// A lifetime of `secs` seconds (1 ..= 2^53 - 1).
    pub fn from_secs(secs: u64) -> Result<Self, ExpiresInError> {
        match secs {
            0 => Err(ExpiresInError::NotPositiveInteger("0".into())),
            s if s > MAX_SAFE_INTEGER => Err(ExpiresInError::TooLarge(s.to_string())),
            s => Ok(Self(s)),
        }
    }

    /// Parses a duration string such as `"5m"`, `"24h"` or `"7d"`.
    pub fn parse(text: &str) -> Result<Self, ExpiresInError> {
        let format_error = || ExpiresInError::Format(text.to_owned());
        let unit = text.bytes().last().ok_or_else(format_error)?;
        let multiplier = match unit {
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            _ => return Err(format_error()),
        };
        // The unit is one ASCII byte, so this slice is on a char boundary.
        let digits = &text[..text.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_error());
        }
        let value = digits
            .parse::<u64>()
            .ok()
            .and_then(|v| v.checked_mul(multiplier))
            .filter(|s| *s <= MAX_SAFE_INTEGER)
            .ok_or_else(|| ExpiresInError::TooLarge(text.to_owned()))?;
        if value == 0 {
            return Err(ExpiresInError::ZeroDuration(text.to_owned()));
        }
        Ok(Self(value))
    }

    /// Reads an `expiresIn` JSON value: a duration string or a positive integer number.
    ///
    /// ```
    /// use serde_json::json;
    /// use vortex_client::ExpiresIn;
    ///
    /// assert_eq!(ExpiresIn::from_json(&json!("1h"))?.as_secs(), 3600);
    /// assert_eq!(ExpiresIn::from_json(&json!(60))?.as_secs(), 60);
    /// assert!(ExpiresIn::from_json(&json!(1.5)).is_err());
    /// # Ok::<(), vortex_client::ExpiresInError>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, ExpiresInError> {
        match value {
            Value::String(s) => Self::parse(s),
            Value::Number(n) => {
                let js_text = || crate::json::to_js_string(value);
                if let Some(u) = n.as_u64() {
                    return Self::from_secs(u);
                }
                match n.as_f64() {
                    Some(f) if f > 0.0 && f.fract() == 0.0 => {
                        if f <= MAX_SAFE_INTEGER as f64 {
                            Ok(Self(f as u64))
                        } else {
                            Err(ExpiresInError::TooLarge(js_text()))
                        }
                    }
                    _ => Err(ExpiresInError::NotPositiveInteger(js_text())),
                }
            }
            other => Err(ExpiresInError::WrongType(crate::json::to_js_string(other))),
        }
    }

    /// The lifetime in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }
}

impl Default for ExpiresIn {
    fn default() -> Self {
        Self::THIRTY_DAYS
    }
}

impl FromStr for ExpiresIn {
    type Err = ExpiresInError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<u64> for ExpiresIn {
    type Error = ExpiresInError;

    fn try_from(secs: u64) -> Result<Self, Self::Error> {
        Self::from_secs(secs)
    }
}

impl TryFrom<std::time::Duration> for ExpiresIn {
    type Error = ExpiresInError;

    fn try_from(duration: std::time::Duration) -> Result<Self, Self::Error> {
        Self::from_secs(duration.as_secs())
    }
}

impl fmt::Debug for ExpiresIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExpiresIn({}s)", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_units() {
        assert_eq!(ExpiresIn::parse("5m").unwrap().as_secs(), 300);
        assert_eq!(ExpiresIn::parse("007d").unwrap().as_secs(), 604_800);
        assert_eq!(
            ExpiresIn::parse("100000000d").unwrap().as_secs(),
            8_640_000_000_000
        );
    }

    #[test]
    fn rejects_what_node_rejects() {
        for bad in [
            "", "m", "5", "5s", "5M", " 5m", "5m ", "5m\n", "+5m", "-5m", "1.5h", "٥m", "５m",
            "1h30m",
        ] {
            assert!(
                matches!(ExpiresIn::parse(bad), Err(ExpiresInError::Format(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            ExpiresIn::parse("00d"),
            Err(ExpiresInError::ZeroDuration(_))
        ));
        assert!(matches!(
            ExpiresIn::parse("99999999999999999999d"),
            Err(ExpiresInError::TooLarge(_))
        ));
    }

    #[test]
    fn numbers_must_be_positive_integers() {
        assert_eq!(
            ExpiresIn::from_json(&json!(3600.0)).unwrap().as_secs(),
            3600
        );
        for bad in [json!(0), json!(-60), json!(1.5)] {
            assert!(
                matches!(
                    ExpiresIn::from_json(&bad),
                    Err(ExpiresInError::NotPositiveInteger(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            ExpiresIn::from_json(&json!(-60)).unwrap_err().to_string(),
            "Invalid expiresIn value: \"-60\". Numeric expiresIn must be a positive integer number of seconds."
        );
        assert!(matches!(
            ExpiresIn::from_json(&json!(null)),
            Err(ExpiresInError::WrongType(_))
        ));
        assert!(matches!(
            ExpiresIn::from_json(&json!(true)),
            Err(ExpiresInError::WrongType(_))
        ));
    }
}
