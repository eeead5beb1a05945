//! `-m eui64`: the IPv6 source address ends in the EUI-64 interface
//! identifier made from the source MAC address. No options; the kernel's
//! match data is one unused `int` (`ip6t_eui64.c` has no header), which
//! iptables writes as zero.

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, Args, Ctx, Extension};
use crate::xtopt::exact;
use crate::xtopt::Seen;

/// `-m eui64` (IPv6; the kernel allows it in PREROUTING, INPUT and FORWARD).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Eui64 {}

/// `sizeof(int)`: the match data size the kernel checks.
const DATA_SIZE: usize = 4;

impl Extension for Eui64 {
    const NAME: &'static str = "eui64";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Eui64::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Eui64 {}
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        if data.len() < DATA_SIZE {
            return Err(Error::Malformed(format!(
                "eui64: {} bytes of data, expected {DATA_SIZE}",
                data.len()
            )));
        }
        exact(ctx, data, Eui64 {})
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        out.extend_from_slice(&[0; DATA_SIZE]);
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        _option: &str,
        _invert: bool,
        _args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        Ok(false)
    }

    fn save(&self, _ctx: &Ctx, _out: &mut String) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture};

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        kernel_fixture::<Eui64>(&v6, "", 0, "0000000000000000");
        assert!(Eui64::decode(&v6, 0, &[]).is_err());
        assert!(Eui64::decode(&v6, 0, &[1, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[("-m eui64", Some("-m eui64")), ("-m eui64 --foo", None)],
        );
        conformance(Family::Ipv4, &[("-m eui64", None)]);
    }
}
