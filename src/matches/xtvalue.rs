//! Option values read the way libxtables reads them (the `XTTYPE_HOSTMASK`
//! addresses of xtoptions.c), and a check that decoded
//! kernel bytes encode back to themselves.
//!
//! iptables leans on C library parsers here (`strtoul`, `getaddrinfo`),
//! whose quirks decide what a rule accepts and how it prints; they are
//! reproduced so that the same words give the same bytes.

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{Ctx, Extension};
use crate::xtopt::uint;

/// Which options of an extension were given, for the checks
/// `xtables_option_parse` makes (an option only once, `!` only where
/// allowed) and the final "requires" checks. Parsing bookkeeping only: it
/// never makes two values unequal.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen(u32);

impl PartialEq for Seen {
    fn eq(&self, _: &Seen) -> bool {
        true
    }
}

impl Eq for Seen {}

impl Hash for Seen {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl Seen {
    /// Takes `--option` (option number `id`, below 32) that may be given once.
    pub fn once(&mut self, option: &str, id: u32, invert: bool, invertible: bool) -> Result<()> {
        if self.has(id) {
            return Err(Error::rule(format!("--{option}"), "can only be used once"));
        }
        self.multi(option, id, invert, invertible)
    }

    /// Takes `--option` that may be given any number of times.
    pub fn multi(&mut self, option: &str, id: u32, invert: bool, invertible: bool) -> Result<()> {
        if invert && !invertible {
            return Err(Error::rule(format!("--{option}"), "cannot be inverted"));
        }
        self.0 |= 1 << id;
        Ok(())
    }

    /// True when option `id` was given.
    pub fn has(&self, id: u32) -> bool {
        self.0 & (1 << id) != 0
    }
}

/// Values an extension collects while its options are parsed and turns
/// into its fields in `finish` (iptables writes some options into shared
/// struct fields whatever their order). Like [`Seen`], it never makes two
/// values unequal.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scratch<T>(pub T);

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _: &Scratch<T>) -> bool {
        true
    }
}

impl<T> Eq for Scratch<T> {}

impl<T> Hash for Scratch<T> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// An IPv4 address as `inet_aton` reads it (which `getaddrinfo` uses): one
/// to four parts, each decimal, `0x` hex or `0` octal, the last part filling
/// the remaining bytes (`1` is 0.0.0.1, `10.1` is 10.0.0.1).
fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::with_capacity(4);
    for p in &parts {
        if !p.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let (digits, base) = if let Some(h) = p.strip_prefix("0x").or(p.strip_prefix("0X")) {
            (h, 16)
        } else if p.len() > 1 && p.starts_with('0') {
            (&p[1..], 8)
        } else {
            (*p, 10)
        };
        // "0x" alone is 0 to inet_aton.
        let v = if digits.is_empty() {
            0
        } else {
            u32::from_str_radix(digits, base).ok()?
        };
        if !digits.chars().all(|c| c.is_digit(base)) {
            return None;
        }
        vals.push(v);
    }
    let (last, head) = vals.split_last()?;
    let mut addr = 0u32;
    for (i, &v) in head.iter().enumerate() {
        if v > 0xFF {
            return None;
        }
        addr |= v << (24 - 8 * i);
    }
    let room = 32 - 8 * head.len() as u32;
    if room < 32 && *last >= 1 << room {
        return None;
    }
    Some(Ipv4Addr::from(addr | last))
}

/// A numeric host address of `family`, as `getaddrinfo` reads it. Host names
/// are not resolved: the library does no DNS.
fn parse_host(family: Family, s: &str) -> Option<IpAddr> {
    match family {
        Family::Ipv4 => inet_aton(s).map(IpAddr::V4),
        Family::Ipv6 => s.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
    }
}

/// The prefix length of a contiguous mask (`xtables_ip[6]mask_to_cidr`).
pub(crate) fn mask_to_cidr(mask: IpAddr) -> Option<u8> {
    let (bits, ones, total) = match mask {
        IpAddr::V4(m) => (u32::from(m).leading_ones(), u32::from(m).count_ones(), 32),
        IpAddr::V6(m) => (
            u128::from(m).leading_ones(),
            u128::from(m).count_ones(),
            128,
        ),
    };
    let _ = total;
    (bits == ones).then_some(bits as u8)
}

/// An `XTTYPE_HOSTMASK` value, `ADDR[/MASK]`: the address as given (not
/// masked), the mask from a prefix length (`/24`, also `0x18`) or written
/// out (`/255.255.255.0`). A written-out mask that is not contiguous becomes
/// a full mask, as libxtables' prefix conversion does.
pub(crate) fn parse_hostmask(family: Family, option: &str, s: &str) -> Result<(IpAddr, IpAddr)> {
    let bad = |why: &str| Error::value(option, s, why.to_string());
    let (host, mask) = match s.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (s, None),
    };
    let addr = parse_host(family, host).ok_or_else(|| bad("not a numeric address"))?;
    let full = family.mask(family.bits());
    let mask = match mask {
        None => full,
        Some(m) => match uint(m, 0, family.bits() as u64) {
            Some(len) => family.mask(len as u8),
            None => {
                let m = parse_host(family, m)
                    .ok_or_else(|| bad("neither a valid network mask nor a valid CIDR"))?;
                mask_to_cidr(m).map_or(full, |len| family.mask(len))
            }
        },
    };
    Ok((addr, mask))
}

/// `ADDR` followed by `xtables_ip[6]mask_to_numeric`: nothing for a full
/// mask, `/LEN` for a contiguous one, `/MASK` written out otherwise.
pub(crate) fn addr_mask_string(addr: IpAddr, mask: IpAddr) -> String {
    match mask_to_cidr(mask) {
        Some(len) if len == Family::of(&mask).bits() => addr.to_string(),
        Some(len) => format!("{addr}/{len}"),
        None => format!("{addr}/{mask}"),
    }
}

/// Bytes of an address in a 16-byte kernel field (`nf_inet_addr` and friends):
/// an IPv4 address takes the first four.
pub(crate) fn addr_to_bytes(addr: IpAddr) -> [u8; 16] {
    match addr {
        IpAddr::V4(a) => {
            let mut b = [0; 16];
            b[..4].copy_from_slice(&a.octets());
            b
        }
        IpAddr::V6(a) => a.octets(),
    }
}

/// The address of `family` in a 16-byte kernel field.
pub(crate) fn addr_from_bytes(family: Family, b: [u8; 16]) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(b)),
    }
}

/// Returns `value` only when it encodes back to `data` exactly (the struct,
/// then zero padding). Kernel bytes that iptables would never write (stray
/// flags, data in unused slots) are refused, so that the caller keeps them as
/// an unknown blob instead of silently dropping them.
pub(crate) fn exact<E: Extension>(ctx: &Ctx, data: &[u8], value: E) -> Result<E> {
    let mut out = Vec::new();
    value.encode(ctx, &mut out);
    let n = out.len();
    if data.len() >= n && data[..n] == out[..] && data[n..].iter().all(|&b| b == 0) {
        Ok(value)
    } else {
        Err(Error::Malformed(format!(
            "{}: bytes iptables would not write",
            E::NAME
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostmasks_like_getaddrinfo() {
        let v4 = |s| parse_hostmask(Family::Ipv4, "--x", s).map(|(a, m)| addr_mask_string(a, m));
        assert_eq!(v4("10.1.2.3/8").unwrap(), "10.1.2.3/8");
        assert_eq!(v4("1").unwrap(), "0.0.0.1");
        assert_eq!(v4("10.1").unwrap(), "10.0.0.1");
        assert_eq!(v4("1.2.3.4/255.255.0.0").unwrap(), "1.2.3.4/16");
        assert_eq!(v4("1.2.3.4/255.0.255.0").unwrap(), "1.2.3.4");
        assert_eq!(v4("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(v4("1.2.3.4/0x10").unwrap(), "1.2.3.4/16");
        assert!(v4("2001:db8::/32").is_err());
        assert!(v4("1.2.3.256").is_err());
        assert!(v4("host.example").is_err());
        assert!(v4("1.2.3.4/foo").is_err());
        let v6 = |s| parse_hostmask(Family::Ipv6, "--x", s).map(|(a, m)| addr_mask_string(a, m));
        assert_eq!(v6("2001:db8::1/64").unwrap(), "2001:db8::1/64");
        assert_eq!(v6("2001:db8::1").unwrap(), "2001:db8::1");
        assert!(v6("10.0.0.0/8").is_err());
        assert!(v6("::/129").is_err());
    }
}

/// Test helpers shared by the matches of this area: options in, kernel
/// bytes and iptables-save text out.
#[cfg(test)]
pub(crate) mod testing {
    use crate::addr::Family;
    use crate::extension::{Args, Ctx, Extension};
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
    use crate::Result;

    /// A context of `family` without a protocol.
    pub fn ctx(family: Family) -> Ctx {
        Ctx::new(family)
    }

    /// Parses the options of one extension (`--dir in --pol ipsec`) as the
    /// rule parser hands them over, then runs `finish`.
    pub fn parse<E: Extension>(ctx: &Ctx, options: &str) -> Result<E> {
        let words = split_words(options)?;
        let mut v = E::new(ctx, E::NAME);
        let mut args = Args::new(&words);
        while let Some(w) = args.next() {
            let (invert, w) = match w {
                "!" => (true, args.next().expect("an option after !")),
                w => (false, w),
            };
            let known = v.parse_option(ctx, w.trim_start_matches('-'), invert, &mut args)?;
            assert!(known, "{w} is not an option of {}", E::NAME);
        }
        v.finish(ctx)?;
        Ok(v)
    }

    /// The iptables-save text of a value.
    pub fn save<E: Extension>(ctx: &Ctx, v: &E) -> String {
        let mut s = String::new();
        v.save(ctx, &mut s);
        s
    }

    /// Checks a fixture taken from the kernel (`xtdump.py`: the match data,
    /// padding included): `options` encode to exactly `hex` at `revision`,
    /// and `hex` decodes to the same value.
    pub fn kernel_fixture<E: Extension>(ctx: &Ctx, options: &str, revision: u8, hex: &str) {
        let v: E = parse(ctx, options).unwrap();
        assert_eq!(v.revision(), revision, "revision of `{options}`");
        let mut out = Vec::new();
        v.encode(ctx, &mut out);
        out.resize(iptkit_sys::xt_align(out.len()), 0);
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(out, bytes, "bytes of `{options}`");
        assert_eq!(
            E::decode(ctx, revision, &bytes).unwrap(),
            v,
            "decode of `{options}`"
        );
    }

    /// Runs conformance cases through the rule parser and printer: each
    /// `(rule, Some(save))` must print `-A CHAIN` + `save` exactly as
    /// iptables-legacy-save did, each `(rule, None)` must be refused, and
    /// `(rule, Some("?"))` (refused only by the kernel) must parse.
    pub fn conformance(family: Family, cases: &[(&str, Option<&str>)]) {
        let mut misses = Vec::new();
        for (rule, want) in cases {
            let got = split_words(rule).and_then(|w| parse_rule_spec(family, &w));
            match (got, want) {
                (Ok(_), Some("?")) => {}
                (Ok((rules, _)), Some(want)) => {
                    let got: Vec<String> = rules.iter().map(save_rule_spec).collect();
                    if got != [format!(" {want}")] {
                        misses.push(format!("`{rule}`: want ` {want}`, got {got:?}"));
                    }
                }
                (Err(e), Some(_)) => misses.push(format!("`{rule}` refused: {e}")),
                (Ok(_), None) => misses.push(format!("`{rule}` accepted")),
                (Err(_), None) => {}
            }
        }
        assert!(misses.is_empty(), "{}", misses.join("\n"));
    }
}
