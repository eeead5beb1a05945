//! `-m ecn`: ECN bits of the IP header and the TCP ECE/CWR flags
//! (`xt_ecn.h`, `struct xt_ecn_info`; `ipt_ecn.h` only renames it).

use iptkit_sys::ext::xt_ecn::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::uint_option;
use crate::xtopt::Seen;

/// `-m ecn`. For the two flags the `bool` is the `!`: `Some(true)` is
/// `! --ecn-tcp-ece`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ecn {
    /// `[!] --ecn-tcp-ece`: the TCP ECE flag is set.
    pub tcp_ece: Option<bool>,
    /// `[!] --ecn-tcp-cwr`: the TCP CWR flag is set.
    pub tcp_cwr: Option<bool>,
    /// `[!] --ecn-ip-ect N`: the IP header's ECT codepoint is N (0 to 3).
    pub ip_ect: Option<Inv<u8>>,
}

impl Ecn {
    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Ecn {
        Ecn {
            tcp_ece: None,
            tcp_cwr: None,
            ip_ect: None,
        }
    }
}

const KNOWN: u8 = XT_ECN_OP_MATCH_IP | XT_ECN_OP_MATCH_ECE | XT_ECN_OP_MATCH_CWR;

impl Extension for Ecn {
    const NAME: &'static str = "ecn";

    fn example(_family: crate::addr::Family) -> Self {
        Ecn::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Ecn::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_ecn_info = read_struct(Self::NAME, revision, data)?;
        let (op, inv) = (k.operation, k.invert);
        if op & !KNOWN != 0
            || inv & !op != 0
            || k.proto != 0
            || (op & XT_ECN_OP_MATCH_IP == 0 && k.ip_ect != 0)
        {
            return Err(Error::Malformed(format!("ecn: operation {op:#x}/{inv:#x}")));
        }
        let flag = |bit: u8| (op & bit != 0).then_some(inv & bit != 0);
        Ok(Ecn {
            tcp_ece: flag(XT_ECN_OP_MATCH_ECE),
            tcp_cwr: flag(XT_ECN_OP_MATCH_CWR),
            ip_ect: flag(XT_ECN_OP_MATCH_IP).map(|i| Inv::new(k.ip_ect, i)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_ecn_info::zeroed();
        let ip = self.ip_ect.map(|i| i.invert);
        for (bit, v) in [
            (XT_ECN_OP_MATCH_ECE, self.tcp_ece),
            (XT_ECN_OP_MATCH_CWR, self.tcp_cwr),
            (XT_ECN_OP_MATCH_IP, ip),
        ] {
            if let Some(invert) = v {
                k.operation |= bit;
                if invert {
                    k.invert |= bit;
                }
            }
        }
        k.ip_ect = self.ip_ect.map_or(0, |i| i.value);
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        match option {
            "ecn-tcp-ece" => set_once(&mut self.tcp_ece, "--ecn-tcp-ece", invert)?,
            "ecn-tcp-cwr" => set_once(&mut self.tcp_cwr, "--ecn-tcp-cwr", invert)?,
            "ecn-ip-ect" => {
                let v = args.value("--ecn-ip-ect")?;
                let n = uint_option("ecn", "--ecn-ip-ect", v, 0, 3)?;
                set_once(&mut self.ip_ect, "--ecn-ip-ect", Inv::new(n as u8, invert))?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.tcp_ece.is_none() && self.tcp_cwr.is_none() && self.ip_ect.is_none() {
            return Err(Error::rule("ecn", "ECN match: some option required"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let bang = |i: bool| if i { " !" } else { "" };
        if let Some(i) = self.tcp_ece {
            push_fmt!(out, "{} --ecn-tcp-ece", bang(i));
        }
        if let Some(i) = self.tcp_cwr {
            push_fmt!(out, "{} --ecn-tcp-cwr", bang(i));
        }
        if let Some(e) = self.ip_ect {
            push_fmt!(out, "{} --ecn-ip-ect {}", e.bang(), e.value);
        }
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
        // `-p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2`.
        let e: Ecn = parse_opts(
            &ctx,
            &["!", "--ecn-tcp-ece", "--ecn-tcp-cwr", "--ecn-ip-ect", "2"],
        )
        .unwrap();
        bytes_both_ways(&ctx, &e, &[0x31, 0x10, 2, 0]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        assert_eq!(
            r("-p tcp -m ecn ! --ecn-ip-ect 2 ! --ecn-tcp-cwr ! --ecn-tcp-ece").unwrap(),
            " -p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr ! --ecn-ip-ect 2"
        );
        for bad in [
            "-m ecn",
            "-m ecn --ecn-ip-ect 4",
            "-m ecn --ecn-tcp-ece --ecn-tcp-ece",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
