//! [`Table`] and [`Chain`] as plain data: what a table holds, without I/O.
//!
//! Chain order follows libiptc, so that printing and encoding give the bytes
//! the iptables tools give: built-in chains in hook order, then user chains
//! sorted by name (byte order).

use std::fmt;
use std::str::FromStr;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::rule::{Counters, Rule};
use crate::targets::{Target, TargetExt};

/// Policy of a built-in chain: what happens to a packet no rule of the
/// chain decided on.
///
/// ```
/// use iptkit::Policy;
/// assert_eq!("DROP".parse::<Policy>()?, Policy::Drop);
/// assert_eq!(Policy::default().to_string(), "ACCEPT");
/// assert!("REJECT".parse::<Policy>().is_err()); // a policy is a verdict, not a target
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `ACCEPT`.
    #[default]
    Accept,
    /// `DROP`.
    Drop,
}

impl fmt::Display for Table {
    /// The table as iptables-legacy-save prints it, without counters (see
    /// [`save_table_as`](crate::syntax::restore::save_table_as) for the
    /// others).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::syntax::restore::save_table(self, false))
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::Accept => "ACCEPT",
            Policy::Drop => "DROP",
        })
    }
}

impl FromStr for Policy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Policy> {
        match s {
            "ACCEPT" => Ok(Policy::Accept),
            "DROP" => Ok(Policy::Drop),
            _ => Err(Error::value(
                "policy",
                s,
                "a built-in chain's policy is ACCEPT or DROP",
            )),
        }
    }
}

/// The netfilter hooks, in the kernel's order (`NF_INET_*`).
pub const HOOKS: [&str; 5] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/// The built-in chains of a table, in hook order, or `None` for a table the
/// crate does not know.
pub fn builtin_chains(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "filter" => &["INPUT", "FORWARD", "OUTPUT"],
        "nat" => &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        "mangle" => &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        "raw" => &["PREROUTING", "OUTPUT"],
        "security" => &["INPUT", "FORWARD", "OUTPUT"],
        _ => return None,
    })
}

/// The hook number (`NF_INET_*`) of a built-in chain name.
pub fn hook_of(chain: &str) -> Option<usize> {
    HOOKS.iter().position(|h| *h == chain)
}

/// One chain: a built-in chain has a policy, a user chain has none.
///
/// ```
/// use iptkit::{Chain, Family, Policy, Table};
/// let nat = Table::new(Family::Ipv4, "nat")?;
/// let names: Vec<&str> = nat.chains.iter().map(|c| c.name.as_str()).collect();
/// assert_eq!(names, ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]);
/// let input = nat.chain("INPUT").unwrap();
/// assert!(input.is_builtin() && input.rules.is_empty());
/// assert_eq!(input.policy, Some(Policy::Accept));
/// assert_eq!(Chain::user("mine").policy, None);
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Chain {
    /// Name.
    pub name: String,
    /// `Some` for a built-in chain.
    pub policy: Option<Policy>,
    /// Packets and bytes that met the policy (built-in chains only).
    pub counters: Counters,
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

impl Chain {
    /// A built-in chain with a policy.
    pub fn builtin(name: &str, policy: Policy) -> Chain {
        Chain {
            name: name.into(),
            policy: Some(policy),
            ..Chain::default()
        }
    }

    /// A user chain.
    pub fn user(name: &str) -> Chain {
        Chain {
            name: name.into(),
            ..Chain::default()
        }
    }

    /// True for a built-in chain.
    pub fn is_builtin(&self) -> bool {
        self.policy.is_some()
    }
}

/// A table of one family: its chains in libiptc order.
///
/// Plain data: build and change one without root, with the edits
/// `iptables` commands make (each checks first and changes nothing when it
/// fails), and print it as iptables-save does. A [`Handle`](crate::Handle)
/// holds one to commit; [`restore`](crate::syntax::restore) reads and
/// writes them as text.
///
/// ```
/// use iptkit::{Error, Family, Policy, Rule, Table};
/// let mut t = Table::new(Family::Ipv4, "filter")?;
/// t.new_chain("ssh")?;
/// t.append("INPUT", Rule::parse(Family::Ipv4, "-p tcp -m tcp --dport 22 -j ssh")?)?;
/// t.append("ssh", Rule::parse(Family::Ipv4, "-s 192.0.2.0/24 -j ACCEPT")?)?;
/// t.set_policy("INPUT", Policy::Drop)?;
/// assert!(matches!(t.delete_chain("ssh"), Err(Error::ChainInUse { .. })));
/// assert_eq!(
///     t.to_string(),
///     "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:ssh - [0:0]\n\
///      -A INPUT -p tcp -m tcp --dport 22 -j ssh\n-A ssh -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n"
/// );
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Table {
    /// IPv4 or IPv6.
    pub family: Family,
    /// `filter`, `nat`, `mangle`, `raw` or `security`.
    pub name: String,
    /// Built-in chains in hook order, then user chains by name.
    pub chains: Vec<Chain>,
}

impl Table {
    /// An empty table with its built-in chains, policies ACCEPT, as the kernel
    /// creates it; [`Error::NoSuchTable`] for a name that is not `filter`,
    /// `nat`, `mangle`, `raw` or `security`.
    pub fn new(family: Family, name: &str) -> Result<Table> {
        let builtins = builtin_chains(name).ok_or_else(|| Error::NoSuchTable(name.to_string()))?;
        Ok(Table {
            family,
            name: name.to_string(),
            chains: builtins
                .iter()
                .map(|c| Chain::builtin(c, Policy::Accept))
                .collect(),
        })
    }

    /// The chain of that name.
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.index_of(name).map(|i| &self.chains[i])
    }

    /// The chain of that name, to change.
    pub fn chain_mut(&mut self, name: &str) -> Option<&mut Chain> {
        self.index_of(name).map(|i| &mut self.chains[i])
    }

    /// Where the chain of that name is. Every rule appended looks up its
    /// chain and its jump, and tables with thousands of user chains are
    /// common (kube-proxy), so user chains, which the edits keep sorted by
    /// name after the built-ins, are found by binary search. Built-in
    /// chains, names that are missing, and chains put out of order through
    /// the public field are found by a plain scan.
    fn index_of(&self, name: &str) -> Option<usize> {
        let users = self
            .chains
            .iter()
            .position(|c| !c.is_builtin())
            .unwrap_or(self.chains.len());
        self.chains[users..]
            .binary_search_by(|c| c.name.as_bytes().cmp(name.as_bytes()))
            .map(|i| users + i)
            .ok()
            .or_else(|| self.chains.iter().position(|c| c.name == name))
    }

    /// The chain of that name, or [`Error::NoSuchChain`] (for the edits;
    /// users look up with [`Table::chain`]).
    pub(crate) fn get(&self, name: &str) -> Result<&Chain> {
        self.chain(name)
            .ok_or_else(|| Error::NoSuchChain(name.to_string()))
    }

    /// The chain of that name to change, or [`Error::NoSuchChain`].
    pub(crate) fn get_mut(&mut self, name: &str) -> Result<&mut Chain> {
        self.chain_mut(name)
            .ok_or_else(|| Error::NoSuchChain(name.to_string()))
    }

    /// Puts user chains in libiptc order (by name, after the built-ins).
    pub fn sort_chains(&mut self) {
        // Stable: built-ins keep their hook order at the front.
        self.chains
            .sort_by(|a, b| match (a.is_builtin(), b.is_builtin()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                (false, false) => a.name.as_bytes().cmp(b.name.as_bytes()),
            });
    }

    /// How many rules jump or go to `chain`.
    pub fn references(&self, chain: &str) -> usize {
        self.chains
            .iter()
            .flat_map(|c| &c.rules)
            .filter(|r| r.target.chain() == Some(chain))
            .count()
    }
}

/// The longest chain name iptables accepts (`XT_EXTENSION_MAXNAMELEN - 1`).
pub const MAX_CHAIN_NAME: usize = 28;

/// Names a user chain may not take: the verdicts, the table's end marker,
/// and the target extensions (`-j NAME` would mean the target).
fn reserved_chain_name(name: &str) -> bool {
    Target::verdict(name).is_some() || name == "ERROR" || TargetExt::is_known_name(name)
}

/// Checks a user chain name as iptables does: length, characters, and not
/// the name of a verdict or target.
pub fn check_chain_name(name: &str) -> Result<()> {
    let invalid = |reason| Error::InvalidName {
        what: "chain",
        name: name.into(),
        reason,
    };
    if name.len() > MAX_CHAIN_NAME {
        return Err(Error::NameTooLong {
            what: "chain name",
            name: name.into(),
            max: MAX_CHAIN_NAME,
        });
    }
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name.starts_with('-') || name.starts_with('!') {
        return Err(invalid("may not start with `-' or `!'"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("may not contain white space"));
    }
    if reserved_chain_name(name) {
        return Err(invalid("is the name of a target"));
    }
    Ok(())
}

/// Edits, as iptables and libiptc offer them. Each checks first and changes
/// the table only when it succeeds, so a failed call leaves it as it was.
/// Positions are 0-based.
impl Table {
    /// A rule fit for this table: right family, in the kernel's form, its
    /// jump (if any) to an existing user chain.
    fn admit(&self, rule: Rule) -> Result<Rule> {
        self.check_rule(&rule)?;
        Ok(rule.normalized())
    }

    /// What [`Table::admit`] checks: the family, and that a jump goes to a
    /// user chain.
    fn check_rule(&self, rule: &Rule) -> Result<()> {
        if rule.family != self.family {
            return Err(Error::rule(
                rule.to_string(),
                format!("not an {} rule", self.family.command()),
            ));
        }
        if let Some(target) = rule.target.chain() {
            if self.get(target)?.is_builtin() {
                return Err(Error::BuiltinChain {
                    chain: target.into(),
                    reason: "rules can only jump to user chains",
                });
            }
        }
        Ok(())
    }

    /// Appends a rule to a chain (`iptables -A`).
    #[doc(alias = "append_rule")]
    pub fn append(&mut self, chain: &str, rule: Rule) -> Result<()> {
        let rule = self.admit(rule)?;
        self.get_mut(chain)?.rules.push(rule);
        Ok(())
    }

    /// Inserts a rule before position `pos` (0 is the head; `len` appends).
    /// `iptables -I CHAIN N` is `insert(chain, N - 1, ..)`.
    ///
    /// ```
    /// use iptkit::{Family, Rule, Table};
    /// let mut t = Table::new(Family::Ipv4, "filter")?;
    /// t.append("INPUT", Rule::parse(Family::Ipv4, "-j DROP")?)?;
    /// t.insert("INPUT", 0, Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?; // iptables -I INPUT 1
    /// let rules = &t.chain("INPUT").unwrap().rules;
    /// assert_eq!(rules[0].to_string(), "-i lo -j ACCEPT");
    /// assert!(t.insert("INPUT", 5, Rule::new(Family::Ipv4)).is_err()); // past the end
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "insert_rule")]
    pub fn insert(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let rule = self.admit(rule)?;
        let c = self.get_mut(chain)?;
        if pos > c.rules.len() {
            return Err(no_rule(chain, pos));
        }
        c.rules.insert(pos, rule);
        Ok(())
    }

    /// Replaces the rule at `pos` (`iptables -R`).
    #[doc(alias = "replace_rule")]
    pub fn replace(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let rule = self.admit(rule)?;
        let slot = self
            .get_mut(chain)?
            .rules
            .get_mut(pos)
            .ok_or_else(|| no_rule(chain, pos))?;
        *slot = rule;
        Ok(())
    }

    /// Deletes the rule at `pos` and returns it (`iptables -D CHAIN N`
    /// deletes `pos` N - 1).
    ///
    /// ```
    /// use iptkit::{Family, Rule, Table, Target};
    /// let mut t = Table::new(Family::Ipv4, "filter")?;
    /// t.append("INPUT", Rule::parse(Family::Ipv4, "-j DROP")?)?;
    /// assert_eq!(t.delete("INPUT", 0)?.target, Target::Drop);
    /// assert!(t.delete("INPUT", 0).is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn delete(&mut self, chain: &str, pos: usize) -> Result<Rule> {
        let c = self.get_mut(chain)?;
        if pos >= c.rules.len() {
            return Err(no_rule(chain, pos));
        }
        Ok(c.rules.remove(pos))
    }

    /// Position of the first rule that does what `rule` does (counters
    /// aside), as `iptables -C` and `-D RULE` compare.
    pub fn position(&self, chain: &str, rule: &Rule) -> Result<Option<usize>> {
        let want = rule.clone().normalized();
        Ok(self
            .get(chain)?
            .rules
            .iter()
            .position(|r| r.same_spec(&want)))
    }

    /// Deletes the first rule that does what `rule` does (`iptables -D CHAIN RULE`).
    pub fn delete_rule(&mut self, chain: &str, rule: &Rule) -> Result<()> {
        let pos = self
            .position(chain, rule)?
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.into(),
                what: rule.to_string(),
            })?;
        self.delete(chain, pos).map(drop)
    }

    /// [`Table::delete_rule`] for each of `rules` in turn, in one pass over
    /// the chain: a restore of 1,000 `-D` lines on a 10,000-rule chain
    /// searched and shifted the chain 1,000 times. Each rule finds its
    /// first match among the rules left, through an index of the rules'
    /// texts (rules that do the same print the same). On a rule with no
    /// match, its index and the error; the chain is then left as it was.
    pub(crate) fn delete_rules(
        &mut self,
        chain: &str,
        rules: &[&Rule],
    ) -> std::result::Result<(), (usize, Error)> {
        use std::collections::hash_map::{DefaultHasher, HashMap};
        use std::hash::Hasher;
        let missing = |i: usize, r: &Rule| {
            (
                i,
                Error::NoSuchRule {
                    chain: chain.into(),
                    what: r.to_string(),
                },
            )
        };
        let have = &self.get(chain).map_err(|e| (0, e))?.rules;
        let mut text = String::new();
        let mut key = |r: &Rule| {
            text.clear();
            crate::syntax::write_rule_spec(&mut text, r, crate::extension::Dialect::Legacy);
            let mut h = DefaultHasher::new();
            h.write(text.as_bytes());
            h.finish()
        };
        // Positions by key, in chain order; each list is used up from the
        // front as its rules go.
        let mut index: HashMap<u64, (usize, Vec<usize>)> = HashMap::with_capacity(have.len());
        for (i, r) in have.iter().enumerate() {
            index.entry(key(r)).or_default().1.push(i);
        }
        let mut gone = vec![false; have.len()];
        for (n, r) in rules.iter().enumerate() {
            let want = (*r).clone().normalized();
            let found = index.get_mut(&key(&want)).and_then(|(used, at)| {
                let k = at[*used..]
                    .iter()
                    .position(|&i| !gone[i] && have[i].same_spec(&want))?;
                let i = at[*used + k];
                if k == 0 {
                    *used += 1;
                }
                Some(i)
            });
            // Rules that do the same print the same, so the index finds
            // every match; a scan keeps that from being a condition.
            let found =
                found.or_else(|| (0..have.len()).find(|&i| !gone[i] && have[i].same_spec(&want)));
            match found {
                Some(i) => gone[i] = true,
                None => return Err(missing(n, r)),
            }
        }
        let rules = &mut self.get_mut(chain).map_err(|e| (0, e))?.rules;
        let mut i = 0;
        rules.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
        Ok(())
    }

    /// True when the chain has a rule that does what `rule` does (`iptables -C`).
    pub fn contains_rule(&self, chain: &str, rule: &Rule) -> Result<bool> {
        Ok(self.position(chain, rule)?.is_some())
    }

    /// What iptables-restore does to a table without `--noflush`: every rule
    /// and user chain goes; built-in chains and their policies stay.
    pub fn clear(&mut self) {
        self.chains.retain(Chain::is_builtin);
        self.flush_all();
    }

    /// Removes every rule of a chain (`iptables -F CHAIN`).
    #[doc(alias = "flush_entries")]
    pub fn flush(&mut self, chain: &str) -> Result<()> {
        self.get_mut(chain)?.rules.clear();
        Ok(())
    }

    /// Removes every rule of every chain (`iptables -F`).
    pub fn flush_all(&mut self) {
        self.chains.iter_mut().for_each(|c| c.rules.clear());
    }

    /// Creates an empty user chain (`iptables -N`).
    #[doc(alias = "create_chain")]
    pub fn new_chain(&mut self, name: &str) -> Result<()> {
        check_chain_name(name)?;
        if self.chain(name).is_some() {
            return Err(Error::ChainExists(name.into()));
        }
        self.chains.push(Chain::user(name));
        self.sort_chains();
        Ok(())
    }

    /// Renames a user chain and every jump to it (`iptables -E`).
    #[doc(alias = "rename")]
    pub fn rename_chain(&mut self, old: &str, new: &str) -> Result<()> {
        if self.get(old)?.is_builtin() {
            return Err(Error::BuiltinChain {
                chain: old.into(),
                reason: "built-in chains cannot be renamed",
            });
        }
        check_chain_name(new)?;
        if self.chain(new).is_some() {
            return Err(Error::ChainExists(new.into()));
        }
        for r in self.chains.iter_mut().flat_map(|c| &mut c.rules) {
            match &mut r.target {
                Target::Jump(c) | Target::Goto(c) if c == old => *c = new.to_string(),
                _ => {}
            }
        }
        self.get_mut(old)?.name = new.to_string();
        self.sort_chains();
        Ok(())
    }

    /// Deletes an empty, unreferenced user chain (`iptables -X CHAIN`).
    pub fn delete_chain(&mut self, name: &str) -> Result<()> {
        let c = self.get(name)?;
        if c.is_builtin() {
            return Err(Error::BuiltinChain {
                chain: name.into(),
                reason: "built-in chains cannot be deleted",
            });
        }
        let references = self.references(name);
        if references > 0 {
            return Err(Error::ChainInUse {
                chain: name.into(),
                references,
            });
        }
        if !c.rules.is_empty() {
            return Err(Error::ChainNotEmpty(name.into()));
        }
        self.chains.retain(|c| c.name != name);
        Ok(())
    }

    /// Deletes every user chain (`iptables -X`): all or nothing, refused
    /// when one of them is not empty or is still jumped to. Returns how many
    /// were deleted.
    pub fn delete_user_chains(&mut self) -> Result<usize> {
        for c in self.chains.iter().filter(|c| !c.is_builtin()) {
            if !c.rules.is_empty() {
                return Err(Error::ChainNotEmpty(c.name.clone()));
            }
            let references = self.references(&c.name);
            if references > 0 {
                return Err(Error::ChainInUse {
                    chain: c.name.clone(),
                    references,
                });
            }
        }
        let before = self.chains.len();
        self.chains.retain(Chain::is_builtin);
        Ok(before - self.chains.len())
    }

    /// Sets a built-in chain's policy (`iptables -P`).
    pub fn set_policy(&mut self, chain: &str, policy: Policy) -> Result<()> {
        let c = self.get_mut(chain)?;
        match &mut c.policy {
            Some(p) => *p = policy,
            None => {
                return Err(Error::BuiltinChain {
                    chain: chain.into(),
                    reason: "only built-in chains have a policy",
                })
            }
        }
        Ok(())
    }

    /// Zeroes the counters of a chain's rules and policy (`iptables -Z CHAIN`).
    #[doc(alias = "zero_counters")]
    pub fn zero(&mut self, chain: &str) -> Result<()> {
        let c = self.get_mut(chain)?;
        c.counters = Counters::default();
        c.rules
            .iter_mut()
            .for_each(|r| r.counters = Counters::default());
        Ok(())
    }

    /// Zeroes every counter of the table (`iptables -Z`).
    #[doc(alias = "zero_entries")]
    pub fn zero_all(&mut self) {
        for c in &mut self.chains {
            c.counters = Counters::default();
            c.rules
                .iter_mut()
                .for_each(|r| r.counters = Counters::default());
        }
    }

    /// Sets the counters of the rule at `pos` (`iptables -R ... -c P B`).
    pub fn set_counters(&mut self, chain: &str, pos: usize, counters: Counters) -> Result<()> {
        let r = self
            .get_mut(chain)?
            .rules
            .get_mut(pos)
            .ok_or_else(|| no_rule(chain, pos))?;
        r.counters = counters;
        Ok(())
    }

    /// Checks everything the kernel would refuse, or that would make a
    /// table it cannot hold: rule families, chain names, built-in chains,
    /// jumps to missing or built-in chains, jump loops.
    pub fn validate(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for c in &self.chains {
            if !seen.insert(c.name.as_str()) {
                return Err(Error::ChainExists(c.name.clone()));
            }
            if c.is_builtin() {
                if hook_of(&c.name).is_none() {
                    return Err(Error::BuiltinChain {
                        chain: c.name.clone(),
                        reason: "is not a netfilter hook",
                    });
                }
            } else {
                check_chain_name(&c.name)?;
            }
        }
        for c in &self.chains {
            for r in &c.rules {
                self.check_rule(r)?;
            }
        }
        match self.find_loop() {
            Some(chain) => Err(Error::Loop(chain)),
            None => Ok(()),
        }
    }

    /// A user chain that can reach itself through jumps and gotos, if any.
    pub fn find_loop(&self) -> Option<String> {
        // Iterative depth-first search: 0 unvisited, 1 on the path, 2 done.
        let index: std::collections::HashMap<&str, usize> = self
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let targets = |i: usize| -> Vec<usize> {
            self.chains[i]
                .rules
                .iter()
                .filter_map(|r| r.target.chain())
                .filter_map(|t| index.get(t).copied())
                .collect()
        };
        let mut state = vec![0u8; self.chains.len()];
        for start in 0..self.chains.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, targets(start), 0usize)];
            state[start] = 1;
            while let Some((node, next, at)) = stack.last_mut() {
                if let Some(&t) = next.get(*at) {
                    *at += 1;
                    match state[t] {
                        1 => return Some(self.chains[t].name.clone()),
                        0 => {
                            state[t] = 1;
                            let n = targets(t);
                            stack.push((t, n, 0));
                        }
                        _ => {}
                    }
                } else {
                    state[*node] = 2;
                    stack.pop();
                }
            }
        }
        None
    }
}

fn no_rule(chain: &str, pos: usize) -> Error {
    Error::NoSuchRule {
        chain: chain.into(),
        what: format!("no rule at position {pos} (0-based)"),
    }
}

#[cfg(test)]
mod edit_tests {
    use super::*;

    fn rule(s: &str) -> Rule {
        Rule::parse(Family::Ipv4, s).unwrap()
    }

    #[test]
    fn loops_are_found_and_named() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        for c in ["a", "b", "c"] {
            t.new_chain(c).unwrap();
        }
        t.append("INPUT", rule("-j a")).unwrap();
        t.append("a", rule("-j b")).unwrap();
        t.append("b", rule("-g c")).unwrap();
        assert!(t.validate().is_ok());
        t.append("c", rule("-j a")).unwrap();
        assert!(matches!(t.validate(), Err(Error::Loop(_))));
        assert!(t.find_loop().is_some());
    }

    #[test]
    fn chains_are_found_in_order_and_out_of_it() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        for c in ["m", "b", "z", "a", "k"] {
            t.new_chain(c).unwrap();
        }
        for c in ["INPUT", "OUTPUT", "a", "b", "k", "m", "z"] {
            assert_eq!(t.get(c).unwrap().name, c);
        }
        assert!(t.chain("c").is_none() && t.chain("").is_none());
        // Put out of order through the public field: still found.
        t.chains.reverse();
        for c in ["FORWARD", "a", "k", "z"] {
            assert_eq!(t.get(c).unwrap().name, c);
        }
        assert!(t.chain("c").is_none());
    }

    #[test]
    fn rename_follows_jumps_and_keeps_order() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.new_chain("zz").unwrap();
        t.new_chain("mm").unwrap();
        t.append("INPUT", rule("-j zz")).unwrap();
        t.rename_chain("zz", "aa").unwrap();
        let names: Vec<_> = t.chains.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["INPUT", "FORWARD", "OUTPUT", "aa", "mm"]);
        assert_eq!(t.chains[0].rules[0].target, Target::Jump("aa".into()));
    }

    #[test]
    fn rules_are_stored_in_the_kernel_form() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.append("INPUT", rule("-p all -j ACCEPT")).unwrap();
        assert_eq!(t.chains[0].rules[0].proto, None);
        assert_eq!(
            t.position("INPUT", &rule("-p all -j ACCEPT")).unwrap(),
            Some(0)
        );
        assert!(t
            .append("INPUT", Rule::parse(Family::Ipv6, "-j ACCEPT").unwrap())
            .is_err());
        assert!(matches!(t.new_chain("LOG"), Err(Error::InvalidName { .. })));
        assert!(matches!(t.new_chain("a b"), Err(Error::InvalidName { .. })));
    }
}
