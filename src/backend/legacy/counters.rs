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

use iptkit_sys::xtables::xt_counters;

use super::blob::EntryMap;
use crate::rule::Counters;
use crate::ruleset::{Chain, Table};

/// What [`restore`] found.
#[derive(Debug)]
pub(crate) struct Restored {
    /// The counters to add to each entry of the new table, by entry index.
    pub counters: Vec<xt_counters>,
    /// The rules of the new table that pair with no old rule (new or
    /// changed ones), as (chain index, rule index) in `new`.
    pub unpaired: Vec<(usize, usize)>,
}

/// The counters to add to each entry of `new` (laid out as `new_map`
/// says), given the table as read, where its entries were, and the old
/// counters SET_REPLACE returned (by old entry index).
pub(crate) fn restore(
    old: &Table,
    old_map: &EntryMap,
    new: &Table,
    new_map: &EntryMap,
    returned: &[xt_counters],
    num_entries: usize,
) -> Restored {
    let mut out = vec![xt_counters::default(); num_entries];
    let mut unpaired = Vec::new();
    let mut put = |index: usize, c: xt_counters| {
        if let Some(slot) = out.get_mut(index) {
            *slot = c;
        }
    };
    for (ci, chain) in new.chains.iter().enumerate() {
        let Some(new_entries) = new_map.get(&chain.name) else {
            continue;
        };
        let old_chain = old.chain(&chain.name);
        let old_entries = old_map.get(&chain.name);
        // Policies, by chain name.
        if let Some(index) = new_entries.policy {
            let paired = old_chain
                .zip(old_entries.and_then(|e| e.policy))
                .filter(|(c, _)| c.is_builtin());
            put(
                index,
                match paired {
                    Some((oc, oi)) => carry(oc.counters, chain.counters, returned.get(oi)),
                    None => raw(chain.counters),
                },
            );
        }
        // Rules, by an order-preserving pairing.
        let pairs = pairing(old_chain.filter(|_| old_entries.is_some()), chain);
        for (ri, ((rule, &index), paired)) in chain
            .rules
            .iter()
            .zip(&new_entries.rules)
            .zip(pairs)
            .enumerate()
        {
            let pair = paired.and_then(|j| {
                let oc = old_chain?;
                Some((
                    oc.rules.get(j)?.counters,
                    old_entries?.rules.get(j).copied()?,
                ))
            });
            put(
                index,
                match pair {
                    Some((read, oi)) => carry(read, rule.counters, returned.get(oi)),
                    None => {
                        unpaired.push((ci, ri));
                        raw(rule.counters)
                    }
                },
            );
        }
    }
    Restored {
        counters: out,
        unpaired,
    }
}

/// For each rule of `new`, the index of the rule of `old` (the same chain
/// before) it pairs with: the first of the same spec after the previous
/// pairing. `None` for a new or changed rule.
pub(crate) fn pairing(old: Option<&Chain>, new: &Chain) -> Vec<Option<usize>> {
    let mut cursor = 0;
    new.rules
        .iter()
        .map(|rule| {
            let oc = old?;
            let j = (cursor..oc.rules.len()).find(|&j| oc.rules[j].same_spec(rule))?;
            cursor = j + 1;
            Some(j)
        })
        .collect()
}

fn raw(c: Counters) -> xt_counters {
    xt_counters {
        pcnt: c.packets,
        bcnt: c.bytes,
    }
}

/// The counters of a paired entry: `read` when we read the table, `wanted`
/// in the new table, `at_swap` what the kernel returned.
fn carry(read: Counters, wanted: Counters, at_swap: Option<&xt_counters>) -> xt_counters {
    let Some(at_swap) = at_swap else {
        return raw(wanted);
    };
    if wanted == read {
        *at_swap
    } else if wanted == Counters::default() {
        xt_counters {
            pcnt: at_swap.pcnt.saturating_sub(read.packets),
            bcnt: at_swap.bcnt.saturating_sub(read.bytes),
        }
    } else {
        raw(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::super::blob;
    use super::*;
    use crate::addr::Family;
    use crate::rule::Rule;

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

    #[test]
    fn pairs_in_order_and_applies_the_three_cases() {
        let mut old = Table::new(Family::Ipv4, "filter").unwrap();
        old.chains[0].rules = vec![
            rule("-s 1.1.1.1 -j DROP", 10),
            rule("-s 2.2.2.2 -j DROP", 20),
            rule("-s 3.3.3.3 -j DROP", 30),
        ];
        old.chains[0].counters = Counters::new(5, 500);
        let old_enc = blob::encode(&old).unwrap();
        // The kernel counted 1 more packet on every entry since our read.
        let mut returned = vec![c(0); old_enc.num_entries];
        for (i, r) in old_enc.map["INPUT"].rules.iter().zip([11, 21, 31]) {
            returned[*i] = c(r);
        }
        returned[old_enc.map["INPUT"].policy.unwrap()] = c(6);

        let mut new = old.clone();
        let rules = &mut new.chains[0].rules;
        rules.insert(0, rule("-s 9.9.9.9 -j ACCEPT", 0)); // new
        rules[2].counters = Counters::default(); // 2.2.2.2 zeroed
        rules[3].counters = Counters::new(7, 700); // 3.3.3.3 set
        let new_enc = blob::encode(&new).unwrap();
        let restored = restore(
            &old,
            &old_enc.map,
            &new,
            &new_enc.map,
            &returned,
            new_enc.num_entries,
        );
        assert_eq!(restored.unpaired, [(0, 0)]);
        let add = restored.counters;
        let idx = &new_enc.map["INPUT"];
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
        let old_enc = blob::encode(&old).unwrap();
        let returned: Vec<_> = (0..old_enc.num_entries as u64).map(|i| c(i + 1)).collect();
        let mut new = old.clone();
        new.chains[0].rules.remove(0);
        let new_enc = blob::encode(&new).unwrap();
        let add = restore(
            &old,
            &old_enc.map,
            &new,
            &new_enc.map,
            &returned,
            new_enc.num_entries,
        )
        .counters;
        let got: Vec<_> = new_enc.map["INPUT"].rules.iter().map(|&i| add[i]).collect();
        // The remaining duplicate pairs with the first old one (counters as
        // read differ: 2 vs 1, so they count as set); 3.3.3.3 keeps its own.
        assert_eq!(got, vec![c(2), c(3)]);
    }
}
