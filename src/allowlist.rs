//! An allowlist chain: one ACCEPT per address, then DROP, hooked from a
//! built-in chain, with the previous version kept for rollback.
//!
//! The work is a pure change of a [`Table`]; commit it through a
//! [`Handle`](crate::Handle) transaction so the whole swap is one atomic
//! replace. Layout, for chain `NAME`:
//!
//! ```text
//! :NAME - [0:0]                      the live list
//! :NAME-prev - [0:0]                 the list before the last update (not hooked)
//! -A INPUT [-i IF] [-p tcp -m multiport --dports P,..] -j NAME    (added once)
//! -A NAME -s ADDR -j ACCEPT          one per address, in file order
//! -A NAME -j DROP
//! ```
//!
//! For a fleet, [`parse_groups`] reads a groups file (`web: ADDR ADDR ...`,
//! server roles as a deployment tool keeps them) and [`FleetAllowlist`]
//! lays the groups out in one chain or in a chain per group.

mod fleet;
mod groups;

pub use fleet::{FleetAllowlist, Layout};
pub use groups::{check_group_name, parse_groups, Group};

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::rule::Rule;
use crate::ruleset::{Chain, Table, MAX_CHAIN_NAME};
use crate::targets::Target;

/// Suffix of the chain that keeps the previous version.
pub const PREVIOUS_SUFFIX: &str = "-prev";

/// What to build.
#[derive(Clone, Debug, PartialEq)]
pub struct Allowlist {
    /// The chain holding the list.
    pub chain: String,
    /// The built-in chain that jumps to it (`INPUT`).
    pub hook: String,
    /// Only traffic arriving on this interface is checked.
    pub iface: Option<Iface>,
    /// Only TCP traffic to these ports is checked (all traffic when empty).
    pub ports: Vec<u16>,
    /// The allowed sources, in order.
    pub addresses: Vec<Net>,
}

impl Allowlist {
    /// The name of the chain keeping the previous version.
    pub fn previous_chain(&self) -> String {
        format!("{}{PREVIOUS_SUFFIX}", self.chain)
    }

    /// The rule in the hook chain that sends traffic through the list.
    pub fn hook_rule(&self, family: Family) -> Result<Rule> {
        let mut rule = match self.ports.as_slice() {
            [] => Rule::new(family),
            ports => {
                let list: Vec<String> = ports.iter().map(u16::to_string).collect();
                let spec = if ports.len() == 1 {
                    format!("-p tcp -m tcp --dport {}", list[0])
                } else {
                    format!("-p tcp -m multiport --dports {}", list.join(","))
                };
                Rule::parse(family, &spec)?
            }
        };
        rule.in_iface = self.iface.clone().map(Inv::is);
        rule.target = Target::Jump(self.chain.clone());
        Ok(rule)
    }

    /// The rules of the list chain.
    pub fn chain_rules(&self, family: Family) -> Result<Vec<Rule>> {
        let mut rules = Vec::with_capacity(self.addresses.len() + 1);
        for a in &self.addresses {
            if a.family() != family {
                return Err(Error::InvalidAddress(format!(
                    "{a} is not an {family:?} address"
                )));
            }
            rules.push(Rule::new(family).source(*a).with_target(Target::Accept));
        }
        rules.push(Rule::new(family).with_target(Target::Drop));
        Ok(rules)
    }

    /// Replaces the list in `table`: the current list moves to the previous
    /// chain, the new one takes its place, the hook rule is added if missing.
    pub fn apply(&self, table: &mut Table) -> Result<()> {
        self.check_names()?;
        let family = table.family;
        let rules = self.chain_rules(family)?;
        let hook_rule = self.hook_rule(family)?;
        let old = table
            .chain(&self.chain)
            .map(|c| c.rules.clone())
            .unwrap_or_default();
        ensure_chain(table, &self.chain)?;
        ensure_chain(table, &self.previous_chain())?;
        table.get_mut(&self.previous_chain())?.rules = old;
        table.get_mut(&self.chain)?.rules = rules;
        if !table.contains_rule(&self.hook, &hook_rule)? {
            table.append(&self.hook, hook_rule)?;
        }
        Ok(())
    }

    /// Swaps the live list with the previous one (so a second rollback undoes
    /// the first). Fails when there is no previous version.
    pub fn rollback(&self, table: &mut Table) -> Result<()> {
        self.check_names()?;
        let prev = self.previous_chain();
        if table.chain(&prev).is_none_or(|c| c.rules.is_empty()) {
            return Err(Error::NoSuchChain(format!(
                "{prev} (no previous version to roll back to)"
            )));
        }
        let live = std::mem::take(&mut table.get_mut(&self.chain)?.rules);
        let old = std::mem::replace(&mut table.get_mut(&prev)?.rules, live);
        table.get_mut(&self.chain)?.rules = old;
        Ok(())
    }

    fn check_names(&self) -> Result<()> {
        let max = MAX_CHAIN_NAME - PREVIOUS_SUFFIX.len();
        if self.chain.len() > max {
            return Err(Error::NameTooLong {
                what: "allowlist chain name",
                name: self.chain.clone(),
                max,
            });
        }
        Ok(())
    }
}

fn ensure_chain(table: &mut Table, name: &str) -> Result<()> {
    if table.chain(name).is_none() {
        table.new_chain(name)?;
    }
    match table.chain(name) {
        Some(Chain { policy: None, .. }) => Ok(()),
        _ => Err(Error::BuiltinChain {
            chain: name.into(),
            reason: "an allowlist needs a user chain",
        }),
    }
}

/// Reads an address file: one address or CIDR per line; `#` starts a comment;
/// blank lines are skipped. Errors name the line.
pub fn parse_addresses(family: Family, text: &str) -> Result<Vec<Net>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        out.push(Net::parse(family, line).map_err(|e| e.at_line(i + 1))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::restore::save_table;

    fn list(addrs: &str) -> Allowlist {
        Allowlist {
            chain: "ALLOW".into(),
            hook: "INPUT".into(),
            iface: Some(Iface::new("eth0").unwrap()),
            ports: vec![22],
            addresses: parse_addresses(Family::Ipv4, addrs).unwrap(),
        }
    }

    #[test]
    fn apply_rollback_and_hook_once() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        list("10.0.0.1\n# office\n192.0.2.0/24 # lab\n\n")
            .apply(&mut t)
            .unwrap();
        list("10.0.0.2\n").apply(&mut t).unwrap();
        let s = save_table(&t, false);
        assert!(
            s.contains("-A INPUT -i eth0 -p tcp -m tcp --dport 22 -j ALLOW\n-A ALLOW"),
            "{s}"
        );
        assert_eq!(s.matches("-j ALLOW").count(), 1, "{s}");
        assert!(
            s.contains("-A ALLOW -s 10.0.0.2/32 -j ACCEPT\n-A ALLOW -j DROP\n"),
            "{s}"
        );
        assert!(s.contains(
            "-A ALLOW-prev -s 10.0.0.1/32 -j ACCEPT\n-A ALLOW-prev -s 192.0.2.0/24 -j ACCEPT\n"
        ));
        list("").rollback(&mut t).unwrap();
        let s = save_table(&t, false);
        assert!(
            s.contains("-A ALLOW -s 10.0.0.1/32 -j ACCEPT\n-A ALLOW -s 192.0.2.0/24"),
            "{s}"
        );
    }

    #[test]
    fn refusals() {
        assert!(parse_addresses(Family::Ipv4, "10.0.0.1\nnot-an-address\n").is_err());
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        assert!(list("").rollback(&mut t).is_err());
        let mut long = list("10.0.0.1");
        long.chain = "A".repeat(25);
        assert!(long.apply(&mut t).is_err());
    }
}
