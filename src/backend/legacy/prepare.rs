//! What a commit sends, all worked out before SET_REPLACE: the new blob
//! and the counter plan ([`Plan`]), in one pass over the new table.
//!
//! Each rule is paired with the chain's rules before ([`Pairing`]). A rule
//! that pairs is what the kernel holds already: its entry is copied from
//! the base's blob (jump and fallthrough verdicts filled in anew), not
//! encoded; the kernel had its revisions. Any other rule is encoded once:
//! its bytes give the key that looks for a pair further on, and a rule
//! without a pair is fitted to the revisions the kernel has (encoded again
//! only when that changed it). A rule that names a set is always encoded,
//! with its sets' indexes looked up by name.

use super::blob::{self, blob_order, ChainEntries, Encoded, EntryMap, Writer};
use super::counters::{self, Pairing, Plan};
use super::ipset;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::rule::Rule;
use crate::ruleset::{Chain, Table};
use std::borrow::Borrow;
use std::collections::HashMap;

/// The table a commit is based on: as read, or as the last commit left it.
pub(crate) struct Base<'a> {
    /// Its rules, with the counters they had then.
    pub table: &'a Table,
    /// Where each chain's entries are in `blob`.
    pub map: &'a EntryMap,
    /// Its entries.
    pub blob: &'a [u8],
    /// `Some`: only these chains' rules were read; the others' entries
    /// are copied as they are (see [`blob::decode_only`]).
    pub only: Option<&'a crate::backend::Chains>,
}

/// What the kernel has to say about new rules.
pub(crate) trait Kernel {
    /// `rule` (of `chain`) at revisions the kernel has; `None` when it is
    /// so already (see `revisions::fit`).
    fn fit(&mut self, chain: &str, rule: &Rule) -> Result<Option<Rule>>;

    /// `rule` with its sets' indexes; `None` when it has them all.
    fn resolve(&mut self, rule: &Rule) -> Result<Option<Rule>>;
}

/// A commit ready to send.
pub(crate) struct Prepared {
    /// The new table's blob and layout.
    pub enc: Encoded,
    /// The counters for SET_ADD_COUNTERS, but for the ones SET_REPLACE returns.
    pub plan: Plan,
    /// The rules sent in another form than given (fitted to older
    /// revisions, sets given their indexes), as (chain index, rule index,
    /// rule) of the new table.
    pub sent: Vec<(usize, usize, Rule)>,
    /// The rules that pair with no old rule (new or changed ones).
    pub fresh: Vec<Fresh>,
}

/// A rule of the new table that pairs with no old rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fresh {
    /// Index of its chain in the new table.
    pub chain: usize,
    /// Its index in the chain.
    pub rule: usize,
    /// Where its entry starts in the blob.
    pub offset: usize,
    /// Its index in [`Prepared::sent`], when it was sent in another form.
    pub sent: Option<usize>,
}

impl Prepared {
    /// The table as sent: `new` with the rules of [`Prepared::sent`].
    /// `None` when that is `new` itself.
    pub fn sent_table(&self, new: &Table) -> Option<Table> {
        if self.sent.is_empty() {
            return None;
        }
        let mut t = new.clone();
        for (c, r, rule) in &self.sent {
            if let Some(slot) = t.chains.get_mut(*c).and_then(|c| c.rules.get_mut(*r)) {
                *slot = rule.clone();
            }
        }
        Some(t)
    }
}

/// Prepares the commit of `new` onto `base`.
pub(crate) fn prepare(base: &Base, new: &Table, kernel: &mut dyn Kernel) -> Result<Prepared> {
    let count = new.chains.iter().map(|c| c.rules.len()).sum();
    prepare_rules(
        base,
        new,
        count,
        |ci| new.chains[ci].rules.iter(),
        kernel,
        true,
    )
}

/// [`prepare`] of a table given up: each rule is dropped once its entry
/// is written, and the chains' memory is given back as they empty
/// ([`Freeing`]), so that a big table and its blob are never held whole
/// at once. Nothing is kept to give the table back as sent
/// ([`Prepared::sent`] and [`Prepared::fresh`] stay empty).
pub(crate) fn prepare_owned(
    base: &Base,
    mut new: Table,
    kernel: &mut dyn Kernel,
) -> Result<Prepared> {
    let mut rules: Vec<Vec<Rule>> = new
        .chains
        .iter_mut()
        .map(|c| std::mem::take(&mut c.rules))
        .collect();
    let count = rules.iter().map(Vec::len).sum();
    let chain = |ci: usize| Freeing::new(std::mem::take(&mut rules[ci]));
    prepare_rules(base, &new, count, chain, kernel, false)
}

/// [`prepare`], the rules of chain `ci` of `new` given by `rules(ci)`
/// (`count` in all); `record`: keep what [`Prepared::sent_table`] and the
/// table as sent need.
fn prepare_rules<I, R>(
    base: &Base,
    new: &Table,
    count: usize,
    mut rules: impl FnMut(usize) -> I,
    kernel: &mut dyn Kernel,
    record: bool,
) -> Result<Prepared>
where
    I: ExactSizeIterator<Item = R>,
    R: Borrow<Rule>,
{
    let offsets = blob::entry_offsets(new.family, base.blob).ok_or_else(|| {
        Error::Malformed("the blob a commit is based on does not hold whole entries".into())
    })?;
    let mut p = Preparer {
        w: Writer::new(new, base.blob.len() + base.blob.len() / 8 + 4096),
        plan: Plan::with_capacity(count + new.chains.len()),
        sent: Vec::new(),
        fresh: Vec::new(),
        record,
        kernel,
    };
    // Where the old blob's user chains start, for the jumps of entries
    // copied without their rule.
    let bodies: HashMap<usize, &str> = match base.only {
        Some(_) => base
            .map
            .iter()
            .filter_map(|(name, e)| Some((*offsets.get(e.body?)?, name.as_str())))
            .collect(),
        None => HashMap::new(),
    };
    for (ci, chain) in blob_order(new)? {
        let old = Old {
            family: new.family,
            chain: base.table.chain(&chain.name),
            entries: base.map.get(&chain.name),
            blob: base.blob,
            offsets: &offsets,
        };
        match base.only {
            Some(only) if !only.contains(&chain.name) && old.entries.is_some() => {
                p.unread_chain(chain, &old, &bodies)?
            }
            _ => p.chain(ci, chain, rules(ci), &old)?,
        }
    }
    Ok(Prepared {
        enc: p.w.finish()?,
        plan: p.plan,
        sent: p.sent,
        fresh: p.fresh,
    })
}

/// A vector's elements by value and in order, its memory given back as it
/// empties, a MiB at a time (the allocator can then hand it out again, or
/// return it to the system).
struct Freeing<T> {
    /// The elements left, last first.
    left: Vec<T>,
}

impl<T> Freeing<T> {
    /// Bytes of room left unused before they are given back.
    const STEP: usize = 1 << 20;

    fn new(mut v: Vec<T>) -> Freeing<T> {
        v.reverse();
        Freeing { left: v }
    }
}

impl<T> Iterator for Freeing<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let item = self.left.pop()?;
        let unused = self.left.capacity() - self.left.len();
        if unused * std::mem::size_of::<T>() >= Self::STEP {
            self.left.shrink_to_fit();
        }
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left.len(), Some(self.left.len()))
    }
}

impl<T> ExactSizeIterator for Freeing<T> {}

/// A chain as the base has it.
struct Old<'a> {
    family: Family,
    chain: Option<&'a Chain>,
    entries: Option<&'a ChainEntries>,
    blob: &'a [u8],
    /// Where each entry of `blob` starts, then its end.
    offsets: &'a [usize],
}

impl<'a> Old<'a> {
    /// Its rules, when the base has the chain and its entries.
    fn rules(&self) -> &'a [Rule] {
        match (self.chain, self.entries) {
            (Some(c), Some(_)) => &c.rules,
            _ => &[],
        }
    }

    /// Entry index of rule `j`.
    fn index(&self, j: usize) -> Option<usize> {
        self.entries?.rules.get(j).copied()
    }

    /// The entry of rule `j`.
    fn entry(&self, j: usize) -> Option<&'a [u8]> {
        let i = self.index(j)?;
        self.blob
            .get(*self.offsets.get(i)?..*self.offsets.get(i + 1)?)
    }

    /// The pairing key of rule `j`.
    fn key(&self, j: usize) -> u64 {
        counters::old_key(self.family, &self.rules()[j], self.entry(j))
    }
}

/// The state of [`prepare`].
struct Preparer<'t, 'k> {
    w: Writer<'t>,
    plan: Plan,
    sent: Vec<(usize, usize, Rule)>,
    fresh: Vec<Fresh>,
    /// Keep [`Preparer::sent`] and [`Preparer::fresh`].
    record: bool,
    kernel: &'k mut dyn Kernel,
}

impl<'t> Preparer<'t, '_> {
    /// Writes chain `chain` (index `ci` in the new table), whose rules are
    /// `rules`, paired with `old`.
    fn chain<R: Borrow<Rule>>(
        &mut self,
        ci: usize,
        chain: &'t Chain,
        rules: impl ExactSizeIterator<Item = R>,
        old: &Old,
    ) -> Result<()> {
        self.w.begin(chain, rules.len())?;
        let mut pairing = Pairing::new(old.rules());
        for (ri, rule) in rules.enumerate() {
            let rule = rule.borrow();
            let index = self.w.next_index();
            let paired = self.rule((ci, ri), &chain.name, rule, old, &mut pairing)?;
            match paired.and_then(|j| Some((j, old.index(j)?))) {
                Some((j, oi)) => {
                    let read = old.rules()[j].counters;
                    self.plan.paired(index, oi, read, rule.counters)
                }
                None => self.plan.unpaired(index, rule.counters),
            }
        }
        self.end(chain, old)
    }

    /// Writes a chain whose rules were not read: its entries as the base
    /// has them (nothing can have changed them: a change to a chain reads
    /// it first), each keeping its counters.
    fn unread_chain(
        &mut self,
        chain: &'t Chain,
        old: &Old,
        bodies: &HashMap<usize, &str>,
    ) -> Result<()> {
        self.w
            .begin(chain, old.entries.map_or(0, |e| e.rules.len()))?;
        for &oi in old.entries.map_or(&[][..], |e| &e.rules) {
            let (Some(&from), Some(&to)) = (old.offsets.get(oi), old.offsets.get(oi + 1)) else {
                return Err(Error::Malformed("an entry beyond the blob read".into()));
            };
            let entry = &old.blob[from..to];
            let index = self.w.next_index();
            self.w
                .copy_with(entry, blob::raw_fixup(old.family, entry, from, bodies)?)?;
            let read = blob::counters_of(old.family, entry);
            self.plan.paired(index, oi, read, read);
        }
        self.end(chain, old)
    }

    /// Closes the open chain: its policy, paired with the old one.
    fn end(&mut self, chain: &Chain, old: &Old) -> Result<()> {
        if let Some(index) = self.w.end()? {
            let policy = old
                .chain
                .filter(|c| c.is_builtin())
                .zip(old.entries.and_then(|e| e.policy));
            match policy {
                Some((oc, oi)) => self.plan.paired(index, oi, oc.counters, chain.counters),
                None => self.plan.unpaired(index, chain.counters),
            }
        }
        Ok(())
    }

    /// Writes rule `rule` (at `at`, (chain index, rule index), in the new
    /// table) of chain `chain`. Returns the old rule it pairs with.
    fn rule(
        &mut self,
        at: (usize, usize),
        chain: &str,
        rule: &Rule,
        old: &Old,
        pairing: &mut Pairing,
    ) -> Result<Option<usize>> {
        let mut paired = pairing.at_cursor(rule);
        let sets = ipset::names_sets(rule);
        if let (Some(entry), false) = (paired.and_then(|j| old.entry(j)), sets) {
            self.w.copy(entry, &rule.target)?;
            debug_assert!(same_as_encoded(&self.w, rule), "{rule}");
            return Ok(paired);
        }
        let (start, as_sent) = if sets {
            // The value without set indexes is the key; encoded once the
            // indexes are known.
            if paired.is_none() {
                paired = pairing.find(rule, counters::set_key(rule), |j| old.key(j));
            }
            let fitted = match paired {
                None => self.kernel.fit(chain, rule)?,
                Some(_) => None,
            };
            let resolved = self.kernel.resolve(fitted.as_ref().unwrap_or(rule))?;
            let as_sent = resolved.or(fitted);
            (self.w.rule(as_sent.as_ref().unwrap_or(rule))?, as_sent)
        } else {
            // The entry is the key; encoded again only when fitting to the
            // kernel's revisions changed it.
            let start = self.w.rule(rule)?;
            if paired.is_none() {
                let key = blob::entry_key(old.family, self.w.written(start), &rule.target);
                paired = pairing.find(rule, key, |j| old.key(j));
            }
            let fitted = match paired {
                None => self.kernel.fit(chain, rule)?,
                Some(_) => None,
            };
            if let Some(f) = &fitted {
                self.w.undo(start);
                self.w.rule(f)?;
            }
            (start, fitted)
        };
        if !self.record {
            return Ok(paired);
        }
        let sent = as_sent.map(|r| {
            self.sent.push((at.0, at.1, r));
            self.sent.len() - 1
        });
        if paired.is_none() {
            self.fresh.push(Fresh {
                chain: at.0,
                rule: at.1,
                offset: start,
                sent,
            });
        }
        Ok(paired)
    }
}

/// Debug builds: a copied entry is exactly what encoding the rule gives.
fn same_as_encoded(w: &Writer, rule: &Rule) -> bool {
    let copied = w.last_entry();
    let mut encoded = Vec::new();
    match blob::put_entry(&mut encoded, rule.family, rule) {
        // Verdicts aside: a copied jump is filled in, an encoded one not yet.
        Ok(blob::Fixup::None) => encoded == copied,
        Ok(_) => {
            let n = encoded.len();
            n == copied.len()
                && encoded[..n - blob::VERDICT_FROM_END] == copied[..n - blob::VERDICT_FROM_END]
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Freeing;

    #[test]
    fn freeing_hands_out_in_order_and_gives_room_back() {
        let mut f = Freeing::new((0..300_000u64).collect());
        assert_eq!(f.len(), 300_000);
        assert!(f.by_ref().take(200_000).eq(0..200_000));
        // At most a step of room is left unused.
        let unused = (f.left.capacity() - f.left.len()) * 8;
        assert!(unused < Freeing::<u64>::STEP, "{unused}");
        assert!(f.eq(200_000..300_000));
    }
}
