//! [`Handle`]: one table of the kernel, read, changed and committed the way
//! libiptc and python-iptables do it, but safe against concurrent writers.
//!
//! A handle keeps a working copy of the table: the table as it read it (or
//! as its last commit left it) plus the changes made since. Every change
//! applies to that copy at once (reads see it) and is also recorded.
//! [`Handle::commit`] then takes the xtables lock and checks whether the
//! kernel still holds exactly the table the handle is based on (counters
//! aside). When it does, which is the common case, the working copy is
//! swapped in as it is. When somebody else changed the table in the
//! meantime (`iptables -A`, another handle), the commit reads the table
//! again, replays the recorded changes onto what it read, and swaps that
//! in, so their change is kept. When the table changes during the swap
//! itself (the kernel answers EAGAIN) the whole read-replay-commit runs
//! again, a few times at most. Counters carry over as libiptc carries them
//! (see [`Handle::commit`]).
//!
//! So a handle reads the table once when it opens, and a commit reads it
//! once more only to compare; after a successful commit the handle keeps
//! the table it committed instead of reading it back.
//!
//! Changes that address a rule by position ([`Handle::delete`],
//! [`Handle::replace`], [`Handle::set_counters`]) are recorded by the rule
//! they addressed: replayed, they find that rule again (the occurrence
//! nearest the position), so a rule inserted by someone else in the
//! meantime does not make them hit its neighbour. [`Handle::insert`] is
//! replayed by position.
//!
//! A replayed change that no longer applies (its chain was deleted) fails
//! the commit with that change's error, and the kernel is left untouched.

use std::fmt;
use std::path::PathBuf;

use crate::addr::Family;
use crate::backend::{driver, Backend, Committed, Driver, Loaded};
use crate::error::{Error, Result};
use crate::lock::{lock_path, Lock, LockWait};
use crate::rule::{Counters, Rule};
use crate::ruleset::{Chain, Policy, Table};

/// How often a commit is tried when the table keeps changing under it.
const COMMIT_ATTEMPTS: usize = 5;

/// A recorded change, replayed onto a fresh read at commit.
type Op = Box<dyn FnMut(&mut Table) -> Result<()> + Send>;

/// How a [`Handle`] works.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The kernel interface.
    pub backend: Backend,
    /// How long to wait for the xtables lock (default: 10 seconds).
    pub lock_wait: LockWait,
    /// The lock file; `None` for the one iptables uses
    /// (`$XTABLES_LOCKFILE` or `/run/xtables.lock`).
    pub lock_path: Option<PathBuf>,
    /// Commit after every change, like running `iptables` once per change.
    pub autocommit: bool,
}

/// One table (`filter`, `nat`, ...) of one family, in the network namespace
/// of the thread that opened it.
///
/// ```no_run
/// use iptkit::{Family, Handle, Rule};
/// let mut h = Handle::open(Family::Ipv4, "filter")?;
/// h.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?;
/// h.commit()?;
/// # Ok::<(), iptkit::Error>(())
/// ```
pub struct Handle {
    options: Options,
    backend: Backend,
    family: Family,
    driver: Box<dyn Driver>,
    /// The table as last read or committed, with what the driver needs to
    /// commit against it.
    base: Loaded,
    /// `base` plus the changes made since; `None` while there are none.
    changed: Option<Table>,
    /// The changes made since, to replay onto a fresh read.
    ops: Vec<Op>,
    /// A change made outside [`Table`]'s own checked edits is pending
    /// ([`Handle::edit`]): the whole table is checked before it is sent.
    unchecked: bool,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("options", &self.options)
            .field("table", self.working())
            .field("pending", &self.ops.len())
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// Opens a table with the legacy backend and the default lock wait
    /// (see [`Handle::open_with`] and [`Options::backend`] for nf_tables).
    pub fn open(family: Family, table: &str) -> Result<Handle> {
        Handle::open_with(family, table, Options::default())
    }

    /// Opens a table with the given options, reading it under the xtables
    /// lock (as `iptables -L` does). The handle's socket belongs to the
    /// calling thread's network namespace for the handle's whole life.
    pub fn open_with(family: Family, table: &str, options: Options) -> Result<Handle> {
        let backend = options.backend.resolve().0;
        let driver = driver(backend);
        let mut h = Handle::with_driver(family, table, options, driver)?;
        h.backend = backend;
        Ok(h)
    }

    /// The backend this handle drives ([`Backend::Auto`] resolved).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn with_driver(
        family: Family,
        table: &str,
        options: Options,
        mut driver: Box<dyn Driver>,
    ) -> Result<Handle> {
        let base = {
            let _lock = lock(&options)?;
            driver.load(family, table)?
        };
        Ok(Handle {
            backend: options.backend,
            options,
            family,
            driver,
            base,
            changed: None,
            ops: Vec::new(),
            unchecked: false,
        })
    }

    /// The working copy: the table as read or committed, plus the changes
    /// made since.
    fn working(&self) -> &Table {
        self.changed.as_ref().unwrap_or(&self.base.table)
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.base.table.name
    }

    /// The table as it will be committed: as read (or as the last commit
    /// left it), plus the changes made since.
    pub fn table(&self) -> &Table {
        self.working()
    }

    /// The chains: built-ins in hook order, then user chains by name.
    pub fn chains(&self) -> &[Chain] {
        &self.working().chains
    }

    /// One chain.
    pub fn chain(&self, chain: &str) -> Result<&Chain> {
        self.working().get(chain)
    }

    /// A chain's rules.
    pub fn rules(&self, chain: &str) -> Result<&[Rule]> {
        Ok(&self.working().get(chain)?.rules)
    }

    /// A chain's policy; `None` for a user chain.
    pub fn policy(&self, chain: &str) -> Result<Option<Policy>> {
        Ok(self.working().get(chain)?.policy)
    }

    /// The counters of the rule at `pos` (0-based), as of the last read or
    /// commit (see [`Handle::commit`]; [`Handle::refresh`] reads them anew).
    pub fn counters(&self, chain: &str, pos: usize) -> Result<Counters> {
        self.rules(chain)?
            .get(pos)
            .map(|r| r.counters)
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.into(),
                what: format!("no rule at position {pos} (0-based)"),
            })
    }

    /// The counters of a built-in chain's policy, as of the last read or
    /// commit.
    pub fn policy_counters(&self, chain: &str) -> Result<Counters> {
        Ok(self.working().get(chain)?.counters)
    }

    /// True when there are changes not yet committed.
    pub fn is_dirty(&self) -> bool {
        !self.ops.is_empty()
    }

    /// Appends a rule (`iptables -A`).
    pub fn append(&mut self, chain: &str, rule: Rule) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.append(&chain, rule.clone()))
    }

    /// Inserts a rule before the rule at 0-based `pos` (0 is the head,
    /// the chain's length appends). Replayed by position at commit.
    pub fn insert(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.insert(&chain, pos, rule.clone()))
    }

    /// `iptables -I CHAIN N`: inserts at 1-based rule number `rulenum`.
    pub fn insert_at(&mut self, chain: &str, rulenum: usize, rule: Rule) -> Result<()> {
        let pos = rulenum.checked_sub(1).ok_or_else(|| Error::NoSuchRule {
            chain: chain.into(),
            what: "rule numbers start at 1".into(),
        })?;
        self.insert(chain, pos, rule)
    }

    /// Replaces the rule at 0-based `pos` (`iptables -R`).
    pub fn replace(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let old = self.addressed(chain, pos)?;
        let chain = chain.to_string();
        self.apply(move |t| {
            let at = find_near(t, &chain, &old, pos)?;
            t.replace(&chain, at, rule.clone())
        })
    }

    /// Deletes the rule at 0-based `pos` (`iptables -D CHAIN N`).
    pub fn delete(&mut self, chain: &str, pos: usize) -> Result<()> {
        let old = self.addressed(chain, pos)?;
        let chain = chain.to_string();
        self.apply(move |t| {
            let at = find_near(t, &chain, &old, pos)?;
            t.delete(&chain, at).map(drop)
        })
    }

    /// Deletes the first rule that does what `rule` does, counters aside
    /// (`iptables -D CHAIN RULE`); [`Error::NoSuchRule`] when there is none.
    pub fn delete_rule(&mut self, chain: &str, rule: &Rule) -> Result<()> {
        let (chain, rule) = (chain.to_string(), rule.clone());
        self.apply(move |t| t.delete_rule(&chain, &rule))
    }

    /// True when the chain has a rule that does what `rule` does
    /// (`iptables -C`).
    pub fn check(&self, chain: &str, rule: &Rule) -> Result<bool> {
        Ok(self.working().position(chain, rule)?.is_some())
    }

    /// Removes every rule of a chain (`iptables -F CHAIN`).
    pub fn flush(&mut self, chain: &str) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.flush(&chain))
    }

    /// Removes every rule of every chain (`iptables -F`).
    pub fn flush_all(&mut self) -> Result<()> {
        self.apply(|t| {
            t.flush_all();
            Ok(())
        })
    }

    /// Creates a user chain (`iptables -N`).
    pub fn new_chain(&mut self, chain: &str) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.new_chain(&chain))
    }

    /// Renames a user chain and every jump to it (`iptables -E`).
    pub fn rename_chain(&mut self, old: &str, new: &str) -> Result<()> {
        let (old, new) = (old.to_string(), new.to_string());
        self.apply(move |t| t.rename_chain(&old, &new))
    }

    /// Deletes an empty user chain nothing jumps to (`iptables -X CHAIN`).
    pub fn delete_chain(&mut self, chain: &str) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.delete_chain(&chain))
    }

    /// Deletes every user chain (`iptables -X`): all or nothing; refused
    /// when one is not empty or still jumped to.
    pub fn delete_user_chains(&mut self) -> Result<()> {
        self.apply(|t| t.delete_user_chains().map(drop))
    }

    /// Sets a built-in chain's policy (`iptables -P`).
    pub fn set_policy(&mut self, chain: &str, policy: Policy) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.set_policy(&chain, policy))
    }

    /// Zeroes a chain's counters (`iptables -Z CHAIN`). Packets counted
    /// between the read (or the last commit) and this commit stay counted.
    pub fn zero(&mut self, chain: &str) -> Result<()> {
        let chain = chain.to_string();
        self.apply(move |t| t.zero(&chain))
    }

    /// Zeroes every counter of the table (`iptables -Z`).
    pub fn zero_all(&mut self) -> Result<()> {
        self.apply(|t| {
            t.zero_all();
            Ok(())
        })
    }

    /// Sets the counters of the rule at 0-based `pos`.
    pub fn set_counters(&mut self, chain: &str, pos: usize, counters: Counters) -> Result<()> {
        let old = self.addressed(chain, pos)?;
        let chain = chain.to_string();
        self.apply(move |t| {
            let at = find_near(t, &chain, &old, pos)?;
            t.set_counters(&chain, at, counters)
        })
    }

    /// Replaces the whole table (`iptables-restore` without `--noflush`):
    /// what others changed since our read is overwritten. Rules keep the
    /// counters they carry; rules still present keep theirs when carried
    /// unchanged.
    pub fn replace_table(&mut self, table: Table) -> Result<()> {
        if table.family != self.family || table.name != self.name() {
            return Err(Error::rule(
                format!("table `{}`", table.name),
                format!(
                    "this handle holds {} table `{}`",
                    self.family.command(),
                    self.name()
                ),
            ));
        }
        table.validate()?;
        self.apply(move |t| {
            *t = table.clone();
            Ok(())
        })
    }

    /// Runs an arbitrary change as one step. `f` runs now on the working
    /// table, and again at commit on a fresh read when somebody else changed
    /// the table in the meantime, so it must decide from the table it is
    /// given, not from values captured earlier. The whole table is checked
    /// ([`Table::validate`]) before it is committed.
    pub fn edit(
        &mut self,
        mut f: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        // A closure may fail half way: run it on a copy.
        let mut copy = self.working().clone();
        f(&mut copy)?;
        self.changed = Some(copy);
        self.unchecked = true;
        self.record(Box::new(f))
    }

    /// Commits the changes made since the last commit or refresh. Does
    /// nothing when there are none.
    ///
    /// Under the xtables lock, the commit first compares the kernel's table
    /// with the one this handle is based on. Unchanged (the common case),
    /// the working copy is committed as it is; changed by somebody else,
    /// the table is read again and the changes are replayed onto it, so
    /// both sides' changes land.
    ///
    /// Counters carry over as libiptc carries them: a rule or policy that
    /// is kept keeps counting (packets counted until the swap included), a
    /// zeroed one starts from what arrived since the read, one set to a
    /// value gets exactly that value.
    ///
    /// A table the kernel refuses fails with [`Error::Refused`], which names
    /// the rule and the match or target refused, found without touching the
    /// real table (see there).
    ///
    /// On success the handle keeps the table it committed as its new base,
    /// without reading it back: reads show it with the counters the commit
    /// gave the kernel, that is, counters as of the commit (packets counted
    /// since are not shown; [`Handle::refresh`] reads them). On failure
    /// nothing is changed in the kernel and the changes stay pending (see
    /// [`Handle::refresh`]); the one exception is
    /// [`Error::CountersNotRestored`], where the table is committed and
    /// only its counters restart from zero.
    pub fn commit(&mut self) -> Result<()> {
        if self.ops.is_empty() {
            return Ok(());
        }
        let _lock = lock(&self.options)?;
        let mut attempt = 1;
        let mut fresh = if self.driver.unchanged(&self.base)? {
            None
        } else {
            Some(self.load()?)
        };
        loop {
            let result = match fresh.take() {
                // Nobody changed the table: our working copy is the result.
                None => {
                    let next = self
                        .changed
                        .take()
                        .unwrap_or_else(|| self.base.table.clone());
                    let result = self.send(None, &next);
                    match result {
                        Ok(committed) => Ok((committed, next)),
                        Err(e) => {
                            self.changed = Some(next);
                            Err(e)
                        }
                    }
                }
                // Somebody did: replay our changes onto their table.
                Some(loaded) => {
                    let mut next = loaded.table.clone();
                    for op in &mut self.ops {
                        op(&mut next)?;
                    }
                    self.send(Some(&loaded), &next).map(|c| (c, next))
                }
            };
            match result {
                Ok((committed, next)) => {
                    // In the kernel (maybe without counters): the base now.
                    let (base, error) = committed.into_loaded(next);
                    self.base = base;
                    self.changed = None;
                    self.ops.clear();
                    self.unchecked = false;
                    return error.map_or(Ok(()), Err);
                }
                Err(Error::TableChanged { .. }) if attempt < COMMIT_ATTEMPTS => {
                    attempt += 1;
                    fresh = Some(self.load()?);
                }
                Err(Error::TableChanged { table, .. }) => {
                    return Err(Error::TableChanged {
                        table,
                        attempts: attempt,
                    })
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Checks `next` and commits it against `against` (`None`: the base).
    fn send(&mut self, against: Option<&Loaded>, next: &Table) -> Result<Committed> {
        if self.unchecked {
            next.validate()?;
        } else if let Some(chain) = next.find_loop() {
            // Table's edits check everything else as they go.
            return Err(Error::Loop(chain));
        }
        self.driver.commit(against.unwrap_or(&self.base), next)
    }

    /// Reads the table (the caller holds the lock).
    fn load(&mut self) -> Result<Loaded> {
        let name = self.base.table.name.clone();
        self.driver.load(self.family, &name)
    }

    /// Reads the table again, dropping uncommitted changes.
    pub fn refresh(&mut self) -> Result<()> {
        let _lock = lock(&self.options)?;
        self.base = self.load()?;
        self.changed = None;
        self.ops.clear();
        self.unchecked = false;
        Ok(())
    }

    /// Applies a change to the working table and records it.
    fn apply(
        &mut self,
        mut op: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        let first = self.changed.is_none();
        let working = self
            .changed
            .get_or_insert_with(|| clone_with_room(&self.base.table));
        // Table's edits change nothing when they fail, so no copy is needed.
        if let Err(e) = op(working) {
            if first {
                self.changed = None;
            }
            return Err(e);
        }
        self.record(Box::new(op))
    }

    fn record(&mut self, op: Op) -> Result<()> {
        self.ops.push(op);
        if !self.options.autocommit {
            return Ok(());
        }
        let result = self.commit();
        if result.is_err() && self.is_dirty() {
            // Autocommit: a change that did not land is dropped, as a
            // failed `iptables` run leaves nothing behind; reads show the
            // base again, or the kernel's table when it can be read.
            self.ops.clear();
            self.changed = None;
            self.unchecked = false;
            let _ = self.refresh();
        }
        result
    }

    /// The rule at `pos`, which a positional change addresses.
    fn addressed(&self, chain: &str, pos: usize) -> Result<Rule> {
        self.rules(chain)?
            .get(pos)
            .cloned()
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.into(),
                what: format!("no rule at position {pos} (0-based)"),
            })
    }
}

/// A copy of `t` whose chains have room for a few more rules: growing a
/// chain of 10,000 rules by one would copy them all.
fn clone_with_room(t: &Table) -> Table {
    const ROOM: usize = 8;
    Table {
        family: t.family,
        name: t.name.clone(),
        chains: t
            .chains
            .iter()
            .map(|c| {
                let mut rules = Vec::with_capacity(c.rules.len() + ROOM);
                rules.extend(c.rules.iter().cloned());
                Chain {
                    name: c.name.clone(),
                    policy: c.policy,
                    counters: c.counters,
                    rules,
                }
            })
            .collect(),
    }
}

/// Where `rule` is now: the occurrence of its spec nearest to `pos`.
fn find_near(t: &Table, chain: &str, rule: &Rule, pos: usize) -> Result<usize> {
    t.get(chain)?
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.same_spec(rule))
        .map(|(i, _)| i)
        .min_by_key(|&i| i.abs_diff(pos))
        .ok_or_else(|| Error::NoSuchRule {
            chain: chain.into(),
            what: format!("the rule `{rule}` is gone"),
        })
}

fn lock(options: &Options) -> Result<Lock> {
    let path = options.lock_path.clone().unwrap_or_else(lock_path);
    Lock::acquire_at(path, options.lock_wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::backend::{Loaded, State};
    use std::sync::{Arc, Mutex};

    /// A kernel in memory: answers TableChanged to the first `busy` commits,
    /// refuses every commit while `refuse` is set, and lets a test change
    /// the table behind the handle's back.
    #[derive(Debug)]
    struct Fake {
        kernel: Arc<Mutex<Kernel>>,
    }

    #[derive(Debug)]
    struct Kernel {
        table: Table,
        busy: usize,
        refuse: bool,
        loads: usize,
        commits: usize,
    }

    fn without_counters(t: &Table) -> Table {
        let mut t = t.clone();
        t.zero_all();
        t
    }

    impl Driver for Fake {
        fn load(&mut self, _: Family, _: &str) -> Result<Loaded> {
            let mut k = self.kernel.lock().unwrap();
            k.loads += 1;
            Ok(Loaded {
                table: k.table.clone(),
                state: State::Legacy(Default::default()),
            })
        }

        fn unchanged(&mut self, loaded: &Loaded) -> Result<bool> {
            let k = self.kernel.lock().unwrap();
            Ok(without_counters(&k.table) == without_counters(&loaded.table))
        }

        fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed> {
            let mut k = self.kernel.lock().unwrap();
            if k.refuse {
                return Err(Error::NoSuchSet("refused".into()));
            }
            if k.busy > 0 || without_counters(&k.table) != without_counters(&loaded.table) {
                k.busy = k.busy.saturating_sub(1);
                // Somebody else commits in the meantime.
                let r = Rule::parse(Family::Ipv4, "-j LOG").unwrap();
                k.table.chains[0].rules.push(r);
                return Err(Error::TableChanged {
                    table: new.name.clone(),
                    attempts: 1,
                });
            }
            k.commits += 1;
            k.table = without_counters(new);
            Ok(Committed {
                state: State::Legacy(Default::default()),
                sent: None,
                counters: Vec::new(),
                error: None,
            })
        }
    }

    fn fake(busy: usize) -> (Handle, Arc<Mutex<Kernel>>) {
        let kernel = Arc::new(Mutex::new(Kernel {
            table: Table::new(Family::Ipv4, "filter").unwrap(),
            busy,
            refuse: false,
            loads: 0,
            commits: 0,
        }));
        let options = Options {
            lock_path: Some(
                std::env::temp_dir().join(format!("iptkit-handle-test-{}", std::process::id())),
            ),
            ..Options::default()
        };
        let driver = Box::new(Fake {
            kernel: kernel.clone(),
        });
        (
            Handle::with_driver(Family::Ipv4, "filter", options, driver).unwrap(),
            kernel,
        )
    }

    fn rule(spec: &str) -> Rule {
        Rule::parse(Family::Ipv4, spec).unwrap()
    }

    fn kernel_rules(kernel: &Mutex<Kernel>) -> Vec<String> {
        kernel.lock().unwrap().table.chains[0]
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect()
    }

    #[test]
    fn an_unchanged_table_is_read_once() {
        let (mut h, kernel) = fake(0);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.commit().unwrap();
        h.append("INPUT", rule("-j DROP")).unwrap();
        h.commit().unwrap();
        // The read at open, and no other: each commit found the table as
        // the handle left it and sent the working copy.
        assert_eq!(kernel.lock().unwrap().loads, 1);
        assert_eq!(kernel.lock().unwrap().commits, 2);
        assert_eq!(kernel_rules(&kernel), ["-j ACCEPT", "-j DROP"]);
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
    }

    #[test]
    fn a_change_behind_our_back_is_kept() {
        let (mut h, kernel) = fake(0);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        kernel.lock().unwrap().table.chains[0]
            .rules
            .push(rule("-s 192.0.2.1"));
        h.commit().unwrap();
        assert_eq!(kernel.lock().unwrap().loads, 2);
        assert_eq!(kernel_rules(&kernel), ["-s 192.0.2.1/32", "-j ACCEPT"]);
        // The handle now holds what it committed, theirs included.
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
    }

    #[test]
    fn a_busy_table_is_retried_with_the_changes_replayed() {
        let (mut h, kernel) = fake(2);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.commit().unwrap();
        // open + a read for each of the 2 retries; none after the commit.
        assert_eq!(kernel.lock().unwrap().loads, 3);
        assert_eq!(kernel_rules(&kernel), ["-j LOG", "-j LOG", "-j ACCEPT"]);
        assert_eq!(h.rules("INPUT").unwrap().len(), 3);
    }

    #[test]
    fn a_table_that_keeps_changing_gives_up() {
        let (mut h, kernel) = fake(100);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        assert!(matches!(
            h.commit(),
            Err(Error::TableChanged {
                attempts: COMMIT_ATTEMPTS,
                ..
            })
        ));
        assert!(h.is_dirty());
        assert!(!kernel_rules(&kernel).contains(&"-j ACCEPT".to_string()));
    }

    #[test]
    fn a_refused_commit_keeps_the_changes_pending() {
        let (mut h, kernel) = fake(0);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        kernel.lock().unwrap().refuse = true;
        assert!(h.commit().is_err());
        assert!(h.is_dirty());
        assert_eq!(h.rules("INPUT").unwrap().len(), 1);
        kernel.lock().unwrap().refuse = false;
        h.commit().unwrap();
        assert_eq!(kernel_rules(&kernel), ["-j ACCEPT"]);
        // After refresh, nothing pending and the kernel's table.
        h.append("INPUT", rule("-j DROP")).unwrap();
        h.refresh().unwrap();
        assert!(!h.is_dirty());
        assert_eq!(h.rules("INPUT").unwrap().len(), 1);
    }

    #[test]
    fn a_failed_change_leaves_no_copy_behind() {
        let (mut h, _) = fake(0);
        assert!(h.append("NOPE", rule("-j ACCEPT")).is_err());
        assert!(h.changed.is_none());
        assert!(!h.is_dirty());
    }

    #[test]
    fn jump_loops_are_refused_before_the_kernel() {
        let (mut h, kernel) = fake(0);
        h.new_chain("a").unwrap();
        h.new_chain("b").unwrap();
        h.append("a", rule("-j b")).unwrap();
        h.append("b", rule("-j a")).unwrap();
        assert!(matches!(h.commit(), Err(Error::Loop(_))));
        assert_eq!(kernel.lock().unwrap().commits, 0);
    }

    #[test]
    fn an_edit_that_fails_half_way_changes_nothing() {
        let (mut h, _) = fake(0);
        let r = h.edit(|t| {
            t.flush_all();
            t.new_chain("x")?;
            t.new_chain("x")
        });
        assert!(matches!(r, Err(Error::ChainExists(_))));
        assert!(!h.is_dirty());
        assert!(h.chain("x").is_err());
    }

    #[test]
    fn an_edit_is_checked_whole_before_the_commit() {
        let (mut h, kernel) = fake(0);
        h.edit(|t| {
            // Past Table's checks: a chain name iptables refuses.
            t.chains.push(Chain::user("-bad"));
            Ok(())
        })
        .unwrap();
        assert!(matches!(h.commit(), Err(Error::InvalidName { .. })));
        assert_eq!(kernel.lock().unwrap().commits, 0);
    }

    #[test]
    fn handle_is_send() {
        fn send<T: Send>() {}
        send::<Handle>();
    }
}
