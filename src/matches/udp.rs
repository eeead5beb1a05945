//! `-m udp`: ports of a UDP header (`xt_tcpudp.h`, `struct xt_udp`).
//!
//! ```
//! use iptkit::matches::{port::PortRange, udp::Udp};
//! use iptkit::{Family, Inv, Rule, Target};
//! let dns = Rule::new(Family::Ipv4).with_match(Udp::dport(53)).with_target(Target::Accept);
//! assert_eq!(dns.to_string(), "-p udp -m udp --dport 53 -j ACCEPT");
//! let rule = Rule::parse(Family::Ipv4, "-p udp -m udp ! --sport 0:1023")?;
//! assert_eq!(rule.find::<Udp>().unwrap().sport, Some(Inv::not(PortRange::range(0, 1023))));
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::Pod;

use super::port::{range_from_kernel, range_to_kernel, PortRange};
use super::tcp::{save_range, set_once};
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args};
use crate::inv::Inv;
use crate::xtopt::port_range;

/// `-m udp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Udp {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
}

/// Source and destination port ranges, as `-m udp` and `-m udplite` hold
/// them.
pub(crate) type Ports = (Option<Inv<PortRange>>, Option<Inv<PortRange>>);

/// Reads `struct xt_udp` (both `udp` and `udplite` use it); flags iptables
/// never writes are refused, so the match is kept raw.
pub(crate) fn decode_ports(ext: &str, revision: u8, data: &[u8]) -> Result<Ports> {
    if revision != 0 {
        return Err(bad_revision(ext, revision));
    }
    let k: xt_udp = read_struct(ext, revision, data)?;
    if k.invflags & !(XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT) != 0 {
        return Err(Error::Malformed(format!(
            "{ext}: unknown invflags {:#x}",
            k.invflags
        )));
    }
    Ok((
        range_from_kernel(k.spts, k.invflags & XT_UDP_INV_SRCPT != 0),
        range_from_kernel(k.dpts, k.invflags & XT_UDP_INV_DSTPT != 0),
    ))
}

/// Writes `struct xt_udp`.
pub(crate) fn encode_ports((sport, dport): Ports, out: &mut Vec<u8>) {
    let mut k = xt_udp::zeroed();
    k.spts = range_to_kernel(&sport);
    k.dpts = range_to_kernel(&dport);
    if sport.is_some_and(|r| r.invert) {
        k.invflags |= XT_UDP_INV_SRCPT;
    }
    if dport.is_some_and(|r| r.invert) {
        k.invflags |= XT_UDP_INV_DSTPT;
    }
    out.extend_from_slice(k.as_bytes());
}

/// Takes `--sport`/`--dport` (and their long names) of `ext` into
/// `sport`/`dport`, as `XTTYPE_PORTRC` options.
pub(crate) fn parse_port_option(
    ext: &str,
    sport: &mut Option<Inv<PortRange>>,
    dport: &mut Option<Inv<PortRange>>,
    option: &str,
    invert: bool,
    args: &mut Args,
) -> Result<bool> {
    let (slot, name) = match option {
        "sport" | "source-port" => (sport, "--sport"),
        "dport" | "destination-port" => (dport, "--dport"),
        _ => return Ok(false),
    };
    let r = port_range(ext, name, args.value(name)?)?;
    set_once(slot, name, Inv::new(r, invert))?;
    Ok(true)
}

/// `--sport :` is every port, which the kernel holds as no test.
pub(crate) fn finish_ports(ranges: [&mut Option<Inv<PortRange>>; 2]) {
    for r in ranges {
        if r.is_some_and(|r| r.value.is_all() && !r.invert) {
            *r = None;
        }
    }
}

/// Appends ` [!] --sport P[:Q] [!] --dport P[:Q]`.
pub(crate) fn save_ports((sport, dport): Ports, out: &mut String) {
    save_range(out, "sport", &sport);
    save_range(out, "dport", &dport);
}

/// The [`Extension`](crate::extension::Extension) impl of a match whose value is a source and a
/// destination port range in `struct xt_udp` (`udp`, `udplite`): every
/// codec is the helpers above, under the match's name.
macro_rules! udp_match {
    ($ty:ident, $name:literal) => {
        impl $ty {
            /// `--dport PORTS`: a port or a range (`53`, `6000..=6010`).
            pub fn dport(ports: impl Into<PortRange>) -> $ty {
                $ty {
                    sport: None,
                    dport: Some($crate::inv::Inv::is(ports.into())),
                }
            }

            /// `--sport PORTS`: a port or a range.
            pub fn sport(ports: impl Into<PortRange>) -> $ty {
                $ty {
                    sport: Some($crate::inv::Inv::is(ports.into())),
                    dport: None,
                }
            }
        }

        impl $crate::extension::Extension for $ty {
            const NAME: &'static str = $name;

            fn example(_family: $crate::addr::Family) -> Self {
                $ty::default()
            }

            fn start(_ctx: &$crate::extension::Ctx, _name: &str) -> Self {
                $ty::default()
            }

            fn decode(
                _ctx: &$crate::extension::Ctx,
                revision: u8,
                data: &[u8],
            ) -> $crate::error::Result<Self> {
                let (sport, dport) = decode_ports(Self::NAME, revision, data)?;
                Ok($ty { sport, dport })
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &$crate::extension::Ctx, out: &mut Vec<u8>) {
                encode_ports((self.sport, self.dport), out);
            }

            fn parse_option(
                &mut self,
                _ctx: &$crate::extension::Ctx,
                option: &str,
                invert: bool,
                args: &mut $crate::extension::Args,
                _seen: &mut $crate::xtopt::Seen,
            ) -> $crate::error::Result<bool> {
                parse_port_option(
                    Self::NAME,
                    &mut self.sport,
                    &mut self.dport,
                    option,
                    invert,
                    args,
                )
            }

            fn finish(
                &mut self,
                _ctx: &$crate::extension::Ctx,
                _seen: $crate::xtopt::Seen,
            ) -> $crate::error::Result<()> {
                finish_ports([&mut self.sport, &mut self.dport]);
                Ok(())
            }

            fn save(&self, _ctx: &$crate::extension::Ctx, out: &mut String) {
                save_ports((self.sport, self.dport), out);
            }
        }
    };
}
pub(crate) use udp_match;

udp_match!(Udp, "udp");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::extension::{Ctx, Extension};
    use crate::syntax::{parse_rule_spec, split_words};
    use crate::testutil::round;

    fn ctx() -> Ctx {
        Ctx::new(Family::Ipv4)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // `-p udp --sport 53 ! --dport 1:5`, as the kernel holds it (padding included).
        let bytes = [0x35, 0, 0x35, 0, 1, 0, 5, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
        let u = Udp::decode(&ctx(), 0, &bytes).unwrap();
        assert_eq!(
            u,
            Udp {
                sport: Some(Inv::is(PortRange::port(53))),
                dport: Some(Inv::not(PortRange::range(1, 5))),
            }
        );
        let mut out = Vec::new();
        u.encode(&ctx(), &mut out);
        assert_eq!(out, bytes[..10]);
        // Unset ranges are 0:65535.
        let mut out = Vec::new();
        Udp::default().encode(&ctx(), &mut out);
        assert_eq!(out, [0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0]);
        assert!(Udp::decode(&ctx(), 1, &bytes).is_err());
        assert!(Udp::decode(&ctx(), 0, &bytes[..4]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |spec: &str, want: &str| {
            assert_eq!(round(Family::Ipv4, spec).unwrap(), want, "{spec}");
            assert_eq!(round(Family::Ipv6, spec).unwrap(), want, "{spec}");
        };
        ok(
            "-p udp -m udp --sport 1024:",
            " -p udp -m udp --sport 1024:65535",
        );
        ok("-p udp -m udp ! --sport :", " -p udp -m udp");
        ok("-p udp -m udp --dport :4", " -p udp -m udp --dport 0:4");
        ok("-p udp -m udp --dport 4:4", " -p udp -m udp --dport 4");
        // No min <= max check for XTTYPE_PORTRC options.
        ok("-p udp -m udp --dport 4:3", " -p udp -m udp --dport 4:3");
        ok(
            "-p udp ! --source-port 65535 --destination-port 1",
            " -p udp -m udp ! --sport 65535 --dport 1",
        );
        ok("-m udp --dport 1 -p 17", " -p udp -m udp --dport 1");
        // getaddrinfo's view of numbers and names.
        ok("-p udp --sport 010", " -p udp -m udp --sport 10");
        ok("-p udp --sport 70000", " -p udp -m udp --sport 4464");
        ok("-p udp --sport -4294967295", " -p udp -m udp --sport 1");
        ok("-p udp --sport \"\"", " -p udp -m udp --sport 0");
    }

    #[test]
    fn refusals() {
        for spec in [
            "-p udp -m udp --sport -1",
            "-p udp -m udp --dport -1",
            "-p udp --sport 4294967295",
            "-p udp --sport 0x10",
            "-p udp --sport 1:2:3",
            "-p udp --sport 1 --sport 2",
            "-p udp --dport",
            "-p udp --dport ! 1",
        ] {
            assert!(round(Family::Ipv4, spec).is_err(), "{spec}");
        }
    }

    #[test]
    fn lossless_for_an_inverted_full_range() {
        let (rules, _) =
            parse_rule_spec(Family::Ipv4, &split_words("-p udp ! --dport :").unwrap()).unwrap();
        let crate::Match::Udp(u) = &rules[0].matches[0] else {
            panic!("not udp")
        };
        let mut out = Vec::new();
        u.encode(&ctx(), &mut out);
        assert_eq!(&Udp::decode(&ctx(), 0, &out).unwrap(), u);
    }
    /// Every case of extensions/libxt_udp.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-p udp -m udp --sport 1", Some(" -p udp -m udp --sport 1")),
            (46, "-p udp -m udp --sport 65535", Some(" -p udp -m udp --sport 65535")),
            (46, "-p udp -m udp --dport 1", Some(" -p udp -m udp --dport 1")),
            (46, "-p udp -m udp --dport 65535", Some(" -p udp -m udp --dport 65535")),
            (46, "-p udp -m udp --sport 1:1023", Some(" -p udp -m udp --sport 1:1023")),
            (46, "-p udp -m udp --sport 1024:65535", Some(" -p udp -m udp --sport 1024:65535")),
            (46, "-p udp -m udp --sport 1024:", Some(" -p udp -m udp --sport 1024:65535")),
            (46, "-p udp -m udp --sport :", Some(" -p udp -m udp")),
            (46, "-p udp -m udp ! --sport :", Some(" -p udp -m udp")),
            (46, "-p udp -m udp --sport :4", Some(" -p udp -m udp --sport 0:4")),
            (46, "-p udp -m udp --sport 4:", Some(" -p udp -m udp --sport 4:65535")),
            (46, "-p udp -m udp --sport 4:4", Some(" -p udp -m udp --sport 4")),
            (46, "-p udp -m udp --sport 4:3", Some(" -p udp -m udp --sport 4:3")),
            (46, "-p udp -m udp --dport :", Some(" -p udp -m udp")),
            (46, "-p udp -m udp ! --dport :", Some(" -p udp -m udp")),
            (46, "-p udp -m udp --dport :4", Some(" -p udp -m udp --dport 0:4")),
            (46, "-p udp -m udp --dport 4:", Some(" -p udp -m udp --dport 4:65535")),
            (46, "-p udp -m udp --dport 4:4", Some(" -p udp -m udp --dport 4")),
            (46, "-p udp -m udp --dport 4:3", Some(" -p udp -m udp --dport 4:3")),
            (46, "-p udp -m udp ! --sport 1", Some(" -p udp -m udp ! --sport 1")),
            (46, "-p udp -m udp ! --sport 65535", Some(" -p udp -m udp ! --sport 65535")),
            (46, "-p udp -m udp ! --dport 1", Some(" -p udp -m udp ! --dport 1")),
            (46, "-p udp -m udp ! --dport 65535", Some(" -p udp -m udp ! --dport 65535")),
            (46, "-p udp -m udp --sport 1 --dport 65535", Some(" -p udp -m udp --sport 1 --dport 65535")),
            (46, "-p udp -m udp --sport 65535 --dport 1", Some(" -p udp -m udp --sport 65535 --dport 1")),
            (46, "-p udp -m udp ! --sport 1 --dport 65535", Some(" -p udp -m udp ! --sport 1 --dport 65535")),
            (46, "-p udp -m udp ! --sport 65535 --dport 1", Some(" -p udp -m udp ! --sport 65535 --dport 1")),
            (46, "-p udp -m udp --sport -1", None),
            (46, "-p udp -m udp --dport -1", None),
            (46, "-m udp --dport 1 -p udp", Some(" -p udp -m udp --dport 1")),
            (46, "-m udp --dport 1 -p 17", Some(" -p udp -m udp --dport 1")),
            (46, "-p udp -m udp", Some(" -p udp -m udp")),
        ]);
    }
}
