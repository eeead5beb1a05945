//! ipset names and kernel indexes, for the extensions that name sets.
//!
//! A rule's kernel bytes hold a set's index (`ip_set_id_t`), its text holds
//! the set's name. iptables converts with `getsockopt(SOL_IP, SO_IP_SET)` on
//! an IPv4 raw socket (libxt_set.c: `get_version`, `get_set_byname`,
//! `get_set_byid`); so does this module, before a table is encoded
//! ([`resolve`]) and after it is decoded ([`name`]). Nothing here touches a
//! table: a set that does not exist fails the commit before SET_REPLACE.
//!
//! [`any_set`] and [`sets_mut`] are the one place that knows which
//! extensions name sets; an extension that holds [`SetRef`]s adds an arm to both.

use std::collections::HashMap;
use std::mem::size_of;

use iptkit_sys::ext::xt_set::*;
use iptkit_sys::Pod;
use nix::errno::Errno;

use super::socket::Socket;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{c_str, put_c_str};
use crate::matches::set::SetRef;
use crate::matches::Match;
use crate::rule::Rule;
use crate::ruleset::Table;
use crate::targets::{Target, TargetExt};

/// `NFPROTO_UNSPEC`: a set of either family (`list:set`).
const NFPROTO_UNSPEC: u32 = 0;
/// `NFPROTO_IPV4`.
const NFPROTO_IPV4: u32 = 2;
/// `NFPROTO_IPV6`.
const NFPROTO_IPV6: u32 = 10;

/// The sets a rule names, to fill in. Keep in step with [`any_set`].
pub(crate) fn sets_mut(rule: &mut Rule) -> Vec<&mut SetRef> {
    let mut out = Vec::new();
    for m in &mut rule.matches {
        if let Match::Set(s) = m {
            out.push(&mut s.set);
        }
    }
    if let Target::Ext(TargetExt::Set(t)) = &mut rule.target {
        out.extend(
            [&mut t.add, &mut t.del, &mut t.map]
                .into_iter()
                .flatten()
                .map(|s| &mut s.set),
        );
    }
    out
}

/// True when a set named by a rule of the table passes `f`.
fn any_set(table: &Table, f: impl Fn(&SetRef) -> bool) -> bool {
    // No list per rule: this runs over every rule of the table on every read,
    // and most rules name no set.
    table
        .chains
        .iter()
        .flat_map(|c| &c.rules)
        .any(|rule| rule_any_set(rule, &f))
}

/// True when a set named by the rule passes `f`. Keep in step with [`sets_mut`].
fn rule_any_set(rule: &Rule, f: impl Fn(&SetRef) -> bool) -> bool {
    rule.matches
        .iter()
        .any(|m| matches!(m, Match::Set(s) if f(&s.set)))
        || match &rule.target {
            Target::Ext(TargetExt::Set(t)) => [&t.add, &t.del, &t.map]
                .into_iter()
                .flatten()
                .any(|s| f(&s.set)),
            _ => false,
        }
}

/// True when the rule names a set: its kernel bytes hold an index that
/// its value may not (see [`resolve_rule`]).
pub(crate) fn names_sets(rule: &Rule) -> bool {
    rule_any_set(rule, |_| true)
}

/// True when a set of the table has no index yet: [`resolve`] is needed.
pub(crate) fn has_unresolved(table: &Table) -> bool {
    any_set(table, |s| s.index.is_none())
}

/// True when a set of the table has no name yet: [`name`] is needed.
pub(crate) fn has_unnamed(table: &Table) -> bool {
    any_set(table, |s| s.name.is_empty())
}

/// A copy of `table` in which every set known only by name has its index,
/// ready to encode. A set with an index is taken as it is. The lookups go
/// through `sock`, which must be an IPv4 socket (ipset answers only there).
pub(crate) fn resolve(sock: &Socket, table: &Table) -> Result<Table> {
    let mut ipset = Ipset::new(sock);
    let mut out = table.clone();
    for rule in out.chains.iter_mut().flat_map(|c| c.rules.iter_mut()) {
        fill(&mut ipset, rule)?;
    }
    Ok(out)
}

/// `rule` with every set known only by name given its index; `None` when
/// it has none such (the rule is ready to encode as it is).
pub(crate) fn resolve_rule(ipset: &mut Ipset, rule: &Rule) -> Result<Option<Rule>> {
    if !unresolved(rule) {
        return Ok(None);
    }
    let mut out = rule.clone();
    fill(ipset, &mut out)?;
    Ok(Some(out))
}

/// True when a set the rule names has no index yet.
pub(crate) fn unresolved(rule: &Rule) -> bool {
    rule_any_set(rule, |s| s.index.is_none())
}

fn fill(ipset: &mut Ipset, rule: &mut Rule) -> Result<()> {
    let family = rule.family;
    for set in sets_mut(rule).into_iter().filter(|s| s.index.is_none()) {
        set.index = Some(ipset.index(&set.name, family)?);
    }
    Ok(())
}

/// Gives every set known only by index its name, so the table prints as
/// iptables-save prints it. The index stays (it is what gets encoded). An
/// index no set has any more keeps no name: the rule prints the index.
pub(crate) fn name(sock: &Socket, table: &mut Table) -> Result<()> {
    let mut ipset = Ipset::new(sock);
    for rule in table.chains.iter_mut().flat_map(|c| c.rules.iter_mut()) {
        name_rule(&mut ipset, rule)?;
    }
    Ok(())
}

/// True when a set the rule names has no name yet: [`name_rule`] is needed.
pub(crate) fn rule_has_unnamed(rule: &Rule) -> bool {
    rule_any_set(rule, |s| s.name.is_empty())
}

/// [`name`] for one rule.
pub(crate) fn name_rule(ipset: &mut Ipset, rule: &mut Rule) -> Result<()> {
    for set in sets_mut(rule) {
        if let (true, Some(index)) = (set.name.is_empty(), set.index) {
            if let Some(name) = ipset.name(index)? {
                set.name = name;
            }
        }
    }
    Ok(())
}

/// One round of lookups on one socket: the protocol version asked once,
/// every answer remembered.
pub(crate) struct Ipset<'a> {
    sock: &'a Socket,
    version: Option<u32>,
    indexes: HashMap<String, (u16, u32)>,
    names: HashMap<u16, Option<String>>,
}

impl<'a> Ipset<'a> {
    /// A round of lookups through `sock`, an IPv4 socket.
    pub(crate) fn new(sock: &'a Socket) -> Ipset<'a> {
        Ipset {
            sock,
            version: None,
            indexes: HashMap::new(),
            names: HashMap::new(),
        }
    }

    /// `IP_SET_OP_VERSION`: every other request must carry it.
    fn version(&mut self) -> Result<u32> {
        if let Some(v) = self.version {
            return Ok(v);
        }
        let mut req = ip_set_req_version::zeroed();
        req.op = IP_SET_OP_VERSION;
        let mut buf = req.as_bytes().to_vec();
        let answer = match self.sock.get(SO_IP_SET, &mut buf) {
            // ENOPROTOOPT: ip_set is not loaded. Asking for the set match
            // loads xt_set and with it ip_set, as iptables' -m set would.
            Err(Errno::ENOPROTOOPT) => {
                let _ = self.sock.revision_supported("set", 0, false);
                self.sock.get(SO_IP_SET, &mut buf)
            }
            other => other,
        };
        answer.map_err(|e| error("asking for the ipset protocol version", e))?;
        let v = ip_set_req_version::read_from(&buf)
            .ok_or_else(|| Error::Malformed("short ipset version answer".into()))?
            .version;
        self.version = Some(v);
        Ok(v)
    }

    /// The index of the set `name`, checked to be usable in a rule of
    /// `family` (`IP_SET_OP_GET_FNAME`, as iptables asks).
    fn index(&mut self, name: &str, family: Family) -> Result<u16> {
        let (index, set_family) = match self.indexes.get(name) {
            Some(&found) => found,
            None => {
                let found = self.lookup(name)?;
                self.indexes.insert(name.to_string(), found);
                found
            }
        };
        let wanted = match family {
            Family::Ipv4 => NFPROTO_IPV4,
            Family::Ipv6 => NFPROTO_IPV6,
        };
        if set_family != wanted && set_family != NFPROTO_UNSPEC {
            let other = if set_family == NFPROTO_IPV6 {
                "IPv6"
            } else {
                "IPv4"
            };
            return Err(Error::rule(
                format!("set `{name}`"),
                format!(
                    "is an {other} set, which {} rules cannot use",
                    family.command()
                ),
            ));
        }
        Ok(index)
    }

    /// Index and family of a set by name; [`Error::NoSuchSet`] when there
    /// is none.
    fn lookup(&mut self, name: &str) -> Result<(u16, u32)> {
        let version = self.version()?;
        let mut req = ip_set_req_get_set_family::zeroed();
        req.op = IP_SET_OP_GET_FNAME;
        req.version = version;
        put_c_str("set name", name, &mut req.set)?;
        let mut buf = req.as_bytes().to_vec();
        let (index, family) = match self.sock.get(SO_IP_SET, &mut buf) {
            Ok(len) if len == buf.len() => {
                let a = ip_set_req_get_set_family::read_from(&buf)
                    .ok_or_else(|| Error::Malformed("short ipset answer".into()))?;
                (index_of(&a.set), a.family)
            }
            Ok(len) => return Err(short(len, buf.len())),
            // EBADMSG: a kernel older than GET_FNAME; no family to check.
            Err(Errno::EBADMSG) => (self.lookup_name_only(name, version)?, NFPROTO_UNSPEC),
            Err(e) => return Err(error(&format!("looking up set `{name}`"), e)),
        };
        if index == IPSET_INVALID_ID {
            return Err(Error::NoSuchSet(name.to_string()));
        }
        Ok((index, family))
    }

    /// `IP_SET_OP_GET_BYNAME`.
    fn lookup_name_only(&self, name: &str, version: u32) -> Result<u16> {
        let mut req = ip_set_req_get_set::zeroed();
        req.op = IP_SET_OP_GET_BYNAME;
        req.version = version;
        put_c_str("set name", name, &mut req.set)?;
        let mut buf = req.as_bytes().to_vec();
        match self.sock.get(SO_IP_SET, &mut buf) {
            Ok(len) if len == buf.len() => ip_set_req_get_set::read_from(&buf)
                .map(|a| index_of(&a.set))
                .ok_or_else(|| Error::Malformed("short ipset answer".into())),
            Ok(len) => Err(short(len, buf.len())),
            Err(e) => Err(error(&format!("looking up set `{name}`"), e)),
        }
    }

    /// The name of the set at `index` (`IP_SET_OP_GET_BYINDEX`); `None`
    /// when no set has it.
    fn name(&mut self, index: u16) -> Result<Option<String>> {
        if let Some(found) = self.names.get(&index) {
            return Ok(found.clone());
        }
        let mut req = ip_set_req_get_set::zeroed();
        req.op = IP_SET_OP_GET_BYINDEX;
        req.version = self.version()?;
        req.set[..2].copy_from_slice(&index.to_ne_bytes());
        let mut buf = req.as_bytes().to_vec();
        let found = match self.sock.get(SO_IP_SET, &mut buf) {
            Ok(len) if len == buf.len() => ip_set_req_get_set::read_from(&buf)
                .map(|a| c_str(&a.set))
                .filter(|n| !n.is_empty()),
            Ok(len) => return Err(short(len, buf.len())),
            // EINVAL: the index is beyond the kernel's largest set number.
            Err(Errno::EINVAL) => None,
            Err(e) => return Err(error(&format!("looking up set number {index}"), e)),
        };
        self.names.insert(index, found.clone());
        Ok(found)
    }
}

/// The index in `union ip_set_name_index`: its first two bytes.
fn index_of(set: &[u8]) -> u16 {
    match set {
        [a, b, ..] => u16::from_ne_bytes([*a, *b]),
        _ => IPSET_INVALID_ID,
    }
}

fn short(got: usize, want: usize) -> Error {
    Error::Malformed(format!(
        "ipset answered {got} bytes, {want} expected (SO_IP_SET)"
    ))
}

fn error(op: &str, errno: Errno) -> Error {
    let op = format!("{op} (SO_IP_SET)");
    let context = match errno {
        Errno::EPERM | Errno::EACCES => return Error::NotPermitted { op },
        Errno::ENOPROTOOPT => "the kernel has no ipset support (ip_set, xt_set)",
        Errno::EPROTO => "the kernel's ipset protocol is too old",
        _ => "unexpected answer from the kernel",
    };
    Error::Kernel {
        op,
        errno: crate::error::Errno::of(errno),
        context: context.to_string(),
    }
}

// Keep the request sizes honest: a wrong size is EINVAL from the kernel.
const _: () = assert!(size_of::<ip_set_req_get_set>() == 8 + IPSET_MAXNAMELEN);
const _: () = assert!(size_of::<ip_set_req_get_set_family>() == 12 + IPSET_MAXNAMELEN);
