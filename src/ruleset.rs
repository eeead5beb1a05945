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

/// Policy of a built-in chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `ACCEPT`.
    #[default]
    Accept,
    /// `DROP`.
    Drop,
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
            _ => Err(Error::value("policy", s, "a built-in chain's policy is ACCEPT or DROP")),
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
#[derive(Clone, Debug, Default, PartialEq)]
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
        Chain { name: name.into(), policy: Some(policy), ..Chain::default() }
    }

    /// A user chain.
    pub fn user(name: &str) -> Chain {
        Chain { name: name.into(), ..Chain::default() }
    }

    /// True for a built-in chain.
    pub fn is_builtin(&self) -> bool {
        self.policy.is_some()
    }
}

/// A table of one family: its chains in libiptc order.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// creates it.
    pub fn new(family: Family, name: &str) -> Result<Table> {
        let builtins = builtin_chains(name).ok_or_else(|| Error::NoSuchTable(name.to_string()))?;
        Ok(Table {
            family,
            name: name.to_string(),
            chains: builtins.iter().map(|c| Chain::builtin(c, Policy::Accept)).collect(),
        })
    }

    /// The chain of that name.
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name == name)
    }

    /// The chain of that name, to change.
    pub fn chain_mut(&mut self, name: &str) -> Option<&mut Chain> {
        self.chains.iter_mut().find(|c| c.name == name)
    }

    /// The chain of that name, or [`Error::NoSuchChain`].
    pub fn get(&self, name: &str) -> Result<&Chain> {
        self.chain(name).ok_or_else(|| Error::NoSuchChain(name.to_string()))
    }

    /// The chain of that name to change, or [`Error::NoSuchChain`].
    pub fn get_mut(&mut self, name: &str) -> Result<&mut Chain> {
        self.chain_mut(name).ok_or_else(|| Error::NoSuchChain(name.to_string()))
    }

    /// Puts user chains in libiptc order (by name, after the built-ins).
    pub fn sort_chains(&mut self) {
        // Stable: built-ins keep their hook order at the front.
        self.chains.sort_by(|a, b| match (a.is_builtin(), b.is_builtin()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => a.name.as_bytes().cmp(b.name.as_bytes()),
        });
    }

    /// How many rules jump or go to `chain`.
    pub fn references(&self, chain: &str) -> usize {
        self.chains.iter().flat_map(|c| &c.rules).filter(|r| r.target.chain() == Some(chain)).count()
    }
}
