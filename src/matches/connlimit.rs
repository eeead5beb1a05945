//! `-m connlimit`: how many connections a client (or server) address, or
//! network, already has (`xt_connlimit.h`, `struct xt_connlimit_info`).
//!
//! Revision 1 (what iptables 1.8.9 writes) can group by destination;
//! revision 0 (kernels before 2.6.37) only by source, and iptables prints no
//! `--connlimit-saddr` for it.

use iptkit_sys::ext::xt_connlimit::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{plen, uint_option, Seen};

/// The comparison with the connection count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnlimitTest {
    /// `--connlimit-above N` (or `! --connlimit-upto N`): more than N.
    Above(u32),
    /// `--connlimit-upto N` (or `! --connlimit-above N`): N or fewer.
    Upto(u32),
}

/// `-m connlimit`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Connlimit {
    /// The comparison.
    pub test: ConnlimitTest,
    /// `--connlimit-mask`: the mask addresses are grouped by, as the kernel's
    /// 16-byte `union nf_inet_addr` (IPv4 uses the first 4 bytes; iptables
    /// fills all 16, see [`Connlimit::set_prefix`]).
    pub mask: [u8; 16],
    /// `--connlimit-daddr`: group by destination instead of source (revision 1).
    pub daddr: bool,
    /// The revision the value was read as, or is written as (0 or 1).
    pub revision: u8,
}

impl Default for Connlimit {
    /// `--connlimit-above 0` over whole addresses, revision 1.
    fn default() -> Self {
        Connlimit {
            test: ConnlimitTest::Above(0),
            mask: [0xff; 16],
            daddr: false,
            revision: 1,
        }
    }
}

/// A mask of `len` leading one bits over all 16 bytes, as `XTTYPE_PLENMASK`
/// builds it (whatever the family).
fn prefix_mask(len: u32) -> [u8; 16] {
    let ones = u128::MAX.checked_shl(128 - len.min(128)).unwrap_or(0);
    ones.to_be_bytes()
}

impl Connlimit {
    /// A connlimit match with `test`, grouping whole source addresses.
    pub fn with(test: ConnlimitTest) -> Self {
        Connlimit {
            test,
            ..Connlimit::default()
        }
    }

    /// Groups by the first `len` bits of the address, as `--connlimit-mask
    /// LEN` does.
    pub fn set_prefix(&mut self, len: u32) {
        self.mask = prefix_mask(len);
    }

    /// The prefix length iptables prints for the mask: the leading one bits
    /// of each 32-bit word (only the first word for IPv4), added up.
    pub fn prefix_len(&self, family: Family) -> u32 {
        let words = match family {
            Family::Ipv4 => 1,
            Family::Ipv6 => 4,
        };
        self.mask
            .chunks(4)
            .take(words)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]).leading_ones())
            .sum()
    }
}

/// `--connlimit-mask` as `XTTYPE_PLENMASK` reads it in iptables 1.8.9: a
/// prefix length, or a mask written out; a mask that is not a prefix
/// (`255.0.255.0`, or `33` read as the address 0.0.0.33) becomes all ones.
fn parse_mask(family: Family, s: &str) -> Result<[u8; 16]> {
    let len = plen(family, "connlimit --connlimit-mask", s)?;
    Ok(prefix_mask(if len == 255 { 128 } else { len.into() }))
}

const O_UPTO: u32 = 1;
const O_ABOVE: u32 = 2;
const O_MASK: u32 = 4;
const O_SADDR: u32 = 8;
const O_DADDR: u32 = 16;

impl Extension for Connlimit {
    const NAME: &'static str = "connlimit";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: Family) -> Self {
        Connlimit::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Connlimit::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let k: xt_connlimit_info = read_struct(Self::NAME, revision, data)?;
        let known = match revision {
            0 => XT_CONNLIMIT_INVERT,
            1 => XT_CONNLIMIT_INVERT | XT_CONNLIMIT_DADDR,
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        if k.flags & !known != 0 {
            return Err(Error::Malformed(format!(
                "connlimit: unknown flags {:#x}",
                k.flags
            )));
        }
        Ok(Connlimit {
            test: if k.flags & XT_CONNLIMIT_INVERT != 0 {
                ConnlimitTest::Upto(k.limit)
            } else {
                ConnlimitTest::Above(k.limit)
            },
            mask: k.mask,
            daddr: k.flags & XT_CONNLIMIT_DADDR != 0,
            revision,
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_connlimit_info::zeroed();
        k.mask = self.mask;
        (k.limit, k.flags) = match self.test {
            ConnlimitTest::Above(n) => (n, 0),
            ConnlimitTest::Upto(n) => (n, XT_CONNLIMIT_INVERT),
        };
        if self.daddr {
            k.flags |= XT_CONNLIMIT_DADDR;
        }
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
        match option {
            "connlimit-upto" | "connlimit-above" => {
                let (bit, upto) = if option == "connlimit-upto" {
                    (O_UPTO, !invert)
                } else {
                    (O_ABOVE, invert)
                };
                seen.take(Self::NAME, option, bit, invert, true)?;
                let v = args.value(option)?;
                let n = uint_option(Self::NAME, option, v, 0, u64::from(u32::MAX))? as u32;
                self.test = if upto {
                    ConnlimitTest::Upto(n)
                } else {
                    ConnlimitTest::Above(n)
                };
            }
            "connlimit-mask" => {
                seen.take(Self::NAME, option, O_MASK, invert, false)?;
                self.mask = parse_mask(ctx.family, args.value("--connlimit-mask")?)?;
            }
            "connlimit-saddr" => {
                seen.take(Self::NAME, option, O_SADDR, invert, false)?;
                self.daddr = false;
            }
            "connlimit-daddr" => {
                seen.take(Self::NAME, option, O_DADDR, invert, false)?;
                self.daddr = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        let s = seen;
        s.exclude(
            Self::NAME,
            ("connlimit-upto", O_UPTO),
            ("connlimit-above", O_ABOVE),
        )?;
        s.exclude(
            Self::NAME,
            ("connlimit-saddr", O_SADDR),
            ("connlimit-daddr", O_DADDR),
        )?;
        if !s.has(O_UPTO | O_ABOVE) {
            return Err(Error::rule(
                Self::NAME,
                "you must specify \"--connlimit-above\" or \"--connlimit-upto\"",
            ));
        }
        Ok(())
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        match self.test {
            ConnlimitTest::Above(n) => push_fmt!(out, " --connlimit-above {n}"),
            ConnlimitTest::Upto(n) => push_fmt!(out, " --connlimit-upto {n}"),
        }
        push_fmt!(out, " --connlimit-mask {}", self.prefix_len(ctx.family));
        if self.revision >= 1 {
            out.push_str(if self.daddr {
                " --connlimit-daddr"
            } else {
                " --connlimit-saddr"
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as};

    fn parse(family: Family, words: &[&str]) -> Result<Connlimit> {
        parse_as(family, "connlimit", words)
    }

    fn save(family: Family, m: &Connlimit) -> String {
        let mut s = String::new();
        m.save(&Ctx::new(family), &mut s);
        s
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = Ctx::new(Family::Ipv4);
        // `--connlimit-upto 3 --connlimit-mask 24 --connlimit-daddr`
        let bytes = hex("ffffff0000000000000000000000000003000000030000000000000000000000");
        let m = parse(
            Family::Ipv4,
            &[
                "--connlimit-upto",
                "3",
                "--connlimit-mask",
                "24",
                "--connlimit-daddr",
            ],
        )
        .unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Connlimit::decode(&v4, 1, &bytes).unwrap(), m);
        // `! --connlimit-upto 3` (no mask given: all 16 bytes set)
        let bytes = hex("ffffffffffffffffffffffffffffffff03000000000000000000000000000000");
        let m = parse(Family::Ipv4, &["!", "--connlimit-upto", "3"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(
            save(Family::Ipv4, &m),
            " --connlimit-above 3 --connlimit-mask 32 --connlimit-saddr"
        );
        // IPv6 `--connlimit-above 3 --connlimit-mask 64`
        let bytes = hex("ffffffffffffffff000000000000000003000000000000000000000000000000");
        let m = Connlimit::decode(&Ctx::new(Family::Ipv6), 1, &bytes).unwrap();
        assert_eq!(
            save(Family::Ipv6, &m),
            " --connlimit-above 3 --connlimit-mask 64 --connlimit-saddr"
        );
        assert_eq!(encode_as(Family::Ipv6, &m), bytes);
    }

    #[test]
    fn revision_0_reads_and_writes_unchanged() {
        // Not offered by current kernels: the same struct, `inverse` for flags.
        let bytes = hex("ffff000000000000000000000000000007000000010000000000000000000000");
        let m = Connlimit::decode(&Ctx::new(Family::Ipv4), 0, &bytes).unwrap();
        assert_eq!(m.revision(), 0);
        assert_eq!(
            save(Family::Ipv4, &m),
            " --connlimit-upto 7 --connlimit-mask 16"
        );
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        let flags2 = hex("ffff000000000000000000000000000007000000020000000000000000000000");
        assert!(Connlimit::decode(&Ctx::new(Family::Ipv4), 0, &flags2).is_err());
    }

    #[test]
    fn masks_as_iptables_reads_them() {
        let len = |f, s| {
            parse(f, &["--connlimit-above", "1", "--connlimit-mask", s]).map(|m| m.prefix_len(f))
        };
        assert_eq!(len(Family::Ipv4, "255.255.0.0").unwrap(), 16);
        assert_eq!(len(Family::Ipv4, "0xffffff00").unwrap(), 24);
        assert_eq!(len(Family::Ipv4, " 8").unwrap(), 8);
        assert_eq!(len(Family::Ipv4, "010").unwrap(), 8);
        assert_eq!(len(Family::Ipv4, "255.0.255.0").unwrap(), 32);
        assert_eq!(len(Family::Ipv4, "33").unwrap(), 32);
        assert_eq!(len(Family::Ipv4, "1.2").unwrap(), 32);
        assert!(len(Family::Ipv4, "255.255.255.0 ").is_err());
        assert!(len(Family::Ipv4, "-1").is_err());
        assert_eq!(len(Family::Ipv6, "ffff:ffff::").unwrap(), 32);
        assert_eq!(len(Family::Ipv6, "ffff::ffff").unwrap(), 128);
        assert_eq!(len(Family::Ipv6, "32").unwrap(), 32);
        assert!(len(Family::Ipv6, "129").is_err());
        let m = parse(
            Family::Ipv4,
            &["--connlimit-above", "1", "--connlimit-mask", "0"],
        )
        .unwrap();
        assert_eq!(m.mask, [0; 16]);
    }

    #[test]
    fn refusals() {
        let bad = |w: &[&str]| parse(Family::Ipv4, w).is_err();
        assert!(bad(&[]));
        assert!(bad(&["--connlimit-above", "-1"]));
        assert!(bad(&["--connlimit-upto", "4294967296"]));
        assert!(bad(&["--connlimit-above", "1", "--connlimit-upto", "2"]));
        assert!(bad(&[
            "--connlimit-above",
            "1",
            "--connlimit-saddr",
            "--connlimit-daddr"
        ]));
        assert!(bad(&[
            "--connlimit-above",
            "1",
            "--connlimit-saddr",
            "--connlimit-saddr"
        ]));
        assert!(bad(&[
            "--connlimit-above",
            "1",
            "!",
            "--connlimit-mask",
            "8"
        ]));
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (6, "-m connlimit --connlimit-upto 0", Some(" -m connlimit --connlimit-upto 0 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-upto 4294967295 --connlimit-mask 128 --connlimit-saddr", Some(" -m connlimit --connlimit-upto 4294967295 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-upto 4294967296 --connlimit-mask 128 --connlimit-saddr", None),
            (46, "-m connlimit --connlimit-upto -1", None),
            (6, "-m connlimit --connlimit-above 0", Some(" -m connlimit --connlimit-above 0 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-above 4294967295 --connlimit-mask 128 --connlimit-saddr", Some(" -m connlimit --connlimit-above 4294967295 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-above 4294967296 --connlimit-mask 128 --connlimit-saddr", None),
            (46, "-m connlimit --connlimit-above -1", None),
            (46, "-m connlimit --connlimit-upto 1 --conlimit-above 1", None),
            (6, "-m connlimit --connlimit-above 10 --connlimit-saddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-above 10 --connlimit-daddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-daddr")),
            (46, "-m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr", None),
            (6, "-m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-saddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-saddr")),
            (6, "-m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-daddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-daddr")),
            (46, "-m connlimit", None),
            (4, "-m connlimit --connlimit-upto 0", Some(" -m connlimit --connlimit-upto 0 --connlimit-mask 32 --connlimit-saddr")),
            (46, "-m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 --connlimit-saddr", Some(" -m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 --connlimit-saddr")),
            (46, "-m connlimit --connlimit-upto 4294967296 --connlimit-mask 32 --connlimit-saddr", None),
            (4, "-m connlimit --connlimit-above 0", Some(" -m connlimit --connlimit-above 0 --connlimit-mask 32 --connlimit-saddr")),
            (46, "-m connlimit --connlimit-above 4294967295 --connlimit-mask 32 --connlimit-saddr", Some(" -m connlimit --connlimit-above 4294967295 --connlimit-mask 32 --connlimit-saddr")),
            (46, "-m connlimit --connlimit-above 4294967296 --connlimit-mask 32 --connlimit-saddr", None),
            (4, "-m connlimit --connlimit-above 10 --connlimit-saddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr")),
            (4, "-m connlimit --connlimit-above 10 --connlimit-daddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr")),
            (46, "-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr")),
            (46, "-m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr", Some(" -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr")),
        ]);
    }
}
