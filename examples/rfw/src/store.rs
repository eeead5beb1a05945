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

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use iptkit::lists::{Added, AddrList, Entry};
use iptkit::{Backend, Family, Handle, Iface, Net, Options};

use crate::api::{Action, Direction, Key};
use crate::setstore::SetLists;

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
    /// Kept in a kernel set (no counters, no note) rather than a rule.
    pub in_set: bool,
}

/// What a PUT did and the entry's expiry now.
pub type PutAnswer = iptkit::Result<(Outcome, Option<u64>)>;

/// Requests grouped by list (its index) and family: each request's place
/// in the batch and what it asks for.
type Groups<T> = Vec<((usize, Family), Vec<(usize, T)>)>;

/// The managed lists of both families.
pub struct Store {
    /// One per (direction, action).
    lists: Vec<(Direction, Action, AddrList)>,
    v4: Handle,
    v6: Handle,
    /// No entry expires before this (Unix seconds); may be early, never late.
    next_due: Option<u64>,
    /// `storage = "set"`: where entries on any interface go.
    sets: Option<SetLists>,
}

impl Store {
    /// Opens the filter tables of both families, installs the lists that
    /// are missing (chains and jumps), and reads the entries already there.
    /// `protected`: networks never blocked (refused with
    /// [`iptkit::Error::Protected`]). `sets`: keep entries on any
    /// interface in kernel sets ([`SetLists`]).
    pub fn open(
        backend: Backend,
        prefix: &str,
        protected: &[Net],
        sets: bool,
    ) -> iptkit::Result<Store> {
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
            sets: None,
        };
        for family in [Family::Ipv4, Family::Ipv6] {
            for i in 0..store.lists.len() {
                let (list, h) = store.parts(i, family);
                list.install(h)?;
            }
        }
        if sets {
            store.sets = Some(SetLists::open(prefix, &mut store.v4, &mut store.v6)?);
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
        let mut done = self.put_many(&[(key, ttl, note)]);
        done.pop().expect("one answer per request")
    }

    /// [`Store::put`] for several requests, as if one after another: those
    /// of one list and family go in one commit (all or none). A group the
    /// kernel refuses is tried again one by one, so that only the request
    /// at fault fails. (Adds of different entries commute; the same entry
    /// twice is unchanged or extended the second time, as in sequence.)
    pub fn put_many(
        &mut self,
        items: &[(&Key, Option<Duration>, &str)],
    ) -> Vec<iptkit::Result<(Outcome, Option<u64>)>> {
        let mut answers: Vec<Option<PutAnswer>> = items.iter().map(|_| None).collect();
        let mut groups: Groups<Entry> = Vec::new();
        for (n, (key, ttl, note)) in items.iter().enumerate() {
            if let (Some(sets), None) = (self.sets.as_mut(), &key.iface) {
                answers[n] = Some(sets.put(key, *ttl));
                continue;
            }
            match parts(key) {
                Err(e) => answers[n] = Some(Err(e)),
                Ok((net, iface)) => {
                    let mut entry = Entry::new(net).ttl(*ttl).with_comment(note);
                    entry.iface = iface;
                    let group = (self.index(key), net.family());
                    match groups.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, members)) => members.push((n, entry)),
                        None => groups.push((group, vec![(n, entry)])),
                    }
                }
            }
        }
        for ((i, family), members) in groups {
            let (list, h) = self.parts(i, family);
            let added = list.add_entries(h, members.iter().map(|(_, e)| e.clone()));
            let done = added.and_then(|added| {
                // An unchanged entry keeps its own expiry: read it (one
                // scan of the chain as the handle holds it).
                let kept: HashMap<(Net, Option<Iface>), Option<u64>> =
                    if added.contains(&Added::Unchanged) {
                        list.entries(h)?
                            .into_iter()
                            .map(|e| ((e.net, e.iface), e.expires))
                            .collect()
                    } else {
                        HashMap::new()
                    };
                Ok(members
                    .iter()
                    .zip(added)
                    .map(|((n, e), a)| {
                        let expires = match a {
                            Added::Unchanged => {
                                kept.get(&(e.net, e.iface.clone())).copied().flatten()
                            }
                            Added::New | Added::Extended => e.expires,
                        };
                        (*n, outcome(a), expires)
                    })
                    .collect::<Vec<_>>())
            });
            match done {
                Ok(done) => {
                    for (n, outcome, expires) in done {
                        answers[n] = Some(Ok((outcome, expires)));
                    }
                }
                Err(e) if members.len() == 1 => answers[members[0].0] = Some(Err(e)),
                Err(_) => {
                    for (n, _) in &members {
                        let (key, ttl, note) = items[*n];
                        answers[*n] = Some(self.put(key, ttl, note));
                    }
                }
            }
        }
        for (_, expires) in answers.iter().flatten().flatten() {
            if let Some(t) = *expires {
                self.next_due = Some(self.next_due.map_or(t, |d| d.min(t)));
            }
        }
        answers
            .into_iter()
            .map(|a| a.expect("every request answered"))
            .collect()
    }

    /// Removes the entry if it is there.
    pub fn delete(&mut self, key: &Key) -> iptkit::Result<Outcome> {
        let mut done = self.delete_many(&[key]);
        done.pop().expect("one answer per request")
    }

    /// [`Store::delete`] for several requests, those of one list and family
    /// in one commit; a group that fails is tried again one by one.
    pub fn delete_many(&mut self, keys: &[&Key]) -> Vec<iptkit::Result<Outcome>> {
        let mut answers: Vec<Option<iptkit::Result<Outcome>>> = keys.iter().map(|_| None).collect();
        let mut groups: Groups<(Net, Option<Iface>)> = Vec::new();
        for (n, key) in keys.iter().enumerate() {
            if let (Some(sets), None) = (self.sets.as_mut(), &key.iface) {
                answers[n] = Some(sets.delete(key));
                continue;
            }
            match parts(key) {
                Err(e) => answers[n] = Some(Err(e)),
                Ok((net, iface)) => {
                    let group = (self.index(key), net.family());
                    match groups.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, members)) => members.push((n, (net, iface))),
                        None => groups.push((group, vec![(n, (net, iface))])),
                    }
                }
            }
        }
        for ((i, family), members) in groups {
            let (list, h) = self.parts(i, family);
            match list.remove_entries(h, members.iter().map(|(_, k)| k.clone())) {
                Ok(removed) => {
                    for ((n, _), r) in members.iter().zip(removed) {
                        answers[*n] = Some(Ok(if r.is_some() {
                            Outcome::Deleted
                        } else {
                            Outcome::Absent
                        }));
                    }
                }
                Err(e) if members.len() == 1 => answers[members[0].0] = Some(Err(e)),
                Err(_) => {
                    for (n, _) in &members {
                        answers[*n] = Some(self.delete(keys[*n]));
                    }
                }
            }
        }
        answers
            .into_iter()
            .map(|a| a.expect("every request answered"))
            .collect()
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
        if let Some(sets) = self.sets.as_mut() {
            sets.forget_expired();
        }
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
                            in_set: false,
                        });
                    }
                }
            }
        }
        self.next_due = all.iter().filter_map(|l| l.expires).min();
        if let Some(sets) = self.sets.as_mut() {
            all.extend(sets.list()?);
        }
        Ok(all)
    }
}

fn outcome(a: Added) -> Outcome {
    match a {
        Added::New => Outcome::Added,
        Added::Extended => Outcome::Extended,
        Added::Unchanged => Outcome::Unchanged,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(action: Action, direction: Direction, net: &str) -> Key {
        Key {
            action,
            direction,
            iface: None,
            net: net.parse().unwrap(),
        }
    }

    /// Requests applied together answer as they would one after another.
    fn batches(backend: Backend) {
        assert!(
            nix_root(),
            "the store tests must run as root (private network namespace)"
        );
        iptkit::netns::unshare_net().unwrap();
        let mut store =
            Store::open(backend, "t", &["192.0.2.0/28".parse().unwrap()], false).unwrap();
        let a = key(Action::Drop, Direction::Input, "198.51.100.1/32");
        let b = key(Action::Drop, Direction::Input, "2001:db8::1/128");
        let c = key(Action::Accept, Direction::Output, "198.51.100.2/32");
        let protected = key(Action::Drop, Direction::Input, "192.0.2.1/32");
        let hour = Some(Duration::from_secs(3600));
        assert_eq!(store.put(&a, hour, "first").unwrap().0, Outcome::Added);
        let done = store.put_many(&[
            (&a, None, "x"),
            (&b, hour, "x"),
            (&c, None, "x"),
            (&b, None, "x"),
            (&c, hour, "x"),
            (&protected, None, "x"),
        ]);
        let words: Vec<String> = done
            .iter()
            .map(|r| match r {
                Ok((o, e)) => format!("{} {}", o.word(), e.is_some()),
                Err(e) => format!("error {}", matches!(e, iptkit::Error::Protected { .. })),
            })
            .collect();
        assert_eq!(
            words,
            [
                "extended false",
                "added true",
                "added false",
                "extended false",
                "unchanged false",
                "error true"
            ]
        );
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 3);
        assert!(listed.iter().all(|l| l.expires.is_none()));
        let gone = store.delete_many(&[&a, &b, &a, &protected]);
        let words: Vec<&str> = gone.iter().map(|r| r.as_ref().unwrap().word()).collect();
        assert_eq!(words, ["deleted", "deleted", "absent", "absent"]);
        assert_eq!(store.list().unwrap().len(), 1);
    }

    fn nix_root() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .map(|s| {
                s.lines()
                    .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
            })
            .unwrap_or(false)
    }

    #[test]
    fn batches_legacy() {
        batches(Backend::Legacy);
    }

    #[test]
    fn batches_nft() {
        batches(Backend::Nft);
    }
}
