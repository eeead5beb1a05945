//! libiptc's counter map: after SET_REPLACE zeroed every counter, which
//! counters SET_ADD_COUNTERS gives each new entry.
//!
//! New rules are paired with old ones per chain, in order: each new rule
//! takes the first old rule of the same spec at or after the previous
//! pairing (a moved rule may lose its counters; an inserted or deleted one
//! disturbs nothing else). Policies pair by chain name. Then, for a pair:
//! counters as read → the old entry's counters at the moment of the swap
//! (packets counted since our read included); counters zeroed by the user →
//! only what arrived since our read; any other value → exactly that value.
//! A rule without a pair keeps its own counters (zero unless set).
//!
//! All of it but the last arithmetic is worked out before SET_REPLACE
//! ([`Plan`]): a process killed between SET_REPLACE and SET_ADD_COUNTERS
//! loses every counter, so that window holds one pass over the entries.
//!
//! The pairing is linear: the old rule at the cursor is tried first (an
//! unchanged rule, the common case); otherwise an index of the old rules
//! by a key that equal rules share ([`old_key`], [`rule_key`]) finds the
//! candidates, each checked with [`Rule::same_spec`].

use std::hash::{Hash, Hasher};

use iptkit_sys::xtables::xt_counters;

use super::blob::{self, Fx};
use super::ipset;
use crate::addr::Family;
use crate::matches::Match;
use crate::rule::{Counters, Rule};
use crate::ruleset::Chain;
use crate::targets::{Target, TargetExt};

/// Pairs the rules of a chain, in order, with the rules the chain had.
pub(crate) struct Pairing<'a> {
    old: &'a [Rule],
    cursor: usize,
    /// (key, position) of the old rules from some position on, sorted;
    /// built the first time the rule at the cursor is not the pair.
    index: Option<Vec<(u64, u32)>>,
}

impl<'a> Pairing<'a> {
    /// Pairs with `old`, the chain's rules before.
    pub fn new(old: &'a [Rule]) -> Pairing<'a> {
        Pairing {
            old,
            cursor: 0,
            index: None,
        }
    }

    /// The old rule at the cursor, when it is `rule`'s pair.
    pub fn at_cursor(&mut self, rule: &Rule) -> Option<usize> {
        let j = self.cursor;
        if self.old.get(j)?.same_spec(rule) {
            self.cursor = j + 1;
            Some(j)
        } else {
            None
        }
    }

    /// The first old rule of the same spec as `rule` at or after the
    /// cursor, `key` being `rule`'s key and `old_key` giving an old rule's.
    pub fn find(&mut self, rule: &Rule, key: u64, old_key: impl Fn(usize) -> u64) -> Option<usize> {
        let (old, cursor) = (self.old, self.cursor);
        if cursor >= old.len() {
            return None;
        }
        let index = self.index.get_or_insert_with(|| {
            let mut index: Vec<(u64, u32)> = (cursor..old.len())
                .map(|j| (old_key(j), j as u32))
                .collect();
            index.sort_unstable();
            index
        });
        let from = index.partition_point(|&e| e < (key, cursor as u32));
        let j = index[from..]
            .iter()
            .take_while(|&&(k, _)| k == key)
            .map(|&(_, j)| j as usize)
            .find(|&j| old[j].same_spec(rule))?;
        self.cursor = j + 1;
        Some(j)
    }
}

/// The key of a rule of the old table whose entry is `entry` (as the
/// kernel handed it out, or as we wrote it): equal to [`rule_key`] of any
/// rule of the same spec.
pub(crate) fn old_key(family: Family, rule: &Rule, entry: Option<&[u8]>) -> u64 {
    match entry {
        Some(entry) if !ipset::names_sets(rule) => blob::entry_key(family, entry, &rule.target),
        _ => rule_key(family, rule),
    }
}

/// The key of a rule whose entry is not at hand: its entry encoded (into
/// `scratch`), or for a rule that names sets (whose entry holds indexes its
/// value may lack) a hash of its value without the indexes.
pub(crate) fn rule_key(family: Family, rule: &Rule) -> u64 {
    if ipset::names_sets(rule) {
        return set_key(rule);
    }
    let mut entry = Vec::new();
    match blob::put_entry(&mut entry, family, rule) {
        Ok(_) => blob::entry_key(family, &entry, &rule.target),
        // Not encodable: it pairs with nothing anyway.
        Err(_) => 0,
    }
}

/// The key of a rule that names sets: its IP part, the names and
/// revisions of its extensions, the set extensions themselves (their
/// `Hash` agrees with their `PartialEq`) and what its target goes to.
pub(crate) fn set_key(rule: &Rule) -> u64 {
    let mut h = Fx::default();
    (
        &rule.src,
        &rule.dst,
        &rule.in_iface,
        &rule.out_iface,
        &rule.proto,
        &rule.fragment,
    )
        .hash(&mut h);
    for m in &rule.matches {
        (m.name(), m.revision()).hash(&mut h);
        if let Match::Set(s) = m {
            s.hash(&mut h);
        }
    }
    std::mem::discriminant(&rule.target).hash(&mut h);
    match &rule.target {
        Target::Jump(c) | Target::Goto(c) => c.hash(&mut h),
        Target::Ext(TargetExt::Set(t)) => t.hash(&mut h),
        Target::Ext(t) => (t.name(), t.revision()).hash(&mut h),
        _ => {}
    }
    h.finish()
}

/// For each rule of `new`, the index of the rule of `old` (the same chain
/// before) it pairs with: the first of the same spec after the previous
/// pairing. `None` for a new or changed rule.
pub(crate) fn pairing(family: Family, old: Option<&Chain>, new: &Chain) -> Vec<Option<usize>> {
    let old = old.map(|c| c.rules.as_slice()).unwrap_or_default();
    let mut p = Pairing::new(old);
    new.rules
        .iter()
        .map(|rule| {
            p.at_cursor(rule)
                .or_else(|| p.find(rule, rule_key(family, rule), |j| rule_key(family, &old[j])))
        })
        .collect()
}

/// How an entry's counters are worked out once SET_REPLACE returned the
/// old ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Carry {
    /// Exactly this value.
    Set(xt_counters),
    /// The old entry's counters at the swap (`read` if there are none).
    Keep { old: u32, read: xt_counters },
    /// What the old entry counted since it was read.
    Since { old: u32, read: xt_counters },
}

/// The counters SET_ADD_COUNTERS gives the new entries, worked out before
/// SET_REPLACE but for the old counters it returns: the entries not named
/// get zero.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    carries: Vec<(u32, Carry)>,
}

impl Plan {
    /// Room for `n` entries.
    pub fn with_capacity(n: usize) -> Plan {
        Plan {
            carries: Vec::with_capacity(n),
        }
    }

    /// Entry `index` pairs with nothing: it gets its own counters.
    pub fn unpaired(&mut self, index: usize, wanted: Counters) {
        if wanted != Counters::default() {
            self.carries.push((index as u32, Carry::Set(raw(wanted))));
        }
    }

    /// Entry `index` pairs with old entry `old`, whose counters were `read`
    /// when the table was read; `wanted` are the new entry's.
    pub fn paired(&mut self, index: usize, old: usize, read: Counters, wanted: Counters) {
        let Ok(old) = u32::try_from(old) else {
            return self.unpaired(index, wanted);
        };
        let carry = if wanted == read {
            Carry::Keep {
                old,
                read: raw(read),
            }
        } else if wanted == Counters::default() {
            Carry::Since {
                old,
                read: raw(read),
            }
        } else {
            Carry::Set(raw(wanted))
        };
        self.carries.push((index as u32, carry));
    }

    /// The counters of each entry named, given the old counters SET_REPLACE
    /// returned (by old entry index): `put(new entry index, counters)`.
    pub fn apply(&self, returned: &[xt_counters], mut put: impl FnMut(usize, xt_counters)) {
        for &(index, carry) in &self.carries {
            let c = match carry {
                Carry::Set(c) => c,
                Carry::Keep { old, read } => returned.get(old as usize).copied().unwrap_or(read),
                Carry::Since { old, read } => match returned.get(old as usize) {
                    Some(at_swap) => xt_counters {
                        pcnt: at_swap.pcnt.saturating_sub(read.pcnt),
                        bcnt: at_swap.bcnt.saturating_sub(read.bcnt),
                    },
                    None => xt_counters::default(),
                },
            };
            put(index as usize, c);
        }
    }
}

fn raw(c: Counters) -> xt_counters {
    xt_counters {
        pcnt: c.packets,
        bcnt: c.bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::blob;
    use super::super::prepare::{prepare, prepare_owned, Base, Kernel};
    use super::*;
    use crate::error::Result;
    use crate::ruleset::Table;

    /// A kernel that has every revision and every set.
    struct Anything;

    impl Kernel for Anything {
        fn fit(&mut self, _: &str, _: &Rule) -> Result<Option<Rule>> {
            Ok(None)
        }
        fn resolve(&mut self, _: &Rule) -> Result<Option<Rule>> {
            Ok(None)
        }
    }

    fn rule(spec: &str, p: u64) -> Rule {
        let mut r = Rule::parse(Family::Ipv4, spec).unwrap();
        r.counters = Counters::new(p, p * 100);
        r
    }

    fn c(p: u64) -> xt_counters {
        xt_counters {
            pcnt: p,
            bcnt: p * 100,
        }
    }

    /// The counters a commit of `new` onto `old` adds, by entry of `new`,
    /// when the kernel returned `returned`; and the new rules, as (chain,
    /// rule) of `new`.
    fn restore(
        old: &Table,
        new: &Table,
        returned: impl Fn(&blob::Encoded) -> Vec<xt_counters>,
    ) -> (blob::Encoded, Vec<xt_counters>, Vec<(usize, usize)>) {
        let old_enc = blob::encode(old).unwrap();
        let base = Base {
            table: old,
            map: &old_enc.map,
            blob: &old_enc.entries,
            only: None,
        };
        let p = prepare(&base, new, &mut Anything).unwrap();
        // The blob is the one encoding gives, copied rules or not.
        let fresh = blob::encode(new).unwrap();
        assert_eq!(p.enc.entries, fresh.entries);
        assert_eq!(p.enc.map, fresh.map);
        let mut add = vec![xt_counters::default(); p.enc.num_entries];
        p.plan.apply(&returned(&old_enc), |i, c| add[i] = c);
        // Given up to the encoder, the table makes the same blob and plan.
        let owned = prepare_owned(&base, new.clone(), &mut Anything).unwrap();
        assert_eq!(
            (&owned.enc.entries, &owned.enc.map),
            (&p.enc.entries, &p.enc.map)
        );
        let mut add_owned = vec![xt_counters::default(); owned.enc.num_entries];
        owned
            .plan
            .apply(&returned(&old_enc), |i, c| add_owned[i] = c);
        assert_eq!(add_owned, add);
        let unpaired = p.fresh.iter().map(|f| (f.chain, f.rule)).collect();
        (p.enc, add, unpaired)
    }

    #[test]
    fn pairs_in_order_and_applies_the_three_cases() {
        let mut old = Table::new(Family::Ipv4, "filter").unwrap();
        old.chains[0].rules = vec![
            rule("-s 1.1.1.1 -j DROP", 10),
            rule("-s 2.2.2.2 -j DROP", 20),
            rule("-s 3.3.3.3 -j DROP", 30),
        ];
        old.chains[0].counters = Counters::new(5, 500);
        // The kernel counted 1 more packet on every entry since our read.
        let returned = |e: &blob::Encoded| {
            let mut returned = vec![c(0); e.num_entries];
            for (i, r) in e.map["INPUT"].rules.iter().zip([11, 21, 31]) {
                returned[*i] = c(r);
            }
            returned[e.map["INPUT"].policy.unwrap()] = c(6);
            returned
        };
        let mut new = old.clone();
        let rules = &mut new.chains[0].rules;
        rules.insert(0, rule("-s 9.9.9.9 -j ACCEPT", 0)); // new
        rules[2].counters = Counters::default(); // 2.2.2.2 zeroed
        rules[3].counters = Counters::new(7, 700); // 3.3.3.3 set
        let (enc, add, unpaired) = restore(&old, &new, returned);
        assert_eq!(unpaired, [(0, 0)]);
        let idx = &enc.map["INPUT"];
        let got: Vec<_> = idx.rules.iter().map(|&i| add[i]).collect();
        assert_eq!(got, vec![c(0), c(11), c(1), c(7)]);
        assert_eq!(add[idx.policy.unwrap()], c(6));
    }

    #[test]
    fn a_deleted_rule_does_not_shift_the_others() {
        let mut old = Table::new(Family::Ipv4, "filter").unwrap();
        old.chains[0].rules = vec![
            rule("-s 1.1.1.1", 1),
            rule("-s 1.1.1.1", 2),
            rule("-s 3.3.3.3", 3),
        ];
        let returned = |e: &blob::Encoded| (0..e.num_entries as u64).map(|i| c(i + 1)).collect();
        let mut new = old.clone();
        new.chains[0].rules.remove(0);
        let (enc, add, _) = restore(&old, &new, returned);
        let got: Vec<_> = enc.map["INPUT"].rules.iter().map(|&i| add[i]).collect();
        // The remaining duplicate pairs with the first old one (counters as
        // read differ: 2 vs 1, so they count as set); 3.3.3.3 keeps its own.
        assert_eq!(got, vec![c(2), c(3)]);
    }

    /// The pairing as it was specified: for each new rule, a scan from the
    /// previous pairing.
    fn scan(old: &[Rule], new: &[Rule]) -> Vec<Option<usize>> {
        let mut cursor = 0;
        new.iter()
            .map(|rule| {
                let j = (cursor..old.len()).find(|&j| old[j].same_spec(rule))?;
                cursor = j + 1;
                Some(j)
            })
            .collect()
    }

    #[test]
    fn the_linear_pairing_is_the_scan() {
        // Rules drawn from a few specs, so that duplicates, moves, deletes
        // and inserts all happen; jumps and a set among them.
        let specs = [
            "-s 1.1.1.1 -j DROP",
            "-s 1.1.1.1 -j DROP",
            "-p tcp -m tcp --dport 22",
            "-j a",
            "-g a",
            "-m set --match-set s src -j DROP",
            "-m set --match-set t src -j DROP",
            "-p esp -m esp --espspi 0:4294967295",
            "-p esp -m esp",
            "-i eth0 -j ACCEPT",
        ];
        let r = |i: usize| rule(specs[i % specs.len()], i as u64);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..300 {
            let old: Vec<Rule> = (0..next(12)).map(|_| r(next(specs.len()))).collect();
            let new: Vec<Rule> = (0..next(12)).map(|_| r(next(specs.len()))).collect();
            let chain = |rules: Vec<Rule>| {
                let mut t = Table::new(Family::Ipv4, "filter").unwrap();
                t.chains.push(Chain::user("a"));
                t.chains[0].rules = rules;
                t
            };
            let (old_t, new_t) = (chain(old.clone()), chain(new.clone()));
            let want = scan(&old, &new);
            assert_eq!(
                pairing(Family::Ipv4, old_t.chain("INPUT"), &new_t.chains[0]),
                want
            );
            // The commit pairs the same way, with keys from the old blob.
            let (_, _, unpaired) = restore(&old_t, &new_t, |e| vec![c(0); e.num_entries]);
            let want_unpaired: Vec<_> = want
                .iter()
                .enumerate()
                .filter(|(_, p)| p.is_none())
                .map(|(i, _)| (0, i))
                .collect();
            assert_eq!(unpaired, want_unpaired, "{old:?}\n{new:?}");
        }
    }
}
