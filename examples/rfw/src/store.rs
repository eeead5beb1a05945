//! The managed entries in the kernel, kept by iptkit's managed lists
//! ([`iptkit::lists::AddrList`]): in the `filter` table of each family,
//! one list (a user chain) per action and direction — `rfw-drop-input`,
//! `rfw-accept-input`, ... for the prefix `rfw` — jumped to from the head
//! of `INPUT`, `OUTPUT` and `FORWARD` (accepts before drops), one rule per
//! entry. The rule's comment keeps the expiry and who asked
//! (`iptkit: expires=1796400000; user=admin client=192.0.2.1`), so a
//! restarted service finds every entry and its expiry in the kernel.
//!
//! Every operation is one commit of one table: on nf_tables one rule
//! message, on legacy one table replace.

use std::time::{Duration, SystemTime};

use iptkit::lists::{Added, AddrList, Entry};
use iptkit::{Backend, Family, Handle, Iface, Net, Options};

use crate::api::{Action, Direction, Key};

/// What a PUT or DELETE did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry was added.
    Added,
    /// The entry was there with an earlier expiry: it now has the later one.
    Extended,
    /// The entry was there, expiring no earlier: nothing changed.
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
            Outcome::Extended => "extended",
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
    /// Who asked for it (the note in its comment).
    pub note: String,
    /// Packets matched.
    pub packets: u64,
    /// Bytes matched.
    pub bytes: u64,
}

/// The managed lists of both families.
pub struct Store {
    /// One per (direction, action).
    lists: Vec<(Direction, Action, AddrList)>,
    v4: Handle,
    v6: Handle,
    /// No entry expires before this (Unix seconds); may be early, never late.
    next_due: Option<u64>,
}

impl Store {
    /// Opens the filter tables of both families, installs the lists that
    /// are missing (chains and jumps), and reads the entries already there.
    /// `protected`: networks never blocked (refused with
    /// [`iptkit::Error::Protected`]).
    pub fn open(backend: Backend, prefix: &str, protected: &[Net]) -> iptkit::Result<Store> {
        let options = Options::default().backend(backend);
        let mut lists = Vec::new();
        // Drops installed first: each install puts its jump at the head,
        // so the accepts end up before them.
        for action in [Action::Drop, Action::Accept] {
            for direction in Direction::ALL {
                let chain = format!("{prefix}-{}-{}", action.word(), direction.word());
                let list = AddrList::new(&chain, direction.into(), action.into())?
                    .protect(protected.iter().copied());
                lists.push((direction, action, list));
            }
        }
        let mut store = Store {
            lists,
            v4: Handle::open_with(Family::Ipv4, "filter", options.clone())?,
            v6: Handle::open_with(Family::Ipv6, "filter", options)?,
            next_due: None,
        };
        for family in [Family::Ipv4, Family::Ipv6] {
            for i in 0..store.lists.len() {
                let (list, h) = store.parts(i, family);
                list.install(h)?;
            }
        }
        store.list()?;
        Ok(store)
    }

    fn index(&self, key: &Key) -> usize {
        self.lists
            .iter()
            .position(|(d, a, _)| *d == key.direction && *a == key.action)
            .expect("a list for every direction and action")
    }

    /// The list at `i` and the handle of `family`, borrowed together.
    fn parts(&mut self, i: usize, family: Family) -> (&AddrList, &mut Handle) {
        let h = match family {
            Family::Ipv4 => &mut self.v4,
            Family::Ipv6 => &mut self.v6,
        };
        (&self.lists[i].2, h)
    }

    /// Adds the entry, or extends it when the new expiry is later (a
    /// permanent one is the latest). Returns what happened and the
    /// entry's expiry now.
    pub fn put(
        &mut self,
        key: &Key,
        ttl: Option<Duration>,
        note: &str,
    ) -> iptkit::Result<(Outcome, Option<u64>)> {
        let (net, iface) = parts(key)?;
        let mut entry = Entry::new(net).ttl(ttl).with_comment(note);
        entry.iface = iface.clone();
        let i = self.index(key);
        let (list, h) = self.parts(i, net.family());
        let outcome = match list.add_entry(h, entry)? {
            Added::New => Outcome::Added,
            Added::Extended => Outcome::Extended,
            Added::Unchanged => Outcome::Unchanged,
        };
        let expires = list.get(h, net, iface.as_ref())?.and_then(|e| e.expires);
        if let Some(t) = expires {
            self.next_due = Some(self.next_due.map_or(t, |n| n.min(t)));
        }
        Ok((outcome, expires))
    }

    /// Removes the entry if it is there.
    pub fn delete(&mut self, key: &Key) -> iptkit::Result<Outcome> {
        let (net, iface) = parts(key)?;
        let i = self.index(key);
        let (list, h) = self.parts(i, net.family());
        Ok(match list.remove(h, net, iface.as_ref())? {
            Some(_) => Outcome::Deleted,
            None => Outcome::Absent,
        })
    }

    /// No entry expires before this (Unix seconds).
    pub fn next_expiry(&self) -> Option<u64> {
        self.next_due
    }

    /// Removes every entry expired at `now` (one commit per list that has
    /// some) and returns them.
    pub fn expire(&mut self, now: SystemTime) -> iptkit::Result<Vec<Key>> {
        let mut gone = Vec::new();
        for family in [Family::Ipv4, Family::Ipv6] {
            for i in 0..self.lists.len() {
                let (direction, action) = (self.lists[i].0, self.lists[i].1);
                let (list, h) = self.parts(i, family);
                for e in list.expire(h, now)? {
                    if let Some(key) = key_of(direction, action, &e) {
                        gone.push(key);
                    }
                }
            }
        }
        self.next_due = self.scan()?;
        Ok(gone)
    }

    /// The earliest expiry of the entries as the handles last read them.
    fn scan(&mut self) -> iptkit::Result<Option<u64>> {
        let mut due: Option<u64> = None;
        for family in [Family::Ipv4, Family::Ipv6] {
            for i in 0..self.lists.len() {
                let (list, h) = self.parts(i, family);
                for e in list.entries(h)? {
                    if let Some(t) = e.expires {
                        due = Some(due.map_or(t, |d| d.min(t)));
                    }
                }
            }
        }
        Ok(due)
    }

    /// Reads every managed entry from the kernel anew, with counters (and
    /// whatever others changed meanwhile). Rules in the chains that rfw did
    /// not write are left alone and not listed.
    pub fn list(&mut self) -> iptkit::Result<Vec<Listed>> {
        let mut all = Vec::new();
        self.v4.refresh()?;
        self.v6.refresh()?;
        for family in [Family::Ipv4, Family::Ipv6] {
            for i in 0..self.lists.len() {
                let (direction, action) = (self.lists[i].0, self.lists[i].1);
                let (list, h) = self.parts(i, family);
                for e in list.entries(h)? {
                    if let Some(key) = key_of(direction, action, &e) {
                        all.push(Listed {
                            key,
                            expires: e.expires,
                            note: e.comment.clone(),
                            packets: e.counters.packets,
                            bytes: e.counters.bytes,
                        });
                    }
                }
            }
        }
        self.next_due = all.iter().filter_map(|l| l.expires).min();
        Ok(all)
    }
}

/// The network and interface of a key, as the lists take them.
fn parts(key: &Key) -> iptkit::Result<(Net, Option<Iface>)> {
    let iface = key.iface.as_deref().map(Iface::new).transpose()?;
    Ok((Net::from(key.net), iface))
}

/// The key of an entry read back (`None` for a network with a mask that
/// is no prefix, which rfw never writes).
fn key_of(direction: Direction, action: Action, e: &Entry) -> Option<Key> {
    Some(Key {
        action,
        direction,
        iface: e.iface.as_ref().map(|i| i.name().to_string()),
        net: e.net.to_ipnet()?,
    })
}
