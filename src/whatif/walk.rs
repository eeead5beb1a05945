//! The walk of a packet through a table's chains, as the kernel's
//! `ipt_do_table` walks it: jumps push a return point, gotos do not, RETURN
//! and the end of a user chain pop, a built-in chain ends in its policy.
//! A rule that cannot be decided forks the walk: both ways are followed.

use std::collections::{BTreeSet, HashSet};

use super::decide::{self, Ifaces, Tri};
use super::packet::Packet;
use super::{Action, Step, Verdict};
use crate::error::{Error, Result};
use crate::rule::Rule;
use crate::ruleset::{Policy, Table};
use crate::targets::connmark::{ConnmarkMode, ConnmarkTarget, ShiftDir};
use crate::targets::mark::{MarkAction, MarkMode};
use crate::targets::{Target, TargetExt};

/// How many rules all branches of one evaluation may visit together: a
/// table with many undecided rules in a row would fork without end.
const BUDGET: usize = 200_000;

/// Jumps deeper than this are a loop (the kernel refuses loops; a table
/// built in memory may hold one).
const MAX_DEPTH: usize = 1024;

/// Where a branch of the walk is, and what it knows of the packet.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Cursor {
    packet: Packet,
    /// Return points: (chain index, next rule).
    stack: Vec<(usize, usize)>,
    chain: usize,
    pos: usize,
}

/// One evaluation's walk.
pub(crate) struct Walk<'t> {
    table: &'t Table,
    start: usize,
    input: Option<String>,
    output: Option<String>,
    visits: usize,
    /// Every verdict some branch reached.
    pub outcomes: BTreeSet<Verdict>,
    /// Why some rule could not be decided, in the order met.
    pub reasons: Vec<String>,
    /// The rules (chain index, position) whose reason is in `reasons`.
    reasoned: HashSet<(usize, usize)>,
    /// Where the ways split at undecided rules went on: a walk from the
    /// same place with the same packet reaches the same verdicts, so each
    /// is followed once off the record (MARKs behind limits fork into few
    /// states, undecided jumps into chains that change nothing into one).
    forked: HashSet<Cursor>,
    /// Ways still to follow off the record (a list, not recursion: a
    /// long chain of undecided rules must not exhaust the stack).
    todo: Vec<Cursor>,
}

impl<'t> Walk<'t> {
    /// A walk of `table` from `chain`, which fixes the interfaces a packet
    /// has none of (no output interface before routing, no input one on
    /// locally made packets).
    pub fn new(table: &'t Table, chain: &str, packet: &Packet) -> Result<Walk<'t>> {
        let start = chain_index(table, chain)?;
        let known_none = |hooks: &[&str]| hooks.contains(&chain).then(String::new);
        Ok(Walk {
            table,
            start,
            input: packet
                .in_iface
                .clone()
                .or_else(|| known_none(&["OUTPUT", "POSTROUTING"])),
            output: packet
                .out_iface
                .clone()
                .or_else(|| known_none(&["PREROUTING", "INPUT"])),
            visits: 0,
            outcomes: BTreeSet::new(),
            reasons: Vec::new(),
            reasoned: HashSet::new(),
            forked: HashSet::new(),
            todo: Vec::new(),
        })
    }

    /// Walks `packet` from the start chain, recording the path of the
    /// branch where every undecided rule does not match.
    pub fn run(&mut self, packet: &Packet, path: &mut Vec<Step>) -> Result<()> {
        let cursor = Cursor {
            packet: packet.clone(),
            stack: Vec::new(),
            chain: self.start,
            pos: 0,
        };
        self.branch(cursor, Some(path))?;
        while let Some(next) = self.todo.pop() {
            self.branch(next, None)?;
        }
        Ok(())
    }

    fn branch(&mut self, mut at: Cursor, mut path: Option<&mut Vec<Step>>) -> Result<()> {
        let table = self.table;
        loop {
            self.visits += 1;
            if self.visits > BUDGET {
                self.reason((usize::MAX, 0), || {
                    "too many undecided rules to follow every way".into()
                });
                self.outcomes.insert(Verdict::Undecided);
                return Ok(());
            }
            let chain = &table.chains[at.chain];
            let Some(rule) = chain.rules.get(at.pos) else {
                // The end of a chain: a built-in one's policy, or back to
                // where the jump came from.
                if let Some(policy) = chain.policy {
                    let v = policy_verdict(policy);
                    note(
                        &mut path,
                        &chain.name,
                        None,
                        None,
                        Action::Policy(v.clone()),
                    );
                    self.outcomes.insert(v);
                    return Ok(());
                }
                note(&mut path, &chain.name, None, None, Action::End);
                if !self.ret(&mut at, &mut path) {
                    return Ok(());
                }
                continue;
            };
            let ifaces = Ifaces {
                input: self.input.as_deref(),
                output: self.output.as_deref(),
            };
            let index = Some(at.pos);
            match decide::rule(rule, &at.packet, &ifaces) {
                Tri::No => {
                    note(&mut path, &chain.name, index, Some(rule), Action::NoMatch);
                    at.pos += 1;
                }
                Tri::Unknown(why) => {
                    note(
                        &mut path,
                        &chain.name,
                        index,
                        Some(rule),
                        Action::Undecided(why.clone()),
                    );
                    self.reason((at.chain, at.pos), || {
                        format!("{} rule {}: {why}", chain.name, at.pos)
                    });
                    // The other way: as if it matched, followed later off the
                    // record. A target that leaves the packet as it was and goes
                    // on (LOG behind a limit) leads where no match leads: no
                    // second way to follow.
                    let mut matched = at.clone();
                    let goes_on = self.target(&mut matched, &mut None)?;
                    at.pos += 1;
                    if goes_on && matched != at && self.forked.insert(matched.clone()) {
                        self.todo.push(matched);
                    }
                    // This way too is followed once; the recorded way goes
                    // on regardless, for its path.
                    if !self.forked.insert(at.clone()) && path.is_none() {
                        return Ok(());
                    }
                }
                Tri::Yes => {
                    if !self.target(&mut at, &mut path)? {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Does what the target of the rule under `at` does to a packet that
    /// matched it; false when the walk ends there.
    fn target(&mut self, at: &mut Cursor, path: &mut Option<&mut Vec<Step>>) -> Result<bool> {
        let table = self.table;
        let chain = &table.chains[at.chain];
        let rule = &chain.rules[at.pos];
        let index = Some(at.pos);
        let mut step = |action: Action| note(path, &chain.name, index, Some(rule), action);
        let verdict = match &rule.target {
            Target::Continue => None,
            Target::Accept => Some(Verdict::Accept),
            Target::Drop => Some(Verdict::Drop),
            Target::Queue => Some(Verdict::Other("QUEUE".into())),
            Target::Return => {
                step(Action::Return);
                return Ok(self.ret(at, path));
            }
            Target::Jump(name) | Target::Goto(name) => {
                let to = chain_index(table, name)?;
                let goto = matches!(rule.target, Target::Goto(_));
                step(if goto {
                    Action::Goto(name.clone())
                } else {
                    Action::Jump(name.clone())
                });
                if !goto {
                    if at.stack.len() >= MAX_DEPTH {
                        return Err(Error::Loop(name.clone()));
                    }
                    at.stack.push((at.chain, at.pos + 1));
                }
                at.chain = to;
                at.pos = 0;
                return Ok(true);
            }
            Target::Ext(ext) => match ext {
                TargetExt::Reject(_) => Some(Verdict::Reject),
                TargetExt::Snat(_)
                | TargetExt::Dnat(_)
                | TargetExt::Masquerade(_)
                | TargetExt::Redirect(_)
                | TargetExt::Netmap(_)
                | TargetExt::Nfqueue(_)
                | TargetExt::Tproxy(_)
                | TargetExt::Synproxy(_) => Some(Verdict::Other(ext.save_name().to_string())),
                TargetExt::Mark(m) => {
                    at.packet.mark = at.packet.mark.map(|old| set_mark(old, m.action));
                    None
                }
                TargetExt::Connmark(c) => {
                    connmark(&mut at.packet, c);
                    None
                }
                TargetExt::Hmark(_) => {
                    at.packet.mark = None;
                    None
                }
                TargetExt::Unknown(u) => {
                    let why = format!("-j {}: a target iptkit cannot read", u.name);
                    step(Action::Undecided(why.clone()));
                    self.reason((at.chain, at.pos), || {
                        format!("{} rule {}: {why}", chain.name, at.pos)
                    });
                    self.outcomes.insert(Verdict::Undecided);
                    return Ok(false);
                }
                // LOG, NFLOG, CT, TEE, TOS, ...: the packet goes on.
                _ => None,
            },
        };
        match verdict {
            Some(v) => {
                step(Action::Verdict(v.clone()));
                self.outcomes.insert(v);
                Ok(false)
            }
            None => {
                step(Action::Continue);
                at.pos += 1;
                Ok(true)
            }
        }
    }

    /// RETURN (or the end of a user chain): back after the last jump; with
    /// none, the start chain's policy (a user chain's end reached by a goto
    /// from a built-in chain), or the verdict RETURN when the walk started
    /// in a user chain.
    fn ret(&mut self, at: &mut Cursor, path: &mut Option<&mut Vec<Step>>) -> bool {
        if self.pop(at) {
            return true;
        }
        let chain = &self.table.chains[self.start];
        match chain.policy {
            Some(policy) => {
                let v = policy_verdict(policy);
                note(path, &chain.name, None, None, Action::Policy(v.clone()));
                self.outcomes.insert(v);
            }
            None => {
                self.outcomes.insert(Verdict::Other("RETURN".into()));
            }
        }
        false
    }

    /// Pops a return point; false when there is none.
    fn pop(&mut self, at: &mut Cursor) -> bool {
        match at.stack.pop() {
            Some((chain, pos)) => {
                at.chain = chain;
                at.pos = pos;
                true
            }
            None => false,
        }
    }

    /// Notes why the rule at `at` (chain index, position) is undecided,
    /// the first time only: forks meet the same rules again.
    fn reason(&mut self, at: (usize, usize), why: impl FnOnce() -> String) {
        if self.reasoned.insert(at) {
            self.reasons.push(why());
        }
    }
}

/// Records a step on the path, when this branch keeps one (the rule is
/// printed only then: the other branches are followed off the record).
fn note(
    path: &mut Option<&mut Vec<Step>>,
    chain: &str,
    index: Option<usize>,
    rule: Option<&Rule>,
    action: Action,
) {
    if let Some(p) = path.as_deref_mut() {
        p.push(Step {
            chain: chain.to_string(),
            index,
            rule: rule.map(Rule::to_string).unwrap_or_default(),
            action,
        });
    }
}

fn chain_index(table: &Table, name: &str) -> Result<usize> {
    table
        .chains
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| Error::NoSuchChain(name.to_string()))
}

fn policy_verdict(p: Policy) -> Verdict {
    match p {
        Policy::Accept => Verdict::Accept,
        Policy::Drop => Verdict::Drop,
    }
}

/// The mark after `-j MARK` (`xt_MARK`: `(mark & ~mask) ^ value`).
fn set_mark(old: u32, action: MarkAction) -> u32 {
    match action {
        MarkAction::Xset { mark, mask } => (old & !mask) ^ mark,
        MarkAction::Mode { mode, mark } => match mode {
            MarkMode::Set => mark,
            MarkMode::And => old & mark,
            MarkMode::Or => old | mark,
        },
        MarkAction::Set { mark } => mark,
    }
}

/// `-j CONNMARK`, as `xt_connmark.c` computes it.
fn connmark(p: &mut Packet, c: &ConnmarkTarget) {
    let shift = |v: u32| match c.shift {
        Some(s) if s.dir == ShiftDir::Right => v.checked_shr(u32::from(s.bits)).unwrap_or(0),
        Some(s) => v.checked_shl(u32::from(s.bits)).unwrap_or(0),
        None => v,
    };
    match c.mode {
        ConnmarkMode::Set => {
            p.ctmark = p.ctmark.map(|ct| shift((ct & !c.ctmask) ^ c.ctmark));
        }
        ConnmarkMode::Save => {
            p.ctmark = match (p.ctmark, p.mark) {
                (Some(ct), Some(mark)) => Some((ct & !c.ctmask) ^ shift(mark & c.nfmask)),
                _ => None,
            };
        }
        ConnmarkMode::Restore => {
            p.mark = match (p.ctmark, p.mark) {
                (Some(ct), Some(mark)) => Some((mark & !c.nfmask) ^ shift(ct & c.ctmask)),
                _ => None,
            };
        }
    }
}
