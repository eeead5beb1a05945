//! What the target codecs of this folder share with libxtables' option
//! parser (`xtoptions.c`): the option-table checks of `xtables_option_parse`
//! and `xtables_options_fcheck` (used once, not inverted, mandatory, mutually
//! exclusive); the numbers are [`crate::xtopt`]'s.
//!
//! A target lists its options in a table of [`Opt`], indexed by a small
//! constant per option, and keeps a [`Seen`] in its value.

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::xtopt::uint;

/// One option of a target's table (`struct xt_option_entry`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opt {
    /// The long name, without dashes.
    pub name: &'static str,
    /// `XTOPT_MAND`: the rule must give it.
    pub mand: bool,
    /// `.excl`: bits (table indexes) of options it cannot be combined with.
    pub excl: u32,
}

impl Opt {
    /// An optional option, excluding nothing. (No target option can be
    /// inverted, so there is no `XTOPT_INVERT`.)
    pub const fn new(name: &'static str) -> Opt {
        Opt {
            name,
            mand: false,
            excl: 0,
        }
    }

    /// The same option, mandatory.
    pub const fn mand(self) -> Opt {
        Opt { mand: true, ..self }
    }

    /// The same option, excluding the options of bits `excl`.
    pub const fn excl(self, excl: u32) -> Opt {
        Opt { excl, ..self }
    }
}

/// Which options of its table a target took while parsing.
///
/// This is bookkeeping for [`crate::extension::Extension::parse_option`] and
/// `finish`, not part of the value: every `Seen` equals every other, so a
/// parsed value equals the same value decoded from the kernel.
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
    /// Takes option `table[id]` of target `ext`: refuses a second use and a
    /// `!`, as `xtables_option_parse` does.
    pub(crate) fn take(&mut self, ext: &str, table: &[Opt], id: usize, invert: bool) -> Result<()> {
        let opt = &table[id];
        if self.has(id) {
            return Err(Error::rule(
                ext,
                format!("option \"--{}\" can only be used once", opt.name),
            ));
        }
        if invert {
            return Err(Error::rule(
                ext,
                format!("option \"--{}\" cannot be inverted", opt.name),
            ));
        }
        self.0 |= 1 << id;
        Ok(())
    }

    /// Records option `id` as taken without the checks of [`Seen::take`]
    /// (for options that set what another option sets).
    pub(crate) fn mark(&mut self, id: usize) {
        self.0 |= 1 << id;
    }

    /// True when option `id` was taken.
    pub(crate) fn has(self, id: usize) -> bool {
        self.0 & (1 << id) != 0
    }

    /// True when no option was taken.
    pub(crate) fn none(self) -> bool {
        self.0 == 0
    }

    /// The final checks of `xtables_options_fcheck`, in table order:
    /// mandatory options given, exclusive options not combined.
    pub(crate) fn fcheck(self, ext: &str, table: &[Opt]) -> Result<()> {
        for (id, opt) in table.iter().enumerate() {
            if opt.mand && !self.has(id) {
                return Err(Error::rule(
                    ext,
                    format!("option \"--{}\" must be specified", opt.name),
                ));
            }
            if !self.has(id) {
                continue;
            }
            for (other_id, other) in table.iter().enumerate() {
                if other_id != id && opt.excl & (1 << other_id) != 0 && self.has(other_id) {
                    return Err(Error::rule(
                        ext,
                        format!(
                            "option \"--{}\" cannot be used together with \"--{}\"",
                            opt.name, other.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Parser state an extension keeps between `parse_option` and `finish`
/// (iptables' `udata`). Like [`Seen`], not part of the value: every
/// `Scratch` equals every other.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scratch<T>(pub T);

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _other: &Scratch<T>) -> bool {
        true
    }
}

impl<T> Eq for Scratch<T> {}

impl<T> Hash for Scratch<T> {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

/// Checks that a decoded value encodes back to the bytes it came from, up
/// to `upto` (where the kernel-private fields start), so that values this
/// crate cannot write back (stray bytes after a NUL, bits without their
/// flag) stay raw.
pub(crate) fn same_bytes(ext: &str, encoded: &[u8], data: &[u8], upto: usize) -> Result<()> {
    if encoded.get(..upto) == data.get(..upto) {
        Ok(())
    } else {
        Err(Error::Malformed(format!(
            "{ext}: bytes this codec would not write back"
        )))
    }
}

/// `s` cut to fit a C string field of `n` bytes with its NUL, as
/// `XTTYPE_STRING` options cut it (`strncpy`; here at a character boundary).
pub(crate) fn truncated(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Copies `s` into a C string field of `N` bytes, cut as [`truncated`] cuts it.
pub(crate) fn put_truncated<const N: usize>(s: &str, field: &mut [u8; N]) {
    let s = truncated(s, N);
    field.fill(0);
    field[..s.len()].copy_from_slice(s.as_bytes());
}

/// An IPv4 address as glibc's `inet_aton` reads it (what `getaddrinfo`
/// with a numeric host does): one to four parts, each a C number (`0x` hex,
/// leading-0 octal); the last part fills the remaining bytes (`10` is
/// 0.0.0.10, `10.1` is 10.0.0.1).
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut v: u32 = 0;
    for (i, p) in parts.iter().enumerate() {
        let (radix, digits) = if let Some(h) = p.strip_prefix("0x").or(p.strip_prefix("0X")) {
            (16, h)
        } else if p.len() > 1 && p.starts_with('0') {
            (8, &p[1..])
        } else {
            (10, *p)
        };
        // A lone `0x` is 0, as in inet_aton; anything else needs digits.
        if !p.starts_with(|c: char| c.is_ascii_digit())
            || !digits.chars().all(|c| c.is_digit(radix))
        {
            return None;
        }
        let n = if digits.is_empty() {
            0
        } else {
            u32::from_str_radix(digits, radix).ok()?
        };
        if i + 1 < parts.len() {
            if n > 0xff {
                return None;
            }
            v |= n << (24 - 8 * i);
        } else {
            let room = 32 - 8 * i as u32;
            if room < 32 && n >> room != 0 {
                return None;
            }
            v |= n;
        }
    }
    Some(Ipv4Addr::from(v))
}

/// A host address of `family` as `XTTYPE_HOST` options take it, numeric
/// only (this library does no name lookups): IPv4 as `inet_aton`, IPv6 as
/// `inet_pton`.
pub(crate) fn host(family: Family, option: &str, s: &str) -> Result<IpAddr> {
    let a = match family {
        Family::Ipv4 => inet_aton(s).map(IpAddr::V4),
        Family::Ipv6 => s.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
    };
    a.ok_or_else(|| Error::value(option, s, "not a numeric address of the rule's family"))
}

/// A prefix length as `XTTYPE_PLEN`/`PLENMASK` options take it in iptables
/// 1.8.9: a number up to the family's width, else a numeric address read as
/// a network mask. A mask that is not a prefix gives 255 (iptables' -1 in
/// its 8-bit length).
pub(crate) fn plen(family: Family, option: &str, s: &str) -> Result<u8> {
    let bits = family.bits();
    if let Some(n) = uint(s, 0, bits.into()) {
        return Ok(n as u8);
    }
    let mask: Option<u128> = match family {
        Family::Ipv4 => inet_aton(s).map(|a| u128::from(u32::from(a)) << 96),
        Family::Ipv6 => s.parse::<Ipv6Addr>().ok().map(u128::from),
    };
    let mask = mask.ok_or_else(|| {
        Error::value(
            option,
            s,
            format!("neither a valid network mask nor valid CIDR (0-{bits})"),
        )
    })?;
    let ones = mask.leading_ones();
    Ok(if ones == 128 || mask << ones == 0 {
        ones.min(u32::from(bits)) as u8
    } else {
        255
    })
}

/// An address in the 16 bytes of a `union nf_inet_addr` (IPv4 first).
pub(crate) fn inet_addr_bytes(a: IpAddr) -> [u8; 16] {
    let mut b = [0; 16];
    match a {
        IpAddr::V4(v4) => b[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => b = v6.octets(),
    }
    b
}

/// The address of `family` in a `union nf_inet_addr`.
pub(crate) fn inet_addr_of(family: Family, b: [u8; 16]) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[
        Opt::new("a").mand(),
        Opt::new("b").excl(1 << 2),
        Opt::new("c"),
    ];

    #[test]
    fn option_table_checks() {
        let mut s = Seen::default();
        assert!(s.fcheck("X", OPTS).is_err());
        s.take("X", OPTS, 0, false).unwrap();
        assert!(s.take("X", OPTS, 0, false).is_err());
        assert!(s.take("X", OPTS, 1, true).is_err());
        s.fcheck("X", OPTS).unwrap();
        s.take("X", OPTS, 1, false).unwrap();
        s.take("X", OPTS, 2, false).unwrap();
        let e = s.fcheck("X", OPTS).unwrap_err().to_string();
        assert!(
            e.contains("\"--b\" cannot be used together with \"--c\""),
            "{e}"
        );
    }

    #[test]
    fn ipv4_like_inet_aton() {
        let a = |s: &str| inet_aton(s).map(|a| a.to_string());
        assert_eq!(a("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(a("33").as_deref(), Some("0.0.0.33"));
        assert_eq!(a("10.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(a("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(a("010.0.0.1").as_deref(), Some("8.0.0.1"));
        assert_eq!(a("4294967295").as_deref(), Some("255.255.255.255"));
        for bad in [
            "",
            "1.2.3.4.5",
            "256.1",
            "1..2",
            "08",
            "a",
            "1.2.3.256",
            " 1",
            "-1",
        ] {
            assert_eq!(inet_aton(bad), None, "{bad}");
        }
    }
}

/// Helpers for the tests of the target codecs in this folder.
#[cfg(test)]
pub(crate) mod testing {
    use crate::addr::Family;
    use crate::extension::{Ctx, Extension};
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    pub(crate) use crate::targets::reject::testing::hex;

    /// `value` encodes to `bytes` (the kernel's data, alignment padding
    /// included) and `bytes` decode to `value`, in a rule of `family`.
    pub(crate) fn both_ways<T: Extension>(family: Family, value: &T, bytes: &[u8]) {
        crate::targets::reject::testing::both_ways(&Ctx::new(family), value, bytes);
    }

    /// Runs rule specs through the rule parser and printer: `Some(save)` is
    /// what iptables-legacy-save printed after `-A CHAIN`, `None` a rule the
    /// iptables parser refused.
    pub(crate) fn conformance(cases: &[(Family, &str, Option<&str>)]) {
        for (family, rule, want) in cases {
            let argv = split_words(rule).unwrap();
            let got = parse_rule_spec(*family, &argv);
            match (got, want) {
                (Ok((rules, _)), Some(want)) => {
                    let saved: Vec<String> = rules
                        .iter()
                        .map(|r| save_rule_spec(r).trim_start().to_string())
                        .collect();
                    assert_eq!(saved, [want.to_string()], "{family:?} `{rule}`");
                }
                (Err(e), Some(_)) => panic!("{family:?} `{rule}` refused: {e}"),
                (Ok((rules, _)), None) => panic!(
                    "{family:?} `{rule}` accepted as {:?}, iptables refuses it",
                    save_rule_spec(&rules[0])
                ),
                (Err(_), None) => {}
            }
        }
    }
}
