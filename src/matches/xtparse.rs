//! What libxtables does for every option of a match, beyond the number
//! readers of [`crate::xtopt`]: the once-only / inversion / mandatory
//! bookkeeping of `xtables_option_parse` and `xtables_options_fcheck`,
//! iproute2 name tables, and the string and 0/1 fields of kernel structs.

use std::hash::{Hash, Hasher};

use crate::error::{Error, Result};
use crate::xtopt::C_SPACE;

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

#[cfg(test)]
mod tests {
    use super::*;

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
