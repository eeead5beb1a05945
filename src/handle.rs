//! [`Handle`]: one table of the kernel, read, changed and committed the way
//! libiptc and python-iptables do it, but safe against concurrent writers.
//!
//! A handle keeps a working copy of the table. Every change applies to that
//! copy at once (reads see it) and is also recorded. [`Handle::commit`] then
//! takes the xtables lock, reads the table again, replays the recorded
//! changes onto what it read, and swaps the result in. So a rule another
//! process added between our read and our commit (`iptables -A`, another
//! handle) is kept, and counters carry over as libiptc carries them. When
//! the table changes during the swap itself (the kernel answers EAGAIN) the
//! whole read-replay-commit runs again, a few times at most.
//!
//! Changes that address a rule by position ([`Handle::delete`],
//! [`Handle::replace`], [`Handle::set_counters`]) are recorded by the rule
//! they addressed: at commit they find that rule again (the occurrence
//! nearest the position), so a rule inserted by someone else in the
//! meantime does not make them hit its neighbour. [`Handle::insert`] is
//! replayed by position.
//!
//! The replay runs even when nobody else changed the table: replaying onto
//! the fresh read is what gives untouched rules the counters of that read,
//! and the result is the same table otherwise.
//!
//! A replayed change that no longer applies (its chain was deleted) fails
//! the commit with that change's error, and the kernel is left untouched.

use std::fmt;
use std::path::PathBuf;

use crate::addr::Family;
use crate::backend::{driver, Backend, Driver};
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
    working: Table,
    ops: Vec<Op>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("options", &self.options)
            .field("table", &self.working)
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
        let working = {
            let _lock = lock(&options)?;
            driver.load(family, table)?.table
        };
        Ok(Handle {
            backend: options.backend,
            options,
            family,
            driver,
            working,
            ops: Vec::new(),
        })
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.working.name
    }

    /// The table as it will be committed: as read, plus the changes made
    /// since.
    pub fn table(&self) -> &Table {
        &self.working
    }

    /// The chains: built-ins in hook order, then user chains by name.
    pub fn chains(&self) -> &[Chain] {
        &self.working.chains
    }

    /// One chain.
    pub fn chain(&self, chain: &str) -> Result<&Chain> {
        self.working.get(chain)
    }

    /// A chain's rules.
    pub fn rules(&self, chain: &str) -> Result<&[Rule]> {
        Ok(&self.working.get(chain)?.rules)
    }

    /// A chain's policy; `None` for a user chain.
    pub fn policy(&self, chain: &str) -> Result<Option<Policy>> {
        Ok(self.working.get(chain)?.policy)
    }

    /// The counters of the rule at `pos` (0-based), as of the last read.
    pub fn counters(&self, chain: &str, pos: usize) -> Result<Counters> {
        self.rules(chain)?
            .get(pos)
            .map(|r| r.counters)
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.into(),
                what: format!("no rule at position {pos} (0-based)"),
            })
    }

    /// The counters of a built-in chain's policy, as of the last read.
    pub fn policy_counters(&self, chain: &str) -> Result<Counters> {
        Ok(self.working.get(chain)?.counters)
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
        Ok(self.working.position(chain, rule)?.is_some())
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
    /// between the read and the commit stay counted.
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
        if table.family != self.family || table.name != self.working.name {
            return Err(Error::rule(
                format!("table `{}`", table.name),
                format!(
                    "this handle holds {} table `{}`",
                    self.family.command(),
                    self.working.name
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
    /// table and again at commit on a fresh read, so it must decide from
    /// the table it is given, not from values captured earlier.
    pub fn edit(
        &mut self,
        mut f: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        // A closure may fail half way: run it on a copy.
        let mut copy = self.working.clone();
        f(&mut copy)?;
        self.working = copy;
        self.record(Box::new(f))
    }

    /// Commits the changes made since the last commit or refresh. Does
    /// nothing when there are none. On success the working table is read
    /// back from the kernel (fresh counters); on failure nothing is changed
    /// in the kernel and the changes stay pending (see [`Handle::refresh`]).
    pub fn commit(&mut self) -> Result<()> {
        if self.ops.is_empty() {
            return Ok(());
        }
        let _lock = lock(&self.options)?;
        let name = self.working.name.clone();
        let mut attempt = 1;
        let committed = loop {
            let loaded = self.driver.load(self.family, &name)?;
            let mut next = loaded.table.clone();
            for op in &mut self.ops {
                op(&mut next)?;
            }
            next.validate()?;
            match self.driver.commit(&loaded, &next) {
                Ok(()) => break Ok(next),
                Err(Error::TableChanged { .. }) if attempt < COMMIT_ATTEMPTS => attempt += 1,
                Err(Error::TableChanged { table, .. }) => {
                    return Err(Error::TableChanged {
                        table,
                        attempts: attempt,
                    })
                }
                Err(e @ Error::CountersNotRestored { .. }) => break Err((e, next)),
                Err(e) => return Err(e),
            }
        };
        // Committed (maybe without counters): the changes are in the kernel.
        self.ops.clear();
        let (result, next) = match committed {
            Ok(next) => (Ok(()), next),
            Err((e, next)) => (Err(e), next),
        };
        self.working = match self.driver.load(self.family, &name) {
            Ok(fresh) => fresh.table,
            Err(_) => next,
        };
        result
    }

    /// Reads the table again, dropping uncommitted changes.
    pub fn refresh(&mut self) -> Result<()> {
        let _lock = lock(&self.options)?;
        self.working = self.driver.load(self.family, &self.working.name)?.table;
        self.ops.clear();
        Ok(())
    }

    /// Applies a change to the working table and records it.
    fn apply(
        &mut self,
        mut op: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        // Table's edits change nothing when they fail, so no copy is needed.
        op(&mut self.working)?;
        self.record(Box::new(op))
    }

    fn record(&mut self, op: Op) -> Result<()> {
        self.ops.push(op);
        if !self.options.autocommit {
            return Ok(());
        }
        let result = self.commit();
        if result.is_err() && !self.ops.is_empty() {
            // Autocommit: a change that did not land is dropped, as a
            // failed `iptables` run leaves nothing behind.
            self.ops.clear();
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
    /// and lets a test change the table behind the handle's back.
    #[derive(Debug)]
    struct Fake {
        table: Arc<Mutex<Table>>,
        busy: usize,
        loads: Arc<Mutex<usize>>,
    }

    impl Driver for Fake {
        fn load(&mut self, _: Family, _: &str) -> Result<Loaded> {
            *self.loads.lock().unwrap() += 1;
            Ok(Loaded {
                table: self.table.lock().unwrap().clone(),
                state: State::Legacy(Default::default()),
            })
        }

        fn commit(&mut self, _: &Loaded, new: &Table) -> Result<()> {
            if self.busy > 0 {
                self.busy -= 1;
                // Somebody else commits in the meantime.
                let mut t = self.table.lock().unwrap();
                let r = Rule::parse(Family::Ipv4, "-j LOG").unwrap();
                t.chains[0].rules.push(r);
                return Err(Error::TableChanged {
                    table: new.name.clone(),
                    attempts: 1,
                });
            }
            let mut t = self.table.lock().unwrap();
            let mut new = new.clone();
            new.zero_all();
            *t = new;
            Ok(())
        }
    }

    fn fake(busy: usize) -> (Handle, Arc<Mutex<Table>>, Arc<Mutex<usize>>) {
        let table = Arc::new(Mutex::new(Table::new(Family::Ipv4, "filter").unwrap()));
        let loads = Arc::new(Mutex::new(0));
        let options = Options {
            lock_path: Some(
                std::env::temp_dir().join(format!("iptkit-handle-test-{}", std::process::id())),
            ),
            ..Options::default()
        };
        let driver = Box::new(Fake {
            table: table.clone(),
            busy,
            loads: loads.clone(),
        });
        (
            Handle::with_driver(Family::Ipv4, "filter", options, driver).unwrap(),
            table,
            loads,
        )
    }

    #[test]
    fn a_busy_table_is_retried_with_the_changes_replayed() {
        let (mut h, kernel, loads) = fake(2);
        h.append("INPUT", Rule::parse(Family::Ipv4, "-j ACCEPT").unwrap())
            .unwrap();
        h.commit().unwrap();
        // open + 3 attempts + the read-back after the commit.
        assert_eq!(*loads.lock().unwrap(), 5);
        let names: Vec<String> = kernel.lock().unwrap().chains[0]
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(names, ["-j LOG", "-j LOG", "-j ACCEPT"]);
        assert_eq!(h.rules("INPUT").unwrap().len(), 3);
    }

    #[test]
    fn a_table_that_keeps_changing_gives_up() {
        let (mut h, kernel, _) = fake(100);
        h.append("INPUT", Rule::parse(Family::Ipv4, "-j ACCEPT").unwrap())
            .unwrap();
        assert!(matches!(
            h.commit(),
            Err(Error::TableChanged {
                attempts: COMMIT_ATTEMPTS,
                ..
            })
        ));
        assert!(h.is_dirty());
        assert!(!kernel.lock().unwrap().chains[0]
            .rules
            .iter()
            .any(|r| r.target == crate::Target::Accept));
    }

    #[test]
    fn an_edit_that_fails_half_way_changes_nothing() {
        let (mut h, _, _) = fake(0);
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
    fn handle_is_send() {
        fn send<T: Send>() {}
        send::<Handle>();
    }
}
