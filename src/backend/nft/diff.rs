//! What a commit sends: the fewest messages that turn the table as read
//! into the table asked for. Rules are paired by what they do
//! ([`Rule::same_spec`]): common head and tail first, then the longest
//! common subsequence of the rest; a rule that stays where it is is not
//! touched (its counters stay the kernel's), one whose counters were set
//! is replaced by handle, the others are deleted, replaced or inserted by
//! handle and position.

use std::collections::HashSet;

use iptkit_sys::nftables::*;

use super::netlink::{Purposes, Socket, NLM_F_ACK};
use super::{base_chain, encode, ffi, is_raw, nfproto, Snapshot};
use crate::error::{Error, Result};
use crate::rule::Rule;
use crate::ruleset::{hook_of, Chain, Policy, Table};

const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_REPLACE: u16 = 0x100;
const NLM_F_CREATE: u16 = 0x400;
const NLM_F_APPEND: u16 = 0x800;

/// The batch body: messages, how many, and what each is for.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub bytes: Vec<u8>,
    pub count: usize,
    pub last_seq: u32,
    pub purposes: Purposes,
    last_offset: usize,
}

/// Above this many pairs, the rules between the common head and tail are
/// not paired one by one (that would take quadratic time): they are all
/// replaced.
const LCS_LIMIT: usize = 4_000_000;

/// One change to a chain's rules.
#[derive(Debug, PartialEq)]
enum Step {
    /// Delete the old rule at this index.
    Delete(usize),
    /// Replace the old rule at this index with the new one at that index.
    Replace(usize, usize),
    /// Insert the new rule at this index before the old rule at that
    /// index (or append, for `None`).
    Insert(usize, Option<usize>),
}

/// Pairs old and new rules: which old index each kept new rule is.
fn pair(old: &[Rule], new: &[Rule]) -> Vec<Option<usize>> {
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
    if o.is_empty() || n.is_empty() || o.len().saturating_mul(n.len()) > LCS_LIMIT {
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

/// The steps that turn `old` into `new`, given the pairing.
fn steps(old: &[Rule], new: &[Rule]) -> Vec<Step> {
    let kept = pair(old, new);
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
                if old[i].counters != new[j].counters {
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

struct Builder<'a> {
    sock: &'a mut Socket,
    plan: Plan,
    family: u16,
    table: &'a str,
}

impl Builder<'_> {
    fn seq(&mut self, purpose: String) -> u32 {
        let seq = self.sock.next_seq();
        self.plan.purposes.insert(seq, purpose);
        self.plan.count += 1;
        self.plan.last_seq = seq;
        self.plan.last_offset = self.plan.bytes.len();
        seq
    }

    #[allow(clippy::too_many_arguments)]
    fn rule(
        &mut self,
        msg_type: u16,
        flags: u16,
        chain: &str,
        handle: Option<u64>,
        position: Option<u64>,
        rule: Option<&Rule>,
        purpose: String,
    ) -> Result<()> {
        let (exprs, compat) = match rule {
            Some(r) => {
                if is_raw(r) {
                    return Err(Error::Incompatible {
                        table: self.table.into(),
                        reason: format!(
                            "chain `{chain}`: a rule iptkit cannot read would have to be written anew"
                        ),
                    });
                }
                let (e, c) = encode::encode(r)?;
                (e, Some(c))
            }
            None => (Vec::new(), None),
        };
        let seq = self.seq(purpose);
        let m = ffi::RuleMsg {
            msg_type,
            family: self.family,
            flags: NLM_F_REQUEST | flags,
            seq,
            table: self.table,
            chain,
            handle,
            position,
            compat,
        };
        ffi::rule_msg(&m, &exprs, &mut self.plan.bytes)
    }

    fn chain(&mut self, m: ffi::ChainMsg, purpose: String) -> Result<()> {
        let seq = self.seq(purpose);
        let m = ffi::ChainMsg {
            seq,
            family: self.family,
            table: self.table,
            flags: NLM_F_REQUEST | m.flags,
            ..m
        };
        ffi::chain_msg(&m, &mut self.plan.bytes)
    }
}

fn policy_verdict(p: Policy) -> u32 {
    match p {
        Policy::Accept => NF_ACCEPT as u32,
        Policy::Drop => NF_DROP as u32,
    }
}

/// The messages that turn `old` (as read, with `snap`) into `new`.
pub(crate) fn plan(sock: &mut Socket, old: &Table, snap: &Snapshot, new: &Table) -> Result<Plan> {
    for c in &new.chains {
        if c.is_builtin() && base_chain(&new.name, &c.name).is_none() {
            return Err(Error::BuiltinChain {
                chain: c.name.clone(),
                reason: "is not a built-in chain of this table",
            });
        }
    }
    let mut b = Builder {
        sock,
        plan: Plan::default(),
        family: nfproto(new.family),
        table: &new.name,
    };
    let empty = Chain::default();
    // 1. Rules deleted from chains that stay.
    let mut inserts = Vec::new();
    for c in &new.chains {
        let Some(o) = old.chain(&c.name) else {
            continue;
        };
        let handles = snap
            .chains
            .get(&c.name)
            .map(|k| k.handles.as_slice())
            .unwrap_or(&[]);
        if handles.len() != o.rules.len() {
            return Err(Error::Malformed(format!(
                "chain `{}`: {} rules read but {} handles",
                c.name,
                o.rules.len(),
                handles.len()
            )));
        }
        let steps = steps(&o.rules, &c.rules);
        if o.rules.len() > 1
            && steps.len() == o.rules.len()
            && steps.iter().all(|s| matches!(s, Step::Delete(_)))
        {
            // Every rule goes: one flush of the chain (a delete without a
            // handle), as `iptables -F` sends.
            b.rule(
                NFT_MSG_DELRULE,
                0,
                &c.name,
                None,
                None,
                None,
                format!("flushing chain `{}`", c.name),
            )?;
            continue;
        }
        for s in steps {
            match s {
                Step::Delete(i) => b.rule(
                    NFT_MSG_DELRULE,
                    0,
                    &c.name,
                    Some(handles[i]),
                    None,
                    None,
                    format!("deleting rule {} of chain `{}`", i + 1, c.name),
                )?,
                other => inserts.push((c.name.as_str(), other, handles)),
            }
        }
    }
    // 2. Chains that go (their rules go with them).
    for o in &old.chains {
        if new.chain(&o.name).is_none() {
            if o.is_builtin() {
                return Err(Error::BuiltinChain {
                    chain: o.name.clone(),
                    reason: "built-in chains cannot be deleted",
                });
            }
            b.chain(
                ffi::ChainMsg {
                    msg_type: NFT_MSG_DELCHAIN,
                    name: &o.name,
                    ..Default::default()
                },
                format!("deleting chain `{}`", o.name),
            )?;
        }
    }
    // 3. Chains that come, the table first when it may not exist; built-in
    // chains as iptables-nft creates them: when they are first needed.
    let mut table_sent = !snap.chains.is_empty();
    for c in &new.chains {
        let in_kernel = snap.chains.contains_key(&c.name);
        let was = old.chain(&c.name);
        let needed = match c.policy {
            None => !in_kernel,
            Some(p) => {
                !in_kernel
                    && (!c.rules.is_empty()
                        || p != Policy::Accept
                        || c.counters != Default::default())
            }
        };
        let changed = in_kernel
            && c.is_builtin()
            && was.is_some_and(|w| w.policy != c.policy || w.counters != c.counters);
        if !needed && !changed {
            continue;
        }
        if needed && !table_sent {
            let seq = b.seq(format!("creating table `{}`", new.name));
            ffi::table_msg(
                NFT_MSG_NEWTABLE,
                b.family,
                NLM_F_REQUEST | NLM_F_CREATE,
                seq,
                &new.name,
                &mut b.plan.bytes,
            )?;
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
            ffi::ChainMsg {
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
    }
    // 4. Rules of new chains, then rules inserted or replaced.
    for c in &new.chains {
        if old.chain(&c.name).is_none() {
            for (j, _) in c.rules.iter().enumerate() {
                inserts.push((c.name.as_str(), Step::Insert(j, None), &[]));
            }
        }
    }
    for (chain, step, handles) in inserts {
        let rules = &new.chain(chain).unwrap_or(&empty).rules;
        match step {
            Step::Replace(i, j) => b.rule(
                NFT_MSG_NEWRULE,
                NLM_F_REPLACE,
                chain,
                Some(handles[i]),
                None,
                Some(&rules[j]),
                format!(
                    "replacing rule {} of chain `{chain}` with `{}`",
                    i + 1,
                    rules[j]
                ),
            )?,
            Step::Insert(j, before) => {
                let (flags, position) = match before {
                    Some(i) => (NLM_F_CREATE, Some(handles[i])),
                    None => (NLM_F_CREATE | NLM_F_APPEND, None),
                };
                b.rule(
                    NFT_MSG_NEWRULE,
                    flags,
                    chain,
                    None,
                    position,
                    Some(&rules[j]),
                    format!("adding `{}` to chain `{chain}`", rules[j]),
                )?
            }
            Step::Delete(_) => {}
        }
    }
    let mut plan = b.plan;
    if plan.count > 0 {
        // Acknowledge the last message: its acknowledgement says the batch
        // was applied.
        let at = plan.last_offset + 6;
        let flags = u16::from_ne_bytes([plan.bytes[at], plan.bytes[at + 1]]) | NLM_F_ACK;
        plan.bytes[at..at + 2].copy_from_slice(&flags.to_ne_bytes());
    }
    Ok(plan)
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
}
