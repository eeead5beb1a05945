//! [`RulesetDiff`]: what differs between two rule sets, table by table and
//! chain by chain, counters aside.

use std::fmt;

use super::{empty_table, family_name, Ruleset};
use crate::addr::Family;
use crate::pairing::{pair, steps_paired, Counted, Step};
use crate::rule::Rule;
use crate::ruleset::{Chain, Policy, Table};

/// What turns one rule set into another ([`RulesetDiff::new`]), counters
/// aside: per table, per chain, the chains and policies that change and
/// the rules added, removed and changed. Empty when they do the same.
///
/// Its `Display` reads like a unified diff: under a `*table` line (after a
/// `# ipv4` / `# ipv6` line), `-` lines are what only the first rule set
/// has, `+` lines what only the second has, in iptables-save form
/// (`-:INPUT ACCEPT`, `+:INPUT DROP`, `+:web -`, `--A INPUT ...`,
/// `+-A INPUT ...`); a changed rule is its `-` line then its `+` line.
///
/// ```
/// use iptkit::declare::{Ruleset, RulesetDiff};
/// use iptkit::Family;
/// let live = Ruleset::parse(Family::Ipv4, "*filter\n-A INPUT -s 192.0.2.1/32 -j DROP\n\
///                                          -A INPUT -i lo -j ACCEPT\nCOMMIT\n", "live")?;
/// let want = Ruleset::parse(Family::Ipv4, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n\
///                                          -A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", "want")?;
/// let diff = RulesetDiff::new(&live, &want);
/// assert_eq!(diff.to_string(), "# ipv4\n*filter\n-:INPUT ACCEPT\n+:INPUT DROP\n\
///     --A INPUT -s 192.0.2.1/32 -j DROP\n+-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n");
/// assert!(RulesetDiff::new(&want, &want).is_empty());
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RulesetDiff {
    /// The tables that differ, in rule set order.
    pub tables: Vec<TableDiff>,
}

/// What differs in one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDiff {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The table.
    pub table: String,
    /// The chains that differ, in the order of the second rule set's table
    /// (chains only the first has come last).
    pub chains: Vec<ChainDiff>,
}

/// What differs in one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainDiff {
    /// The chain.
    pub chain: String,
    /// A user chain only the second rule set has (`Some(true)`) or only
    /// the first has (`Some(false)`); `None` for a chain both have.
    pub exists: Option<bool>,
    /// A built-in chain's policy, before and after, when it changes.
    pub policy: Option<(Policy, Policy)>,
    /// The rules that differ, in chain order.
    pub rules: Vec<RuleChange>,
}

/// One rule that differs. Positions are 0-based: in the first rule set's
/// chain for what it had, in the second's for what it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleChange {
    /// Only the second rule set has it.
    Added {
        /// Where, in the second rule set's chain.
        pos: usize,
        /// The rule.
        rule: Rule,
    },
    /// Only the first rule set has it.
    Removed {
        /// Where, in the first rule set's chain.
        pos: usize,
        /// The rule.
        rule: Rule,
    },
    /// The rule at `old_pos` became the one at `new_pos` (they sit in the
    /// same place between rules both have).
    Changed {
        /// Where, in the first rule set's chain.
        old_pos: usize,
        /// The rule the first rule set has (boxed: the variant holds two
        /// rules).
        old: Box<Rule>,
        /// Where, in the second rule set's chain.
        new_pos: usize,
        /// The rule the second rule set has.
        new: Box<Rule>,
    },
}

impl RulesetDiff {
    /// What turns `from` into `to`, counters aside, over every table
    /// either holds: a table one of them lacks counts as empty (built-in
    /// chains with policy ACCEPT, no rules), as the kernel makes it.
    pub fn new(from: &Ruleset, to: &Ruleset) -> RulesetDiff {
        let mut tables = Vec::new();
        let mut seen: Vec<(Family, &str)> = Vec::new();
        for t in to.tables().iter().chain(from.tables()) {
            if seen.contains(&(t.family, t.name.as_str())) {
                continue;
            }
            seen.push((t.family, t.name.as_str()));
            let Ok(empty) = empty_table(t.family, &t.name) else {
                continue;
            };
            let old = from.table(t.family, &t.name).unwrap_or(&empty);
            let new = to.table(t.family, &t.name).unwrap_or(&empty);
            let d = table_diff(old, new);
            if !d.chains.is_empty() {
                tables.push(d);
            }
        }
        // In rule set order: IPv4 first, then iptables-nft-save's table
        // order.
        tables.sort_by_key(|d| super::table_rank(d.family, &d.table));
        RulesetDiff { tables }
    }

    /// True when the two rule sets do the same.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// How many rules are added, removed and changed, over every table.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for r in self
            .tables
            .iter()
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
        {
            match r {
                RuleChange::Added { .. } => n.0 += 1,
                RuleChange::Removed { .. } => n.1 += 1,
                RuleChange::Changed { .. } => n.2 += 1,
            }
        }
        n
    }
}

/// What turns table `old` into `new` (same family and name).
pub(crate) fn table_diff(old: &Table, new: &Table) -> TableDiff {
    let mut chains = Vec::new();
    for c in &new.chains {
        let d = match old.chain(&c.name) {
            Some(o) => chain_diff(o, c, None),
            None => chain_diff(&Chain::user(&c.name), c, Some(true)),
        };
        if d.exists.is_some() || d.policy.is_some() || !d.rules.is_empty() {
            chains.push(d);
        }
    }
    for o in old.chains.iter().filter(|o| new.chain(&o.name).is_none()) {
        chains.push(chain_diff(o, &Chain::user(&o.name), Some(false)));
    }
    TableDiff {
        family: new.family,
        table: new.name.clone(),
        chains,
    }
}

fn chain_diff(old: &Chain, new: &Chain, exists: Option<bool>) -> ChainDiff {
    let policy = match (exists, old.policy, new.policy) {
        (None, Some(a), Some(b)) if a != b => Some((a, b)),
        _ => None,
    };
    let (from, to) = (&old.rules[..], &new.rules[..]);
    let rules = match exists {
        Some(true) => to
            .iter()
            .enumerate()
            .map(|(pos, r)| RuleChange::Added {
                pos,
                rule: r.clone(),
            })
            .collect(),
        Some(false) => from
            .iter()
            .enumerate()
            .map(|(pos, r)| RuleChange::Removed {
                pos,
                rule: r.clone(),
            })
            .collect(),
        None => steps_paired(from, to, &pair(from, to), Counted::No)
            .into_iter()
            .map(|s| match s {
                Step::Delete(i) => RuleChange::Removed {
                    pos: i,
                    rule: from[i].clone(),
                },
                Step::Insert(j, _) => RuleChange::Added {
                    pos: j,
                    rule: to[j].clone(),
                },
                Step::Replace(i, j) => RuleChange::Changed {
                    old_pos: i,
                    old: Box::new(from[i].clone()),
                    new_pos: j,
                    new: Box::new(to[j].clone()),
                },
            })
            .collect(),
    };
    ChainDiff {
        chain: new.name.clone(),
        exists,
        policy,
        rules,
    }
}

impl fmt::Display for RulesetDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut family = None;
        for t in &self.tables {
            if family != Some(t.family) {
                writeln!(f, "# {}", family_name(t.family))?;
                family = Some(t.family);
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TableDiff {
    /// `*table`, then the chain lines that differ, then the rule lines,
    /// chain by chain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "*{}", self.table)?;
        for c in &self.chains {
            if let Some((a, b)) = c.policy {
                writeln!(f, "-:{} {a}\n+:{} {b}", c.chain, c.chain)?;
            }
            match c.exists {
                Some(true) => writeln!(f, "+:{} -", c.chain)?,
                Some(false) => writeln!(f, "-:{} -", c.chain)?,
                None => {}
            }
        }
        for c in &self.chains {
            for r in &c.rules {
                match r {
                    RuleChange::Added { rule, .. } => writeln!(f, "+-A {} {rule}", c.chain)?,
                    RuleChange::Removed { rule, .. } => writeln!(f, "--A {} {rule}", c.chain)?,
                    RuleChange::Changed { old, new, .. } => {
                        writeln!(f, "--A {} {old}\n+-A {} {new}", c.chain, c.chain)?
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(f: Family, text: &str) -> Ruleset {
        Ruleset::parse(f, text, "t").unwrap()
    }

    #[test]
    fn chains_policies_and_rules_are_told_apart() {
        let f = Family::Ipv6;
        let a = rs(
            f,
            "*filter\n:old - [0:0]\n-A INPUT -s 2001:db8::1 -j DROP\n-A INPUT -j old\n\
             -A INPUT -i lo -j ACCEPT\n-A old -j RETURN\nCOMMIT\n",
        );
        let b = rs(
            f,
            "*filter\n:FORWARD DROP [0:0]\n:new - [0:0]\n-A INPUT -s 2001:db8::2 -j DROP\n\
             -A INPUT -i lo -j ACCEPT\n-A new -j ACCEPT\nCOMMIT\n*raw\nCOMMIT\n",
        );
        let d = RulesetDiff::new(&a, &b);
        assert_eq!(d.counts(), (1, 2, 1));
        assert_eq!(
            d.to_string(),
            "# ipv6\n*filter\n-:FORWARD ACCEPT\n+:FORWARD DROP\n+:new -\n-:old -\n\
             --A INPUT -s 2001:db8::1/128 -j DROP\n+-A INPUT -s 2001:db8::2/128 -j DROP\n\
             --A INPUT -j old\n+-A new -j ACCEPT\n--A old -j RETURN\n"
        );
        // An empty table and a missing one are the same.
        assert!(RulesetDiff::new(&b, &rs(f, &b.render(f))).is_empty());
        let mut with_empty = b.clone();
        with_empty.add_table(f, "nat").unwrap();
        assert!(RulesetDiff::new(&b, &with_empty).is_empty());
    }

    #[test]
    fn counters_do_not_count() {
        let f = Family::Ipv4;
        let a = rs(f, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n");
        let mut b = a.clone();
        b.edit(f, "filter", |t| {
            t.set_counters("INPUT", 0, crate::Counters::new(5, 500))
        })
        .unwrap();
        assert_ne!(a, b);
        assert!(RulesetDiff::new(&a, &b).is_empty());
    }
}
