//! Blind commits: appends and head inserts to a table the driver has not
//! read, costing what the whole-table interface charges and nothing more.
//!
//! Under the caller's lock, GET_INFO and GET_ENTRIES give the blob. The
//! chains are found by walking the entries' headers and the names in their
//! ERROR targets; no match is decoded. The new rules are encoded once
//! (revisions fitted, sets looked up, as a commit does) and spliced in: an
//! append before the chain's policy or RETURN, a head insert at its first
//! entry. Every jump and fallthrough verdict, hook entry and underflow
//! behind the insertion moves (a hook entry only when strictly behind, an
//! underflow also when at it), SET_REPLACE swaps, and SET_ADD_COUNTERS
//! gives every old entry its counters at its new index: exactly what
//! libiptc leaves after `iptables -A` / `iptables -I`.

use std::collections::{BTreeMap, HashMap};
use std::mem::size_of;

use iptkit_sys::xtables::*;
use iptkit_sys::Pod;

use super::blob::{self, Fixup, VERDICT_FROM_END};
use super::prepare::Kernel;
use super::socket::{AddCounters, Entries, RawTable, ReplaceHeader};
use super::{diagnose, ip, Legacy};
use crate::addr::Family;
use crate::backend::{Blind, BlindOutcome};
use crate::error::{Error, Result};
use crate::extension::c_str;
use crate::ruleset::HOOKS;

/// How often the table is read again when somebody changed it between our
/// read and SET_REPLACE (the kernel's EAGAIN).
const ATTEMPTS: usize = 3;

/// Size of a match or target header.
const EXT_HEADER: usize = size_of::<xt_entry_target>();

/// A new rule's entry, encoded, its verdict still to fill in.
struct NewEntry {
    bytes: Vec<u8>,
    /// Its jump's chain, or `None` for a fallthrough (with `jumps`).
    jump: Option<String>,
    /// True when the verdict must be filled in at all.
    fill: bool,
    counters: xt_counters,
}

/// Applies `changes` to `table` of `family` without reading more of it
/// than its blob (see the module docs).
pub(crate) fn commit(
    legacy: &mut Legacy,
    family: Family,
    table: &str,
    changes: &[Blind],
) -> Result<BlindOutcome> {
    if changes.is_empty() {
        return Ok(BlindOutcome::Landed(None));
    }
    // What a rule needs of the kernel does not depend on the table: once.
    let Ok(entries) = encode(legacy, family, table, changes) else {
        return Ok(BlindOutcome::Declined);
    };
    #[cfg(test)]
    let hook = legacy.before_replace;
    let sock = legacy.socket(family)?;
    for _ in 0..ATTEMPTS {
        let raw = sock.read(table)?;
        let Some(layout) = Layout::walk(family, &raw) else {
            return Ok(BlindOutcome::Declined);
        };
        if layout.offsets.len() != raw.info.num_entries as usize + 1 {
            // GET_INFO and GET_ENTRIES saw two versions of the same size.
            continue;
        }
        let Some(mut spliced) = splice(family, &raw, &layout, changes, &entries)? else {
            return Ok(BlindOutcome::Declined);
        };
        let mut add = AddCounters::new(table, spliced.head.num_entries as usize)?;
        #[cfg(test)]
        if let Some(hook) = hook {
            hook();
        }
        match sock.replace(table, &spliced.head, &mut spliced.blob) {
            Ok(returned) => {
                for (c, &i) in returned.iter().zip(&spliced.moved) {
                    add.set(i, *c);
                }
                for &(i, c) in &spliced.new_counters {
                    add.set(i, c);
                }
                let error = sock
                    .add_counters(&add)
                    .err()
                    .map(|errno| Error::CountersNotRestored {
                        table: table.to_string(),
                        errno: crate::error::Errno::of(errno),
                    });
                return Ok(BlindOutcome::Landed(error));
            }
            Err(Error::TableChanged { .. }) => continue,
            // Nothing changed; the slow path names what the kernel refused.
            Err(Error::Loop(_)) => return Ok(BlindOutcome::Declined),
            Err(Error::Kernel { errno, .. }) if diagnose::worth_a_search(errno) => {
                return Ok(BlindOutcome::Declined)
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::TableChanged {
        table: table.to_string(),
        attempts: ATTEMPTS,
    })
}

/// Each change's rule as an entry: fitted to the revisions the kernel
/// has, sets given their indexes, encoded.
fn encode(
    legacy: &mut Legacy,
    family: Family,
    table: &str,
    changes: &[Blind],
) -> Result<Vec<NewEntry>> {
    let mut kernel = legacy.kernel(family, table)?;
    changes
        .iter()
        .map(|change| {
            let rule = change.rule();
            let fitted = kernel.fit(change.chain(), rule)?;
            let resolved = kernel.resolve(fitted.as_ref().unwrap_or(rule))?;
            let sending = resolved.as_ref().or(fitted.as_ref()).unwrap_or(rule);
            let mut bytes = Vec::new();
            let fixup = blob::put_entry(&mut bytes, family, sending)?;
            Ok(NewEntry {
                bytes,
                jump: match fixup {
                    Fixup::Jump(chain) => Some(chain.to_string()),
                    _ => None,
                },
                fill: fixup != Fixup::None,
                counters: xt_counters {
                    pcnt: rule.counters.packets,
                    bcnt: rule.counters.bytes,
                },
            })
        })
        .collect()
}

/// Where things are in a blob, from its entries' headers.
struct Layout {
    /// Where each entry starts, then where the last one ends.
    offsets: Vec<usize>,
    /// Each chain: offset of its first entry, offset of its policy or RETURN.
    chains: HashMap<String, (usize, usize)>,
    /// Each user chain: offset of its body (where jumps land).
    bodies: HashMap<String, usize>,
    /// Where the standard verdicts that are offsets (jumps, fallthroughs) are.
    verdicts: Vec<usize>,
}

impl Layout {
    /// Walks the entries; `None` when they are not laid out as a table.
    fn walk(family: Family, raw: &RawTable) -> Option<Layout> {
        let blob = raw.entries();
        let esz = ip::entry_size(family);
        let offsets = blob::entry_offsets(family, blob)?;
        let mut verdicts = Vec::new();
        let mut heads = Vec::new();
        for (i, w) in offsets.windows(2).enumerate() {
            let entry = &blob[w[0]..w[1]];
            let (t_off, _) = ip::offsets(family, entry)?;
            if t_off < esz {
                return None;
            }
            let target = entry.get(t_off..)?;
            let h = xt_entry_target::read_from(target)?;
            let size = usize::from(h.target_size);
            if t_off + size != entry.len() {
                return None;
            }
            let name = &h.name[..h.name.iter().position(|&b| b == 0).unwrap_or(h.name.len())];
            match (name, size) {
                (b"", s) if s == size_of::<xt_standard_target>() => {
                    let at = w[1] - VERDICT_FROM_END;
                    let v = i32::from_ne_bytes(blob.get(at..at + 4)?.try_into().ok()?);
                    if v >= 0 {
                        verdicts.push(at);
                    }
                }
                (b"ERROR", s) if s == size_of::<xt_error_target>() => {
                    let name = target.get(EXT_HEADER..EXT_HEADER + XT_FUNCTION_MAXNAMELEN)?;
                    heads.push((i, c_str(name)));
                }
                _ => {}
            }
        }
        // The last entry ends the table; every other ERROR entry heads a
        // user chain, whose RETURN is the entry before the next head.
        let n = offsets.len() - 1;
        if heads.last().map(|h| h.0) != Some(n - 1) {
            return None;
        }
        let mut chains = HashMap::new();
        let mut bodies = HashMap::new();
        for pair in heads.windows(2) {
            let ((head, name), (next, _)) = (&pair[0], &pair[1]);
            if *next < head + 2 {
                return None;
            }
            chains.insert(name.clone(), (offsets[head + 1], offsets[next - 1]));
            bodies.insert(name.clone(), offsets[head + 1]);
        }
        let info = &raw.info;
        for (h, name) in HOOKS.iter().enumerate() {
            if info.valid_hooks & (1 << h) == 0 {
                continue;
            }
            let (first, policy) = (info.hook_entry[h] as usize, info.underflow[h] as usize);
            if policy < first || offsets.binary_search(&first).is_err() {
                return None;
            }
            offsets.binary_search(&policy).ok()?;
            chains.insert(name.to_string(), (first, policy));
        }
        Some(Layout {
            offsets,
            chains,
            bodies,
            verdicts,
        })
    }
}

/// The new blob and what goes with it.
struct Spliced {
    blob: Entries,
    head: ReplaceHeader,
    /// The new index of each old entry.
    moved: Vec<usize>,
    /// The new entries' indexes and counters.
    new_counters: Vec<(usize, xt_counters)>,
}

/// The blob with the new entries spliced in; `None` when a chain changed
/// or jumped to is not there.
fn splice(
    family: Family,
    raw: &RawTable,
    layout: &Layout,
    changes: &[Blind],
    entries: &[NewEntry],
) -> Result<Option<Spliced>> {
    // Each chain's head inserts (latest first) and appends (in order).
    let mut per_chain: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        let lists = per_chain.entry(change.chain()).or_default();
        match change {
            Blind::InsertHead { .. } => lists.0.insert(0, i),
            Blind::Append { .. } => lists.1.push(i),
        }
    }
    // The new entries at each old offset: a chain's head inserts go before
    // its appends when both land at the same place (an empty chain).
    let mut at: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (chain, (heads, appends)) in &per_chain {
        let Some(&(first, end)) = layout.chains.get(*chain) else {
            return Ok(None);
        };
        if !heads.is_empty() {
            at.entry(first).or_default().extend(heads);
        }
        if !appends.is_empty() {
            at.entry(end).or_default().extend(appends);
        }
    }
    // Bytes inserted at each point, to move offsets by.
    let sizes: Vec<(usize, usize)> = at
        .iter()
        .map(|(&p, list)| (p, list.iter().map(|&i| entries[i].bytes.len()).sum()))
        .collect();
    let before = |v: usize, or_at: bool| -> usize {
        sizes
            .iter()
            .take_while(|(p, _)| *p < v || (or_at && *p == v))
            .map(|(_, n)| n)
            .sum()
    };
    let old = raw.entries();
    let added: usize = sizes.iter().map(|(_, n)| n).sum();
    let mut blob = Entries::with_capacity(old.len() + added);
    // Offsets in the new blob are from after the header's room.
    let out = blob.buf_mut();
    let base = Entries::HEADER;
    let mut new_counters = Vec::new();
    let mut moved = Vec::with_capacity(layout.offsets.len());
    let mut index = 0;
    let mut points = at.iter().peekable();
    let mut verdicts = layout.verdicts.iter().peekable();
    for w in layout.offsets.windows(2) {
        let (start, end) = (w[0], w[1]);
        if let Some((_, list)) = points.next_if(|(&p, _)| p == start) {
            for &i in list {
                let e = &entries[i];
                out.extend_from_slice(&e.bytes);
                let to = out.len();
                if e.fill {
                    let verdict = match &e.jump {
                        Some(chain) => match layout.bodies.get(chain) {
                            Some(&body) => body + before(body, false),
                            None => return Ok(None),
                        },
                        None => to - base,
                    };
                    blob::put_verdict(out, to, blob::offset_i32(verdict)?);
                }
                new_counters.push((index, e.counters));
                index += 1;
            }
        }
        let from = out.len();
        out.extend_from_slice(&old[start..end]);
        ip::clear_kernel_part(family, &mut out[from..]);
        if let Some(&at) = verdicts.next_if(|&&at| at < end) {
            let v = i32::from_ne_bytes([old[at], old[at + 1], old[at + 2], old[at + 3]]);
            let v = v as usize;
            let to = out.len();
            blob::put_verdict(out, to, blob::offset_i32(v + before(v, false))?);
        }
        moved.push(index);
        index += 1;
    }
    let info = &raw.info;
    let mut hook_entry = info.hook_entry;
    let mut underflow = info.underflow;
    for h in (0..NF_INET_NUMHOOKS).filter(|h| info.valid_hooks & (1 << h) != 0) {
        let (e, u) = (hook_entry[h] as usize, underflow[h] as usize);
        hook_entry[h] = blob::offset_u32(e + before(e, false))?;
        underflow[h] = blob::offset_u32(u + before(u, true))?;
    }
    Ok(Some(Spliced {
        head: ReplaceHeader {
            valid_hooks: info.valid_hooks,
            num_entries: u32::try_from(index)
                .map_err(|_| Error::rule("table", "more entries than the kernel counts"))?,
            hook_entry,
            underflow,
            num_counters: info.num_entries,
        },
        blob,
        moved,
        new_counters,
    }))
}
