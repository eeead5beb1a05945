//! `-j SYNPROXY`: answer TCP handshakes on behalf of a server with SYN
//! cookies (`xt_SYNPROXY.h`, `struct xt_synproxy_info`).

use iptkit_sys::ext::xt_synproxy::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{uint_option, Opt, Seen};

/// `-j SYNPROXY`: the TCP options of the server behind it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Synproxy {
    /// `--mss`: the server's maximum segment size.
    pub mss: Option<u16>,
    /// `--wscale`: the server's window scale.
    pub wscale: Option<u8>,
    /// `--sack-perm`: selective acknowledgement.
    pub sack_perm: bool,
    /// `--timestamp`: TCP timestamps.
    pub timestamp: bool,
    /// `--ecn`: explicit congestion notification.
    pub ecn: bool,
}

const O_MSS: usize = 0;
const O_WSCALE: usize = 1;
const O_SACK_PERM: usize = 2;
const O_TIMESTAMP: usize = 3;
const O_ECN: usize = 4;
const OPTS: &[Opt] = &[
    Opt::new("mss"),
    Opt::new("wscale"),
    Opt::new("sack-perm"),
    Opt::new("timestamp"),
    Opt::new("ecn"),
];

impl Extension for Synproxy {
    const NAME: &'static str = "SYNPROXY";

    fn example(_family: crate::addr::Family) -> Self {
        Synproxy::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Synproxy::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_synproxy_info = read_struct(Self::NAME, revision, data)?;
        let opt = |bit| k.options & bit != 0;
        if k.options >= 0x20
            || (!opt(XT_SYNPROXY_OPT_MSS) && k.mss != 0)
            || (!opt(XT_SYNPROXY_OPT_WSCALE) && k.wscale != 0)
        {
            return Err(Error::Malformed(format!("SYNPROXY: {k:?}")));
        }
        Ok(Synproxy {
            mss: opt(XT_SYNPROXY_OPT_MSS).then_some(k.mss),
            wscale: opt(XT_SYNPROXY_OPT_WSCALE).then_some(k.wscale),
            sack_perm: opt(XT_SYNPROXY_OPT_SACK_PERM),
            timestamp: opt(XT_SYNPROXY_OPT_TIMESTAMP),
            ecn: opt(XT_SYNPROXY_OPT_ECN),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_synproxy_info::zeroed();
        if let Some(mss) = self.mss {
            k.options |= XT_SYNPROXY_OPT_MSS;
            k.mss = mss;
        }
        if let Some(w) = self.wscale {
            k.options |= XT_SYNPROXY_OPT_WSCALE;
            k.wscale = w;
        }
        for (on, bit) in [
            (self.sack_perm, XT_SYNPROXY_OPT_SACK_PERM),
            (self.timestamp, XT_SYNPROXY_OPT_TIMESTAMP),
            (self.ecn, XT_SYNPROXY_OPT_ECN),
        ] {
            if on {
                k.options |= bit;
            }
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
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        // Both numbers are read as 32-bit and cut, as libxt_SYNPROXY does.
        match id {
            O_MSS => {
                let v = args.value("--mss")?;
                self.mss = Some(uint_option(Self::NAME, option, v, 0, u32::MAX.into())? as u16);
            }
            O_WSCALE => {
                let v = args.value("--wscale")?;
                self.wscale = Some(uint_option(Self::NAME, option, v, 0, u32::MAX.into())? as u8);
            }
            O_SACK_PERM => self.sack_perm = true,
            O_TIMESTAMP => self.timestamp = true,
            O_ECN => self.ecn = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.sack_perm {
            out.push_str(" --sack-perm");
        }
        if self.timestamp {
            out.push_str(" --timestamp");
        }
        if let Some(w) = self.wscale {
            push_fmt!(out, " --wscale {w}");
        }
        if let Some(m) = self.mss {
            push_fmt!(out, " --mss {m}");
        }
        if self.ecn {
            out.push_str(" --ecn");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--mss 1460 --wscale 9 --sack-perm --timestamp --ecn`, as the kernel holds it.
        let t = Synproxy {
            mss: Some(1460),
            wscale: Some(9),
            sack_perm: true,
            timestamp: true,
            ecn: true,
        };
        both_ways(Ipv4, &t, &[0x1f, 9, 0xb4, 0x05, 0, 0, 0, 0]);
        both_ways(Ipv6, &Synproxy::default(), &[0; 8]);
        assert!(Synproxy::decode(&Ctx::new(Ipv4), 0, &[0, 9, 0, 0]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 9",
                Some("-j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460"),
            ),
            (
                Ipv6,
                "-p tcp -j SYNPROXY --mss 1460 --wscale 9 --sack-perm --timestamp --ecn",
                Some("-p tcp -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460 --ecn"),
            ),
            (Ipv4, "-p tcp -j SYNPROXY", Some("-p tcp -j SYNPROXY")),
            (
                Ipv4,
                "-p tcp -j SYNPROXY --mss 65536",
                Some("-p tcp -j SYNPROXY --mss 0"),
            ),
            (
                Ipv4,
                "-p tcp -j SYNPROXY --wscale 256",
                Some("-p tcp -j SYNPROXY --wscale 0"),
            ),
            (Ipv4, "-p tcp -j SYNPROXY --mss 4294967296", None),
            (Ipv4, "-p tcp -j SYNPROXY --ecn --ecn", None),
            (Ipv4, "-p tcp -j SYNPROXY ! --ecn", None),
        ]);
    }
}
