//! `-j CT`: set up the packet's connection tracking: no tracking, a helper,
//! a timeout policy, the events reported, the zone (`xt_CT.h`,
//! `struct xt_ct_target_info` and `_v1`; both families).
//!
//! `-j NOTRACK` is this target too (revision 2 with `XT_CT_NOTRACK_ALIAS`):
//! such a value prints as `-j NOTRACK` with no options.
//!
//! ```
//! use iptkit::targets::ct::{Ct, CtFlags};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-p udp -m udp --dport 53 -j CT --notrack")?;
//! assert!(rule.target_as::<Ct>().unwrap().flags.contains(CtFlags::NOTRACK));
//! let ftp = Ct { helper: Some("ftp".into()), ..Ct::default() };
//! assert_eq!(Rule::new(Family::Ipv4).with_target(ftp).to_string(), "-j CT --helper ftp");
//! // `-j NOTRACK` is CT too, printed under its own name.
//! let notrack = Rule::parse(Family::Ipv4, "-j NOTRACK")?;
//! assert_eq!(notrack.target_as::<Ct>(), Some(&Ct::notrack_alias()));
//! assert_eq!(notrack.to_string(), "-j NOTRACK");
//! # Ok::<(), iptkit::Error>(())
//! ```

use bitflags::bitflags;
use iptkit_sys::ext::xt_ct::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::{cut, uint, Seen};

bitflags! {
    /// `XT_CT_*`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct CtFlags: u16 {
        /// `--notrack`.
        const NOTRACK = XT_CT_NOTRACK;
        /// Written as `-j NOTRACK` (revision 2).
        const NOTRACK_ALIAS = XT_CT_NOTRACK_ALIAS;
        /// `--zone-orig`: the zone applies to the original direction.
        const ZONE_DIR_ORIG = XT_CT_ZONE_DIR_ORIG;
        /// `--zone-reply`: the zone applies to the reply direction.
        const ZONE_DIR_REPL = XT_CT_ZONE_DIR_REPL;
        /// `--zone mark`: the zone is the packet mark.
        const ZONE_MARK = XT_CT_ZONE_MARK;
    }
}

bitflags! {
    /// Conntrack events to report (`--ctevents`, `1 << IPCT_*`). Bits
    /// iptables has no name for are kept.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct CtEvents: u32 {
        /// `new`.
        const NEW = 1 << 0;
        /// `related`.
        const RELATED = 1 << 1;
        /// `destroy`.
        const DESTROY = 1 << 2;
        /// `reply`.
        const REPLY = 1 << 3;
        /// `assured`.
        const ASSURED = 1 << 4;
        /// `protoinfo`.
        const PROTOINFO = 1 << 5;
        /// `helper`.
        const HELPER = 1 << 6;
        /// `mark`.
        const MARK = 1 << 7;
        /// `natseqinfo` (`IPCT_SEQADJ`).
        const NATSEQINFO = 1 << 8;
        /// `secmark`.
        const SECMARK = 1 << 9;
    }
}

bitflags! {
    /// Expectation events to report (`--expevents`, `1 << IPEXP_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct ExpEvents: u32 {
        /// `new`.
        const NEW = 1 << 0;
    }
}

/// Event names in the order iptables prints them.
const CT_EVENT_NAMES: &[(&str, u32)] = &[
    ("new", CtEvents::NEW.bits()),
    ("related", CtEvents::RELATED.bits()),
    ("destroy", CtEvents::DESTROY.bits()),
    ("reply", CtEvents::REPLY.bits()),
    ("assured", CtEvents::ASSURED.bits()),
    ("protoinfo", CtEvents::PROTOINFO.bits()),
    ("helper", CtEvents::HELPER.bits()),
    ("mark", CtEvents::MARK.bits()),
    ("natseqinfo", CtEvents::NATSEQINFO.bits()),
    ("secmark", CtEvents::SECMARK.bits()),
];
const EXP_EVENT_NAMES: &[(&str, u32)] = &[("new", ExpEvents::NEW.bits())];

/// The longest helper name the kernel keeps (15 bytes and a NUL); iptables
/// cuts longer ones.
pub const MAX_HELPER: usize = 15;
/// The longest timeout policy name (31 bytes and a NUL).
pub const MAX_TIMEOUT: usize = 31;

/// `-j CT` (and `-j NOTRACK`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ct {
    /// `--notrack`, the zone's direction and source, the NOTRACK alias.
    pub flags: CtFlags,
    /// `--zone`: the conntrack zone (unless `ZONE_MARK`).
    pub zone: u16,
    /// `--ctevents`.
    pub ct_events: CtEvents,
    /// `--expevents`.
    pub exp_events: ExpEvents,
    /// `--helper`: a conntrack helper's name.
    pub helper: Option<String>,
    /// `--timeout`: a timeout policy's name (revision 1 on).
    pub timeout: Option<String>,
    /// The kernel struct's revision, 0 to 2 (iptables writes 2).
    pub revision: u8,
}

impl Default for Ct {
    /// Nothing set, at revision 2.
    fn default() -> Ct {
        Ct {
            flags: CtFlags::empty(),
            zone: 0,
            ct_events: CtEvents::empty(),
            exp_events: ExpEvents::empty(),
            helper: None,
            timeout: None,
            revision: 2,
        }
    }
}

impl Ct {
    /// `-j NOTRACK`: revision 2 with the alias flag.
    pub fn notrack_alias() -> Ct {
        Ct {
            flags: CtFlags::NOTRACK | CtFlags::NOTRACK_ALIAS,
            ..Ct::default()
        }
    }
}

/// Parses `a,b,c` against `names` as `ct_parse_events` does (exact names,
/// every word must be one).
fn parse_events(option: &str, s: &str, names: &[(&str, u32)]) -> Result<u32> {
    let mut mask = 0;
    for word in s.split(',') {
        let (_, bit) = names
            .iter()
            .find(|(n, _)| *n == word)
            .ok_or_else(|| Error::value(option, s, format!("unknown event type \"{word}\"")))?;
        mask |= bit;
    }
    Ok(mask)
}

fn save_events(out: &mut String, option: &str, names: &[(&str, u32)], mask: u32) {
    let words: Vec<&str> = names
        .iter()
        .filter(|(_, bit)| mask & bit != 0)
        .map(|(n, _)| *n)
        .collect();
    push_fmt!(out, " --{option} {}", words.join(","));
}

/// A name option's value: cut to `max` bytes; empty is none.
fn name_value(s: &str, max: usize) -> Option<String> {
    Some(cut(s, max).to_string()).filter(|s| !s.is_empty())
}

fn name_bytes<const N: usize>(s: &Option<String>) -> [u8; N] {
    let mut b = [0; N];
    let s = cut(s.as_deref().unwrap_or(""), N - 1);
    b[..s.len()].copy_from_slice(s.as_bytes());
    b
}

const O_NOTRACK: u32 = 1;
const O_HELPER: u32 = 2;
const O_TIMEOUT: u32 = 4;
const O_CTEVENTS: u32 = 8;
const O_EXPEVENTS: u32 = 16;
const O_ZONE: u32 = 32;
const O_ZONE_ORIG: u32 = 64;
const O_ZONE_REPLY: u32 = 128;

impl Extension for Ct {
    const NAME: &'static str = "CT";
    const ALIASES: &'static [&'static str] = &["NOTRACK"];
    const REVISIONS: &'static [u8] = &[0, 1, 2];

    fn example(_family: crate::addr::Family) -> Self {
        Ct::default()
    }

    fn start(_ctx: &Ctx, name: &str) -> Self {
        if name == "NOTRACK" {
            Ct::notrack_alias()
        } else {
            Ct::default()
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (flags, zone, ct_events, exp_events, helper, timeout) = match revision {
            0 => {
                let k: xt_ct_target_info = read_struct(Self::NAME, revision, data)?;
                (k.flags, k.zone, k.ct_events, k.exp_events, k.helper, None)
            }
            1 | 2 => {
                let k: xt_ct_target_info_v1 = read_struct(Self::NAME, revision, data)?;
                let t = c_str(&k.timeout);
                let t = (!t.is_empty()).then_some(t);
                (k.flags, k.zone, k.ct_events, k.exp_events, k.helper, t)
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        let flags = CtFlags::from_bits(flags)
            .ok_or_else(|| Error::Malformed(format!("CT: flags {flags:#x}")))?;
        let helper = c_str(&helper);
        Ok(Ct {
            flags,
            zone,
            ct_events: CtEvents::from_bits_retain(ct_events),
            exp_events: ExpEvents::from_bits_retain(exp_events),
            helper: (!helper.is_empty()).then_some(helper),
            timeout,
            revision,
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = xt_ct_target_info::zeroed();
            k.flags = self.flags.bits();
            k.zone = self.zone;
            k.ct_events = self.ct_events.bits();
            k.exp_events = self.exp_events.bits();
            k.helper = name_bytes(&self.helper);
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_ct_target_info_v1::zeroed();
            k.flags = self.flags.bits();
            k.zone = self.zone;
            k.ct_events = self.ct_events.bits();
            k.exp_events = self.exp_events.bits();
            k.helper = name_bytes(&self.helper);
            k.timeout = name_bytes(&self.timeout);
            out.extend_from_slice(k.as_bytes());
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let bit = match option {
            "notrack" => O_NOTRACK,
            "helper" => O_HELPER,
            "timeout" if self.revision >= 1 => O_TIMEOUT,
            "ctevents" => O_CTEVENTS,
            "expevents" => O_EXPEVENTS,
            "zone" => O_ZONE,
            "zone-orig" => O_ZONE_ORIG,
            "zone-reply" => O_ZONE_REPLY,
            _ => return Ok(false),
        };
        seen.take(Self::NAME, option, bit, invert, false)?;
        if bit == O_NOTRACK {
            self.flags |= CtFlags::NOTRACK;
            return Ok(true);
        }
        let v = args.value(&format!("--{option}"))?;
        match bit {
            O_HELPER => self.helper = name_value(v, MAX_HELPER),
            O_TIMEOUT => self.timeout = name_value(v, MAX_TIMEOUT),
            O_CTEVENTS => {
                let mask = parse_events("--ctevents", v, CT_EVENT_NAMES)?;
                self.ct_events = CtEvents::from_bits_retain(mask);
            }
            O_EXPEVENTS => {
                let mask = parse_events("--expevents", v, EXP_EVENT_NAMES)?;
                self.exp_events = ExpEvents::from_bits_retain(mask);
            }
            _ => {
                // Like ct_parse_zone_id: flags only accumulate, the id is replaced.
                match bit {
                    O_ZONE_ORIG => self.flags |= CtFlags::ZONE_DIR_ORIG,
                    O_ZONE_REPLY => self.flags |= CtFlags::ZONE_DIR_REPL,
                    _ => {}
                }
                self.zone = 0;
                if v.eq_ignore_ascii_case("mark") {
                    self.flags |= CtFlags::ZONE_MARK;
                } else {
                    self.zone = uint(v, 0, u16::MAX.into()).ok_or_else(|| {
                        Error::value(format!("--{option}"), v, "cannot parse as a zone ID")
                    })? as u16;
                }
            }
        }
        Ok(true)
    }

    fn save_name(&self) -> &'static str {
        if self.flags.contains(CtFlags::NOTRACK_ALIAS) {
            "NOTRACK"
        } else {
            Self::NAME
        }
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.flags.contains(CtFlags::NOTRACK_ALIAS) {
            return;
        }
        if self.flags.contains(CtFlags::NOTRACK) {
            out.push_str(" --notrack");
        }
        if let Some(h) = &self.helper {
            push_fmt!(out, " --helper {h}");
        }
        if let Some(t) = self.timeout.as_ref().filter(|_| self.revision >= 1) {
            push_fmt!(out, " --timeout {t}");
        }
        if !self.ct_events.is_empty() {
            save_events(out, "ctevents", CT_EVENT_NAMES, self.ct_events.bits());
        }
        if !self.exp_events.is_empty() {
            save_events(out, "expevents", EXP_EVENT_NAMES, self.exp_events.bits());
        }
        let mark = self.flags.contains(CtFlags::ZONE_MARK);
        if mark || self.zone != 0 {
            let dirs = self.flags & (CtFlags::ZONE_DIR_ORIG | CtFlags::ZONE_DIR_REPL);
            out.push_str(" --zone");
            if dirs == CtFlags::ZONE_DIR_ORIG {
                out.push_str("-orig");
            } else if dirs == CtFlags::ZONE_DIR_REPL {
                out.push_str("-reply");
            }
            if mark {
                out.push_str(" mark");
            } else {
                push_fmt!(out, " {}", self.zone);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn ct(spec: &str) -> Ct {
        match target(Family::Ipv4, spec) {
            TargetExt::Ct(t) => *t,
            t => panic!("not CT: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // Revision 2, from the kernel (iptables-legacy 1.8.9, raw table): 72 bytes.
        for (spec, start) in [
            ("-j CT --notrack", "01000000"),
            (
                "-j CT --ctevents new,secmark,natseqinfo --expevents new --zone-orig 1 --zone-reply 2",
                "0c000200010300000100000000",
            ),
            ("-j CT --zone mark --zone-orig 5", "14000500"),
            ("-j CT --zone +7", "00000700"),
            ("-j CT", "00000000"),
        ] {
            let mut bytes = hex(start);
            bytes.resize(72, 0);
            let t = ct(spec);
            assert_eq!(t.revision, 2);
            both_ways(&ctx, &t, &bytes);
        }
        // `-j NOTRACK` as iptables writes it.
        let mut bytes = hex("03000000");
        bytes.resize(72, 0);
        let t = Ct::decode(&ctx, 2, &bytes).unwrap();
        assert_eq!(t, Ct::notrack_alias());
        assert_eq!(t.save_name(), "NOTRACK");
        let mut s = String::new();
        t.save(&ctx, &mut s);
        assert_eq!(s, "");
        both_ways(&ctx, &t, &bytes);
        // Names, and revision 0 (40 bytes, no timeout).
        let t = Ct {
            helper: Some("ftp".into()),
            timeout: Some("slow".into()),
            revision: 1,
            ..Ct::default()
        };
        let mut bytes = vec![0; 72];
        bytes[12..15].copy_from_slice(b"ftp");
        bytes[28..32].copy_from_slice(b"slow");
        both_ways(&ctx, &t, &bytes);
        let t = Ct {
            helper: Some("ftp".into()),
            revision: 0,
            ..Ct::default()
        };
        bytes[28..32].fill(0);
        both_ways(&ctx, &t, &bytes[..40]);
        bytes[0] = 0x20; // an unknown flag
        assert!(Ct::decode(&ctx, 2, &bytes).is_err());
        assert!(Ct::decode(&ctx, 3, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_CT.t).
            for (spec, saved) in [
                ("--notrack", "--notrack"),
                (
                    "--ctevents new,related,destroy,reply,assured,protoinfo,helper,mark",
                    "--ctevents new,related,destroy,reply,assured,protoinfo,helper,mark",
                ),
                ("--expevents new", "--expevents new"),
                ("--zone 65535", "--zone 65535"),
            ] {
                assert_eq!(r(&format!("-j CT {spec}")), format!(" -j CT {saved}"));
            }
        }
        // Checked with iptables 1.8.9.
        let r = |s: &str| round(Family::Ipv4, s).unwrap();
        assert_eq!(
            r("-j CT --ctevents new,secmark,natseqinfo --expevents new --zone-orig 1 --zone-reply 2"),
            " -j CT --ctevents new,natseqinfo,secmark --expevents new --zone 2"
        );
        assert_eq!(
            r("-j CT --zone mark --zone-orig 5"),
            " -j CT --zone-orig mark"
        );
        assert_eq!(r("-j CT --zone MARK"), " -j CT --zone mark");
        assert_eq!(r("-j CT --zone-orig 0"), " -j CT");
        assert_eq!(r("-j CT --zone-reply 3"), " -j CT --zone-reply 3");
        assert_eq!(r("-j CT"), " -j CT");
        assert_eq!(
            r("-j CT --helper ftp --timeout slow --notrack"),
            " -j CT --notrack --helper ftp --timeout slow"
        );
        assert_eq!(
            r("-j CT --helper abcdefghijklmnopqrstu"),
            " -j CT --helper abcdefghijklmno"
        );
    }

    #[test]
    fn refusals() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad("-j CT --zone 65536"));
            assert!(bad("-j CT --zone -1"));
            // Checked with iptables 1.8.9.
            assert!(bad("-j CT --ctevents \"\""));
            assert!(bad("-j CT --ctevents new,"));
            assert!(bad("-j CT --ctevents NEW"));
            assert!(bad("-j CT --expevents destroy"));
            assert!(bad("-j CT --notrack --notrack"));
            assert!(bad("-j CT --zone 1 --zone 2"));
            assert!(bad("-j CT ! --notrack"));
            assert!(bad("-j CT --helper"));
        }
    }
}
