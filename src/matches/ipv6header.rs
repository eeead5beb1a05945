//! `-m ipv6header`: which IPv6 extension headers a packet has
//! (`ip6t_ipv6header.h`, `struct ip6t_ipv6header_info`).

use bitflags::bitflags;
use iptkit_sys::ext::ip6t_ipv6header::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::names;
use crate::xtopt::{exact, Seen};

bitflags! {
    /// Extension headers, in the order iptables prints them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Ipv6Headers: u8 {
        /// Hop-by-hop options (`hop-by-hop`, `hop`, 0).
        const HOP_BY_HOP = MASK_HOPOPTS;
        /// Destination options (`ipv6-opts`, `dst`, 60).
        const DST = MASK_DSTOPTS;
        /// Routing header (`ipv6-route`, `route`, 43).
        const ROUTING = MASK_ROUTING;
        /// Fragment header (`ipv6-frag`, `frag`, 44).
        const FRAGMENT = MASK_FRAGMENT;
        /// Authentication header (`ah`, `auth`, 51).
        const AH = MASK_AH;
        /// Encapsulating security payload (`esp`, 50).
        const ESP = MASK_ESP;
        /// No next header (`ipv6-nonxt`, `none`, 59).
        const NONE = MASK_NONE;
        /// Any upper-layer protocol (`protocol`, `prot`, 255).
        const PROTO = MASK_PROTO;
    }
}

/// Each header's protocol number, flag and name when /etc/protocols has
/// none (`chain_flags` and `chain_protos` of libip6t_ipv6header.c).
const HEADERS: [(u8, Ipv6Headers, &str); 8] = [
    (0, Ipv6Headers::HOP_BY_HOP, "hop-by-hop"),
    (60, Ipv6Headers::DST, "dst"),
    (43, Ipv6Headers::ROUTING, "route"),
    (44, Ipv6Headers::FRAGMENT, "frag"),
    (51, Ipv6Headers::AH, "auth"),
    (50, Ipv6Headers::ESP, "esp"),
    (59, Ipv6Headers::NONE, "none"),
    (255, Ipv6Headers::PROTO, "protocol"),
];

/// Names iptables knows besides /etc/protocols.
const BUILTIN_NAMES: [(&str, u8); 18] = [
    ("hop-by-hop", 0),
    ("protocol", 255),
    ("hop", 0),
    ("dst", 60),
    ("route", 43),
    ("frag", 44),
    ("auth", 51),
    ("esp", 50),
    ("none", 59),
    ("prot", 255),
    ("0", 0),
    ("60", 60),
    ("43", 43),
    ("44", 44),
    ("51", 51),
    ("50", 50),
    ("59", 59),
    ("255", 255),
];

/// `-m ipv6header` (IPv6 only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv6header {
    /// `[!] --header NAMES`: the headers (all of them present, and no
    /// other unless `soft`).
    pub headers: Inv<Ipv6Headers>,
    /// `--soft`: the packet has at least these headers.
    pub soft: bool,
}

impl Ipv6header {
    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Ipv6header {
        Ipv6header {
            headers: Inv::is(Ipv6Headers::empty()),
            soft: false,
        }
    }
}

const O_HEADER: u32 = 1 << 0;
const O_SOFT: u32 = 1 << 1;

/// `name_to_proto`: a protocol name from /etc/protocols (names are taken
/// regardless of case) or one of iptables' own; numbers only as listed.
fn header_proto(s: &str) -> Option<u8> {
    let named = if s.starts_with(|c: char| c.is_ascii_digit()) || s.eq_ignore_ascii_case("all") {
        None
    } else {
        names::parse_protocol(s)
    };
    named.or_else(|| BUILTIN_NAMES.iter().find(|(n, _)| *n == s).map(|e| e.1))
}

fn parse_headers(option: &str, s: &str) -> Result<Ipv6Headers> {
    let mut flags = Ipv6Headers::empty();
    for name in s.split(',').filter(|n| !n.is_empty()) {
        let proto = header_proto(name)
            .ok_or_else(|| Error::value(option, s, format!("unknown header `{name}' specified")))?;
        let flag = HEADERS
            .iter()
            .find(|h| h.0 == proto)
            .ok_or_else(|| Error::value(option, s, format!("unknown header `{proto}' specified")))?
            .1;
        flags |= flag;
    }
    if flags.is_empty() {
        return Err(Error::value(option, s, "cannot parse header names"));
    }
    Ok(flags)
}

impl Extension for Ipv6header {
    const NAME: &'static str = "ipv6header";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Ipv6header::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Ipv6header::empty()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_ipv6header_info = read_struct(Self::NAME, revision, data)?;
        let v = Ipv6header {
            headers: Inv::new(Ipv6Headers::from_bits_retain(k.matchflags), k.invflags != 0),
            soft: k.modeflag != 0,
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_ipv6header_info::zeroed();
        k.matchflags = self.headers.value.bits();
        // iptables writes 0xFF for "yes" in both fields.
        if self.headers.invert {
            k.invflags = 0xFF;
        }
        if self.soft {
            k.modeflag = 0xFF;
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
        match option {
            "header" => {
                seen.take(Self::NAME, option, O_HEADER, invert, true)?;
                let flags = parse_headers("--header", args.value("--header")?)?;
                self.headers = Inv::new(flags, invert);
            }
            "soft" => {
                seen.take(Self::NAME, option, O_SOFT, invert, false)?;
                self.soft = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_HEADER) {
            return Err(Error::rule("ipv6header", "--header must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let names: Vec<String> = HEADERS
            .iter()
            .filter(|h| self.headers.value.contains(h.1))
            .map(|&(proto, _, fallback)| match proto {
                // iptables looks 0 up in its own list, which says hop-by-hop.
                0 => fallback.to_string(),
                p => names::protocol_name(p).unwrap_or(fallback).to_string(),
            })
            .collect();
        let list = if names.is_empty() {
            "NONE".to_string()
        } else {
            names.join(",")
        };
        push_fmt!(out, "{} --header {list}", self.headers.bang());
        if self.soft {
            out.push_str(" --soft");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v6 = ctx(Family::Ipv6);
        match parse::<Ipv6header>(&v6, options) {
            Ok(v) => save(&v6, &v),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        kernel_fixture::<Ipv6header>(&v6, "--header hop-by-hop --soft", 0, "8000ff0000000000");
        kernel_fixture::<Ipv6header>(&v6, "! --header ipv6-nonxt", 0, "02ff000000000000");
        assert!(Ipv6header::decode(&v6, 0, &[0x80, 1, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn names_like_iptables() {
        assert_eq!(
            text("--header 255,0,60,43,44,51,50,59"),
            " --header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol"
        );
        assert_eq!(
            text("! --header prot,HOPOPT,IPv6-Route --soft"),
            " ! --header hop-by-hop,ipv6-route,protocol --soft"
        );
        assert_eq!(text("--header ip"), " --header hop-by-hop");
        assert_eq!(text("--header hop,hop"), " --header hop-by-hop");
        assert_eq!(
            text("--header dst,auth,prot,protocol"),
            " --header ipv6-opts,ah,protocol"
        );
        for bad in [
            "--header all",
            "--header 6",
            "--header tcp",
            "--header ,,,",
            "--soft",
            "--header esp --header ah",
            "--header esp ! --soft",
            "--header 0x3c",
        ] {
            assert!(text(bad).starts_with("error"), "{bad}");
        }
        let none = Ipv6header::empty();
        assert_eq!(save(&ctx(Family::Ipv6), &none), " --header NONE");
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                (
                    "-m ipv6header --header hop-by-hop",
                    Some("-m ipv6header --header hop-by-hop"),
                ),
                (
                    "-m ipv6header --header hop-by-hop --soft",
                    Some("-m ipv6header --header hop-by-hop --soft"),
                ),
                (
                    "-m ipv6header --header ipv6-nonxt",
                    Some("-m ipv6header --header ipv6-nonxt"),
                ),
            ],
        );
    }
}
