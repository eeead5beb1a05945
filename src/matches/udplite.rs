//! `-m udplite`: ports of a UDP-Lite header. The kernel's xt_tcpudp module
//! registers it with `struct xt_udp` (`xt_tcpudp.h`). iptables 1.8.9 has no
//! userspace extension for it (`-m udplite` fails there and iptables-save
//! cannot print such a rule); iptkit gives it the words of `-m udp`.

use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use super::port::{range_from_kernel, range_to_kernel};
use super::tcp::{save_range, set_once};
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::port_range;

/// `-m udplite`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Udplite {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
}

impl Extension for Udplite {
    const NAME: &'static str = "udplite";

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Udplite::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_udp = read_struct(Self::NAME, revision, data)?;
        if k.invflags & !(XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT) != 0 {
            return Err(Error::Malformed(format!(
                "udplite: unknown invflags {:#x}",
                k.invflags
            )));
        }
        Ok(Udplite {
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
        let r = port_range("udplite", name, args.value(name)?)?;
        set_once(slot, name, Inv::new(r, invert))?;
        Ok(true)
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
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // Bytes as the kernel holds `-p udplite -m udp ! --sport 1024: --dport 53`
        // (the same struct).
        let u: Udplite = parse_opts(&ctx, &["!", "--sport", "1024:", "--dport", "53"]).unwrap();
        bytes_both_ways(&ctx, &u, &[0, 4, 0xff, 0xff, 53, 0, 53, 0, 1, 0]);
    }

    #[test]
    fn text_like_udp() {
        let r = |s| round(Family::Ipv6, s);
        assert_eq!(
            r("-p udplite -m udplite --dport 5:4").unwrap(),
            " -p udplite -m udplite --dport 5:4"
        );
        assert_eq!(r("-p udplite --sport :").unwrap(), " -p udplite -m udplite");
        assert!(r("-p udplite --sport 1 --sport 2").is_err());
        assert!(r("-p udplite --sport -1").is_err());
    }
}
