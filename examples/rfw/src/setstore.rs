//! `storage = "set"`: entries on any interface kept in kernel sets
//! ([`iptkit::set::KernelSet`], `hash:net` ipsets with a timeout per
//! entry) instead of one rule each. Each list chain (`rfw-drop-input`, ...)
//! then holds one rule per family that tests its set
//! (`-m set --match-set rfw-drop-input-4 src -j DROP`): a packet costs one
//! hash lookup however many entries there are, and a block is one message
//! to the kernel, not a table rewrite.
//!
//! The kernel removes an entry when its timeout runs out. An index in
//! memory keeps each entry's expiry (the set itself only says how many
//! seconds are left), so a repeated PUT is answered without asking the
//! kernel; it is rebuilt from the sets at start and on every `GET /list`.
//! Entries on one interface stay rules (a `hash:net` set has no interface).

use std::collections::HashMap;
use std::time::Duration;

use ipnet::IpNet;
use iptkit::set::{Dir, Entry, KernelSet, SetOptions, MAX_TIMEOUT};
use iptkit::{Error, Family, Handle, Rule, Target};

use crate::api::{Action, Direction, Key};
use crate::store::{Listed, Outcome};
use crate::worker::now;

/// The sets of every list and family.
pub struct SetLists {
    sets: Vec<(Direction, Action, Family, KernelSet)>,
    /// Set index and network → expiry (Unix seconds; `None`: never).
    index: HashMap<(usize, IpNet), Option<u64>>,
}

impl SetLists {
    /// Creates the sets that are missing (`PREFIX-ACTION-DIRECTION-4|6`)
    /// and the rule testing each at the end of its list's chain (which
    /// must exist), one commit per family; reads the entries there.
    pub fn open(prefix: &str, v4: &mut Handle, v6: &mut Handle) -> iptkit::Result<SetLists> {
        let mut sets = Vec::new();
        for action in [Action::Drop, Action::Accept] {
            for direction in Direction::ALL {
                for (family, h) in [(Family::Ipv4, &mut *v4), (Family::Ipv6, &mut *v6)] {
                    let suffix = if family == Family::Ipv4 { 4 } else { 6 };
                    let chain = format!("{prefix}-{}-{}", action.word(), direction.word());
                    let name = format!("{chain}-{suffix}");
                    // Timeout 0: an entry stays unless it is given one.
                    let set =
                        KernelSet::create(&name, family, &SetOptions::default().with_timeout(0))?;
                    let dir = match direction {
                        Direction::Output => Dir::Dst,
                        Direction::Input | Direction::Forward => Dir::Src,
                    };
                    let target = match action {
                        Action::Drop => Target::Drop,
                        Action::Accept => Target::Accept,
                    };
                    let rule = Rule::new(family)
                        .with_match(set.matching(dir)?)
                        .with_target(target);
                    if !h.contains_rule(&chain, &rule)? {
                        h.append(&chain, rule)?;
                    }
                    sets.push((direction, action, family, set));
                }
            }
        }
        for h in [v4, v6] {
            if let Err(e) = h.commit() {
                let _ = h.refresh();
                return Err(e);
            }
        }
        let mut lists = SetLists {
            sets,
            index: HashMap::new(),
        };
        lists.list()?;
        Ok(lists)
    }

    fn find(&self, key: &Key) -> usize {
        let family = match key.net {
            IpNet::V4(_) => Family::Ipv4,
            IpNet::V6(_) => Family::Ipv6,
        };
        self.sets
            .iter()
            .position(|(d, a, f, _)| *d == key.direction && *a == key.action && *f == family)
            .expect("a set for every list and family")
    }

    /// The expiry of an entry the index holds and that has not run out.
    fn current(&self, i: usize, net: IpNet) -> Option<Option<u64>> {
        let now = now();
        self.index
            .get(&(i, net))
            .copied()
            .filter(|e| e.is_none_or(|t| t > now))
    }

    /// Adds the entry (`ttl` of at most [`MAX_TIMEOUT`] seconds), or
    /// extends it when the new expiry is later, as a list does.
    pub fn put(
        &mut self,
        key: &Key,
        ttl: Option<Duration>,
    ) -> iptkit::Result<(Outcome, Option<u64>)> {
        let secs = match ttl {
            Some(t) if t.as_secs() > u64::from(MAX_TIMEOUT) => {
                return Err(Error::InvalidValue {
                    option: "wait".into(),
                    value: format!("{}s", t.as_secs()),
                    reason: format!(
                        "with storage = \"set\" an entry lives at most {MAX_TIMEOUT} seconds"
                    ),
                })
            }
            Some(t) => t.as_secs() as u32,
            None => 0,
        };
        let expires = ttl.map(|t| now() + t.as_secs());
        let i = self.find(key);
        let outcome = match self.current(i, key.net) {
            None => Outcome::Added,
            Some(None) => return Ok((Outcome::Unchanged, None)),
            Some(Some(old)) if expires.is_some_and(|new| new <= old) => {
                return Ok((Outcome::Unchanged, Some(old)))
            }
            Some(Some(_)) => Outcome::Extended,
        };
        // Adding an entry that is there sets its timeout anew.
        self.sets[i].3.add(Entry::new(key.net).with_timeout(secs))?;
        self.index.insert((i, key.net), expires);
        Ok((outcome, expires))
    }

    /// Removes the entry if it is there.
    pub fn delete(&mut self, key: &Key) -> iptkit::Result<Outcome> {
        let i = self.find(key);
        let was = self.sets[i].3.remove(Entry::new(key.net))?;
        self.index.remove(&(i, key.net));
        Ok(if was {
            Outcome::Deleted
        } else {
            Outcome::Absent
        })
    }

    /// Drops from the index what the kernel has let run out.
    pub fn forget_expired(&mut self) {
        let now = now();
        self.index.retain(|_, e| e.is_none_or(|t| t > now));
    }

    /// Every entry of every set, read from the kernel; rebuilds the index.
    /// Expiries read back are the kernel's seconds left from now.
    pub fn list(&mut self) -> iptkit::Result<Vec<Listed>> {
        let now = now();
        let mut all = Vec::new();
        let mut index = HashMap::new();
        for (i, (direction, action, _, set)) in self.sets.iter_mut().enumerate() {
            for e in set.list()? {
                // What we set is exact; the kernel's seconds left are rounded.
                let expires = match e.timeout {
                    Some(left) if left > 0 => self
                        .index
                        .get(&(i, e.net))
                        .copied()
                        .flatten()
                        .or(Some(now + u64::from(left))),
                    _ => None,
                };
                index.insert((i, e.net), expires);
                all.push(Listed {
                    key: Key {
                        action: *action,
                        direction: *direction,
                        iface: None,
                        net: e.net,
                    },
                    expires,
                    note: String::new(),
                    packets: 0,
                    bytes: 0,
                    in_set: true,
                });
            }
        }
        self.index = index;
        Ok(all)
    }
}
