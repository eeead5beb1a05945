//! `-m frag`: the IPv6 fragment header (`ip6t_frag.h`, `struct ip6t_frag`).

use std::fmt;

use iptkit_sys::ext::ip6t_frag::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{exact, uint_option, uint_range_full, Seen};

/// An inclusive range of 32-bit values (`--fragid`, `--rt-segsleft`). iptables
/// takes `min > max` as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct U32Range {
    /// First value.
    pub min: u32,
    /// Last value.
    pub max: u32,
}

impl U32Range {
    /// Every value: what the kernel holds when the option is not given.
    pub const ALL: U32Range = U32Range {
        min: 0,
        max: u32::MAX,
    };

    /// Parses `N`, `N:M`, `N:`, `:M` or `:` (`XTTYPE_UINT32RC`).
    pub(crate) fn parse(ext: &str, option: &str, s: &str) -> Result<U32Range> {
        let (min, max) = uint_range_full(ext, option, s, u32::MAX.into())?;
        Ok(U32Range {
            min: min as u32,
            max: max as u32,
        })
    }
}

impl fmt::Display for U32Range {
    /// `N` or `N:M`, as iptables-save prints ranges.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}:{}", self.min, self.max)
        }
    }
}

/// `-m frag` (IPv6 only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Frag {
    /// `[!] --fragid ID[:ID]`: the identification. iptables-save leaves out
    /// the whole range `0:4294967295`, even inverted.
    pub ids: Option<Inv<U32Range>>,
    /// `[!] --fraglen N`: the header length (the kernel ignores it).
    pub len: Option<Inv<u32>>,
    /// `--fragres`: the reserved fields are zero.
    pub res: bool,
    /// `--fragfirst`: the first fragment.
    pub first: bool,
    /// `--fragmore`: more fragments follow.
    pub more: bool,
    /// `--fraglast`: the last fragment.
    pub last: bool,
}

const O_FRAGID: u32 = 1 << 0;
const O_FRAGLEN: u32 = 1 << 1;
const O_FRAGRES: u32 = 1 << 2;
const O_FRAGFIRST: u32 = 1 << 3;
const O_FRAGMORE: u32 = 1 << 4;
const O_FRAGLAST: u32 = 1 << 5;

impl Extension for Frag {
    const NAME: &'static str = "frag";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Frag::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Frag::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_frag = read_struct(Self::NAME, revision, data)?;
        let flag = |b| k.flags & b != 0;
        let v = Frag {
            ids: flag(IP6T_FRAG_IDS).then_some(Inv::new(
                U32Range {
                    min: k.ids[0],
                    max: k.ids[1],
                },
                k.invflags & IP6T_FRAG_INV_IDS != 0,
            )),
            len: flag(IP6T_FRAG_LEN)
                .then_some(Inv::new(k.hdrlen, k.invflags & IP6T_FRAG_INV_LEN != 0)),
            res: flag(IP6T_FRAG_RES),
            first: flag(IP6T_FRAG_FST),
            more: flag(IP6T_FRAG_MF),
            last: flag(IP6T_FRAG_NMF),
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_frag::zeroed();
        let ids = self.ids.map_or(U32Range::ALL, |r| r.value);
        k.ids = [ids.min, ids.max];
        if let Some(r) = self.ids {
            k.flags |= IP6T_FRAG_IDS;
            if r.invert {
                k.invflags |= IP6T_FRAG_INV_IDS;
            }
        }
        if let Some(l) = self.len {
            k.flags |= IP6T_FRAG_LEN;
            k.hdrlen = l.value;
            if l.invert {
                k.invflags |= IP6T_FRAG_INV_LEN;
            }
        }
        for (on, bit) in [
            (self.res, IP6T_FRAG_RES),
            (self.first, IP6T_FRAG_FST),
            (self.more, IP6T_FRAG_MF),
            (self.last, IP6T_FRAG_NMF),
        ] {
            if on {
                k.flags |= bit;
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
        let flag = format!("--{option}");
        match option {
            "fragid" => {
                seen.take(Self::NAME, option, O_FRAGID, invert, true)?;
                let r = U32Range::parse(Self::NAME, &flag, args.value(&flag)?)?;
                self.ids = Some(Inv::new(r, invert));
            }
            "fraglen" => {
                seen.take(Self::NAME, option, O_FRAGLEN, invert, true)?;
                let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, u32::MAX.into())?;
                self.len = Some(Inv::new(n as u32, invert));
            }
            "fragres" => {
                seen.take(Self::NAME, option, O_FRAGRES, invert, false)?;
                self.res = true;
            }
            "fragfirst" => {
                seen.take(Self::NAME, option, O_FRAGFIRST, invert, false)?;
                self.first = true;
            }
            "fragmore" => {
                seen.take(Self::NAME, option, O_FRAGMORE, invert, false)?;
                self.more = true;
            }
            "fraglast" => {
                seen.take(Self::NAME, option, O_FRAGLAST, invert, false)?;
                self.last = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.exclude(
            Self::NAME,
            ("fragmore", O_FRAGMORE),
            ("fraglast", O_FRAGLAST),
        )
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(r) = self.ids.filter(|r| r.value != U32Range::ALL) {
            push_fmt!(out, "{} --fragid {}", r.bang(), r.value);
        }
        if let Some(l) = self.len {
            push_fmt!(out, "{} --fraglen {}", l.bang(), l.value);
        }
        for (on, name) in [
            (self.res, " --fragres"),
            (self.first, " --fragfirst"),
            (self.more, " --fragmore"),
            (self.last, " --fraglast"),
        ] {
            if on {
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse};

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        let fixtures = [
            (
                "! --fragid 1 ! --fraglen 42 --fragres --fragfirst",
                "01000000010000002a0000000f030000",
            ),
            (
                "! --fragid : --fraglast",
                "00000000ffffffff0000000021010000",
            ),
            (
                "--fragid 4:3 --fragmore",
                "04000000030000000000000011000000",
            ),
            ("", "00000000ffffffff0000000000000000"),
        ];
        for (options, hex) in fixtures {
            kernel_fixture::<Frag>(&v6, options, 0, hex);
        }
    }

    #[test]
    fn refusals() {
        let v6 = ctx(Family::Ipv6);
        for bad in [
            "--fragid 1:2:3",
            "--fragid 4294967296",
            "--fragid 1 --fragid 2",
            "! --fragres",
            "--fraglen x",
        ] {
            assert!(parse::<Frag>(&v6, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                ("-m frag --fragid :", Some("-m frag")),
                ("-m frag ! --fragid :", Some("-m frag")),
                ("-m frag --fragid :42", Some("-m frag --fragid 0:42")),
                (
                    "-m frag --fragid 42:",
                    Some("-m frag --fragid 42:4294967295"),
                ),
                ("-m frag --fragid 1:42", Some("-m frag --fragid 1:42")),
                ("-m frag --fragid 3:3", Some("-m frag --fragid 3")),
                ("-m frag --fragid 4:3", Some("-m frag --fragid 4:3")),
                ("-m frag --fraglen 42", Some("-m frag --fraglen 42")),
                ("-m frag --fragres", Some("-m frag --fragres")),
                ("-m frag --fragfirst", Some("-m frag --fragfirst")),
                ("-m frag --fragmore", Some("-m frag --fragmore")),
                ("-m frag --fraglast", Some("-m frag --fraglast")),
                (
                    "-m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst",
                    Some("-m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst"),
                ),
                (
                    "-m frag --fragfirst --fragmore",
                    Some("-m frag --fragfirst --fragmore"),
                ),
                (
                    "-m frag --fragfirst --fraglast",
                    Some("-m frag --fragfirst --fraglast"),
                ),
                ("-m frag --fraglast --fragmore", None),
                // Two more cases of libip6t_frag.t need the udp match.
                (
                    "-d ff02::fb/128 -m frag --fragmore",
                    Some("-d ff02::fb/128 -m frag --fragmore"),
                ),
            ],
        );
    }
}
