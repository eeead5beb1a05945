//! Changing a [`Table`] the way the iptables commands change one (`-A`, `-I`,
//! `-D`, `-R`, `-N`, `-X`, `-E`, `-F`, `-Z`, `-P`), with their refusals.
//!
//! These are pure operations on data: the API handle and iptables-restore
//! input both use them, then commit the result.

use crate::error::{Error, Result};
use crate::rule::{Counters, Rule};
use crate::ruleset::{builtin_chains, Chain, Policy, Table};
use crate::syntax::check_chain_name;

impl Table {
    /// `-A`: appends a rule to a chain.
    pub fn append(&mut self, chain: &str, rule: Rule) -> Result<()> {
        self.get_mut(chain)?.rules.push(rule);
        Ok(())
    }

    /// `-I`: inserts a rule before position `pos` (0-based; `pos == len` appends).
    pub fn insert(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let c = self.get_mut(chain)?;
        if pos > c.rules.len() {
            return Err(no_rule(chain, pos));
        }
        c.rules.insert(pos, rule);
        Ok(())
    }

    /// `-R`: replaces the rule at `pos` (0-based). The new rule brings its own counters.
    pub fn replace(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let slot = self
            .get_mut(chain)?
            .rules
            .get_mut(pos)
            .ok_or_else(|| no_rule(chain, pos))?;
        *slot = rule;
        Ok(())
    }

    /// `-D CHAIN N`: deletes the rule at `pos` (0-based) and returns it.
    pub fn delete_at(&mut self, chain: &str, pos: usize) -> Result<Rule> {
        let c = self.get_mut(chain)?;
        if pos >= c.rules.len() {
            return Err(no_rule(chain, pos));
        }
        Ok(c.rules.remove(pos))
    }

    /// `-D CHAIN SPEC`: deletes the first rule that does what `rule` does.
    pub fn delete_rule(&mut self, chain: &str, rule: &Rule) -> Result<Rule> {
        let c = self.get_mut(chain)?;
        let pos = c
            .rules
            .iter()
            .position(|r| r.same_spec(rule))
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.to_string(),
                what: format!("no rule `{rule}`"),
            })?;
        Ok(c.rules.remove(pos))
    }

    /// `-C`: true when the chain has a rule that does what `rule` does.
    pub fn contains_rule(&self, chain: &str, rule: &Rule) -> Result<bool> {
        Ok(self.get(chain)?.rules.iter().any(|r| r.same_spec(rule)))
    }

    /// `-N`: creates an empty user chain, in libiptc order.
    pub fn new_chain(&mut self, name: &str) -> Result<()> {
        check_chain_name(name)?;
        if self.chain(name).is_some() {
            return Err(Error::ChainExists(name.to_string()));
        }
        if crate::targets::Target::verdict(name).is_some() {
            return Err(Error::InvalidName {
                what: "chain",
                name: name.into(),
                reason: "is a standard target",
            });
        }
        self.chains.push(Chain::user(name));
        self.sort_chains();
        Ok(())
    }

    /// `-X CHAIN`: deletes an empty, unreferenced user chain.
    pub fn delete_chain(&mut self, name: &str) -> Result<()> {
        let c = self.get(name)?;
        if c.is_builtin() {
            return Err(Error::BuiltinChain {
                chain: name.into(),
                reason: "a built-in chain cannot be deleted",
            });
        }
        let refs = self.references(name);
        if refs > 0 {
            return Err(Error::ChainInUse {
                chain: name.into(),
                references: refs,
            });
        }
        if !c.rules.is_empty() {
            return Err(Error::ChainNotEmpty(name.into()));
        }
        self.chains.retain(|c| c.name != name);
        Ok(())
    }

    /// `-X`: deletes every user chain; like iptables, refuses (changing nothing)
    /// when one is not empty or is referenced from a chain that stays.
    pub fn delete_user_chains(&mut self) -> Result<()> {
        for c in self.chains.iter().filter(|c| !c.is_builtin()) {
            if !c.rules.is_empty() {
                return Err(Error::ChainNotEmpty(c.name.clone()));
            }
            let refs = self.references(&c.name);
            if refs > 0 {
                return Err(Error::ChainInUse {
                    chain: c.name.clone(),
                    references: refs,
                });
            }
        }
        self.chains.retain(Chain::is_builtin);
        Ok(())
    }

    /// `-E OLD NEW`: renames a user chain; jumps follow it.
    pub fn rename_chain(&mut self, old: &str, new: &str) -> Result<()> {
        check_chain_name(new)?;
        if self.get(old)?.is_builtin() {
            return Err(Error::BuiltinChain {
                chain: old.into(),
                reason: "a built-in chain cannot be renamed",
            });
        }
        if self.chain(new).is_some() {
            return Err(Error::ChainExists(new.to_string()));
        }
        for r in self.chains.iter_mut().flat_map(|c| c.rules.iter_mut()) {
            match &mut r.target {
                crate::targets::Target::Jump(c) | crate::targets::Target::Goto(c) if c == old => {
                    *c = new.to_string()
                }
                _ => {}
            }
        }
        self.get_mut(old)?.name = new.to_string();
        self.sort_chains();
        Ok(())
    }

    /// `-F CHAIN`: removes every rule of a chain.
    pub fn flush(&mut self, chain: &str) -> Result<()> {
        self.get_mut(chain)?.rules.clear();
        Ok(())
    }

    /// `-F`: removes every rule of every chain (chains and policies stay).
    pub fn flush_all(&mut self) {
        for c in &mut self.chains {
            c.rules.clear();
        }
    }

    /// `-P`: sets a built-in chain's policy.
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

    /// `-Z CHAIN`: zeroes the counters of a chain's rules and policy.
    pub fn zero(&mut self, chain: &str) -> Result<()> {
        let c = self.get_mut(chain)?;
        c.counters = Counters::default();
        for r in &mut c.rules {
            r.counters = Counters::default();
        }
        Ok(())
    }

    /// `-Z`: zeroes every counter of the table.
    pub fn zero_all(&mut self) {
        for c in &mut self.chains {
            c.counters = Counters::default();
            for r in &mut c.rules {
                r.counters = Counters::default();
            }
        }
    }

    /// iptables-restore without `--noflush`: every rule and user chain goes;
    /// built-in chains and their policies stay.
    pub fn clear(&mut self) {
        self.chains.retain(Chain::is_builtin);
        self.flush_all();
    }

    /// True for a built-in chain of this table's kind.
    pub fn is_builtin_name(&self, chain: &str) -> bool {
        builtin_chains(&self.name).is_some_and(|b| b.contains(&chain))
    }
}

fn no_rule(chain: &str, pos: usize) -> Error {
    Error::NoSuchRule {
        chain: chain.to_string(),
        what: format!("no rule at position {} (1-based)", pos + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::targets::Target;

    fn t() -> Table {
        Table::new(Family::Ipv4, "filter").unwrap()
    }

    #[test]
    fn chains_keep_libiptc_order_and_refusals() {
        let mut t = t();
        t.new_chain("zeta").unwrap();
        t.new_chain("Alpha").unwrap();
        t.new_chain("beta").unwrap();
        let names: Vec<_> = t.chains.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["INPUT", "FORWARD", "OUTPUT", "Alpha", "beta", "zeta"]
        );
        assert!(matches!(t.new_chain("beta"), Err(Error::ChainExists(_))));
        assert!(matches!(
            t.new_chain("ACCEPT"),
            Err(Error::InvalidName { .. })
        ));
        t.append(
            "INPUT",
            Rule::new(Family::Ipv4).with_target(Target::Jump("beta".into())),
        )
        .unwrap();
        assert!(matches!(
            t.delete_chain("beta"),
            Err(Error::ChainInUse { references: 1, .. })
        ));
        assert!(matches!(
            t.delete_chain("INPUT"),
            Err(Error::BuiltinChain { .. })
        ));
        t.rename_chain("beta", "gamma").unwrap();
        assert_eq!(t.chains[3].name, "Alpha");
        assert_eq!(
            t.get("INPUT").unwrap().rules[0].target,
            Target::Jump("gamma".into())
        );
        assert!(t.delete_user_chains().is_err());
        t.flush("INPUT").unwrap();
        t.delete_user_chains().unwrap();
        assert_eq!(t.chains.len(), 3);
        assert!(t.set_policy("INPUT", Policy::Drop).is_ok());
        assert!(matches!(
            t.delete_at("INPUT", 0),
            Err(Error::NoSuchRule { .. })
        ));
    }
}
