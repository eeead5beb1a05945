//! Which rules of a chain stay when it changes from one list of rules to
//! another: old and new rules paired by what they do ([`Rule::same_spec`]),
//! common head and tail first, then the longest common subsequence of the
//! rest (a linear walk for chains too big for it), and the steps (delete,
//! replace, insert) that the pairing leaves. The nf_tables backend sends
//! those steps as messages; a declarative rule set's diff shows them.

use std::collections::HashSet;

use crate::rule::Rule;

/// Above this many pairs, the rules between the common head and tail are
/// not paired by a longest common subsequence (quadratic time), but by a
/// linear walk.
const LCS_LIMIT: usize = 4_000_000;

/// How far past a mismatch the linear pairing looks for the next match.
const LOOKAHEAD: usize = 16;

/// One change to a chain's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Delete the old rule at this index.
    Delete(usize),
    /// Replace the old rule at this index with the new one at that index.
    Replace(usize, usize),
    /// Insert the new rule at this index before the old rule at that
    /// index (or append, for `None`).
    Insert(usize, Option<usize>),
}

/// Pairs old and new rules: which old index each kept new rule is.
pub(crate) fn pair(old: &[Rule], new: &[Rule]) -> Vec<Option<usize>> {
    let mut kept = vec![None; new.len()];
    let mut head = 0;
    while head < old.len() && head < new.len() && old[head].same_spec(&new[head]) {
        kept[head] = Some(head);
        head += 1;
    }
    let mut tail = 0;
    while tail < old.len() - head
        && tail < new.len() - head
        && old[old.len() - 1 - tail].same_spec(&new[new.len() - 1 - tail])
    {
        kept[new.len() - 1 - tail] = Some(old.len() - 1 - tail);
        tail += 1;
    }
    let (o, n) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    if o.is_empty() || n.is_empty() {
        return kept;
    }
    if o.len().saturating_mul(n.len()) > LCS_LIMIT {
        // Too big to pair exactly: walk both in step, looking a little
        // ahead on either side to get past a few rules inserted or deleted
        // here and there (linear time; a common subsequence, if not always
        // the longest).
        let (mut i, mut j) = (0, 0);
        while i < o.len() && j < n.len() {
            if o[i].same_spec(&n[j]) {
                kept[head + j] = Some(head + i);
                i += 1;
                j += 1;
                continue;
            }
            let skip = (1..=LOOKAHEAD).find_map(|d| {
                if i + d < o.len() && o[i + d].same_spec(&n[j]) {
                    Some((d, 0))
                } else if j + d < n.len() && o[i].same_spec(&n[j + d]) {
                    Some((0, d))
                } else {
                    None
                }
            });
            let (di, dj) = skip.unwrap_or((1, 1));
            i += di;
            j += dj;
        }
        return kept;
    }
    // Longest common subsequence, table from the end.
    let w = n.len() + 1;
    let mut t = vec![0u32; (o.len() + 1) * w];
    for i in (0..o.len()).rev() {
        for j in (0..n.len()).rev() {
            t[i * w + j] = if o[i].same_spec(&n[j]) {
                t[(i + 1) * w + j + 1] + 1
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < o.len() && j < n.len() {
        if o[i].same_spec(&n[j]) {
            kept[head + j] = Some(head + i);
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    kept
}

/// The steps that turn `old` into `new` (counters counting, see
/// [`steps_paired`]).
#[cfg(test)]
fn steps(old: &[Rule], new: &[Rule]) -> Vec<Step> {
    steps_paired(old, new, &pair(old, new), Counted::Yes)
}

/// Whether a kept rule whose counters differ is a step (a replace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Counted {
    /// Yes: a commit sets the counters the new table gives.
    Yes,
    /// No: counters are not part of what is compared (a diff).
    No,
}

/// The steps that turn `old` into `new`, given the pairing: the old rules
/// of a gap between kept rules are replaced by the new rules of the same
/// gap one for one, the rest deleted or inserted. Deletes and replaces
/// name old indices, inserts new ones, in chain order.
pub(crate) fn steps_paired(
    old: &[Rule],
    new: &[Rule],
    kept: &[Option<usize>],
    counted: Counted,
) -> Vec<Step> {
    let kept_old: HashSet<usize> = kept.iter().flatten().copied().collect();
    let mut out = Vec::new();
    // Walk the gaps between kept rules: old rules of a gap are replaced by
    // the new rules of the same gap one for one; the rest deleted or inserted.
    let mut oi = 0;
    let mut nj = 0;
    loop {
        let next_new = (nj..new.len()).find(|&j| kept[j].is_some());
        let next_old = next_new.and_then(|j| kept[j]);
        let old_end = next_old.unwrap_or(old.len());
        let new_end = next_new.unwrap_or(new.len());
        let gap_old: Vec<usize> = (oi..old_end).filter(|i| !kept_old.contains(i)).collect();
        let gap_new: Vec<usize> = (nj..new_end).collect();
        let pairs = gap_old.len().min(gap_new.len());
        for k in 0..pairs {
            out.push(Step::Replace(gap_old[k], gap_new[k]));
        }
        for &i in &gap_old[pairs..] {
            out.push(Step::Delete(i));
        }
        for &j in &gap_new[pairs..] {
            out.push(Step::Insert(j, next_old));
        }
        match (next_new, next_old) {
            (Some(j), Some(i)) => {
                if counted == Counted::Yes && old[i].counters != new[j].counters {
                    out.push(Step::Replace(i, j));
                }
                oi = i + 1;
                nj = j + 1;
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Family;

    fn rules(specs: &[&str]) -> Vec<Rule> {
        specs
            .iter()
            .map(|s| Rule::parse(Family::Ipv4, s).unwrap())
            .collect()
    }

    #[test]
    fn one_insert_is_one_step() {
        let old: Vec<Rule> = (0..1000)
            .map(|i| {
                Rule::parse(
                    Family::Ipv4,
                    &format!("-s 10.0.{}.{} -j DROP", i / 256, i % 256),
                )
                .unwrap()
            })
            .collect();
        let mut new = old.clone();
        new.insert(500, Rule::parse(Family::Ipv4, "-j ACCEPT").unwrap());
        assert_eq!(steps(&old, &new), vec![Step::Insert(500, Some(500))]);
        new.push(Rule::parse(Family::Ipv4, "-j RETURN").unwrap());
        assert_eq!(
            steps(&old, &new),
            vec![Step::Insert(500, Some(500)), Step::Insert(1001, None)]
        );
    }

    proptest::proptest! {
        // Each case parses thousands of rules: a few dozen cases suffice.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// Whatever the edits, and on either side of the LCS limit, the
        /// pairing is a common subsequence: rules of the same spec, in the
        /// same order on both sides.
        #[test]
        fn pairs_are_a_common_subsequence(
            len in 0usize..3_000,
            edits in proptest::collection::vec((0usize..3_000, 0u8..3), 0..40),
        ) {
            let rule = |i: usize| {
                Rule::parse(Family::Ipv4, &format!("-s 10.{}.{}.1", i / 256, i % 256)).unwrap()
            };
            let old: Vec<Rule> = (0..len).map(rule).collect();
            let mut new = old.clone();
            for (at, kind) in edits {
                let at = at.min(new.len());
                match kind {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 => new.insert(at, rule(10_000 + at)),
                    _ if at < new.len() => new[at] = rule(20_000 + at),
                    _ => {}
                }
            }
            let kept = pair(&old, &new);
            let mut last = None;
            for (j, k) in kept.iter().enumerate() {
                if let Some(i) = *k {
                    proptest::prop_assert!(old[i].same_spec(&new[j]));
                    proptest::prop_assert!(last.is_none_or(|l| l < i));
                    last = Some(i);
                }
            }
        }
    }

    #[test]
    fn big_chains_with_scattered_changes_pair_in_linear_time() {
        let old: Vec<Rule> = (0..10_000)
            .map(|i| {
                Rule::parse(Family::Ipv4, &format!("-s 10.0.{}.{}", i / 256, i % 256)).unwrap()
            })
            .collect();
        let mut new = old.clone();
        new.remove(9_999);
        new.remove(5_000);
        new.insert(2_000, Rule::parse(Family::Ipv4, "-j ACCEPT").unwrap());
        new.remove(0);
        assert_eq!(
            steps(&old, &new),
            vec![
                Step::Delete(0),
                Step::Insert(1_999, Some(2_000)),
                Step::Delete(5_000),
                Step::Delete(9_999)
            ]
        );
    }

    #[test]
    fn replace_delete_and_counters() {
        let old = rules(&["-j ACCEPT", "-j DROP", "-j RETURN"]);
        let new = rules(&["-j ACCEPT", "-s 1.2.3.4 -j DROP", "-j RETURN"]);
        assert_eq!(steps(&old, &new), vec![Step::Replace(1, 1)]);
        let new = rules(&["-j ACCEPT", "-j RETURN"]);
        assert_eq!(steps(&old, &new), vec![Step::Delete(1)]);
        let mut new = old.clone();
        new[2].counters.packets = 5;
        assert_eq!(steps(&old, &new), vec![Step::Replace(2, 2)]);
        let new = rules(&["-j RETURN", "-j ACCEPT", "-j DROP"]);
        assert_eq!(
            steps(&old, &new),
            vec![Step::Insert(0, Some(0)), Step::Delete(2)]
        );
        assert_eq!(
            steps(&[], &old),
            vec![
                Step::Insert(0, None),
                Step::Insert(1, None),
                Step::Insert(2, None)
            ]
        );
        assert_eq!(
            steps(&old, &[]),
            vec![Step::Delete(0), Step::Delete(1), Step::Delete(2)]
        );
    }

    #[test]
    fn uncounted_steps_ignore_counters() {
        let old = rules(&["-j ACCEPT", "-j DROP"]);
        let mut new = old.clone();
        new[1].counters.packets = 5;
        assert_eq!(
            steps_paired(&old, &new, &pair(&old, &new), Counted::No),
            vec![]
        );
    }
}
