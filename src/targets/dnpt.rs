//! `-j DNPT`: IPv6 network prefix translation of destination addresses
//! (RFC 6296; `ip6t_NPT.h`, `struct ip6t_npt_tginfo`; IPv6 only). Also the
//! codec it shares with `-j SNPT`, which has the same struct and options.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use iptkit_sys::ext::ip6t_npt::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{host, plen, same_bytes, Opt, Seen};

/// An IPv6 prefix as NPT holds it: an address and a length, kept as given
/// (iptables does not clear the bits after the prefix; the kernel refuses
/// a prefix with such bits set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NptPrefix {
    /// The address.
    pub addr: Ipv6Addr,
    /// The prefix length (iptables writes 255 for a mask that is no prefix).
    pub len: u8,
}

impl Default for NptPrefix {
    fn default() -> Self {
        NptPrefix {
            addr: Ipv6Addr::UNSPECIFIED,
            len: 0,
        }
    }
}

impl fmt::Display for NptPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", crate::addr::ntop(self.addr), self.len)
    }
}

impl NptPrefix {
    /// Two /48 prefixes for documentation (2001:db8:1::/48,
    /// 2001:db8:2::/48): what the examples of DNPT and SNPT translate.
    pub(super) fn examples() -> (NptPrefix, NptPrefix) {
        let prefix = |n| NptPrefix {
            addr: Ipv6Addr::new(0x2001, 0xdb8, n, 0, 0, 0, 0, 0),
            len: 48,
        };
        (prefix(1), prefix(2))
    }

    /// `ADDR[/LEN]` as `XTTYPE_HOSTMASK` reads it (no `/LEN` is /128).
    fn parse(option: &str, s: &str) -> Result<NptPrefix> {
        let (a, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let IpAddr::V6(addr) = host(Family::Ipv6, option, a)? else {
            unreachable!("host() gives an address of the family asked for")
        };
        let len = match len {
            Some(l) => plen(Family::Ipv6, option, l)?,
            None => 128,
        };
        Ok(NptPrefix { addr, len })
    }
}

/// The two prefixes of DNPT and SNPT, and the parsing they share.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Npt {
    pub src: NptPrefix,
    pub dst: NptPrefix,
}

const O_SRC_PFX: usize = 0;
const O_DST_PFX: usize = 1;
const OPTS: &[Opt] = &[Opt::new("src-pfx").mand(), Opt::new("dst-pfx").mand()];

impl Npt {
    pub(super) fn decode(ext: &str, revision: u8, data: &[u8]) -> Result<Npt> {
        if revision != 0 {
            return Err(bad_revision(ext, revision));
        }
        let k: ip6t_npt_tginfo = read_struct(ext, revision, data)?;
        let t = Npt {
            src: NptPrefix {
                addr: Ipv6Addr::from(k.src_pfx),
                len: k.src_pfx_len,
            },
            dst: NptPrefix {
                addr: Ipv6Addr::from(k.dst_pfx),
                len: k.dst_pfx_len,
            },
        };
        let mut again = Vec::new();
        t.encode(&mut again);
        same_bytes(
            ext,
            &again,
            data,
            std::mem::offset_of!(ip6t_npt_tginfo, adjustment),
        )?;
        Ok(t)
    }

    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        let mut k = ip6t_npt_tginfo::zeroed();
        k.src_pfx = self.src.addr.octets();
        k.src_pfx_len = self.src.len;
        k.dst_pfx = self.dst.addr.octets();
        k.dst_pfx_len = self.dst.len;
        out.extend_from_slice(k.as_bytes());
    }

    pub(super) fn parse_option(
        &mut self,
        ext: &str,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(ext, OPTS, id, invert)?;
        let what = format!("{ext} --{option}");
        let p = NptPrefix::parse(&what, args.value(&format!("--{option}"))?)?;
        match id {
            O_SRC_PFX => self.src = p,
            O_DST_PFX => self.dst = p,
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub(super) fn finish(ext: &str, seen: Seen) -> Result<()> {
        seen.fcheck(ext, OPTS)
    }

    /// Each prefix unless it is `::/0`, as libip6t_DNPT/SNPT print them.
    pub(super) fn save(&self, out: &mut String) {
        let zero = NptPrefix::default();
        if self.src != zero {
            push_fmt!(out, " --src-pfx {}", self.src);
        }
        if self.dst != zero {
            push_fmt!(out, " --dst-pfx {}", self.dst);
        }
    }
}

/// The value and codec of `-j DNPT` and `-j SNPT`: the same struct and
/// options under two names.
macro_rules! npt_target {
    ($(#[$doc:meta])* $ty:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $ty {
            /// `--src-pfx`: the prefix translated from.
            pub src: NptPrefix,
            /// `--dst-pfx`: the prefix translated to.
            pub dst: NptPrefix,
        }

        impl $ty {
            /// `--src-pfx src --dst-pfx dst`.
            pub fn prefixes(src: NptPrefix, dst: NptPrefix) -> $ty {
                $ty { src, dst }
            }

            fn npt(&self) -> Npt {
                Npt {
                    src: self.src,
                    dst: self.dst,
                }
            }
        }

        impl Extension for $ty {
            const NAME: &'static str = $name;
            const FAMILIES: &'static [Family] = &[Family::Ipv6];

            fn example(_family: Family) -> Self {
                let (src, dst) = NptPrefix::examples();
                $ty::prefixes(src, dst)
            }

            fn start(_ctx: &Ctx, _name: &str) -> Self {
                // No prefixes until the options give them; both are mandatory.
                $ty::prefixes(NptPrefix::default(), NptPrefix::default())
            }

            fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
                let n = Npt::decode(Self::NAME, revision, data)?;
                Ok($ty::prefixes(n.src, n.dst))
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
                self.npt().encode(out);
            }

            fn parse_option(
                &mut self,
                _ctx: &Ctx,
                option: &str,
                invert: bool,
                args: &mut Args,
                seen: &mut Seen,
            ) -> Result<bool> {
                let mut n = self.npt();
                let taken = n.parse_option(Self::NAME, option, invert, args, seen)?;
                (self.src, self.dst) = (n.src, n.dst);
                Ok(taken)
            }

            fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
                Npt::finish(Self::NAME, seen)
            }

            fn save(&self, _ctx: &Ctx, out: &mut String) {
                self.npt().save(out);
            }
        }
    };
}
pub(super) use npt_target;

npt_target!(
    /// `-j DNPT --src-pfx PREFIX --dst-pfx PREFIX`: destination addresses in
    /// `src` become addresses in `dst`.
    Dnpt, "DNPT"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    fn fixture() -> (NptPrefix, NptPrefix, Vec<u8>) {
        // `--src-pfx dead::/64 --dst-pfx 1c3::/64`, as the kernel holds it.
        let mut bytes = vec![0u8; 40];
        bytes[..2].copy_from_slice(&[0xde, 0xad]);
        bytes[16..18].copy_from_slice(&[0x01, 0xc3]);
        bytes[32] = 64;
        bytes[33] = 64;
        let src = NptPrefix {
            addr: "dead::".parse().unwrap(),
            len: 64,
        };
        let dst = NptPrefix {
            addr: "1c3::".parse().unwrap(),
            len: 64,
        };
        (src, dst, bytes)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let (src, dst, mut bytes) = fixture();
        both_ways(Ipv6, &Dnpt::prefixes(src, dst), &bytes);
        // The kernel's checksum adjustment is not part of the value.
        bytes[34] = 0x12;
        assert_eq!(
            Dnpt::decode(&Ctx::new(Ipv6), 0, &bytes).unwrap(),
            Dnpt::prefixes(src, dst)
        );
    }

    #[test]
    fn text_like_iptables() {
        let rule = "-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64";
        conformance_each(&[
            (Ipv6, rule, Some(rule)),
            (
                Ipv6,
                "-j DNPT --src-pfx dead::beef --dst-pfx 1c3::/64",
                Some("-j DNPT --src-pfx dead::beef/128 --dst-pfx 1c3::/64"),
            ),
            (
                Ipv6,
                "-j DNPT --src-pfx dead::/ffff:: --dst-pfx 1c3::/ffff:ff::",
                Some("-j DNPT --src-pfx dead::/16 --dst-pfx 1c3::/255"),
            ),
            (Ipv6, "-j DNPT --src-pfx dead::/64", None),
            (Ipv6, "-j DNPT --dst-pfx dead::/64", None),
            (Ipv6, "-j DNPT", None),
            (Ipv6, "-j DNPT --src-pfx dead:: --dst-pfx 1c3::/129", None),
            (Ipv6, "-j DNPT --src-pfx 1.2.3.4 --dst-pfx 1c3::/64", None),
            // iptables has no DNPT target.
            (Ipv4, "-j DNPT", None),
        ]);
    }
}
