//! `-j TCPMSS`: rewrite the MSS option of TCP SYN packets (`xt_TCPMSS.h`,
//! `struct xt_tcpmss_info`).

use iptkit_sys::ext::xt_tcpmss_target::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{uint_option, Opt, Seen};

/// What TCPMSS writes into the MSS option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TcpMss {
    /// `--set-mss VALUE` (65535 is the kernel's mark for clamping, and
    /// decodes as [`TcpMss::ClampToPmtu`]).
    Set(u16),
    /// `--clamp-mss-to-pmtu`: the path MTU minus the headers.
    #[default]
    ClampToPmtu,
}

/// `-j TCPMSS --set-mss VALUE` / `--clamp-mss-to-pmtu`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpmssTarget {
    /// The new MSS.
    pub mss: TcpMss,
}

impl TcpmssTarget {
    /// A TCPMSS target writing `mss`.
    pub fn of(mss: TcpMss) -> TcpmssTarget {
        TcpmssTarget { mss }
    }
}

const O_SET_MSS: usize = 0;
const O_CLAMP_MSS: usize = 1;
const OPTS: &[Opt] = &[Opt::new("set-mss"), Opt::new("clamp-mss-to-pmtu")];

impl Extension for TcpmssTarget {
    const NAME: &'static str = "TCPMSS";

    fn example(_family: Family) -> Self {
        TcpmssTarget::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        TcpmssTarget::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tcpmss_info = read_struct(Self::NAME, revision, data)?;
        Ok(TcpmssTarget::of(match k.mss {
            XT_TCPMSS_CLAMP_PMTU => TcpMss::ClampToPmtu,
            v => TcpMss::Set(v),
        }))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tcpmss_info::zeroed();
        k.mss = match self.mss {
            TcpMss::Set(v) => v,
            TcpMss::ClampToPmtu => XT_TCPMSS_CLAMP_PMTU,
        };
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        // The two options may be combined: the last one counts, as in iptables.
        match option {
            "set-mss" => {
                seen.take_opt(Self::NAME, OPTS, O_SET_MSS, invert)?;
                let v = args.value("--set-mss")?;
                // 65535 less the IP and TCP headers.
                let max = match ctx.family {
                    Family::Ipv4 => 65535 - 20,
                    Family::Ipv6 => 65535 - 40,
                };
                self.mss = TcpMss::Set(uint_option(Self::NAME, option, v, 0, max)? as u16);
            }
            "clamp-mss-to-pmtu" => {
                seen.take_opt(Self::NAME, OPTS, O_CLAMP_MSS, invert)?;
                self.mss = TcpMss::ClampToPmtu;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(
                Self::NAME,
                "at least one parameter is required",
            ));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        match self.mss {
            TcpMss::Set(v) if v != XT_TCPMSS_CLAMP_PMTU => push_fmt!(out, " --set-mss {v}"),
            _ => out.push_str(" --clamp-mss-to-pmtu"),
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
        // `--set-mss 65495` and `--clamp-mss-to-pmtu`, as the kernel holds them.
        both_ways(
            Ipv4,
            &TcpmssTarget::of(TcpMss::Set(65495)),
            &[0xd7, 0xff, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv6,
            &TcpmssTarget::of(TcpMss::ClampToPmtu),
            &[0xff, 0xff, 0, 0, 0, 0, 0, 0],
        );
    }

    #[test]
    fn text_like_iptables() {
        let syn = "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN";
        let set = format!("{syn} -j TCPMSS --set-mss 42");
        let clamp = format!("{syn} -j TCPMSS --clamp-mss-to-pmtu");
        conformance_each(&[
            (Ipv4, "-j TCPMSS", None),
            (Ipv6, "-j TCPMSS", None),
            (
                Ipv4,
                "-p tcp -j TCPMSS --set-mss 42",
                Some("-p tcp -j TCPMSS --set-mss 42"),
            ),
            (Ipv4, &set, Some(&set)),
            (Ipv6, &set, Some(&set)),
            (Ipv4, &clamp, Some(&clamp)),
            (Ipv6, &clamp, Some(&clamp)),
            (
                Ipv4,
                "-j TCPMSS --set-mss 65515",
                Some("-j TCPMSS --set-mss 65515"),
            ),
            (Ipv4, "-j TCPMSS --set-mss 65516", None),
            (Ipv6, "-j TCPMSS --set-mss 65496", None),
            (
                Ipv4,
                "-j TCPMSS --set-mss 1 --clamp-mss-to-pmtu",
                Some("-j TCPMSS --clamp-mss-to-pmtu"),
            ),
            (
                Ipv4,
                "-j TCPMSS --clamp-mss-to-pmtu --set-mss 1",
                Some("-j TCPMSS --set-mss 1"),
            ),
            (Ipv4, "-j TCPMSS --set-mss 1 --set-mss 2", None),
        ]);
    }
}
