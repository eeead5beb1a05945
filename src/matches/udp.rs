//! `-m udp`: ports of a UDP header (`xt_tcpudp.h`, `struct xt_udp`).

use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use super::tcp::{save_range, set_once};
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
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

/// The kernel's `[min, max]` of an optional range: unset is every port.
pub(crate) fn range_to_kernel(r: &Option<Inv<PortRange>>) -> [u16; 2] {
    let r = r.map(|r| r.value).unwrap_or(PortRange::ALL);
    [r.min, r.max]
}

/// The range of a kernel `[min, max]`: `None` for every port, unless inverted.
pub(crate) fn range_from_kernel(p: [u16; 2], invert: bool) -> Option<Inv<PortRange>> {
    let r = PortRange::range(p[0], p[1]);
    (!r.is_all() || invert).then_some(Inv::new(r, invert))
}

impl Extension for Udp {
    const NAME: &'static str = "udp";

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Udp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_udp = read_struct(Self::NAME, revision, data)?;
        Ok(Udp {
            sport: range_from_kernel(k.spts, k.invflags & XT_UDP_INV_SRCPT != 0),
            dport: range_from_kernel(k.dpts, k.invflags & XT_UDP_INV_DSTPT != 0),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_udp::zeroed();
        k.spts = range_to_kernel(&self.sport);
        k.dpts = range_to_kernel(&self.dport);
        if self.sport.is_some_and(|r| r.invert) {
            k.invflags |= XT_UDP_INV_SRCPT;
        }
        if self.dport.is_some_and(|r| r.invert) {
            k.invflags |= XT_UDP_INV_DSTPT;
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<bool> {
        let (slot, name) = match option {
            "sport" | "source-port" => (&mut self.sport, "--sport"),
            "dport" | "destination-port" => (&mut self.dport, "--dport"),
            _ => return Ok(false),
        };
        let r = port_range("udp", name, args.value(name)?)?;
        set_once(slot, name, Inv::new(r, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx) -> Result<()> {
        // `--sport :` is every port, which the kernel holds as no test.
        for r in [&mut self.sport, &mut self.dport] {
            if r.is_some_and(|r| r.value.is_all() && !r.invert) {
                *r = None;
            }
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        save_range(out, "sport", &self.sport);
        save_range(out, "dport", &self.dport);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
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
