//! What a commit sends: the fewest messages that turn the table as read
//! into the table asked for. Rules are paired by what they do
//! ([`Rule::same_spec`]): common head and tail first, then the longest
//! common subsequence of the rest; a rule that stays where it is is not
//! touched (its counters stay the kernel's), one whose counters were set
//! is replaced by handle, the others are deleted, replaced or inserted by
//! handle and position.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use iptkit_sys::nftables::*;

use super::expr::Expr;
use super::netlink::{Socket, NLM_F_ACK, NLM_F_ECHO};
use super::{base_chain, encode, is_raw, nfproto, wire, Snapshot};
use crate::backend::BaseChains;
use crate::error::{Error, Result};
use crate::pairing::{pair, steps_paired, Counted, Step};
use crate::rule::Rule;
use crate::ruleset::{hook_of, Chain, Policy, Table};

use crate::backend::netlink_msg::NLM_F_REPLACE;
pub(crate) use crate::backend::netlink_msg::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_REQUEST};

/// The batch body: messages, how many, and what each is for; and what
/// the chains will hold once the kernel applied it.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub bytes: Vec<u8>,
    pub count: usize,
    pub last_seq: u32,
    /// The sequence number of the first message; the others follow it.
    first_seq: u32,
    /// What the messages are for: runs of them, each by the offset of its
    /// first message from `first_seq`.
    purposes: Vec<(u32, Purpose)>,
    /// The table, when the batch holds several: errors name it.
    pub in_table: Option<String>,
    last_offset: usize,
    /// Every chain the kernel will have, with where each rule's handle
    /// comes from.
    pub after: HashMap<String, Vec<Slot>>,
    /// Rule messages sent with NLM_F_ECHO (their handles come back).
    echo: bool,
    /// Rules the batch adds that a read would give back differently from
    /// how they were given (decoded from the expressions sent), by chain,
    /// position in the new table and the sequence number of their message.
    pub as_read: Vec<(String, usize, u32, Rule)>,
}

/// What messages of a batch are for, to name one in an error.
#[derive(Debug)]
enum Purpose {
    /// One message, said in words.
    Text(String),
    /// NEWRULEs of `count` rules in a row: the rules at `index`, `index +
    /// 1`, ... of `chain` after the batch; or one rule replacing rule
    /// `replaces` (1-based). Put in words only when an error names one:
    /// printing every rule of a big load cost a third of what encoding
    /// them did, and a run of appends is one entry however long.
    Rules {
        chain: Rc<str>,
        index: usize,
        count: usize,
        replaces: Option<usize>,
    },
}

impl Plan {
    /// Counts in the message of sequence number `seq` (the next after the
    /// last), about to be written at the end of the bytes.
    fn note(&mut self, seq: u32, purpose: Purpose) {
        if self.count == 0 {
            self.first_seq = seq;
        }
        let at = self.count as u32;
        match (self.purposes.last_mut(), &purpose) {
            // The next rule of a run of appends.
            (
                Some((
                    _,
                    Purpose::Rules {
                        chain,
                        index,
                        count,
                        replaces: None,
                    },
                )),
                Purpose::Rules {
                    chain: next,
                    index: j,
                    replaces: None,
                    ..
                },
            ) if Rc::ptr_eq(chain, next) && *index + *count == *j => *count += 1,
            _ => self.purposes.push((at, purpose)),
        }
        self.count += 1;
        self.last_seq = seq;
        self.last_offset = self.bytes.len();
    }

    /// The purpose of message `seq`, and where in its run the message is.
    fn purpose_of(&self, seq: u32) -> Option<(&Purpose, usize)> {
        let at = seq.wrapping_sub(self.first_seq);
        if at as usize >= self.count {
            return None;
        }
        // The first run starts at 0, so some run starts at or before `at`.
        let i = self.purposes.partition_point(|(start, _)| *start <= at);
        let (start, purpose) = self.purposes.get(i.checked_sub(1)?)?;
        Some((purpose, (at - start) as usize))
    }

    /// True when message `seq` is one of this plan's.
    pub fn holds(&self, seq: u32) -> bool {
        self.purpose_of(seq).is_some()
    }

    /// The chain and the index in it after the batch of the rule message
    /// `seq` carries (a NEWRULE): a refused message names its rule.
    pub fn rule_at(&self, seq: u32) -> Option<(&str, usize)> {
        match self.purpose_of(seq)? {
            (Purpose::Rules { chain, index, .. }, k) => Some((chain, index + k)),
            (Purpose::Text(_), _) => None,
        }
    }

    /// What message `seq` was for, in words; `new` is the table the plan
    /// was made for.
    pub fn purpose(&self, seq: u32, new: &Table) -> Option<String> {
        let text = match self.purpose_of(seq)? {
            (Purpose::Text(t), _) => t.clone(),
            (
                Purpose::Rules {
                    chain,
                    index,
                    replaces,
                    ..
                },
                k,
            ) => {
                let rule = new.chain(chain)?.rules.get(index + k)?;
                match replaces {
                    None => format!("adding `{rule}` to chain `{chain}`"),
                    Some(n) => format!("replacing rule {n} of chain `{chain}` with `{rule}`"),
                }
            }
        };
        Some(match &self.in_table {
            Some(t) => format!("table `{t}`: {text}"),
            None => text,
        })
    }
}

/// Where a new rule goes in its chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Place {
    /// At the end.
    Append,
    /// At the head.
    Head,
    /// Before the rule of this handle.
    Before(u64),
}

/// Where the handle of a rule after the batch comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Slot {
    /// A rule that stays: its handle as known before.
    Kept(u64),
    /// A rule the batch adds: the kernel's echo of this message.
    Echo(u32),
    /// Not known without a read.
    Unknown,
}

/// At most this many rule messages are echoed: each echo is a copy of
/// the rule the kernel builds and queues to us, and a bulk load does not
/// need them (a later positional change reads the chain's handles).
pub(crate) const ECHO_LIMIT: usize = 256;

/// What a chain gets added or replaced: the chain, the handles of its
/// rules as read, and its steps, or all its rules appended (`None`).
type Adds<'a> = (&'a Chain, &'a [u64], Option<&'a [Step]>);

/// Builds the messages of a batch.
pub(crate) struct Builder<'a> {
    sock: &'a mut Socket,
    plan: Plan,
    family: u16,
    table: &'a str,
    /// The name of the chain the last rule message went to, shared by the
    /// purposes of its rules.
    chain: Option<Rc<str>>,
}

impl<'a> Builder<'a> {
    /// A builder of rule messages for `table`, echoed when `echo`.
    pub fn new(sock: &'a mut Socket, family: u16, table: &'a str, echo: bool) -> Self {
        Builder {
            sock,
            plan: Plan {
                echo,
                ..Plan::default()
            },
            family,
            table,
            chain: None,
        }
    }

    /// The batch body, its last message asking for an acknowledgement.
    pub fn finish(self) -> Plan {
        let mut plan = self.plan;
        if plan.count > 0 {
            ask_ack(&mut plan.bytes, plan.last_offset);
        }
        plan
    }

    fn seq(&mut self, purpose: Purpose) -> u32 {
        let seq = self.sock.next_seq();
        self.plan.note(seq, purpose);
        seq
    }

    /// Adds a NEWRULE for `rule`, which will be the rule at `index` of
    /// `chain`, at `place`; returns its sequence number.
    pub fn add_rule(
        &mut self,
        chain: &str,
        place: Place,
        rule: &Rule,
        index: usize,
    ) -> Result<u32> {
        let (flags, position) = match place {
            Place::Append => (NLM_F_CREATE | NLM_F_APPEND, None),
            // No position and no APPEND: the head.
            Place::Head => (NLM_F_CREATE, None),
            Place::Before(h) => (NLM_F_CREATE, Some(h)),
        };
        self.new_rule(flags, chain, (None, position), (rule, index), None)
    }

    /// Adds a NEWRULE replacing rule `handle` (rule `number`, 1-based, as
    /// errors name it) with `rule`, the rule at `index` of `chain` after.
    pub fn replace_rule(
        &mut self,
        chain: &str,
        (handle, number): (u64, usize),
        rule: &Rule,
        index: usize,
    ) -> Result<u32> {
        let at = (Some(handle), None);
        self.new_rule(NLM_F_REPLACE, chain, at, (rule, index), Some(number))
    }

    /// Adds a DELRULE of rule `handle` (rule `number`, 1-based), or of every
    /// rule of the chain for `None` (a flush, as `iptables -F` sends it).
    pub fn delete_rule(&mut self, chain: &str, which: Option<(u64, usize)>) -> Result<()> {
        let purpose = match which {
            Some((_, number)) => format!("deleting rule {number} of chain `{chain}`"),
            None => format!("flushing chain `{chain}`"),
        };
        let seq = self.seq(Purpose::Text(purpose));
        let m = wire::RuleMsg {
            msg_type: NFT_MSG_DELRULE,
            seq,
            chain,
            handle: which.map(|(h, _)| h),
            ..Default::default()
        };
        self.push(m, &[])
    }

    /// Adds a NEWRULE: `at` is (handle, position), `rule` the rule and its
    /// index in the chain after the batch, `replaces` the number of the
    /// rule it replaces. Returns its sequence number.
    fn new_rule(
        &mut self,
        flags: u16,
        chain: &str,
        (handle, position): (Option<u64>, Option<u64>),
        (r, j): (&Rule, usize),
        replaces: Option<usize>,
    ) -> Result<u32> {
        let shared = match &self.chain {
            Some(c) if **c == *chain => c.clone(),
            _ => self.chain.insert(Rc::from(chain)).clone(),
        };
        let seq = self.seq(Purpose::Rules {
            chain: shared,
            index: j,
            count: 1,
            replaces,
        });
        crate::backend::placement::check(r.family, self.table, chain, r)?;
        if is_raw(r) {
            return Err(Error::Incompatible {
                table: self.table.into(),
                reason: format!(
                    "chain `{chain}`: a rule iptkit cannot read would have to be written anew"
                ),
            });
        }
        let (exprs, compat) = encode::encode(r)?;
        if !super::names_sets(r) {
            // What a read would give back is what these expressions
            // decode to.
            if let Ok(mut back) = super::decode::decode(r.family, &exprs) {
                back.counters = r.counters;
                if back != *r {
                    self.plan.as_read.push((chain.to_string(), j, seq, back));
                }
            }
        }
        let m = wire::RuleMsg {
            msg_type: NFT_MSG_NEWRULE,
            flags,
            seq,
            chain,
            handle,
            position,
            compat: Some(compat),
            ..Default::default()
        };
        self.push(m, &exprs)?;
        Ok(seq)
    }

    /// Appends a rule message of this builder's table and family.
    fn push(&mut self, m: wire::RuleMsg, exprs: &[Expr]) -> Result<()> {
        let echo = if self.plan.echo && m.msg_type == NFT_MSG_NEWRULE {
            NLM_F_ECHO
        } else {
            0
        };
        let m = wire::RuleMsg {
            family: self.family,
            flags: NLM_F_REQUEST | m.flags | echo,
            table: self.table,
            ..m
        };
        wire::rule_msg(&m, exprs, &mut self.plan.bytes)
    }

    fn chain(&mut self, m: wire::ChainMsg, purpose: String) -> Result<()> {
        let seq = self.seq(Purpose::Text(purpose));
        let m = wire::ChainMsg {
            seq,
            family: self.family,
            table: self.table,
            flags: NLM_F_REQUEST | m.flags,
            ..m
        };
        wire::chain_msg(&m, &mut self.plan.bytes)
    }
}

fn policy_verdict(p: Policy) -> u32 {
    match p {
        Policy::Accept => NF_ACCEPT as u32,
        Policy::Drop => NF_DROP as u32,
    }
}

/// The messages that turn `old` (as read, with `snap`) into `new`. The
/// handles of a chain the snapshot does not know are read (that chain
/// only) when a step needs them. Built-in chains are created when first
/// needed, as iptables-nft creates them: when they get rules, a policy
/// other than ACCEPT or counters, or when `base` names them; with
/// `base.only_named`, those it does not name and that are left empty with
/// policy ACCEPT are deleted.
pub(crate) fn plan(
    sock: &mut Socket,
    old: &Table,
    snap: &Snapshot,
    new: &Table,
    base: &BaseChains,
) -> Result<Plan> {
    for c in &new.chains {
        if c.is_builtin() && base_chain(&new.name, &c.name).is_none() {
            return Err(Error::BuiltinChain {
                chain: c.name.clone(),
                reason: "is not a built-in chain of this table",
            });
        }
    }
    let family = nfproto(new.family);
    // 0. What each chain that stays goes through, and its handles.
    struct Work<'a> {
        chain: &'a Chain,
        handles: Vec<u64>,
        kept: Vec<Option<usize>>,
        steps: Vec<Step>,
    }
    let mut work = Vec::new();
    for c in &new.chains {
        let Some(o) = old.chain(&c.name) else {
            continue;
        };
        if snap.chains.get(&c.name).is_some_and(|k| !k.read) {
            // Its rules were not read, so nothing changed them.
            continue;
        }
        let kept = pair(&o.rules, &c.rules);
        let steps = steps_paired(&o.rules, &c.rules, &kept, Counted::Yes);
        let known = snap.chains.get(&c.name).and_then(|k| k.handles.as_ref());
        let needs_handles = steps.iter().any(|s| !matches!(s, Step::Insert(_, None)));
        let handles = match known {
            Some(h) => h.clone(),
            None if needs_handles && snap.chains.contains_key(&c.name) => {
                super::chain_handles(sock, family, &new.name, &c.name, snap.genid)?
            }
            None => Vec::new(),
        };
        if needs_handles && handles.len() != o.rules.len() {
            return Err(Error::Malformed(format!(
                "chain `{}`: {} rules read but {} handles",
                c.name,
                o.rules.len(),
                handles.len()
            )));
        }
        work.push(Work {
            chain: c,
            handles,
            kept,
            steps,
        });
    }
    let adds = work
        .iter()
        .flat_map(|w| &w.steps)
        .filter(|s| !matches!(s, Step::Delete(_)))
        .count()
        + new
            .chains
            .iter()
            .filter(|c| old.chain(&c.name).is_none())
            .map(|c| c.rules.len())
            .sum::<usize>();
    let mut b = Builder::new(sock, family, &new.name, adds <= ECHO_LIMIT);
    // Room for the rule messages (some 400 bytes for a rule of addresses,
    // ports and a verdict), so that the batch is not copied as it grows:
    // what is not written is never touched.
    b.plan.bytes.reserve(adds.saturating_mul(512));
    // 1. Rules deleted from chains that stay. What each chain gets added
    // or replaced comes last: its steps, or all its rules appended (`None`).
    let mut inserts: Vec<Adds> = Vec::new();
    for w in &work {
        let c = w.chain;
        let slots: Vec<Slot> = w
            .kept
            .iter()
            .map(|k| match k.and_then(|i| w.handles.get(i)) {
                Some(&h) => Slot::Kept(h),
                None => Slot::Unknown,
            })
            .collect();
        b.plan.after.insert(c.name.clone(), slots);
        let o_len = old.chain(&c.name).map_or(0, |o| o.rules.len());
        if o_len > 1 && w.kept.iter().all(Option::is_none) {
            // No rule stays: one flush of the chain (a delete without a
            // handle, as `iptables -F` sends), then the new rules appended.
            // One delete or replace per rule would cost the kernel a walk
            // of the chain each (it finds a rule by its handle in a list):
            // quadratic, seconds for 20,000 rules.
            b.delete_rule(&c.name, None)?;
            inserts.push((c, &w.handles, None));
            continue;
        }
        for s in &w.steps {
            if let Step::Delete(i) = *s {
                b.delete_rule(&c.name, Some((w.handles[i], i + 1)))?;
            }
        }
        inserts.push((c, &w.handles, Some(&w.steps)));
    }
    // 2. Chains that go (their rules go with them); built-in chains the
    // restore leaves unnamed and empty, as iptables-nft-restore leaves them.
    let unneeded: HashSet<&str> = new
        .chains
        .iter()
        .filter(|c| {
            base.only_named
                && c.is_builtin()
                && snap.chains.contains_key(&c.name)
                && !base.named.contains(&c.name)
                && c.rules.is_empty()
                && c.policy == Some(Policy::Accept)
        })
        .map(|c| c.name.as_str())
        .collect();
    for name in &unneeded {
        b.plan.after.remove(*name);
        b.chain(
            wire::ChainMsg {
                msg_type: NFT_MSG_DELCHAIN,
                name,
                ..Default::default()
            },
            format!("deleting chain `{name}`, which the input does not name"),
        )?;
    }
    // User chains that go are deleted last (step 5): a rule replaced in a
    // chain that stays may be the jump that holds one (the kernel answers
    // EBUSY to deleting a chain something still jumps to).
    let mut gone: Vec<&Chain> = Vec::new();
    for o in &old.chains {
        if new.chain(&o.name).is_none() {
            if o.is_builtin() {
                return Err(Error::BuiltinChain {
                    chain: o.name.clone(),
                    reason: "built-in chains cannot be deleted",
                });
            }
            gone.push(o);
        }
    }
    // 3. Chains that come, the table first when it may not exist; built-in
    // chains as iptables-nft creates them: when they are first needed.
    let mut table_sent = !snap.chains.is_empty();
    for c in &new.chains {
        if unneeded.contains(c.name.as_str()) {
            continue;
        }
        let in_kernel = snap.chains.contains_key(&c.name);
        let was = old.chain(&c.name);
        let needed = match c.policy {
            None => !in_kernel,
            Some(p) => {
                !in_kernel
                    && (!c.rules.is_empty()
                        || p != Policy::Accept
                        || c.counters != Default::default()
                        || base.named.contains(&c.name))
            }
        };
        if !in_kernel && !needed {
            // Not in the kernel before, not after.
            b.plan.after.remove(&c.name);
        }
        let changed = in_kernel
            && c.is_builtin()
            && was.is_some_and(|w| w.policy != c.policy || w.counters != c.counters);
        if !needed && !changed {
            continue;
        }
        if needed && !table_sent {
            let seq = b.seq(Purpose::Text(format!("creating table `{}`", new.name)));
            let hdr = (NFT_MSG_NEWTABLE, b.family, NLM_F_CREATE, seq);
            wire::table_msg(hdr, &new.name, &mut b.plan.bytes)?;
            table_sent = true;
        }
        let counters = (c.is_builtin()
            && (needed || was.is_some_and(|w| w.counters != c.counters)))
        .then_some((c.counters.packets, c.counters.bytes));
        let hook = match (needed, c.policy) {
            (true, Some(_)) => {
                let (kind, prio) = base_chain(&new.name, &c.name).unwrap_or(("filter", 0));
                hook_of(&c.name).map(|h| (h as u32, prio, kind))
            }
            _ => None,
        };
        b.chain(
            wire::ChainMsg {
                msg_type: NFT_MSG_NEWCHAIN,
                flags: if needed { NLM_F_CREATE } else { 0 },
                name: &c.name,
                hook,
                policy: c.policy.map(policy_verdict),
                counters,
                ..Default::default()
            },
            format!("creating or updating chain `{}`", c.name),
        )?;
        if needed {
            b.plan.after.entry(c.name.clone()).or_default();
        }
    }
    // 4. Rules inserted or replaced, then rules of new chains.
    for c in &new.chains {
        if old.chain(&c.name).is_none() {
            b.plan
                .after
                .insert(c.name.clone(), vec![Slot::Unknown; c.rules.len()]);
            inserts.push((c, &[], None));
        }
    }
    for (c, handles, steps) in inserts {
        let (chain, rules) = (c.name.as_str(), &c.rules);
        // Where the handles of the rules added will come from.
        let mut slots = b.plan.after.remove(chain);
        let mut add = |b: &mut Builder, step: &Step| -> Result<()> {
            let (j, seq) = match *step {
                Step::Replace(i, j) => {
                    (j, b.replace_rule(chain, (handles[i], i + 1), &rules[j], j)?)
                }
                Step::Insert(j, before) => {
                    let place = match before {
                        Some(i) => Place::Before(handles[i]),
                        None => Place::Append,
                    };
                    (j, b.add_rule(chain, place, &rules[j], j)?)
                }
                Step::Delete(_) => return Ok(()),
            };
            if let Some(slot) = slots.as_mut().and_then(|s| s.get_mut(j)) {
                *slot = match b.plan.echo {
                    true => Slot::Echo(seq),
                    false => Slot::Unknown,
                };
            }
            Ok(())
        };
        match steps {
            Some(steps) => steps.iter().try_for_each(|s| add(&mut b, s))?,
            None => (0..rules.len()).try_for_each(|j| add(&mut b, &Step::Insert(j, None)))?,
        }
        if let Some(slots) = slots {
            b.plan.after.insert(chain.to_string(), slots);
        }
    }
    // 5. Chains that go (their rules go with them), each after the chains
    // that go and jump to it.
    for o in deletion_order(&gone) {
        b.chain(
            wire::ChainMsg {
                msg_type: NFT_MSG_DELCHAIN,
                name: &o.name,
                ..Default::default()
            },
            format!("deleting chain `{}`", o.name),
        )?;
    }
    // 6. A flushing restore that leaves no chain at all leaves no table
    // (iptables-nft-restore deletes it and makes nothing anew).
    if base.only_named && b.plan.after.is_empty() && !snap.chains.is_empty() {
        let seq = b.seq(Purpose::Text(format!(
            "deleting table `{}`, which is left empty",
            new.name
        )));
        let hdr = (NFT_MSG_DELTABLE, b.family, 0, seq);
        wire::table_msg(hdr, &new.name, &mut b.plan.bytes)?;
    }
    Ok(b.finish())
}

/// The chains in an order in which each comes after every chain of the
/// list that jumps to it (the kernel refuses to delete a chain still
/// jumped to). Linear in the rules: each chain waits for a count of
/// jumps from the list.
fn deletion_order<'a>(gone: &[&'a Chain]) -> Vec<&'a Chain> {
    let index: HashMap<&str, usize> = gone
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let targets = |c: &'a Chain| {
        c.rules
            .iter()
            .filter_map(|r| r.target.chain().and_then(|t| index.get(t).copied()))
    };
    let mut jumps_in = vec![0usize; gone.len()];
    for c in gone {
        targets(c).for_each(|j| jumps_in[j] += 1);
    }
    let mut ready: Vec<usize> = (0..gone.len()).filter(|&i| jumps_in[i] == 0).collect();
    let mut out = Vec::with_capacity(gone.len());
    let mut done = vec![false; gone.len()];
    while let Some(i) = ready.pop() {
        out.push(gone[i]);
        done[i] = true;
        for j in targets(gone[i]) {
            jumps_in[j] -= 1;
            if jumps_in[j] == 0 {
                ready.push(j);
            }
        }
    }
    // A loop cannot be in a table that passed its checks; should one be,
    // its chains go last, in table order, and the kernel says what it thinks.
    out.extend((0..gone.len()).filter(|&i| !done[i]).map(|i| gone[i]));
    out
}

/// Asks for an acknowledgement of the message at `offset` (the batch's
/// last): it says the batch was applied.
pub(crate) fn ask_ack(bytes: &mut [u8], offset: usize) {
    let at = offset + 6;
    let flags = u16::from_ne_bytes([bytes[at], bytes[at + 1]]) | NLM_F_ACK;
    bytes[at..at + 2].copy_from_slice(&flags.to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Family;

    /// Runs of appends are one entry, and every message is still named:
    /// the rule it carries, its place, the table when several are sent.
    #[test]
    fn chains_are_deleted_after_the_chains_that_jump_to_them() {
        let chain = |name: &str, to: &[&str]| {
            let mut c = Chain::user(name);
            for t in to {
                c.rules
                    .push(Rule::new(Family::Ipv4).with_target(crate::Target::Jump(t.to_string())));
            }
            c
        };
        let (d, b, a, c, e) = (
            chain("d", &[]),
            chain("b", &["d", "kept"]),
            chain("a", &["b", "b"]),
            chain("c", &["b"]),
            chain("e", &[]),
        );
        let gone = [&d, &b, &a, &c, &e];
        let order: Vec<&str> = deletion_order(&gone)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let at = |n: &str| order.iter().position(|o| *o == n).unwrap();
        assert_eq!(order.len(), 5, "{order:?}");
        assert!(
            at("a") < at("b") && at("c") < at("b") && at("b") < at("d"),
            "{order:?}"
        );
    }

    #[test]
    fn purposes_name_each_message_of_a_run() {
        let mut new = Table::new(Family::Ipv4, "filter").unwrap();
        new.chains.push(Chain::user("a"));
        for spec in ["-j ACCEPT", "-j DROP", "-j RETURN", "-s 1.2.3.4 -j DROP"] {
            new.append("a", Rule::parse(Family::Ipv4, spec).unwrap())
                .unwrap();
        }
        let a: Rc<str> = Rc::from("a");
        let rules = |index, replaces| Purpose::Rules {
            chain: a.clone(),
            index,
            count: 1,
            replaces,
        };
        let mut plan = Plan::default();
        // Sequence numbers wrap around on the way.
        let first = u32::MAX - 1;
        plan.note(first, Purpose::Text("flushing chain `a`".into()));
        plan.note(first.wrapping_add(1), rules(0, None));
        plan.note(first.wrapping_add(2), rules(1, None));
        plan.note(first.wrapping_add(3), rules(2, None));
        plan.note(first.wrapping_add(4), rules(3, Some(9)));
        assert_eq!(plan.purposes.len(), 3);
        assert!(!plan.holds(first.wrapping_sub(1)));
        assert!(!plan.holds(first.wrapping_add(5)));
        assert_eq!(plan.rule_at(first), None);
        assert_eq!(plan.rule_at(first.wrapping_add(3)), Some(("a", 2)));
        let said = |seq: u32| plan.purpose(seq, &new).unwrap();
        assert_eq!(said(first), "flushing chain `a`");
        assert_eq!(said(first.wrapping_add(2)), "adding `-j DROP` to chain `a`");
        assert_eq!(
            said(first.wrapping_add(4)),
            "replacing rule 9 of chain `a` with `-s 1.2.3.4/32 -j DROP`"
        );
        plan.in_table = Some("filter".into());
        assert_eq!(
            plan.purpose(first.wrapping_add(1), &new).unwrap(),
            "table `filter`: adding `-j ACCEPT` to chain `a`"
        );
    }
}
