//! An allowlist built from a groups file, in one chain or a chain per
//! group (see [`FleetAllowlist`]).

use super::groups::Group;
use super::Allowlist;
use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::iface::Iface;
use crate::rule::Rule;
use crate::ruleset::{check_chain_name, Table};
use crate::targets::Target;

/// How the groups are laid out in chains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Every address in the one list chain.
    #[default]
    OneChain,
    /// A chain `NAME-GROUP` per group, each jumped to from the list chain.
    PerGroup,
}

/// An allowlist for a fleet: groups of addresses allowed in, everything
/// else dropped.
///
/// Layout, for chain `NAME` and groups `web` and `db`
/// ([`Layout::PerGroup`]):
///
/// ```text
/// :NAME - [0:0]
/// :NAME-web - [0:0]
/// :NAME-db - [0:0]
/// -A INPUT [-i IF] [-p tcp -m multiport --dports P,..] -j NAME    (one such jump)
/// -A NAME -j NAME-web                one jump per group, in file order
/// -A NAME -j NAME-db
/// -A NAME -j DROP
/// -A NAME-web -s ADDR -j ACCEPT      one per address of the group
/// -A NAME-db -s ADDR -j ACCEPT
/// ```
///
/// [`Layout::OneChain`] puts every group's addresses (each once, in file
/// order) in `NAME` itself, before its `DROP`. A group chain that the list
/// jumped to before and no longer does (a group dropped from the file, or
/// a switch to one chain) is deleted, unless something else still jumps
/// to it. The whole change is one edit of a [`Table`]: commit it through a
/// [`Handle`](crate::Handle) and it lands at once or not at all.
///
/// ```
/// use iptkit::allowlist::{parse_groups, FleetAllowlist, Layout};
/// use iptkit::{Family, Table};
/// let groups = parse_groups("web: 192.0.2.10\ndb: 198.51.100.0/28\n")?;
/// let fleet = FleetAllowlist { layout: Layout::PerGroup, ..FleetAllowlist::new("allow", groups) };
/// let mut table = Table::new(Family::Ipv4, "filter")?;
/// fleet.apply(&mut table)?;
/// let save = iptkit::syntax::restore::save_table(&table, false);
/// assert!(save.contains("-A INPUT -j allow\n-A allow -j allow-web\n-A allow -j allow-db\n-A allow -j DROP\n"));
/// assert!(save.contains("-A allow-db -s 198.51.100.0/28 -j ACCEPT\n"));
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FleetAllowlist {
    /// The list chain (`NAME`), and the prefix of the group chains.
    pub chain: String,
    /// The built-in chain that jumps to it (`INPUT`).
    pub hook: String,
    /// Only traffic arriving on this interface is checked.
    pub iface: Option<Iface>,
    /// Only TCP traffic to these ports is checked (all traffic when empty).
    pub ports: Vec<u16>,
    /// The groups, in order.
    pub groups: Vec<Group>,
    /// One chain, or one per group.
    pub layout: Layout,
}

impl FleetAllowlist {
    /// The groups in one chain `chain`, hooked from `INPUT` for all
    /// traffic; set the other fields on the value.
    pub fn new(chain: &str, groups: Vec<Group>) -> FleetAllowlist {
        FleetAllowlist {
            chain: chain.into(),
            hook: "INPUT".into(),
            iface: None,
            ports: Vec::new(),
            groups,
            layout: Layout::OneChain,
        }
    }

    /// The chain of a group: `NAME-GROUP`.
    pub fn group_chain(&self, group: &str) -> String {
        format!("{}-{group}", self.chain)
    }

    /// The chains the layout fills, the list chain first.
    pub fn chains(&self) -> Vec<String> {
        let mut out = vec![self.chain.clone()];
        if self.layout == Layout::PerGroup {
            out.extend(self.groups.iter().map(|g| self.group_chain(&g.name)));
        }
        out
    }

    /// How many addresses of `family` the list allows (each once).
    pub fn address_count(&self, family: Family) -> usize {
        self.addresses(family).len()
    }

    /// Every address of `family`, each once, in file order.
    fn addresses(&self, family: Family) -> Vec<Net> {
        let mut out: Vec<Net> = Vec::new();
        for a in self.groups.iter().flat_map(|g| g.addresses_of(family)) {
            if !out.contains(a) {
                out.push(*a);
            }
        }
        out
    }

    /// The rule in the hook chain that sends traffic through the list.
    pub fn hook_rule(&self, family: Family) -> Result<Rule> {
        self.plain().hook_rule(family)
    }

    fn plain(&self) -> Allowlist {
        Allowlist {
            chain: self.chain.clone(),
            hook: self.hook.clone(),
            iface: self.iface.clone(),
            ports: self.ports.clone(),
            addresses: Vec::new(),
        }
    }

    /// Every chain of the layout and its rules, in order (the list chain
    /// first), for the addresses of `family`.
    pub fn chain_rules(&self, family: Family) -> Result<Vec<(String, Vec<Rule>)>> {
        self.check_names()?;
        let accept = |a: &Net| Rule::new(family).source(*a).with_target(Target::Accept);
        let drop = Rule::new(family).with_target(Target::Drop);
        Ok(match self.layout {
            Layout::OneChain => {
                let mut rules: Vec<Rule> = self.addresses(family).iter().map(accept).collect();
                rules.push(drop);
                vec![(self.chain.clone(), rules)]
            }
            Layout::PerGroup => {
                let mut list: Vec<Rule> = self
                    .groups
                    .iter()
                    .map(|g| Rule::new(family).with_target(Target::Jump(self.group_chain(&g.name))))
                    .collect();
                list.push(drop);
                let mut out = vec![(self.chain.clone(), list)];
                for g in &self.groups {
                    let rules = g.addresses_of(family).map(accept).collect();
                    out.push((self.group_chain(&g.name), rules));
                }
                out
            }
        })
    }

    /// Replaces the list in `table`: every chain of the layout gets its
    /// rules (created when missing), the hook chain gets the hook rule
    /// (in place of its jumps to the list chain, or appended when it has
    /// none), and group chains the list no longer jumps to are deleted. Fails,
    /// leaving `table` as it was, on a bad or clashing name.
    pub fn apply(&self, table: &mut Table) -> Result<()> {
        let family = table.family;
        let chains = self.chain_rules(family)?;
        let hook_rule = self.hook_rule(family)?;
        let old_jumps = self.jumped_to(table);
        let mut t = table.clone();
        for (name, _) in &chains {
            ensure_user_chain(&mut t, name)?;
        }
        for (name, rules) in chains {
            t.get_mut(&name)?.rules = rules;
        }
        for stale in old_jumps {
            if !self.chains().contains(&stale) && t.references(&stale) == 0 {
                t.flush(&stale)?;
                t.delete_chain(&stale)?;
            }
        }
        self.hook_once(&mut t, hook_rule)?;
        *table = t;
        Ok(())
    }

    /// Puts the hook rule in the hook chain: in place of the first rule
    /// there that jumps to the list (an earlier deploy's, perhaps with
    /// other ports), the others removed; appended when there is none.
    fn hook_once(&self, t: &mut Table, hook_rule: Rule) -> Result<()> {
        let jumps: Vec<usize> = t
            .get(&self.hook)?
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.target.chain() == Some(self.chain.as_str()))
            .map(|(i, _)| i)
            .collect();
        let Some((&first, rest)) = jumps.split_first() else {
            return t.append(&self.hook, hook_rule);
        };
        for &i in rest.iter().rev() {
            t.delete(&self.hook, i)?;
        }
        if !t.get(&self.hook)?.rules[first].same_spec(&hook_rule) {
            t.replace(&self.hook, first, hook_rule)?;
        }
        Ok(())
    }

    /// The group chains (`NAME-*`) the list chain jumps to now.
    fn jumped_to(&self, table: &Table) -> Vec<String> {
        let prefix = format!("{}-", self.chain);
        let Some(list) = table.chain(&self.chain) else {
            return Vec::new();
        };
        list.rules
            .iter()
            .filter_map(|r| r.target.chain())
            .filter(|c| c.starts_with(&prefix))
            .map(String::from)
            .collect()
    }

    fn check_names(&self) -> Result<()> {
        for name in self.chains() {
            check_chain_name(&name)?;
        }
        Ok(())
    }
}

fn ensure_user_chain(table: &mut Table, name: &str) -> Result<()> {
    match table.chain(name) {
        None => table.new_chain(name),
        Some(c) if c.is_builtin() => Err(Error::BuiltinChain {
            chain: name.into(),
            reason: "an allowlist needs a user chain",
        }),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowlist::parse_groups;
    use crate::syntax::restore::save_table;

    fn fleet(text: &str, layout: Layout) -> FleetAllowlist {
        FleetAllowlist {
            layout,
            ..FleetAllowlist::new("allow", parse_groups(text).unwrap())
        }
    }

    const FLEET: &str = "web: 192.0.2.10 192.0.2.11 2001:db8::10\ndb: 198.51.100.0/28 192.0.2.10\n";

    #[test]
    fn per_group_layout() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        fleet(FLEET, Layout::PerGroup).apply(&mut t).unwrap();
        assert_eq!(
            save_table(&t, false),
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
             :allow - [0:0]\n:allow-db - [0:0]\n:allow-web - [0:0]\n\
             -A INPUT -j allow\n-A allow -j allow-web\n-A allow -j allow-db\n-A allow -j DROP\n\
             -A allow-db -s 198.51.100.0/28 -j ACCEPT\n-A allow-db -s 192.0.2.10/32 -j ACCEPT\n\
             -A allow-web -s 192.0.2.10/32 -j ACCEPT\n-A allow-web -s 192.0.2.11/32 -j ACCEPT\n\
             COMMIT\n"
        );
        let mut t6 = Table::new(Family::Ipv6, "filter").unwrap();
        fleet(FLEET, Layout::PerGroup).apply(&mut t6).unwrap();
        let s = save_table(&t6, false);
        assert!(
            s.contains("-A allow-web -s 2001:db8::10/128 -j ACCEPT\n"),
            "{s}"
        );
        assert!(!s.contains("-A allow-db -s"), "{s}");
    }

    #[test]
    fn one_chain_and_stale_group_chains() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        fleet(FLEET, Layout::PerGroup).apply(&mut t).unwrap();
        // A chain of the same prefix the list never jumped to is not ours.
        t.new_chain("allow-mine").unwrap();
        fleet("web: 192.0.2.10\n", Layout::PerGroup)
            .apply(&mut t)
            .unwrap();
        assert!(t.chain("allow-db").is_none(), "db left the file");
        fleet(FLEET, Layout::OneChain).apply(&mut t).unwrap();
        let s = save_table(&t, false);
        assert!(
            s.ends_with(
                ":allow - [0:0]\n:allow-mine - [0:0]\n-A INPUT -j allow\n\
                 -A allow -s 192.0.2.10/32 -j ACCEPT\n-A allow -s 192.0.2.11/32 -j ACCEPT\n\
                 -A allow -s 198.51.100.0/28 -j ACCEPT\n-A allow -j DROP\nCOMMIT\n"
            ),
            "{s}"
        );
    }

    #[test]
    fn one_hook_rule_follows_the_flags() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.append(
            "INPUT",
            Rule::parse(Family::Ipv4, "-i lo -j ACCEPT").unwrap(),
        )
        .unwrap();
        fleet(FLEET, Layout::OneChain).apply(&mut t).unwrap();
        let ssh = FleetAllowlist {
            ports: vec![22],
            ..fleet(FLEET, Layout::OneChain)
        };
        ssh.apply(&mut t).unwrap();
        ssh.apply(&mut t).unwrap();
        let input: Vec<String> = t
            .chain("INPUT")
            .unwrap()
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(
            input,
            ["-i lo -j ACCEPT", "-p tcp -m tcp --dport 22 -j allow"]
        );
    }

    #[test]
    fn refusals_leave_the_table() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        let long = format!("{}: 192.0.2.1\n", "g".repeat(24));
        let e = fleet(&long, Layout::PerGroup).apply(&mut t).unwrap_err();
        assert!(matches!(e, Error::NameTooLong { .. }), "{e}");
        let mut builtin = fleet(FLEET, Layout::OneChain);
        builtin.chain = "OUTPUT".into();
        assert!(builtin.apply(&mut t).is_err());
        assert_eq!(t, Table::new(Family::Ipv4, "filter").unwrap());
    }
}
