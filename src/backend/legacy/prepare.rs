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

use super::blob::{self, blob_order, Encoded, EntryMap, Writer};
use super::counters::{self, Pairing, Plan};
use super::ipset;
use crate::error::{Error, Result};
use crate::rule::Rule;
use crate::ruleset::Table;

/// The table a commit is based on: as read, or as the last commit left it.
pub(crate) struct Base<'a> {
    /// Its rules, with the counters they had then.
    pub table: &'a Table,
    /// Where each chain's entries are in `blob`.
    pub map: &'a EntryMap,
    /// Its entries.
    pub blob: &'a [u8],
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
    let family = new.family;
    let offsets = blob::entry_offsets(family, base.blob).ok_or_else(|| {
        Error::Malformed("the blob a commit is based on does not hold whole entries".into())
    })?;
    let old_entry = |i: usize| Some(&base.blob[*offsets.get(i)?..*offsets.get(i + 1)?]);
    let rules: usize = new.chains.iter().map(|c| c.rules.len()).sum();
    let mut w = Writer::new(new, base.blob.len() + base.blob.len() / 8 + 4096);
    let mut plan = Plan::with_capacity(rules + new.chains.len());
    let mut sent = Vec::new();
    let mut fresh = Vec::new();
    for (ci, chain) in blob_order(new)? {
        w.begin(chain)?;
        let old_chain = base.table.chain(&chain.name);
        let old_entries = base.map.get(&chain.name);
        let old_rules = match (old_chain, old_entries) {
            (Some(c), Some(_)) => c.rules.as_slice(),
            _ => &[],
        };
        let old_index = |j: usize| old_entries.and_then(|e| e.rules.get(j)).copied();
        let old_key =
            |j: usize| counters::old_key(family, &old_rules[j], old_index(j).and_then(old_entry));
        let mut pairing = Pairing::new(old_rules);
        for (ri, rule) in chain.rules.iter().enumerate() {
            let index = w.next_index();
            let mut paired = pairing.at_cursor(rule);
            let copied = match paired.and_then(old_index).and_then(old_entry) {
                Some(entry) if !ipset::names_sets(rule) => {
                    w.copy(entry, &rule.target)?;
                    debug_assert!(same_as_encoded(&w, rule), "{rule}");
                    true
                }
                _ => false,
            };
            if !copied {
                let (start, as_sent) = if ipset::names_sets(rule) {
                    if paired.is_none() {
                        paired = pairing.find(rule, counters::set_key(rule), old_key);
                    }
                    let fitted = match paired {
                        None => kernel.fit(&chain.name, rule)?,
                        Some(_) => None,
                    };
                    let resolved = kernel.resolve(fitted.as_ref().unwrap_or(rule))?;
                    let as_sent = resolved.or(fitted);
                    (w.rule(as_sent.as_ref().unwrap_or(rule))?, as_sent)
                } else {
                    let start = w.rule(rule)?;
                    if paired.is_none() {
                        let key = blob::entry_key(family, w.written(start), &rule.target);
                        paired = pairing.find(rule, key, old_key);
                    }
                    let fitted = match paired {
                        None => kernel.fit(&chain.name, rule)?,
                        Some(_) => None,
                    };
                    if let Some(f) = &fitted {
                        w.undo(start);
                        w.rule(f)?;
                    }
                    (start, fitted)
                };
                let sent_at = as_sent.map(|r| {
                    sent.push((ci, ri, r));
                    sent.len() - 1
                });
                if paired.is_none() {
                    fresh.push(Fresh {
                        chain: ci,
                        rule: ri,
                        offset: start,
                        sent: sent_at,
                    });
                }
            }
            match paired.and_then(|j| Some((j, old_index(j)?))) {
                Some((j, oi)) => plan.paired(index, oi, old_rules[j].counters, rule.counters),
                None => plan.unpaired(index, rule.counters),
            }
        }
        if let Some(index) = w.end()? {
            let old = old_chain
                .filter(|c| c.is_builtin())
                .zip(old_entries.and_then(|e| e.policy));
            match old {
                Some((oc, oi)) => plan.paired(index, oi, oc.counters, chain.counters),
                None => plan.unpaired(index, chain.counters),
            }
        }
    }
    Ok(Prepared {
        enc: w.finish()?,
        plan,
        sent,
        fresh,
    })
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
