//! `-m srh`: the IPv6 segment routing header (`ip6t_srh.h`; revision 0,
//! `struct ip6t_srh`, and revision 1, `struct ip6t_srh1`, which adds the
//! previous, next and last SIDs).

use std::net::{IpAddr, Ipv6Addr};

use iptkit_sys::ext::ip6t_srh::*;
use iptkit_sys::Pod;

use super::policy::AddrMask;
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{exact, mask_to_cidr, parse_hostmask, uint_option, Seen};

/// Tests of one byte of the header: equal, greater, less. They share one
/// kernel field, so when several are set they hold the same value (parsing
/// gives them all the last one given, as iptables does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SrhCmp {
    /// `[!] --srh-FIELD-eq N`.
    pub eq: Option<Inv<u8>>,
    /// `[!] --srh-FIELD-gt N`.
    pub gt: Option<Inv<u8>>,
    /// `[!] --srh-FIELD-lt N`.
    pub lt: Option<Inv<u8>>,
}

impl SrhCmp {
    fn slots(&self) -> [Option<Inv<u8>>; 3] {
        [self.eq, self.gt, self.lt]
    }

    /// The kernel field: the value of the tests that are set.
    fn value(&self) -> u8 {
        self.slots().iter().flatten().next().map_or(0, |v| v.value)
    }

    /// Sets test `which` (0 eq, 1 gt, 2 lt) and gives the others its value.
    fn set(&mut self, which: usize, value: u8, invert: bool) {
        let mut slots = [&mut self.eq, &mut self.gt, &mut self.lt];
        for v in slots.iter_mut().filter_map(|s| s.as_mut()) {
            v.value = value;
        }
        *slots[which] = Some(Inv::new(value, invert));
    }

    /// Flags and inversions, from the `eq` flag bit (`gt` and `lt` follow it).
    fn bits(&self, eq_bit: u16) -> (u16, u16) {
        let (mut set, mut inv) = (0, 0);
        for (i, slot) in self.slots().iter().enumerate() {
            if let Some(v) = slot {
                set |= eq_bit << i;
                if v.invert {
                    inv |= eq_bit << i;
                }
            }
        }
        (set, inv)
    }

    fn from_kernel(value: u8, flags: u16, inv: u16, eq_bit: u16) -> SrhCmp {
        let at = |i: usize| {
            let bit = eq_bit << i;
            (flags & bit != 0).then_some(Inv::new(value, inv & bit != 0))
        };
        SrhCmp {
            eq: at(0),
            gt: at(1),
            lt: at(2),
        }
    }
}

/// `-m srh` (IPv6 only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Srh {
    /// 0, or 1 (what iptables 1.8.9 writes), which has the SID options.
    pub revision: u8,
    /// `[!] --srh-next-hdr N`.
    pub next_hdr: Option<Inv<u8>>,
    /// `--srh-hdr-len-eq/-gt/-lt`: the header extension length.
    pub hdr_len: SrhCmp,
    /// `--srh-segs-left-eq/-gt/-lt`: segments left.
    pub segs_left: SrhCmp,
    /// `--srh-last-entry-eq/-gt/-lt`: the last entry.
    pub last_entry: SrhCmp,
    /// `[!] --srh-tag N`.
    pub tag: Option<Inv<u16>>,
    /// `[!] --srh-psid ADDR[/MASK]`: the previous SID (revision 1).
    pub psid: Option<Inv<AddrMask>>,
    /// `[!] --srh-nsid ADDR[/MASK]`: the next SID (revision 1).
    pub nsid: Option<Inv<AddrMask>>,
    /// `[!] --srh-lsid ADDR[/MASK]`: the last SID (revision 1).
    pub lsid: Option<Inv<AddrMask>>,
}

impl Default for Srh {
    fn default() -> Self {
        Srh {
            revision: 1,
            next_hdr: None,
            hdr_len: SrhCmp::default(),
            segs_left: SrhCmp::default(),
            last_entry: SrhCmp::default(),
            tag: None,
            psid: None,
            nsid: None,
            lsid: None,
        }
    }
}

/// The byte tests: option stem, `eq` flag bit.
const CMPS: [(&str, u16); 3] = [
    ("hdr-len", IP6T_SRH_LEN_EQ),
    ("segs-left", IP6T_SRH_SEGS_EQ),
    ("last-entry", IP6T_SRH_LAST_EQ),
];

/// The SID options: name, flag bit.
const SIDS: [(&str, u16); 3] = [
    ("psid", IP6T_SRH_PSID),
    ("nsid", IP6T_SRH_NSID),
    ("lsid", IP6T_SRH_LSID),
];

fn v6(a: [u8; 16]) -> IpAddr {
    IpAddr::V6(Ipv6Addr::from(a))
}

fn v6_bytes(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V6(a) => a.octets(),
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
    }
}

impl Srh {
    fn cmps(&self) -> [&SrhCmp; 3] {
        [&self.hdr_len, &self.segs_left, &self.last_entry]
    }

    fn sids(&self) -> [Option<Inv<AddrMask>>; 3] {
        [self.psid, self.nsid, self.lsid]
    }

    /// `mt_flags` and `mt_invflags`.
    fn bits(&self) -> (u16, u16) {
        let (mut set, mut inv) = (0, 0);
        let mut add = |on: Option<bool>, bit: u16| {
            if let Some(i) = on {
                set |= bit;
                if i {
                    inv |= bit;
                }
            }
        };
        add(self.next_hdr.map(|v| v.invert), IP6T_SRH_NEXTHDR);
        add(self.tag.map(|v| v.invert), IP6T_SRH_TAG);
        for (sid, (_, bit)) in self.sids().iter().zip(SIDS) {
            add(sid.map(|v| v.invert), bit);
        }
        for (cmp, (_, eq_bit)) in self.cmps().iter().zip(CMPS) {
            let (s, i) = cmp.bits(eq_bit);
            set |= s;
            inv |= i;
        }
        (set, inv)
    }
}

impl Extension for Srh {
    const NAME: &'static str = "srh";
    const REVISIONS: &'static [u8] = &[0, 1];
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Srh::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Srh::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let k = match revision {
            0 => {
                let k: ip6t_srh = read_struct(Self::NAME, revision, data)?;
                let mut k1 = ip6t_srh1::zeroed();
                (k1.next_hdr, k1.hdr_len, k1.segs_left, k1.last_entry) =
                    (k.next_hdr, k.hdr_len, k.segs_left, k.last_entry);
                (k1.tag, k1.mt_flags, k1.mt_invflags) = (k.tag, k.mt_flags, k.mt_invflags);
                k1
            }
            1 => read_struct::<ip6t_srh1>(Self::NAME, revision, data)?,
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        let (flags, inv) = (k.mt_flags, k.mt_invflags);
        let field = |bit: u16| (flags & bit != 0).then_some(inv & bit != 0);
        let sid = |bit: u16, addr: [u8; 16], mask: [u8; 16]| {
            field(bit).map(|i| {
                let value = AddrMask {
                    addr: v6(addr),
                    mask: v6(mask),
                };
                Inv::new(value, i)
            })
        };
        let v = Srh {
            revision,
            next_hdr: field(IP6T_SRH_NEXTHDR).map(|i| Inv::new(k.next_hdr, i)),
            hdr_len: SrhCmp::from_kernel(k.hdr_len, flags, inv, IP6T_SRH_LEN_EQ),
            segs_left: SrhCmp::from_kernel(k.segs_left, flags, inv, IP6T_SRH_SEGS_EQ),
            last_entry: SrhCmp::from_kernel(k.last_entry, flags, inv, IP6T_SRH_LAST_EQ),
            tag: field(IP6T_SRH_TAG).map(|i| Inv::new(k.tag, i)),
            psid: sid(IP6T_SRH_PSID, k.psid_addr, k.psid_msk),
            nsid: sid(IP6T_SRH_NSID, k.nsid_addr, k.nsid_msk),
            lsid: sid(IP6T_SRH_LSID, k.lsid_addr, k.lsid_msk),
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let (flags, inv) = self.bits();
        let next_hdr = self.next_hdr.map_or(0, |v| v.value);
        let tag = self.tag.map_or(0, |v| v.value);
        let [hdr_len, segs_left, last_entry] = self.cmps().map(SrhCmp::value);
        if self.revision == 0 {
            let k = ip6t_srh {
                next_hdr,
                hdr_len,
                segs_left,
                last_entry,
                tag,
                mt_flags: flags,
                mt_invflags: inv,
            };
            out.extend_from_slice(k.as_bytes());
            return;
        }
        let mut k = ip6t_srh1::zeroed();
        (k.next_hdr, k.hdr_len, k.segs_left, k.last_entry) =
            (next_hdr, hdr_len, segs_left, last_entry);
        (k.tag, k.mt_flags, k.mt_invflags) = (tag, flags, inv);
        let bytes = |s: Option<Inv<AddrMask>>| {
            s.map_or(([0; 16], [0; 16]), |s| {
                (v6_bytes(s.value.addr), v6_bytes(s.value.mask))
            })
        };
        (k.psid_addr, k.psid_msk) = bytes(self.psid);
        (k.nsid_addr, k.nsid_msk) = bytes(self.nsid);
        (k.lsid_addr, k.lsid_msk) = bytes(self.lsid);
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
        let Some(name) = option.strip_prefix("srh-") else {
            return Ok(false);
        };
        let flag = format!("--{option}");
        // Option numbers for the once-checks: next-hdr 0, the byte tests
        // 1 to 9, tag 10, the SIDs 11 to 13 (iptables' order).
        if name == "next-hdr" {
            seen.take(Self::NAME, option, 1 << 0, invert, true)?;
            let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, 0xFF)?;
            self.next_hdr = Some(Inv::new(n as u8, invert));
            return Ok(true);
        }
        if name == "tag" {
            seen.take(Self::NAME, option, 1 << 10, invert, true)?;
            let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, 0xFFFF)?;
            self.tag = Some(Inv::new(n as u16, invert));
            return Ok(true);
        }
        for (c, (stem, _)) in CMPS.iter().enumerate() {
            for (which, suffix) in ["-eq", "-gt", "-lt"].iter().enumerate() {
                if name.strip_prefix(stem) == Some(suffix) {
                    seen.take(
                        Self::NAME,
                        option,
                        1 << (1 + 3 * c as u32 + which as u32),
                        invert,
                        true,
                    )?;
                    let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, 0xFF)? as u8;
                    let cmp = [&mut self.hdr_len, &mut self.segs_left, &mut self.last_entry];
                    cmp.into_iter()
                        .nth(c)
                        .expect("three tests")
                        .set(which, n, invert);
                    return Ok(true);
                }
            }
        }
        if self.revision >= 1 {
            if let Some(i) = SIDS.iter().position(|(n, _)| *n == name) {
                seen.take(Self::NAME, option, 1 << (11 + i as u32), invert, true)?;
                let (addr, mask) = parse_hostmask(Family::Ipv6, &flag, args.value(&flag)?)?;
                let slot = [&mut self.psid, &mut self.nsid, &mut self.lsid]
                    .into_iter()
                    .nth(i)
                    .expect("three SIDs");
                *slot = Some(Inv::new(AddrMask { addr, mask }, invert));
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(v) = self.next_hdr {
            push_fmt!(out, "{} --srh-next-hdr {}", v.bang(), v.value);
        }
        for (cmp, (stem, _)) in self.cmps().iter().zip(CMPS) {
            for (slot, suffix) in cmp.slots().iter().zip(["eq", "gt", "lt"]) {
                if let Some(v) = slot {
                    push_fmt!(out, "{} --srh-{stem}-{suffix} {}", v.bang(), v.value);
                }
            }
        }
        if let Some(v) = self.tag {
            push_fmt!(out, "{} --srh-tag {}", v.bang(), v.value);
        }
        if self.revision >= 1 {
            for (sid, (name, _)) in self.sids().iter().zip(SIDS) {
                if let Some(v) = sid {
                    // iptables prints the prefix length with %u: -1 (a mask
                    // that is not one) shows as 4294967295.
                    let len = mask_to_cidr(v.value.mask).map_or(u32::MAX, u32::from);
                    push_fmt!(
                        out,
                        "{} --srh-{name} {}/{len}",
                        v.bang(),
                        crate::addr::ntop(v.value.addr)
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v6 = ctx(Family::Ipv6);
        match parse::<Srh>(&v6, options) {
            Ok(v) => save(&v6, &v),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        kernel_fixture::<Srh>(
            &v6,
            "! --srh-psid a::/64 --srh-nsid b::/128 ! --srh-lsid c::/0 --srh-next-hdr 17 \
             ! --srh-tag 7 --srh-last-entry-lt 4",
            1,
            concat!(
                "1100000407000000000a0000000000000000000000000000000b000000000000",
                "0000000000000000000c0000000000000000000000000000ffffffffffffffff",
                "0000000000000000ffffffffffffffffffffffffffffffff0000000000000000",
                "0000000000000000013e002c00000000",
            ),
        );
        kernel_fixture::<Srh>(
            &v6,
            "--srh-tag 5",
            1,
            &format!("0000000005000000{}0004000000000000", "00".repeat(96)),
        );
        // Revision 0 (no SIDs).
        let mut r0 = parse::<Srh>(&v6, "--srh-hdr-len-eq 8 ! --srh-segs-left-gt 2").unwrap();
        r0.revision = 0;
        let mut out = Vec::new();
        r0.encode(&v6, &mut out);
        assert_eq!(out, [0, 8, 2, 0, 0, 0, 0x22, 0, 0x20, 0]);
        out.resize(16, 0);
        assert_eq!(Srh::decode(&v6, 0, &out).unwrap(), r0);
        assert_eq!(save(&v6, &r0), " --srh-hdr-len-eq 8 ! --srh-segs-left-gt 2");
    }

    #[test]
    fn shared_fields_and_refusals() {
        assert_eq!(
            text("--srh-hdr-len-eq 8 --srh-hdr-len-gt 3"),
            " --srh-hdr-len-eq 3 --srh-hdr-len-gt 3"
        );
        assert_eq!(text("--srh-psid a::/ffff::"), " --srh-psid a::/16");
        assert_eq!(text("--srh-psid a::/ff0f::"), " --srh-psid a::/128");
        assert_eq!(text("--srh-psid a::1/64"), " --srh-psid a::1/64");
        for bad in [
            "--srh-tag 65536",
            "--srh-next-hdr 256",
            "--srh-psid a::1/64 --srh-psid b::",
            "--srh-psid 1.2.3.4",
            "--srh-segs-left-eq 1 --srh-segs-left-eq 2",
        ] {
            assert!(text(bad).starts_with("error"), "{bad}");
        }
    }

    #[test]
    fn conformance_cases() {
        let mut cases: Vec<(String, Option<String>)> = Vec::new();
        for stem in [
            "next-hdr 17",
            "hdr-len-eq 8",
            "hdr-len-gt 8",
            "hdr-len-lt 8",
        ]
        .into_iter()
        .chain(["segs-left-eq 1", "segs-left-gt 1", "segs-left-lt 1"])
        .chain([
            "last-entry-eq 4",
            "last-entry-gt 4",
            "last-entry-lt 4",
            "tag 0",
        ]) {
            for bang in ["", "! "] {
                let rule = format!("-m srh {bang}--srh-{stem}");
                cases.push((rule.clone(), Some(rule)));
            }
        }
        for rule in [
            "-m srh --srh-next-hdr 17 --srh-segs-left-eq 1 --srh-last-entry-eq 4 --srh-tag 0",
            "-m srh ! --srh-next-hdr 17 ! --srh-segs-left-eq 0 --srh-tag 0",
            "-m srh --srh-psid a::/64 --srh-nsid b::/128 --srh-lsid c::/0",
            "-m srh ! --srh-psid a::/64 ! --srh-nsid b::/128 ! --srh-lsid c::/0",
            "-m srh",
        ] {
            cases.push((rule.to_string(), Some(rule.to_string())));
        }
        let cases: Vec<(&str, Option<&str>)> = cases
            .iter()
            .map(|(r, s)| (r.as_str(), s.as_deref()))
            .collect();
        conformance(Family::Ipv6, &cases);
    }
}
