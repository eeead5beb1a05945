//! A legacy table's entry blob, both ways, in libiptc's layout.
//!
//! Layout: the built-in chains in hook order, each its rules then its policy
//! entry (the underflow: an unconditional standard target); then each user
//! chain, sorted by name: an ERROR target carrying its name, its rules, an
//! unconditional RETURN; then a final ERROR target named "ERROR". A jump's
//! verdict is the byte offset of the first entry after the target chain's
//! head; a rule without target falls through with the offset of the next
//! entry as its verdict (libiptc's FALLTHROUGH).

use std::collections::HashMap;
use std::mem::size_of;

use iptkit_sys::xtables::*;
use iptkit_sys::{xt_align, Pod};

use super::ip;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{c_str, put_c_str};
use crate::matches::Match;
use crate::rule::Rule;
use crate::ruleset::{hook_of, Chain, Policy, Table, HOOKS};
use crate::targets::{Target, TargetExt};

/// Name of the target that heads a user chain and ends the table.
const ERROR_TARGET: &str = "ERROR";
/// Size of a match or target header (`xt_entry_match` / `xt_entry_target`).
const EXT_HEADER: usize = size_of::<xt_entry_target>();
/// Size of a standard target with its verdict, padded.
const STANDARD_SIZE: usize = size_of::<xt_standard_target>();
/// Size of an error target with its name, padded.
const ERROR_SIZE: usize = size_of::<xt_error_target>();

/// Where a chain's entries sit in a blob, by entry index: what the counter
/// map needs to pair old and new entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChainEntries {
    /// Entry index of each rule, in order.
    pub rules: Vec<usize>,
    /// Entry index of the policy (built-in chains only).
    pub policy: Option<usize>,
}

/// Entry indices of every chain, by chain name.
pub(crate) type EntryMap = HashMap<String, ChainEntries>;

/// A table ready for SET_REPLACE.
#[derive(Clone, Debug)]
pub(crate) struct Encoded {
    /// The entries.
    pub entries: Vec<u8>,
    /// Bitmask of the hooks of the built-in chains.
    pub valid_hooks: u32,
    /// Offset of each hook's first entry (0xFFFFFFFF for unused hooks).
    pub hook_entry: [u32; NF_INET_NUMHOOKS],
    /// Offset of each hook's policy entry.
    pub underflow: [u32; NF_INET_NUMHOOKS],
    /// Number of entries.
    pub num_entries: usize,
    /// Where each chain's entries went.
    pub map: EntryMap,
}

// ---------------------------------------------------------------- decoding

/// A target as it sits in an entry.
#[derive(Clone, Debug)]
enum RawTarget<'a> {
    Verdict(i32),
    Error(String),
    Ext {
        name: String,
        revision: u8,
        data: &'a [u8],
    },
}

/// One entry, split into its parts but not yet made a rule.
#[derive(Clone, Debug)]
struct RawEntry<'a> {
    offset: usize,
    head: ip::Head,
    matches: Vec<(String, u8, &'a [u8])>,
    target: RawTarget<'a>,
}

fn malformed(offset: usize, what: impl std::fmt::Display) -> Error {
    Error::Malformed(format!("entry at offset {offset}: {what}"))
}

/// Splits the blob into entries, checking every size and offset.
fn split(family: Family, blob: &[u8], count: u32) -> Result<Vec<RawEntry<'_>>> {
    let esz = ip::entry_size(family);
    // Room for `count` entries up front: growing a vector of 10,000 entries
    // step by step costs more than decoding them. No more than the blob can
    // hold, whatever the count says.
    let most = blob.len() / (esz + EXT_HEADER);
    let mut entries = Vec::with_capacity(most.min(count as usize));
    let mut off = 0;
    while off < blob.len() {
        let bytes = &blob[off..];
        if bytes.len() < esz {
            return Err(malformed(off, "truncated entry"));
        }
        let head = ip::decode(family, bytes).map_err(|e| malformed(off, e))?;
        let (t_off, n_off) = (head.target_offset, head.next_offset);
        if n_off % 8 != 0
            || t_off % 8 != 0
            || t_off < esz
            || t_off + EXT_HEADER > n_off
            || n_off > bytes.len()
        {
            return Err(malformed(
                off,
                format!(
                    "bad offsets (target {t_off}, next {n_off}, {} bytes left)",
                    bytes.len()
                ),
            ));
        }
        let entry = &bytes[..n_off];
        let mut matches = Vec::new();
        let mut m = esz;
        while m < t_off {
            let (name, revision, data) =
                extension(&entry[m..t_off]).map_err(|e| malformed(off, e))?;
            m += EXT_HEADER + data.len();
            matches.push((name, revision, data));
        }
        let (name, revision, data) = extension(&entry[t_off..]).map_err(|e| malformed(off, e))?;
        if t_off + EXT_HEADER + data.len() != n_off {
            return Err(malformed(
                off,
                "the target does not end where the entry does",
            ));
        }
        let target = match name.as_str() {
            "" if data.len() + EXT_HEADER == STANDARD_SIZE => {
                RawTarget::Verdict(i32::from_ne_bytes([data[0], data[1], data[2], data[3]]))
            }
            "" => return Err(malformed(off, "standard target of the wrong size")),
            ERROR_TARGET if data.len() + EXT_HEADER == ERROR_SIZE => {
                RawTarget::Error(c_str(&data[..XT_FUNCTION_MAXNAMELEN]))
            }
            ERROR_TARGET => return Err(malformed(off, "error target of the wrong size")),
            _ => RawTarget::Ext {
                name,
                revision,
                data,
            },
        };
        entries.push(RawEntry {
            offset: off,
            head,
            matches,
            target,
        });
        off += n_off;
    }
    Ok(entries)
}

/// Reads one match or target header at the start of `bytes`: name,
/// revision and data (padding included).
fn extension(bytes: &[u8]) -> std::result::Result<(String, u8, &[u8]), String> {
    let h = xt_entry_target::read_from(bytes).ok_or("truncated match or target header")?;
    let size = usize::from(h.target_size);
    if size < EXT_HEADER || size % 8 != 0 || size > bytes.len() {
        return Err(format!("match or target of bad size {size}"));
    }
    Ok((c_str(&h.name), h.revision, &bytes[EXT_HEADER..size]))
}

/// A chain found in the blob, before its rules are decoded.
struct Span {
    name: String,
    /// Built-in chains: hook number.
    hook: Option<usize>,
    /// Entry indices of the rules.
    rules: std::ops::Range<usize>,
    /// Built-in chains: the policy and its entry index.
    policy: Option<(Policy, usize)>,
}

/// Reads a table from GET_INFO's hook layout and GET_ENTRIES' blob.
/// Returns the table, with user chains in libiptc's order, and where each
/// chain's entries sat.
pub(crate) fn decode(
    family: Family,
    name: &str,
    info: &ipt_getinfo,
    blob: &[u8],
) -> Result<(Table, EntryMap)> {
    let mut entries = split(family, blob, info.num_entries)?;
    let index: HashMap<usize, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.offset, i))
        .collect();
    let at = |offset: u32, what: &str| {
        index.get(&(offset as usize)).copied().ok_or_else(|| {
            Error::Malformed(format!(
                "{what} offset {offset} is not the start of an entry"
            ))
        })
    };
    if info.valid_hooks >> NF_INET_NUMHOOKS != 0 {
        return Err(Error::Malformed(format!(
            "valid_hooks {:#x} names unknown hooks",
            info.valid_hooks
        )));
    }
    // Entry index of each hook's first rule -> (hook, policy index).
    let mut starts = HashMap::new();
    for h in (0..NF_INET_NUMHOOKS).filter(|h| info.valid_hooks & (1 << h) != 0) {
        let (first, policy) = (
            at(info.hook_entry[h], "hook entry")?,
            at(info.underflow[h], "underflow")?,
        );
        if policy < first || starts.insert(first, (h, policy)).is_some() {
            return Err(Error::Malformed(format!(
                "hook {} has a bad entry/underflow pair",
                HOOKS[h]
            )));
        }
    }
    let spans = spans(&entries, &starts)?;
    // Where jumps may land: the first entry of each user chain's body.
    let bodies: HashMap<usize, &str> = spans
        .iter()
        .filter(|s| s.hook.is_none())
        .map(|s| (entries[s.rules.start].offset, s.name.as_str()))
        .collect();
    let mut table = Table {
        family,
        name: name.to_string(),
        chains: Vec::new(),
    };
    let mut map = EntryMap::new();
    for s in &spans {
        let mut chain = Chain {
            name: s.name.clone(),
            policy: s.policy.map(|p| p.0),
            rules: Vec::with_capacity(s.rules.len()),
            ..Chain::default()
        };
        if let Some((_, i)) = s.policy {
            chain.counters = entries[i].head.counters;
        }
        for i in s.rules.clone() {
            let next = entries.get(i + 1).map(|e| e.offset);
            chain.rules.push(rule(&mut entries[i], next, &bodies)?);
        }
        if map.contains_key(&s.name) {
            return Err(Error::Malformed(format!("two chains named `{}`", s.name)));
        }
        map.insert(
            s.name.clone(),
            ChainEntries {
                rules: s.rules.clone().collect(),
                policy: s.policy.map(|p| p.1),
            },
        );
        table.chains.push(chain);
    }
    // Built-ins in hook order first, then user chains by name.
    table.chains.sort_by_key(|c| {
        hook_of(&c.name)
            .filter(|_| c.is_builtin())
            .unwrap_or(NF_INET_NUMHOOKS)
    });
    table.sort_chains();
    Ok((table, map))
}

/// Cuts the entries into chains; checks that every entry belongs to one and
/// that the table ends with the final ERROR entry.
fn spans(entries: &[RawEntry], starts: &HashMap<usize, (usize, usize)>) -> Result<Vec<Span>> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        if let Some(&(hook, policy)) = starts.get(&i) {
            if let Some(j) = (i + 1..=policy).find(|j| {
                starts.contains_key(j) || matches!(entries[*j].target, RawTarget::Error(_))
            }) {
                return Err(malformed(
                    entries[j].offset,
                    "a chain starts inside a built-in chain",
                ));
            }
            let p = &entries[policy];
            let verdict = match p.target {
                RawTarget::Verdict(v) if p.head.unconditional && p.matches.is_empty() => v,
                _ => {
                    return Err(malformed(
                        p.offset,
                        "a policy must be an unconditional verdict",
                    ))
                }
            };
            let policy_value = match verdict {
                NF_ACCEPT_VERDICT => Policy::Accept,
                NF_DROP_VERDICT => Policy::Drop,
                v => {
                    return Err(malformed(
                        p.offset,
                        format!("policy verdict {v} is neither ACCEPT nor DROP"),
                    ))
                }
            };
            spans.push(Span {
                name: HOOKS[hook].to_string(),
                hook: Some(hook),
                rules: i..policy,
                policy: Some((policy_value, policy)),
            });
            i = policy + 1;
        } else if let RawTarget::Error(name) = &e.target {
            if i + 1 == entries.len() {
                return Ok(spans);
            }
            // The body runs to the next chain's start; the last entry is RETURN.
            let end = (i + 1..entries.len())
                .find(|j| {
                    starts.contains_key(j) || matches!(entries[*j].target, RawTarget::Error(_))
                })
                .unwrap_or(entries.len());
            let ret = &entries[end - 1];
            let is_return = matches!(ret.target, RawTarget::Verdict(XT_RETURN))
                && ret.head.unconditional
                && ret.matches.is_empty();
            if end == i + 1 || !is_return {
                return Err(malformed(
                    e.offset,
                    format!("user chain `{name}` does not end with an unconditional RETURN"),
                ));
            }
            spans.push(Span {
                name: name.clone(),
                hook: None,
                rules: i + 1..end - 1,
                policy: None,
            });
            i = end;
        } else {
            return Err(malformed(e.offset, "the entry belongs to no chain"));
        }
    }
    Err(Error::Malformed(
        "the table does not end with an ERROR entry".into(),
    ))
}

/// Makes a rule of an entry. `next` is the offset of the entry after it,
/// `bodies` maps the offsets jumps may land on to user chain names.
fn rule(e: &mut RawEntry, next: Option<usize>, bodies: &HashMap<usize, &str>) -> Result<Rule> {
    // Each entry becomes one rule: take its IP part rather than copy it.
    let mut rule = std::mem::take(&mut e.head.rule);
    rule.counters = e.head.counters;
    let ctx = rule.ctx();
    for (name, revision, data) in &e.matches {
        rule.matches
            .push(Match::decode(&ctx, name, *revision, data));
    }
    rule.target = match &e.target {
        RawTarget::Verdict(v) if *v >= 0 => {
            let v = *v as usize;
            if !e.head.goto && Some(v) == next {
                Target::Continue
            } else if let Some(chain) = bodies.get(&v) {
                if e.head.goto {
                    Target::Goto(chain.to_string())
                } else {
                    Target::Jump(chain.to_string())
                }
            } else {
                return Err(malformed(
                    e.offset,
                    format!("jump to offset {v}, which starts no user chain"),
                ));
            }
        }
        RawTarget::Verdict(v) if e.head.goto => {
            return Err(malformed(e.offset, format!("goto flag with verdict {v}")));
        }
        RawTarget::Verdict(NF_ACCEPT_VERDICT) => Target::Accept,
        RawTarget::Verdict(NF_DROP_VERDICT) => Target::Drop,
        RawTarget::Verdict(NF_QUEUE_VERDICT) => Target::Queue,
        RawTarget::Verdict(XT_RETURN) => Target::Return,
        RawTarget::Verdict(v) => return Err(malformed(e.offset, format!("unknown verdict {v}"))),
        RawTarget::Error(_) => return Err(malformed(e.offset, "ERROR target inside a chain")),
        RawTarget::Ext {
            name,
            revision,
            data,
        } => {
            // Lossless: the registry keeps what it cannot write back as raw bytes.
            Target::Ext(TargetExt::decode(&ctx, name, *revision, data))
        }
    };
    if e.head.goto && rule.target.chain().is_none() {
        return Err(malformed(e.offset, "goto flag without a jump"));
    }
    Ok(rule)
}

// ---------------------------------------------------------------- encoding

/// A target before offsets are known.
enum Tgt {
    Verdict(i32),
    /// Jump or goto to a user chain's body.
    Jump(String),
    /// No target: on to the next entry.
    Fallthrough,
    Error(String),
    Ext {
        name: String,
        revision: u8,
        data: Vec<u8>,
    },
}

impl Tgt {
    fn size(&self) -> usize {
        match self {
            Tgt::Verdict(_) | Tgt::Jump(_) | Tgt::Fallthrough => STANDARD_SIZE,
            Tgt::Error(_) => ERROR_SIZE,
            Tgt::Ext { data, .. } => EXT_HEADER + xt_align(data.len()),
        }
    }
}

/// An entry before offsets are known.
struct Pending<'a> {
    rule: Option<&'a Rule>,
    goto: bool,
    matches: Vec<u8>,
    target: Tgt,
}

impl Pending<'_> {
    fn bare(target: Tgt) -> Pending<'static> {
        Pending {
            rule: None,
            goto: false,
            matches: Vec::new(),
            target,
        }
    }
}

/// Chains in blob order: built-ins by hook, then user chains by name.
fn blob_order(table: &Table) -> Result<Vec<&Chain>> {
    let mut builtins = Vec::new();
    let mut users = Vec::new();
    for c in &table.chains {
        if c.is_builtin() {
            let hook = hook_of(&c.name).ok_or_else(|| Error::BuiltinChain {
                chain: c.name.clone(),
                reason: "is not a netfilter hook, so it cannot be a built-in chain",
            })?;
            builtins.push((hook, c));
        } else {
            users.push(c);
        }
    }
    builtins.sort_by_key(|(h, _)| *h);
    users.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(builtins.into_iter().map(|(_, c)| c).chain(users).collect())
}

/// Encodes a table in libiptc's layout.
pub(crate) fn encode(table: &Table) -> Result<Encoded> {
    let family = table.family;
    let esz = ip::entry_size(family);
    // Pass 1: every entry's bytes except offsets, and each chain's entries.
    let mut pending = Vec::new();
    let mut map = EntryMap::new();
    let mut hooks = Vec::new(); // (hook, first entry index, policy entry index)
    for c in blob_order(table)? {
        let mut entries = ChainEntries::default();
        if !c.is_builtin() {
            let mut name = [0u8; XT_FUNCTION_MAXNAMELEN];
            put_c_str("chain name", &c.name, &mut name)?;
            pending.push(Pending::bare(Tgt::Error(c.name.clone())));
        }
        let first = pending.len();
        for r in &c.rules {
            entries.rules.push(pending.len());
            pending.push(entry(family, r)?);
        }
        match c.policy {
            Some(p) => {
                let verdict = match p {
                    Policy::Accept => NF_ACCEPT_VERDICT,
                    Policy::Drop => NF_DROP_VERDICT,
                };
                entries.policy = Some(pending.len());
                hooks.push((hook_of(&c.name).unwrap_or(0), first, pending.len()));
                pending.push(Pending::bare(Tgt::Verdict(verdict)));
            }
            None => pending.push(Pending::bare(Tgt::Verdict(XT_RETURN))),
        }
        if map.insert(c.name.clone(), entries).is_some() {
            return Err(Error::ChainExists(c.name.clone()));
        }
    }
    pending.push(Pending::bare(Tgt::Error(ERROR_TARGET.into())));
    // Pass 2: offsets.
    let mut offsets = Vec::with_capacity(pending.len() + 1);
    let mut off = 0usize;
    for p in &pending {
        offsets.push(off);
        off += esz + p.matches.len() + p.target.size();
    }
    offsets.push(off);
    let mut bodies = HashMap::new();
    for (i, p) in pending.iter().enumerate() {
        if let Tgt::Error(name) = &p.target {
            bodies.insert(name.as_str(), offsets[i + 1]);
        }
    }
    // Pass 3: bytes.
    let mut blob = Vec::with_capacity(off);
    for (i, p) in pending.iter().enumerate() {
        let t_off = esz + p.matches.len();
        let n_off = t_off + p.target.size();
        let too_big = || {
            Error::rule(
                format!("rule {}", p.rule.map(|r| r.to_string()).unwrap_or_default()),
                "larger than the 64 KiB an entry may hold",
            )
        };
        let (t16, n16) = (
            u16::try_from(t_off).map_err(|_| too_big())?,
            u16::try_from(n_off).map_err(|_| too_big())?,
        );
        blob.extend_from_slice(&ip::encode(family, p.rule, p.goto, t16, n16)?);
        blob.extend_from_slice(&p.matches);
        let verdict =
            |v: i32| -> Vec<u8> { v.to_ne_bytes().iter().copied().chain([0; 4]).collect() };
        let (name, revision, data) = match &p.target {
            Tgt::Verdict(v) => ("", 0, verdict(*v)),
            Tgt::Fallthrough => ("", 0, verdict(offset_i32(offsets[i + 1])?)),
            Tgt::Jump(chain) => {
                let to = bodies
                    .get(chain.as_str())
                    .ok_or_else(|| Error::NoSuchChain(chain.clone()))?;
                ("", 0, verdict(offset_i32(*to)?))
            }
            Tgt::Error(chain) => {
                let mut d = chain.as_bytes().to_vec();
                d.resize(ERROR_SIZE - EXT_HEADER, 0);
                (ERROR_TARGET, 0, d)
            }
            Tgt::Ext {
                name,
                revision,
                data,
            } => (name.as_str(), *revision, data.clone()),
        };
        push_extension(&mut blob, "target name", name, revision, &data)?;
    }
    let mut hook_entry = [u32::MAX; NF_INET_NUMHOOKS];
    let mut underflow = [u32::MAX; NF_INET_NUMHOOKS];
    let mut valid_hooks = 0;
    for (hook, first, policy) in hooks {
        valid_hooks |= 1 << hook;
        hook_entry[hook] = offset_u32(offsets[first])?;
        underflow[hook] = offset_u32(offsets[policy])?;
    }
    Ok(Encoded {
        entries: blob,
        valid_hooks,
        hook_entry,
        underflow,
        num_entries: pending.len(),
        map,
    })
}

fn offset_i32(off: usize) -> Result<i32> {
    i32::try_from(off).map_err(|_| Error::rule("table", "larger than the kernel's 2 GiB limit"))
}

fn offset_u32(off: usize) -> Result<u32> {
    u32::try_from(off).map_err(|_| Error::rule("table", "larger than the kernel's 4 GiB limit"))
}

/// A rule's entry, offsets still unknown.
fn entry(family: Family, r: &Rule) -> Result<Pending<'_>> {
    if r.family != family {
        return Err(Error::rule(
            r.to_string(),
            format!(
                "a rule of the other family in an {} table",
                family.command()
            ),
        ));
    }
    let ctx = r.ctx();
    let mut matches = Vec::new();
    for m in &r.matches {
        let mut data = Vec::new();
        m.encode(&ctx, &mut data);
        push_extension(&mut matches, "match name", m.name(), m.revision(), &data)?;
    }
    let target = match &r.target {
        Target::Continue => Tgt::Fallthrough,
        Target::Accept => Tgt::Verdict(NF_ACCEPT_VERDICT),
        Target::Drop => Tgt::Verdict(NF_DROP_VERDICT),
        Target::Queue => Tgt::Verdict(NF_QUEUE_VERDICT),
        Target::Return => Tgt::Verdict(XT_RETURN),
        Target::Jump(c) | Target::Goto(c) => Tgt::Jump(c.clone()),
        Target::Ext(t) => {
            let mut data = Vec::new();
            t.encode(&ctx, &mut data);
            Tgt::Ext {
                name: t.name().to_string(),
                revision: t.revision(),
                data,
            }
        }
    };
    Ok(Pending {
        rule: Some(r),
        goto: matches!(r.target, Target::Goto(_)),
        matches,
        target,
    })
}

/// Appends a match or target: header, data, zero padding to 8.
fn push_extension(
    out: &mut Vec<u8>,
    what: &'static str,
    name: &str,
    revision: u8,
    data: &[u8],
) -> Result<()> {
    let size = EXT_HEADER + xt_align(data.len());
    let mut h = xt_entry_target::zeroed();
    put_c_str(what, name, &mut h.name)?;
    h.revision = revision;
    h.target_size =
        u16::try_from(size).map_err(|_| Error::rule(name, "extension data larger than 64 KiB"))?;
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len() + xt_align(data.len()) - data.len(), 0);
    Ok(())
}

/// Built-in chains a table has, as a hook bitmask: must match what the
/// kernel's table has, or SET_REPLACE answers EINVAL.
pub(crate) fn valid_hooks(table: &Table) -> u32 {
    table
        .chains
        .iter()
        .filter(|c| c.is_builtin())
        .filter_map(|c| hook_of(&c.name))
        .fold(0, |m, h| m | 1 << h)
}

/// The rule as a read of its entry gives it back: each typed match and
/// target through its codec and back (a value may have several forms with
/// the same bytes, e.g. a full range and no range). `None` when that is the
/// rule itself. Extensions that name sets are left alone: a read names the
/// set through the kernel, which the rule has done already.
pub(crate) fn as_read_rule(rule: &Rule) -> Option<Rule> {
    let ctx = rule.ctx();
    let padded = |encode: &dyn Fn(&mut Vec<u8>)| {
        let mut data = Vec::new();
        encode(&mut data);
        data.resize(xt_align(data.len()), 0);
        data
    };
    let mut out: Option<Rule> = None;
    for (i, m) in rule.matches.iter().enumerate() {
        if matches!(m, Match::Set(_) | Match::Unknown(_)) {
            continue;
        }
        let data = padded(&|d| m.encode(&ctx, d));
        let back = Match::decode(&ctx, m.name(), m.revision(), &data);
        if back != *m {
            if let Some(slot) = out.get_or_insert_with(|| rule.clone()).matches.get_mut(i) {
                *slot = back;
            }
        }
    }
    if let Target::Ext(t) = &rule.target {
        if !matches!(t, TargetExt::Set(_) | TargetExt::Unknown(_)) {
            let data = padded(&|d| t.encode(&ctx, d));
            let back = TargetExt::decode(&ctx, t.name(), t.revision(), &data);
            if back != *t {
                out.get_or_insert_with(|| rule.clone()).target = Target::Ext(back);
            }
        }
    }
    out
}

/// The table a commit sent, as a read would give it back: `sent` (the copy
/// sent, when one was made: extensions at older revisions, sets resolved)
/// or `given`, with the rules at `fresh` (chain index, rule index) put as a
/// read gives them back. `None` when that is `given` itself.
pub(crate) fn as_read(
    sent: Option<Table>,
    given: &Table,
    fresh: &[(usize, usize)],
) -> Option<Table> {
    let from = sent.as_ref().unwrap_or(given);
    let fixes: Vec<_> = fresh
        .iter()
        .filter_map(|&(c, r)| {
            let rule = from.chains.get(c)?.rules.get(r)?;
            Some((c, r, as_read_rule(rule)?))
        })
        .collect();
    if fixes.is_empty() {
        return sent;
    }
    let mut out = sent.unwrap_or_else(|| given.clone());
    for (c, r, rule) in fixes {
        if let Some(slot) = out.chains.get_mut(c).and_then(|c| c.rules.get_mut(r)) {
            *slot = rule;
        }
    }
    Some(out)
}

/// True when two blobs hold the same entries, counters aside: every byte
/// equal except each entry's `comefrom` and counters (the kernel's).
pub(crate) fn same_entries(family: Family, a: &[u8], b: &[u8]) -> bool {
    let (next_at, kernel_part) = match family {
        Family::Ipv4 => (
            std::mem::offset_of!(ipt_entry, next_offset),
            std::mem::offset_of!(ipt_entry, comefrom),
        ),
        Family::Ipv6 => (
            std::mem::offset_of!(ip6t_entry, next_offset),
            std::mem::offset_of!(ip6t_entry, comefrom),
        ),
    };
    let esz = ip::entry_size(family);
    if a.len() != b.len() {
        return false;
    }
    let mut off = 0;
    while off < a.len() {
        let next = match a.get(off + next_at..off + next_at + 2) {
            Some(&[x, y]) => usize::from(u16::from_ne_bytes([x, y])),
            _ => return false,
        };
        let (Some(user), Some(rest)) = (
            a.get(off..off + kernel_part),
            a.get(off + esz..off + next.max(esz)),
        ) else {
            return false;
        };
        // The offsets are in the compared part: b's entry has the same size.
        if next < esz
            || b.get(off..off + kernel_part) != Some(user)
            || b.get(off + esz..off + next) != Some(rest)
        {
            return false;
        }
        off += next;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Counters;
    use std::mem::offset_of;

    fn sample(family: Family) -> Table {
        let mut t = Table::new(family, "filter").unwrap();
        let any = match family {
            Family::Ipv4 => "-s 10.0.0.0/8",
            Family::Ipv6 => "-s 2001:db8::/32",
        };
        let r = |s: &str| Rule::parse(family, s).unwrap();
        t.chains[0].rules = vec![
            r(&format!("{any} -p tcp -m tcp --dport 22 -j b")),
            r("-j ACCEPT"),
            r("-i eth0"),
        ];
        t.chains[1].policy = Some(Policy::Drop);
        t.chains.push(Chain::user("b"));
        t.chains.push(Chain::user("a"));
        t.chains[3].rules = vec![r("-g a"), r("-j RETURN")];
        t
    }

    fn info(e: &Encoded) -> ipt_getinfo {
        let mut i = ipt_getinfo::zeroed();
        i.valid_hooks = e.valid_hooks;
        i.hook_entry = e.hook_entry;
        i.underflow = e.underflow;
        i.num_entries = e.num_entries as u32;
        i.size = e.entries.len() as u32;
        i
    }

    #[test]
    fn encode_then_decode_gives_the_table_back() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let mut t = sample(family);
            let e = encode(&t).unwrap();
            let (back, map) = decode(family, "filter", &info(&e), &e.entries).unwrap();
            t.sort_chains();
            assert_eq!(back, t);
            assert_eq!(map, e.map);
            // Chain order in the blob: built-ins, then users by name.
            assert_eq!(map["b"].rules[0], 9);
        }
    }

    #[test]
    fn refuses_jumps_to_nowhere_and_a_missing_end() {
        let e = encode(&sample(Family::Ipv4)).unwrap();
        let i = info(&e);
        // Drop the final ERROR entry.
        let cut = &e.entries[..e.entries.len() - 112 - ERROR_SIZE];
        assert!(matches!(
            decode(Family::Ipv4, "filter", &i, cut),
            Err(Error::Malformed(_))
        ));
        // Point the first rule's jump one entry further (into the middle of nowhere).
        let mut bad = e.entries.clone();
        let first_target = 112 + 48;
        let v = i32::from_ne_bytes(
            bad[first_target + 32..first_target + 36]
                .try_into()
                .unwrap(),
        ) + 8;
        bad[first_target + 32..first_target + 36].copy_from_slice(&v.to_ne_bytes());
        assert!(matches!(
            decode(Family::Ipv4, "filter", &i, &bad),
            Err(Error::Malformed(_))
        ));
        // A size that is not a multiple of 8.
        assert!(decode(
            Family::Ipv4,
            "filter",
            &i,
            &e.entries[..e.entries.len() - 4]
        )
        .is_err());
        assert!(decode(Family::Ipv4, "filter", &i, &[]).is_err());
    }

    #[test]
    fn no_input_makes_it_panic() {
        // Every single-byte corruption and every truncation: an error or a
        // table, never a panic.
        for family in [Family::Ipv4, Family::Ipv6] {
            let e = encode(&sample(family)).unwrap();
            let i = info(&e);
            for at in 0..e.entries.len() {
                for x in [0x01u8, 0x80, 0xff] {
                    let mut b = e.entries.clone();
                    b[at] ^= x;
                    let _ = decode(family, "filter", &i, &b);
                }
                let _ = decode(family, "filter", &i, &e.entries[..at]);
            }
            let mut j = i;
            j.valid_hooks = 0xff;
            assert!(decode(family, "filter", &j, &e.entries).is_err());
            j.valid_hooks = i.valid_hooks;
            j.underflow[1] = 3;
            assert!(decode(family, "filter", &j, &e.entries).is_err());
        }
    }

    #[test]
    fn same_entries_ignores_counters_and_comefrom_only() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let e = encode(&sample(family)).unwrap();
            let a = &e.entries;
            let esz = ip::entry_size(family);
            let (next_at, comefrom_at) = match family {
                Family::Ipv4 => (
                    offset_of!(ipt_entry, next_offset),
                    offset_of!(ipt_entry, comefrom),
                ),
                Family::Ipv6 => (
                    offset_of!(ip6t_entry, next_offset),
                    offset_of!(ip6t_entry, comefrom),
                ),
            };
            assert!(same_entries(family, a, a));
            // The second entry: its comefrom and counters may differ.
            let off = usize::from(u16::from_ne_bytes([a[next_at], a[next_at + 1]]));
            let mut b = a.clone();
            b[off + comefrom_at..off + esz].fill(0x5a);
            assert!(same_entries(family, a, &b));
            // Any other byte may not.
            for at in [0, off, off + comefrom_at - 1, off + esz, a.len() - 1] {
                let mut c = a.clone();
                c[at] ^= 1;
                assert!(!same_entries(family, a, &c), "byte {at}");
                assert!(!same_entries(family, &c, a), "byte {at}");
            }
            assert!(!same_entries(family, a, &a[..a.len() - 8]));
            // Garbage (misaligned, truncated): an answer, never a panic.
            for n in 0..a.len() {
                let _ = same_entries(family, &a[..n], &a[..n]);
                let _ = same_entries(family, &a[n..], &a[n..]);
            }
        }
    }

    #[test]
    fn rules_as_a_read_gives_them_back() {
        let r = |s: &str| Rule::parse(Family::Ipv4, s).unwrap();
        // Already as read: nothing to do.
        assert!(as_read_rule(&r("-p tcp -m tcp --dport 22 -j ACCEPT")).is_none());
        // A full SPI range is the same bytes as no range; a read says none.
        let full = r("-p esp -m esp --espspi 0:4294967295");
        let back = as_read_rule(&full).unwrap();
        assert_eq!(back.matches, r("-p esp -m esp").matches);
        assert!(as_read_rule(&back).is_none());
        // In a table: only the rules named are looked at.
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.chains[0].rules = vec![full.clone(), full.clone()];
        let fixed = as_read(None, &t, &[(0, 1)]).unwrap();
        assert_eq!(fixed.chains[0].rules[0], full);
        assert_eq!(fixed.chains[0].rules[1], back);
        assert!(as_read(None, &t, &[]).is_none());
        assert!(as_read(None, &t, &[(0, 7), (9, 0)]).is_none());
    }

    #[test]
    fn encode_refuses_what_the_kernel_cannot_hold() {
        let mut t = sample(Family::Ipv4);
        t.chains[0]
            .rules
            .push(Rule::new(Family::Ipv4).with_target(Target::Jump("nosuch".into())));
        assert!(matches!(encode(&t), Err(Error::NoSuchChain(_))));
        let mut t = sample(Family::Ipv4);
        t.chains.push(Chain::user(&"x".repeat(30)));
        assert!(matches!(encode(&t), Err(Error::NameTooLong { .. })));
        let mut t = sample(Family::Ipv4);
        t.chains[0].rules.push(Rule::new(Family::Ipv6));
        assert!(encode(&t).is_err());
        let mut t = sample(Family::Ipv4);
        t.chains[0].counters = Counters::new(1, 1);
        assert!(encode(&t).is_ok());
    }
}
