//! `-j ECN`: set or clear the ECN bits of IPv4 and TCP headers (`ipt_ECN.h`,
//! `struct ipt_ECN_info`; IPv4 only).

use iptkit_sys::ext::ipt_ecn_target::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{uint_option, Opt, Seen};

/// `-j ECN`: each field, when set, is written into every packet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EcnTarget {
    /// `--ecn-tcp-ece 0|1`: the TCP ECE flag.
    pub tcp_ece: Option<bool>,
    /// `--ecn-tcp-cwr 0|1`: the TCP CWR flag.
    pub tcp_cwr: Option<bool>,
    /// `--ecn-ip-ect 0..=3`: the ECN field of the IPv4 header.
    pub ip_ect: Option<u8>,
}

impl EcnTarget {
    /// `--ecn-tcp-remove`: clear ECE and CWR. The rule needs `-p tcp`.
    ///
    /// ```
    /// use iptkit::{targets::ecn::EcnTarget, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).protocol(6).with_target(EcnTarget::tcp_remove());
    /// assert_eq!(rule.to_string(), "-p tcp -j ECN --ecn-tcp-remove");
    /// ```
    pub fn tcp_remove() -> EcnTarget {
        EcnTarget {
            tcp_ece: Some(false),
            tcp_cwr: Some(false),
            ip_ect: None,
        }
    }
}

const O_TCP_REMOVE: usize = 0;
const O_TCP_CWR: usize = 1;
const O_TCP_ECE: usize = 2;
const O_IP_ECT: usize = 3;
const OPTS: &[Opt] = &[
    Opt::new("ecn-tcp-remove").excl(1 << O_TCP_CWR | 1 << O_TCP_ECE),
    Opt::new("ecn-tcp-cwr").excl(1 << O_TCP_REMOVE),
    Opt::new("ecn-tcp-ece").excl(1 << O_TCP_REMOVE),
    Opt::new("ecn-ip-ect"),
];

impl Extension for EcnTarget {
    const NAME: &'static str = "ECN";
    const FAMILIES: &'static [Family] = &[Family::Ipv4];

    fn example(_family: Family) -> Self {
        EcnTarget::tcp_remove()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // Nothing to write until an option says what.
        EcnTarget {
            tcp_ece: None,
            tcp_cwr: None,
            ip_ect: None,
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ipt_ECN_info = read_struct(Self::NAME, revision, data)?;
        let op = |bit| k.operation & bit != 0;
        let known = IPT_ECN_OP_SET_IP | IPT_ECN_OP_SET_ECE | IPT_ECN_OP_SET_CWR;
        // Values without their operation bit cannot be written back from
        // this type: leave such bytes to the raw form.
        if k.operation & !known != 0
            || k.ip_ect & !IPT_ECN_IP_MASK != 0
            || (!op(IPT_ECN_OP_SET_IP) && k.ip_ect != 0)
            || k.proto & !(IPT_ECN_TCP_ECE | IPT_ECN_TCP_CWR) != 0
            || (!op(IPT_ECN_OP_SET_ECE) && k.proto & IPT_ECN_TCP_ECE != 0)
            || (!op(IPT_ECN_OP_SET_CWR) && k.proto & IPT_ECN_TCP_CWR != 0)
        {
            return Err(Error::Malformed(format!("ECN: {k:?}")));
        }
        Ok(EcnTarget {
            tcp_ece: op(IPT_ECN_OP_SET_ECE).then_some(k.proto & IPT_ECN_TCP_ECE != 0),
            tcp_cwr: op(IPT_ECN_OP_SET_CWR).then_some(k.proto & IPT_ECN_TCP_CWR != 0),
            ip_ect: op(IPT_ECN_OP_SET_IP).then_some(k.ip_ect),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ipt_ECN_info::zeroed();
        if let Some(ece) = self.tcp_ece {
            k.operation |= IPT_ECN_OP_SET_ECE;
            if ece {
                k.proto |= IPT_ECN_TCP_ECE;
            }
        }
        if let Some(cwr) = self.tcp_cwr {
            k.operation |= IPT_ECN_OP_SET_CWR;
            if cwr {
                k.proto |= IPT_ECN_TCP_CWR;
            }
        }
        if let Some(ect) = self.ip_ect {
            k.operation |= IPT_ECN_OP_SET_IP;
            k.ip_ect = ect;
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
        let id = match option {
            "ecn-tcp-remove" => O_TCP_REMOVE,
            "ecn-tcp-cwr" => O_TCP_CWR,
            "ecn-tcp-ece" => O_TCP_ECE,
            "ecn-ip-ect" => O_IP_ECT,
            _ => return Ok(false),
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        match id {
            // Like libipt_ECN, this replaces every operation given before.
            O_TCP_REMOVE => {
                self.tcp_ece = Some(false);
                self.tcp_cwr = Some(false);
                self.ip_ect = None;
            }
            O_TCP_CWR => {
                let v = args.value("--ecn-tcp-cwr")?;
                self.tcp_cwr = Some(uint_option(Self::NAME, option, v, 0, 1)? == 1);
            }
            O_TCP_ECE => {
                let v = args.value("--ecn-tcp-ece")?;
                self.tcp_ece = Some(uint_option(Self::NAME, option, v, 0, 1)? == 1);
            }
            _ => {
                let v = args.value("--ecn-ip-ect")?;
                self.ip_ect = Some(uint_option(Self::NAME, option, v, 0, 3)? as u8);
            }
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(Self::NAME, "an operation is required"));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.tcp_ece == Some(false) && self.tcp_cwr == Some(false) && self.ip_ect.is_none() {
            out.push_str(" --ecn-tcp-remove");
            return;
        }
        if let Some(ece) = self.tcp_ece {
            push_fmt!(out, " --ecn-tcp-ece {}", u8::from(ece));
        }
        if let Some(cwr) = self.tcp_cwr {
            push_fmt!(out, " --ecn-tcp-cwr {}", u8::from(cwr));
        }
        if let Some(ect) = self.ip_ect {
            push_fmt!(out, " --ecn-ip-ect {ect}");
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
        // `-p tcp -j ECN --ecn-tcp-remove`, as the kernel holds it.
        both_ways(Ipv4, &EcnTarget::tcp_remove(), &[0x30, 0, 0, 0, 0, 0, 0, 0]);
        // `--ecn-tcp-ece 1 --ecn-tcp-cwr 0`.
        let t = EcnTarget {
            tcp_ece: Some(true),
            tcp_cwr: Some(false),
            ip_ect: None,
        };
        both_ways(Ipv4, &t, &[0x30, 0, 1, 0, 0, 0, 0, 0]);
        // `--ecn-tcp-remove --ecn-ip-ect 2`.
        let t = EcnTarget {
            ip_ect: Some(2),
            ..EcnTarget::tcp_remove()
        };
        both_ways(Ipv4, &t, &[0x31, 2, 0, 0, 0, 0, 0, 0]);
        // An ECT value without its operation (what `--ecn-ip-ect 1
        // --ecn-tcp-remove` leaves) stays raw.
        assert!(EcnTarget::decode(&Ctx::new(Ipv4), 0, &[0x30, 1, 0]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv4, "-j ECN", None),
            (Ipv4, "-p tcp -j ECN", None),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-tcp-remove",
                Some("-p tcp -j ECN --ecn-tcp-remove"),
            ),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0",
                Some("-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0"),
            ),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0",
                Some("-p tcp -j ECN --ecn-tcp-remove"),
            ),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-remove",
                Some("-p tcp -j ECN --ecn-tcp-remove"),
            ),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 2",
                Some("-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0 --ecn-ip-ect 2"),
            ),
            (Ipv4, "-j ECN --ecn-ip-ect 3", Some("-j ECN --ecn-ip-ect 3")),
            (Ipv4, "-p tcp -j ECN --ecn-tcp-cwr 2", None),
            (Ipv4, "-p tcp -j ECN --ecn-ip-ect 4", None),
            (Ipv4, "-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-cwr 1", None),
            (
                Ipv4,
                "-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-remove",
                None,
            ),
            // ip6tables has no ECN target (`Couldn't load target`).
            (Ipv6, "-j ECN --ecn-tcp-remove", None),
        ]);
    }
}
