//! `-m recent`: lists of recently seen addresses (`xt_recent.h`,
//! `struct xt_recent_mtinfo` revision 0 and `xt_recent_mtinfo_v1` revision 1,
//! which adds `--mask`).
//!
//! ```
//! use iptkit::matches::recent::{Recent, RecentCmd};
//! use iptkit::{Family, Inv, Rule};
//! // A fourth new SSH connection within a minute from one address is dropped.
//! let rule = Rule::parse(Family::Ipv4, "-m recent --name ssh --update --seconds 60 --hitcount 4 -j DROP")?;
//! let recent = rule.find::<Recent>().unwrap();
//! assert_eq!(recent.command, Some(Inv::is(RecentCmd::Update)));
//! assert_eq!((recent.seconds, recent.hitcount), (Some(60), Some(4)));
//! // iptables-save prints the defaults too.
//! assert_eq!(
//!     rule.to_string(),
//!     "-m recent --update --seconds 60 --hitcount 4 --name ssh --mask 255.255.255.255 --rsource -j DROP"
//! );
//! # Ok::<(), iptkit::Error>(())
//! ```

use std::net::IpAddr;

use iptkit_sys::ext::xt_iprange::nf_inet_addr;
use iptkit_sys::ext::xt_recent::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{inet_addr_bytes, inet_addr_of, numeric_host, truncated};

/// The list iptables uses when `--name` is not given.
pub const DEFAULT_NAME: &str = "DEFAULT";

/// What the match does with the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecentCmd {
    /// `--set`: add the address; always matches.
    Set,
    /// `--rcheck`: match when the address is in the list.
    Check,
    /// `--update`: like `Check`, and refresh the entry.
    Update,
    /// `--remove`: like `Check`, and remove the entry.
    Remove,
}

impl RecentCmd {
    fn bit(self) -> u8 {
        match self {
            RecentCmd::Set => XT_RECENT_SET,
            RecentCmd::Check => XT_RECENT_CHECK,
            RecentCmd::Update => XT_RECENT_UPDATE,
            RecentCmd::Remove => XT_RECENT_REMOVE,
        }
    }

    fn option(self) -> &'static str {
        match self {
            RecentCmd::Set => "--set",
            RecentCmd::Check => "--rcheck",
            RecentCmd::Update => "--update",
            RecentCmd::Remove => "--remove",
        }
    }
}

/// Which address of the packet goes into / is looked up in the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Side {
    /// `--rsource` (the default).
    #[default]
    Source,
    /// `--rdest`.
    Dest,
}

/// `-m recent`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Recent {
    /// The kernel struct revision: 1 (what iptables 1.8.9 writes) or 0 (no mask).
    pub revision: u8,
    /// `[!] --set`, `--rcheck`, `--update` or `--remove` (exactly one is required).
    pub command: Option<Inv<RecentCmd>>,
    /// `--seconds N` (at least 1).
    pub seconds: Option<u32>,
    /// `--reap`: purge entries older than `seconds` (needs `seconds`).
    pub reap: bool,
    /// `--hitcount N`.
    pub hitcount: Option<u32>,
    /// `--rttl`: the TTL must match too (not with `--set` or `--remove`).
    pub rttl: bool,
    /// `--name NAME`; `None` is the list `DEFAULT`.
    pub name: Option<String>,
    /// `--rsource` / `--rdest`.
    pub side: Side,
    /// `--mask ADDR` (revision 1); `None` when not given, which iptables
    /// writes as all ones and prints as the family's full mask.
    pub mask: Option<IpAddr>,
}

impl Recent {
    /// `--set`, `--rcheck`, `--update` or `--remove` on the list `DEFAULT`,
    /// of the source address, at revision 1; set the list's `name` and the
    /// other fields on the value.
    ///
    /// ```
    /// use iptkit::{matches::recent::{Recent, RecentCmd}, Match};
    /// let seen = Recent {
    ///     name: Some("ssh".into()),
    ///     ..Recent::new(RecentCmd::Set)
    /// };
    /// assert_eq!(
    ///     Match::from(seen).to_string(),
    ///     "-m recent --set --name ssh --mask 255.255.255.255 --rsource"
    /// );
    /// ```
    pub fn new(command: RecentCmd) -> Recent {
        Recent {
            revision: 1,
            command: Some(Inv::is(command)),
            seconds: None,
            reap: false,
            hitcount: None,
            rttl: false,
            name: None,
            side: Side::Source,
            mask: None,
        }
    }
}

/// The first fields of both revisions, the ones the two structs share.
struct Common {
    seconds: u32,
    hit_count: u32,
    check_set: u8,
    invert: u8,
    name: [u8; XT_RECENT_NAME_LEN],
    side: u8,
}

impl Recent {
    fn from_common(revision: u8, k: Common) -> Result<Recent> {
        let bad = || Error::Malformed(format!("recent: check_set {:#x}", k.check_set));
        let cmds = [
            RecentCmd::Set,
            RecentCmd::Check,
            RecentCmd::Update,
            RecentCmd::Remove,
        ];
        let mut found = cmds.iter().filter(|c| k.check_set & c.bit() != 0);
        let cmd = *found.next().ok_or_else(bad)?;
        let known = cmd.bit() | XT_RECENT_TTL | XT_RECENT_REAP;
        if found.next().is_some() || k.check_set & !known != 0 || k.invert > 1 {
            return Err(bad());
        }
        let side = match k.side {
            XT_RECENT_SOURCE => Side::Source,
            XT_RECENT_DEST => Side::Dest,
            s => return Err(Error::Malformed(format!("recent: side {s}"))),
        };
        let name = c_str(&k.name);
        Ok(Recent {
            revision,
            command: Some(Inv::new(cmd, k.invert != 0)),
            seconds: (k.seconds != 0).then_some(k.seconds),
            reap: k.check_set & XT_RECENT_REAP != 0,
            hitcount: (k.hit_count != 0).then_some(k.hit_count),
            rttl: k.check_set & XT_RECENT_TTL != 0,
            name: (name != DEFAULT_NAME).then_some(name),
            side,
            mask: None,
        })
    }

    fn common(&self) -> Common {
        let mut check_set = self.command.map_or(0, |c| c.value.bit());
        if self.rttl {
            check_set |= XT_RECENT_TTL;
        }
        if self.reap {
            check_set |= XT_RECENT_REAP;
        }
        // iptables starts from "DEFAULT" and copies the name over it with
        // its NUL, so what follows a short name is the rest of "DEFAULT".
        let mut name = [0u8; XT_RECENT_NAME_LEN];
        name[..DEFAULT_NAME.len()].copy_from_slice(DEFAULT_NAME.as_bytes());
        if let Some(n) = &self.name {
            let n = &n.as_bytes()[..n.len().min(XT_RECENT_NAME_LEN - 1)];
            name[..n.len()].copy_from_slice(n);
            name[n.len()] = 0;
        }
        Common {
            seconds: self.seconds.unwrap_or(0),
            hit_count: self.hitcount.unwrap_or(0),
            check_set,
            invert: self.command.is_some_and(|c| c.invert).into(),
            name,
            side: match self.side {
                Side::Source => XT_RECENT_SOURCE,
                Side::Dest => XT_RECENT_DEST,
            },
        }
    }

    fn set_command(&mut self, cmd: RecentCmd, invert: bool) -> Result<()> {
        match self.command {
            None => {
                self.command = Some(Inv::new(cmd, invert));
                Ok(())
            }
            Some(c) => Err(Error::rule(
                cmd.option(),
                format!("cannot be used together with {}", c.value.option()),
            )),
        }
    }
}

/// The full mask of a family, which is what "no mask" prints as.
fn full_mask(family: Family) -> IpAddr {
    family.mask(family.bits())
}

fn mask_from_kernel(family: Family, m: &nf_inet_addr) -> Option<IpAddr> {
    if m.in6 == [0xff; 16] {
        return None;
    }
    Some(inet_addr_of(family, m.in6))
}

fn mask_to_kernel(m: Option<IpAddr>) -> nf_inet_addr {
    nf_inet_addr {
        in6: m.map_or([0xff; 16], inet_addr_bytes),
    }
}

/// A `u32` option as xtables reads it (`strtoul` base 0, range checked).
pub(crate) fn parse_u32(option: &str, v: &str, min: u32) -> Result<u32> {
    crate::xtopt::uint(v, 0, u64::MAX)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= min)
        .ok_or_else(|| {
            Error::value(
                option,
                v,
                format!("bad value, or out of range ({min}-{})", u32::MAX),
            )
        })
}

impl Extension for Recent {
    const NAME: &'static str = "recent";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: Family) -> Self {
        Recent::new(RecentCmd::Set)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No command until an option gives one; `finish` insists on it.
        Recent {
            command: None,
            ..Recent::new(RecentCmd::Set)
        }
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        match revision {
            0 => {
                let k: xt_recent_mtinfo = read_struct(Self::NAME, revision, data)?;
                Recent::from_common(
                    revision,
                    Common {
                        seconds: k.seconds,
                        hit_count: k.hit_count,
                        check_set: k.check_set,
                        invert: k.invert,
                        name: k.name,
                        side: k.side,
                    },
                )
            }
            1 => {
                let k: xt_recent_mtinfo_v1 = read_struct(Self::NAME, revision, data)?;
                let mut r = Recent::from_common(
                    revision,
                    Common {
                        seconds: k.seconds,
                        hit_count: k.hit_count,
                        check_set: k.check_set,
                        invert: k.invert,
                        name: k.name,
                        side: k.side,
                    },
                )?;
                r.mask = mask_from_kernel(ctx.family, &k.mask);
                Ok(r)
            }
            _ => Err(bad_revision(Self::NAME, revision)),
        }
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    /// Revision 0 is revision 1 without `--mask`: the whole address.
    fn downgrade(&self, revision: u8) -> Option<Self> {
        let whole = match self.mask {
            None => true,
            Some(IpAddr::V4(m)) => m == std::net::Ipv4Addr::BROADCAST,
            Some(IpAddr::V6(m)) => m.octets() == [0xff; 16],
        };
        (revision == 0 && whole).then(|| Recent {
            revision,
            ..self.clone()
        })
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let c = self.common();
        if self.revision == 0 {
            let mut k = xt_recent_mtinfo::zeroed();
            (k.seconds, k.hit_count, k.check_set, k.invert) =
                (c.seconds, c.hit_count, c.check_set, c.invert);
            (k.name, k.side) = (c.name, c.side);
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_recent_mtinfo_v1::zeroed();
            (k.seconds, k.hit_count, k.check_set, k.invert) =
                (c.seconds, c.hit_count, c.check_set, c.invert);
            (k.name, k.side) = (c.name, c.side);
            k.mask = mask_to_kernel(self.mask);
            out.extend_from_slice(k.as_bytes());
        }
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let flag_only = |name: &str| {
            if invert {
                Err(Error::rule(format!("--{name}"), "cannot be inverted"))
            } else {
                Ok(())
            }
        };
        match option {
            "set" => self.set_command(RecentCmd::Set, invert)?,
            "rcheck" => self.set_command(RecentCmd::Check, invert)?,
            "update" => self.set_command(RecentCmd::Update, invert)?,
            "remove" => self.set_command(RecentCmd::Remove, invert)?,
            "seconds" => {
                flag_only(option)?;
                let v = parse_u32("--seconds", args.value("--seconds")?, 1)?;
                set_once(&mut self.seconds, "--seconds", v)?;
            }
            "hitcount" => {
                flag_only(option)?;
                let v = parse_u32("--hitcount", args.value("--hitcount")?, 0)?;
                set_once(&mut self.hitcount, "--hitcount", v)?;
            }
            "reap" => {
                flag_only(option)?;
                self.reap = true;
            }
            "rttl" => {
                flag_only(option)?;
                self.rttl = true;
            }
            "name" => {
                flag_only(option)?;
                let v = args.value("--name")?;
                // Longer names are cut to the field, as iptables does.
                let name = truncated(v, XT_RECENT_NAME_LEN).to_string();
                set_once(&mut self.name, "--name", name)?;
            }
            "rsource" => {
                flag_only(option)?;
                self.side = Side::Source;
            }
            "rdest" => {
                flag_only(option)?;
                self.side = Side::Dest;
            }
            "mask" => {
                flag_only(option)?;
                let v = args.value("--mask")?;
                // `XTTYPE_HOST`: `--mask 33` is 0.0.0.33, as in iptables.
                let m = numeric_host(ctx.family, v).ok_or_else(|| {
                    Error::value("--mask", v, "not a numeric address of the rule's family")
                })?;
                set_once(&mut self.mask, "--mask", m)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, ctx: &Ctx, _seen: Seen) -> Result<()> {
        let Some(cmd) = self.command else {
            return Err(Error::rule(
                "recent",
                "you must specify one of `--set', `--rcheck' `--update' or `--remove'",
            ));
        };
        if self.reap && self.seconds.is_none() {
            return Err(Error::rule("--reap", "also requires --seconds"));
        }
        if self.rttl && matches!(cmd.value, RecentCmd::Set | RecentCmd::Remove) {
            return Err(Error::rule(
                "--rttl",
                format!("cannot be used together with {}", cmd.value.option()),
            ));
        }
        // Forms that the kernel stores the same way as the defaults.
        if self.hitcount == Some(0) {
            self.hitcount = None;
        }
        if self.name.as_deref() == Some(DEFAULT_NAME) {
            self.name = None;
        }
        if ctx.family == Family::Ipv6 && self.mask == Some(full_mask(Family::Ipv6)) {
            self.mask = None;
        }
        Ok(())
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        if let Some(c) = self.command {
            out.push_str(c.bang());
            out.push(' ');
            out.push_str(c.value.option());
        }
        if let Some(s) = self.seconds {
            push_fmt!(out, " --seconds {s}");
        }
        if self.reap {
            out.push_str(" --reap");
        }
        if let Some(h) = self.hitcount.filter(|&h| h != 0) {
            push_fmt!(out, " --hitcount {h}");
        }
        if self.rttl {
            out.push_str(" --rttl");
        }
        out.push_str(" --name ");
        out.push_str(self.name.as_deref().unwrap_or(DEFAULT_NAME));
        if self.revision >= 1 {
            let m = self.mask.unwrap_or_else(|| full_mask(ctx.family));
            push_fmt!(out, " --mask {}", crate::addr::ntop(m));
        }
        out.push_str(match self.side {
            Side::Source => " --rsource",
            Side::Dest => " --rdest",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_rule_spec, split_words};
    use crate::testutil::hex;
    use crate::testutil::round;

    /// The 228-byte revision 1 struct: fixed fields, name, side, pad, mask.
    fn v1_bytes(head: &str, name: &str, tail: &str) -> Vec<u8> {
        let mut b = hex(head);
        let mut n = name.as_bytes().to_vec();
        n.resize(XT_RECENT_NAME_LEN, 0);
        b.extend(n);
        b.extend(hex(tail));
        b
    }

    fn parsed(family: Family, spec: &str) -> Result<Recent> {
        let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap())?;
        match &rules[0].matches[0] {
            crate::Match::Recent(m) => Ok((**m).clone()),
            m => panic!("{m:?}"),
        }
    }

    #[test]
    fn kernel_bytes_revision_1() {
        // From the kernel for each rule (the name field keeps the tail of
        // "DEFAULT" after a short name, as iptables leaves it).
        let cases = [
            (
                Family::Ipv4,
                "-m recent --set",
                v1_bytes(
                    "00000000000000000200",
                    "DEFAULT",
                    "0000ffffffffffffffffffffffffffffffff",
                ),
                " --set --name DEFAULT --mask 255.255.255.255 --rsource",
            ),
            (
                Family::Ipv4,
                "-m recent ! --rcheck --seconds 5 --reap --hitcount 0x10 --rttl --name foo \
                 --mask 255.255.0.0 --rdest",
                v1_bytes(
                    "05000000100000003101",
                    "foo\0ULT",
                    "0100ffff0000000000000000000000000000",
                ),
                " ! --rcheck --seconds 5 --reap --hitcount 16 --rttl --name foo \
                 --mask 255.255.0.0 --rdest",
            ),
            (
                Family::Ipv4,
                "-m recent --rsource --rdest --rcheck",
                v1_bytes(
                    "00000000000000000100",
                    "DEFAULT",
                    "0100ffffffffffffffffffffffffffffffff",
                ),
                " --rcheck --name DEFAULT --mask 255.255.255.255 --rdest",
            ),
            (
                Family::Ipv6,
                "-m recent --set --mask ffff::",
                v1_bytes(
                    "00000000000000000200",
                    "DEFAULT",
                    "0000ffff0000000000000000000000000000",
                ),
                " --set --name DEFAULT --mask ffff:: --rsource",
            ),
        ];
        for (family, spec, bytes, text) in cases {
            let c = Ctx::new(family);
            let m = parsed(family, spec).unwrap();
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes, "{spec}");
            assert_eq!(Recent::decode(&c, 1, &bytes).unwrap(), m, "{spec}");
            let mut s = String::new();
            m.save(&c, &mut s);
            assert_eq!(s, text);
        }
    }

    #[test]
    fn kernel_bytes_revision_0() {
        // Built from the header: revision 1 without the mask.
        let c = Ctx::new(Family::Ipv4);
        let mut bytes = v1_bytes("00000000030000000400", "DEFAULT", "01");
        bytes.push(0);
        let m = Recent::decode(&c, 0, &bytes).unwrap();
        let mut s = String::new();
        m.save(&c, &mut s);
        assert_eq!(s, " --update --hitcount 3 --name DEFAULT --rdest");
        let mut out = Vec::new();
        m.encode(&c, &mut out);
        assert_eq!(out, bytes);
        assert!(Recent::decode(&c, 1, &bytes).is_err());
        assert!(Recent::decode(&c, 2, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(
            round(Family::Ipv6, "-m recent --update --rttl").unwrap(),
            " -m recent --update --rttl --name DEFAULT \
             --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource"
        );
        assert_eq!(
            round(
                Family::Ipv4,
                "-m recent --update --hitcount 0 --name DEFAULT"
            )
            .unwrap(),
            " -m recent --update --name DEFAULT --mask 255.255.255.255 --rsource"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s| parsed(Family::Ipv4, s).is_err();
        assert!(bad("-m recent"));
        assert!(bad("-m recent --set --rcheck"));
        assert!(bad("-m recent --set --set"));
        assert!(bad("-m recent --set --rttl"));
        assert!(bad("-m recent --rttl --remove"));
        assert!(bad("-m recent --update --reap"));
        assert!(bad("-m recent --update --seconds 0"));
        assert!(bad("-m recent --update --seconds 4294967296"));
        assert!(bad("-m recent --update --hitcount x"));
        assert!(bad("-m recent --update --hitcount 1 --hitcount 2"));
        assert!(bad("-m recent --update --name a --name b"));
        assert!(bad("-m recent --update ! --rttl"));
        assert!(bad("-m recent --update --mask ffff::"));
        assert!(parsed(Family::Ipv6, "-m recent --set --mask 255.255.255.255").is_err());
    }

    #[test]
    fn masks_like_getaddrinfo() {
        // What iptables-legacy 1.8.9 saves for them.
        for (mask, saved) in [("33", "0.0.0.33"), ("10.1", "10.0.0.1")] {
            assert_eq!(
                round(Family::Ipv4, &format!("-m recent --set --mask {mask}")).unwrap(),
                format!(" -m recent --set --name DEFAULT --mask {saved} --rsource")
            );
        }
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (Family::Ipv6, &["-m", "recent", "--set"], Some(" -m recent --set --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource"], Some(" -m recent --rcheck --hitcount 8 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource"], Some(" -m recent --rcheck --hitcount 12 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--update", "--rttl"], Some(" -m recent --update --rttl --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "3", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource"], Some(" -m recent --rcheck --hitcount 3 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m recent --rcheck --hitcount 4 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource"], Some(" -m recent --rcheck --hitcount 4 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m recent --rcheck --hitcount 4 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "--rsource"], Some(" -m recent --rcheck --hitcount 8 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m recent --rcheck --hitcount 12 --name foo --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource")),
        (Family::Ipv4, &["-m", "recent", "--set"], Some(" -m recent --set --name DEFAULT --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 8 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 12 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--update", "--rttl"], Some(" -m recent --update --rttl --name DEFAULT --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "3", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 3 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 8 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 12 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv4, &["-m", "recent", "--set", "--rttl"], None),
        (Family::Ipv6, &["-m", "recent", "--set", "--rttl"], None),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
        (Family::Ipv4, &["-m", "recent", "--rcheck", "--hitcount", "999", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], Some(" -m recent --rcheck --hitcount 999 --name foo --mask 255.255.255.255 --rsource")),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "999", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "3", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "4", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
        (Family::Ipv6, &["-m", "recent", "--rcheck", "--hitcount", "8", "--name", "foo", "--mask", "255.255.255.255", "--rsource", "-m", "recent", "--rcheck", "--hitcount", "12", "--name", "foo", "--mask", "255.255.255.255", "--rsource"], None),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
