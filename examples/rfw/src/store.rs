//! The managed entries in the kernel: in the `filter` table of each family,
//! one chain per direction and action (`rfw-input-accept`,
//! `rfw-input-drop`, ... for the prefix `rfw`), jumped to from the head of
//! `INPUT`, `OUTPUT` and `FORWARD` (accepts first), one rule per entry.
//!
//! An entry's expiry is kept in the rule's comment (`rfw expires=UNIX`, or
//! `rfw` for none), so a restarted service finds every entry and its
//! expiry in the kernel. An index in memory answers "is it there?" without
//! reading the kernel; every change is one commit of one table.

use std::collections::BTreeMap;

use ipnet::IpNet;
use iptkit::matches::comment::Comment;
use iptkit::{Backend, Error, Family, Handle, Iface, Options, Rule, Target};

use crate::api::{Action, Direction, Key};

/// The comment of every managed rule starts with this word.
const TAG: &str = "rfw";

/// What a PUT or DELETE did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry was added.
    Added,
    /// The entry was there already: nothing changed.
    Unchanged,
    /// The entry was removed.
    Deleted,
    /// There was no such entry: nothing changed.
    Absent,
}

impl Outcome {
    /// The word the API answers with.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Unchanged => "unchanged",
            Outcome::Deleted => "deleted",
            Outcome::Absent => "absent",
        }
    }
}

/// An entry as read from the kernel, with its counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// What it is.
    pub key: Key,
    /// When it expires (Unix seconds), if it does.
    pub expires: Option<u64>,
    /// Packets matched.
    pub packets: u64,
    /// Bytes matched.
    pub bytes: u64,
}

/// The managed entries of both families.
pub struct Store {
    prefix: String,
    v4: Handle,
    v6: Handle,
    /// Every entry and its expiry.
    entries: BTreeMap<Key, Option<u64>>,
}

impl Store {
    /// Opens the filter tables of both families, makes the chains and
    /// jumps that are missing (one commit per family), and reads the
    /// entries already there.
    pub fn open(backend: Backend, prefix: &str) -> iptkit::Result<Store> {
        let options = Options::default().backend(backend);
        let mut store = Store {
            prefix: prefix.to_string(),
            v4: Handle::open_with(Family::Ipv4, "filter", options.clone())?,
            v6: Handle::open_with(Family::Ipv6, "filter", options)?,
            entries: BTreeMap::new(),
        };
        for family in [Family::Ipv4, Family::Ipv6] {
            store.set_up(family)?;
        }
        store.list()?;
        Ok(store)
    }

    /// The chain of `direction` and `action`.
    pub fn chain(&self, direction: Direction, action: Action) -> String {
        format!("{}-{}-{}", self.prefix, direction.word(), action.word())
    }

    fn handle(&mut self, family: Family) -> &mut Handle {
        match family {
            Family::Ipv4 => &mut self.v4,
            Family::Ipv6 => &mut self.v6,
        }
    }

    /// Makes the chains, and puts the jumps to them at the head of the
    /// built-in chains unless they are there already.
    fn set_up(&mut self, family: Family) -> iptkit::Result<()> {
        let names: Vec<(Direction, Vec<String>)> = Direction::ALL
            .iter()
            .map(|&d| (d, Action::ALL.iter().map(|&a| self.chain(d, a)).collect()))
            .collect();
        let h = self.handle(family);
        for (direction, chains) in &names {
            for chain in chains {
                if !h.chains()?.iter().any(|c| &c.name == chain) {
                    h.new_chain(chain)?;
                }
            }
            let jumps: Vec<Rule> = chains
                .iter()
                .map(|c| Rule::new(family).with_target(Target::Jump(c.clone())))
                .collect();
            let builtin = direction.builtin();
            let head = h.rules(builtin)?;
            if head.len() >= jumps.len() && head.iter().zip(&jumps).all(|(r, j)| r.same_spec(j)) {
                continue;
            }
            for jump in &jumps {
                while h.contains_rule(builtin, jump)? {
                    h.delete_rule(builtin, jump)?;
                }
            }
            for (pos, jump) in jumps.into_iter().enumerate() {
                h.insert(builtin, pos, jump)?;
            }
        }
        commit(h)?;
        // Later changes need nothing read: appends go as they are, a delete
        // reads its chain only.
        h.refresh()
    }

    /// Adds the entry unless it is there; `expires` in Unix seconds.
    pub fn put(&mut self, key: &Key, expires: Option<u64>) -> iptkit::Result<Outcome> {
        if self.entries.contains_key(key) {
            return Ok(Outcome::Unchanged);
        }
        let chain = self.chain(key.direction, key.action);
        let rule = rule(key, expires)?;
        let h = self.handle(family(&key.net));
        h.append(&chain, rule)?;
        commit(h)?;
        self.entries.insert(key.clone(), expires);
        Ok(Outcome::Added)
    }

    /// Removes the entry if it is there.
    pub fn delete(&mut self, key: &Key) -> iptkit::Result<Outcome> {
        let Some(&expires) = self.entries.get(key) else {
            return Ok(Outcome::Absent);
        };
        let chain = self.chain(key.direction, key.action);
        let rule = rule(key, expires)?;
        let h = self.handle(family(&key.net));
        let found = match h.delete_rule(&chain, &rule) {
            // Somebody else removed it: the index was wrong, the kernel is right.
            Err(Error::NoSuchRule { .. }) => false,
            Err(e) => return Err(e),
            Ok(()) => {
                commit(h)?;
                true
            }
        };
        self.entries.remove(key);
        Ok(if found {
            Outcome::Deleted
        } else {
            Outcome::Absent
        })
    }

    /// The expiry of an entry that is there (an unchanged entry keeps its
    /// own: a repeated PUT changes nothing).
    pub fn expiry(&self, key: &Key) -> Option<u64> {
        self.entries.get(key).copied().flatten()
    }

    /// The earliest expiry of any entry.
    pub fn next_expiry(&self) -> Option<u64> {
        self.entries.values().flatten().min().copied()
    }

    /// Removes every entry expired at `now` (Unix seconds): one commit per
    /// family. Returns what was removed.
    pub fn expire(&mut self, now: u64) -> iptkit::Result<Vec<Key>> {
        let due: Vec<(Key, Option<u64>)> = self
            .entries
            .iter()
            .filter(|(_, e)| e.is_some_and(|t| t <= now))
            .map(|(k, e)| (k.clone(), *e))
            .collect();
        for family in [Family::Ipv4, Family::Ipv6] {
            let mine: Vec<&(Key, Option<u64>)> = due.iter().filter(|(k, _)| self::family(&k.net) == family).collect();
            if mine.is_empty() {
                continue;
            }
            let mut work = Vec::new();
            for (key, expires) in mine {
                work.push((self.chain(key.direction, key.action), rule(key, *expires)?));
            }
            let h = self.handle(family);
            for (chain, rule) in &work {
                match h.delete_rule(chain, rule) {
                    Ok(()) | Err(Error::NoSuchRule { .. }) => {}
                    Err(e) => {
                        h.refresh()?;
                        return Err(e);
                    }
                }
            }
            commit(h)?;
        }
        for (key, _) in &due {
            self.entries.remove(key);
        }
        Ok(due.into_iter().map(|(k, _)| k).collect())
    }

    /// Reads every managed entry from the kernel, with counters, and makes
    /// the index what the kernel holds. Rules in the chains that rfw did
    /// not write are left alone and not listed.
    pub fn list(&mut self) -> iptkit::Result<Vec<Listed>> {
        let mut all = Vec::new();
        let chains: Vec<(Direction, Action, String)> = Direction::ALL
            .iter()
            .flat_map(|&d| Action::ALL.iter().map(move |&a| (d, a)))
            .map(|(d, a)| (d, a, self.chain(d, a)))
            .collect();
        for family in [Family::Ipv4, Family::Ipv6] {
            let h = self.handle(family);
            h.refresh()?;
            for (direction, action, chain) in &chains {
                for r in h.rules(chain)? {
                    if let Some(listed) = read(*direction, *action, r) {
                        all.push(listed);
                    }
                }
            }
            h.refresh()?;
        }
        self.entries = all.iter().map(|l| (l.key.clone(), l.expires)).collect();
        Ok(all)
    }
}

/// Commits; on failure drops the pending change, so that the handle is as
/// the kernel is and the next request starts clean.
fn commit(h: &mut Handle) -> iptkit::Result<()> {
    match h.commit() {
        Ok(()) => Ok(()),
        Err(e) => {
            // What failed left the kernel as it was (iptkit's commit is all
            // or nothing); a failed refresh only means the next read fails too.
            let _ = h.refresh();
            Err(e)
        }
    }
}

fn family(net: &IpNet) -> Family {
    match net {
        IpNet::V4(_) => Family::Ipv4,
        IpNet::V6(_) => Family::Ipv6,
    }
}

fn comment(expires: Option<u64>) -> String {
    match expires {
        Some(t) => format!("{TAG} expires={t}"),
        None => TAG.to_string(),
    }
}

/// The rule of an entry.
pub fn rule(key: &Key, expires: Option<u64>) -> iptkit::Result<Rule> {
    let mut r = Rule::new(family(&key.net));
    let iface = key.iface.as_deref().map(Iface::new).transpose()?;
    r = match key.direction {
        Direction::Input | Direction::Forward => {
            let r = r.source(key.net);
            match iface {
                Some(i) => r.in_interface(i),
                None => r,
            }
        }
        Direction::Output => {
            let r = r.destination(key.net);
            match iface {
                Some(i) => r.out_interface(i),
                None => r,
            }
        }
    };
    let target = match key.action {
        Action::Accept => Target::Accept,
        Action::Drop => Target::Drop,
    };
    Ok(r.with_match(Comment::new(&comment(expires))).with_target(target))
}

/// The entry a rule of a managed chain stands for, if it is one rfw wrote.
fn read(direction: Direction, action: Action, r: &Rule) -> Option<Listed> {
    let expires = match r.comment()?.strip_prefix(TAG)? {
        "" => None,
        rest => Some(rest.strip_prefix(" expires=")?.parse().ok()?),
    };
    let (net, iface) = match direction {
        Direction::Input | Direction::Forward => (r.src.as_ref(), r.in_iface.as_ref()),
        Direction::Output => (r.dst.as_ref(), r.out_iface.as_ref()),
    };
    let net = net.filter(|n| !n.invert)?.value.to_ipnet()?;
    let iface = match iface {
        Some(i) if i.invert => return None,
        Some(i) => Some(i.value.name().to_string()),
        None => None,
    };
    let key = Key {
        action,
        direction,
        iface,
        net,
    };
    // Only what rfw itself would write: anything more is somebody else's.
    if rule(&key, expires).ok()?.same_spec(r) {
        Some(Listed {
            key,
            expires,
            packets: r.counters.packets,
            bytes: r.counters.bytes,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back() {
        for (key, expires, text) in [
            (
                Key {
                    action: Action::Drop,
                    direction: Direction::Input,
                    iface: Some("eth0".into()),
                    net: "192.0.2.0/24".parse().unwrap(),
                },
                Some(1_800_000_000),
                "-s 192.0.2.0/24 -i eth0 -m comment --comment \"rfw expires=1800000000\" -j DROP",
            ),
            (
                Key {
                    action: Action::Accept,
                    direction: Direction::Output,
                    iface: None,
                    net: "2001:db8::7/128".parse().unwrap(),
                },
                None,
                "-d 2001:db8::7/128 -m comment --comment rfw -j ACCEPT",
            ),
        ] {
            let r = rule(&key, expires).unwrap();
            assert_eq!(r.to_string(), text);
            let back = read(key.direction, key.action, &r).unwrap();
            assert_eq!((back.key, back.expires), (key, expires));
        }
        let foreign = Rule::parse(Family::Ipv4, "-s 192.0.2.1/32 -p tcp -m comment --comment rfw -j DROP").unwrap();
        assert_eq!(read(Direction::Input, Action::Drop, &foreign), None);
    }
}
