//! `-m mh`: the IPv6 mobility header type (`ip6t_mh.h`, `struct ip6t_mh`).

use std::fmt;

use iptkit_sys::ext::ip6t_mh::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{exact, uint, Seen};

/// Mobility header type names, aliases after their type (`mh_names`).
const MH_NAMES: [(&str, u8); 16] = [
    ("binding-refresh-request", 0),
    ("brr", 0),
    ("home-test-init", 1),
    ("hoti", 1),
    ("careof-test-init", 2),
    ("coti", 2),
    ("home-test", 3),
    ("hot", 3),
    ("careof-test", 4),
    ("cot", 4),
    ("binding-update", 5),
    ("bu", 5),
    ("binding-acknowledgement", 6),
    ("ba", 6),
    ("binding-error", 7),
    ("be", 7),
];

/// An inclusive range of mobility header types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MhTypes {
    /// First type.
    pub min: u8,
    /// Last type.
    pub max: u8,
}

impl MhTypes {
    /// Every type, what the kernel holds without `--mh-type`.
    pub const ALL: MhTypes = MhTypes { min: 0, max: 0xFF };
}

impl fmt::Display for MhTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}:{}", self.min, self.max)
        }
    }
}

/// `-m mh` (IPv6 only; the kernel wants `-p mh` too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mh {
    /// `[!] --mh-type TYPE[:TYPE]`; [`MhTypes::ALL`] when not given
    /// (iptables-save leaves the whole range out, even inverted).
    pub types: Inv<MhTypes>,
}

impl Default for Mh {
    fn default() -> Self {
        Mh {
            types: Inv::is(MhTypes::ALL),
        }
    }
}

/// `name_to_type`: a name or any prefix of one, regardless of case (the
/// first that fits, unless a later one fits exactly), else a number 0-255.
fn mh_type(option: &str, s: &str) -> Result<u8> {
    let mut found: Option<(&str, u8)> = None;
    for &(name, t) in &MH_NAMES {
        let prefix = name
            .get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s));
        if prefix && (found.is_none() || name.len() == s.len()) {
            found = Some((name, t));
        }
    }
    match found {
        Some((_, t)) => Ok(t),
        None => uint(s, 0, 0xFF)
            .map(|n| n as u8)
            .ok_or_else(|| Error::value(option, s, "invalid MH type")),
    }
}

/// `parse_mh_types`: `TYPE`, `TYPE:TYPE`, `TYPE:`, `:TYPE` or `:`.
fn parse_types(option: &str, s: &str) -> Result<MhTypes> {
    match s.split_once(':') {
        None => {
            let t = mh_type(option, s)?;
            Ok(MhTypes { min: t, max: t })
        }
        Some((a, b)) => {
            let min = if a.is_empty() { 0 } else { mh_type(option, a)? };
            let max = if b.is_empty() {
                0xFF
            } else {
                mh_type(option, b)?
            };
            if min > max {
                return Err(Error::value(option, s, "invalid MH type range (min > max)"));
            }
            Ok(MhTypes { min, max })
        }
    }
}

impl Extension for Mh {
    const NAME: &'static str = "mh";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Mh::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Mh::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_mh = read_struct(Self::NAME, revision, data)?;
        let types = MhTypes {
            min: k.types[0],
            max: k.types[1],
        };
        let v = Mh {
            types: Inv::new(types, k.invflags & IP6T_MH_INV_TYPE != 0),
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_mh::zeroed();
        k.types = [self.types.value.min, self.types.value.max];
        if self.types.invert {
            k.invflags = IP6T_MH_INV_TYPE;
        }
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
        if option != "mh-type" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, 1 << 0, invert, true)?;
        let types = parse_types("--mh-type", args.value("--mh-type")?)?;
        self.types = Inv::new(types, invert);
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.types.value != MhTypes::ALL {
            push_fmt!(out, "{} --mh-type {}", self.types.bang(), self.types.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v6 = ctx(Family::Ipv6);
        match parse::<Mh>(&v6, options) {
            Ok(v) => save(&v6, &v),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        kernel_fixture::<Mh>(&v6, "! --mh-type 4:123", 0, "047b010000000000");
        kernel_fixture::<Mh>(&v6, "--mh-type home", 0, "0101000000000000");
        kernel_fixture::<Mh>(&v6, "! --mh-type :", 0, "00ff010000000000");
    }

    #[test]
    fn types_like_name_to_type() {
        assert_eq!(text("--mh-type b"), " --mh-type 0");
        assert_eq!(text("--mh-type BU"), " --mh-type 5");
        assert_eq!(text("--mh-type hot:cot"), " --mh-type 3:4");
        assert_eq!(text("--mh-type home-test"), " --mh-type 3");
        assert_eq!(text("--mh-type 0x10"), " --mh-type 16");
        assert_eq!(text("--mh-type \"\""), " --mh-type 0");
        assert_eq!(text("--mh-type :be"), " --mh-type 0:7");
        assert_eq!(text("--mh-type bind"), " --mh-type 0");
        for bad in [
            "--mh-type 256",
            "--mh-type x",
            "--mh-type 1 --mh-type 2",
            "--mh-type 4:3",
        ] {
            assert!(text(bad).starts_with("error"), "{bad}");
        }
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                ("-m mh", Some("?")),
                ("-p mobility-header -m mh", Some("-p mobility-header -m mh")),
                (
                    "-p mobility-header -m mh --mh-type 1",
                    Some("-p mobility-header -m mh --mh-type 1"),
                ),
                (
                    "-p mobility-header -m mh ! --mh-type 4",
                    Some("-p mobility-header -m mh ! --mh-type 4"),
                ),
                (
                    "-p mobility-header -m mh --mh-type 4:123",
                    Some("-p mobility-header -m mh --mh-type 4:123"),
                ),
                (
                    "-p mobility-header -m mh --mh-type :",
                    Some("-p mobility-header -m mh"),
                ),
                (
                    "-p mobility-header -m mh ! --mh-type :",
                    Some("-p mobility-header -m mh"),
                ),
                (
                    "-p mobility-header -m mh --mh-type :3",
                    Some("-p mobility-header -m mh --mh-type 0:3"),
                ),
                (
                    "-p mobility-header -m mh --mh-type 3:",
                    Some("-p mobility-header -m mh --mh-type 3:255"),
                ),
                (
                    "-p mobility-header -m mh --mh-type 3:3",
                    Some("-p mobility-header -m mh --mh-type 3"),
                ),
                ("-p mobility-header -m mh --mh-type 4:3", None),
            ],
        );
    }
}
