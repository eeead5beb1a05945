//! `-m owner`: the local socket that sent the packet (`xt_owner.h`,
//! `struct xt_owner_match_info`, revision 1).
//!
//! User and group names are resolved the way iptables resolves them
//! (`getpwnam`/`getgrnam` on a machine with plain files): by reading
//! `/etc/passwd` and `/etc/group`; the first entry of a name wins. The kernel
//! stores numbers, and iptables-save prints numbers.

use std::fmt;

use iptkit_sys::ext::xt_owner::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// An inclusive range of user or group IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IdRange {
    /// Lowest ID.
    pub min: u32,
    /// Highest ID.
    pub max: u32,
}

impl fmt::Display for IdRange {
    /// `ID` or `MIN-MAX`, as iptables-save prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}-{}", self.min, self.max)
        }
    }
}

/// The ID of `name` in a passwd/group style file (`name:x:id:...`).
fn lookup_id(path: &str, name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then(|| f.nth(1)?.parse().ok())?
    })
}

/// `owner_parse_range`: `ID`, `ID-ID` or `ID:ID`, numbers as `strtoul` base
/// 0 reads them, each below 4294967295 (which means "no ID").
fn parse_range(option: &str, s: &str) -> Result<IdRange> {
    let bad = || Error::value(option, s, "not a known name, an ID or an ID range");
    let id = |t: &str| {
        crate::xtopt::uint(t, 0, u64::MAX)
            .filter(|&n| n < u64::from(u32::MAX))
            .map(|n| n as u32)
            .ok_or_else(bad)
    };
    match s.split_once(['-', ':']) {
        Some((a, b)) => Ok(IdRange {
            min: id(a)?,
            max: id(b)?,
        }),
        None => {
            let n = id(s)?;
            Ok(IdRange { min: n, max: n })
        }
    }
}

/// `-m owner`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner {
    /// `[!] --uid-owner USER|ID[-ID]`.
    pub uid: Option<Inv<IdRange>>,
    /// `[!] --gid-owner GROUP|ID[-ID]`.
    pub gid: Option<Inv<IdRange>>,
    /// `--socket-exists` (`Some(true)`) or `! --socket-exists` (`Some(false)`).
    pub socket_exists: Option<bool>,
    /// `--suppl-groups`: the GID test also looks at supplementary groups.
    pub suppl_groups: bool,
}

impl Owner {
    /// `--uid-owner ID`: sent by a socket of this user.
    ///
    /// ```
    /// use iptkit::{matches::owner::Owner, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_match(Owner::uid(1000));
    /// assert_eq!(rule.to_string(), "-m owner --uid-owner 1000");
    /// ```
    pub fn uid(id: u32) -> Owner {
        Owner {
            uid: Some(Inv::is(IdRange { min: id, max: id })),
            ..Owner::empty()
        }
    }

    /// `--gid-owner ID`: sent by a socket of this group.
    pub fn gid(id: u32) -> Owner {
        Owner {
            gid: Some(Inv::is(IdRange { min: id, max: id })),
            ..Owner::empty()
        }
    }

    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Owner {
        Owner {
            uid: None,
            gid: None,
            socket_exists: None,
            suppl_groups: false,
        }
    }
}

impl Extension for Owner {
    const NAME: &'static str = "owner";
    const REVISIONS: &'static [u8] = &[1];

    fn example(_family: crate::addr::Family) -> Self {
        Owner::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Owner::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_owner_match_info = read_struct(Self::NAME, revision, data)?;
        let on = |bit| k.r#match & bit != 0;
        let inv = |bit| k.invert & bit != 0;
        // Only what iptables writes decodes; anything else stays raw bytes.
        if k.r#match & !XT_OWNER_MASK != 0
            || k.invert & !k.r#match != 0
            || inv(XT_OWNER_SUPPL_GROUPS)
            || (!on(XT_OWNER_UID) && (k.uid_min, k.uid_max) != (0, 0))
            || (!on(XT_OWNER_GID) && (k.gid_min, k.gid_max) != (0, 0))
        {
            return Err(Error::Malformed(format!(
                "owner: match {:#x}, invert {:#x}",
                k.r#match, k.invert
            )));
        }
        let range = |bit, min, max| on(bit).then_some(Inv::new(IdRange { min, max }, inv(bit)));
        Ok(Owner {
            uid: range(XT_OWNER_UID, k.uid_min, k.uid_max),
            gid: range(XT_OWNER_GID, k.gid_min, k.gid_max),
            socket_exists: on(XT_OWNER_SOCKET).then_some(!inv(XT_OWNER_SOCKET)),
            suppl_groups: on(XT_OWNER_SUPPL_GROUPS),
        })
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_owner_match_info::zeroed();
        let mut flag = |bit, invert| {
            k.r#match |= bit;
            if invert {
                k.invert |= bit;
            }
        };
        if let Some(u) = self.uid {
            flag(XT_OWNER_UID, u.invert);
        }
        if let Some(g) = self.gid {
            flag(XT_OWNER_GID, g.invert);
        }
        if let Some(s) = self.socket_exists {
            flag(XT_OWNER_SOCKET, !s);
        }
        if self.suppl_groups {
            flag(XT_OWNER_SUPPL_GROUPS, false);
        }
        if let Some(u) = self.uid {
            (k.uid_min, k.uid_max) = (u.value.min, u.value.max);
        }
        if let Some(g) = self.gid {
            (k.gid_min, k.gid_max) = (g.value.min, g.value.max);
        }
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
        let once = |given: bool, name: &str| {
            if given {
                Err(Error::rule(name, "can only be used once"))
            } else {
                Ok(())
            }
        };
        match option {
            "uid-owner" => {
                once(self.uid.is_some(), "--uid-owner")?;
                let v = args.value("--uid-owner")?;
                let r = match lookup_id("/etc/passwd", v) {
                    Some(id) => IdRange { min: id, max: id },
                    None => parse_range("--uid-owner", v)?,
                };
                self.uid = Some(Inv::new(r, invert));
            }
            "gid-owner" => {
                once(self.gid.is_some(), "--gid-owner")?;
                let v = args.value("--gid-owner")?;
                let r = match lookup_id("/etc/group", v) {
                    Some(id) => IdRange { min: id, max: id },
                    None => parse_range("--gid-owner", v)?,
                };
                self.gid = Some(Inv::new(r, invert));
            }
            "socket-exists" => {
                once(self.socket_exists.is_some(), "--socket-exists")?;
                self.socket_exists = Some(!invert);
            }
            "suppl-groups" => {
                once(self.suppl_groups, "--suppl-groups")?;
                if invert {
                    return Err(Error::rule("--suppl-groups", "cannot be inverted"));
                }
                if self.gid.is_none() {
                    return Err(Error::rule(
                        "--suppl-groups",
                        "you need to use --gid-owner first",
                    ));
                }
                self.suppl_groups = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.uid.is_none() && self.gid.is_none() && self.socket_exists.is_none() {
            return Err(Error::rule(
                "owner",
                "at least one of --uid-owner, --gid-owner or --socket-exists is required",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(s) = self.socket_exists {
            out.push_str(if s {
                " --socket-exists"
            } else {
                " ! --socket-exists"
            });
        }
        if let Some(u) = self.uid {
            push_fmt!(out, "{} --uid-owner {}", u.bang(), u.value);
        }
        if let Some(g) = self.gid {
            push_fmt!(out, "{} --gid-owner {}", g.bang(), g.value);
        }
        if self.suppl_groups {
            out.push_str(" --suppl-groups");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn parsed(spec: &str) -> Result<Owner> {
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap())?;
        match &rules[0].matches[0] {
            crate::Match::Owner(m) => Ok(m.clone()),
            m => panic!("{m:?}"),
        }
    }

    #[test]
    fn kernel_bytes() {
        let c = Ctx::new(Family::Ipv4);
        // From the kernel (`daemon` is UID 1 on Debian and in this fixture).
        let cases: [(&str, [u8; 20], &str); 2] = [
            (
                "-m owner ! --socket-exists --uid-owner 1 --gid-owner 5:0x10 --suppl-groups",
                [
                    1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0x10, 0, 0, 0, 0x0f, 0x04, 0, 0,
                ],
                " ! --socket-exists --uid-owner 1 --gid-owner 5-16 --suppl-groups",
            ),
            (
                "-m owner ! --uid-owner 0-10 ! --gid-owner 0",
                [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0],
                " ! --uid-owner 0-10 ! --gid-owner 0",
            ),
        ];
        for (spec, bytes, text) in cases {
            let m = parsed(spec).unwrap();
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes, "{spec}");
            assert_eq!(Owner::decode(&c, 1, &bytes).unwrap(), m);
            let mut s = String::new();
            m.save(&c, &mut s);
            assert_eq!(s, text);
        }
        assert!(Owner::decode(&c, 0, &[0; 20]).is_err());
        assert!(Owner::decode(&c, 1, &[0; 16]).is_err());
        // An invert bit without its test is not something iptables writes.
        let mut odd = [0u8; 20];
        odd[17] = XT_OWNER_UID;
        assert!(Owner::decode(&c, 1, &odd).is_err());
    }

    #[test]
    fn names_come_from_the_files() {
        // root is 0 in every passwd and group file.
        let (rules, _) = parse_rule_spec(
            Family::Ipv6,
            &split_words("-m owner --uid-owner root --gid-owner root").unwrap(),
        )
        .unwrap();
        assert_eq!(
            save_rule_spec(&rules[0]),
            " -m owner --uid-owner 0 --gid-owner 0"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s| parsed(s).is_err();
        assert!(bad("-m owner"));
        assert!(bad("-m owner --suppl-groups"));
        assert!(bad("-m owner --suppl-groups --gid-owner 0-10"));
        assert!(bad("-m owner --gid-owner 0-10 ! --suppl-groups"));
        assert!(bad("-m owner --uid-owner 4294967295"));
        assert!(bad("-m owner --uid-owner 5-"));
        assert!(bad("-m owner --uid-owner nosuchuser-here"));
        assert!(bad("-m owner --uid-owner 1 --uid-owner 2"));
        assert!(bad("-m owner --socket-exists --socket-exists"));
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (
            Family::Ipv4,
            &["-m", "owner", "--uid-owner", "root"],
            Some(" -m owner --uid-owner 0"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--uid-owner", "root"],
            Some(" -m owner --uid-owner 0"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--uid-owner", "0-10"],
            Some(" -m owner --uid-owner 0-10"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--uid-owner", "0-10"],
            Some(" -m owner --uid-owner 0-10"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--gid-owner", "root"],
            Some(" -m owner --gid-owner 0"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--gid-owner", "root"],
            Some(" -m owner --gid-owner 0"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--gid-owner", "0-10"],
            Some(" -m owner --gid-owner 0-10"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--gid-owner", "0-10"],
            Some(" -m owner --gid-owner 0-10"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--uid-owner", "root", "--gid-owner", "root"],
            Some(" -m owner --uid-owner 0 --gid-owner 0"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--uid-owner", "root", "--gid-owner", "root"],
            Some(" -m owner --uid-owner 0 --gid-owner 0"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--uid-owner", "0-10", "--gid-owner", "0-10"],
            Some(" -m owner --uid-owner 0-10 --gid-owner 0-10"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--uid-owner", "0-10", "--gid-owner", "0-10"],
            Some(" -m owner --uid-owner 0-10 --gid-owner 0-10"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "!", "--uid-owner", "root"],
            Some(" -m owner ! --uid-owner 0"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "!", "--uid-owner", "root"],
            Some(" -m owner ! --uid-owner 0"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--socket-exists"],
            Some(" -m owner --socket-exists"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--socket-exists"],
            Some(" -m owner --socket-exists"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--gid-owner", "0-10", "--suppl-groups"],
            Some(" -m owner --gid-owner 0-10 --suppl-groups"),
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--gid-owner", "0-10", "--suppl-groups"],
            Some(" -m owner --gid-owner 0-10 --suppl-groups"),
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--suppl-groups", "--gid-owner", "0-10"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--suppl-groups", "--gid-owner", "0-10"],
            None,
        ),
        (
            Family::Ipv4,
            &["-m", "owner", "--gid-owner", "0-10", "!", "--suppl-groups"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "owner", "--gid-owner", "0-10", "!", "--suppl-groups"],
            None,
        ),
        (Family::Ipv4, &["-m", "owner", "--suppl-groups"], None),
        (Family::Ipv6, &["-m", "owner", "--suppl-groups"], None),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
