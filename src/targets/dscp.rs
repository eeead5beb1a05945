//! `-j DSCP`: set the DSCP field of the IPv4/IPv6 header (`xt_DSCP.h`,
//! `struct xt_DSCP_info`).

use iptkit_sys::ext::xt_dscp_target::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::matches::dscp::class_to_dscp;
use crate::xtopt::{uint_option, Opt, Seen};

/// `-j DSCP --set-dscp VALUE` (`--set-dscp-class CLASS` gives the class's value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DscpTarget {
    /// The DSCP to set, 0 to 63.
    pub dscp: u8,
}

impl DscpTarget {
    /// `--set-dscp dscp`.
    pub fn set(dscp: u8) -> DscpTarget {
        DscpTarget { dscp }
    }
}

const O_SET_DSCP: usize = 0;
const O_SET_DSCP_CLASS: usize = 1;
const OPTS: &[Opt] = &[
    Opt::new("set-dscp").excl(1 << O_SET_DSCP_CLASS),
    Opt::new("set-dscp-class").excl(1 << O_SET_DSCP),
];

impl Extension for DscpTarget {
    const NAME: &'static str = "DSCP";

    fn example(_family: crate::addr::Family) -> Self {
        DscpTarget::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        DscpTarget::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_DSCP_info = read_struct(Self::NAME, revision, data)?;
        if k.dscp > XT_DSCP_MAX {
            return Err(Error::Malformed(format!("DSCP: value {:#x}", k.dscp)));
        }
        Ok(DscpTarget::set(k.dscp))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_DSCP_info::zeroed();
        k.dscp = self.dscp;
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
            "set-dscp" => {
                seen.take_opt(Self::NAME, OPTS, O_SET_DSCP, invert)?;
                let v = args.value("--set-dscp")?;
                self.dscp = uint_option(Self::NAME, option, v, 0, XT_DSCP_MAX.into())? as u8;
            }
            "set-dscp-class" => {
                seen.take_opt(Self::NAME, OPTS, O_SET_DSCP_CLASS, invert)?;
                let v = args.value("--set-dscp-class")?;
                self.dscp = class_to_dscp(v).ok_or_else(|| {
                    Error::value("DSCP --set-dscp-class", v, "invalid DSCP class")
                })?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(Self::NAME, "--set-dscp is required"));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, " --set-dscp 0x{:02x}", self.dscp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j DSCP --set-dscp-class EF`, as the kernel holds it.
        both_ways(Ipv4, &DscpTarget::set(0x2e), &[0x2e, 0, 0, 0, 0, 0, 0, 0]);
        both_ways(Ipv6, &DscpTarget::set(0x3f), &[0x3f, 0, 0, 0, 0, 0, 0, 0]);
        assert!(DscpTarget::decode(&Ctx::new(Ipv4), 0, &[0x40]).is_err());
    }

    #[test]
    fn classes() {
        assert_eq!(class_to_dscp("EFG"), Some(0x2e));
        assert_eq!(class_to_dscp("af43"), Some(0x26));
        assert_eq!(class_to_dscp("cs7"), Some(0x38));
        assert_eq!(class_to_dscp("af1"), None);
        assert_eq!(class_to_dscp(""), None);
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j DSCP --set-dscp 0x00",
                Some("-j DSCP --set-dscp 0x00"),
            ),
            (
                Ipv6,
                "-j DSCP --set-dscp 0x3f",
                Some("-j DSCP --set-dscp 0x3f"),
            ),
            (
                Ipv4,
                "-j DSCP --set-dscp 077",
                Some("-j DSCP --set-dscp 0x3f"),
            ),
            (Ipv4, "-j DSCP --set-dscp -1", None),
            (Ipv6, "-j DSCP --set-dscp 0x40", None),
            (Ipv4, "-j DSCP --set-dscp 0x3f --set-dscp-class CS0", None),
            (Ipv4, "-j DSCP --set-dscp-class EF --set-dscp 1", None),
            (Ipv4, "-j DSCP --set-dscp 1 --set-dscp 1", None),
            (
                Ipv4,
                "-j DSCP --set-dscp-class CS0",
                Some("-j DSCP --set-dscp 0x00"),
            ),
            (
                Ipv6,
                "-j DSCP --set-dscp-class BE",
                Some("-j DSCP --set-dscp 0x00"),
            ),
            (
                Ipv4,
                "-j DSCP --set-dscp-class EF",
                Some("-j DSCP --set-dscp 0x2e"),
            ),
            (Ipv4, "-j DSCP --set-dscp-class XX", None),
            (Ipv4, "-j DSCP", None),
            (Ipv6, "-j DSCP", None),
        ]);
    }
}
