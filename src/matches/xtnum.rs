//! Numbers read the way libxtables' option parser (`xtoptions.c`) reads
//! them, for extensions whose options are xtables option types
//! (`XTTYPE_UINT8`, `XTTYPE_UINT32RC`, ...).

use crate::error::{Error, Result};

/// `strtoumax(s, &end, 0)` as `xtables_strtoul` calls it: leading blanks and a
/// `+` are allowed, a `-` is refused; `0x` means hex, a leading `0` octal.
/// Returns the value and the unread rest, or `None` when no digit was read or
/// the number overflows.
pub(crate) fn strtoul_prefix(s: &str) -> Option<(u64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    if t.starts_with('-') {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let b = t.as_bytes();
    let (radix, start) = if b.len() > 2 && b[0] == b'0' && matches!(b[1], b'x' | b'X') {
        if b[2].is_ascii_hexdigit() {
            (16, 2)
        } else {
            // "0x" with no hex digit: strtoumax reads the "0" alone.
            return Some((0, &t[1..]));
        }
    } else if b.first() == Some(&b'0') {
        (8, 0)
    } else {
        (10, 0)
    };
    let digits = t[start..]
        .bytes()
        .take_while(|c| (*c as char).is_digit(radix))
        .count();
    if digits == 0 {
        return None;
    }
    let v = u64::from_str_radix(&t[start..start + digits], radix).ok()?;
    Some((v, &t[start + digits..]))
}

/// A whole word as a number in `min..=max` (`xtables_strtoul` without an end
/// pointer: nothing may follow the number).
pub(crate) fn parse_uint_in(s: &str, min: u64, max: u64) -> Option<u64> {
    match strtoul_prefix(s) {
        Some((v, "")) if (min..=max).contains(&v) => Some(v),
        _ => None,
    }
}

/// An `XTTYPE_UINT8/16/32` option value in `min..=max`.
pub(crate) fn parse_int_option(
    ext: &str,
    option: &str,
    s: &str,
    min: u64,
    max: u64,
) -> Result<u64> {
    parse_uint_in(s, min, max).ok_or_else(|| {
        Error::value(
            option,
            s,
            format!("{ext}: bad value for option \"{option}\", or out of range ({min}-{max})"),
        )
    })
}

/// An `XTTYPE_UINT16RC`/`XTTYPE_UINT32RC` value (`xtopt_parse_mint`): `A`,
/// `A:B`, `A:`, `:B` or `:`, each number up to `max`; a missing first number
/// is 0, a missing second `max`. Returns the first number and the second when
/// one was written (two components); the order is not checked.
pub(crate) fn parse_range_option(
    ext: &str,
    option: &str,
    s: &str,
    max: u64,
) -> Result<(u64, Option<u64>)> {
    let mut vals = Vec::with_capacity(2);
    let mut arg = s;
    loop {
        if vals.len() == 2 {
            return Err(Error::value(
                option,
                s,
                format!("{ext}: too many components for option \"{option}\" (max: 2)"),
            ));
        }
        let (value, end) = if arg.is_empty() || arg.starts_with(':') {
            (if vals.len() == 1 { max } else { 0 }, arg)
        } else {
            let bad = || {
                Error::value(
                    option,
                    s,
                    format!("{ext}: bad value near \"{arg}\", or out of range (0-{max})"),
                )
            };
            let (v, rest) = strtoul_prefix(arg).ok_or_else(bad)?;
            if v > max {
                return Err(bad());
            }
            if !rest.is_empty() && !rest.starts_with(':') {
                return Err(Error::value(
                    option,
                    s,
                    format!("{ext}: unexpected characters near \"{rest}\""),
                ));
            }
            (v, rest)
        };
        vals.push(value);
        match end.strip_prefix(':') {
            Some(rest) => arg = rest,
            None => break,
        }
    }
    Ok((vals[0], vals.get(1).copied()))
}

/// Refuses `!` before an option that cannot be inverted.
pub(crate) fn no_invert(ext: &str, option: &str, invert: bool) -> Result<()> {
    if invert {
        return Err(Error::rule(
            option,
            format!("{ext}: option \"{option}\" cannot be inverted"),
        ));
    }
    Ok(())
}

/// Refuses an option given twice (`already` says it was seen).
pub(crate) fn once(ext: &str, option: &str, already: bool) -> Result<()> {
    if already {
        return Err(Error::rule(
            option,
            format!("{ext}: option \"{option}\" can only be used once"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_like_xtables_strtoul() {
        assert_eq!(strtoul_prefix(" +0x1fz"), Some((0x1f, "z")));
        assert_eq!(strtoul_prefix("017:"), Some((15, ":")));
        assert_eq!(strtoul_prefix("0x"), Some((0, "x")));
        assert_eq!(strtoul_prefix("-1"), None);
        assert_eq!(strtoul_prefix("x"), None);
        assert_eq!(strtoul_prefix("99999999999999999999"), None);
        assert_eq!(parse_uint_in(" 5", 0, 255), Some(5));
        assert_eq!(parse_uint_in("256", 0, 255), None);
        assert_eq!(parse_uint_in("5x", 0, 255), None);
    }

    #[test]
    fn ranges_like_xtopt_parse_mint() {
        let r = |s| parse_range_option("t", "--r", s, u32::MAX as u64).ok();
        assert_eq!(r("3"), Some((3, None)));
        assert_eq!(r("3:"), Some((3, Some(u32::MAX as u64))));
        assert_eq!(r(":3"), Some((0, Some(3))));
        assert_eq!(r(":"), Some((0, Some(u32::MAX as u64))));
        assert_eq!(r(""), Some((0, None)));
        assert_eq!(r("4:3"), Some((4, Some(3))));
        assert_eq!(r("1:2:3"), None);
        assert_eq!(r("5x"), None);
        assert_eq!(r("0:x"), None);
        assert_eq!(r("-1"), None);
        assert_eq!(r("4294967296"), None);
    }
}
