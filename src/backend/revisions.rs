//! Revisions as iptables chooses them: the highest revision of an extension
//! that both the codec and the kernel have.
//!
//! A typed match or target is built at the revision iptables 1.8.9 writes.
//! An older kernel may lack it; iptables then asks the kernel
//! (`IPT_SO_GET_REVISION_MATCH`/`TARGET`) and falls back to an older one.
//! [`fit`] does the same before a table is encoded: each typed value whose
//! revision the kernel lacks is rewritten at the highest older revision the
//! kernel has and the codec can express it in ([`Extension::downgrade`]),
//! or the commit fails with [`Error::Refused`] ([`Refusal::Missing`]) naming
//! the extension and revision.
//!
//! A value at the lowest revision its codec knows has nothing to fall back
//! to and is not asked about here: a kernel without it refuses the table
//! with ENOENT, which is reported as the same error.
//!
//! [`Extension::downgrade`]: crate::extension::Extension::downgrade

use std::collections::HashMap;

use crate::addr::Family;
use crate::error::{Error, Refusal, Result};
use crate::rule::Rule;
use crate::ruleset::Table;
use crate::targets::Target;

/// The kernel's answers to "do you have revision R of extension X", asked
/// once per family, kind and extension.
#[derive(Debug, Default)]
pub(crate) struct RevisionCache {
    /// By extension name: for each of (IPv4 match, IPv4 target, IPv6
    /// match, IPv6 target), the revisions asked (`known`) and the ones the
    /// kernel has (`have`), a bit per revision.
    names: HashMap<String, [Bits; 4]>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Bits {
    known: [u64; 4],
    have: [u64; 4],
}

impl RevisionCache {
    fn slot(family: Family, target: bool) -> usize {
        usize::from(family == Family::Ipv6) * 2 + usize::from(target)
    }

    /// The answer for this revision, if it was asked before.
    pub fn get(&self, family: Family, name: &str, revision: u8, target: bool) -> Option<bool> {
        let bits = self.names.get(name)?[Self::slot(family, target)];
        let (word, bit) = (usize::from(revision / 64), 1u64 << (revision % 64));
        (bits.known[word] & bit != 0).then_some(bits.have[word] & bit != 0)
    }

    /// Remembers an answer.
    pub fn put(&mut self, family: Family, name: &str, revision: u8, target: bool, have: bool) {
        let bits = &mut self.names.entry(name.to_string()).or_default()[Self::slot(family, target)];
        let (word, bit) = (usize::from(revision / 64), 1u64 << (revision % 64));
        bits.known[word] |= bit;
        if have {
            bits.have[word] |= bit;
        } else {
            bits.have[word] &= !bit;
        }
    }
}

/// `table` with every typed match and target at a revision the kernel has:
/// `None` when it is so already. `has(name, revision, target)` says whether
/// the kernel has that revision of that match (`target == false`) or target.
// The legacy commit fits only the rules it encodes, with `fit_in`.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn fit(
    table: &Table,
    has: &mut dyn FnMut(&str, u8, bool) -> Result<bool>,
) -> Result<Option<Table>> {
    let mut out: Option<Table> = None;
    for (ci, chain) in table.chains.iter().enumerate() {
        for (ri, rule) in chain.rules.iter().enumerate() {
            let Some(fitted) = fit_in(table.family, &table.name, &chain.name, rule, has)? else {
                continue;
            };
            let copy = out.get_or_insert_with(|| table.clone());
            if let Some(slot) = copy.chains.get_mut(ci).and_then(|c| c.rules.get_mut(ri)) {
                *slot = fitted;
            }
        }
    }
    Ok(out)
}

/// One rule of chain `chain` of table `table` as [`fit`] fits it: `None`
/// when it is at revisions the kernel has already.
pub(crate) fn fit_in(
    family: Family,
    table: &str,
    chain: &str,
    rule: &Rule,
    has: &mut dyn FnMut(&str, u8, bool) -> Result<bool>,
) -> Result<Option<Rule>> {
    fit_rule(rule, has).map_err(|(revision, shown, is_target)| Error::Refused {
        family,
        table: table.to_string(),
        chain: chain.to_string(),
        rule: rule.to_string(),
        extension: shown,
        is_target,
        revision,
        errno: crate::error::Errno::ENOENT,
        reason: Refusal::Missing,
    })
}

/// What [`fit_rule`] could not fit: the revision asked for, the name as
/// written and whether it is a target.
type Unfit = (u8, String, bool);

/// `rule` with its typed extensions at revisions the kernel has; `None`
/// when they are so already.
fn fit_rule(
    rule: &Rule,
    has: &mut dyn FnMut(&str, u8, bool) -> Result<bool>,
) -> std::result::Result<Option<Rule>, Unfit> {
    let mut out: Option<Rule> = None;
    for (i, m) in rule.matches.iter().enumerate() {
        let fitted = fit_one(m.name(), m.revision(), m.revisions(), false, has, |r| {
            m.downgrade(r)
        })
        .map_err(|r| (r, m.save_name().to_string(), false))?;
        if let Some(v) = fitted {
            if let Some(slot) = out.get_or_insert_with(|| rule.clone()).matches.get_mut(i) {
                *slot = v;
            }
        }
    }
    if let Target::Ext(t) = &rule.target {
        let fitted = fit_one(t.name(), t.revision(), t.revisions(), true, has, |r| {
            t.downgrade(r)
        })
        .map_err(|r| (r, t.save_name().to_string(), true))?;
        if let Some(v) = fitted {
            out.get_or_insert_with(|| rule.clone()).target = Target::Ext(v);
        }
    }
    Ok(out)
}

/// One extension: `Ok(None)` when the kernel has its revision (or it has
/// nothing to fall back to), `Ok(Some(older))` when it was rewritten,
/// `Err(revision)` when it cannot be. A question the kernel cannot answer
/// counts as "yes" for the value's own revision (the kernel then decides
/// at SET_REPLACE) and "no" for older ones.
fn fit_one<T>(
    name: &str,
    revision: u8,
    codec: &[u8],
    target: bool,
    has: &mut dyn FnMut(&str, u8, bool) -> Result<bool>,
    downgrade: impl Fn(u8) -> Option<T>,
) -> std::result::Result<Option<T>, u8> {
    // Untyped, or at the codec's lowest revision: nothing to fall back to.
    if codec.first().is_none_or(|&lowest| revision <= lowest) {
        return Ok(None);
    }
    if has(name, revision, target).unwrap_or(true) {
        return Ok(None);
    }
    for &older in codec.iter().rev().filter(|&&r| r < revision) {
        if has(name, older, target).unwrap_or(false) {
            if let Some(v) = downgrade(older) {
                return Ok(Some(v));
            }
        }
    }
    Err(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel that has only revision 0 of everything, counting questions.
    fn only_zero(asked: &mut usize) -> impl FnMut(&str, u8, bool) -> Result<bool> + '_ {
        move |_, r, _| {
            *asked += 1;
            Ok(r == 0)
        }
    }

    fn table(specs: &[&str]) -> Table {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        for s in specs {
            t.append("INPUT", Rule::parse(Family::Ipv4, s).unwrap())
                .unwrap();
        }
        t
    }

    #[test]
    fn a_value_is_written_at_the_highest_revision_the_kernel_has() {
        let t = table(&[
            "-p tcp -m tcp --dport 22",
            "-m recent --set --name x",
            "-m comment --comment y -m recent --rcheck --name x --mask 255.255.255.255",
        ]);
        let mut asked = 0;
        let fitted = fit(&t, &mut only_zero(&mut asked)).unwrap().unwrap();
        let rules = &fitted.chains[0].rules;
        // tcp has one revision: not asked. recent 1 -> 0, the whole address.
        assert_eq!(rules[0], t.chains[0].rules[0]);
        assert_eq!(rules[1].matches[0].revision(), 0);
        assert_eq!(rules[2].matches[1].revision(), 0);
        assert_eq!(rules[1].to_string(), "-m recent --set --name x --rsource");
        assert_eq!(asked, 4);
        // A kernel with everything: nothing to change.
        assert!(fit(&t, &mut |_, _, _| Ok(true)).unwrap().is_none());
    }

    #[test]
    fn a_value_that_cannot_go_back_is_refused_by_name_and_revision() {
        let t = table(&[
            "-m recent --set --name x --mask 255.255.0.0",
            "-m conntrack --ctstate ESTABLISHED",
        ]);
        let mut asked = 0;
        match fit(&t, &mut only_zero(&mut asked)) {
            Err(Error::Refused {
                chain,
                extension,
                is_target: false,
                revision: 1,
                reason: Refusal::Missing,
                ..
            }) => assert_eq!((chain.as_str(), extension.as_str()), ("INPUT", "recent")),
            other => panic!("{other:?}"),
        }
        // conntrack has no downgrade: refused at the revision it asks for.
        let t = table(&["-m conntrack --ctstate ESTABLISHED"]);
        match fit(&t, &mut |_, r, _| Ok(r < 3)) {
            Err(Error::Refused {
                extension,
                revision: 3,
                ..
            }) => assert_eq!(extension, "conntrack"),
            other => panic!("{other:?}"),
        }
        // An alias is named as written.
        let t = table(&["-m state --state ESTABLISHED"]);
        match fit(&t, &mut |_, _, _| Ok(false)) {
            Err(Error::Refused { extension, .. }) => assert_eq!(extension, "state"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_question_the_kernel_cannot_answer_leaves_the_value_alone() {
        let t = table(&["-m conntrack --ctstate ESTABLISHED"]);
        let mut failing = |_: &str, _: u8, _: bool| -> Result<bool> {
            Err(Error::NotPermitted {
                op: "asking".into(),
            })
        };
        assert!(fit(&t, &mut failing).unwrap().is_none());
    }

    #[test]
    fn targets_too() {
        let t = table(&["-j MARK --set-xmark 0x1/0xff"]);
        match fit(&t, &mut |_, r, target| Ok(!target || r == 0)) {
            Err(Error::Refused {
                extension,
                is_target: true,
                revision: 2,
                ..
            }) => assert_eq!(extension, "MARK"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_cache_remembers_per_family_and_kind() {
        let mut c = RevisionCache::default();
        assert_eq!(c.get(Family::Ipv4, "recent", 1, false), None);
        c.put(Family::Ipv4, "recent", 1, false, false);
        c.put(Family::Ipv4, "recent", 0, false, true);
        c.put(Family::Ipv6, "recent", 200, false, true);
        assert_eq!(c.get(Family::Ipv4, "recent", 1, false), Some(false));
        assert_eq!(c.get(Family::Ipv4, "recent", 0, false), Some(true));
        assert_eq!(c.get(Family::Ipv6, "recent", 1, false), None);
        assert_eq!(c.get(Family::Ipv6, "recent", 200, false), Some(true));
        assert_eq!(c.get(Family::Ipv4, "recent", 0, true), None);
    }
}
