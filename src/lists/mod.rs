//! Managed address lists: block or allow networks, each with an optional
//! expiry and a note, kept in the kernel alone.
//!
//! An [`AddrList`] is a user chain of its own, hooked from a built-in chain
//! by one jump at its head, with one rule per entry. For a list `rfw-drop-input`
//! that drops on input:
//!
//! ```text
//! -A INPUT -j rfw-drop-input                                  (added once, at the head)
//! -A rfw-drop-input -s 192.0.2.7/32 -m comment --comment "iptkit: expires=1767225600; port scan" -j DROP
//! -A rfw-drop-input -s 198.51.100.0/24 -i eth0 -m comment --comment "iptkit: expires=never;" -j DROP
//! ```
//!
//! An output list matches the destination (`-d`, and `-o` for an
//! interface); input and forward lists match the source (`-s`, `-i`).
//! The comment is `iptkit: expires=SECS; NOTE`: `SECS` the expiry in
//! seconds since the UNIX epoch (UTC) or `never`, then the caller's note
//! (nothing after the `;` without one). There is no other store: a program
//! that restarts reads the same entries, expiries and notes back from the
//! rules. Rules of the chain in any other shape (written by hand) are left
//! alone and are not entries. For big lists, [`Storage::Set`] keeps the
//! entries in a kernel set matched by one rule of the chain instead.
//!
//! Each operation decides from the handle's view of the chain (on
//! nf_tables only the list's chain is read) and commits at once, as one
//! atomic commit of the few rule changes it makes (on nf_tables, one rule
//! message for one entry), together with whatever else was pending on the
//! handle. When it fails, nothing of it lands and the handle is refreshed
//! (its pending changes are dropped). A handle kept open sees what others
//! changed since its last read only after [`Handle::refresh`]; its commits
//! never undo their changes (the handle replays its own onto a fresh read),
//! and an entry or chain another writer removed meanwhile makes the
//! operation decide again from a fresh read. The one trace a stale view can
//! leave: the same entry added by two writers at once may be two rules;
//! [`AddrList::remove`] removes both.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use iptkit::lists::{Added, AddrList, Direction};
//! use iptkit::{Error, Family, Handle};
//! iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
//! let mut h = Handle::open(Family::Ipv4, "filter")?;
//! let list = AddrList::blocklist("blocked", Direction::Input)?.protect(["10.0.0.0/8".parse()?]);
//! let ttl = Some(Duration::from_secs(600));
//! assert_eq!(list.add(&mut h, "192.0.2.7".parse()?, ttl, "port scan")?, Added::New);
//! assert_eq!(list.add(&mut h, "192.0.2.7".parse()?, None, "")?, Added::Extended); // now permanent
//! assert!(matches!(list.add(&mut h, "10.1.2.3".parse()?, None, ""), Err(Error::Protected { .. })));
//!
//! let mut again = Handle::open(Family::Ipv4, "filter")?; // as a restarted program would
//! let entries = list.entries(&mut again)?;
//! assert_eq!((entries.len(), entries[0].comment.as_str()), (1, "port scan"));
//! assert!(list.expire(&mut again, SystemTime::now())?.is_empty());
//! assert!(list.remove(&mut again, "192.0.2.7".parse()?, None)?.is_some());
//! # Ok::<(), iptkit::Error>(())
//! ```

mod entry;
mod in_set;
mod ttl;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

pub use entry::{Entry, MAX_NOTE};
pub use ttl::parse_ttl;

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::comment::Comment;
use crate::matches::Match;
use crate::rule::Rule;
use crate::ruleset::{check_chain_name, hook_of};
use crate::targets::Target;

/// What names an entry: its network and interface.
type Key = (Net, Option<Iface>);

/// Where each entry of a chain is first, and what it holds.
type Index = HashMap<Key, (usize, Entry)>;

/// Where a list sits: the built-in chain that jumps to it, and which
/// address of a packet it tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Hooked from `INPUT`; tests the source (`-s`, `-i`).
    Input,
    /// Hooked from `OUTPUT`; tests the destination (`-d`, `-o`).
    Output,
    /// Hooked from `FORWARD`; tests the source (`-s`, `-i`).
    Forward,
}

impl Direction {
    /// The built-in chain that jumps to the list.
    pub fn hook(self) -> &'static str {
        match self {
            Direction::Input => "INPUT",
            Direction::Output => "OUTPUT",
            Direction::Forward => "FORWARD",
        }
    }

    /// True when the list tests the destination address (output).
    pub fn tests_destination(self) -> bool {
        self == Direction::Output
    }
}

impl fmt::Display for Direction {
    /// `input`, `output`, `forward`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Forward => "forward",
        })
    }
}

impl FromStr for Direction {
    type Err = Error;

    /// `input`, `output` or `forward` (any case).
    fn from_str(s: &str) -> Result<Direction> {
        match s.to_ascii_lowercase().as_str() {
            "input" => Ok(Direction::Input),
            "output" => Ok(Direction::Output),
            "forward" => Ok(Direction::Forward),
            _ => Err(Error::InvalidValue {
                option: "list direction".into(),
                value: s.into(),
                reason: "not input, output or forward".into(),
            }),
        }
    }
}

/// What a list does with the packets of its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `-j DROP`: a block list. Its entries are checked against the
    /// protected networks.
    Drop,
    /// `-j ACCEPT`: an allow list.
    Accept,
}

impl Action {
    /// The verdict of the entries' rules.
    pub fn target(self) -> Target {
        match self {
            Action::Drop => Target::Drop,
            Action::Accept => Target::Accept,
        }
    }
}

impl fmt::Display for Action {
    /// `drop`, `accept`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Drop => "drop",
            Action::Accept => "accept",
        })
    }
}

impl FromStr for Action {
    type Err = Error;

    /// `drop` or `accept` (any case).
    fn from_str(s: &str) -> Result<Action> {
        match s.to_ascii_lowercase().as_str() {
            "drop" => Ok(Action::Drop),
            "accept" => Ok(Action::Accept),
            _ => Err(Error::InvalidValue {
                option: "list action".into(),
                value: s.into(),
                reason: "not drop or accept".into(),
            }),
        }
    }
}

/// Where the entries are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Storage {
    /// One rule per entry in the list's chain (the default): expiry, note,
    /// interface and counters per entry, and nothing but the xtables /
    /// nf_tables rules iptables itself reads. A packet walks the entries
    /// one by one: for a few thousand entries.
    #[default]
    Rules,
    /// A kernel set ([`crate::set`], an ipset `hash:net` with timeouts)
    /// named after the chain (`CHAIN` for IPv4, `CHAIN-v6` for IPv6), and
    /// one rule in the chain matching it (`-m set --match-set CHAIN src -j
    /// DROP`; `dst` on output): one hash lookup per packet, one message per
    /// entry added, for lists of any size. An entry is a network (prefix
    /// length) with an expiry, which the kernel keeps as the entry's
    /// timeout (at most [`crate::set::MAX_TIMEOUT`] seconds, about 24
    /// days) and acts on itself; an interface or a note is refused, and
    /// entries have no counters. Adding an entry the set already matches
    /// sets its expiry anew ([`Added::Extended`]), as the kernel does.
    Set,
}

/// What [`AddrList::add`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Added {
    /// The entry was not there: its rule was added.
    New,
    /// It was there with an earlier expiry: its rule now carries the later
    /// one (and the new note, when one was given). In a list kept in a set
    /// ([`Storage::Set`]): the set already matched it, and its expiry is
    /// now the one given.
    Extended,
    /// It was there, expiring no earlier: nothing changed.
    Unchanged,
}

/// A managed list of networks in a chain of its own (see the [module
/// page](self) for the layout and the comment format).
///
/// An entry is a network and an optional interface: the same network on two
/// interfaces is two entries. Adding an entry that is there already is a
/// no-op, unless the new expiry is later (a permanent one is the latest):
/// then the entry is extended. An add never shortens an entry; remove it
/// and add it again to do that.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AddrList {
    chain: String,
    direction: Direction,
    action: Action,
    protected: Vec<Net>,
    storage: Storage,
}

impl AddrList {
    /// A list in the user chain `chain` (created at its first entry, or by
    /// [`AddrList::install`]). The name is checked as iptables checks it.
    pub fn new(chain: &str, direction: Direction, action: Action) -> Result<AddrList> {
        check_chain_name(chain)?;
        if hook_of(chain).is_some() {
            return Err(Error::BuiltinChain {
                chain: chain.into(),
                reason: "a managed list needs a user chain of its own",
            });
        }
        Ok(AddrList {
            chain: chain.into(),
            direction,
            action,
            protected: Vec::new(),
            storage: Storage::Rules,
        })
    }

    /// A list that drops its entries' packets.
    pub fn blocklist(chain: &str, direction: Direction) -> Result<AddrList> {
        AddrList::new(chain, direction, Action::Drop)
    }

    /// A list that accepts its entries' packets.
    pub fn allowlist(chain: &str, direction: Direction) -> Result<AddrList> {
        AddrList::new(chain, direction, Action::Accept)
    }

    /// Adds networks that can never be blocked: on a [`Action::Drop`] list,
    /// an entry overlapping one of them is refused with [`Error::Protected`]
    /// and nothing changes. (Networks of both families may be given; each
    /// is checked against entries of its own.)
    pub fn protect(mut self, nets: impl IntoIterator<Item = Net>) -> AddrList {
        self.protected.extend(nets);
        self
    }

    /// Sets where the entries are kept.
    pub fn storage(mut self, storage: Storage) -> AddrList {
        self.storage = storage;
        self
    }

    /// The list's chain.
    pub fn chain(&self) -> &str {
        &self.chain
    }

    /// Where the list sits.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// What it does.
    pub fn action(&self) -> Action {
        self.action
    }

    /// The protected networks.
    pub fn protected(&self) -> &[Net] {
        &self.protected
    }

    /// Where the entries are kept.
    pub fn kept_in(&self) -> Storage {
        self.storage
    }

    /// Checks `net` as an add would: [`Error::Protected`] when this is a
    /// drop list and `net` overlaps a protected network.
    pub fn check(&self, net: &Net) -> Result<()> {
        if self.action != Action::Drop {
            return Ok(());
        }
        match self.protected.iter().find(|p| p.overlaps(net)) {
            Some(p) => Err(Error::Protected {
                net: net.to_string(),
                protected: p.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The jump from the hook chain to the list.
    pub fn hook_rule(&self, family: Family) -> Rule {
        Rule::new(family).with_target(Target::Jump(self.chain.clone()))
    }

    /// The rule that holds `entry` (counters aside).
    pub fn entry_rule(&self, family: Family, entry: &Entry) -> Result<Rule> {
        if entry.net.family() != family {
            return Err(Error::InvalidAddress(format!(
                "{} is not an {family:?} address",
                entry.net
            )));
        }
        let mut rule = Rule::new(family);
        let iface = entry.iface.clone().map(Inv::is);
        if self.direction.tests_destination() {
            rule.dst = Some(Inv::is(entry.net));
            rule.out_iface = iface;
        } else {
            rule.src = Some(Inv::is(entry.net));
            rule.in_iface = iface;
        }
        Ok(rule
            .with_match(Comment::new(&entry.rule_comment()?))
            .with_target(self.action.target())
            .normalized())
    }

    /// The entry a rule of the list's chain holds; `None` for a rule in
    /// any other shape.
    pub fn entry_of(&self, rule: &Rule) -> Option<Entry> {
        if rule.target != self.action.target()
            || rule.proto.is_some()
            || rule.fragment.is_some()
            || rule.foreign.is_some()
        {
            return None;
        }
        let [Match::Comment(comment)] = rule.matches.as_slice() else {
            return None;
        };
        let (expires, note) = entry::parse_comment(comment.to_str()?)?;
        let (net, other, iface, other_iface) = if self.direction.tests_destination() {
            (&rule.dst, &rule.src, &rule.out_iface, &rule.in_iface)
        } else {
            (&rule.src, &rule.dst, &rule.in_iface, &rule.out_iface)
        };
        let plain = |n: &Option<Inv<Net>>| n.as_ref().is_none_or(|n| n.value.is_any());
        if !plain(other) || other_iface.is_some() || net.as_ref().is_some_and(|n| n.invert) {
            return None;
        }
        if iface.as_ref().is_some_and(|i| i.invert) {
            return None;
        }
        Some(Entry {
            net: net.map_or(Net::any(rule.family), |n| n.value),
            iface: iface.as_ref().map(|i| i.value.clone()),
            expires,
            comment: note,
            counters: rule.counters,
        })
    }

    /// The entries, in rule order, with their counters as the handle last
    /// read them (a list kept in a set: in address order, read from the
    /// set now, without counters). No chain yet: no entries.
    pub fn entries(&self, h: &mut Handle) -> Result<Vec<Entry>> {
        if self.storage == Storage::Set {
            return in_set::entries(self, h.family());
        }
        Ok(self
            .rules(h)?
            .iter()
            .filter_map(|r| self.entry_of(r))
            .collect())
    }

    /// The entry of `net` on `iface` (`None`: on any interface), if there
    /// is one.
    pub fn get(&self, h: &mut Handle, net: Net, iface: Option<&Iface>) -> Result<Option<Entry>> {
        if self.storage == Storage::Set {
            let entries = in_set::entries(self, h.family())?;
            let same = |e: &Entry| e.net == net && e.iface.as_ref() == iface;
            return Ok(entries.into_iter().find(same));
        }
        Ok(self.find(h, net, iface)?.first().map(|(_, e)| e.clone()))
    }

    /// The entries whose network holds `addr`, on whatever interface: what
    /// the list does to a packet from (to, on output) `addr`.
    pub fn lookup(&self, h: &mut Handle, addr: IpAddr) -> Result<Vec<Entry>> {
        if self.storage == Storage::Set {
            return in_set::lookup(self, h.family(), addr);
        }
        let mut entries = self.entries(h)?;
        entries.retain(|e| e.net.contains(addr));
        Ok(entries)
    }

    /// Adds `net` (on any interface) for `ttl` (`None`: for good) with a
    /// note, as [`AddrList::add_entry`] does.
    pub fn add(
        &self,
        h: &mut Handle,
        net: Net,
        ttl: Option<Duration>,
        comment: &str,
    ) -> Result<Added> {
        self.add_entry(h, Entry::new(net).ttl(ttl).with_comment(comment))
    }

    /// Adds an entry, creating and hooking the chain first if it does not
    /// exist (in the same commit). Already there: extended when the new
    /// expiry is later (the note then becomes the new one, unless that is
    /// empty), else unchanged. Refused, with nothing changed, when the
    /// network is of the other family, overlaps a protected network
    /// ([`Error::Protected`]), or the note does not fit ([`MAX_NOTE`]).
    pub fn add_entry(&self, h: &mut Handle, entry: Entry) -> Result<Added> {
        Ok(self.add_entries(h, [entry])?[0])
    }

    /// Adds entries as [`AddrList::add_entry`] does, all in one commit:
    /// every one is checked before anything changes, and either all land or
    /// none. What happened to each, in order (an entry given twice is
    /// [`Added::Unchanged`] or [`Added::Extended`] the second time).
    pub fn add_entries(
        &self,
        h: &mut Handle,
        entries: impl IntoIterator<Item = Entry>,
    ) -> Result<Vec<Added>> {
        let family = h.family();
        let entries: Vec<Entry> = entries.into_iter().collect();
        for e in &entries {
            self.check(&e.net)?;
            if e.net.family() != family {
                return Err(Error::InvalidAddress(format!(
                    "{} is not an {family:?} address",
                    e.net
                )));
            }
        }
        if self.storage == Storage::Set {
            return in_set::add_entries(self, h, &entries);
        }
        let entries: Vec<(Entry, Rule)> = entries
            .into_iter()
            .map(|e| {
                let rule = self.entry_rule(family, &e)?;
                Ok((e, rule))
            })
            .collect::<Result<_>>()?;
        self.commit(h, |h| {
            self.ensure(h)?;
            // One pass over the chain, however many entries come.
            let (mut len, mut at) = self.index(h)?;
            let mut added = Vec::with_capacity(entries.len());
            for (entry, rule) in &entries {
                let key = (entry.net, entry.iface.clone());
                let Some((pos, old)) = at.get_mut(&key) else {
                    h.append(&self.chain, rule.clone())?;
                    at.insert(key, (len, entry.clone()));
                    len += 1;
                    added.push(Added::New);
                    continue;
                };
                let later = match (entry.expires, old.expires) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(new), Some(old)) => new > old,
                };
                if !later {
                    added.push(Added::Unchanged);
                    continue;
                }
                let mut entry = entry.clone();
                if entry.comment.is_empty() {
                    entry.comment = std::mem::take(&mut old.comment);
                }
                h.replace(&self.chain, *pos, self.entry_rule(h.family(), &entry)?)?;
                *old = entry;
                added.push(Added::Extended);
            }
            Ok(added)
        })
    }

    /// The chain's length, and where each entry is first (with what it
    /// holds).
    fn index(&self, h: &mut Handle) -> Result<(usize, Index)> {
        let rules = self.rules(h)?;
        let mut at = HashMap::new();
        for (pos, rule) in rules.iter().enumerate() {
            if let Some(e) = self.entry_of(rule) {
                at.entry((e.net, e.iface.clone())).or_insert((pos, e));
            }
        }
        Ok((rules.len(), at))
    }

    /// Removes the entry of `net` on `iface` (`None`: the one on any
    /// interface) and returns it; `None` when there was none (not an error).
    pub fn remove(&self, h: &mut Handle, net: Net, iface: Option<&Iface>) -> Result<Option<Entry>> {
        Ok(self
            .remove_entries(h, [(net, iface.cloned())])?
            .pop()
            .flatten())
    }

    /// Removes entries as [`AddrList::remove`] does, all in one commit; what
    /// each removed, in order.
    pub fn remove_entries(
        &self,
        h: &mut Handle,
        keys: impl IntoIterator<Item = (Net, Option<Iface>)>,
    ) -> Result<Vec<Option<Entry>>> {
        let keys: Vec<(Net, Option<Iface>)> = keys.into_iter().collect();
        if self.storage == Storage::Set {
            return in_set::remove(self, h.family(), &keys);
        }
        let wanted: HashSet<&Key> = keys.iter().collect();
        self.commit(h, |h| {
            // One pass over the chain: every rule of every key given (a
            // writer racing us may have left one entry twice).
            let mut found: HashMap<Key, Entry> = HashMap::new();
            let mut doomed = Vec::new();
            for (pos, rule) in self.rules(h)?.iter().enumerate() {
                let Some(e) = self.entry_of(rule) else {
                    continue;
                };
                let key = (e.net, e.iface.clone());
                if wanted.contains(&key) {
                    doomed.push(pos);
                    found.entry(key).or_insert(e);
                }
            }
            // Last first: the positions before stay where they are.
            for pos in doomed.into_iter().rev() {
                h.delete(&self.chain, pos)?;
            }
            // A key given twice removed its entry once.
            Ok(keys.iter().map(|k| found.remove(k)).collect())
        })
    }

    /// Removes every entry due at `now` ([`Entry::is_due`]) in one commit,
    /// and returns them in rule order.
    pub fn expire(&self, h: &mut Handle, now: SystemTime) -> Result<Vec<Entry>> {
        if self.storage == Storage::Set {
            return in_set::expire(self, h.family(), now);
        }
        self.commit(h, |h| {
            let due: Vec<(usize, Entry)> = self
                .rules(h)?
                .iter()
                .enumerate()
                .filter_map(|(pos, r)| self.entry_of(r).map(|e| (pos, e)))
                .filter(|(_, e)| e.is_due(now))
                .collect();
            for (pos, _) in due.iter().rev() {
                h.delete(&self.chain, *pos)?;
            }
            Ok(due.into_iter().map(|(_, e)| e).collect())
        })
    }

    /// Creates the chain and hooks it (a jump at the head of the hook
    /// chain), each only if missing, in one commit. [`AddrList::add`] does
    /// this by itself; this is for a list that should be in place while
    /// empty, or to hook a chain again whose jump was removed.
    pub fn install(&self, h: &mut Handle) -> Result<()> {
        if self.storage == Storage::Set {
            return in_set::install(self, h).map(drop);
        }
        self.commit(h, |h| {
            if !self.ensure(h)? {
                let jump = self.hook_rule(h.family());
                if !h.contains_rule(self.direction.hook(), &jump)? {
                    h.insert(self.direction.hook(), 0, jump)?;
                }
            }
            Ok(())
        })
    }

    /// Removes the list: its jumps, its rules and its chain, in one commit.
    /// Nothing to remove is not an error.
    pub fn uninstall(&self, h: &mut Handle) -> Result<()> {
        self.commit(h, |h| {
            if self.chain_rules(h)?.is_none() {
                return Ok(());
            }
            let jump = self.hook_rule(h.family());
            while h.contains_rule(self.direction.hook(), &jump)? {
                h.delete_rule(self.direction.hook(), &jump)?;
            }
            h.flush(&self.chain)?;
            h.delete_chain(&self.chain)
        })?;
        match self.storage {
            Storage::Set => in_set::destroy(self, h.family()),
            Storage::Rules => Ok(()),
        }
    }

    /// Runs `f` and commits; on failure drops what is pending, so that
    /// nothing of a failed operation lands later. When the handle's view
    /// was stale (another writer removed a rule or the chain this decided
    /// on, found when the commit replayed it onto a fresh read), runs `f`
    /// once more on a fresh read, unless the handle held changes of the
    /// caller's, which the failure dropped.
    fn commit<T>(&self, h: &mut Handle, mut f: impl FnMut(&mut Handle) -> Result<T>) -> Result<T> {
        let clean = !h.is_dirty();
        let mut try_once = |h: &mut Handle| {
            let done = f(h).and_then(|v| h.commit().map(|()| v));
            if done.is_err() {
                // Refresh only forgets what was read and pending: it cannot fail.
                let _ = h.refresh();
            }
            done
        };
        match try_once(h) {
            Err(Error::NoSuchRule { chain, .. } | Error::NoSuchChain(chain))
                if clean && chain == self.chain =>
            {
                try_once(h)
            }
            done => done,
        }
    }

    /// Creates the chain and its jump when the chain is missing; true when
    /// it did.
    fn ensure(&self, h: &mut Handle) -> Result<bool> {
        if self.chain_rules(h)?.is_some() {
            return Ok(false);
        }
        h.new_chain(&self.chain)?;
        h.insert(self.direction.hook(), 0, self.hook_rule(h.family()))?;
        Ok(true)
    }

    /// The rules of the chain; `None` when it does not exist.
    fn chain_rules<'h>(&self, h: &'h mut Handle) -> Result<Option<&'h [Rule]>> {
        match h.rules(&self.chain) {
            Ok(rules) => Ok(Some(rules)),
            Err(Error::NoSuchChain(c)) if c == self.chain => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn rules<'h>(&self, h: &'h mut Handle) -> Result<&'h [Rule]> {
        Ok(self.chain_rules(h)?.unwrap_or_default())
    }

    /// The positions and entries of `net` on `iface`, in rule order.
    fn find(&self, h: &mut Handle, net: Net, iface: Option<&Iface>) -> Result<Vec<(usize, Entry)>> {
        Ok(self
            .rules(h)?
            .iter()
            .enumerate()
            .filter_map(|(pos, r)| self.entry_of(r).map(|e| (pos, e)))
            .filter(|(_, e)| e.net == net && e.iface.as_ref() == iface)
            .collect())
    }
}
