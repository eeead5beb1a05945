//! The legacy xtables backend: whole tables read with GET_ENTRIES and
//! swapped with SET_REPLACE, counters carried over with SET_ADD_COUNTERS,
//! exactly as libiptc does it.

// The GET_ENTRIES buffer is a mapping of its own (mmap, madvise): system
// calls and raw memory, each block with a SAFETY note.
#[allow(unsafe_code)]
mod aligned;
// Reached through Driver::commit_blind, which the handle calls next.
#[cfg_attr(not(test), allow(dead_code))]
mod blind;
mod blob;
mod counters;
pub(crate) mod diagnose;
mod ip;
pub(crate) mod ipset;
mod prepare;
// The crate denies `unsafe`; the socket layer is where the legacy backend's
// system calls are, each block with a SAFETY note.
#[allow(unsafe_code)]
pub(crate) mod socket;

#[cfg(test)]
use socket::revision_supported;

use std::borrow::Cow;
use std::sync::Arc;

use crate::error::Errno;
use iptkit_sys::xtables::{ipt_getinfo, NF_INET_NUMHOOKS};

use crate::addr::Family;
use crate::backend::placement;
use crate::backend::revisions::{self, RevisionCache};
use crate::backend::{Blind, BlindOutcome, Chains, Committed, Driver, Loaded, State};
use crate::error::{Error, Refusal, Result};
use crate::extension::Dialect;
use crate::rule::{Counters, Rule};
use crate::ruleset::Table;
use crate::syntax::restore::{write_saved, SaveText};
use crate::targets::Target;
use blob::EntryMap;
use socket::{AddCounters, Entries, RawTable, ReplaceHeader, Socket};

/// About how much saved text is printed before it is written out: enough
/// that writes are few, little enough that its pages are few (on a
/// virtual machine each new page is a fault of microseconds).
const SAVE_PIECE: usize = 64 << 10;

/// The legacy tables that exist in the calling thread's network namespace,
/// in the order the kernel lists them (`/proc/net/ip_tables_names`), which is
/// the order iptables-save prints them in. Reading this list creates nothing,
/// unlike opening a table.
pub fn existing_tables(family: Family) -> Result<Vec<String>> {
    // thread-self, not self: after unshare only this thread is in the new namespace.
    let path = match family {
        Family::Ipv4 => "/proc/thread-self/net/ip_tables_names",
        Family::Ipv6 => "/proc/thread-self/net/ip6_tables_names",
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()),
        // No file: the module is not loaded, so no table exists yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(Error::Io {
            op: format!("reading {path}"),
            source,
        }),
    }
}

/// What a commit needs to know about the table it is based on (as read,
/// or as a commit left it): the layout SET_REPLACE is checked against,
/// where each chain's entries sit, and the entries themselves, to tell
/// whether the kernel still holds exactly them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    valid_hooks: u32,
    num_entries: u32,
    hook_entry: [u32; NF_INET_NUMHOOKS],
    underflow: [u32; NF_INET_NUMHOOKS],
    map: EntryMap,
    blob: Arc<Blob>,
}

/// A table's entries: as GET_ENTRIES returned them, or as we sent them.
#[derive(Default)]
enum Blob {
    Read(RawTable),
    Written(Entries),
    #[default]
    Empty,
}

impl Blob {
    fn bytes(&self) -> &[u8] {
        match self {
            Blob::Read(raw) => raw.entries(),
            Blob::Empty => &[],
            Blob::Written(b) => b,
        }
    }
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blob({} bytes)", self.bytes().len())
    }
}

impl Snapshot {
    /// The GET_INFO answer that describes the table this snapshot holds.
    fn info(&self) -> Option<ipt_getinfo> {
        let mut info = <ipt_getinfo as iptkit_sys::Pod>::zeroed();
        info.valid_hooks = self.valid_hooks;
        info.hook_entry = self.hook_entry;
        info.underflow = self.underflow;
        info.num_entries = self.num_entries;
        info.size = u32::try_from(self.blob.bytes().len()).ok()?;
        Some(info)
    }

    /// True when GET_INFO describes the table this snapshot holds.
    fn same_layout(&self, info: &ipt_getinfo) -> bool {
        let hooks = (0..NF_INET_NUMHOOKS).filter(|h| self.valid_hooks & (1 << h) != 0);
        info.valid_hooks == self.valid_hooks
            && info.num_entries == self.num_entries
            && info.size as usize == self.blob.bytes().len()
            && hooks
                .clone()
                .all(|h| info.hook_entry[h] == self.hook_entry[h])
            && hooks
                .into_iter()
                .all(|h| info.underflow[h] == self.underflow[h])
    }

    /// Gives the rules and policies of `table` the counters of their
    /// entries (`counters` by entry index).
    pub(crate) fn set_counters(&self, counters: &[Counters], table: &mut Table) {
        let at = |i: usize| counters.get(i).copied().unwrap_or_default();
        for chain in &mut table.chains {
            let Some(entries) = self.map.get(&chain.name) else {
                continue;
            };
            if let Some(i) = entries.policy {
                chain.counters = at(i);
            }
            for (rule, &i) in chain.rules.iter_mut().zip(&entries.rules) {
                rule.counters = at(i);
            }
        }
    }
}

/// The legacy driver: one raw socket per family, opened on first use, and
/// the kernel's answers about extension revisions.
#[derive(Debug, Default)]
pub(crate) struct Legacy {
    v4: Option<Socket>,
    v6: Option<Socket>,
    revisions: RevisionCache,
    /// Tests: answers revision questions instead of the kernel.
    #[cfg(test)]
    pub(crate) fake_revisions: Option<fn(&str, u8, bool) -> bool>,
    /// Tests: runs between a blind commit's read and its SET_REPLACE.
    #[cfg(test)]
    pub(crate) before_replace: Option<fn()>,
}

impl Legacy {
    /// Does the kernel have this revision of this match (`target == false`)
    /// or target? Asked once per family and extension revision.
    fn kernel_has(
        &mut self,
        family: Family,
        name: &str,
        revision: u8,
        target: bool,
    ) -> Result<bool> {
        self.kernel(family, "")?.has(name, revision, target)
    }

    fn socket(&mut self, family: Family) -> Result<&Socket> {
        let slot = match family {
            Family::Ipv4 => &mut self.v4,
            Family::Ipv6 => &mut self.v6,
        };
        if slot.is_none() {
            *slot = Some(Socket::open(family)?);
        }
        slot.as_ref()
            .ok_or_else(|| Error::Malformed("socket vanished".into()))
    }

    /// The socket for ipset lookups: ipset answers on IPv4 sockets only,
    /// for rules of both families.
    fn ipset_socket(&mut self) -> Result<&Socket> {
        self.socket(Family::Ipv4)
    }

    /// What the kernel of `family` says about new rules: the family's
    /// socket, opened here, and the ipset socket, opened when it can be
    /// (a lookup that needs it and finds none reports why).
    fn kernel<'a>(&'a mut self, family: Family, table: &'a str) -> Result<Lookups<'a>> {
        self.socket(family)?;
        let ipset_error = self.ipset_socket().err();
        let Legacy {
            v4,
            v6,
            revisions,
            #[cfg(test)]
            fake_revisions,
            #[cfg(test)]
                before_replace: _,
        } = self;
        let sock = match family {
            Family::Ipv4 => v4.as_ref(),
            Family::Ipv6 => v6.as_ref(),
        }
        .ok_or_else(|| Error::Malformed("socket vanished".into()))?;
        Ok(Lookups {
            family,
            table,
            sock,
            cache: revisions,
            #[cfg(test)]
            fake: *fake_revisions,
            ipset: v4.as_ref().map(ipset::Ipset::new),
            ipset_error,
        })
    }
}

/// The kernel's answers about new rules during one commit: revisions (see
/// [`revisions::fit`]) and set indexes.
pub(crate) struct Lookups<'a> {
    family: Family,
    /// The table the rules go to, for errors.
    table: &'a str,
    sock: &'a Socket,
    cache: &'a mut RevisionCache,
    #[cfg(test)]
    fake: Option<fn(&str, u8, bool) -> bool>,
    ipset: Option<ipset::Ipset<'a>>,
    ipset_error: Option<Error>,
}

impl Lookups<'_> {
    /// Does the kernel have this revision of this match (`target == false`)
    /// or target? Asked once per family and extension revision.
    fn has(&mut self, name: &str, revision: u8, target: bool) -> Result<bool> {
        let family = self.family;
        if let Some(known) = self.cache.get(family, name, revision, target) {
            return Ok(known);
        }
        #[cfg(test)]
        if let Some(fake) = self.fake {
            return Ok(fake(name, revision, target));
        }
        let have = self.sock.revision_supported(name, revision, target)?;
        self.cache.put(family, name, revision, target, have);
        Ok(have)
    }
}

impl prepare::Kernel for Lookups<'_> {
    fn fit(&mut self, chain: &str, rule: &Rule) -> Result<Option<Rule>> {
        let (family, table) = (self.family, self.table);
        placement::check(family, table, chain, rule)?;
        revisions::fit_in(family, table, chain, rule, &mut |name, revision, target| {
            self.has(name, revision, target)
        })
    }

    fn resolve(&mut self, rule: &Rule) -> Result<Option<Rule>> {
        if !ipset::names_sets(rule) {
            return Ok(None);
        }
        match &mut self.ipset {
            Some(ipset) => ipset::resolve_rule(ipset, rule),
            None if !ipset::unresolved(rule) => Ok(None),
            None => Err(self
                .ipset_error
                .take()
                .unwrap_or_else(|| Error::Malformed("no IPv4 socket for ipset lookups".into()))),
        }
    }
}

/// A table to commit: lent (the caller keeps it), or given up to the
/// encoder.
enum Given<'a> {
    Lent(&'a Table),
    Up(Table),
}

impl Given<'_> {
    fn table(&self) -> &Table {
        match self {
            Given::Lent(t) => t,
            Given::Up(t) => t,
        }
    }
}

/// The legacy part of what a load gave, if it was this backend's.
fn legacy_state(loaded: &Loaded) -> Option<&Snapshot> {
    match &loaded.state {
        State::Legacy(snap) => Some(snap),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// For a table read in part: the table read and `new`, with the rules of
/// the chains not read decoded from the snapshot's blob. `None` when the
/// whole table was read (or the blob does not decode).
fn whole_tables(snap: &Snapshot, loaded: &Loaded, new: &Table) -> Option<(Table, Table)> {
    let only = loaded.only.as_ref()?;
    let t = &loaded.table;
    let (old, _) = blob::decode(t.family, &t.name, &snap.info()?, snap.blob.bytes()).ok()?;
    let mut whole = new.clone();
    for chain in whole.chains.iter_mut().filter(|c| !only.contains(&c.name)) {
        if let Some(c) = old.chain(&chain.name) {
            chain.rules = c.rules.clone();
        }
    }
    Some((old, whole))
}

impl Legacy {
    /// Reads a table and cuts it into chains.
    fn read(&mut self, family: Family, table: &str) -> Result<(RawTable, blob::Layout)> {
        if family == Family::Ipv6 {
            // Open the ipset socket now, so that set lookups later go to
            // this namespace too. Failing here is not fatal: a lookup that
            // needs it reports the error.
            let _ = self.ipset_socket();
        }
        // GET_INFO and GET_ENTRIES are two calls: a commit in between that
        // kept the size but not the entry count shows up here. Read again.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let raw = self.socket(family)?.read(table)?;
            let layout = blob::Layout::new(family, &raw.info, raw.entries())?;
            if layout.entries() == raw.info.num_entries as usize {
                return Ok((raw, layout));
            }
            if attempts == 3 {
                return Err(Error::Malformed(format!(
                    "GET_INFO says {} entries, the blob holds {}",
                    raw.info.num_entries,
                    layout.entries()
                )));
            }
        }
    }

    /// Reads a table; decodes the rules of `only`'s chains alone when given.
    fn load_only(&mut self, family: Family, table: &str, only: Option<&Chains>) -> Result<Loaded> {
        let (raw, layout) = self.read(family, table)?;
        let (mut t, map) = layout.decode(family, table, raw.entries(), only)?;
        if ipset::has_unnamed(&t) {
            ipset::name(self.ipset_socket()?, &mut t)?;
        }
        Ok(Loaded {
            table: t,
            state: State::Legacy(Snapshot {
                valid_hooks: raw.info.valid_hooks,
                num_entries: raw.info.num_entries,
                hook_entry: raw.info.hook_entry,
                underflow: raw.info.underflow,
                map,
                blob: Arc::new(Blob::Read(raw)),
            }),
            only: only.cloned(),
        })
    }
}

impl Driver for Legacy {
    fn connect(&mut self, family: Family) -> Result<()> {
        self.socket(family).map(drop)
    }

    fn load(&mut self, family: Family, table: &str) -> Result<Loaded> {
        self.load_only(family, table, None)
    }

    /// Each rule is printed as it is decoded and dropped, and the text
    /// goes out a piece at a time: the blob and one piece are all a save
    /// holds.
    fn save(
        &mut self,
        family: Family,
        table: &str,
        counters: bool,
        dialect: Dialect,
        out: &mut dyn std::io::Write,
    ) -> Result<()> {
        let (raw, layout) = self.read(family, table)?;
        let blob = raw.entries();
        let heads = layout.heads(family, blob);
        let bodies = layout.bodies();
        let rules = layout.entries().min(SAVE_PIECE / 64);
        let mut text = SaveText::new(table, &heads, rules, counters, dialect);
        let mut sets = None;
        for (k, chain) in heads.iter().enumerate() {
            for rule in layout.rules(family, blob, k, &bodies) {
                let mut rule = rule?;
                if ipset::rule_has_unnamed(&rule) {
                    if sets.is_none() {
                        sets = Some(ipset::Ipset::new(self.ipset_socket()?));
                    }
                    if let Some(sets) = &mut sets {
                        ipset::name_rule(sets, &mut rule)?;
                    }
                }
                text.rule(&rule, &chain.name);
                if text.len() >= SAVE_PIECE {
                    text.write_to(out)?;
                }
            }
        }
        write_saved(out, &text.finish())
    }

    /// The kernel hands out the whole table; only the rules of `chains`
    /// are decoded. A commit copies the other chains' entries as they are.
    fn load_chains(&mut self, family: Family, table: &str, chains: &Chains) -> Result<Loaded> {
        self.load_only(family, table, Some(chains))
    }

    fn unchanged(&mut self, loaded: &Loaded) -> Result<bool> {
        let Some(snap) = legacy_state(loaded) else {
            return Ok(false);
        };
        let (family, name) = (loaded.table.family, loaded.table.name.as_str());
        let sock = self.socket(family)?;
        let info = sock.info(name)?;
        if !snap.same_layout(&info) {
            return Ok(false);
        }
        Ok(match sock.entries(name, info)? {
            Some(raw) => blob::same_entries(family, snap.blob.bytes(), raw.entries()),
            None => false,
        })
    }

    fn check(&mut self, loaded: &Loaded, new: &Table) -> Result<()> {
        self.prepare(loaded, Given::Lent(new)).map(drop)
    }

    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed> {
        let (snap, prepared) = self.prepare(loaded, Given::Lent(new))?;
        self.send(loaded, snap, prepared, &new.name, Some(new))
    }

    /// The rules are dropped as their entries are written
    /// ([`prepare::prepare_owned`]); a refusal is explained from the blob.
    fn commit_owned(&mut self, loaded: &Loaded, new: Table) -> Result<Committed> {
        let name = new.name.clone();
        let (snap, prepared) = self.prepare(loaded, Given::Up(new))?;
        self.send(loaded, snap, prepared, &name, None)
    }

    fn commit_blind(
        &mut self,
        family: Family,
        table: &str,
        changes: &[Blind],
    ) -> Result<BlindOutcome> {
        blind::commit(self, family, table, changes)
    }
}

/// The table a commit sent, as a read would give it back: the rules sent
/// in another form than given (see [`prepare::Prepared::sent`]), and each
/// new rule as its entry decodes (a value may have several forms with the
/// same bytes). `None` when that is `new` itself.
fn as_sent(prepared: &prepare::Prepared, new: &Table) -> Option<Table> {
    let family = new.family;
    let entries = &prepared.enc.entries;
    let fixes: Vec<_> = prepared
        .fresh
        .iter()
        .filter_map(|f| {
            let rule = match f.sent {
                Some(i) => &prepared.sent.get(i)?.2,
                None => new.chains.get(f.chain)?.rules.get(f.rule)?,
            };
            let back = blob::as_read_entry(family, rule, entries.get(f.offset..)?)?;
            Some((f.chain, f.rule, back))
        })
        .collect();
    let mut out = prepared.sent_table(new);
    if fixes.is_empty() {
        return out;
    }
    let t = out.get_or_insert_with(|| new.clone());
    for (c, r, rule) in fixes {
        if let Some(slot) = t.chains.get_mut(c).and_then(|c| c.rules.get_mut(r)) {
            *slot = rule;
        }
    }
    out
}

impl Legacy {
    /// Everything of a commit of `new` onto `loaded` but the counters
    /// SET_REPLACE returns, worked out before anything is sent: the blob
    /// (unchanged rules copied from the base's, new ones encoded once,
    /// each at a revision the kernel has and with its sets' indexes), and
    /// the counter map.
    fn prepare<'l>(
        &mut self,
        loaded: &'l Loaded,
        new: Given,
    ) -> Result<(&'l Snapshot, prepare::Prepared)> {
        let Some(snap) = legacy_state(loaded) else {
            return Err(Error::Malformed(
                "a legacy commit of a table read by another backend".into(),
            ));
        };
        let (family, name) = (new.table().family, new.table().name.clone());
        if blob::valid_hooks(new.table()) != snap.valid_hooks || family != loaded.table.family {
            return Err(Error::rule(
                format!("table `{name}`"),
                "the built-in chains (or the family) differ from the kernel's table",
            ));
        }
        let base = prepare::Base {
            table: &loaded.table,
            map: &snap.map,
            blob: snap.blob.bytes(),
            only: loaded.only.as_ref(),
        };
        let kernel = &mut self.kernel(family, &name)?;
        let prepared = match new {
            Given::Lent(new) => prepare::prepare(&base, new, kernel)?,
            Given::Up(new) => prepare::prepare_owned(&base, new, kernel)?,
        };
        Ok((snap, prepared))
    }

    /// Sends a prepared commit of table `name` onto `loaded`: SET_REPLACE,
    /// then SET_ADD_COUNTERS. `lent`: the table prepared, when the caller
    /// kept it; without it, a refusal is explained from the blob, and the
    /// commit gives no table as sent.
    fn send(
        &mut self,
        loaded: &Loaded,
        snap: &Snapshot,
        mut prepared: prepare::Prepared,
        name: &str,
        lent: Option<&Table>,
    ) -> Result<Committed> {
        let family = loaded.table.family;
        let enc = &prepared.enc;
        let head = ReplaceHeader {
            valid_hooks: enc.valid_hooks,
            num_entries: enc.num_entries as u32,
            hook_entry: enc.hook_entry,
            underflow: enc.underflow,
            num_counters: snap.num_entries,
        };
        let mut add = AddCounters::new(name, enc.num_entries)?;
        let sock = self.socket(family)?;
        let returned = match sock.replace(name, &head, &mut prepared.enc.entries) {
            Ok(r) => r,
            // Nothing was changed. Say which rule and extension, if we can.
            Err(Error::Kernel { op, errno, context }) if diagnose::worth_a_search(errno) => {
                let sending = match lent {
                    Some(new) => Some(
                        prepared
                            .sent_table(new)
                            .map_or(Cow::Borrowed(new), Cow::Owned),
                    ),
                    None => self.decoded(family, name, &prepared.enc).map(Cow::Owned),
                };
                let found = sending.and_then(|t| self.explain(snap, loaded, &t, errno));
                return Err(found.unwrap_or(Error::Kernel { op, errno, context }));
            }
            Err(e) => return Err(e),
        };
        // Between the two calls: one pass of arithmetic.
        prepared.plan.apply(&returned, |i, c| add.set(i, c));
        let error = sock
            .add_counters(&add)
            .err()
            .map(|errno| Error::CountersNotRestored {
                table: name.to_string(),
                errno: crate::error::Errno::of(errno),
            });
        let counters = match error {
            None => (0..add.len())
                .map(|i| {
                    let c = add.get(i);
                    Counters::new(c.pcnt, c.bcnt)
                })
                .collect(),
            Some(_) => vec![Counters::default(); add.len()],
        };
        let sent = lent.and_then(|new| as_sent(&prepared, new));
        let prepare::Prepared { enc, .. } = prepared;
        let replaced = returned
            .iter()
            .map(|c| Counters::new(c.pcnt, c.bcnt))
            .collect();
        Ok(Committed {
            state: State::Legacy(Snapshot {
                valid_hooks: enc.valid_hooks,
                num_entries: head.num_entries,
                hook_entry: enc.hook_entry,
                underflow: enc.underflow,
                map: enc.map,
                blob: Arc::new(Blob::Written(enc.entries)),
            }),
            sent,
            counters,
            replaced,
            error,
        })
    }

    /// Why the kernel refused `sending` (as sent) onto `loaded` with
    /// `errno`: which rule and extension, if a search finds out.
    fn explain(
        &mut self,
        snap: &Snapshot,
        loaded: &Loaded,
        sending: &Table,
        errno: Errno,
    ) -> Option<Error> {
        let missing = match errno {
            Errno::ENOENT => self.missing_extension(sending),
            _ => None,
        };
        // The search needs every rule, those of chains not read too.
        let whole = whole_tables(snap, loaded, sending);
        let (old, sending) = whole
            .as_ref()
            .map_or((&loaded.table, sending), |(o, s)| (o, s));
        missing.or_else(|| diagnose::refused(old, sending, errno))
    }

    /// The table an encoded blob holds, as a read gives it back (sets
    /// named, when the kernel says their names).
    fn decoded(&mut self, family: Family, name: &str, enc: &blob::Encoded) -> Option<Table> {
        let (mut t, _) = blob::decode(family, name, &getinfo_of(enc), &enc.entries).ok()?;
        if ipset::has_unnamed(&t) {
            let _ = self.ipset_socket().and_then(|s| ipset::name(s, &mut t));
        }
        Some(t)
    }

    /// The first match or target revision of the table the kernel does not
    /// have, to explain an ENOENT from SET_REPLACE.
    fn missing_extension(&mut self, table: &Table) -> Option<Error> {
        for chain in &table.chains {
            for rule in &chain.rules {
                let target = match &rule.target {
                    Target::Ext(t) => Some((t.name(), t.save_name(), t.revision(), true)),
                    _ => None,
                };
                let exts = rule
                    .matches
                    .iter()
                    .map(|m| (m.name(), m.save_name(), m.revision(), false))
                    .chain(target);
                for (name, shown, revision, is_target) in exts {
                    if !self
                        .kernel_has(table.family, name, revision, is_target)
                        .unwrap_or(true)
                    {
                        return Some(Error::Refused {
                            family: table.family,
                            table: table.name.clone(),
                            chain: chain.name.clone(),
                            rule: rule.to_string(),
                            extension: shown.to_string(),
                            is_target,
                            revision,
                            errno: Errno::ENOENT,
                            reason: Refusal::Missing,
                        });
                    }
                }
            }
        }
        None
    }
}

// Kernel tests run the real iptables tools as oracles, so they live under
// tests/ (beside the other tests that start processes), compiled as a
// module of this one to reach its internals.
#[cfg(test)]
#[path = "../../../tests/internal/legacy_kernel.rs"]
mod kernel_tests;

/// Decodes a table from the bytes GET_ENTRIES returns, laid out as GET_INFO
/// describes, and checks that encoding it gives the same entries back.
///
/// Not a stable API: it exists so that the decoder can be fuzzed and tested
/// without a kernel. Any input gives a table or an error, never a panic.
#[doc(hidden)]
pub(crate) fn decode_entries(
    family: Family,
    info: &iptkit_sys::xtables::ipt_getinfo,
    entries: &[u8],
) -> Result<Table> {
    let (table, _) = blob::decode(family, "fuzz", info, entries)?;
    let again = blob::encode(&table)?;
    let (back, _) = blob::decode(family, "fuzz", &getinfo_of(&again), &again.entries)?;
    // Counters are not part of the entries we write: the kernel zeroes them
    // and SET_ADD_COUNTERS brings them back.
    let (mut a, mut b) = (table.clone(), back);
    a.zero_all();
    b.zero_all();
    if a != b {
        return Err(Error::Malformed(
            "the table does not survive an encode and decode".into(),
        ));
    }
    Ok(table)
}

/// The GET_INFO answer that describes an encoded table.
fn getinfo_of(e: &blob::Encoded) -> iptkit_sys::xtables::ipt_getinfo {
    use iptkit_sys::Pod;
    let mut info = iptkit_sys::xtables::ipt_getinfo::zeroed();
    info.valid_hooks = e.valid_hooks;
    info.hook_entry = e.hook_entry;
    info.underflow = e.underflow;
    info.num_entries = e.num_entries as u32;
    info.size = e.entries.len() as u32;
    info
}
