//! Times to live as people write them: `600`, `10m`, `1h30m`, `2d`.

use std::time::Duration;

use crate::error::{Error, Result};

/// The longest time to live taken: a hundred years, so that an expiry in
/// seconds since the epoch can never overflow.
const MAX_SECS: u64 = 100 * 365 * 86_400;

/// Parses a time to live: seconds (`600`), or numbers each followed by a
/// unit, `s`, `m`, `h`, `d` or `w` (`10m`, `1h30m`, `2d`). Zero, an
/// unknown unit, or more than a hundred years is refused.
///
/// ```
/// use std::time::Duration;
/// use iptkit::lists::parse_ttl;
/// assert_eq!(parse_ttl("600")?, Duration::from_secs(600));
/// assert_eq!(parse_ttl("1h30m")?, Duration::from_secs(5400));
/// assert!(parse_ttl("10 minutes").is_err());
/// # Ok::<(), iptkit::Error>(())
/// ```
pub fn parse_ttl(text: &str) -> Result<Duration> {
    let refuse = |reason: &str| Error::InvalidValue {
        option: "time to live".into(),
        value: text.into(),
        reason: reason.into(),
    };
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(refuse("expected a number"));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| refuse("too long"))?;
        rest = &rest[digits..];
        let unit = match rest.bytes().next() {
            None if rest.len() == text.len() - digits => 1,
            None => return Err(refuse("a number without a unit after the first")),
            Some(b's') => 1,
            Some(b'm') => 60,
            Some(b'h') => 3_600,
            Some(b'd') => 86_400,
            Some(b'w') => 7 * 86_400,
            Some(_) => return Err(refuse("units are s, m, h, d, w")),
        };
        rest = rest.get(1..).unwrap_or_default();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .filter(|&s| s <= MAX_SECS)
            .ok_or_else(|| refuse("longer than a hundred years"))?;
    }
    if total == 0 {
        return Err(refuse("zero"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_and_refusals() {
        let secs = |s| parse_ttl(s).map(|d| d.as_secs()).ok();
        assert_eq!(secs("45"), Some(45));
        assert_eq!(secs("45s"), Some(45));
        assert_eq!(secs("10m"), Some(600));
        assert_eq!(secs("2d12h"), Some(216_000));
        assert_eq!(secs("1w"), Some(604_800));
        for bad in [
            "",
            "0",
            "0m",
            "m",
            "10x",
            "1h30",
            "-5",
            " 5",
            "5 ",
            "99999999999999999999",
            "5300w",
            "0m5",
        ] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
    }
}
