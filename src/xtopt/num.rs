//! Numbers as libxtables reads them: C's `strtoul`, `xtables_strtoul`
//! (base 0, no sign, a range), the `XTTYPE_UINT*` and `XTTYPE_UINT*RC`
//! option types (`xtopt_parse_int`, `xtopt_parse_mint`) and `value[/mask]`
//! (`xtables_parse_val_mask`, `XTTYPE_MARKMASK32`).

use super::what;
use crate::error::{Error, Result};

/// The blanks C's `isspace` skips in the C locale.
pub(crate) const C_SPACE: [char; 6] = [' ', '\t', '\n', '\x0b', '\x0c', '\r'];

/// What C `strtoul` made of the start of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CNum {
    /// The value: `u64::MAX` on overflow, wrapped for a leading `-`.
    pub value: u64,
    /// The value did not fit (`ERANGE`).
    pub overflow: bool,
    /// Bytes consumed; 0 when there were no digits (C leaves `end` at the start).
    pub end: usize,
}

/// C `strtoul(s, &end, base)` with `base` 0 (`0x` hex, leading `0` octal,
/// else decimal), 8, 10 or 16: leading blanks and one sign are taken, a `-`
/// negates modulo 2^64, an overflow gives `u64::MAX` (not negated, as glibc
/// does). `0x` without a hex digit after it reads as the `0` alone.
pub(crate) fn c_strtoul(s: &str, base: u32) -> CNum {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (9..=13).contains(&b[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let hex_prefix = b.len() > i + 2
        && b[i] == b'0'
        && (b[i + 1] | 0x20) == b'x'
        && b[i + 2].is_ascii_hexdigit();
    let base = match base {
        0 | 16 if hex_prefix => {
            i += 2;
            16
        }
        0 if b.get(i) == Some(&b'0') => 8,
        0 => 10,
        b => b,
    };
    let start = i;
    let (mut value, mut overflow) = (0u64, false);
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(base)) {
        match value
            .checked_mul(base as u64)
            .and_then(|v| v.checked_add(d as u64))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return CNum {
            value: 0,
            overflow: false,
            end: 0,
        };
    }
    if overflow {
        value = u64::MAX;
    } else if neg {
        value = value.wrapping_neg();
    }
    CNum {
        value,
        overflow,
        end: i,
    }
}

/// C `strtoll(s, NULL, 10)` (what `atoi` and `atoll` call): leading blanks,
/// one sign, decimal digits, anything after ignored; 0 without digits; an
/// overflow saturates at `i64::MIN`/`i64::MAX`. `atoi` is this cut to an
/// `int` (`as i32`), as glibc's `(int)strtol` is.
pub(crate) fn strtol(s: &str) -> i64 {
    let t = s.trim_start_matches(C_SPACE);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let len = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    match t[..len].parse::<i64>() {
        Ok(v) if neg => -v,
        Ok(v) => v,
        Err(_) if len == 0 => 0,
        // "-9223372036854775808" itself overflows i64 before the sign.
        Err(_) if neg => i64::MIN,
        Err(_) => i64::MAX,
    }
}

/// The number at the start of `s` as C's `strtod` reads it (decimal forms,
/// `inf`, `nan`; not hex floats), and the rest.
pub(crate) fn strtod(s: &str) -> Option<(f64, &str)> {
    let t = s.trim_start_matches(C_SPACE);
    let b = t.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let lower = t[i..].to_ascii_lowercase();
    for word in ["infinity", "inf", "nan"] {
        if lower.starts_with(word) {
            let end = i + word.len();
            let v = if word == "nan" {
                f64::NAN
            } else {
                f64::INFINITY
            };
            return Some((if b[0] == b'-' { -v } else { v }, &t[end..]));
        }
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(i);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = digits(i + 1);
        if int + frac > 0 {
            i += 1 + frac;
        }
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let exp = digits(i + 1 + sign);
        if exp > 0 {
            i += 1 + sign + exp;
        }
    }
    Some((t[..i].parse().ok()?, &t[i..]))
}

/// A number at the start of `s` as `xtables_strtoul` reads it with an end
/// pointer (`strtoumax(s, &end, 0)`): leading blanks and a `+` are allowed,
/// a `-` is refused; `0x` hex, leading-0 octal, else decimal. Returns the
/// value and the rest of `s`; `None` when no digit was read or the value
/// overflows.
pub(crate) fn strtoul(s: &str) -> Option<(u64, &str)> {
    if s.trim_start_matches(C_SPACE).starts_with('-') {
        return None;
    }
    let n = c_strtoul(s, 0);
    (n.end > 0 && !n.overflow).then(|| (n.value, &s[n.end..]))
}

/// The value of a word of 1 to 19 decimal digits without a leading zero
/// (or `0`): what [`strtoul`] reads from it, found without its detours.
/// Nearly every number of a rule (address parts, ports) is such a word.
fn plain_decimal(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let plain = (1..=19).contains(&b.len())
        && (b[0] != b'0' || b.len() == 1)
        && b.iter().all(u8::is_ascii_digit);
    // 19 digits always fit in a u64.
    plain.then(|| b.iter().fold(0, |v, &d| v * 10 + u64::from(d - b'0')))
}

/// A whole word as a number in `min..=max`, as `xtables_strtoul` reads it
/// without an end pointer (nothing may follow the number).
pub(crate) fn uint(s: &str, min: u64, max: u64) -> Option<u64> {
    if let Some(v) = plain_decimal(s) {
        return (min..=max).contains(&v).then_some(v);
    }
    match strtoul(s)? {
        (v, "") if (min..=max).contains(&v) => Some(v),
        _ => None,
    }
}

/// The value of `--option` of extension `ext` as an `XTTYPE_UINT8/16/32/64`
/// option takes it: a whole number in `min..=max`.
pub(crate) fn uint_option(ext: &str, option: &str, s: &str, min: u64, max: u64) -> Result<u64> {
    uint(s, min, max).ok_or_else(|| {
        Error::value(
            what(ext, option),
            s,
            format!("bad value, or out of range ({min}-{max})"),
        )
    })
}

/// An `XTTYPE_UINT16RC`/`XTTYPE_UINT32RC` value as `xtopt_parse_mint` reads
/// it: `A`, `A:B`, `A:`, `:B` or `:`, each number up to `max`; a missing
/// first number is 0, a missing second `max`. Returns the first number and
/// the second when there were two components (`connbytes` and `length` tell
/// `A` from `A:` by that); the order of the two is not checked.
pub(crate) fn uint_range(ext: &str, option: &str, s: &str, max: u64) -> Result<(u64, Option<u64>)> {
    let mut vals = Vec::with_capacity(2);
    let mut arg = s;
    loop {
        if vals.len() == 2 {
            return Err(Error::value(
                what(ext, option),
                s,
                "too many components (max: 2)",
            ));
        }
        let (value, end) = if arg.is_empty() || arg.starts_with(':') {
            (if vals.len() == 1 { max } else { 0 }, arg)
        } else {
            let (v, rest) = strtoul(arg).filter(|&(v, _)| v <= max).ok_or_else(|| {
                Error::value(
                    what(ext, option),
                    s,
                    format!("bad value near \"{arg}\", or out of range (0-{max})"),
                )
            })?;
            if !rest.is_empty() && !rest.starts_with(':') {
                return Err(Error::value(
                    what(ext, option),
                    s,
                    format!("unexpected characters near \"{rest}\""),
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

/// [`uint_range`] with a single number standing for both bounds (`A` is
/// `A:A`), as most extensions fill their range.
pub(crate) fn uint_range_full(ext: &str, option: &str, s: &str, max: u64) -> Result<(u64, u64)> {
    let (first, second) = uint_range(ext, option, s, max)?;
    Ok((first, second.unwrap_or(first)))
}

/// Maps a symbolic value to its number (an iproute2 table's
/// [`lmap_id`](super::lmap_id)).
pub(crate) type NameToValue<'a> = &'a dyn Fn(&str) -> Option<u32>;
/// Maps a number to its symbolic name (an iproute2 table's
/// [`lmap_name`](super::lmap_name)).
pub(crate) type ValueToName<'a> = &'a dyn Fn(u32) -> Option<String>;

/// `VALUE[/MASK]` as `XTTYPE_MARKMASK32` options read it (`--mark`,
/// `--set-xmark`, ...): two 32-bit numbers in any base; no mask is all ones.
pub(crate) fn mark_mask(ext: &str, option: &str, s: &str) -> Result<(u32, u32)> {
    val_mask(ext, option, s, None)
}

/// `value[/mask]` as `xtables_parse_val_mask` reads it: [`mark_mask`],
/// except that a word that does not start with a number, or whose number is
/// followed by something else than `/`, is looked up with `names` when there
/// are names (`devgroup`'s group names).
pub(crate) fn val_mask(
    ext: &str,
    option: &str,
    s: &str,
    names: Option<NameToValue>,
) -> Result<(u32, u32)> {
    let who = || what(ext, option);
    let u32_prefix = |t| strtoul(t).filter(|&(v, _)| v <= u64::from(u32::MAX));
    let by_name = |names: NameToValue| {
        names(s)
            .map(|v| (v, u32::MAX))
            .ok_or_else(|| Error::value(who(), s, "can't map name to value"))
    };
    let bad = || Error::value(who(), s, "bad integer value, or out of range");
    let garbage = || Error::value(who(), s, "trailing garbage after value");
    let Some((val, rest)) = u32_prefix(s) else {
        return match names {
            Some(names) => by_name(names),
            None => Err(bad()),
        };
    };
    if rest.is_empty() {
        return Ok((val as u32, u32::MAX));
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return match names {
            Some(names) => by_name(names),
            None => Err(garbage()),
        };
    };
    match u32_prefix(rest) {
        Some((mask, "")) => Ok((val as u32, mask as u32)),
        Some(_) => Err(garbage()),
        None => Err(bad()),
    }
}

/// ` 0xMARK` or ` 0xMARK/0xMASK` (mask not all ones), as `xtables_print_mark_mask`
/// prints it.
pub(crate) fn mark_mask_string(mark: u32, mask: u32) -> String {
    if mask == u32::MAX {
        format!(" {mark:#x}")
    } else {
        format!(" {mark:#x}/{mask:#x}")
    }
}

/// Appends ` VALUE[/MASK]` as `xtables_print_val_mask` prints it: hex, the
/// mask only when not all ones, else a name from `name` when it has one.
pub(crate) fn save_val_mask(out: &mut String, val: u32, mask: u32, name: Option<ValueToName>) {
    match name.filter(|_| mask == u32::MAX).and_then(|n| n(val)) {
        Some(n) => push_fmt!(out, " {n}"),
        None => out.push_str(&mark_mask_string(val, mask)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_strtoul_like_c() {
        assert_eq!(c_strtoul("12ab", 10).value, 12);
        assert_eq!(c_strtoul("12ab", 10).end, 2);
        assert_eq!(c_strtoul("0x1f", 0).value, 31);
        assert_eq!(c_strtoul("0x", 0).end, 1);
        assert_eq!(c_strtoul("010", 0).value, 8);
        assert_eq!(c_strtoul(" +7", 0).value, 7);
        assert_eq!(c_strtoul("-1", 0).value, u64::MAX);
        assert_eq!(
            c_strtoul(" -1x", 0),
            CNum {
                value: u64::MAX,
                overflow: false,
                end: 3
            }
        );
        assert_eq!(c_strtoul("+-1", 0).end, 0);
        assert_eq!(c_strtoul("x", 0).end, 0);
        assert!(c_strtoul("99999999999999999999999", 10).overflow);
        assert_eq!(c_strtoul("-99999999999999999999", 0).value, u64::MAX);
    }

    #[test]
    fn strtol_and_strtod_like_c() {
        assert_eq!(strtol(" -12x"), -12);
        assert_eq!(strtol("x"), 0);
        assert_eq!(strtol("99999999999999999999"), i64::MAX);
        assert_eq!(strtol("-99999999999999999999"), i64::MIN);
        assert_eq!(strtol("4294967297") as i32, 1);
        assert_eq!(strtod(" 1.5e3kbit"), Some((1500.0, "kbit")));
        assert_eq!(strtod("2.ms"), Some((2.0, "ms")));
        assert_eq!(strtod(".5"), Some((0.5, "")));
        assert_eq!(strtod("1e"), Some((1.0, "e")));
        assert_eq!(strtod("-inf"), Some((f64::NEG_INFINITY, "")));
        assert_eq!(strtod("."), None);
        assert_eq!(strtod("x"), None);
    }

    #[test]
    fn xtables_strtoul() {
        assert_eq!(strtoul("12x"), Some((12, "x")));
        assert_eq!(strtoul(" +0x1f:"), Some((31, ":")));
        assert_eq!(strtoul("010"), Some((8, "")));
        assert_eq!(strtoul("08"), Some((0, "8")));
        assert_eq!(strtoul("0x"), Some((0, "x")));
        assert_eq!(strtoul("-1"), None);
        assert_eq!(strtoul(" -0"), None);
        assert_eq!(strtoul("x"), None);
        assert_eq!(strtoul("/5"), None);
        assert_eq!(strtoul("0x5/0x6"), Some((5, "/0x6")));
        assert_eq!(strtoul("0xg"), Some((0, "xg")));
        assert_eq!(strtoul(""), None);
        assert_eq!(strtoul("99999999999999999999"), None);
        assert_eq!(uint("0xff", 0, 255), Some(255));
        assert_eq!(uint(" 5", 0, 255), Some(5));
        assert_eq!(uint("256", 0, 255), None);
        assert_eq!(uint("5x", 0, 255), None);
        assert_eq!(uint("0x", 0, 255), None);
        assert_eq!(uint("", 0, 255), None);
        assert_eq!(uint("12", 13, 255), None);
    }

    #[test]
    fn plain_decimals_read_as_strtoul_reads_them() {
        for s in [
            "0",
            "7",
            "255",
            "65535",
            "1234567890123456789",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "00",
            "012",
            "1a",
            "",
            "+1",
        ] {
            let slow = strtoul(s).and_then(|(v, rest)| rest.is_empty().then_some(v));
            assert_eq!(uint(s, 0, u64::MAX), slow, "{s}");
        }
    }

    #[test]
    fn ranges_like_xtopt_parse_mint() {
        let max = u64::from(u32::MAX);
        let r = |s| uint_range("x", "r", s, max).ok();
        assert_eq!(r("3"), Some((3, None)));
        assert_eq!(r("3:"), Some((3, Some(max))));
        assert_eq!(r(":3"), Some((0, Some(3))));
        assert_eq!(r(":"), Some((0, Some(max))));
        assert_eq!(r(""), Some((0, None)));
        assert_eq!(r("4:3"), Some((4, Some(3))));
        assert_eq!(r(" 5: 6"), Some((5, Some(6))));
        for bad in ["1:2:3", "1:2:", "5x", "0:x", "-1", "-1:0", "4294967296"] {
            assert_eq!(r(bad), None, "{bad}");
        }
        assert_eq!(uint_range_full("x", "r", "42", max).unwrap(), (42, 42));
        assert_eq!(uint_range_full("x", "r", "", max).unwrap(), (0, 0));
        assert_eq!(uint_range_full("x", "r", "42:", max).unwrap(), (42, max));
    }

    #[test]
    fn marks_like_xtables_parse_val_mask() {
        let m = |s| mark_mask("mark", "mark", s);
        assert_eq!(m("0x1/0xff").unwrap(), (1, 0xff));
        assert_eq!(m("010").unwrap(), (8, u32::MAX));
        assert_eq!(m(" 1").unwrap(), (1, u32::MAX));
        assert_eq!(m("4294967295").unwrap(), (u32::MAX, u32::MAX));
        for bad in [
            "",
            "1/",
            "/1",
            "1/x",
            "1x",
            "-1",
            "4294967296",
            "0x100000000",
            "1/4294967296",
            "1/2/3",
        ] {
            assert!(m(bad).is_err(), "{bad}");
        }
        assert_eq!(mark_mask_string(0, u32::MAX), " 0x0");
        assert_eq!(mark_mask_string(0xfeedcafe, 0xff0), " 0xfeedcafe/0xff0");
        let names = |s: &str| (s == "lan").then_some(3);
        assert_eq!(
            val_mask("x", "m", "lan", Some(&names)).unwrap(),
            (3, u32::MAX)
        );
        assert_eq!(
            val_mask("x", "m", "7", Some(&names)).unwrap(),
            (7, u32::MAX)
        );
        assert!(val_mask("x", "m", "wan", Some(&names)).is_err());
        assert!(val_mask("x", "m", "1/x", Some(&names)).is_err());
        let mut s = String::new();
        save_val_mask(&mut s, 1, 0xff, None);
        save_val_mask(
            &mut s,
            3,
            u32::MAX,
            Some(&|v| (v == 3).then(|| "lan".into())),
        );
        save_val_mask(&mut s, 4, u32::MAX, None);
        assert_eq!(s, " 0x1/0xff lan 0x4");
    }
}
