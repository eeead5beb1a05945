//! What libxtables does for every option of a match, beyond the number
//! readers of [`super::xtopt`]: the once-only / inversion / mandatory
//! bookkeeping of `xtables_option_parse` and `xtables_options_fcheck`, C's
//! own `strtoul`, ranges that know whether a second bound was given,
//! `value[/mask]` with iproute2 names (`xtables_parse_val_mask`), and the
//! string and 0/1 fields of kernel structs.

use std::hash::{Hash, Hasher};

use super::xtopt::{mark_mask_string, parse_mark_mask, parse_uint, parse_uint_range, strtoul};
use crate::error::{Error, Result};

/// Which options a match took while parsing.
///
/// xtables refuses an option given twice and a `!` before an option that
/// cannot be inverted, and checks mandatory options at the end; a value
/// remembers what it took so that its codec can do the same. This is
/// bookkeeping, not part of the value: every `Seen` equals every other.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen(u32);

impl PartialEq for Seen {
    fn eq(&self, _other: &Seen) -> bool {
        true
    }
}

impl Eq for Seen {}

impl Hash for Seen {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl Seen {
    /// Takes option `--option` (bit `bit`) of extension `ext`, as
    /// `xtables_option_parse` does: refuses a second use, and a `!` unless
    /// the option is `invertible`.
    pub(crate) fn take(
        &mut self,
        ext: &str,
        option: &str,
        bit: u32,
        invert: bool,
        invertible: bool,
    ) -> Result<()> {
        if self.has(bit) {
            return Err(Error::rule(
                ext,
                format!("option \"--{option}\" can only be used once"),
            ));
        }
        if invert && !invertible {
            return Err(Error::rule(
                ext,
                format!("option \"--{option}\" cannot be inverted"),
            ));
        }
        self.0 |= bit;
        Ok(())
    }

    /// True when option bit `bit` was taken.
    pub(crate) fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }

    /// Refuses a missing mandatory option (`XTOPT_MAND`).
    pub(crate) fn require(self, ext: &str, option: &str, bit: u32) -> Result<()> {
        if !self.has(bit) {
            return Err(Error::rule(
                ext,
                format!("option \"--{option}\" must be specified"),
            ));
        }
        Ok(())
    }

    /// Refuses two options that exclude each other (`.excl`).
    pub(crate) fn exclude(self, ext: &str, a: (&str, u32), b: (&str, u32)) -> Result<()> {
        if self.has(a.1) && self.has(b.1) {
            return Err(Error::rule(
                ext,
                format!(
                    "option \"--{}\" cannot be used together with \"--{}\"",
                    a.0, b.0
                ),
            ));
        }
        Ok(())
    }
}

/// C's blanks (`isspace`).
const C_SPACE: [char; 6] = [' ', '\t', '\n', '\r', '\x0b', '\x0c'];

/// Reads a number at the start of `s` exactly as C's `strtoul(s, &end, 0)`
/// does, for the extensions that call it directly: leading blanks, a `+` or
/// a `-` (which negates, modulo 2^64), then `0x` hex, leading-0 octal or
/// decimal; an overflow gives `u64::MAX`. `None` when no digit was read.
pub(crate) fn c_strtoul(s: &str) -> Option<(u64, &str)> {
    let t = s.trim_start_matches(C_SPACE);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if t.starts_with(['+', '-']) || t.starts_with(C_SPACE) {
        return None;
    }
    let (v, rest) = match strtoul(t) {
        Some(r) => r,
        // strtoul above refuses only an overflow once a digit is there.
        None if t.starts_with(|c: char| c.is_ascii_digit()) => {
            let b = t.as_bytes();
            let hex = b.len() > 2 && (b[1] | 0x20) == b'x' && b[2].is_ascii_hexdigit();
            let (radix, digits) = match (hex, b[0]) {
                (true, _) => (16, &t[2..]),
                (false, b'0') => (8, t),
                _ => (10, t),
            };
            (
                u64::MAX,
                digits.trim_start_matches(|c: char| c.is_digit(radix)),
            )
        }
        None => return None,
    };
    Some((if negative { v.wrapping_neg() } else { v }, rest))
}

/// A whole word as a number in `min..=max` (`xtables_strtoul(s, NULL, ...)`).
pub(crate) fn uint(s: &str, min: u64, max: u64) -> Option<u64> {
    parse_uint(s, max).filter(|&v| v >= min)
}

/// The value of `--option` of `ext` as an `XTTYPE_UINT*` number in `min..=max`.
pub(crate) fn uint_option(ext: &str, option: &str, s: &str, min: u64, max: u64) -> Result<u64> {
    uint(s, min, max).ok_or_else(|| {
        Error::value(
            format!("{ext} --{option}"),
            s,
            format!("bad value, or out of range ({min}-{max})"),
        )
    })
}

/// An `XTTYPE_UINT*RC` value as [`parse_uint_range`] reads it, and whether
/// it had a second bound: `A` gives `(A, None)`, `A:` gives `(A, Some(max))`
/// (`connbytes` tells the two apart through `nvals`).
pub(crate) fn uint_range(ext: &str, option: &str, s: &str, max: u64) -> Result<(u64, Option<u64>)> {
    let (first, second) = parse_uint_range(ext, &format!("--{option}"), s, max)?;
    Ok((first, s.contains(':').then_some(second)))
}

/// A 0/1 field of a kernel struct (an `invert` word or byte) read back:
/// iptables writes nothing else, so any other value makes the codec refuse
/// the struct, which is then kept as raw bytes.
pub(crate) fn bool_field(ext: &str, what: &str, v: u32) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Malformed(format!("{ext}: {what} is {v}"))),
    }
}

/// An `XTTYPE_STRING` value stored in a `char[size]` field (`XTOPT_PUT`):
/// iptables silently keeps only the first `size - 1` bytes (here: of whole
/// characters).
pub(crate) fn put_string(s: &str, size: usize) -> String {
    let mut end = s.len().min(size - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Number/name pairs of an iproute2 table (`/etc/iproute2/group`, ...), as
/// `xtables_lmap_init` reads them: `ID NAME` lines, the id decimal or `0x`
/// hex and at most 255, the name up to the next blank; `#` starts a comment
/// line. Lookups take the first match.
pub(crate) fn parse_lmap(text: &str) -> Vec<(u32, String)> {
    let mut map = Vec::new();
    for line in text.lines() {
        let cur = line.trim_start_matches(C_SPACE);
        if cur.is_empty() || cur.starts_with('#') {
            continue;
        }
        let (radix, digits) = match cur.strip_prefix("0x") {
            Some(hex) => (16, hex),
            None => (10, cur),
        };
        let n = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let Some(id) = u32::from_str_radix(&digits[..n], radix)
            .ok()
            .filter(|&id| id <= 255)
        else {
            continue;
        };
        let rest = &digits[n..];
        if !rest.starts_with(C_SPACE) {
            continue;
        }
        let rest = rest.trim_start_matches(C_SPACE);
        let name = rest.split(C_SPACE).next().unwrap_or("");
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        map.push((id, name.to_string()));
    }
    map
}

/// [`parse_lmap`] of a file; `None` when it cannot be read.
pub(crate) fn read_lmap(path: &str) -> Option<Vec<(u32, String)>> {
    std::fs::read_to_string(path).ok().map(|t| parse_lmap(&t))
}

/// The id of `name` in an iproute2 table (`xtables_lmap_name2id`).
pub(crate) fn lmap_id(map: &[(u32, String)], name: &str) -> Option<u32> {
    map.iter().find(|(_, n)| n == name).map(|(id, _)| *id)
}

/// The name of `id` in an iproute2 table (`xtables_lmap_id2name`).
pub(crate) fn lmap_name(map: &[(u32, String)], id: u32) -> Option<String> {
    map.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone())
}

/// Maps a symbolic value to its number (an iproute2 table's [`lmap_id`]).
pub(crate) type NameToValue<'a> = &'a dyn Fn(&str) -> Option<u32>;
/// Maps a number to its symbolic name (an iproute2 table's [`lmap_name`]).
pub(crate) type ValueToName<'a> = &'a dyn Fn(u32) -> Option<String>;

/// `value[/mask]` as `xtables_parse_val_mask` reads it: [`parse_mark_mask`],
/// except that a word that does not start with a number, or whose number is
/// followed by something else than `/`, is looked up with `names` when there
/// are names (`devgroup`'s group names).
pub(crate) fn val_mask(
    ext: &str,
    option: &str,
    s: &str,
    names: Option<NameToValue>,
) -> Result<(u32, u32)> {
    let numeric = parse_mark_mask(ext, &format!("--{option}"), s);
    let Some(names) = names else {
        return numeric;
    };
    let symbolic = match strtoul(s) {
        Some((v, rest)) => v > u64::from(u32::MAX) || !(rest.is_empty() || rest.starts_with('/')),
        None => true,
    };
    if !symbolic {
        return numeric;
    }
    names(s)
        .map(|v| (v, u32::MAX))
        .ok_or_else(|| Error::value(format!("{ext} --{option}"), s, "can't map name to value"))
}

/// Appends ` VALUE[/MASK]` as `xtables_print_val_mask` prints it: hex, the
/// mask only when not all ones, else a name from `name` when it has one.
pub(crate) fn save_val_mask(out: &mut String, val: u32, mask: u32, name: Option<ValueToName>) {
    match name.filter(|_| mask == u32::MAX).and_then(|n| n(val)) {
        Some(n) => out.push_str(&format!(" {n}")),
        None => out.push_str(&mark_mask_string(val, mask)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_strtoul() {
        assert_eq!(c_strtoul(" -1x"), Some((u64::MAX, "x")));
        assert_eq!(c_strtoul("99999999999999999999:"), Some((u64::MAX, ":")));
        assert_eq!(c_strtoul("+-1"), None);
        assert_eq!(uint("12", 0, 12), Some(12));
        assert_eq!(uint("13", 0, 12), None);
    }

    #[test]
    fn ranges_read_like_xtopt_parse_mint() {
        let r = |s| uint_range("x", "r", s, u64::MAX);
        assert_eq!(r("5").unwrap(), (5, None));
        assert_eq!(r("5:").unwrap(), (5, Some(u64::MAX)));
        assert_eq!(r(":7").unwrap(), (0, Some(7)));
        assert_eq!(r(":").unwrap(), (0, Some(u64::MAX)));
        assert_eq!(r("").unwrap(), (0, None));
        assert!(r("1:2:3").is_err());
        assert!(r("-1:0").is_err());
        assert!(r("1a").is_err());
        assert!(uint_range("x", "r", "256", 255).is_err());
    }

    #[test]
    fn iproute2_tables() {
        let map = parse_lmap(
            "# comment\n0\tdefault\n  0x10 ten # x\n256 big\n5\n6x six\n7 #c\n1 dup\n1 dup2\n",
        );
        assert_eq!(
            map,
            vec![
                (0, "default".to_string()),
                (16, "ten".to_string()),
                (1, "dup".to_string()),
                (1, "dup2".to_string())
            ]
        );
    }

    #[test]
    fn value_and_mask() {
        let vm = |s| val_mask("x", "m", s, None);
        assert_eq!(vm("0x10").unwrap(), (16, u32::MAX));
        assert_eq!(vm("1/0xff").unwrap(), (1, 0xff));
        assert!(vm("1/").is_err());
        assert!(vm("1x").is_err());
        assert!(vm("0x100000000").is_err());
        let names = |s: &str| (s == "lan").then_some(3);
        assert_eq!(
            val_mask("x", "m", "lan", Some(&names)).unwrap(),
            (3, u32::MAX)
        );
        assert!(val_mask("x", "m", "wan", Some(&names)).is_err());
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

/// What the tests of the matches using this module share.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::addr::Family;
    use crate::error::Result;
    use crate::extension::{Args, Ctx, Extension};

    /// Parses the option words of one `-m name` of a rule in `family`, as
    /// the rule parser hands them over, then runs `finish`.
    pub(crate) fn parse_as<T: Extension>(family: Family, name: &str, words: &[&str]) -> Result<T> {
        let ctx = Ctx::new(family);
        let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let mut m = T::new(&ctx, name);
        let mut args = Args::new(&words);
        while let Some(w) = args.next() {
            let (invert, w) = match w {
                "!" => (true, args.next().expect("an option after `!`")),
                w => (false, w),
            };
            let option = w.trim_start_matches('-');
            if !m.parse_option(&ctx, option, invert, &mut args)? {
                return Err(crate::error::Error::UnknownOption(w.to_string()));
            }
        }
        m.finish(&ctx)?;
        Ok(m)
    }

    /// What iptables-save prints for the options of `m` (IPv4).
    pub(crate) fn save_as<T: Extension>(m: &T) -> String {
        let mut s = String::new();
        m.save(&Ctx::new(Family::Ipv4), &mut s);
        s
    }

    /// Encodes `m` as the kernel would hold it.
    pub(crate) fn encode_as<T: Extension>(family: Family, m: &T) -> Vec<u8> {
        let mut out = Vec::new();
        m.encode(&Ctx::new(family), &mut out);
        out
    }
}
