//! The nf_tables backend: a table read with netlink dumps (chains, then
//! rules, between two reads of the ruleset generation), and changed with
//! one netlink batch per commit holding only the messages the change needs
//! (rules added, replaced or deleted by handle, chains, policies), laid out
//! as iptables-nft 1.8.9 lays them out. The batch carries the generation it
//! was computed from; when the ruleset moved on the kernel applies nothing
//! and the handle reads and replays again.
//!
//! A rule whose expressions iptables-nft would not have written is read as
//! a [`ForeignRule`](crate::rule::ForeignRule) (its expressions in words):
//! kept as it is while it stays where it was, deletable, but never written
//! anew ([`Error::Incompatible`]). A save of its table prints what
//! iptables-nft-save prints for it: that the table is incompatible.

mod decode;
mod delta;
mod diff;
mod encode;
mod expr;
// The crate denies `unsafe`; these two are the backend's FFI and socket
// layer, where every block carries a SAFETY note.
#[allow(unsafe_code)]
mod ffi;
#[allow(unsafe_code)]
mod netlink;
#[cfg(test)]
#[allow(unsafe_code)]
mod reference;
mod refused;
mod wire;

#[doc(hidden)]
pub(crate) use wire::fuzz_rule_message;

use std::collections::{HashMap, HashSet};

use iptkit_sys::nftables::*;

use crate::addr::Family;
use crate::backend::legacy::ipset;
use crate::backend::{
    BaseChains, Blind, BlindOutcome, Chains, Committed, Delta, DeltaCommitted, Driver, Loaded,
    State, TableCommit,
};
use crate::error::{Error, Result};
use crate::extension::Dialect;
use crate::matches::Match;
use crate::rule::{Counters, ForeignRule, Rule};
use crate::ruleset::{builtin_chains, hook_of, Chain, Policy, Table};
use crate::syntax::restore::{save_table_bytes_as, write_saved, SaveText};
use netlink::Socket;

/// How often a read is tried when the ruleset keeps changing during it
/// (its generation id differs before and after the dumps).
const READ_ATTEMPTS: usize = 16;

// A read is steady when the generation id is the same before and after its
// dumps. On a busy host that may never happen: any nf_tables user anywhere
// in the namespace (a `nft` run on another table, a container runtime)
// moves the one counter, and dumping a 20,000-rule chain takes longer than
// the gap between two such changes. So a read also stands when two dumps
// in a row give the same table (chains, rule handles and expressions;
// counter values aside, since traffic moves them): the table did not change
// between them. Its snapshot keeps the generation id from before the second
// dump, so that a table diff sent with it (which must meet the table as it
// was read) is turned down when anything changed since; deltas carry no
// generation id (see `delta.rs`).

/// The iptables tables of a family that exist in nf_tables in the calling
/// thread's network namespace, in the order iptables-nft-save prints them
/// (mangle, security, raw, filter, nat).
pub fn existing_tables(family: Family) -> Result<Vec<String>> {
    let mut sock = Socket::open()?;
    let mut names = Vec::new();
    sock.dump(NFT_MSG_GETTABLE, nfproto(family), (None, None), |m| {
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
    /// Rule handles, in order; `None` when a commit added rules whose
    /// handles it did not ask back (a bulk load): read when needed.
    handles: Option<Vec<u64>>,
    /// False when the chain's rules were not read: the table shows none,
    /// and a commit leaves the chain as it is.
    read: bool,
}

/// The chains of table `name`, as a chain dump gives them. The kernel does
/// not filter chain dumps by table: every chain of the family comes.
fn table_chains(sock: &mut Socket, proto: u16, name: &str) -> Result<Vec<ffi::RawChain>> {
    let mut chains = Vec::new();
    sock.dump(NFT_MSG_GETCHAIN, proto, (Some(name), None), |m| {
        let c = ffi::parse_chain(m)?;
        if c.table == name {
            chains.push(c);
        }
        Ok(())
    })?;
    Ok(chains)
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
    /// Commits in a scratch namespace, trying tables for the diagnosis of
    /// a refusal: a refusal here is not diagnosed again.
    scratch: bool,
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

    /// The table's chains and rules (only the rules of `only`, when
    /// given), read between two reads of the same generation id.
    fn read(
        &mut self,
        family: Family,
        name: &str,
        only: Option<&Chains>,
    ) -> Result<(u32, Vec<ffi::RawChain>, Vec<ffi::RawRule>)> {
        let proto = nfproto(family);
        let mut previous: Option<(Vec<ffi::RawChain>, Vec<ffi::RawRule>)> = None;
        for attempt in 0..READ_ATTEMPTS {
            crate::backend::backoff(attempt);
            let sock = self.socket()?;
            let genid = sock.genid()?;
            let chains = table_chains(sock, proto, name)?;
            let mut rules = Vec::new();
            let mut keep = |m: &[u8]| {
                if let Some(r) = wire::parse_rule(m, name)? {
                    rules.push(r);
                }
                Ok(())
            };
            match only {
                None => sock.dump(NFT_MSG_GETRULE, proto, (Some(name), None), keep)?,
                Some(wanted) => {
                    for c in chains.iter().filter(|c| wanted.contains(&c.name)) {
                        sock.dump(
                            NFT_MSG_GETRULE,
                            proto,
                            (Some(name), Some(&c.name)),
                            &mut keep,
                        )?;
                    }
                }
            }
            if sock.genid()? == genid {
                return Ok((genid, chains, rules));
            }
            if let Some((c, r)) = &previous {
                if same_chains(c, &chains) && same_rules(r, &rules) {
                    return Ok((genid, chains, rules));
                }
            }
            previous = Some((chains, rules));
        }
        Err(Error::TableChanged {
            table: name.into(),
            attempts: READ_ATTEMPTS,
        })
    }
}

/// True when two dumps show the same chains (counters aside).
fn same_chains(a: &[ffi::RawChain], b: &[ffi::RawChain]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (&x.name, x.handle, x.hook, x.prio, &x.kind, x.policy)
                == (&y.name, y.handle, y.hook, y.prio, &y.kind, y.policy)
        })
}

/// True when two dumps show the same rules (counter values aside).
fn same_rules(a: &[ffi::RawRule], b: &[ffi::RawRule]) -> bool {
    let same_expr = |x: &expr::Expr, y: &expr::Expr| match (x, y) {
        (expr::Expr::Counter { .. }, expr::Expr::Counter { .. }) => true,
        (x, y) => x == y,
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.handle == y.handle
                && x.chain == y.chain
                && x.userdata == y.userdata
                && x.exprs.len() == y.exprs.len()
                && x.exprs.iter().zip(&y.exprs).all(|(e, f)| same_expr(e, f))
        })
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
    rule.foreign = Some(Box::new(ForeignRule::new(text.join(" "), why.into())));
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
    rule.foreign.is_some()
}

/// The table of a chain dump, with no rules yet: the built-in chains'
/// policies and counters, the user chains, checked as iptables-nft reads
/// them. With what a snapshot keeps of each chain (its rules are read when
/// `only` names it, or when there is no `only`).
fn chains_of(
    family: Family,
    name: &str,
    raw_chains: &[ffi::RawChain],
    only: Option<&Chains>,
) -> Result<(Table, HashMap<String, KernelChain>)> {
    let builtins = builtin_chains(name).ok_or_else(|| Error::NoSuchTable(name.into()))?;
    let mut table = Table::new(family, name)?;
    let mut kept = HashMap::new();
    for c in raw_chains {
        match c.hook {
            Some(hook) => {
                if !builtins.contains(&c.name.as_str()) || hook_of(&c.name) != Some(hook as usize) {
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
        let read = only.is_none_or(|o| o.contains(&c.name));
        kept.insert(
            c.name.clone(),
            KernelChain {
                handles: read.then(Vec::new),
                read,
            },
        );
    }
    table.sort_chains();
    Ok((table, kept))
}

/// The index in a table of each chain a chain dump listed, by name, for
/// the rules of a rule dump. Rules come chain by chain: the last answer is
/// kept, and most rules need no lookup.
struct Listed<'t> {
    index: HashMap<&'t str, usize>,
    last: Option<(&'t str, usize)>,
}

impl<'t> Listed<'t> {
    fn new(table: &'t Table, raw_chains: &[ffi::RawChain]) -> Listed<'t> {
        let listed: HashSet<&str> = raw_chains.iter().map(|c| c.name.as_str()).collect();
        let index = table
            .chains
            .iter()
            .enumerate()
            .filter(|(_, c)| listed.contains(c.name.as_str()))
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        Listed { index, last: None }
    }

    /// The table index of a rule message's chain, which the chain dump
    /// must have listed.
    fn of(&mut self, r: &ffi::RawRule) -> Result<usize> {
        if let Some((name, i)) = self.last {
            if name == r.chain {
                return Ok(i);
            }
        }
        let (&name, &i) = self.index.get_key_value(r.chain.as_str()).ok_or_else(|| {
            Error::Malformed(format!(
                "a rule of chain `{}`, which the chain dump did not list",
                r.chain
            ))
        })?;
        self.last = Some((name, i));
        Ok(i)
    }
}

/// The rule a rule message holds, or the placeholder for one iptkit
/// cannot read.
fn rule_of(family: Family, r: &ffi::RawRule) -> Rule {
    if r.userdata {
        raw_rule(family, r, "it carries user data")
    } else {
        decode::decode(family, &r.exprs).unwrap_or_else(|why| raw_rule(family, r, &why))
    }
}

impl Nft {
    fn load_only(&mut self, family: Family, name: &str, only: Option<&Chains>) -> Result<Loaded> {
        let (genid, raw_chains, raw_rules) = self.read(family, name, only)?;
        let (mut table, mut chains) = chains_of(family, name, &raw_chains, only)?;
        let mut listed = Listed::new(&table, &raw_chains);
        let mut rules: Vec<Vec<Rule>> = vec![Vec::new(); table.chains.len()];
        // Each raw rule goes once decoded: the decoded rules take the
        // memory the raw ones leave (a read's peak is one form, not both).
        for r in raw_rules {
            let i = listed.of(&r)?;
            rules[i].push(rule_of(family, &r));
            if let Some(k) = chains.get_mut(&r.chain) {
                k.handles.get_or_insert_with(Vec::new).push(r.handle);
            }
        }
        drop(listed);
        for (chain, rules) in table.chains.iter_mut().zip(rules) {
            chain.rules = rules;
        }
        // `-m set` keeps the set's kernel index in its struct, as in a
        // legacy table: name it, as iptables-nft-save does.
        if ipset::has_unnamed(&table) {
            ipset::name(self.ipset_socket()?, &mut table)?;
        }
        Ok(Loaded {
            table,
            state: State::Nft(Snapshot { genid, chains }),
            only: only.cloned(),
        })
    }

    /// [`Driver::save`] from one steady read: each rule printed as it
    /// arrives, into its chain's text, and dropped. `None` when the
    /// ruleset changed during the read, or when it holds anything out of
    /// the ordinary (a table iptables-nft would refuse, a rule of an
    /// unlisted chain, a set named by its kernel index alone, which needs
    /// the ipset socket): the caller then prints a full read, which
    /// stands on a busy ruleset, says what is wrong or does what is needed.
    fn save_steady(
        &mut self,
        family: Family,
        name: &str,
        counters: bool,
        dialect: Dialect,
    ) -> Result<Option<Vec<u8>>> {
        let proto = nfproto(family);
        let sock = self.socket()?;
        let genid = sock.genid()?;
        let raw_chains = table_chains(sock, proto, name)?;
        let Ok((table, _)) = chains_of(family, name, &raw_chains, None) else {
            return Ok(None);
        };
        let mut listed = Listed::new(&table, &raw_chains);
        let mut texts: Vec<SaveText> = table
            .chains
            .iter()
            .map(|_| SaveText::rules_only(counters, dialect))
            .collect();
        let mut unusual = false;
        let mut r = ffi::RawRule::default();
        sock.dump(NFT_MSG_GETRULE, proto, (Some(name), None), |m| {
            if unusual || !wire::parse_rule_into(m, name, &mut r)? {
                return Ok(());
            }
            let Ok(i) = listed.of(&r) else {
                unusual = true;
                return Ok(());
            };
            let rule = rule_of(family, &r);
            unusual = ipset::rule_has_unnamed(&rule) || is_raw(&rule);
            if let Some(text) = texts.get_mut(i) {
                text.rule(&rule, &r.chain);
            }
            Ok(())
        })?;
        if unusual || sock.genid()? != genid {
            return Ok(None);
        }
        let mut out = SaveText::new(name, &table.chains, 0, counters, dialect);
        out.extend(texts);
        Ok(Some(out.finish()))
    }
}

impl Driver for Nft {
    fn connect(&mut self, _family: Family) -> Result<()> {
        self.socket()?;
        self.ipset_socket().map(drop)
    }

    /// Each rule is printed as it arrives and dropped: the text is all a
    /// save holds.
    fn save(
        &mut self,
        family: Family,
        name: &str,
        counters: bool,
        dialect: Dialect,
        out: &mut dyn std::io::Write,
    ) -> Result<()> {
        let text = match self.save_steady(family, name, counters, dialect)? {
            Some(text) => text,
            None => save_table_bytes_as(&self.load(family, name)?.table, counters, dialect),
        };
        write_saved(out, &text)
    }

    fn load(&mut self, family: Family, name: &str) -> Result<Loaded> {
        self.load_only(family, name, None)
    }

    /// Reads the chains, and the rules of `chains` only: a dump filtered
    /// by chain each, so a change to a small chain of a big table reads
    /// little.
    fn load_chains(&mut self, family: Family, name: &str, chains: &Chains) -> Result<Loaded> {
        self.load_only(family, name, Some(chains))
    }

    /// The ruleset generation counts every change of the namespace's
    /// nf_tables ruleset: the same number means nobody changed anything.
    fn unchanged(&mut self, loaded: &Loaded) -> Result<bool> {
        let State::Nft(snap) = &loaded.state else {
            return Ok(false);
        };
        Ok(self.socket()?.genid()? == snap.genid)
    }

    fn takes_deltas(&self) -> bool {
        true
    }

    fn commit_deltas(
        &mut self,
        loaded: &Loaded,
        deltas: &[&Delta],
    ) -> Result<Option<DeltaCommitted>> {
        self.send_deltas(loaded, deltas)
    }

    /// Sends the batch and reads nothing back: the kernel's answer says it
    /// landed, its echoes give the new generation id and the handles of the
    /// rules it added (of a small batch; a bulk load leaves them to be read
    /// when a later change needs them). The new rules are kept as a read
    /// would give them, decoded from what was sent.
    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed> {
        let (plan, reply) = self.send(loaded, new)?;
        Ok(committed(loaded, new, plan, reply.as_ref()))
    }

    /// Plans the batch (encoding every rule, looking sets up) and sends
    /// nothing.
    fn check(&mut self, loaded: &Loaded, new: &Table) -> Result<()> {
        self.plan_for(loaded, new, &BaseChains::default()).map(drop)
    }

    /// Every table's messages in one batch, at the one generation all the
    /// reads were made at (the kernel applies a batch whole or not at
    /// all): a file of several tables lands whole.
    fn commit_tables(&mut self, tables: &[TableCommit<'_>]) -> Result<Option<Vec<Committed>>> {
        let Some(first) = tables.first() else {
            return Ok(Some(Vec::new()));
        };
        let genid = |t: &TableCommit<'_>| match &t.loaded.state {
            State::Nft(snap) => Some(snap.genid),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        let changed = || Error::TableChanged {
            table: first.new.name.clone(),
            attempts: 1,
        };
        // Reads of different generations are not one state of the ruleset:
        // read again.
        let at = genid(first).ok_or_else(changed)?;
        if tables.iter().any(|t| genid(t) != Some(at)) {
            return Err(changed());
        }
        let mut plans = Vec::with_capacity(tables.len());
        for t in tables {
            let mut plan = self.plan_for(t.loaded, t.new, &t.base)?;
            if tables.len() > 1 {
                // Say which table a refused message belongs to.
                plan.in_table = Some(t.new.name.clone());
            }
            plans.push(plan);
        }
        let sending: Vec<(&str, &diff::Plan)> = tables
            .iter()
            .zip(&plans)
            .filter(|(_, p)| p.count > 0)
            .map(|(t, p)| (t.new.name.as_str(), p))
            .collect();
        self.last_batch_messages = sending.iter().map(|(_, p)| p.count).sum();
        self.last_batch_bytes = sending.iter().map(|(_, p)| p.bytes.len()).sum();
        let reply = match sending.is_empty() {
            true => None,
            false => Some(self.send_plans(nfproto(first.new.family), Some(at), &sending)?),
        };
        match reply.as_ref().map(|r| &r.result) {
            Some(netlink::BatchResult::GenerationMoved) => return Err(changed()),
            Some(result @ netlink::BatchResult::Refused { seq, errno }) => {
                // The table whose message it was.
                let (t, plan) = tables
                    .iter()
                    .zip(&plans)
                    .find(|(_, p)| p.holds(*seq))
                    .unwrap_or((first, &plans[0]));
                return Err(self.refusal(t.new, plan, result, *seq, *errno));
            }
            _ => {}
        }
        Ok(Some(
            tables
                .iter()
                .zip(plans)
                .map(|(t, plan)| committed(t.loaded, t.new, plan, reply.as_ref()))
                .collect(),
        ))
    }

    /// Appends and head inserts as one batch of rule messages, with no
    /// read at all: the kernel checks that the chains exist. Declines (the
    /// handle then reads and commits the usual way) when the table or a
    /// chain is missing — iptables-nft creates built-in chains when they
    /// are first needed, which needs the read — or when the kernel refuses
    /// the batch, whose error the usual way names better.
    fn commit_blind(
        &mut self,
        family: Family,
        table: &str,
        changes: &[Blind],
    ) -> Result<BlindOutcome> {
        if changes
            .iter()
            .any(|c| is_raw(c.rule()) || names_sets(c.rule()))
        {
            return Ok(BlindOutcome::Declined);
        }
        let proto = nfproto(family);
        let sock = self.socket()?;
        let mut bytes = Vec::new();
        let mut first = None;
        let mut last = (0, 0);
        for change in changes {
            let flags = match change {
                Blind::Append { .. } => diff::NLM_F_CREATE | diff::NLM_F_APPEND,
                Blind::InsertHead { .. } => diff::NLM_F_CREATE,
            };
            crate::backend::placement::check(family, table, change.chain(), change.rule())?;
            let (exprs, compat) = encode::encode(change.rule())?;
            let seq = sock.next_seq();
            first.get_or_insert(seq);
            last = (seq, bytes.len());
            let m = wire::RuleMsg {
                msg_type: NFT_MSG_NEWRULE,
                family: proto,
                flags: diff::NLM_F_REQUEST | flags,
                seq,
                table,
                chain: change.chain(),
                handle: None,
                position: None,
                compat: Some(compat),
            };
            wire::rule_msg(&m, &exprs, &mut bytes)?;
        }
        if bytes.is_empty() {
            return Ok(BlindOutcome::Landed(None));
        }
        diff::ask_ack(&mut bytes, last.1);
        // No generation: appends and head inserts do not depend on what
        // else the chain holds, so a concurrent change cannot make them
        // wrong.
        // The messages' sequence numbers follow each other.
        let first = first.unwrap_or(last.0);
        let ours = |s: u32| s.wrapping_sub(first) <= last.0.wrapping_sub(first);
        match sock.batch(None, &[&bytes], last.0, &ours) {
            Ok(r) if r.result == netlink::BatchResult::Applied => Ok(BlindOutcome::Landed(None)),
            Ok(_) => Ok(BlindOutcome::Declined),
            // Refused (ENOENT for a missing table, chain or jump target):
            // nothing landed.
            Err(Error::Kernel { .. }) => Ok(BlindOutcome::Declined),
            Err(e) => Err(e),
        }
    }
}

/// True when the rule names an ipset (its index is looked up at commit,
/// its name at read).
pub(crate) fn names_sets(rule: &Rule) -> bool {
    use crate::targets::{Target, TargetExt};
    rule.matches.iter().any(|m| matches!(m, Match::Set(_)))
        || matches!(rule.target, Target::Ext(TargetExt::Set(_)))
}

/// What a commit of `new` onto `loaded` with `plan` left in the kernel,
/// `reply` being the kernel's answer to the batch (`None`: nothing was
/// sent, the kernel holds what was read).
fn committed(
    loaded: &Loaded,
    new: &Table,
    mut plan: diff::Plan,
    reply: Option<&netlink::BatchReply>,
) -> Committed {
    let mut snap = Snapshot {
        // 0 is never a generation: unknown, so the next commit reads.
        genid: reply.and_then(|r| r.genid).unwrap_or(0),
        chains: HashMap::new(),
    };
    if reply.is_none() {
        if let State::Nft(old) = &loaded.state {
            snap = old.clone();
        }
    }
    // Chains whose rules were not read stay as they are.
    if let State::Nft(old) = &loaded.state {
        for (name, k) in &old.chains {
            if !k.read && new.chain(name).is_some() {
                snap.chains.insert(name.clone(), k.clone());
            }
        }
    }
    for (name, slots) in std::mem::take(&mut plan.after) {
        let handles: Option<Vec<u64>> = slots
            .iter()
            .map(|s| match s {
                diff::Slot::Kept(h) => Some(*h),
                diff::Slot::Echo(seq) => reply?.handles.get(seq).copied(),
                diff::Slot::Unknown => None,
            })
            .collect();
        snap.chains.insert(
            name,
            KernelChain {
                handles,
                read: true,
            },
        );
    }
    // Rules added as a read would give them back.
    let mut sent = None;
    for (chain, j, _, rule) in plan.as_read {
        let t = sent.get_or_insert_with(|| new.clone());
        if let Some(slot) = t.chain_mut(&chain).and_then(|c| c.rules.get_mut(j)) {
            *slot = rule;
        }
    }
    Committed {
        state: State::Nft(snap),
        sent,
        counters: Vec::new(),
        replaced: Vec::new(),
        error: None,
    }
}

/// The handles of one chain's rules, in order, read at generation
/// `genid`; [`Error::TableChanged`] when the ruleset moved on since.
fn chain_handles(
    sock: &mut Socket,
    family: u16,
    table: &str,
    chain: &str,
    genid: u32,
) -> Result<Vec<u64>> {
    let mut handles = Vec::new();
    sock.dump(NFT_MSG_GETRULE, family, (Some(table), Some(chain)), |m| {
        if let Some(h) = netlink::rule_handle(m) {
            handles.push(h);
        }
        Ok(())
    })?;
    if sock.genid()? != genid {
        return Err(Error::TableChanged {
            table: table.into(),
            attempts: 1,
        });
    }
    Ok(handles)
}

impl Nft {
    /// Sends the smallest batch that turns `loaded` into `new`; the plan,
    /// and the kernel's answer unless there was nothing to send.
    fn send(
        &mut self,
        loaded: &Loaded,
        new: &Table,
    ) -> Result<(diff::Plan, Option<netlink::BatchReply>)> {
        let plan = self.plan_for(loaded, new, &BaseChains::default())?;
        self.last_batch_messages = plan.count;
        self.last_batch_bytes = plan.bytes.len();
        if plan.count == 0 {
            return Ok((plan, None));
        }
        let genid = match &loaded.state {
            State::Nft(snap) => snap.genid,
            #[allow(unreachable_patterns)]
            _ => 0,
        };
        let reply = self.send_plan(nfproto(new.family), &new.name, Some(genid), &plan)?;
        match reply.result {
            netlink::BatchResult::Applied => Ok((plan, Some(reply))),
            netlink::BatchResult::Refused { seq, errno } => {
                Err(self.refusal(new, &plan, &reply.result, seq, errno))
            }
            netlink::BatchResult::GenerationMoved => Err(Error::TableChanged {
                table: new.name.clone(),
                attempts: 1,
            }),
        }
    }

    /// The error for a batch the kernel refused at message `seq`: the rule
    /// and extension refused when the message carried a rule of `new`
    /// (found by trying it in a scratch namespace), else the errno with
    /// what the message was for.
    fn refusal(
        &self,
        new: &Table,
        plan: &diff::Plan,
        result: &netlink::BatchResult,
        seq: u32,
        errno: crate::error::Errno,
    ) -> Error {
        let named = match (self.scratch, plan.rule_at(seq)) {
            (false, Some(at)) => refused::refused(new, at, errno),
            _ => None,
        };
        named
            .or_else(|| result.refusal(plan.purpose(seq, new).as_deref()))
            .unwrap_or_else(|| Error::Malformed("a refusal without an error".into()))
    }

    /// The messages that turn `loaded` into `new`, `base` saying which
    /// built-in chains must exist; nothing is sent.
    fn plan_for(&mut self, loaded: &Loaded, new: &Table, base: &BaseChains) -> Result<diff::Plan> {
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
        diff::plan(sock, &loaded.table, snap, new, base)
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
