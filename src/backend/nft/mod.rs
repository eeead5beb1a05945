//! The nf_tables backend: a table read with netlink dumps (chains, then
//! rules, between two reads of the ruleset generation), and changed with
//! one netlink batch per commit holding only the messages the change needs
//! (rules added, replaced or deleted by handle, chains, policies), laid out
//! as iptables-nft 1.8.9 lays them out. The batch carries the generation it
//! was computed from; when the ruleset moved on the kernel applies nothing
//! and the handle reads and replays again.
//!
//! A rule whose expressions iptables-nft would not have written is read as
//! a placeholder rule (`-m nftables-rule`, its expressions in the data):
//! kept as it is while it stays where it was, deletable, but never written
//! anew ([`Error::Incompatible`]).

mod decode;
mod diff;
mod encode;
mod expr;
mod ffi;
mod netlink;

use std::collections::HashMap;

use iptkit_sys::nftables::*;

use crate::addr::Family;
use crate::backend::legacy::ipset;
use crate::backend::{Committed, Driver, Loaded, State};
use crate::error::{Error, Result};
use crate::extension::Unknown;
use crate::matches::Match;
use crate::rule::{Counters, Rule};
use crate::ruleset::{builtin_chains, hook_of, Chain, Policy, Table};
use netlink::Socket;

/// The name of the placeholder match a rule iptkit cannot read carries.
pub const RAW_RULE: &str = "nftables-rule";

/// The iptables tables of a family that exist in nf_tables in the calling
/// thread's network namespace, in the order iptables-nft-save prints them
/// (mangle, security, raw, filter, nat).
pub fn existing_tables(family: Family) -> Result<Vec<String>> {
    let mut sock = Socket::open()?;
    let mut names = Vec::new();
    sock.dump(NFT_MSG_GETTABLE, nfproto(family), None, |m| {
        let n = ffi::parse_table(m)?;
        if builtin_chains(&n).is_some() {
            names.push(n);
        }
        Ok(())
    })?;
    // iptables-nft-save prints them in its own fixed order.
    let order = ["mangle", "security", "raw", "filter", "nat"];
    names.sort_by_key(|n| order.iter().position(|o| o == n));
    Ok(names)
}

/// The nf_tables family of a table family.
fn nfproto(family: Family) -> u16 {
    match family {
        Family::Ipv4 => NFPROTO_IPV4,
        Family::Ipv6 => NFPROTO_IPV6,
    }
}

/// Type and priority of a built-in chain, as iptables-nft creates it.
pub(crate) fn base_chain(table: &str, chain: &str) -> Option<(&'static str, i32)> {
    Some(match (table, chain) {
        ("filter", _) => ("filter", 0),
        ("nat", "PREROUTING" | "OUTPUT") => ("nat", -100),
        ("nat", "INPUT" | "POSTROUTING") => ("nat", 100),
        ("mangle", "OUTPUT") => ("route", -150),
        ("mangle", _) => ("filter", -150),
        ("raw", _) => ("filter", -300),
        ("security", _) => ("filter", 150),
        _ => return None,
    })
}

/// What a commit needs to know about the read it is based on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    genid: u32,
    /// Chains the kernel has, by name.
    chains: HashMap<String, KernelChain>,
}

#[derive(Clone, Debug, Default)]
struct KernelChain {
    /// Rule handles, in order.
    handles: Vec<u64>,
}

/// The nf_tables driver: one netlink socket, opened on first use.
#[derive(Debug, Default)]
pub(crate) struct Nft {
    sock: Option<Socket>,
    /// ipset answers on an IPv4 raw socket, for sets of both families.
    ipset: Option<crate::backend::legacy::socket::Socket>,
    /// Messages of the last batch sent, begin and end aside (for tests).
    pub(crate) last_batch_messages: usize,
    /// Bytes of those messages (for tests).
    pub(crate) last_batch_bytes: usize,
}

impl Nft {
    fn ipset_socket(&mut self) -> Result<&crate::backend::legacy::socket::Socket> {
        if self.ipset.is_none() {
            self.ipset = Some(crate::backend::legacy::socket::Socket::open(Family::Ipv4)?);
        }
        self.ipset
            .as_ref()
            .ok_or_else(|| Error::Malformed("socket vanished".into()))
    }

    fn socket(&mut self) -> Result<&mut Socket> {
        if self.sock.is_none() {
            self.sock = Some(Socket::open()?);
        }
        self.sock
            .as_mut()
            .ok_or_else(|| Error::Malformed("socket vanished".into()))
    }

    fn read(
        &mut self,
        family: Family,
        name: &str,
    ) -> Result<(u32, Vec<ffi::RawChain>, Vec<ffi::RawRule>)> {
        let proto = nfproto(family);
        for _ in 0..5 {
            let sock = self.socket()?;
            let genid = sock.genid()?;
            let mut chains = Vec::new();
            // The kernel does not filter chain dumps by table: every chain
            // of the family comes.
            sock.dump(NFT_MSG_GETCHAIN, proto, Some(name), |m| {
                let c = ffi::parse_chain(m)?;
                if c.table == name {
                    chains.push(c);
                }
                Ok(())
            })?;
            let mut rules = Vec::new();
            sock.dump(NFT_MSG_GETRULE, proto, Some(name), |m| {
                let r = ffi::parse_rule(m)?;
                if r.table == name {
                    rules.push(r);
                }
                Ok(())
            })?;
            if sock.genid()? == genid {
                return Ok((genid, chains, rules));
            }
        }
        Err(Error::TableChanged {
            table: name.into(),
            attempts: 5,
        })
    }
}

/// The placeholder for a rule iptkit cannot read: stable across reads
/// (counter values left out), so that it compares equal to itself.
fn raw_rule(family: Family, r: &ffi::RawRule, why: &str) -> Rule {
    let text: Vec<String> = r
        .exprs
        .iter()
        .map(|e| match e {
            expr::Expr::Counter { .. } => "[ counter ]".to_string(),
            e => e.to_string(),
        })
        .collect();
    let mut rule = Rule::new(family);
    rule.matches.push(Match::Unknown(Unknown {
        name: RAW_RULE.into(),
        revision: 0,
        data: format!("{} ({why})", text.join(" ")).into_bytes(),
    }));
    if let Some(expr::Expr::Counter { packets, bytes }) = r
        .exprs
        .iter()
        .find(|e| matches!(e, expr::Expr::Counter { .. }))
    {
        rule.counters = Counters::new(*packets, *bytes);
    }
    rule
}

/// True for a placeholder of a rule iptkit cannot read.
pub(crate) fn is_raw(rule: &Rule) -> bool {
    rule.matches.iter().any(|m| m.name() == RAW_RULE)
}

impl Driver for Nft {
    fn load(&mut self, family: Family, name: &str) -> Result<Loaded> {
        let builtins = builtin_chains(name).ok_or_else(|| Error::NoSuchTable(name.into()))?;
        let (genid, raw_chains, raw_rules) = self.read(family, name)?;
        let mut table = Table::new(family, name)?;
        let mut snap = Snapshot {
            genid,
            chains: HashMap::new(),
        };
        for c in &raw_chains {
            match c.hook {
                Some(hook) => {
                    if !builtins.contains(&c.name.as_str())
                        || hook_of(&c.name) != Some(hook as usize)
                    {
                        return Err(Error::Incompatible {
                            table: name.into(),
                            reason: format!(
                                "base chain `{}` (hook {hook}) is not one of iptables' built-in chains",
                                c.name
                            ),
                        });
                    }
                    let chain = table.get_mut(&c.name)?;
                    chain.policy = Some(match c.policy {
                        Some(p) if p as i32 == NF_DROP => Policy::Drop,
                        _ => Policy::Accept,
                    });
                    chain.counters = Counters::new(c.packets, c.bytes);
                }
                None => {
                    if table.chain(&c.name).is_some() {
                        return Err(Error::Incompatible {
                            table: name.into(),
                            reason: format!(
                                "`{}` is a regular chain named like a built-in one",
                                c.name
                            ),
                        });
                    }
                    table.chains.push(Chain::user(&c.name));
                }
            }
            snap.chains.insert(c.name.clone(), KernelChain::default());
        }
        table.sort_chains();
        let index: HashMap<String, usize> = table
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        for r in &raw_rules {
            let (Some(&i), Some(k)) = (index.get(&r.chain), snap.chains.get_mut(&r.chain)) else {
                return Err(Error::Malformed(format!(
                    "a rule of chain `{}`, which the chain dump did not list",
                    r.chain
                )));
            };
            let rule = if r.userdata {
                raw_rule(family, r, "it carries user data")
            } else {
                decode::decode(family, &r.exprs).unwrap_or_else(|why| raw_rule(family, r, &why))
            };
            table.chains[i].rules.push(rule);
            k.handles.push(r.handle);
        }
        // `-m set` keeps the set's kernel index in its struct, as in a
        // legacy table: name it, as iptables-nft-save does.
        if ipset::has_unnamed(&table) {
            ipset::name(self.ipset_socket()?, &mut table)?;
        }
        Ok(Loaded {
            table,
            state: State::Nft(snap),
        })
    }

    /// The ruleset generation counts every change of the namespace's
    /// nf_tables ruleset: the same number means nobody changed anything.
    fn unchanged(&mut self, loaded: &Loaded) -> Result<bool> {
        let State::Nft(snap) = &loaded.state else {
            return Ok(false);
        };
        Ok(self.socket()?.genid()? == snap.genid)
    }

    /// Sends the batch, then reads the table back: the rules it added have
    /// handles only the kernel knows, and the next commit addresses them.
    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed> {
        self.send(loaded, new)?;
        let fresh = self.load(new.family, &new.name)?;
        Ok(Committed {
            state: fresh.state,
            sent: Some(fresh.table),
            counters: Vec::new(),
            error: None,
        })
    }
}

impl Nft {
    /// Sends the smallest batch that turns `loaded` into `new`.
    fn send(&mut self, loaded: &Loaded, new: &Table) -> Result<()> {
        let State::Nft(snap) = &loaded.state else {
            return Err(Error::Malformed(
                "an nft commit of a table read by another backend".into(),
            ));
        };
        if new.family != loaded.table.family || new.name != loaded.table.name {
            return Err(Error::rule(
                format!("table `{}`", new.name),
                "not the table that was read",
            ));
        }
        // Sets named in new rules are looked up before anything is sent.
        let resolved = if ipset::has_unresolved(new) {
            Some(ipset::resolve(self.ipset_socket()?, new)?)
        } else {
            None
        };
        let new = resolved.as_ref().unwrap_or(new);
        let sock = self.socket()?;
        let plan = diff::plan(sock, &loaded.table, snap, new)?;
        self.last_batch_messages = plan.count;
        self.last_batch_bytes = plan.bytes.len();
        if plan.count == 0 {
            return Ok(());
        }
        let sock = self.socket()?;
        match sock.batch(snap.genid, &plan.bytes, plan.last_seq, &plan.purposes)? {
            netlink::BatchResult::Applied => Ok(()),
            netlink::BatchResult::GenerationMoved => Err(Error::TableChanged {
                table: new.name.clone(),
                attempts: 1,
            }),
        }
    }
}

// Kernel tests run the real iptables tools as oracles, so they live under
// tests/ (beside the other tests that start processes), compiled as a
// module of this one to reach its internals.
#[cfg(test)]
#[path = "../../../tests/internal/nft_kernel.rs"]
mod kernel_tests;
#[cfg(test)]
mod tests;
