//! `-m rt`: the IPv6 routing header (`ip6t_rt.h`, `struct ip6t_rt`).

use std::net::Ipv6Addr;

use iptkit_sys::ext::ip6t_rt::*;
use iptkit_sys::Pod;

use super::frag::U32Range;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{exact, uint_option, Seen};

/// `-m rt` (IPv6 only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rt {
    /// `[!] --rt-type TYPE`.
    pub rt_type: Option<Inv<u32>>,
    /// `[!] --rt-segsleft N[:M]`: segments left. iptables-save leaves out
    /// the whole range `0:4294967295`, even inverted.
    pub segsleft: Option<Inv<U32Range>>,
    /// `[!] --rt-len N`: the header length.
    pub len: Option<Inv<u32>>,
    /// `--rt-0-res`: the reserved field of a type 0 header is zero.
    pub res: bool,
    /// `--rt-0-addrs ADDR,...`: the type 0 addresses, in order (at most
    /// [`IP6T_RT_HOPS`]).
    pub addrs: Option<Vec<Ipv6Addr>>,
    /// `--rt-0-not-strict`: the addresses need not be all of the list.
    pub not_strict: bool,
}

const O_RT_TYPE: u32 = 1 << 0;
const O_RT_SEGSLEFT: u32 = 1 << 1;
const O_RT_LEN: u32 = 1 << 2;
const O_RT0RES: u32 = 1 << 3;
const O_RT0ADDRS: u32 = 1 << 4;
const O_RT0NSTRICT: u32 = 1 << 5;

impl Rt {
    /// The type 0 options need `--rt-type 0` (not inverted) before them.
    fn require_type0(&self, option: &str) -> Result<()> {
        match self.rt_type {
            Some(Inv {
                value: 0,
                invert: false,
            }) => Ok(()),
            _ => Err(Error::rule(
                format!("--{option}"),
                "`--rt-type 0' required before it",
            )),
        }
    }
}

fn parse_addrs(option: &str, s: &str) -> Result<Vec<Ipv6Addr>> {
    let items: Vec<&str> = s.split(',').collect();
    if items.len() > IP6T_RT_HOPS {
        return Err(Error::value(option, s, "too many addresses specified"));
    }
    items
        .iter()
        .map(|a| {
            a.parse::<Ipv6Addr>()
                .map_err(|_| Error::value(option, s, format!("bad address: {a}")))
        })
        .collect()
}

impl Extension for Rt {
    const NAME: &'static str = "rt";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Rt::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Rt::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_rt = read_struct(Self::NAME, revision, data)?;
        let flag = |b| k.flags & b != 0;
        let inv = |b| k.invflags & b != 0;
        let n = (k.addrnr as usize).min(IP6T_RT_HOPS);
        let v = Rt {
            rt_type: flag(IP6T_RT_TYP).then_some(Inv::new(k.rt_type, inv(IP6T_RT_INV_TYP))),
            segsleft: flag(IP6T_RT_SGS).then_some(Inv::new(
                U32Range {
                    min: k.segsleft[0],
                    max: k.segsleft[1],
                },
                inv(IP6T_RT_INV_SGS),
            )),
            len: flag(IP6T_RT_LEN).then_some(Inv::new(k.hdrlen, inv(IP6T_RT_INV_LEN))),
            res: flag(IP6T_RT_RES),
            addrs: flag(IP6T_RT_FST)
                .then(|| k.addrs[..n].iter().map(|&a| Ipv6Addr::from(a)).collect()),
            not_strict: flag(IP6T_RT_FST_NSTRICT),
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_rt::zeroed();
        let mut set = |on: Option<bool>, flag: u8, inv: u8| {
            if let Some(i) = on {
                k.flags |= flag;
                if i {
                    k.invflags |= inv;
                }
            }
        };
        set(self.rt_type.map(|v| v.invert), IP6T_RT_TYP, IP6T_RT_INV_TYP);
        set(
            self.segsleft.map(|v| v.invert),
            IP6T_RT_SGS,
            IP6T_RT_INV_SGS,
        );
        set(self.len.map(|v| v.invert), IP6T_RT_LEN, IP6T_RT_INV_LEN);
        set(self.res.then_some(false), IP6T_RT_RES, 0);
        set(self.addrs.as_ref().map(|_| false), IP6T_RT_FST, 0);
        set(self.not_strict.then_some(false), IP6T_RT_FST_NSTRICT, 0);
        k.rt_type = self.rt_type.map_or(0, |v| v.value);
        let segs = self.segsleft.map_or(U32Range::ALL, |v| v.value);
        k.segsleft = [segs.min, segs.max];
        k.hdrlen = self.len.map_or(0, |v| v.value);
        if let Some(addrs) = &self.addrs {
            for (slot, a) in k.addrs.iter_mut().zip(addrs) {
                *slot = a.octets();
            }
            k.addrnr = addrs.len().min(IP6T_RT_HOPS) as u8;
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
        let flag = format!("--{option}");
        match option {
            "rt-type" => {
                seen.take(Self::NAME, option, O_RT_TYPE, invert, true)?;
                let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, u32::MAX.into())?;
                self.rt_type = Some(Inv::new(n as u32, invert));
            }
            "rt-segsleft" => {
                seen.take(Self::NAME, option, O_RT_SEGSLEFT, invert, true)?;
                let r = U32Range::parse(Self::NAME, &flag, args.value(&flag)?)?;
                self.segsleft = Some(Inv::new(r, invert));
            }
            "rt-len" => {
                seen.take(Self::NAME, option, O_RT_LEN, invert, true)?;
                let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, u32::MAX.into())?;
                self.len = Some(Inv::new(n as u32, invert));
            }
            "rt-0-res" => {
                seen.take(Self::NAME, option, O_RT0RES, invert, false)?;
                self.require_type0(option)?;
                self.res = true;
            }
            "rt-0-addrs" => {
                seen.take(Self::NAME, option, O_RT0ADDRS, invert, false)?;
                self.require_type0(option)?;
                self.addrs = Some(parse_addrs(&flag, args.value(&flag)?)?);
            }
            "rt-0-not-strict" => {
                seen.take(Self::NAME, option, O_RT0NSTRICT, invert, false)?;
                if self.addrs.is_none() {
                    return Err(Error::rule(flag, "`--rt-0-addrs ...' required before it"));
                }
                self.not_strict = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.rt_type {
            push_fmt!(out, "{} --rt-type {}", t.bang(), t.value);
        }
        if let Some(s) = self.segsleft.filter(|s| s.value != U32Range::ALL) {
            push_fmt!(out, "{} --rt-segsleft {}", s.bang(), s.value);
        }
        if let Some(l) = self.len {
            push_fmt!(out, "{} --rt-len {}", l.bang(), l.value);
        }
        if self.res {
            out.push_str(" --rt-0-res");
        }
        if let Some(addrs) = &self.addrs {
            let list: Vec<String> = addrs
                .iter()
                .map(|&a| crate::addr::ntop(a).to_string())
                .collect();
            push_fmt!(out, " --rt-0-addrs {}", list.join(","));
        }
        if self.not_strict {
            out.push_str(" --rt-0-not-strict");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v6 = ctx(Family::Ipv6);
        match parse::<Rt>(&v6, options) {
            Ok(v) => save(&v6, &v),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        // Header, 16 address slots, the address count and padding.
        let addrs = "0000000000000000000000000000000120010db8000000000000000000000002";
        kernel_fixture::<Rt>(
            &v6,
            "--rt-type 0 ! --rt-segsleft 1:23 ! --rt-len 42 --rt-0-res \
             --rt-0-addrs ::1,2001:db8::2 --rt-0-not-strict",
            0,
            &format!(
                "0000000001000000170000002a0000003f060000{addrs}{}02000000",
                "00".repeat(16 * 14)
            ),
        );
        kernel_fixture::<Rt>(
            &v6,
            "! --rt-type 1 --rt-segsleft 3",
            0,
            &format!(
                "0100000003000000030000000000000003010000{}00000000",
                "00".repeat(16 * 16)
            ),
        );
    }

    #[test]
    fn type0_options_in_iptables_order() {
        for bad in [
            "--rt-0-res",
            "--rt-type 1 --rt-0-res",
            "! --rt-type 0 --rt-0-res",
            "--rt-0-res --rt-type 0",
            "--rt-type 0 --rt-0-not-strict",
            "--rt-type 0 --rt-0-addrs 1.2.3.4",
            "--rt-type 0 --rt-0-addrs ::1,",
            "--rt-type 0 --rt-0-addrs ::1,::2,::3,::4,::5,::6,::7,::8,::9,::10,::11,::12,::13,::14,::15,::16,::17",
            "--rt-type 4294967296",
            "--rt-segsleft 5 --rt-segsleft 6",
        ] {
            assert!(text(bad).starts_with("error"), "{bad}");
        }
        assert_eq!(
            text("--rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict --rt-0-res"),
            " --rt-type 0 --rt-0-res --rt-0-addrs ::1 --rt-0-not-strict"
        );
        let sixteen = "::1,::2,::3,::4,::5,::6,::7,::8,::9,::10,::11,::12,::13,::14,::15,::16";
        assert_eq!(
            text(&format!("--rt-type 0 --rt-0-addrs {sixteen}")),
            format!(" --rt-type 0 --rt-0-addrs {sixteen}")
        );
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                (
                    "-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res",
                    Some("-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res"),
                ),
                (
                    "-m rt --rt-type 0 ! --rt-segsleft 1:23 ! --rt-len 42 --rt-0-res",
                    Some("-m rt --rt-type 0 ! --rt-segsleft 1:23 ! --rt-len 42 --rt-0-res"),
                ),
                (
                    "-m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42",
                    Some("-m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42"),
                ),
                ("-m rt", Some("-m rt")),
                ("-m rt --rt-segsleft :", Some("-m rt")),
                ("-m rt ! --rt-segsleft :", Some("-m rt")),
                ("-m rt --rt-segsleft :3", Some("-m rt --rt-segsleft 0:3")),
                (
                    "-m rt --rt-segsleft 3:",
                    Some("-m rt --rt-segsleft 3:4294967295"),
                ),
                ("-m rt --rt-segsleft 3:3", Some("-m rt --rt-segsleft 3")),
                ("-m rt --rt-segsleft 4:3", Some("-m rt --rt-segsleft 4:3")),
            ],
        );
    }
}
