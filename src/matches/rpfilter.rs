//! `-m rpfilter`: reverse path filter, as the kernel's rp_filter does it per
//! rule (`xt_rpfilter.h`, `struct xt_rpfilter_info`).

use iptkit_sys::ext::xt_rpfilter::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{exact, take_flag};

/// `-m rpfilter`. The kernel allows it in the PREROUTING chains of the raw
/// and mangle tables only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rpfilter {
    /// `--loose`: any interface may lead back to the source.
    pub loose: bool,
    /// `--validmark`: use the packet mark for the route lookup.
    pub validmark: bool,
    /// `--accept-local`: do not refuse packets from a local address.
    pub accept_local: bool,
    /// `--invert`: match packets that fail the test.
    pub invert: bool,
}

/// Options in the order iptables-save prints them, with their flag.
const OPTIONS: [(&str, u8); 4] = [
    ("loose", XT_RPFILTER_LOOSE),
    ("validmark", XT_RPFILTER_VALID_MARK),
    ("accept-local", XT_RPFILTER_ACCEPT_LOCAL),
    ("invert", XT_RPFILTER_INVERT),
];

impl Rpfilter {
    fn flags(&self) -> u8 {
        let on = [self.loose, self.validmark, self.accept_local, self.invert];
        OPTIONS
            .iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .fold(0, |f, ((_, bit), _)| f | bit)
    }

    fn slot(&mut self, option: &str) -> Option<&mut bool> {
        match option {
            "loose" => Some(&mut self.loose),
            "validmark" => Some(&mut self.validmark),
            "accept-local" => Some(&mut self.accept_local),
            "invert" => Some(&mut self.invert),
            _ => None,
        }
    }
}

impl Extension for Rpfilter {
    const NAME: &'static str = "rpfilter";

    fn example(_family: crate::addr::Family) -> Self {
        Rpfilter::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Rpfilter::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_rpfilter_info = read_struct(Self::NAME, revision, data)?;
        let on = |bit| k.flags & bit != 0;
        let v = Rpfilter {
            loose: on(XT_RPFILTER_LOOSE),
            validmark: on(XT_RPFILTER_VALID_MARK),
            accept_local: on(XT_RPFILTER_ACCEPT_LOCAL),
            invert: on(XT_RPFILTER_INVERT),
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_rpfilter_info::zeroed();
        k.flags = self.flags();
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        _args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let Some(slot) = self.slot(option) else {
            return Ok(false);
        };
        take_flag(Self::NAME, option, slot, invert)?;
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let flags = self.flags();
        for (name, bit) in OPTIONS {
            if flags & bit != 0 {
                out.push_str(" --");
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse};

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = ctx(Family::Ipv4);
        let all = "--loose --validmark --accept-local --invert";
        kernel_fixture::<Rpfilter>(&v4, all, 0, "0f00000000000000");
        kernel_fixture::<Rpfilter>(&v4, "--validmark", 0, "0200000000000000");
        assert!(Rpfilter::decode(&v4, 0, &[0x10, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn refuses_what_iptables_refuses() {
        let v4 = ctx(Family::Ipv4);
        assert!(parse::<Rpfilter>(&v4, "--loose --loose").is_err());
        assert!(parse::<Rpfilter>(&v4, "! --invert").is_err());
    }

    #[test]
    fn conformance_cases() {
        let cases = [
            ("-m rpfilter", Some("-m rpfilter")),
            (
                "-m rpfilter --loose --validmark --accept-local --invert",
                Some("-m rpfilter --loose --validmark --accept-local --invert"),
            ),
            (
                "-m rpfilter --invert --accept-local --validmark --loose",
                Some("-m rpfilter --loose --validmark --accept-local --invert"),
            ),
        ];
        conformance(Family::Ipv4, &cases);
        conformance(Family::Ipv6, &cases);
    }
}
