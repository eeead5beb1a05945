//! Which rule, and which match or target of it, the kernel refused when
//! SET_REPLACE answered EINVAL (or ERANGE, or ENOENT from an extension's
//! check). The kernel says only "invalid argument"; iptables says "Run
//! dmesg". We find out without side effects.
//!
//! The new and changed rules (and the rules of chains now reached from other
//! hooks) are the candidates: everything else was in the kernel already, in
//! the same hooks. In a scratch private network namespace (a thread that
//! unshares its own and is gone when it returns), the table is committed
//! with only some candidates: first the new table without any (the
//! "context"; when even that is refused there, for instance because a rule
//! needs a netfilter accounting object of the real namespace, each candidate
//! is tried alone instead, in its built-in chain or in its user chain jumped
//! to from the built-in chains that reach it), then with a growing prefix of
//! them, found by bisection, until the refusal is repeated. The last rule
//! added is the culprit; the extension is the one whose removal makes the
//! table pass. A culprit accepted in a chain no hook reaches was refused for
//! its hooks.
//!
//! Extensions that name ipsets are left out everywhere: their sets live in
//! the real namespace, and they were looked up by name before the commit.
//! Making the scratch namespace needs CAP_SYS_ADMIN; without it, or when the
//! refusal cannot be repeated, the caller keeps the kernel's plain error.
//! Jumps and gotos are checked first, so that every chain is reached from
//! its final hooks before the rules in it are tried.
//!
//! The search commits through a [`Scratch`]: SET_REPLACE here, a batch on
//! nf_tables (`nft::refused`, where the kernel's answer names the rule and
//! only its extension and reason are searched).

use std::collections::HashMap;

use crate::error::Errno;

use super::blob;
use super::counters::pairing;
use super::socket::{ReplaceHeader, Socket};
use crate::backend::placement::{self, Placement};
use crate::error::{Error, Refusal};
use crate::matches::Match;
use crate::rule::Rule;
use crate::ruleset::{hook_of, Chain, Table, HOOKS};
use crate::targets::{Target, TargetExt};

/// The errors of SET_REPLACE worth a search: an extension's check refused
/// the values (EINVAL, ERANGE, ...) or found something missing (ENOENT).
pub(crate) fn worth_a_search(errno: Errno) -> bool {
    !matches!(
        errno,
        Errno::ENOMEM | Errno::EFAULT | Errno::ENOPROTOOPT | Errno::EPERM | Errno::EAGAIN
    )
}

/// Commits whole tables in the scratch namespace, through one backend.
pub(crate) trait Scratch {
    /// Commits `table`: true when the kernel refuses it, `None` when it
    /// cannot be tried.
    fn fails(&mut self, table: &Table) -> Option<bool>;
}

/// SET_REPLACE of a whole table.
struct Legacy(Socket);

impl Scratch for Legacy {
    fn fails(&mut self, table: &Table) -> Option<bool> {
        let mut enc = blob::encode(table).ok()?;
        let info = self.0.info(&table.name).ok()?;
        let head = ReplaceHeader {
            valid_hooks: enc.valid_hooks,
            num_entries: u32::try_from(enc.num_entries).ok()?,
            hook_entry: enc.hook_entry,
            underflow: enc.underflow,
            num_counters: info.num_entries,
        };
        if info.valid_hooks != enc.valid_hooks {
            return None;
        }
        match self.0.replace(&table.name, &head, &mut enc.entries) {
            Ok(_) => Some(false),
            Err(Error::Kernel { errno, .. }) if worth_a_search(errno) => Some(true),
            Err(_) => None,
        }
    }
}

/// Searches the rule and extension of `new` the kernel refused with
/// `errno`, `old` being the table `new` was made from. `None` when the
/// refusal cannot be repeated (or no scratch namespace can be made).
pub(crate) fn refused(old: &Table, new: &Table, errno: Errno) -> Option<Error> {
    let candidates = candidates(old, new);
    search(new, &candidates, errno, |family| {
        Socket::open(family).ok().map(Legacy)
    })
}

/// Searches which of `candidates` (chain and rule indexes of `new`), and
/// which extension of it, the kernel refused with `errno`, committing
/// tables in a scratch namespace through what `open` gives there.
pub(crate) fn search<S: Scratch>(
    new: &Table,
    candidates: &[(usize, usize)],
    errno: Errno,
    open: impl FnOnce(crate::addr::Family) -> Option<S> + Send,
) -> Option<Error> {
    if candidates.is_empty() {
        return None;
    }
    let found = crate::netns::run_isolated(|| {
        let mut scratch = open(new.family)?;
        Search::new(&mut scratch, new, candidates).run()
    })
    .ok()??;
    let chain = new.chains.get(found.chain)?;
    let rule = chain.rules.get(found.rule)?;
    let (extension, revision, is_target, placement) = match found.ext {
        Ext::Match(i) => {
            let m = rule.matches.get(i)?;
            let placement = placement::of_match(m.name());
            (m.save_name().to_string(), m.revision(), false, placement)
        }
        Ext::Target => match &rule.target {
            Target::Ext(t) => {
                let placement = placement::of_target(t.name());
                (t.save_name().to_string(), t.revision(), true, placement)
            }
            _ => return None,
        },
    };
    let reason = match found.reason {
        Refusal::Hook { .. } => Refusal::Hook {
            hook: refused_hook(new, &chain.name, placement).and_then(placement::number),
            tables: 0,
        },
        // Refused wherever it goes in this table: the table itself, when
        // the extension belongs to others.
        Refusal::Value => placement
            .and_then(|p| p.refuses(&new.name, placement::hook_name(&chain.name)))
            .filter(|r| matches!(r, Refusal::Hook { tables, .. } if *tables != 0))
            .unwrap_or(Refusal::Value),
        r => r,
    };
    Some(Error::Refused {
        family: new.family,
        table: new.name.clone(),
        chain: chain.name.clone(),
        rule: rule.to_string(),
        extension,
        is_target,
        revision,
        errno,
        reason,
    })
}

/// The hook `chain` is reached from that the extension refuses: the first
/// one outside its known `placement`, or the only one the chain is reached
/// from.
fn refused_hook(t: &Table, chain: &str, placement: Option<Placement>) -> Option<&'static str> {
    let bits = reach(t).get(chain).copied().unwrap_or(0);
    let reached: Vec<&'static str> = HOOKS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, h)| *h)
        .collect();
    match placement {
        Some(p) if !p.hooks.is_empty() => reached.into_iter().find(|h| !p.hooks.contains(h)),
        _ => match reached[..] {
            [only] => Some(only),
            _ => None,
        },
    }
}

/// The rules to try, as (chain index, rule index) in `new`: jumps and gotos
/// first, each group in table order.
fn candidates(old: &Table, new: &Table) -> Vec<(usize, usize)> {
    let (old_reach, new_reach) = (reach(old), reach(new));
    let mut out = Vec::new();
    for (ci, chain) in new.chains.iter().enumerate() {
        let moved = old_reach.get(chain.name.as_str()) != new_reach.get(chain.name.as_str());
        let pairs = pairing(new.family, old.chain(&chain.name), chain);
        for (ri, paired) in pairs.into_iter().enumerate() {
            if moved || paired.is_none() {
                out.push((ci, ri));
            }
        }
    }
    let jumps = |&(ci, ri): &(usize, usize)| {
        new.chains[ci].rules[ri].target.chain().is_none() // false (first) for jumps
    };
    out.sort_by_key(jumps); // stable: table order within each group
    out
}

/// The hooks (a bit per hook) each chain is reached from.
fn reach(t: &Table) -> HashMap<&str, u32> {
    let index: HashMap<&str, &Chain> = t.chains.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut out: HashMap<&str, u32> = HashMap::new();
    for c in t.chains.iter().filter(|c| c.is_builtin()) {
        let Some(hook) = hook_of(&c.name) else {
            continue;
        };
        let bit = 1u32 << hook;
        let mut stack = vec![c];
        while let Some(c) = stack.pop() {
            let seen = out.entry(c.name.as_str()).or_default();
            if *seen & bit != 0 {
                continue;
            }
            *seen |= bit;
            stack.extend(
                c.rules
                    .iter()
                    .filter_map(|r| index.get(r.target.chain()?).copied()),
            );
        }
    }
    out
}

/// One extension of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ext {
    /// The match at this index of the rule's matches.
    Match(usize),
    /// The target.
    Target,
}

/// What the search found.
#[derive(Debug)]
struct Found {
    chain: usize,
    rule: usize,
    ext: Ext,
    reason: Refusal,
}

/// How the rules around the candidates are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Every rule of the new table that is not a candidate is there.
    Context,
    /// Only candidates, each user chain jumped to from the built-in chains
    /// that reach it in the new table.
    Alone,
}

/// A rule to try, and where.
struct Probe {
    /// Index into the candidates.
    candidate: usize,
    /// The rule to put there instead of the candidate (already stripped).
    rule: Rule,
    /// In a chain of its own that no hook reaches, instead of its chain.
    unreachable: bool,
}

struct Search<'a> {
    scratch: &'a mut dyn Scratch,
    new: &'a Table,
    candidates: &'a [(usize, usize)],
    /// The candidates without their set extensions, and for each match of
    /// the stripped rule the index of that match in the original rule.
    stripped: Vec<(Rule, Vec<usize>)>,
    at: HashMap<(usize, usize), usize>,
    reach: HashMap<&'a str, u32>,
    mode: Mode,
}

impl<'a> Search<'a> {
    fn new(
        scratch: &'a mut dyn Scratch,
        new: &'a Table,
        candidates: &'a [(usize, usize)],
    ) -> Search<'a> {
        Search {
            scratch,
            new,
            candidates,
            stripped: candidates
                .iter()
                .map(|&(ci, ri)| strip(&new.chains[ci].rules[ri]))
                .collect(),
            at: candidates
                .iter()
                .enumerate()
                .map(|(i, &at)| (at, i))
                .collect(),
            reach: reach(new),
            mode: Mode::Context,
        }
    }

    fn run(mut self) -> Option<Found> {
        let n = self.candidates.len();
        // The context must pass without candidates and fail with them all.
        if self.fails(0, None)? || !self.fails(n, None)? {
            self.mode = Mode::Alone;
            if self.fails(0, None)? || !self.fails(n, None)? {
                return None;
            }
        }
        // The shortest failing prefix: `lo` passes, `hi` fails.
        let (mut lo, mut hi) = (0, n);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.fails(mid, None)? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let culprit = hi - 1;
        let (rule, orig) = self.stripped[culprit].clone();
        let ext = self.extension(culprit, &rule)?;
        let at_ext = match ext {
            Ext::Match(i) => Ext::Match(*orig.get(i)?),
            Ext::Target => Ext::Target,
        };
        let elsewhere = Probe {
            candidate: culprit,
            rule,
            unreachable: true,
        };
        let reason = if self.fails(culprit, Some(elsewhere))? {
            Refusal::Value
        } else {
            Refusal::Hook {
                hook: None,
                tables: 0,
            }
        };
        let (chain, rule) = self.candidates[culprit];
        Some(Found {
            chain,
            rule,
            ext: at_ext,
            reason,
        })
    }

    /// The extension of candidate `c` (stripped: `rule`) that makes the
    /// table fail, with candidates before it in place.
    fn extension(&mut self, c: usize, rule: &Rule) -> Option<Ext> {
        let exts: Vec<Ext> = (0..rule.matches.len())
            .map(Ext::Match)
            .chain(matches!(rule.target, Target::Ext(_)).then_some(Ext::Target))
            .collect();
        let probe = |rule: Rule| Probe {
            candidate: c,
            rule,
            unreachable: false,
        };
        // The one whose removal makes the table pass.
        for &e in &exts {
            if !self.fails(c, Some(probe(without(rule, e))))? {
                return Some(e);
            }
        }
        // None alone (two refused ones, or one that needs another): add
        // them one by one to the bare rule; the first that fails it.
        let mut growing = rule.clone();
        growing.matches.clear();
        growing.target = Target::Continue;
        if self.fails(c, Some(probe(growing.clone())))? {
            return None;
        }
        for &e in &exts {
            match e {
                Ext::Match(i) => growing.matches.push(rule.matches.get(i)?.clone()),
                Ext::Target => growing.target = rule.target.clone(),
            }
            if self.fails(c, Some(probe(growing.clone())))? {
                return Some(e);
            }
        }
        None
    }

    /// Commits, in the scratch namespace, the table with the first `k`
    /// candidates and `probe` (candidate `k`, changed or moved): true when
    /// the kernel refuses it. `None` when it cannot be tried.
    fn fails(&mut self, k: usize, probe: Option<Probe>) -> Option<bool> {
        let table = self.build(k, probe.as_ref())?;
        self.scratch.fails(&table)
    }

    /// The table to try: the first `k` candidates, plus `probe`.
    fn build(&self, k: usize, probe: Option<&Probe>) -> Option<Table> {
        let new = self.new;
        let mut t = Table {
            family: new.family,
            name: new.name.clone(),
            chains: Vec::with_capacity(new.chains.len() + 1),
        };
        let mut reached: HashMap<&str, u32> = HashMap::new();
        for (ci, chain) in new.chains.iter().enumerate() {
            let mut rules = Vec::new();
            for (ri, rule) in chain.rules.iter().enumerate() {
                let rule = match self.at.get(&(ci, ri)) {
                    Some(&c) if c < k => self.stripped[c].0.clone(),
                    Some(&c) => match probe {
                        Some(p) if p.candidate == c && !p.unreachable => p.rule.clone(),
                        _ => continue,
                    },
                    None if self.mode == Mode::Context => strip(rule).0,
                    None => continue,
                };
                rules.push(self.place(rule));
            }
            if self.mode == Mode::Alone && !chain.is_builtin() && !rules.is_empty() {
                reached.insert(
                    &chain.name,
                    self.reach.get(chain.name.as_str()).copied().unwrap_or(0),
                );
            }
            if chain.is_builtin() || self.mode == Mode::Context || !rules.is_empty() {
                t.chains.push(Chain {
                    name: chain.name.clone(),
                    policy: chain.policy,
                    counters: Default::default(),
                    rules,
                });
            }
        }
        // Alone: each user chain jumped to from the hooks that reach it.
        for (name, hooks) in reached {
            for c in t.chains.iter_mut().filter(|c| c.is_builtin()) {
                if hook_of(&c.name).is_some_and(|h| hooks & (1 << h) != 0) {
                    let jump = Rule::new(new.family).with_target(Target::Jump(name.to_string()));
                    c.rules.push(jump);
                }
            }
        }
        if let Some(p) = probe.filter(|p| p.unreachable) {
            let name = (0..)
                .map(|i| format!("iptkit-probe-{i}"))
                .find(|n| t.chain(n).is_none())?;
            let mut chain = Chain::user(&name);
            chain.rules.push(self.place(p.rule.clone()));
            t.chains.push(chain);
        }
        Some(t)
    }

    /// A rule as it can stand in the table being built: alone, its jump
    /// would lead nowhere.
    fn place(&self, mut rule: Rule) -> Rule {
        if self.mode == Mode::Alone && rule.target.chain().is_some() {
            rule.target = Target::Continue;
        }
        rule
    }
}

/// `rule` without the extensions that name ipsets, and for each match left
/// the index it had.
fn strip(rule: &Rule) -> (Rule, Vec<usize>) {
    let mut out = rule.clone();
    let mut orig = Vec::with_capacity(rule.matches.len());
    out.matches.clear();
    for (i, m) in rule.matches.iter().enumerate() {
        if !matches!(m, Match::Set(_)) {
            out.matches.push(m.clone());
            orig.push(i);
        }
    }
    if matches!(out.target, Target::Ext(TargetExt::Set(_))) {
        out.target = Target::Continue;
    }
    (out, orig)
}

/// `rule` without one extension (a target removed leaves no target).
fn without(rule: &Rule, e: Ext) -> Rule {
    let mut out = rule.clone();
    match e {
        Ext::Match(i) => {
            if i < out.matches.len() {
                out.matches.remove(i);
            }
        }
        Ext::Target => out.target = Target::Continue,
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;

    fn table(rules: &[(&str, &str)]) -> Table {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        for c in ["a", "b"] {
            t.new_chain(c).unwrap();
        }
        for (chain, spec) in rules {
            t.append(chain, Rule::parse(Family::Ipv4, spec).unwrap())
                .unwrap();
        }
        t
    }

    #[test]
    fn candidates_are_new_rules_and_chains_reached_anew() {
        let old = table(&[
            ("INPUT", "-s 192.0.2.1"),
            ("INPUT", "-j a"),
            ("a", "-s 192.0.2.2"),
            ("b", "-s 192.0.2.3"),
        ]);
        let mut new = old.clone();
        new.append("OUTPUT", Rule::parse(Family::Ipv4, "-j b").unwrap())
            .unwrap();
        new.append("a", Rule::parse(Family::Ipv4, "-p tcp").unwrap())
            .unwrap();
        let got: Vec<String> = candidates(&old, &new)
            .into_iter()
            .map(|(c, r)| format!("{} {}", new.chains[c].name, new.chains[c].rules[r]))
            .collect();
        // The jump first; then the new rule in `a`, and `b`'s rule, which
        // OUTPUT reaches now.
        assert_eq!(got, ["OUTPUT -j b", "a -p tcp", "b -s 192.0.2.3/32"]);
    }

    #[test]
    fn reach_follows_jumps_and_gotos() {
        let t = table(&[("INPUT", "-j a"), ("a", "-g b"), ("OUTPUT", "-j b")]);
        let r = reach(&t);
        assert_eq!(r["a"], 1 << 1);
        assert_eq!(r["b"], 1 << 1 | 1 << 3);
        assert_eq!(r["FORWARD"], 1 << 2);
    }

    #[test]
    fn stripping_keeps_track_of_the_matches() {
        let r = Rule::parse(
            Family::Ipv4,
            "-p tcp -m tcp --dport 22 -m set --match-set x src -m comment --comment y",
        )
        .unwrap();
        let (s, orig) = strip(&r);
        assert_eq!(s.matches.len(), 2);
        assert_eq!(orig, [0, 2]);
        assert_eq!(without(&s, Ext::Match(0)).matches.len(), 1);
        assert_eq!(without(&s, Ext::Target).target, Target::Continue);
    }
}
