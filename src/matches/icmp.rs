//! `-m icmp`: type and code of an ICMP header, IPv4 only (`ip_tables.h`,
//! `struct ipt_icmp`). The type parser is shared with `-m icmp6`.
//!
//! ```
//! use iptkit::matches::icmp::{Icmp, IcmpType};
//! use iptkit::{Family, Inv, Rule, Target};
//! let rule = Rule::parse(Family::Ipv4, "-p icmp -m icmp --icmp-type echo-request -j ACCEPT")?;
//! let echo_request = IcmpType::all_codes(8);
//! assert_eq!(rule.find::<Icmp>().unwrap().icmp_type, Inv::is(echo_request));
//! let built = Rule::new(Family::Ipv4) // `-p icmp` comes with the match
//!     .with_match(Icmp { icmp_type: Inv::is(echo_request) })
//!     .with_target(Target::Accept);
//! assert_eq!(built.to_string(), "-p icmp -m icmp --icmp-type 8 -j ACCEPT"); // iptables-save prints numbers
//! assert_eq!(built, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::ipt_icmp::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// An ICMP (or ICMPv6) type with a range of codes, as the kernel compares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IcmpType {
    /// The type (C `type`); 0xFF is iptables' `any` for `-m icmp`.
    pub type_: u8,
    /// First code matched.
    pub code_min: u8,
    /// Last code matched.
    pub code_max: u8,
}

impl IcmpType {
    /// `any`: every ICMP packet (what an `ipt_icmp` starts as in iptables).
    pub const ANY: IcmpType = IcmpType::all_codes(0xFF);

    /// A type with every code.
    pub const fn all_codes(type_: u8) -> IcmpType {
        IcmpType {
            type_,
            code_min: 0,
            code_max: 0xFF,
        }
    }

    /// A type with one code.
    pub const fn code(type_: u8, code: u8) -> IcmpType {
        IcmpType {
            type_,
            code_min: code,
            code_max: code,
        }
    }

    /// True when every code matches.
    pub fn is_all_codes(&self) -> bool {
        self.code_min == 0 && self.code_max == 0xFF
    }

    /// Appends `T` or `T/CODE` as iptables-save prints a type (the code range
    /// is reduced to its first code, as iptables does).
    pub(crate) fn save_numeric(&self, out: &mut String) {
        out.push_str(&self.type_.to_string());
        if !self.is_all_codes() {
            push_fmt!(out, "/{}", self.code_min);
        }
    }
}

/// ICMP type names iptables accepts (`icmp_codes` in libxt_icmp.h), in its order.
const ICMP_NAMES: &[(&str, IcmpType)] = &[
    ("any", IcmpType::ANY),
    ("echo-reply", IcmpType::all_codes(0)),
    ("pong", IcmpType::all_codes(0)),
    ("destination-unreachable", IcmpType::all_codes(3)),
    ("network-unreachable", IcmpType::code(3, 0)),
    ("host-unreachable", IcmpType::code(3, 1)),
    ("protocol-unreachable", IcmpType::code(3, 2)),
    ("port-unreachable", IcmpType::code(3, 3)),
    ("fragmentation-needed", IcmpType::code(3, 4)),
    ("source-route-failed", IcmpType::code(3, 5)),
    ("network-unknown", IcmpType::code(3, 6)),
    ("host-unknown", IcmpType::code(3, 7)),
    ("network-prohibited", IcmpType::code(3, 9)),
    ("host-prohibited", IcmpType::code(3, 10)),
    ("TOS-network-unreachable", IcmpType::code(3, 11)),
    ("TOS-host-unreachable", IcmpType::code(3, 12)),
    ("communication-prohibited", IcmpType::code(3, 13)),
    ("host-precedence-violation", IcmpType::code(3, 14)),
    ("precedence-cutoff", IcmpType::code(3, 15)),
    ("source-quench", IcmpType::all_codes(4)),
    ("redirect", IcmpType::all_codes(5)),
    ("network-redirect", IcmpType::code(5, 0)),
    ("host-redirect", IcmpType::code(5, 1)),
    ("TOS-network-redirect", IcmpType::code(5, 2)),
    ("TOS-host-redirect", IcmpType::code(5, 3)),
    ("echo-request", IcmpType::all_codes(8)),
    ("ping", IcmpType::all_codes(8)),
    ("router-advertisement", IcmpType::all_codes(9)),
    ("router-solicitation", IcmpType::all_codes(10)),
    ("time-exceeded", IcmpType::all_codes(11)),
    ("ttl-exceeded", IcmpType::all_codes(11)),
    ("ttl-zero-during-transit", IcmpType::code(11, 0)),
    ("ttl-zero-during-reassembly", IcmpType::code(11, 1)),
    ("parameter-problem", IcmpType::all_codes(12)),
    ("ip-header-bad", IcmpType::code(12, 0)),
    ("required-option-missing", IcmpType::code(12, 1)),
    ("timestamp-request", IcmpType::all_codes(13)),
    ("timestamp-reply", IcmpType::all_codes(14)),
    ("address-mask-request", IcmpType::all_codes(17)),
    ("address-mask-reply", IcmpType::all_codes(18)),
];

/// A number 0..=255 at the start of `s`, with the rest (`strtoul` with an end pointer).
fn leading_u8(s: &str) -> Option<(u8, &str)> {
    let (v, rest) = crate::xtopt::strtoul(s)?;
    Some((u8::try_from(v).ok()?, rest))
}

/// Parses an ICMP or ICMPv6 type as iptables 1.8.9 does: a unique
/// case-insensitive prefix of a name in `names`, or `TYPE[/CODE[:CODE]]` in
/// numbers. `what` is `ICMP` or `ICMPv6` for the messages.
pub(crate) fn parse_icmp_type(
    option: &str,
    what: &str,
    names: &[(&str, IcmpType)],
    s: &str,
) -> Result<IcmpType> {
    let mut found: Option<&(&str, IcmpType)> = None;
    for entry in names {
        let name = entry.0;
        if name.len() >= s.len() && name.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes()) {
            if let Some(first) = found {
                return Err(Error::value(
                    option,
                    s,
                    format!("ambiguous {what} type: `{}' or `{name}'?", first.0),
                ));
            }
            found = Some(entry);
        }
    }
    if let Some(entry) = found {
        return Ok(entry.1);
    }
    let unknown_char = |rest: &str| {
        let c = rest.chars().next().unwrap_or_default();
        Error::value(option, s, format!("unknown character {c}"))
    };
    let (type_, rest) =
        leading_u8(s).ok_or_else(|| Error::value(option, s, format!("unknown {what} type")))?;
    let Some(codes) = rest.strip_prefix('/') else {
        return match rest {
            "" => Ok(IcmpType::all_codes(type_)),
            _ => Err(unknown_char(rest)),
        };
    };
    let bad_code = || Error::value(option, s, format!("unknown {what} code"));
    let (code_min, rest) = leading_u8(codes).ok_or_else(bad_code)?;
    let (code_max, rest) = match rest.strip_prefix(':') {
        Some(max) => leading_u8(max).ok_or_else(bad_code)?,
        None => (code_min, rest),
    };
    if !rest.is_empty() {
        return Err(unknown_char(rest));
    }
    Ok(IcmpType {
        type_,
        code_min,
        code_max,
    })
}

/// Refuses an ICMP match in a rule of the other family, as iptables has no
/// such match there.
pub(crate) fn check_family(ext: &str, ctx: &Ctx, family: Family) -> Result<()> {
    if ctx.family != family {
        return Err(Error::rule(
            ext,
            format!("this match is for {family:?} rules only"),
        ));
    }
    Ok(())
}

/// What tells `-m icmp` from `-m icmp6`; the rest of their codecs is one
/// (`struct ipt_icmp` and `struct ip6t_icmp` are the same four bytes).
pub(crate) struct IcmpKind {
    /// The match's name.
    pub ext: &'static str,
    /// The only family it exists in.
    pub family: Family,
    /// Its option, without dashes (`icmp-type`).
    pub option: &'static str,
    /// The protocol's name in errors (`ICMP`).
    pub what: &'static str,
    /// The type names iptables accepts.
    pub names: &'static [(&'static str, IcmpType)],
    /// What the kernel struct holds before a type is given.
    pub unset: IcmpType,
}

impl IcmpKind {
    /// ` [!] --OPTION TYPE`, as libxt_icmp prints it: `any` for ICMP
    /// type 255 whatever the codes (libip6t_icmp6 has no such name).
    pub(crate) fn save(&self, t: Inv<IcmpType>, out: &mut String) {
        out.push_str(t.bang());
        out.push_str(" --");
        out.push_str(self.option);
        out.push(' ');
        if self.family == Family::Ipv4 && t.value.type_ == 0xFF {
            out.push_str("any");
        } else {
            t.value.save_numeric(out);
        }
    }

    /// Reads the kernel struct.
    pub(crate) fn decode(&self, revision: u8, data: &[u8]) -> Result<Inv<IcmpType>> {
        if revision != 0 {
            return Err(bad_revision(self.ext, revision));
        }
        let k: ipt_icmp = read_struct(self.ext, revision, data)?;
        Ok(Inv::new(
            IcmpType {
                type_: k.type_,
                code_min: k.code[0],
                code_max: k.code[1],
            },
            k.invflags & IPT_ICMP_INV != 0,
        ))
    }

    /// Writes the kernel struct.
    pub(crate) fn encode(&self, t: Inv<IcmpType>, out: &mut Vec<u8>) {
        let mut k = ipt_icmp::zeroed();
        k.type_ = t.value.type_;
        k.code = [t.value.code_min, t.value.code_max];
        if t.invert {
            k.invflags = IPT_ICMP_INV;
        }
        out.extend_from_slice(k.as_bytes());
    }

    /// Takes the type option into `slot`.
    pub(crate) fn parse_option(
        &self,
        slot: &mut Inv<IcmpType>,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != self.option {
            return Ok(false);
        }
        check_family(self.ext, ctx, self.family)?;
        let name = format!("--{option}");
        seen.take(self.ext, &name, 1, invert, true)?;
        let v = args.value(&name)?;
        let t = parse_icmp_type(&name, self.what, self.names, v)?;
        *slot = Inv::new(t, invert);
        Ok(true)
    }

    /// The type is mandatory, and the family must be right.
    pub(crate) fn finish(&self, ctx: &Ctx, seen: Seen) -> Result<()> {
        check_family(self.ext, ctx, self.family)?;
        seen.require(self.ext, self.option, 1)
    }
}

const KIND: IcmpKind = IcmpKind {
    ext: "icmp",
    family: Family::Ipv4,
    option: "icmp-type",
    what: "ICMP",
    names: ICMP_NAMES,
    unset: IcmpType::ANY,
};

/// The value and codec of `-m icmp` and `-m icmp6`, which differ only in
/// their [`IcmpKind`] and names.
macro_rules! icmp_match {
    (
        $(#[$doc:meta])* $ty:ident, $name:literal, $family:ident, $kind:expr,
        aliases: $aliases:expr, option: $option:literal,
        new: $(#[$new_doc:meta])*, example: $example:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $ty {
            #[doc = concat!("`--", $option, "`.")]
            pub icmp_type: Inv<IcmpType>,
        }

        impl $ty {
            $(#[$new_doc])*
            pub fn new(icmp_type: IcmpType) -> $ty {
                $ty {
                    icmp_type: Inv::is(icmp_type),
                }
            }
        }

        impl Extension for $ty {
            const NAME: &'static str = $name;
            const FAMILIES: &'static [Family] = &[Family::$family];
            const ALIASES: &'static [&'static str] = $aliases;

            fn example(_family: Family) -> Self {
                $ty::new(IcmpType::all_codes($example))
            }

            fn start(_ctx: &Ctx, _name: &str) -> Self {
                $ty {
                    icmp_type: Inv::is($kind.unset),
                }
            }

            fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
                Ok($ty {
                    icmp_type: $kind.decode(revision, data)?,
                })
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
                $kind.encode(self.icmp_type, out);
            }

            fn parse_option(
                &mut self,
                ctx: &Ctx,
                option: &str,
                invert: bool,
                args: &mut Args,
                seen: &mut Seen,
            ) -> Result<bool> {
                $kind.parse_option(&mut self.icmp_type, ctx, option, invert, args, seen)
            }

            fn finish(&mut self, ctx: &Ctx, seen: Seen) -> Result<()> {
                $kind.finish(ctx, seen)
            }

            fn save(&self, _ctx: &Ctx, out: &mut String) {
                $kind.save(self.icmp_type, out);
            }
        }
    };
}
pub(super) use icmp_match;

icmp_match!(
    /// `-m icmp`.
    Icmp, "icmp", Ipv4, KIND, aliases: &[], option: "icmp-type",
    new:
    /// `--icmp-type`: the packet's ICMP type (and code range).
    ///
    /// ```
    /// use iptkit::{matches::icmp::{Icmp, IcmpType}, Family, Rule};
    /// let ping = Icmp::new(IcmpType::all_codes(8));
    /// let rule = Rule::new(Family::Ipv4).with_match(ping);
    /// assert_eq!(rule.to_string(), "-p icmp -m icmp --icmp-type 8");
    /// ```
    ,
    example: 8,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn round(family: Family, spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(family, &split_words(spec)?)?;
        Ok(save_rule_spec(&rules[0]))
    }

    fn type_of(spec: &str) -> String {
        round(Family::Ipv4, &format!("-p icmp -m icmp --icmp-type {spec}"))
            .unwrap()
            .trim_start_matches(" -p icmp -m icmp --icmp-type ")
            .to_string()
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-p icmp ! --icmp-type 3/1`, then `-p icmp -m icmp --icmp-type any`.
        for (bytes, t) in [
            ([3, 1, 1, 1], Inv::not(IcmpType::code(3, 1))),
            ([0xff, 0, 0xff, 0], Inv::is(IcmpType::ANY)),
        ] {
            let padded = [&bytes[..], &[0; 4]].concat();
            let m = Icmp::decode(&ctx, 0, &padded).unwrap();
            assert_eq!(m.icmp_type, t);
            let mut out = Vec::new();
            m.encode(&ctx, &mut out);
            assert_eq!(out, bytes);
        }
        assert!(Icmp::decode(&ctx, 0, &[1, 2]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(type_of("any"), "any");
        assert_eq!(type_of("echo-reply"), "0");
        assert_eq!(type_of("ECHO-REQUEST"), "8");
        assert_eq!(type_of("ping"), "8");
        assert_eq!(type_of("host-unreach"), "3/1");
        assert_eq!(type_of("destination-unreachable"), "3");
        assert_eq!(type_of("255/255"), "any");
        assert_eq!(type_of("255/0:255"), "any");
        assert_eq!(type_of("8/0:5"), "8/0");
        assert_eq!(type_of("8/3:2"), "8/3");
        assert_eq!(type_of("8/0:255"), "8");
        assert_eq!(type_of("0x8"), "8");
        assert_eq!(type_of("010"), "8");
        assert_eq!(type_of("8/010"), "8/8");
        assert_eq!(type_of("\"8/ 3\""), "8/3");
        assert_eq!(
            round(Family::Ipv4, "-p icmp ! --icmp-type 11/1:7").unwrap(),
            " -p icmp -m icmp ! --icmp-type 11/1"
        );
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m icmp",
            "-p icmp -m icmp --icmp-type echo",
            "-p icmp -m icmp --icmp-type \"\"",
            "-p icmp -m icmp --icmp-type 8/256",
            "-p icmp -m icmp --icmp-type 8/",
            "-p icmp -m icmp --icmp-type /3",
            "-p icmp -m icmp --icmp-type 8/0/1",
            "-p icmp -m icmp --icmp-type 8x",
            "-p icmp -m icmp --icmp-type 8/1:",
            "-p icmp -m icmp --icmp-type 256",
            "-p icmp -m icmp --icmp-type -1",
            "-p icmp -m icmp --icmp-type any/3",
            "-p icmp -m icmp --icmp-type 1 --icmp-type 2",
        ] {
            assert!(round(Family::Ipv4, spec).is_err(), "{spec}");
        }
        assert!(round(Family::Ipv6, "-m icmp --icmp-type 8").is_err());
    }
    /// Every case of extensions/libipt_icmp.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (4, "-p icmp -m icmp --icmp-type any", Some(" -p icmp -m icmp --icmp-type any")),
            (4, "-p icmp -m icmp --icmp-type echo-reply", Some(" -p icmp -m icmp --icmp-type 0")),
            (4, "-p icmp -m icmp --icmp-type destination-unreachable", Some(" -p icmp -m icmp --icmp-type 3")),
            (4, "-m icmp", None),
            (4, "-p icmp -m icmp --icmp-type 255/255", Some(" -p icmp -m icmp --icmp-type any")),
            (4, "-p icmp -m icmp --icmp-type 255/0:255", Some(" -p icmp -m icmp --icmp-type any")),
        ]);
    }
}
