//! Changes by position sent as they are: an append, an insert, a delete or
//! a replace becomes one rule message addressed by the handles the snapshot
//! knows, with no comparison of tables and no copy of one. What a handle
//! sends for a single change through a long-lived handle on a big chain.
//!
//! A batch of deltas carries no generation id. Each message names the
//! rules it touches by handle (or the chain's head or end), so it means the
//! same whatever else changed since the read: a change elsewhere in the
//! ruleset (any other nf_tables user bumps the one generation counter of
//! the namespace) does not turn it down, and a busy ruleset does not starve
//! it. A rule that is gone since the read makes the kernel refuse the whole
//! batch (ENOENT): then the handle reads again and replays its changes, as
//! for a batch that met a newer generation. A table diff is different: it
//! says what the whole table must become, so it goes with the generation id
//! of the read it was made from.

use std::collections::HashMap;

use iptkit_sys::nftables::*;

use super::diff::{Builder, Place, Slot, ECHO_LIMIT};
use super::{chain_handles, names_sets, netlink, nfproto, wire, KernelChain, Nft, Snapshot};
use crate::backend::{Delta, DeltaCommitted, Loaded, State};
use crate::error::{Error, Result};

impl Nft {
    /// See [`crate::backend::Driver::commit_deltas`].
    pub(super) fn send_deltas(
        &mut self,
        loaded: &Loaded,
        deltas: &[&Delta],
    ) -> Result<Option<DeltaCommitted>> {
        let State::Nft(snap) = &loaded.state else {
            return Ok(None);
        };
        fn rules_of(d: &Delta) -> Option<&crate::Rule> {
            match d {
                Delta::Append { rule, .. }
                | Delta::Insert { rule, .. }
                | Delta::Replace { rule, .. } => Some(rule),
                Delta::Delete { .. } => None,
            }
        }
        // Sets are looked up by name at commit: the usual way does that.
        if deltas.iter().filter_map(|d| rules_of(d)).any(names_sets) {
            return Ok(None);
        }
        let (family, table) = (nfproto(loaded.table.family), loaded.table.name.as_str());
        let genid = snap.genid;
        // The handles of each chain changed, as they will be.
        let mut slots: HashMap<&str, Vec<Slot>> = HashMap::new();
        for d in deltas {
            let chain = d.chain();
            if slots.contains_key(chain) {
                continue;
            }
            // A chain the kernel does not have yet (a built-in chain made
            // when first needed) or whose rules were not read: compare.
            let Some(k) = snap.chains.get(chain).filter(|k| k.read) else {
                return Ok(None);
            };
            let handles = match &k.handles {
                Some(h) => h.clone(),
                None => chain_handles(self.socket()?, family, table, chain, genid)?,
            };
            slots.insert(chain, handles.into_iter().map(Slot::Kept).collect());
        }
        let echo = deltas.iter().filter(|d| rules_of(d).is_some()).count() <= ECHO_LIMIT;
        let sock = self.socket()?;
        let mut b = Builder::new(sock, family, table, echo);
        for d in deltas {
            let chain = d.chain();
            let Some(s) = slots.get_mut(chain) else {
                return Ok(None);
            };
            // A rule added by this same batch has no handle yet: it cannot
            // be addressed.
            let known = |s: &[Slot], pos: usize| match s.get(pos) {
                Some(Slot::Kept(h)) => Some(*h),
                _ => None,
            };
            match d {
                Delta::Append { rule, .. } => {
                    let seq = b.add_rule(chain, Place::Append, rule, s.len())?;
                    s.push(Slot::Echo(seq));
                }
                Delta::Insert { pos, rule, .. } => {
                    let place = if *pos >= s.len() {
                        Place::Append
                    } else if *pos == 0 {
                        Place::Head
                    } else {
                        match known(s, *pos) {
                            Some(h) => Place::Before(h),
                            None => return Ok(None),
                        }
                    };
                    let seq = b.add_rule(chain, place, rule, *pos)?;
                    s.insert((*pos).min(s.len()), Slot::Echo(seq));
                }
                Delta::Delete { pos, .. } => {
                    let Some(h) = known(s, *pos) else {
                        return Ok(None);
                    };
                    b.delete_rule(chain, Some((h, pos + 1)))?;
                    s.remove(*pos);
                }
                Delta::Replace { pos, rule, .. } => {
                    let Some(h) = known(s, *pos) else {
                        return Ok(None);
                    };
                    s[*pos] = Slot::Echo(b.replace_rule(chain, (h, pos + 1), rule, *pos)?);
                }
            }
        }
        let plan = b.finish();
        self.last_batch_messages = plan.count;
        self.last_batch_bytes = plan.bytes.len();
        if plan.count == 0 {
            return Ok(Some(DeltaCommitted {
                state: loaded.state.clone(),
                as_read: Vec::new(),
            }));
        }
        let reply = self.send_plan(family, table, None, &plan)?;
        match reply.result {
            netlink::BatchResult::Applied => {}
            // Nothing landed. A rule or chain addressed is gone (ENOENT), or
            // a rule was refused: the usual way reads again where the table
            // moved, replays, and names the rule and extension refused.
            netlink::BatchResult::Refused { .. } => return Ok(None),
            netlink::BatchResult::GenerationMoved => {
                return Err(Error::TableChanged {
                    table: table.into(),
                    attempts: 1,
                })
            }
        }
        // The chains as the kernel now has them.
        let mut chains = snap.chains.clone();
        let mut as_read = Vec::new();
        for (chain, s) in slots {
            for (j, slot) in s.iter().enumerate() {
                if let Slot::Echo(seq) = slot {
                    if let Some((_, _, _, rule)) = plan.as_read.iter().find(|(_, _, q, _)| q == seq)
                    {
                        as_read.push((chain.to_string(), j, rule.clone()));
                    }
                }
            }
            let handles = s
                .iter()
                .map(|slot| match slot {
                    Slot::Kept(h) => Some(*h),
                    Slot::Echo(seq) => reply.handles.get(seq).copied(),
                    Slot::Unknown => None,
                })
                .collect();
            chains.insert(
                chain.to_string(),
                KernelChain {
                    handles,
                    read: true,
                },
            );
        }
        Ok(Some(DeltaCommitted {
            state: State::Nft(Snapshot {
                genid: reply.genid.unwrap_or(0),
                chains,
            }),
            as_read,
        }))
    }

    /// Sends a batch body (at generation `genid` when given), led by a NEWTABLE of the
    /// table with NLM_F_ECHO: the kernel echoes the new generation id when
    /// the batch's first message asks for an echo (nf_tables_gen_notify
    /// looks at the first message after the batch's begin). A NEWTABLE
    /// creates the table where the batch needs it anyway, and changes
    /// nothing where it exists (no flags: nf_tables_updtable returns at
    /// once), so it echoes only itself.
    pub(super) fn send_plan(
        &mut self,
        family: u16,
        table: &str,
        genid: Option<u32>,
        plan: &super::diff::Plan,
    ) -> Result<netlink::BatchReply> {
        self.send_plans(family, genid, &[(table, plan)])
    }

    /// Sends the bodies of several tables (none empty) as one batch (at
    /// generation `genid` when given), led by the NEWTABLE of the first (see
    /// [`Nft::send_plan`]). Every plan asks for its last message to be
    /// acknowledged; the batch's answer is the acknowledgement of the last.
    pub(super) fn send_plans(
        &mut self,
        family: u16,
        genid: Option<u32>,
        plans: &[(&str, &super::diff::Plan)],
    ) -> Result<netlink::BatchReply> {
        let (Some(&(first, _)), Some(&(_, last))) = (plans.first(), plans.last()) else {
            return Err(Error::Malformed("an empty batch".into()));
        };
        let sock = self.socket()?;
        let seq = sock.next_seq();
        let mut table = Vec::new();
        let hdr = (NFT_MSG_NEWTABLE, family, netlink::NLM_F_ECHO, seq);
        wire::table_msg(hdr, first, &mut table)?;
        // The plans' bytes go as they are, not copied into one buffer.
        let mut messages = vec![table.as_slice()];
        messages.extend(plans.iter().map(|(_, plan)| plan.bytes.as_slice()));
        let ours = |s: u32| s == seq || plans.iter().any(|(_, plan)| plan.holds(s));
        sock.batch(genid, &messages, last.last_seq, &ours)
    }
}
