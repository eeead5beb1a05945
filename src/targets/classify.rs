//! `-j CLASSIFY`: set the traffic control class of the packet
//! (`xt_CLASSIFY.h`, `struct xt_classify_target_info`).

use iptkit_sys::ext::xt_classify::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

/// `-j CLASSIFY --set-class MAJOR:MINOR` (both hexadecimal, as `tc` writes them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Classify {
    /// The class's major number (the qdisc handle).
    pub major: u16,
    /// The class's minor number.
    pub minor: u16,
}

impl Classify {
    /// `--set-class MAJOR:MINOR`.
    pub fn class(major: u16, minor: u16) -> Classify {
        Classify { major, minor }
    }
}

const O_SET_CLASS: usize = 0;
const OPTS: &[Opt] = &[Opt::new("set-class").mand()];

/// One `%x` conversion of `sscanf`: blanks, a sign, an optional `0x`, hex
/// digits (at least one). Too large a number saturates as `strtoul` does, a
/// `-` negates, and the result is cut to 32 bits, as glibc stores it.
fn scan_hex(s: &str) -> Option<(u32, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let t = match t.get(..2) {
        Some("0x" | "0X") if !t[2..].starts_with(|c: char| c.is_ascii_hexdigit()) => {
            // `0x` without digits is the number 0 followed by the `x`.
            return Some((0, &t[2..]));
        }
        Some("0x" | "0X") => &t[2..],
        _ => t,
    };
    let n = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
    if n == 0 {
        return None;
    }
    let v = u64::from_str_radix(&t[..n], 16).unwrap_or(u64::MAX);
    let v = if neg { v.wrapping_neg() } else { v };
    Some((v as u32, &t[n..]))
}

/// `MAJOR:MINOR` as libxt_CLASSIFY reads it (`sscanf(s, "%x:%x")`, anything
/// after the minor ignored; `TC_H_MAKE(major << 16, minor)`).
fn parse_class(s: &str) -> Result<(u16, u16)> {
    let bad = || Error::value("CLASSIFY --set-class", s, "bad class value");
    let (major, rest) = scan_hex(s).ok_or_else(bad)?;
    let rest = rest.strip_prefix(':').ok_or_else(bad)?;
    let (minor, _) = scan_hex(rest).ok_or_else(bad)?;
    Ok((major as u16, minor as u16))
}

impl Extension for Classify {
    const NAME: &'static str = "CLASSIFY";

    fn example(_family: crate::addr::Family) -> Self {
        Classify::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Classify::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_classify_target_info = read_struct(Self::NAME, revision, data)?;
        Ok(Classify::class(
            (k.priority >> 16) as u16,
            k.priority as u16,
        ))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_classify_target_info::zeroed();
        k.priority = u32::from(self.major) << 16 | u32::from(self.minor);
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "set-class" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_SET_CLASS, invert)?;
        (self.major, self.minor) = parse_class(args.value("--set-class")?)?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, " --set-class {:04x}:{:04x}", self.major, self.minor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j CLASSIFY --set-class 10:abc`, as the kernel holds it.
        both_ways(
            Ipv4,
            &Classify::class(0x10, 0xabc),
            &[0xbc, 0x0a, 0x10, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv6,
            &Classify::class(0, 0xffff),
            &[0xff, 0xff, 0, 0, 0, 0, 0, 0],
        );
    }

    #[test]
    fn classes_read_like_sscanf() {
        assert_eq!(parse_class("1:2").unwrap(), (1, 2));
        assert_eq!(parse_class("0x10:abc").unwrap(), (0x10, 0xabc));
        assert_eq!(parse_class(" 0x1:-2xyz").unwrap(), (1, 0xfffe));
        assert_eq!(parse_class("10000:1").unwrap(), (0, 1));
        assert_eq!(parse_class("ffffffffffffffffffff:1").unwrap(), (0xffff, 1));
        assert_eq!(parse_class("1:0x").unwrap(), (1, 0));
        for bad in ["1", "1 :1", "g:1", "1:+ 1", "1:- 1", ""] {
            assert!(parse_class(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j CLASSIFY --set-class 0000:ffff",
                Some("-j CLASSIFY --set-class 0000:ffff"),
            ),
            (
                Ipv6,
                "-j CLASSIFY --set-class 1:2",
                Some("-j CLASSIFY --set-class 0001:0002"),
            ),
            (Ipv4, "-j CLASSIFY", None),
            (Ipv6, "-j CLASSIFY", None),
            (Ipv4, "-j CLASSIFY --set-class 1:2 --set-class 2:3", None),
            (Ipv4, "-j CLASSIFY ! --set-class 1:2", None),
        ]);
    }
}
