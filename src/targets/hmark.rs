//! `-j HMARK`: set the packet mark from a hash of its addresses, ports and
//! protocol (`xt_HMARK.h`, `struct xt_hmark_info`).
//!
//! # Address masks
//!
//! The kernel holds each address mask in a 16-byte field, for either family.
//! This type keeps it as the length of its prefix over all 128 bits. For IPv6
//! that is the `--hmark-src-prefix` value; for IPv4 iptables writes 0 to 32
//! for a prefix, but 128 (every byte set) for `--hmark-tuple src` and for a
//! mask it cannot read as a prefix. The IPv4 kernel only looks at the first
//! 32 bits, so 128 means the same as 32, and iptables-save prints it as 32.

use iptkit_sys::ext::xt_hmark::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{plen, uint_option, Opt, Seen};

/// `-j HMARK`: `mark = hash(fields & masks | sets) % modulus + offset`.
///
/// Every field is `None` (or `false`) when its option was not given; the
/// kernel's `flags` word records which are set.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hmark {
    /// `--hmark-src-prefix`: prefix length of the source address mask, over
    /// the kernel's 128-bit field (see the module docs).
    pub src_prefix: Option<u8>,
    /// `--hmark-dst-prefix`: the same for the destination address.
    pub dst_prefix: Option<u8>,
    /// `--hmark-sport-mask`.
    pub sport_mask: Option<u16>,
    /// `--hmark-dport-mask`.
    pub dport_mask: Option<u16>,
    /// `--hmark-spi-mask` (AH/ESP; shares its kernel field with the port masks).
    pub spi_mask: Option<u32>,
    /// `--hmark-sport`: ORed into the source port.
    pub sport: Option<u16>,
    /// `--hmark-dport`: ORed into the destination port.
    pub dport: Option<u16>,
    /// `--hmark-spi`: ORed into the SPI (shares its kernel field with the ports).
    pub spi: Option<u32>,
    /// `--hmark-proto-mask`.
    pub proto_mask: Option<u16>,
    /// `--hmark-rnd`: the hash seed.
    pub rnd: Option<u32>,
    /// `--hmark-mod`: the modulus (iptables requires it, at least 1).
    pub modulus: Option<u32>,
    /// `--hmark-offset`: added to the result.
    pub offset: Option<u32>,
    /// `--hmark-tuple ct`: hash the connection's original tuple.
    pub ct: bool,
}

// Option ids, numbered as libxt_HMARK numbers them.
const O_SADDR_MASK: usize = 0;
const O_DADDR_MASK: usize = 1;
const O_SPI: usize = 2;
const O_SPI_MASK: usize = 3;
const O_SPORT: usize = 4;
const O_DPORT: usize = 5;
const O_SPORT_MASK: usize = 6;
const O_DPORT_MASK: usize = 7;
const O_PROTO_MASK: usize = 8;
const O_RND: usize = 9;
const O_MODULUS: usize = 10;
const O_OFFSET: usize = 11;
const O_CT: usize = 12;
const O_TUPLE: usize = 13;
const OPTS: &[Opt] = &[
    Opt::new("hmark-src-prefix"),
    Opt::new("hmark-dst-prefix"),
    Opt::new("hmark-spi"),
    Opt::new("hmark-spi-mask"),
    Opt::new("hmark-sport"),
    Opt::new("hmark-dport"),
    Opt::new("hmark-sport-mask"),
    Opt::new("hmark-dport-mask"),
    Opt::new("hmark-proto-mask"),
    Opt::new("hmark-rnd"),
    Opt::new("hmark-mod").mand(),
    Opt::new("hmark-offset"),
    Opt::new("hmark-tuple ct"),
    Opt::new("hmark-tuple"),
];

/// The `--hmark-tuple` words, in the order iptables tries them (a word
/// matches a name it is a prefix of, ignoring case).
const TUPLE_WORDS: &[(&str, usize)] = &[
    ("ct", O_CT),
    ("src", O_SADDR_MASK),
    ("dst", O_DADDR_MASK),
    ("sport", O_SPORT_MASK),
    ("dport", O_DPORT_MASK),
    ("proto", O_PROTO_MASK),
    ("spi", O_SPI_MASK),
];

/// `XTTYPE_PLENMASK` as iptables 1.8.9 reads it (see [`plen`]): a mask that
/// is not a prefix gives every bit. Returns the prefix length over 128 bits.
fn parse_prefix(family: Family, option: &str, s: &str) -> Result<u8> {
    Ok(plen(family, &format!("HMARK --{option}"), s)?.min(128))
}

/// The prefix length of a contiguous mask, or `None`.
fn prefix_of(mask: u128) -> Option<u8> {
    let ones = mask.leading_ones();
    (ones == 128 || mask << ones == 0).then_some(ones as u8)
}

fn mask_of(prefix: u8) -> [u8; 16] {
    let m = match prefix {
        0 => 0,
        p => u128::MAX << (128 - u32::from(p.min(128))),
    };
    m.to_be_bytes()
}

impl Hmark {
    /// `--hmark-tuple src,dst --hmark-mod modulus --hmark-rnd rnd`: the
    /// mark is a hash of the source and destination addresses, seeded with
    /// `rnd`, modulo `modulus` (refused when 0, as the kernel refuses it).
    ///
    /// ```
    /// use iptkit::{targets::hmark::Hmark, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_target(Hmark::new(16, 0xc0ffee)?);
    /// assert_eq!(
    ///     rule.to_string(),
    ///     "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-rnd 0x00c0ffee --hmark-mod 16"
    /// );
    /// assert!(Hmark::new(0, 1).is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(modulus: u32, rnd: u32) -> Result<Hmark> {
        if modulus == 0 {
            return Err(Error::value(
                "--hmark-mod",
                "0",
                "the modulus must be at least 1",
            ));
        }
        Ok(Hmark {
            // What iptables writes for `--hmark-tuple src,dst` in either family.
            src_prefix: Some(128),
            dst_prefix: Some(128),
            rnd: Some(rnd),
            modulus: Some(modulus),
            ..Hmark::empty()
        })
    }

    /// No option yet (not valid alone): what parsing starts from.
    fn empty() -> Hmark {
        Hmark {
            src_prefix: None,
            dst_prefix: None,
            sport_mask: None,
            dport_mask: None,
            spi_mask: None,
            sport: None,
            dport: None,
            spi: None,
            proto_mask: None,
            rnd: None,
            modulus: None,
            offset: None,
            ct: false,
        }
    }

    fn flag(&self, bit: u32) -> bool {
        match bit {
            XT_HMARK_SADDR_MASK => self.src_prefix.is_some(),
            XT_HMARK_DADDR_MASK => self.dst_prefix.is_some(),
            XT_HMARK_SPI => self.spi.is_some(),
            XT_HMARK_SPI_MASK => self.spi_mask.is_some(),
            XT_HMARK_SPORT => self.sport.is_some(),
            XT_HMARK_DPORT => self.dport.is_some(),
            XT_HMARK_SPORT_MASK => self.sport_mask.is_some(),
            XT_HMARK_DPORT_MASK => self.dport_mask.is_some(),
            XT_HMARK_PROTO_MASK => self.proto_mask.is_some(),
            XT_HMARK_RND => self.rnd.is_some(),
            XT_HMARK_MODULUS => self.modulus.is_some(),
            XT_HMARK_OFFSET => self.offset.is_some(),
            XT_HMARK_CT => self.ct,
            _ => false,
        }
    }

    /// Applies one `--hmark-tuple` word: the whole field enters the hash.
    fn tuple_word(&mut self, id: usize, seen: &mut Seen) {
        match id {
            O_CT => self.ct = true,
            O_SADDR_MASK => self.src_prefix = Some(128),
            O_DADDR_MASK => self.dst_prefix = Some(128),
            O_SPORT_MASK => self.sport_mask = Some(0xffff),
            O_DPORT_MASK => self.dport_mask = Some(0xffff),
            O_PROTO_MASK => self.proto_mask = Some(0xffff),
            _ => self.spi_mask = Some(0xffff_ffff),
        }
        // Like iptables: the word counts as that option, which then may not
        // be given on its own any more.
        seen.mark_opt(id);
    }

    fn parse_tuple(&mut self, s: &str, seen: &mut Seen) -> Result<()> {
        let words: Vec<&str> = s.split(',').collect();
        if words.last() == Some(&"") {
            return Err(Error::value(
                "HMARK --hmark-tuple",
                s,
                "requires a list of types with no spaces, e.g. src,dst,sport,dport,proto",
            ));
        }
        for w in words {
            let id = TUPLE_WORDS
                .iter()
                .find(|(name, _)| {
                    !w.is_empty()
                        && name
                            .get(..w.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(w))
                })
                .map(|&(_, id)| id)
                .ok_or_else(|| Error::value("HMARK --hmark-tuple", s, format!("bad type `{w}'")))?;
            self.tuple_word(id, seen);
        }
        Ok(())
    }
}

impl Extension for Hmark {
    const NAME: &'static str = "HMARK";

    fn example(_family: Family) -> Self {
        Hmark::new(16, 1).expect("a modulus above 0")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Hmark::empty()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_hmark_info = read_struct(Self::NAME, revision, data)?;
        let bad = || Error::Malformed(format!("HMARK: {k:?}"));
        let f = |bit| k.flags & xt_hmark_flag(bit) != 0;
        let known = (1 << (XT_HMARK_CT + 1)) - 1;
        // The kernel refuses an SPI together with ports (they share a field);
        // anything set without its flag could not be written back.
        if k.flags & !known != 0
            || (f(XT_HMARK_SPI_MASK) && (f(XT_HMARK_SPORT_MASK) || f(XT_HMARK_DPORT_MASK)))
            || (f(XT_HMARK_SPI) && (f(XT_HMARK_SPORT) || f(XT_HMARK_DPORT)))
        {
            return Err(bad());
        }
        let prefix = |bit, mask: [u8; 16]| -> Result<Option<u8>> {
            if f(bit) {
                prefix_of(u128::from_be_bytes(mask))
                    .map(Some)
                    .ok_or_else(bad)
            } else if mask == [0; 16] {
                Ok(None)
            } else {
                Err(bad())
            }
        };
        let u16_at = |b: [u8; 4], i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        let t = Hmark {
            src_prefix: prefix(XT_HMARK_SADDR_MASK, k.src_mask)?,
            dst_prefix: prefix(XT_HMARK_DADDR_MASK, k.dst_mask)?,
            sport_mask: f(XT_HMARK_SPORT_MASK).then_some(u16_at(k.port_mask, 0)),
            dport_mask: f(XT_HMARK_DPORT_MASK).then_some(u16_at(k.port_mask, 2)),
            spi_mask: f(XT_HMARK_SPI_MASK).then_some(u32::from_be_bytes(k.port_mask)),
            sport: f(XT_HMARK_SPORT).then_some(u16_at(k.port_set, 0)),
            dport: f(XT_HMARK_DPORT).then_some(u16_at(k.port_set, 2)),
            spi: f(XT_HMARK_SPI).then_some(u32::from_be_bytes(k.port_set)),
            proto_mask: f(XT_HMARK_PROTO_MASK).then_some(k.proto_mask),
            rnd: f(XT_HMARK_RND).then_some(k.hashrnd),
            modulus: f(XT_HMARK_MODULUS).then_some(k.hmodulus),
            offset: f(XT_HMARK_OFFSET).then_some(k.hoffset),
            ct: f(XT_HMARK_CT),
        };
        // Values without their flag (or half a port field) do not come back.
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        if again != k.as_bytes() {
            return Err(bad());
        }
        Ok(t)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_hmark_info::zeroed();
        for bit in 0..=XT_HMARK_CT {
            if self.flag(bit) {
                k.flags |= xt_hmark_flag(bit);
            }
        }
        if let Some(p) = self.src_prefix {
            k.src_mask = mask_of(p);
        }
        if let Some(p) = self.dst_prefix {
            k.dst_mask = mask_of(p);
        }
        // The SPI and the two ports share one field, as in iptables.
        if let Some(m) = self.spi_mask {
            k.port_mask = m.to_be_bytes();
        }
        if let Some(m) = self.sport_mask {
            k.port_mask[..2].copy_from_slice(&m.to_be_bytes());
        }
        if let Some(m) = self.dport_mask {
            k.port_mask[2..].copy_from_slice(&m.to_be_bytes());
        }
        if let Some(v) = self.spi {
            k.port_set = v.to_be_bytes();
        }
        if let Some(v) = self.sport {
            k.port_set[..2].copy_from_slice(&v.to_be_bytes());
        }
        if let Some(v) = self.dport {
            k.port_set[2..].copy_from_slice(&v.to_be_bytes());
        }
        k.proto_mask = self.proto_mask.unwrap_or(0);
        k.hashrnd = self.rnd.unwrap_or(0);
        k.hmodulus = self.modulus.unwrap_or(0);
        k.hoffset = self.offset.unwrap_or(0);
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
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        if id == O_CT {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        let v = args.value(&format!("--{option}"))?;
        let n = |max: u64| uint_option(Self::NAME, option, v, 0, max);
        match id {
            O_TUPLE => self.parse_tuple(v, seen)?,
            O_SADDR_MASK => self.src_prefix = Some(parse_prefix(ctx.family, option, v)?),
            O_DADDR_MASK => self.dst_prefix = Some(parse_prefix(ctx.family, option, v)?),
            O_SPORT_MASK => self.sport_mask = Some(n(0xffff)? as u16),
            O_DPORT_MASK => self.dport_mask = Some(n(0xffff)? as u16),
            O_SPI_MASK => self.spi_mask = Some(n(u32::MAX.into())? as u32),
            O_SPORT => self.sport = Some(n(0xffff)? as u16),
            O_DPORT => self.dport = Some(n(0xffff)? as u16),
            O_SPI => self.spi = Some(n(u32::MAX.into())? as u32),
            O_PROTO_MASK => self.proto_mask = Some(n(0xffff)? as u16),
            O_RND => self.rnd = Some(n(u32::MAX.into())? as u32),
            O_MODULUS => {
                self.modulus = Some(uint_option(Self::NAME, option, v, 1, u32::MAX.into())? as u32)
            }
            O_OFFSET => self.offset = Some(n(u32::MAX.into())? as u32),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has_opt(O_MODULUS) {
            return Err(Error::rule(Self::NAME, "--hmark-mod is mandatory"));
        }
        if !seen.has_opt(O_RND) {
            return Err(Error::rule(Self::NAME, "--hmark-rnd is mandatory"));
        }
        if seen.has_opt(O_SPI_MASK) && (seen.has_opt(O_SPORT_MASK) || seen.has_opt(O_DPORT_MASK)) {
            return Err(Error::rule(
                Self::NAME,
                "--hmark-spi-mask and --hmark-sport-mask/--hmark-dport-mask cannot be used together",
            ));
        }
        let tuple = [
            O_SADDR_MASK,
            O_DADDR_MASK,
            O_SPI_MASK,
            O_SPORT_MASK,
            O_DPORT_MASK,
            O_PROTO_MASK,
            O_SPORT,
            O_DPORT,
            O_SPI,
            O_CT,
        ];
        if !tuple.iter().any(|&id| seen.has_opt(id)) {
            return Err(Error::rule(
                Self::NAME,
                "you have to specify --hmark-tuple at least",
            ));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        let bits = ctx.family.bits();
        if let Some(p) = self.src_prefix {
            push_fmt!(out, " --hmark-src-prefix {}", p.min(bits));
        }
        if let Some(p) = self.dst_prefix {
            push_fmt!(out, " --hmark-dst-prefix {}", p.min(bits));
        }
        if let Some(m) = self.sport_mask {
            push_fmt!(out, " --hmark-sport-mask 0x{m:04x}");
        }
        if let Some(m) = self.dport_mask {
            push_fmt!(out, " --hmark-dport-mask 0x{m:04x}");
        }
        if let Some(m) = self.spi_mask {
            push_fmt!(out, " --hmark-spi-mask 0x{m:08x}");
        }
        if let Some(v) = self.sport {
            push_fmt!(out, " --hmark-sport 0x{v:04x}");
        }
        if let Some(v) = self.dport {
            push_fmt!(out, " --hmark-dport 0x{v:04x}");
        }
        if let Some(v) = self.spi {
            push_fmt!(out, " --hmark-spi 0x{v:08x}");
        }
        if let Some(m) = self.proto_mask {
            push_fmt!(out, " --hmark-proto-mask 0x{m:02x}");
        }
        if let Some(r) = self.rnd {
            push_fmt!(out, " --hmark-rnd 0x{r:08x}");
        }
        if let Some(m) = self.modulus {
            push_fmt!(out, " --hmark-mod {m}");
        }
        if let Some(o) = self.offset {
            push_fmt!(out, " --hmark-offset {o}");
        }
        if self.ct {
            out.push_str(" --hmark-tuple ct");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each, hex};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--hmark-mod 4 --hmark-rnd 1 --hmark-tuple s,d,sp,dp,pr,ct` (IPv4),
        // as the kernel holds it: the tuple form sets all 16 mask bytes.
        let t = Hmark {
            src_prefix: Some(128),
            dst_prefix: Some(128),
            sport_mask: Some(0xffff),
            dport_mask: Some(0xffff),
            proto_mask: Some(0xffff),
            rnd: Some(1),
            modulus: Some(4),
            ct: true,
            ..Hmark::empty()
        };
        both_ways(
            Ipv4,
            &t,
            &hex(concat!(
                "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                "ffffffff00000000c3170000ffff000001000000040000000000000000000000"
            )),
        );
        // `--hmark-mod 4 --hmark-rnd 1 --hmark-tuple spi --hmark-sport 80
        // --hmark-dport 0x1234 --hmark-offset 7 --hmark-src-prefix 0`.
        let t = Hmark {
            src_prefix: Some(0),
            spi_mask: Some(0xffff_ffff),
            sport: Some(80),
            dport: Some(0x1234),
            rnd: Some(1),
            modulus: Some(4),
            offset: Some(7),
            ..Hmark::empty()
        };
        both_ways(
            Ipv4,
            &t,
            &hex(concat!(
                "0000000000000000000000000000000000000000000000000000000000000000",
                "ffffffff00501234390e00000000000001000000040000000700000000000000"
            )),
        );
        // `--hmark-src-prefix 16` (IPv6), `--hmark-spi 5 --hmark-tuple ct`.
        let t = Hmark {
            src_prefix: Some(16),
            rnd: Some(1),
            modulus: Some(4),
            ..Hmark::empty()
        };
        both_ways(
            Ipv6,
            &t,
            &hex(concat!(
                "ffff000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000010600000000000001000000040000000000000000000000"
            )),
        );
        let t = Hmark {
            spi: Some(5),
            rnd: Some(1),
            modulus: Some(4),
            ct: true,
            ..Hmark::empty()
        };
        both_ways(
            Ipv6,
            &t,
            &hex(concat!(
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000005041600000000000001000000040000000000000000000000"
            )),
        );
        // A mask that is no prefix stays raw.
        let mut k = xt_hmark_info::zeroed();
        k.flags = 1;
        k.src_mask[0] = 0x0f;
        assert!(Hmark::decode(&Ctx::new(Ipv4), 0, k.as_bytes()).is_err());
    }

    #[test]
    fn prefixes_like_iptables_1_8_9() {
        let p = |f, s| parse_prefix(f, "hmark-src-prefix", s).ok();
        assert_eq!(p(Ipv4, "16"), Some(16));
        assert_eq!(p(Ipv4, "0x10"), Some(16));
        assert_eq!(p(Ipv4, "255.255.0.0"), Some(16));
        assert_eq!(p(Ipv4, "33"), Some(128));
        assert_eq!(p(Ipv4, "255.0.255.0"), Some(128));
        assert_eq!(p(Ipv4, "abc"), None);
        assert_eq!(p(Ipv6, "64"), Some(64));
        assert_eq!(p(Ipv6, "ffff:ff00::"), Some(24));
        assert_eq!(p(Ipv6, "::1"), Some(128));
        assert_eq!(p(Ipv6, "129"), None);
    }

    #[test]
    fn text_like_iptables() {
        let full = "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct";
        let spi = "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-spi-mask 0x00000004 --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct";
        let small = "-j HMARK --hmark-src-prefix 1 --hmark-dst-prefix 2 --hmark-sport-mask 0x0003 --hmark-dport-mask 0x0004 --hmark-proto-mask 0x05 --hmark-rnd 0x00000004 --hmark-mod 42 --hmark-offset 1 --hmark-tuple ct";
        let short = "-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000004 --hmark-mod 42";
        let both = format!("{full} --hmark-spi-mask 4");
        conformance_each(&[
            (Ipv4, "-j HMARK", None),
            (Ipv6, "-j HMARK", None),
            (Ipv4, short, Some(short)),
            (Ipv6, short, Some(short)),
            (Ipv4, full, Some(full)),
            (Ipv6, full, Some(full)),
            (Ipv4, spi, Some(spi)),
            (Ipv6, spi, Some(spi)),
            (Ipv4, small, Some(small)),
            (Ipv6, small, Some(small)),
            (Ipv4, &both, None),
            (Ipv6, &both, None),
            (
                Ipv4,
                "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple s,d,sp,dp,pr,ct",
                Some("-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod 4 --hmark-tuple ct"),
            ),
            (
                Ipv6,
                "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple src",
                Some("-j HMARK --hmark-src-prefix 128 --hmark-rnd 0x00000001 --hmark-mod 4"),
            ),
            (
                Ipv4,
                "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-src-prefix 16 --hmark-tuple src",
                Some("-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 4"),
            ),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple src --hmark-src-prefix 16", None),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-tuple src", None),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-rnd 1", None),
            (Ipv4, "-j HMARK --hmark-mod 0 --hmark-rnd 1 --hmark-tuple ct", None),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple ctx", None),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple src,", None),
            (Ipv4, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple ,src", None),
            (Ipv6, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-src-prefix 129", None),
        ]);
    }
}
