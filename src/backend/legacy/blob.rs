//! A legacy table's entry blob, both ways, in libiptc's layout.
//!
//! Layout: the built-in chains in hook order, each its rules then its policy
//! entry (the underflow: an unconditional standard target); then each user
//! chain, sorted by name: an ERROR target carrying its name, its rules, an
//! unconditional RETURN; then a final ERROR target named "ERROR". A jump's
//! verdict is the byte offset of the first entry after the target chain's
//! head; a rule without target falls through with the offset of the next
//! entry as its verdict (libiptc's FALLTHROUGH).

use std::borrow::Cow;
use std::collections::HashMap;
use std::mem::size_of;

use iptkit_sys::xtables::*;
use iptkit_sys::{xt_align, Pod};

use super::ip;
use super::socket::Entries;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{c_str, put_c_str};
use crate::matches::Match;
use crate::rule::{Counters, Rule};
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
    /// Entry index of the body's first entry, where jumps land (user
    /// chains only; the RETURN of an empty chain).
    pub body: Option<usize>,
}

/// Entry indices of every chain, by chain name.
pub(crate) type EntryMap = HashMap<String, ChainEntries>;

/// A table ready for SET_REPLACE.
#[derive(Clone, Debug)]
pub(crate) struct Encoded {
    /// The entries, with room for SET_REPLACE's header in front.
    pub entries: Entries,
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

/// A target as an entry's headers say it: what cutting the blob into
/// chains needs. Extensions are decoded later, with the rule.
#[derive(Clone, Debug)]
enum SlotTarget {
    Verdict(i32),
    Error(String),
    Ext,
}

/// One entry, from its headers only: where it is, where its target is, and
/// what chains are cut by. Small: a table of 50,000 rules has 50,000.
#[derive(Clone, Debug)]
struct Slot {
    offset: usize,
    target_offset: usize,
    next_offset: usize,
    target: SlotTarget,
    /// Number of matches.
    matches: usize,
    /// No match.
    bare: bool,
    /// The IP part is all zero (the kernel's `unconditional()`), as
    /// policies and user chain RETURNs must be.
    unconditional: bool,
}

impl Slot {
    fn bytes<'b>(&self, blob: &'b [u8]) -> &'b [u8] {
        &blob[self.offset..self.offset + self.next_offset]
    }
}

fn malformed(offset: usize, what: impl std::fmt::Display) -> Error {
    Error::Malformed(format!("entry at offset {offset}: {what}"))
}

/// Cuts the blob into entries, checking every size and offset and every
/// match's and target's header.
fn slots(family: Family, blob: &[u8], count: u32) -> Result<Vec<Slot>> {
    let esz = ip::entry_size(family);
    let ip_size = ip::ip_size(family);
    // Room for `count` entries up front, but no more than the blob can
    // hold, whatever the count says.
    let most = blob.len() / (esz + EXT_HEADER);
    let mut slots = Vec::with_capacity(most.min(count as usize));
    let mut off = 0;
    while off < blob.len() {
        let bytes = &blob[off..];
        let (t_off, n_off) = ip::offsets(family, bytes)
            .filter(|_| bytes.len() >= esz)
            .ok_or_else(|| malformed(off, "truncated entry"))?;
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
        let (mut m, mut matches) = (esz, 0);
        while m < t_off {
            m += extension_size(&entry[m..t_off]).map_err(|e| malformed(off, e))?;
            matches += 1;
        }
        let h = xt_entry_target::read_from(&entry[t_off..])
            .ok_or_else(|| malformed(off, "truncated match or target header"))?;
        let size = extension_size(&entry[t_off..]).map_err(|e| malformed(off, e))?;
        if t_off + size != n_off {
            return Err(malformed(
                off,
                "the target does not end where the entry does",
            ));
        }
        let data = &entry[t_off + EXT_HEADER..];
        let target = match name_of(&h.name) {
            b"" if size == STANDARD_SIZE => {
                SlotTarget::Verdict(i32::from_ne_bytes([data[0], data[1], data[2], data[3]]))
            }
            b"" => return Err(malformed(off, "standard target of the wrong size")),
            b"ERROR" if size == ERROR_SIZE => {
                SlotTarget::Error(c_str(&data[..XT_FUNCTION_MAXNAMELEN]))
            }
            b"ERROR" => return Err(malformed(off, "error target of the wrong size")),
            _ => SlotTarget::Ext,
        };
        slots.push(Slot {
            offset: off,
            target_offset: t_off,
            next_offset: n_off,
            target,
            matches,
            bare: t_off == esz,
            unconditional: entry[..ip_size].iter().all(|&b| b == 0),
        });
        off += n_off;
    }
    Ok(slots)
}

/// A C name field up to its NUL.
fn name_of(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The size of the match or target whose header starts `bytes`, checked.
fn extension_size(bytes: &[u8]) -> std::result::Result<usize, String> {
    let size = match bytes {
        [a, b, ..] if bytes.len() >= EXT_HEADER => usize::from(u16::from_ne_bytes([*a, *b])),
        _ => return Err("truncated match or target header".into()),
    };
    if size < EXT_HEADER || size % 8 != 0 || size > bytes.len() {
        return Err(format!("match or target of bad size {size}"));
    }
    Ok(size)
}

/// Reads one match or target header at the start of `bytes`: name (as
/// [`c_str`] reads it, without a copy when it can), revision and data
/// (padding included).
fn extension(bytes: &[u8]) -> std::result::Result<(Cow<'_, str>, u8, &[u8]), String> {
    let size = extension_size(bytes)?;
    let at = std::mem::offset_of!(xt_entry_target, name);
    let name = &bytes[at..at + XT_EXTENSION_MAXNAMELEN];
    let revision = bytes[std::mem::offset_of!(xt_entry_target, revision)];
    Ok((
        String::from_utf8_lossy(name_of(name)),
        revision,
        &bytes[EXT_HEADER..size],
    ))
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

/// A blob cut into its chains and checked: everything a read does but
/// decode the rules. Rules are decoded from it one by one
/// ([`Layout::rules`]): into a [`Table`] ([`decode_only`]), or straight
/// into iptables-save's text, keeping none of them (a save).
pub(crate) struct Layout {
    /// Every entry, in blob order.
    slots: Vec<Slot>,
    /// The chains in table order: built-ins by hook, then user chains by
    /// name (libiptc's order).
    spans: Vec<Span>,
}

impl Layout {
    /// Cuts the blob GET_ENTRIES returned, laid out as GET_INFO describes
    /// it, into chains.
    pub(crate) fn new(family: Family, info: &ipt_getinfo, blob: &[u8]) -> Result<Layout> {
        let slots = slots(family, blob, info.num_entries)?;
        let mut spans = spans(&slots, &hook_starts(&slots, info)?)?;
        // The entries that are no rule have no rule's IP part to check: a
        // chain head, a policy, a RETURN, the end.
        let mut rule_entries = vec![false; slots.len()];
        for s in &spans {
            rule_entries[s.rules.clone()].fill(true);
        }
        for (s, _) in slots.iter().zip(&rule_entries).filter(|(_, r)| !**r) {
            ip::decode(family, s.bytes(blob)).map_err(|e| malformed(s.offset, e))?;
        }
        in_table_order(&mut spans)?;
        Ok(Layout { slots, spans })
    }

    /// The number of entries.
    pub(crate) fn entries(&self) -> usize {
        self.slots.len()
    }

    /// The chains in table order, without their rules: names, policies
    /// and the policies' counters.
    pub(crate) fn heads(&self, family: Family, blob: &[u8]) -> Vec<Chain> {
        self.spans
            .iter()
            .map(|s| Chain {
                name: s.name.clone(),
                policy: s.policy.map(|p| p.0),
                counters: s
                    .policy
                    .map(|(_, i)| counters_of(family, self.slots[i].bytes(blob)))
                    .unwrap_or_default(),
                rules: Vec::new(),
            })
            .collect()
    }

    /// Where jumps may land: the offset of each user chain's body's first
    /// entry, with the chain's name. [`Layout::rules`] takes it.
    pub(crate) fn bodies(&self) -> HashMap<usize, &str> {
        self.spans
            .iter()
            .filter(|s| s.hook.is_none())
            .map(|s| (self.slots[s.rules.start].offset, s.name.as_str()))
            .collect()
    }

    /// The rules of the `chain`th chain of [`Layout::heads`], each decoded
    /// when the iterator reaches it.
    pub(crate) fn rules<'a>(
        &'a self,
        family: Family,
        blob: &'a [u8],
        chain: usize,
        bodies: &'a HashMap<usize, &str>,
    ) -> impl ExactSizeIterator<Item = Result<Rule>> + 'a {
        let range = self.spans.get(chain).map_or(0..0, |s| s.rules.clone());
        range.map(move |i| {
            let next = self.slots.get(i + 1).map(|e| e.offset);
            rule(family, blob, &self.slots[i], next, bodies)
        })
    }

    /// Where the `chain`th chain's entries sit.
    fn entry_map(&self, chain: usize) -> ChainEntries {
        let s = &self.spans[chain];
        ChainEntries {
            rules: s.rules.clone().collect(),
            policy: s.policy.map(|p| p.1),
            body: s.hook.is_none().then_some(s.rules.start),
        }
    }

    /// The table, with the rules of the chains in `only` alone when given
    /// (see [`decode_only`]), and where each chain's entries sat.
    pub(crate) fn decode(
        &self,
        family: Family,
        name: &str,
        blob: &[u8],
        only: Option<&crate::backend::Chains>,
    ) -> Result<(Table, EntryMap)> {
        let bodies = self.bodies();
        let mut table = Table {
            family,
            name: name.to_string(),
            chains: self.heads(family, blob),
        };
        let mut map = EntryMap::with_capacity(table.chains.len());
        for (k, chain) in table.chains.iter_mut().enumerate() {
            if only.is_none_or(|o| o.contains(&chain.name)) {
                let rules = self.rules(family, blob, k, &bodies);
                chain.rules.reserve_exact(rules.len());
                for rule in rules {
                    chain.rules.push(rule?);
                }
            }
            map.insert(chain.name.clone(), self.entry_map(k));
        }
        Ok((table, map))
    }
}

/// Where a built-in chain starts: the entry index of its first rule, its
/// hook, and the entry index of its policy.
type Start = (usize, usize, usize);

/// Where each built-in chain of GET_INFO's hook layout starts.
fn hook_starts(slots: &[Slot], info: &ipt_getinfo) -> Result<Vec<Start>> {
    // Slots are in offset order: an offset's entry by bisection.
    let at = |offset: u32, what: &str| {
        slots
            .binary_search_by_key(&(offset as usize), |s| s.offset)
            .map_err(|_| {
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
    let mut starts: Vec<Start> = Vec::with_capacity(NF_INET_NUMHOOKS);
    for h in (0..NF_INET_NUMHOOKS).filter(|h| info.valid_hooks & (1 << h) != 0) {
        let (first, policy) = (
            at(info.hook_entry[h], "hook entry")?,
            at(info.underflow[h], "underflow")?,
        );
        if policy < first || start_at(&starts, first).is_some() {
            return Err(Error::Malformed(format!(
                "hook {} has a bad entry/underflow pair",
                HOOKS[h]
            )));
        }
        starts.push((first, h, policy));
    }
    Ok(starts)
}

/// Puts the chains in libiptc's order (built-ins by hook, then user chains
/// by name) and refuses two of one name.
fn in_table_order(spans: &mut [Span]) -> Result<()> {
    // Stable: the built-ins have one hook each.
    spans.sort_by(|a, b| match (a.hook, b.hook) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.as_bytes().cmp(b.name.as_bytes()),
    });
    let users = spans.iter().position(|s| s.hook.is_none());
    let (builtins, users) = spans.split_at(users.unwrap_or(spans.len()));
    let twice = users
        .windows(2)
        .find(|w| w[0].name == w[1].name)
        .map(|w| &w[0])
        .or_else(|| {
            users
                .iter()
                .find(|u| builtins.iter().any(|b| b.name == u.name))
        });
    match twice {
        Some(s) => Err(Error::Malformed(format!("two chains named `{}`", s.name))),
        None => Ok(()),
    }
}

/// The hook and policy entry of the built-in chain whose first rule is
/// entry `i` (a table has five at most: a search is cheaper than a map).
fn start_at(starts: &[Start], i: usize) -> Option<(usize, usize)> {
    starts
        .iter()
        .find(|s| s.0 == i)
        .map(|&(_, hook, policy)| (hook, policy))
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
    decode_only(family, name, info, blob, None)
}

/// [`decode`], with the rules of the chains in `only` alone when given:
/// the other chains come with their policies and counters but no rules,
/// their entries are left as they are (a commit copies them whole, see
/// [`raw_fixup`]). Decoding is most of a read's work; a change to one
/// chain of a big table need not pay it for the others.
pub(crate) fn decode_only(
    family: Family,
    name: &str,
    info: &ipt_getinfo,
    blob: &[u8],
    only: Option<&crate::backend::Chains>,
) -> Result<(Table, EntryMap)> {
    Layout::new(family, info, blob)?.decode(family, name, blob, only)
}

/// An entry's counters.
pub(crate) fn counters_of(family: Family, entry: &[u8]) -> Counters {
    let at = match family {
        Family::Ipv4 => std::mem::offset_of!(ipt_entry, counters),
        Family::Ipv6 => std::mem::offset_of!(ip6t_entry, counters),
    };
    xt_counters::read_from(entry.get(at..).unwrap_or_default())
        .map(|c| Counters::new(c.pcnt, c.bcnt))
        .unwrap_or_default()
}

/// Cuts the entries into chains; checks that every entry belongs to one and
/// that the table ends with the final ERROR entry.
fn spans(slots: &[Slot], starts: &[Start]) -> Result<Vec<Span>> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < slots.len() {
        let e = &slots[i];
        if let Some((hook, policy)) = start_at(starts, i) {
            if let Some(j) = (i + 1..=policy).find(|j| {
                start_at(starts, *j).is_some() || matches!(slots[*j].target, SlotTarget::Error(_))
            }) {
                return Err(malformed(
                    slots[j].offset,
                    "a chain starts inside a built-in chain",
                ));
            }
            let p = &slots[policy];
            let verdict = match p.target {
                SlotTarget::Verdict(v) if p.unconditional && p.bare => v,
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
        } else if let SlotTarget::Error(name) = &e.target {
            if i + 1 == slots.len() {
                return Ok(spans);
            }
            // The body runs to the next chain's start; the last entry is RETURN.
            let end = (i + 1..slots.len())
                .find(|j| {
                    start_at(starts, *j).is_some()
                        || matches!(slots[*j].target, SlotTarget::Error(_))
                })
                .unwrap_or(slots.len());
            let ret = &slots[end - 1];
            let is_return = matches!(ret.target, SlotTarget::Verdict(XT_RETURN))
                && ret.unconditional
                && ret.bare;
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

/// Makes a rule of the entry `e` of `blob`. `next` is the offset of the
/// entry after it, `bodies` maps the offsets jumps may land on to user
/// chain names.
fn rule(
    family: Family,
    blob: &[u8],
    e: &Slot,
    next: Option<usize>,
    bodies: &HashMap<usize, &str>,
) -> Result<Rule> {
    let entry = e.bytes(blob);
    let head = ip::decode(family, entry).map_err(|err| malformed(e.offset, err))?;
    let mut rule = head.rule;
    rule.counters = head.counters;
    rule.matches.reserve_exact(e.matches);
    let ctx = rule.ctx();
    let mut m = ip::entry_size(family);
    while m < e.target_offset {
        let (name, revision, data) =
            extension(&entry[m..e.target_offset]).map_err(|err| malformed(e.offset, err))?;
        m += EXT_HEADER + data.len();
        rule.matches
            .push(Match::decode(&ctx, &name, revision, data));
    }
    rule.target = match &e.target {
        SlotTarget::Verdict(v) if *v >= 0 => {
            let v = *v as usize;
            if !head.goto && Some(v) == next {
                Target::Continue
            } else if let Some(chain) = bodies.get(&v) {
                if head.goto {
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
        SlotTarget::Verdict(v) if head.goto => {
            return Err(malformed(e.offset, format!("goto flag with verdict {v}")));
        }
        SlotTarget::Verdict(NF_ACCEPT_VERDICT) => Target::Accept,
        SlotTarget::Verdict(NF_DROP_VERDICT) => Target::Drop,
        SlotTarget::Verdict(NF_QUEUE_VERDICT) => Target::Queue,
        SlotTarget::Verdict(XT_RETURN) => Target::Return,
        SlotTarget::Verdict(v) => return Err(malformed(e.offset, format!("unknown verdict {v}"))),
        SlotTarget::Error(_) => return Err(malformed(e.offset, "ERROR target inside a chain")),
        SlotTarget::Ext => {
            let (name, revision, data) =
                extension(&entry[e.target_offset..]).map_err(|err| malformed(e.offset, err))?;
            // Lossless: the registry keeps what it cannot write back as raw bytes.
            Target::Ext(TargetExt::decode(&ctx, &name, revision, data))
        }
    };
    if head.goto && rule.target.chain().is_none() {
        return Err(malformed(e.offset, "goto flag without a jump"));
    }
    Ok(rule)
}

// ---------------------------------------------------------------- encoding

/// What an entry's standard verdict must be filled in with once offsets
/// are known (the verdict is in the last 8 bytes of such an entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fixup<'a> {
    /// A verdict or an extension target: nothing to fill in.
    None,
    /// No target: on to the next entry (libiptc's FALLTHROUGH).
    Next,
    /// A jump or goto to this user chain's body.
    Jump(&'a str),
}

impl Fixup<'_> {
    /// What an entry with this target needs.
    pub(crate) fn of(target: &Target) -> Fixup<'_> {
        match target {
            Target::Continue => Fixup::Next,
            Target::Jump(c) | Target::Goto(c) => Fixup::Jump(c),
            _ => Fixup::None,
        }
    }
}

/// What copying the entry at `offset` of a blob, whose rule was not
/// decoded, must fill in: its jump (`bodies`: the chain whose body starts
/// at an offset of that blob) or its fallthrough. The entry's bytes were
/// checked when the blob was read.
pub(crate) fn raw_fixup<'a>(
    family: Family,
    entry: &[u8],
    offset: usize,
    bodies: &HashMap<usize, &'a str>,
) -> Result<Fixup<'a>> {
    let (t_off, n_off) =
        ip::offsets(family, entry).ok_or_else(|| malformed(offset, "truncated entry"))?;
    let target = entry
        .get(t_off..)
        .and_then(xt_entry_target::read_from)
        .ok_or_else(|| malformed(offset, "truncated target"))?;
    if !name_of(&target.name).is_empty() || usize::from(target.target_size) != STANDARD_SIZE {
        return Ok(Fixup::None);
    }
    let at = t_off + EXT_HEADER;
    let verdict = match entry.get(at..at + 4) {
        Some(&[a, b, c, d]) => i32::from_ne_bytes([a, b, c, d]),
        _ => return Err(malformed(offset, "truncated verdict")),
    };
    let Ok(to) = usize::try_from(verdict) else {
        return Ok(Fixup::None);
    };
    if !ip::is_goto(family, entry) && to == offset + n_off {
        return Ok(Fixup::Next);
    }
    bodies
        .get(&to)
        .map(|chain| Fixup::Jump(chain))
        .ok_or_else(|| {
            malformed(
                offset,
                format!("jump to offset {to}, which starts no user chain"),
            )
        })
}

/// Bytes from a standard verdict to the end of its entry: the verdict and
/// its padding.
pub(crate) const VERDICT_FROM_END: usize = STANDARD_SIZE - EXT_HEADER;

/// Writes `verdict` into the entry of `blob` that ends at `end`.
pub(crate) fn put_verdict(blob: &mut [u8], end: usize, verdict: i32) {
    if let Some(v) = blob.get_mut(end - VERDICT_FROM_END..end - VERDICT_FROM_END + 4) {
        v.copy_from_slice(&verdict.to_ne_bytes());
    }
}

/// Appends a rule's entry. The verdict of a jump or a fallthrough is left
/// zero: the returned [`Fixup`] says what it must become. On error nothing
/// is appended.
pub(crate) fn put_entry<'r>(out: &mut Vec<u8>, family: Family, r: &'r Rule) -> Result<Fixup<'r>> {
    let start = out.len();
    let written = write_entry(out, family, r);
    if written.is_err() {
        out.truncate(start);
    }
    written
}

fn write_entry<'r>(out: &mut Vec<u8>, family: Family, r: &'r Rule) -> Result<Fixup<'r>> {
    if r.foreign.is_some() {
        return Err(Error::rule(
            r.to_string(),
            "an nf_tables rule iptkit cannot read cannot be written to a legacy table",
        ));
    }
    if r.family != family {
        return Err(Error::rule(
            r.to_string(),
            format!(
                "a rule of the other family in an {} table",
                family.command()
            ),
        ));
    }
    let start = out.len();
    let esz = ip::entry_size(family);
    out.resize(start + esz, 0);
    let goto = matches!(r.target, Target::Goto(_));
    ip::put(family, Some(r), goto, &mut out[start..])?;
    let ctx = r.ctx();
    for m in &r.matches {
        put_extension(out, "match name", m.name(), m.revision(), |d| {
            m.encode(&ctx, d)
        })?;
    }
    let t_off = out.len() - start;
    let fixup = Fixup::of(&r.target);
    match &r.target {
        Target::Continue | Target::Jump(_) | Target::Goto(_) => put_standard(out, 0),
        Target::Accept => put_standard(out, NF_ACCEPT_VERDICT),
        Target::Drop => put_standard(out, NF_DROP_VERDICT),
        Target::Queue => put_standard(out, NF_QUEUE_VERDICT),
        Target::Return => put_standard(out, XT_RETURN),
        Target::Ext(t) => put_extension(out, "target name", t.name(), t.revision(), |d| {
            t.encode(&ctx, d)
        })?,
    }
    let n_off = out.len() - start;
    let too_big = || {
        Error::rule(
            format!("rule {r}"),
            "larger than the 64 KiB an entry may hold",
        )
    };
    let (t16, n16) = (
        u16::try_from(t_off).map_err(|_| too_big())?,
        u16::try_from(n_off).map_err(|_| too_big())?,
    );
    ip::set_offsets(family, &mut out[start..], t16, n16)?;
    Ok(fixup)
}

/// Appends a standard target with its verdict.
fn put_standard(out: &mut Vec<u8>, verdict: i32) {
    let mut h = xt_entry_target::zeroed();
    h.target_size = STANDARD_SIZE as u16;
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(&verdict.to_ne_bytes());
    out.extend_from_slice(&[0; 4]);
}

/// Appends a match or target: header, the data `data` writes, zero padding
/// to 8. On error nothing is appended.
fn put_extension(
    out: &mut Vec<u8>,
    what: &'static str,
    name: &str,
    revision: u8,
    data: impl FnOnce(&mut Vec<u8>),
) -> Result<()> {
    let at = out.len();
    let mut h = xt_entry_target::zeroed();
    put_c_str(what, name, &mut h.name)?;
    h.revision = revision;
    out.extend_from_slice(h.as_bytes());
    data(out);
    let size = xt_align(out.len() - at);
    out.resize(at + size, 0);
    let Ok(size) = u16::try_from(size) else {
        out.truncate(at);
        return Err(Error::rule(name, "extension data larger than 64 KiB"));
    };
    out[at..at + 2].copy_from_slice(&size.to_ne_bytes());
    Ok(())
}

/// Appends an entry without IP part: a policy, a RETURN, a chain head or
/// the table's end.
fn put_bare(out: &mut Vec<u8>, family: Family, target: Bare) -> Result<()> {
    let start = out.len();
    let esz = ip::entry_size(family);
    out.resize(start + esz, 0);
    match target {
        Bare::Verdict(v) => put_standard(out, v),
        Bare::Error(name) => {
            let mut h = xt_entry_target::zeroed();
            h.target_size = ERROR_SIZE as u16;
            put_c_str("target name", ERROR_TARGET, &mut h.name)?;
            out.extend_from_slice(h.as_bytes());
            let mut data = [0u8; ERROR_SIZE - EXT_HEADER];
            let mut field = [0u8; XT_FUNCTION_MAXNAMELEN];
            put_c_str("chain name", name, &mut field)?;
            data[..XT_FUNCTION_MAXNAMELEN].copy_from_slice(&field);
            out.extend_from_slice(&data);
        }
    }
    let n_off = (out.len() - start) as u16;
    ip::set_offsets(family, &mut out[start..], esz as u16, n_off)
}

/// The target of an entry [`put_bare`] writes.
enum Bare<'a> {
    Verdict(i32),
    Error(&'a str),
}

/// Chains in blob order, with their index in the table: built-ins by hook,
/// then user chains by name.
pub(crate) fn blob_order(table: &Table) -> Result<Vec<(usize, &Chain)>> {
    let mut builtins = Vec::new();
    let mut users = Vec::new();
    for (i, c) in table.chains.iter().enumerate() {
        if c.is_builtin() {
            let hook = hook_of(&c.name).ok_or_else(|| Error::BuiltinChain {
                chain: c.name.clone(),
                reason: "is not a netfilter hook, so it cannot be a built-in chain",
            })?;
            builtins.push((hook, (i, c)));
        } else {
            users.push((i, c));
        }
    }
    builtins.sort_by_key(|(h, _)| *h);
    users.sort_by(|a, b| a.1.name.as_bytes().cmp(b.1.name.as_bytes()));
    Ok(builtins.into_iter().map(|(_, c)| c).chain(users).collect())
}

/// Writes a table's blob in libiptc's layout, chain by chain in blob order
/// ([`blob_order`]), each entry at its final offset: a rule either encoded
/// ([`Writer::rule`]) or copied from a blob the kernel handed out
/// ([`Writer::copy`]). Jumps are filled in at the end, when every chain's
/// offset is known.
pub(crate) struct Writer<'t> {
    family: Family,
    /// The entries, after room for SET_REPLACE's header: blob offset `o` is
    /// at `out[BASE + o]`.
    out: Entries,
    entries: usize,
    map: EntryMap,
    /// (hook, offset of the first entry, offset of the policy).
    hooks: Vec<(usize, usize, usize)>,
    /// Each user chain of the table, with the offset of its body once written.
    bodies: HashMap<&'t str, Option<usize>>,
    /// (end of the entry, chain it jumps to).
    jumps: Vec<(usize, &'t str)>,
    chain: Option<Open<'t>>,
    /// Where the last entry starts.
    last: usize,
}

/// The chain being written.
struct Open<'t> {
    chain: &'t Chain,
    first: usize,
    entries: ChainEntries,
}

impl<'t> Writer<'t> {
    /// A writer for `table`, with room for `capacity` bytes.
    pub fn new(table: &'t Table, capacity: usize) -> Writer<'t> {
        Writer {
            family: table.family,
            out: Entries::with_capacity(capacity),
            entries: 0,
            map: EntryMap::with_capacity(table.chains.len()),
            hooks: Vec::new(),
            bodies: table
                .chains
                .iter()
                .filter(|c| !c.is_builtin())
                .map(|c| (c.name.as_str(), None))
                .collect(),
            jumps: Vec::new(),
            chain: None,
            last: 0,
        }
    }

    /// Index of the next entry written.
    pub fn next_index(&self) -> usize {
        self.entries
    }

    /// The bytes of the entry written at `start`, to its end.
    pub fn written(&self, start: usize) -> &[u8] {
        self.out.get(start..).unwrap_or_default()
    }

    /// The last entry written.
    pub fn last_entry(&self) -> &[u8] {
        self.written(self.last)
    }

    /// Starts a chain of `rules` rules: a user chain's head entry. (The
    /// count is given apart: a table given up to the writer has its
    /// chains' rules taken out.)
    pub fn begin(&mut self, chain: &'t Chain, rules: usize) -> Result<()> {
        self.end()?;
        if !chain.is_builtin() {
            put_bare(self.out.buf_mut(), self.family, Bare::Error(&chain.name))?;
            self.entries += 1;
            self.bodies.insert(&chain.name, Some(self.out.len()));
        }
        self.chain = Some(Open {
            chain,
            first: self.out.len(),
            entries: ChainEntries {
                rules: Vec::with_capacity(rules),
                policy: None,
                body: (!chain.is_builtin()).then_some(self.entries),
            },
        });
        Ok(())
    }

    /// Encodes a rule of the open chain. Returns where its entry starts.
    pub fn rule(&mut self, rule: &Rule) -> Result<usize> {
        let start = self.out.len();
        let fixup = put_entry(self.out.buf_mut(), self.family, rule)?;
        self.added(start, fixup)?;
        Ok(start)
    }

    /// Copies a rule's entry from a blob the kernel handed out (or that we
    /// wrote): `target` is the rule's, for its jump or fallthrough.
    pub fn copy(&mut self, entry: &[u8], target: &Target) -> Result<usize> {
        self.copy_with(entry, Fixup::of(target))
    }

    /// Copies an entry whose rule was not decoded (see [`raw_fixup`]).
    pub fn copy_with(&mut self, entry: &[u8], fixup: Fixup) -> Result<usize> {
        let start = self.out.len();
        self.out.buf_mut().extend_from_slice(entry);
        ip::clear_kernel_part(self.family, &mut self.out[start..]);
        self.added(start, fixup)?;
        Ok(start)
    }

    /// Takes back the last rule written, which starts at `start`.
    pub fn undo(&mut self, start: usize) {
        self.out.buf_mut().truncate(Entries::HEADER + start);
        if self.jumps.last().is_some_and(|&(end, _)| end > start) {
            self.jumps.pop();
        }
        if let Some(open) = &mut self.chain {
            open.entries.rules.pop();
        }
        self.entries -= 1;
    }

    fn added(&mut self, start: usize, fixup: Fixup) -> Result<()> {
        let end = self.out.len();
        self.last = start;
        match fixup {
            Fixup::None => {}
            Fixup::Next => put_verdict(&mut self.out, end, offset_i32(end)?),
            Fixup::Jump(chain) => match self.bodies.get_key_value(chain) {
                Some((&name, _)) => self.jumps.push((end, name)),
                None => {
                    self.out.buf_mut().truncate(Entries::HEADER + start);
                    return Err(Error::NoSuchChain(chain.to_string()));
                }
            },
        }
        if let Some(open) = &mut self.chain {
            open.entries.rules.push(self.entries);
        }
        self.entries += 1;
        Ok(())
    }

    /// Ends the open chain, if any, with its policy or RETURN. Returns the
    /// policy's entry index.
    pub fn end(&mut self) -> Result<Option<usize>> {
        let Some(mut open) = self.chain.take() else {
            return Ok(None);
        };
        let c = open.chain;
        let at = self.out.len();
        let verdict = match c.policy {
            Some(Policy::Accept) => NF_ACCEPT_VERDICT,
            Some(Policy::Drop) => NF_DROP_VERDICT,
            None => XT_RETURN,
        };
        put_bare(self.out.buf_mut(), self.family, Bare::Verdict(verdict))?;
        if c.policy.is_some() {
            open.entries.policy = Some(self.entries);
            self.hooks
                .push((hook_of(&c.name).unwrap_or(0), open.first, at));
        }
        self.entries += 1;
        let policy = open.entries.policy;
        if self.map.insert(c.name.clone(), open.entries).is_some() {
            return Err(Error::ChainExists(c.name.clone()));
        }
        Ok(policy)
    }

    /// Ends the table and fills in the jumps.
    pub fn finish(mut self) -> Result<Encoded> {
        self.end()?;
        put_bare(self.out.buf_mut(), self.family, Bare::Error(ERROR_TARGET))?;
        self.entries += 1;
        for &(end, chain) in &self.jumps {
            let to = self
                .bodies
                .get(chain)
                .copied()
                .flatten()
                .ok_or_else(|| Error::NoSuchChain(chain.to_string()))?;
            put_verdict(&mut self.out, end, offset_i32(to)?);
        }
        let mut hook_entry = [u32::MAX; NF_INET_NUMHOOKS];
        let mut underflow = [u32::MAX; NF_INET_NUMHOOKS];
        let mut valid_hooks = 0;
        for &(hook, first, policy) in &self.hooks {
            valid_hooks |= 1 << hook;
            hook_entry[hook] = offset_u32(first)?;
            underflow[hook] = offset_u32(policy)?;
        }
        offset_u32(self.out.len())?;
        Ok(Encoded {
            entries: self.out,
            valid_hooks,
            hook_entry,
            underflow,
            num_entries: self.entries,
            map: self.map,
        })
    }
}

/// Encodes a table in libiptc's layout.
pub(crate) fn encode(table: &Table) -> Result<Encoded> {
    let rules: usize = table.chains.iter().map(|c| c.rules.len()).sum();
    let mut w = Writer::new(table, (rules + 2 * table.chains.len() + 1) * 192);
    for (_, c) in blob_order(table)? {
        w.begin(c, c.rules.len())?;
        for r in &c.rules {
            w.rule(r)?;
        }
    }
    w.finish()
}

pub(crate) fn offset_i32(off: usize) -> Result<i32> {
    i32::try_from(off).map_err(|_| Error::rule("table", "larger than the kernel's 2 GiB limit"))
}

pub(crate) fn offset_u32(off: usize) -> Result<u32> {
    u32::try_from(off).map_err(|_| Error::rule("table", "larger than the kernel's 4 GiB limit"))
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

/// Entry offsets of a blob, walking only the entries' headers: where each
/// entry starts, then where the last one ends. `None` when the headers do
/// not tile the blob.
pub(crate) fn entry_offsets(family: Family, blob: &[u8]) -> Option<Vec<usize>> {
    let esz = ip::entry_size(family);
    let mut out = Vec::with_capacity(blob.len() / (esz + STANDARD_SIZE) + 1);
    let mut off = 0;
    while off < blob.len() {
        out.push(off);
        let (_, next) = ip::offsets(family, &blob[off..])?;
        if next < esz + EXT_HEADER || off + next > blob.len() {
            return None;
        }
        off += next;
    }
    out.push(off);
    Some(out)
}

/// A hash of what makes an entry the rule it is: its IP part, its matches
/// and its target, a jump or fallthrough by what it goes to rather than
/// the offset. Rules that are [`Rule::same_spec`] and name no set have
/// equal bytes there, whether encoded now or handed out by the kernel
/// (a read keeps only rules that write back byte for byte), so they have
/// equal keys. `target` is the entry's rule's.
pub(crate) fn entry_key(family: Family, entry: &[u8], target: &Target) -> u64 {
    let mut h = Fx::default();
    let Some((t_off, n_off)) = ip::offsets(family, entry) else {
        return 0;
    };
    let esz = ip::entry_size(family);
    h.bytes(entry.get(..ip::ip_size(family)).unwrap_or_default());
    h.bytes(entry.get(esz..t_off).unwrap_or_default());
    match Fixup::of(target) {
        Fixup::Jump(chain) => {
            h.word(1);
            h.bytes(chain.as_bytes());
        }
        Fixup::Next => h.word(2),
        Fixup::None => h.bytes(entry.get(t_off..n_off).unwrap_or_default()),
    }
    std::hash::Hasher::finish(&h)
}

/// A fast hash for keys that are checked anyway (FxHash's step).
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Fx {
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn bytes(&mut self, b: &[u8]) {
        let mut words = b.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.word(u64::from_ne_bytes(a));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_ne_bytes(a));
        }
        self.word(b.len() as u64);
    }
}

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }
}

/// The rule as a read of its entry (`entry`, as we encoded it) gives it
/// back: each typed match and target decoded from the entry's bytes (a
/// value may have several forms with the same bytes, e.g. a full range
/// and no range). `None` when that is the rule itself. Extensions that
/// name sets are left alone: a read names the set through the kernel,
/// which the rule has done already.
pub(crate) fn as_read_entry(family: Family, rule: &Rule, entry: &[u8]) -> Option<Rule> {
    let (t_off, n_off) = ip::offsets(family, entry)?;
    let entry = entry.get(..n_off)?;
    let ctx = rule.ctx();
    let mut out: Option<Rule> = None;
    let mut at = ip::entry_size(family);
    for (i, m) in rule.matches.iter().enumerate() {
        let (name, revision, data) = extension(entry.get(at..t_off)?).ok()?;
        at += EXT_HEADER + data.len();
        if matches!(m, Match::Set(_) | Match::Unknown(_)) {
            continue;
        }
        let back = Match::decode(&ctx, &name, revision, data);
        if back != *m {
            if let Some(slot) = out.get_or_insert_with(|| rule.clone()).matches.get_mut(i) {
                *slot = back;
            }
        }
    }
    if let Target::Ext(t) = &rule.target {
        if !matches!(t, TargetExt::Set(_) | TargetExt::Unknown(_)) {
            let (name, revision, data) = extension(entry.get(t_off..)?).ok()?;
            let back = TargetExt::decode(&ctx, &name, revision, data);
            if back != *t {
                out.get_or_insert_with(|| rule.clone()).target = Target::Ext(back);
            }
        }
    }
    out
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

    /// `rule` as a read of its encoded entry gives it back.
    fn as_read_rule(rule: &Rule) -> Option<Rule> {
        let mut entry = Vec::new();
        put_entry(&mut entry, rule.family, rule).unwrap();
        as_read_entry(rule.family, rule, &entry)
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
        // Garbage: no answer, never a panic.
        let mut entry = Vec::new();
        put_entry(&mut entry, Family::Ipv4, &full).unwrap();
        for n in 0..entry.len() {
            let _ = as_read_entry(Family::Ipv4, &full, &entry[..n]);
        }
    }

    #[test]
    fn keys_are_equal_for_equal_rules_read_or_encoded() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let t = sample(family);
            let e = encode(&t).unwrap();
            let offsets = entry_offsets(family, &e.entries).unwrap();
            assert_eq!(offsets.len(), e.num_entries + 1);
            assert_eq!(*offsets.last().unwrap(), e.entries.len());
            let mut keys = Vec::new();
            for c in &t.chains {
                for (r, &i) in c.rules.iter().zip(&e.map[&c.name].rules) {
                    let mut alone = Vec::new();
                    put_entry(&mut alone, family, r).unwrap();
                    let in_blob = &e.entries[offsets[i]..offsets[i + 1]];
                    let key = entry_key(family, in_blob, &r.target);
                    // A jump's offset is not part of the key.
                    assert_eq!(entry_key(family, &alone, &r.target), key);
                    keys.push(key);
                }
            }
            let mut distinct = keys.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), keys.len());
            assert!(entry_offsets(family, &e.entries[..e.entries.len() - 8]).is_none());
        }
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
