//! The set storage of a managed list ([`Storage::Set`](super::Storage::Set)):
//! a kernel set ([`crate::set`]) holds the networks, and one rule in the
//! list's chain matches it.

use std::collections::{BTreeSet, HashSet};
use std::time::SystemTime;

use ipnet::IpNet;

use super::entry::unix_secs;
use super::{Added, AddrList, Entry};
use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::iface::Iface;
use crate::rule::Rule;
use crate::set::{self, Dir, KernelSet, SetOptions, MAX_TIMEOUT};

/// The set's name: the chain's for IPv4, with `-v6` for IPv6 (a set holds
/// one family, and the two families' lists share the chain name).
pub(super) fn set_name(list: &AddrList, family: Family) -> String {
    match family {
        Family::Ipv4 => list.chain.clone(),
        Family::Ipv6 => format!("{}-v6", list.chain),
    }
}

/// The one rule of the chain: `-m set --match-set NAME src|dst -j VERDICT`.
pub(super) fn set_rule(list: &AddrList, set: &KernelSet) -> Result<Rule> {
    let dir = match list.direction.tests_destination() {
        true => Dir::Dst,
        false => Dir::Src,
    };
    Ok(Rule::new(set.family())
        .with_match(set.matching(dir)?)
        .with_target(list.action.target()))
}

/// The set, made if missing (with timeouts, 0 by default: for good), and
/// the chain holding its rule, hooked (committed only when missing).
pub(super) fn install(list: &AddrList, h: &mut Handle) -> Result<KernelSet> {
    let options = SetOptions::default().with_timeout(0);
    let set = KernelSet::create(&set_name(list, h.family()), h.family(), &options)?;
    let rule = set_rule(list, &set)?;
    list.commit(h, |h| {
        list.ensure(h)?;
        if !h.contains_rule(&list.chain, &rule)? {
            h.append(&list.chain, rule.clone())?;
        }
        Ok(())
    })?;
    Ok(set)
}

/// The set, when it exists.
fn existing(list: &AddrList, family: Family) -> Result<Option<KernelSet>> {
    match KernelSet::open(&set_name(list, family)) {
        Ok(set) => Ok(Some(set)),
        Err(Error::NoSuchSet(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The set's entry for `e`, checked: what a set cannot keep is refused.
fn set_entry(e: &Entry, now: u64) -> Result<set::Entry> {
    let refuse = |option: &str, value: String, reason: &str| Error::InvalidValue {
        option: option.into(),
        value,
        reason: reason.into(),
    };
    if let Some(i) = &e.iface {
        let reason = "a list kept in a set matches on any interface";
        return Err(refuse("list entry interface", i.name().into(), reason));
    }
    if !e.comment.is_empty() {
        let reason = "a list kept in a set keeps no notes";
        return Err(refuse("list entry comment", e.comment.clone(), reason));
    }
    let net = e.net.to_ipnet().ok_or_else(|| {
        refuse(
            "list entry",
            e.net.to_string(),
            "a set holds networks with a prefix length",
        )
    })?;
    let timeout = match e.expires {
        None => 0,
        Some(at) => {
            let secs = at.saturating_sub(now).max(1);
            u32::try_from(secs)
                .ok()
                .filter(|&s| s <= MAX_TIMEOUT)
                .ok_or_else(|| {
                    refuse(
                        "list entry expiry",
                        at.to_string(),
                        "a set keeps an entry at most MAX_TIMEOUT seconds (24 days)",
                    )
                })?
        }
    };
    Ok(set::Entry::new(net).with_timeout(timeout))
}

/// [`AddrList::add_entries`]: every entry checked, then one request for
/// them all. An entry the set already matched (as the kernel's test
/// answers: a host held by any of its networks, a network that very
/// network) is [`Added::Extended`]: the kernel sets its timeout anew.
pub(super) fn add_entries(
    list: &AddrList,
    h: &mut Handle,
    entries: &[Entry],
) -> Result<Vec<Added>> {
    let now = unix_secs(SystemTime::now());
    let elems = entries
        .iter()
        .map(|e| set_entry(e, now))
        .collect::<Result<Vec<_>>>()?;
    let mut set = install(list, h)?;
    let added = match elems.as_slice() {
        // One entry: one question (a set of 100,000 is not listed for it).
        [one] => vec![added(set.contains(set::Entry::new(one.net))?)],
        // Many: the set listed once, and asked as the kernel would answer.
        many => {
            let there: HashSet<IpNet> = set.list()?.into_iter().map(|e| e.net).collect();
            let prefixes: BTreeSet<u8> = there.iter().map(IpNet::prefix_len).collect();
            let matched = |n: &IpNet| {
                if n.prefix_len() < n.max_prefix_len() {
                    return there.contains(n);
                }
                prefixes.iter().any(|&p| {
                    IpNet::new(n.addr(), p).is_ok_and(|wide| there.contains(&wide.trunc()))
                })
            };
            many.iter().map(|e| added(matched(&e.net))).collect()
        }
    };
    set.add_many(elems)?;
    Ok(added)
}

fn added(there: bool) -> Added {
    match there {
        true => Added::Extended,
        false => Added::New,
    }
}

/// The entries in address order, with their expiry as the seconds the
/// kernel says they have left, counted from now.
pub(super) fn entries(list: &AddrList, family: Family) -> Result<Vec<Entry>> {
    let Some(mut set) = existing(list, family)? else {
        return Ok(Vec::new());
    };
    let now = unix_secs(SystemTime::now());
    let mut entries: Vec<Entry> = set
        .list()?
        .into_iter()
        .map(|e| Entry {
            expires: e.timeout.filter(|&t| t > 0).map(|t| now + u64::from(t)),
            ..Entry::new(Net::from(e.net))
        })
        .collect();
    // The kernel lists in its hash's order: give them in address order.
    entries.sort_by_key(|e| (e.net.addr(), e.net.mask()));
    Ok(entries)
}

/// [`AddrList::lookup`]: one question to the kernel, and the set listed
/// only when it holds the address.
pub(super) fn lookup(
    list: &AddrList,
    family: Family,
    addr: std::net::IpAddr,
) -> Result<Vec<Entry>> {
    let held = match existing(list, family)? {
        Some(mut set) if Family::of(&addr) == family => set.contains(set::Entry::from(addr))?,
        _ => false,
    };
    if !held {
        return Ok(Vec::new());
    }
    let mut entries = entries(list, family)?;
    entries.retain(|e| e.net.contains(addr));
    Ok(entries)
}

/// [`AddrList::remove_entries`]: one request each.
pub(super) fn remove(
    list: &AddrList,
    family: Family,
    keys: &[(Net, Option<Iface>)],
) -> Result<Vec<Option<Entry>>> {
    let Some(mut set) = existing(list, family)? else {
        return Ok(vec![None; keys.len()]);
    };
    let mut removed = Vec::with_capacity(keys.len());
    for (net, iface) in keys {
        let ipnet: Option<IpNet> = net.to_ipnet();
        let gone = match (iface, ipnet) {
            (None, Some(n)) if net.family() == family => set.remove(set::Entry::new(n))?,
            _ => false,
        };
        removed.push(gone.then(|| Entry::new(*net)));
    }
    Ok(removed)
}

/// [`AddrList::expire`]: the kernel removes due entries itself; what is due
/// at `now` by the expiries read back (a `now` ahead of the clock) goes too.
pub(super) fn expire(list: &AddrList, family: Family, now: SystemTime) -> Result<Vec<Entry>> {
    let due: Vec<Entry> = entries(list, family)?
        .into_iter()
        .filter(|e| e.is_due(now))
        .collect();
    let keys: Vec<(Net, Option<Iface>)> = due.iter().map(|e| (e.net, None)).collect();
    remove(list, family, &keys)?;
    Ok(due)
}

/// [`AddrList::uninstall`]'s last step: the set goes once no rule uses it.
pub(super) fn destroy(list: &AddrList, family: Family) -> Result<()> {
    match existing(list, family)? {
        Some(set) => set.destroy(),
        None => Ok(()),
    }
}
