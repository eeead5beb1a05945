//! [`Handle`]: one table of the kernel, read, changed and committed the way
//! libiptc and python-iptables do it, but safe against concurrent writers.
//!
//! A handle keeps a working copy of the table: the table as it read it (or
//! as its last commit left it) plus the changes made since. Every change
//! applies to that copy at once (reads see it) and is also recorded.
//! [`Handle::commit`] then takes the xtables lock (legacy only: iptables-nft
//! takes none, nf_tables checks the generation id) and checks whether the
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
//! A handle reads nothing when it opens. The table is read the first time
//! something needs its contents (a listing, a positional change, a check);
//! until then, appends and inserts at the head of a chain
//! ([`Handle::append`], [`Handle::insert`] at 0) are kept as they are and
//! sent at commit without reading the table: on nf_tables as one batch of
//! rule messages, on legacy spliced into the kernel's blob, so such a
//! change costs the same on a 10-rule and a 10,000-rule table. Whether
//! their chain (and jump target) exists is then learnt at commit: when the
//! fast path cannot land them, the commit reads the table, applies them,
//! and answers as a handle that had read the table would have (for
//! example [`Error::NoSuchChain`]); a change that fails so is dropped, the
//! others stay pending. After a successful commit the handle keeps the
//! table it committed (when it had read one) instead of reading it back.
//!
//! Positions ([`Handle::insert`], [`Handle::delete`], [`Handle::replace`])
//! count in the table as the handle read it. A handle that has not read its
//! table reads it when such a change is made, so the position counts in the
//! table as it is then, as `iptables -D INPUT 3` would count it. To work
//! from the table as it is at a moment of your choosing (libiptc's snapshot
//! when a handle is made), call [`Handle::load`] at that moment.
//!
//! On nf_tables a handle reads only what it is asked about: the rules of
//! the chains it lists or changes (every chain is listed, with its policy);
//! [`Handle::table`] and table-wide changes read them all. Appends,
//! inserts, deletes and replaces through a handle that has read the chain
//! are made right in its table (no copy) and sent as one rule message
//! each, addressed by the rule handles the kernel gave; anything else, or
//! a batch the kernel refuses because the ruleset moved on, goes the way
//! described above.
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
use crate::backend::{
    driver, Backend, Blind, BlindOutcome, Chains, Committed, Delta, Driver, Loaded,
};
use crate::error::{Error, Result};
use crate::lock::{lock_path, Lock, LockWait};
use crate::rule::{Counters, Rule};
use crate::ruleset::{Chain, Policy, Table};

mod guarded;

/// How often a commit is tried when the table keeps changing under it.
/// On nf_tables nothing serializes writers but the generation id (no lock,
/// as iptables-nft, which retries without end), so busy writers can keep
/// moving it under each other: the attempts back off a little, at random,
/// to let one through ([`crate::backend::backoff`]).
pub(crate) const COMMIT_ATTEMPTS: usize = 64;

/// A recorded change, replayed onto a fresh read at commit.
type Op = Box<dyn FnMut(&mut Table) -> Result<()> + Send>;

/// A change [`Handle::transact`] lends to the commit for the time of the
/// call.
type Extra<'a> = &'a mut dyn FnMut(&mut Table) -> Result<()>;

/// How a [`Handle`] works: which backend, how long to wait for the lock,
/// whether every change commits at once. Start from the default and the
/// setters (new options can be added without breaking callers):
///
/// ```
/// use iptkit::{Backend, LockWait, Options};
/// assert_eq!(Options::default().backend, Backend::Auto);
/// let options = Options::default()
///     .backend(Backend::Legacy)
///     .lock_wait(LockWait::NoWait); // fail at once when another iptables holds the lock
/// assert!(!options.autocommit);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The kernel interface; by default [`Backend::Auto`], the one the
    /// machine's `iptables` uses.
    pub backend: Backend,
    /// How long to wait for the xtables lock (default: 10 seconds).
    pub lock_wait: LockWait,
    /// The lock file; `None` for the one iptables uses
    /// (`$XTABLES_LOCKFILE` or `/run/xtables.lock`).
    pub lock_path: Option<PathBuf>,
    /// Commit after every change, like running `iptables` once per change
    /// (python-iptables' default). Off by default: changes wait for
    /// [`Handle::commit`].
    ///
    /// ```
    /// use iptkit::{Family, Handle, Options, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let options = Options::default().autocommit(true);
    /// let mut h = Handle::open_with(Family::Ipv4, "filter", options)?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?; // sent now
    /// assert!(!h.is_dirty());
    /// assert_eq!(Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.len(), 1);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub autocommit: bool,
}

impl Options {
    /// Sets [`Options::backend`].
    pub fn backend(mut self, backend: Backend) -> Options {
        self.backend = backend;
        self
    }

    /// Sets [`Options::lock_wait`].
    pub fn lock_wait(mut self, wait: LockWait) -> Options {
        self.lock_wait = wait;
        self
    }

    /// Sets [`Options::lock_path`].
    pub fn lock_path(mut self, path: impl Into<PathBuf>) -> Options {
        self.lock_path = Some(path.into());
        self
    }

    /// Sets [`Options::autocommit`].
    pub fn autocommit(mut self, on: bool) -> Options {
        self.autocommit = on;
        self
    }
}

/// One table (`filter`, `nat`, ...) of one family, in the network namespace
/// of the thread that opened it.
///
/// Changes wait for [`Handle::commit`], which sends them in one transaction;
/// a handle dropped before that drops them (a debug build warns on stderr),
/// unless it was opened with [`Options::autocommit`], which commits every
/// change as it is made, as python-iptables does by default.
///
/// ```
/// use iptkit::{Family, Handle, Rule};
/// // A private network namespace, so that this example (run as root) leaves
/// // the machine's firewall alone; the method examples below hide this line.
/// iptkit::netns::unshare_net()?;
/// let mut h = Handle::open(Family::Ipv4, "filter")?;
/// h.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?;
/// h.commit()?;
/// assert_eq!(h.rules("INPUT")?[0].to_string(), "-s 192.0.2.1/32 -j DROP");
/// # Ok::<(), iptkit::Error>(())
/// ```
///
/// Positions are 0-based everywhere (`iptables -I INPUT 1` is
/// [`Handle::insert`] at 0), and errors are [`Error`] variants to match on
/// ([`Error::NoSuchChain`], [`Error::Refused`], ...).
pub struct Handle {
    options: Options,
    backend: Backend,
    family: Family,
    name: String,
    driver: Box<dyn Driver>,
    /// The table as last read or committed, with what the driver needs to
    /// commit against it; `None` until something needs it.
    base: Option<Loaded>,
    /// `base` plus the changes made since; `None` while there are none.
    changed: Option<Table>,
    /// The changes made since, to replay onto a fresh read.
    ops: Vec<Op>,
    /// Changes made while `base` is `None`, sent without a read at commit.
    blind: Vec<Blind>,
    /// Changes made right in `base`'s table (backends that take deltas,
    /// while every change is one of them), with what undoes each; `changed`
    /// is then `None`.
    inplace: Vec<(Delta, Undo)>,
    /// A change made outside [`Table`]'s own checked edits is pending
    /// ([`Handle::edit`]): the whole table is checked before it is sent.
    unchecked: bool,
    /// The xtables lock, held from [`Handle::hold_lock`] until the handle
    /// is dropped or [`Handle::release_lock`].
    held: Option<Lock>,
    /// `base` was read (or committed) while `held`: nobody who takes the
    /// lock can have changed the table since.
    base_locked: bool,
    /// How many changes were pending at the last [`Handle::commit`]: a
    /// handle dropped after a failed commit has had its error, and only
    /// changes made after it are worth the drop warning.
    tried: usize,
    /// Protected flows: a commit that drops or rejects one is refused
    /// ([`Handle::guard`]).
    guards: Vec<crate::whatif::Flow>,
    /// Set by [`Handle::commit_confirmed`]: the commit keeps the table it
    /// was made against in `captured`.
    capture: bool,
    /// The table the last capturing commit replaced.
    captured: Option<Table>,
}

/// Changes not committed are dropped with the handle, as libiptc drops a
/// handle never passed to `iptc_commit`. (python-iptables commits on its
/// own by default; that is [`Options::autocommit`] here.) So that a
/// forgotten [`Handle::commit`] does not go unnoticed, a debug build says
/// so on stderr when a handle with changes is dropped; release builds say
/// nothing, and so does a handle whose last commit failed (the caller has
/// had that error). [`Handle::refresh`] drops changes on purpose.
impl Drop for Handle {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && !std::thread::panicking() {
            if let Some(warning) = self.drop_warning() {
                eprintln!("{warning}");
            }
        }
    }
}

impl Handle {
    /// What dropping this handle now would warn about.
    fn drop_warning(&self) -> Option<String> {
        (self.pending() > self.tried).then(|| {
            format!(
                "iptkit: a Handle of table `{}` was dropped with {} uncommitted change{}; \
                 call commit(), or refresh() to drop them on purpose",
                self.name,
                self.pending(),
                if self.pending() == 1 { "" } else { "s" }
            )
        })
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Handle");
        d.field("options", &self.options)
            .field("family", &self.family)
            .field("name", &self.name);
        match (&self.changed, &self.base) {
            (Some(t), _) | (None, Some(Loaded { table: t, .. })) => d.field("table", t),
            (None, None) => d.field("table", &"(not read yet)"),
        };
        d.field("pending", &self.pending()).finish_non_exhaustive()
    }
}

impl Handle {
    /// Opens a table with the backend the machine's `iptables` uses
    /// ([`Backend::Auto`]; [`Handle::backend`] says which) and the default
    /// lock wait. [`Handle::open_with`] takes [`Options`] to choose.
    ///
    /// ```
    /// use iptkit::{Backend, Error, Family, Handle};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let filter = Handle::open(Family::Ipv4, "filter")?;
    /// assert_ne!(filter.backend(), Backend::Auto); // resolved: Legacy or Nft
    /// assert!(matches!(Handle::open(Family::Ipv4, "nosuch"), Err(Error::NoSuchTable(_))));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn open(family: Family, table: &str) -> Result<Handle> {
        Handle::open_with(family, table, Options::default())
    }

    /// Opens a table with the given options. Nothing is read yet: the
    /// table is read the first time something needs its contents, without
    /// the xtables lock (as iptables-save reads; a commit checks under the
    /// lock that the kernel still holds what was read). The handle's sockets
    /// belong to the calling thread's network namespace for the handle's
    /// whole life.
    pub fn open_with(family: Family, table: &str, options: Options) -> Result<Handle> {
        let backend = options.backend.resolve().0;
        let driver = driver(backend);
        let mut h = Handle::with_driver(family, table, options, driver)?;
        h.backend = backend;
        Ok(h)
    }

    /// Opens a table of the network namespace at `path` (`/run/netns/NAME`
    /// as `ip netns add` makes it, or `/proc/PID/ns/net`) from the calling
    /// thread, without a helper thread: the thread enters the namespace,
    /// opens the handle's sockets there, and comes back. The handle then
    /// works on that namespace's tables for its whole life, from any
    /// thread. ([`Backend::Auto`] decides by the `iptables` of the file
    /// system, which namespaces do not change.)
    ///
    /// ```no_run
    /// use iptkit::{Family, Handle, Options};
    /// let mut h = Handle::open_in("/run/netns/blue", Family::Ipv4, "filter", Options::default())?;
    /// println!("{} rules in blue's INPUT", h.rules("INPUT")?.len());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn open_in(
        path: impl AsRef<std::path::Path>,
        family: Family,
        table: &str,
        options: Options,
    ) -> Result<Handle> {
        crate::netns::within(path, || {
            let mut h = Handle::open_with(family, table, options)?;
            h.driver.connect(family)?;
            Ok(h)
        })
    }

    /// The backend this handle drives ([`Backend::Auto`] resolved).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many messages the last nf_tables batch of this handle held
    /// (`None` on legacy, which sends whole tables): what tests check a
    /// change's cost by. Not part of the stable API.
    #[doc(hidden)]
    pub fn last_batch_messages(&self) -> Option<usize> {
        self.driver.last_batch_messages()
    }

    pub(crate) fn with_driver(
        family: Family,
        table: &str,
        options: Options,
        driver: Box<dyn Driver>,
    ) -> Result<Handle> {
        if crate::ruleset::builtin_chains(table).is_none() {
            return Err(Error::NoSuchTable(table.into()));
        }
        Ok(Handle {
            backend: options.backend,
            options,
            family,
            name: table.into(),
            driver,
            base: None,
            changed: None,
            ops: Vec::new(),
            blind: Vec::new(),
            inplace: Vec::new(),
            unchecked: false,
            held: None,
            base_locked: false,
            tried: 0,
            guards: Vec::new(),
            capture: false,
            captured: None,
        })
    }

    /// Reads the whole table now, if it has not been read yet (reads do it
    /// when they need to; this only chooses the moment). Changes made
    /// before are applied to what it read; the first that does not apply
    /// (its chain is missing) is dropped and its error returned.
    pub fn load(&mut self) -> Result<()> {
        self.need(None)
    }

    /// Makes sure the rules of `chain` (of every chain, for `None`) have
    /// been read. On nf_tables a handle reads only the chains it is asked
    /// about (a listing of one chain, a change by position in it); a wider
    /// read replays the changes made so far onto it, as a commit does.
    fn need(&mut self, chain: Option<&str>) -> Result<()> {
        let only: Option<Chains> = match (&self.base, chain) {
            (Some(b), _) if b.only.is_none() => return Ok(()),
            (Some(b), Some(c)) => {
                let mut only = b.only.clone().unwrap_or_default();
                if !only.insert(c.to_string()) {
                    return Ok(());
                }
                Some(only)
            }
            (None, Some(c)) => Some(
                self.blind
                    .iter()
                    .map(|b| b.chain().to_string())
                    .chain([c.to_string()])
                    .collect(),
            ),
            (_, None) => None,
        };
        // No lock: iptables-save reads without it, and a commit checks
        // under the lock that what was read is still what the kernel holds.
        let loaded = self.read_chains(only.as_ref())?;
        if self.base.is_none() {
            return self.adopt(loaded);
        }
        // Replay what is pending onto the wider read; on failure the
        // handle stays as it was.
        let changed = if self.ops.is_empty() {
            None
        } else {
            let mut next = clone_with_room(&loaded.table);
            for op in &mut self.ops {
                op(&mut next)?;
            }
            Some(next)
        };
        self.base = Some(loaded);
        self.base_locked = self.held.is_some();
        self.changed = changed;
        self.inplace.clear();
        Ok(())
    }

    /// Reads the table, or only the rules of `only` (the caller holds the
    /// lock).
    fn read_chains(&mut self, only: Option<&Chains>) -> Result<Loaded> {
        let mut loaded = match only {
            Some(chains) => self.driver.load_chains(self.family, &self.name, chains)?,
            None => self.driver.load(self.family, &self.name)?,
        };
        if loaded.only.is_some() {
            loaded.only = only.cloned();
        }
        Ok(loaded)
    }

    /// Takes `loaded` as the base and turns the blind changes into recorded
    /// ones on top of it.
    fn adopt(&mut self, loaded: Loaded) -> Result<()> {
        self.base = Some(loaded);
        self.base_locked = self.held.is_some();
        let mut first_error = None;
        for change in std::mem::take(&mut self.blind) {
            let chain = change.chain().to_string();
            if let Err(e) = self.apply_only(Some(&chain), move |t| change.apply(t)) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// True once the table has been read (or committed from a read).
    pub fn is_loaded(&self) -> bool {
        self.base.is_some()
    }

    /// The working copy: the table as read or committed, plus the changes
    /// made since. Reads the whole table first if needed.
    fn working(&mut self) -> Result<&Table> {
        self.need(None)?;
        self.current()
    }

    /// The working copy, with at least the rules of `chain` read.
    fn working_chain(&mut self, chain: &str) -> Result<&Table> {
        self.need(Some(chain))?;
        self.current()
    }

    fn current(&self) -> Result<&Table> {
        match (&self.changed, &self.base) {
            (Some(t), _) => Ok(t),
            (None, Some(b)) => Ok(&b.table),
            (None, None) => Err(Error::Malformed("table not read".into())),
        }
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table as it will be committed: as read (or as the last commit
    /// left it), plus the changes made since.
    pub fn table(&mut self) -> Result<&Table> {
        self.working()
    }

    /// The table as iptables-save prints it, from `*table` to `COMMIT`
    /// ([`save_table_bytes_as`](crate::syntax::restore::save_table_bytes_as)
    /// of [`Handle::table`], in the dialect of the handle's backend), with
    /// the rules' counters when `counters` is set.
    ///
    /// A handle that has read nothing yet and holds no change reads the
    /// table for this alone and keeps none of it: the backend prints each
    /// rule as it decodes it, so a save of a big table never holds its
    /// rules. The handle stays unread.
    pub fn save(&mut self, counters: bool) -> Result<Vec<u8>> {
        let mut text = Vec::new();
        self.save_to(counters, &mut text)?;
        Ok(text)
    }

    /// [`Handle::save`] written to `out` as it is printed. On the legacy
    /// backend the text goes out in pieces while the rules are decoded
    /// (the table's text is never whole in memory either), so after an
    /// error `out` may hold part of the table; on nf_tables the text is
    /// written once the read stood. A save tool writes straight to its
    /// output, as iptables-save does.
    pub fn save_to(&mut self, counters: bool, out: &mut dyn std::io::Write) -> Result<()> {
        let dialect = self.backend.dialect();
        if self.base.is_none() && self.blind.is_empty() {
            return self
                .driver
                .save(self.family, &self.name, counters, dialect, out);
        }
        let text = crate::syntax::restore::save_table_bytes_as(self.working()?, counters, dialect);
        crate::syntax::restore::write_saved(out, &text)
    }

    /// The chains: built-ins in hook order, then user chains by name.
    pub fn chains(&mut self) -> Result<&[Chain]> {
        Ok(&self.working()?.chains)
    }

    /// One chain.
    pub fn chain(&mut self, chain: &str) -> Result<&Chain> {
        self.working_chain(chain)?.get(chain)
    }

    /// A chain's rules, as they will be committed (changes made since the
    /// last commit included).
    ///
    /// ```
    /// use iptkit::{Error, Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?;
    /// for rule in h.rules("INPUT")? {
    ///     assert_eq!(format!("-A INPUT {rule}"), "-A INPUT -i lo -j ACCEPT");
    /// }
    /// assert!(matches!(h.rules("nosuch"), Err(Error::NoSuchChain(_))));
    /// h.refresh()?; // drops the change: nothing was committed
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "get_rules")]
    pub fn rules(&mut self, chain: &str) -> Result<&[Rule]> {
        Ok(&self.working_chain(chain)?.get(chain)?.rules)
    }

    /// A chain's policy; `None` for a user chain.
    ///
    /// ```
    /// use iptkit::{Family, Handle, Policy};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// assert_eq!(h.policy("INPUT")?, Some(Policy::Accept));
    /// h.set_policy("INPUT", Policy::Drop)?;
    /// h.new_chain("mine")?;
    /// h.commit()?;
    /// assert_eq!(h.policy("INPUT")?, Some(Policy::Drop));
    /// assert_eq!(h.policy("mine")?, None);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "get_policy")]
    pub fn policy(&mut self, chain: &str) -> Result<Option<Policy>> {
        Ok(self.working_chain(chain)?.get(chain)?.policy)
    }

    /// The counters of the rule at `pos` (0-based), as of the last read or
    /// commit (see [`Handle::commit`]; [`Handle::refresh`] reads them anew).
    ///
    /// ```
    /// use iptkit::{Counters, Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-j ACCEPT")?)?;
    /// h.set_counters("INPUT", 0, Counters::new(10, 840))?;
    /// h.commit()?;
    /// assert_eq!(h.counters("INPUT", 0)?, Counters::new(10, 840));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "get_counters")]
    pub fn counters(&mut self, chain: &str, pos: usize) -> Result<Counters> {
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
    pub fn policy_counters(&mut self, chain: &str) -> Result<Counters> {
        Ok(self.working_chain(chain)?.get(chain)?.counters)
    }

    /// True when there are changes not yet committed.
    pub fn is_dirty(&self) -> bool {
        !self.ops.is_empty() || !self.blind.is_empty()
    }

    /// How many changes wait for [`Handle::commit`].
    fn pending(&self) -> usize {
        self.ops.len() + self.blind.len()
    }

    /// Appends a rule (`iptables -A`). On a handle that has not read its
    /// table, nothing is read: the rule is sent as it is at commit.
    ///
    /// ```
    /// use iptkit::{matches::tcp::Tcp, Family, Handle, Rule, Target};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?;
    /// h.append("INPUT", Rule::new(Family::Ipv4).with_match(Tcp::dport(22)).with_target(Target::Drop))?;
    /// h.commit()?;
    /// let rules: Vec<String> = h.rules("INPUT")?.iter().map(|r| r.to_string()).collect();
    /// assert_eq!(rules, ["-i lo -j ACCEPT", "-p tcp -m tcp --dport 22 -j DROP"]);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "append_rule")]
    pub fn append(&mut self, chain: &str, rule: Rule) -> Result<()> {
        if self.base.is_none() {
            let rule = self.admit_blind(rule)?;
            return self.record_blind(Blind::Append {
                chain: chain.into(),
                rule,
            });
        }
        let delta = Delta::Append {
            chain: chain.into(),
            rule: rule.clone().normalized(),
        };
        let chain = chain.to_string();
        self.apply_delta(delta, move |t| t.append(&chain, rule.clone()))
    }

    /// Inserts a rule before the rule at 0-based `pos` (0 is the head,
    /// the chain's length appends). Replayed by position at commit. At the
    /// head, on a handle that has not read its table, nothing is read.
    #[doc(alias = "insert_rule")]
    pub fn insert(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        if self.base.is_none() && pos == 0 {
            let rule = self.admit_blind(rule)?;
            return self.record_blind(Blind::InsertHead {
                chain: chain.into(),
                rule,
            });
        }
        let delta = Delta::Insert {
            chain: chain.into(),
            pos,
            rule: rule.clone().normalized(),
        };
        let chain = chain.to_string();
        self.apply_delta(delta, move |t| t.insert(&chain, pos, rule.clone()))
    }

    /// What [`Table`] checks of a rule before adding it, as far as it can
    /// be told without the table: the family, and a jump to a built-in
    /// chain. The chains' existence is the commit's to learn.
    fn admit_blind(&self, rule: Rule) -> Result<Rule> {
        if rule.family != self.family {
            return Err(Error::rule(
                rule.to_string(),
                format!("not an {} rule", self.family.command()),
            ));
        }
        if let Some(target) = rule.target.chain() {
            if crate::ruleset::hook_of(target).is_some() {
                return Err(Error::BuiltinChain {
                    chain: target.into(),
                    reason: "rules can only jump to user chains",
                });
            }
        }
        Ok(rule.normalized())
    }

    fn record_blind(&mut self, change: Blind) -> Result<()> {
        self.blind.push(change);
        self.autocommit()
    }

    /// Replaces the rule at 0-based `pos` (`iptables -R`).
    #[doc(alias = "replace_rule")]
    pub fn replace(&mut self, chain: &str, pos: usize, rule: Rule) -> Result<()> {
        let old = self.addressed(chain, pos)?;
        let delta = Delta::Replace {
            chain: chain.into(),
            pos,
            rule: rule.clone().normalized(),
        };
        let chain = chain.to_string();
        self.apply_delta(delta, move |t| {
            let at = find_near(t, &chain, &old, pos)?;
            t.replace(&chain, at, rule.clone())
        })
    }

    /// Deletes the rule at 0-based `pos` (`iptables -D CHAIN N` deletes
    /// rule number `pos + 1`) and returns it, as [`Table::delete`] does.
    #[doc(alias = "delete_rule_at")]
    pub fn delete(&mut self, chain: &str, pos: usize) -> Result<Rule> {
        let old = self.addressed(chain, pos)?;
        let delta = Delta::Delete {
            chain: chain.into(),
            pos,
        };
        let chain = chain.to_string();
        let gone = old.clone();
        self.apply_delta(delta, move |t| {
            let at = find_near(t, &chain, &old, pos)?;
            t.delete(&chain, at).map(drop)
        })?;
        Ok(gone)
    }

    /// Deletes the first rule that does what `rule` does, counters aside
    /// (`iptables -D CHAIN RULE`); [`Error::NoSuchRule`] when there is none.
    ///
    /// ```
    /// use iptkit::{Error, Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// let ssh = Rule::parse(Family::Ipv4, "-p tcp -m tcp --dport 22 -j ACCEPT")?;
    /// h.append("INPUT", ssh.clone())?;
    /// h.commit()?;
    /// h.delete_rule("INPUT", &ssh)?;
    /// h.commit()?;
    /// assert!(h.rules("INPUT")?.is_empty());
    /// assert!(matches!(h.delete_rule("INPUT", &ssh), Err(Error::NoSuchRule { .. })));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn delete_rule(&mut self, chain: &str, rule: &Rule) -> Result<()> {
        // Found, it is a delete by position (one message on nf_tables);
        // replayed onto a newer table, it looks for the rule again.
        let found = self.working_chain(chain)?.position(chain, rule)?;
        let (owned, rule) = (chain.to_string(), rule.clone());
        let op = move |t: &mut Table| t.delete_rule(&owned, &rule);
        match found {
            Some(pos) => self.apply_delta(
                Delta::Delete {
                    chain: chain.into(),
                    pos,
                },
                op,
            ),
            None => self.apply(Some(chain), op),
        }
    }

    /// True when the chain has a rule that does what `rule` does
    /// (`iptables -C`), as [`Table::contains_rule`] says.
    ///
    /// ```
    /// use iptkit::{Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.0/24 -j DROP")?)?;
    /// h.commit()?;
    /// // What the rule does counts, not how it was written.
    /// let same = Rule::parse(Family::Ipv4, "--source 192.0.2.7/24 -j DROP")?;
    /// assert!(h.contains_rule("INPUT", &same)?);
    /// let other = Rule::parse(Family::Ipv4, "-s 192.0.2.0/24 -j ACCEPT")?;
    /// assert!(!h.contains_rule("INPUT", &other)?);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "check")]
    #[doc(alias = "check_rule")]
    pub fn contains_rule(&mut self, chain: &str, rule: &Rule) -> Result<bool> {
        Ok(self.working_chain(chain)?.position(chain, rule)?.is_some())
    }

    /// Removes every rule of a chain (`iptables -F CHAIN`).
    #[doc(alias = "flush_entries")]
    pub fn flush(&mut self, chain: &str) -> Result<()> {
        let scope = chain;
        let chain = chain.to_string();
        self.apply(Some(scope), move |t| t.flush(&chain))
    }

    /// Removes every rule of every chain (`iptables -F`).
    pub fn flush_all(&mut self) -> Result<()> {
        self.apply(None, |t| {
            t.flush_all();
            Ok(())
        })
    }

    /// Creates a user chain (`iptables -N`).
    #[doc(alias = "create_chain")]
    pub fn new_chain(&mut self, chain: &str) -> Result<()> {
        let scope = chain;
        let chain = chain.to_string();
        self.apply(Some(scope), move |t| t.new_chain(&chain))
    }

    /// Renames a user chain and every jump to it (`iptables -E`).
    #[doc(alias = "rename")]
    pub fn rename_chain(&mut self, old: &str, new: &str) -> Result<()> {
        let (old, new) = (old.to_string(), new.to_string());
        self.apply(None, move |t| t.rename_chain(&old, &new))
    }

    /// Deletes an empty user chain nothing jumps to (`iptables -X CHAIN`).
    pub fn delete_chain(&mut self, chain: &str) -> Result<()> {
        let chain = chain.to_string();
        self.apply(None, move |t| t.delete_chain(&chain))
    }

    /// Deletes every user chain (`iptables -X`): all or nothing; refused
    /// when one is not empty or still jumped to.
    pub fn delete_user_chains(&mut self) -> Result<()> {
        self.apply(None, |t| t.delete_user_chains().map(drop))
    }

    /// Sets a built-in chain's policy (`iptables -P`).
    pub fn set_policy(&mut self, chain: &str, policy: Policy) -> Result<()> {
        let scope = chain;
        let chain = chain.to_string();
        self.apply(Some(scope), move |t| t.set_policy(&chain, policy))
    }

    /// Zeroes a chain's counters (`iptables -Z CHAIN`). Packets counted
    /// between the read (or the last commit) and this commit stay counted.
    #[doc(alias = "zero_counters")]
    pub fn zero(&mut self, chain: &str) -> Result<()> {
        let scope = chain;
        let chain = chain.to_string();
        self.apply(Some(scope), move |t| t.zero(&chain))
    }

    /// Zeroes every counter of the table (`iptables -Z`).
    #[doc(alias = "zero_entries")]
    pub fn zero_all(&mut self) -> Result<()> {
        self.apply(None, |t| {
            t.zero_all();
            Ok(())
        })
    }

    /// Sets the counters of the rule at 0-based `pos`.
    pub fn set_counters(&mut self, chain: &str, pos: usize, counters: Counters) -> Result<()> {
        let old = self.addressed(chain, pos)?;
        let scope = chain;
        let chain = chain.to_string();
        self.apply(Some(scope), move |t| {
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
        self.apply(None, move |t| {
            *t = table.clone();
            Ok(())
        })
    }

    /// Parses iptables-restore text and plays its blocks of this handle's
    /// table onto it ([`Handle::restore`] for each), in one call. Blocks of
    /// other tables are not read (as `iptables-restore -T TABLE` skips
    /// them); a text without a block of this table is refused, as it is
    /// most likely a mistake. Commit as for any change.
    ///
    /// ```no_run
    /// use iptkit::syntax::restore::RestoreOptions;
    /// use iptkit::{Family, Handle};
    /// let mut filter = Handle::open(Family::Ipv4, "filter")?;
    /// let noflush = RestoreOptions { noflush: true, ..RestoreOptions::default() };
    /// filter.restore_text("*filter\n-A INPUT -s 192.0.2.1 -j DROP\nCOMMIT\n", &noflush)?;
    /// filter.commit()?;
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "iptables_restore")]
    pub fn restore_text(
        &mut self,
        text: &str,
        opts: &crate::syntax::restore::RestoreOptions,
    ) -> Result<()> {
        let only_this = crate::syntax::restore::RestoreOptions {
            table: Some(self.name.clone()),
            ..opts.clone()
        };
        let blocks = crate::syntax::restore::parse_with(self.family, text, &only_this)?;
        if blocks.is_empty() {
            return Err(Error::Syntax(format!(
                "the restore text has no `*{}` block",
                self.name
            )));
        }
        for block in blocks {
            self.restore(block, opts)?;
        }
        Ok(())
    }

    /// Plays one `*table` block of iptables-restore input onto this
    /// table, as iptables-restore does with these options (see
    /// [`TableBlock::apply`]), as one change. A `--noflush` block of only
    /// appends and inserts at the head (`-A`, `-I CHAIN` / `-I CHAIN 1`)
    /// with no counters, on a handle that has not read its table, reads
    /// nothing: its rules are sent as they are at commit.
    ///
    /// [`TableBlock::apply`]: crate::syntax::restore::TableBlock::apply
    pub fn restore(
        &mut self,
        block: crate::syntax::restore::TableBlock,
        opts: &crate::syntax::restore::RestoreOptions,
    ) -> Result<()> {
        if block.name != self.name {
            return Err(Error::rule(
                format!("*{}", block.name),
                format!("this handle holds table `{}`", self.name),
            ));
        }
        if let Some(changes) = self.blind_block(&block, opts)? {
            self.blind.extend(changes);
            return self.autocommit();
        }
        let opts = opts.clone();
        self.edit(move |t| block.apply(t, &opts))
    }

    /// The block as blind changes, when it is nothing but appends and head
    /// inserts without counters onto a table not read yet.
    fn blind_block(
        &self,
        block: &crate::syntax::restore::TableBlock,
        opts: &crate::syntax::restore::RestoreOptions,
    ) -> Result<Option<Vec<Blind>>> {
        use crate::syntax::restore::Command;
        if self.base.is_some() || !opts.noflush || !block.chains.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for (line, cmd) in &block.commands {
            let (chain, rules, counters, head) = match cmd {
                Command::Append {
                    chain,
                    rules,
                    counters,
                } => (chain, rules, counters, false),
                Command::Insert {
                    chain,
                    pos: 0,
                    rules,
                    counters,
                } => (chain, rules, counters, true),
                Command::OtherFamily => continue,
                _ => return Ok(None),
            };
            let given = counters
                .resolve(opts.counters)
                .map_err(|e| e.at_line(*line))?;
            let zero = Counters::default();
            if given.is_some_and(|c| c != zero)
                || (opts.counters && given.is_none() && rules.iter().any(|r| r.counters != zero))
            {
                return Ok(None);
            }
            for rule in rules {
                let mut rule = self
                    .admit_blind(rule.clone())
                    .map_err(|e| e.at_line(*line))?;
                rule.counters = zero;
                let chain = chain.clone();
                out.push(match head {
                    true => Blind::InsertHead { chain, rule },
                    false => Blind::Append { chain, rule },
                });
            }
        }
        Ok(Some(out))
    }

    /// Runs an arbitrary change as one step. `f` runs now on the working
    /// table, and again at commit on a fresh read when somebody else changed
    /// the table in the meantime, so it must decide from the table it is
    /// given, not from values captured earlier. The whole table is checked
    /// ([`Table::validate`]) before it is committed. `f` is kept until the
    /// commit, hence `'static`; [`Handle::transact`] takes a closure that
    /// borrows and commits at once.
    pub fn edit(
        &mut self,
        mut f: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        // A closure may fail half way: run it on a copy.
        self.working()?;
        self.settle()?;
        let mut copy = self.working()?.clone();
        f(&mut copy)?;
        self.changed = Some(copy);
        self.unchecked = true;
        self.record(Box::new(f))
    }

    /// Runs a change and commits it at once, together with whatever else
    /// is pending, as one commit. Unlike [`Handle::edit`], `f` may borrow
    /// from the caller (it is not kept after this call returns): it runs
    /// now on a copy of the working table and, should somebody else change
    /// the table before the commit lands, again on their table after the
    /// pending changes are replayed, so it must decide from the table it is
    /// given. The whole table is checked ([`Table::validate`]) before it is
    /// sent.
    ///
    /// All or nothing: when `f` or the commit fails, nothing of `f`'s
    /// change is kept (the changes pending before stay pending, as after a
    /// failed [`Handle::commit`]).
    ///
    /// ```
    /// use iptkit::{Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let blocked = vec!["192.0.2.1", "192.0.2.2"]; // borrowed, not moved
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.transact(|table| {
    ///     for addr in &blocked {
    ///         table.append("INPUT", Rule::parse(Family::Ipv4, &format!("-s {addr} -j DROP"))?)?;
    ///     }
    ///     Ok(())
    /// })?;
    /// assert_eq!(h.rules("INPUT")?.len(), blocked.len());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "transaction")]
    pub fn transact(&mut self, mut f: impl FnMut(&mut Table) -> Result<()>) -> Result<()> {
        self.working()?;
        self.settle()?;
        let mut copy = self.working()?.clone();
        f(&mut copy)?;
        let before = self.changed.replace(copy);
        let unchecked = std::mem::replace(&mut self.unchecked, true);
        self.tried = self.pending();
        let done = self.commit_with(Some(&mut f));
        match &done {
            Ok(()) => self.tried = 0,
            // Not landed: drop f's change and keep what was pending before.
            // A failed commit never moves the base, so `before` still fits.
            Err(_) if self.changed.is_some() => {
                self.unchecked = unchecked;
                self.changed = before;
            }
            // Landed (maybe without its counters): nothing is pending.
            Err(_) => self.tried = 0,
        }
        done
    }

    /// Commits the changes made since the last commit or refresh. Does
    /// nothing when there are none.
    ///
    /// Under the xtables lock (legacy; on nf_tables the batch carries the
    /// generation id instead), the commit first compares the kernel's table
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
    ///
    /// ```
    /// use iptkit::{Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut mine = Handle::open(Family::Ipv4, "filter")?;
    /// mine.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?;
    /// // Not sent yet: another reader sees nothing.
    /// assert!(Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.is_empty());
    /// mine.commit()?;
    /// assert_eq!(Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.len(), 1);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn commit(&mut self) -> Result<()> {
        self.tried = self.pending();
        let done = self.commit_with(None);
        if done.is_ok() {
            self.tried = 0;
        }
        done
    }

    /// [`Handle::commit`] without the bookkeeping of the drop warning.
    /// `extra` is a change already made in the working copy but not
    /// recorded in `ops` ([`Handle::transact`]): replayed last.
    fn commit_with(&mut self, extra: Option<Extra<'_>>) -> Result<()> {
        if !self.is_dirty() && extra.is_none() {
            return Ok(());
        }
        if !self.guards.is_empty() || self.capture {
            // The guard and the put-back need the whole table as it will be
            // committed: no blind or in-place shortcut.
            self.load()?;
            self.settle()?;
        }
        let _lock = match self.held {
            Some(_) => None,
            None => self.lock()?,
        };
        if self.base.is_none() {
            match self
                .driver
                .commit_blind(self.family, &self.name, &self.blind)?
            {
                BlindOutcome::Landed(error) => {
                    self.blind.clear();
                    return error.map_or(Ok(()), Err);
                }
                // Nothing landed: read the table and commit the usual way,
                // whose answer (a missing chain, a refusal named) is the one
                // to give.
                BlindOutcome::Declined => {
                    let chains: Chains = self.blind.iter().map(|b| b.chain().to_string()).collect();
                    let loaded = self.read_chains(Some(&chains))?;
                    self.adopt(loaded)?;
                    if self.ops.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
        self.commit_locked(extra)
    }

    /// The commit of a handle that has read its table, under the lock.
    fn commit_locked(&mut self, mut extra: Option<Extra<'_>>) -> Result<()> {
        if !self.inplace.is_empty() {
            let Some(base) = &mut self.base else {
                return Err(Error::Malformed("changes in place without a table".into()));
            };
            let deltas: Vec<&Delta> = self.inplace.iter().map(|(d, _)| d).collect();
            match self.driver.commit_deltas(base, &deltas) {
                Ok(Some(done)) => {
                    base.state = done.state;
                    for (chain, pos, rule) in done.as_read {
                        if let Some(slot) = base
                            .table
                            .chain_mut(&chain)
                            .and_then(|c| c.rules.get_mut(pos))
                        {
                            *slot = rule;
                        }
                    }
                    self.inplace.clear();
                    self.ops.clear();
                    return Ok(());
                }
                // Not as deltas, or onto a table that changed: compare
                // tables, reading again if needed.
                Ok(None) | Err(Error::TableChanged { .. }) => self.settle()?,
                // Refused: nothing landed, the changes stay pending.
                Err(e) => return Err(e),
            }
        }
        let Some(base) = &self.base else {
            return Err(Error::Malformed("commit of a table not read".into()));
        };
        let mut attempt = 1;
        // Against the base while nobody changed the table; else against a
        // fresh read (whose own failure to get a steady table counts as an
        // attempt too).
        let mut against_base = self.base_locked || self.driver.unchanged(base)?;
        loop {
            let result = if against_base {
                // Nobody changed the table: our working copy is the result.
                let base = self.base.as_ref().expect("read above");
                let next = self.changed.take().unwrap_or_else(|| base.table.clone());
                let prev = self.capture.then(|| base.table.clone());
                match guarded::check(&self.guards, &next)
                    .and_then(|()| send(&mut *self.driver, self.unchecked, base, &next))
                {
                    Ok(committed) => Ok((committed, next, prev)),
                    Err(e) => {
                        self.changed = Some(next);
                        Err(e)
                    }
                }
            } else {
                // Somebody did: replay our changes onto their table.
                match self.read() {
                    Ok(loaded) => {
                        let mut next = loaded.table.clone();
                        for op in &mut self.ops {
                            op(&mut next)?;
                        }
                        if let Some(f) = extra.as_mut() {
                            f(&mut next)?;
                        }
                        guarded::check(&self.guards, &next)?;
                        let prev = self.capture.then(|| loaded.table.clone());
                        send(&mut *self.driver, self.unchecked, &loaded, &next)
                            .map(|c| (c, next, prev))
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Ok((committed, next, prev)) => {
                    self.captured = prev;
                    // In the kernel (maybe without counters): the base now,
                    // read as far as the one it replaces.
                    let only = self.base.as_ref().and_then(|b| b.only.clone());
                    let (mut base, error) = committed.into_loaded(next);
                    base.only = only;
                    self.base = Some(base);
                    self.base_locked = self.held.is_some();
                    self.changed = None;
                    self.ops.clear();
                    self.unchecked = false;
                    return error.map_or(Ok(()), Err);
                }
                Err(Error::TableChanged { .. }) if attempt < COMMIT_ATTEMPTS => {
                    crate::backend::backoff(attempt);
                    attempt += 1;
                    against_base = false;
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

    /// Reads the table as far as the base was read (the caller holds the
    /// lock).
    fn read(&mut self) -> Result<Loaded> {
        let only = self.base.as_ref().and_then(|b| b.only.clone());
        self.read_chains(only.as_ref())
    }

    /// Drops uncommitted changes and what was read: the next read of the
    /// handle reads the kernel's table anew.
    pub fn refresh(&mut self) -> Result<()> {
        self.tried = 0;
        self.base = None;
        self.changed = None;
        self.ops.clear();
        self.blind.clear();
        self.inplace.clear();
        self.unchecked = false;
        Ok(())
    }

    /// Applies a change to the working table and records it (commits it,
    /// with autocommit).
    fn apply(
        &mut self,
        scope: Option<&str>,
        op: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        self.apply_only(scope, op)?;
        self.autocommit()
    }

    /// Applies a positional change: right in the base table when the
    /// backend takes deltas and nothing else is pending (no copy of the
    /// table is made), else as any other change.
    fn apply_delta(
        &mut self,
        delta: Delta,
        op: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        self.need(Some(delta.chain()))?;
        let in_place = self.changed.is_none() && !self.unchecked && self.driver.takes_deltas();
        match (in_place, &mut self.base) {
            (true, Some(base)) => {
                let undo = Undo::apply(&delta, &mut base.table)?;
                self.inplace.push((delta, undo));
                self.ops.push(Box::new(op));
            }
            _ => self.apply_only(Some(delta.chain()), op)?,
        }
        self.autocommit()
    }

    /// Turns changes made in place into the usual working copy: the base
    /// table back as read, and a copy with every change.
    fn settle(&mut self) -> Result<()> {
        let (false, Some(base)) = (self.inplace.is_empty(), &mut self.base) else {
            return Ok(());
        };
        for (_, undo) in self.inplace.drain(..).rev() {
            undo.revert(&mut base.table);
        }
        let mut next = clone_with_room(&base.table);
        for op in &mut self.ops {
            op(&mut next)?;
        }
        self.changed = Some(next);
        Ok(())
    }

    /// Applies a change to the working table and records it; the rules of
    /// the chain it changes (`scope`; `None`: of every chain) are read
    /// first if needed.
    fn apply_only(
        &mut self,
        scope: Option<&str>,
        mut op: impl FnMut(&mut Table) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        self.need(scope)?;
        self.settle()?;
        let first = self.changed.is_none();
        let working = match (&mut self.changed, &self.base) {
            (Some(t), _) => t,
            (slot, Some(b)) => slot.insert(clone_with_room(&b.table)),
            (_, None) => return Err(Error::Malformed("table not read".into())),
        };
        // Table's edits change nothing when they fail, so no copy is needed.
        if let Err(e) = op(working) {
            if first {
                self.changed = None;
            }
            return Err(e);
        }
        self.ops.push(Box::new(op));
        Ok(())
    }

    fn record(&mut self, op: Op) -> Result<()> {
        self.ops.push(op);
        self.autocommit()
    }

    /// With autocommit, commits what is pending.
    fn autocommit(&mut self) -> Result<()> {
        if !self.options.autocommit {
            return Ok(());
        }
        let result = self.commit();
        if result.is_err() && self.is_dirty() {
            // Autocommit: a change that did not land is dropped, as a
            // failed `iptables` run leaves nothing behind; the next read
            // reads the kernel's table.
            let _ = self.refresh();
        }
        result
    }

    /// The rule at `pos`, which a positional change addresses.
    fn addressed(&mut self, chain: &str, pos: usize) -> Result<Rule> {
        self.rules(chain)?
            .get(pos)
            .cloned()
            .ok_or_else(|| Error::NoSuchRule {
                chain: chain.into(),
                what: format!("no rule at position {pos} (0-based)"),
            })
    }
}

/// Checks `next` and commits it against `against`.
fn send(
    driver: &mut dyn Driver,
    unchecked: bool,
    against: &Loaded,
    next: &Table,
) -> Result<Committed> {
    if unchecked {
        next.validate()?;
    } else if let Some(chain) = next.find_loop() {
        // Table's edits check everything else as they go.
        return Err(Error::Loop(chain));
    }
    driver.commit(against, next)
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

/// What undoes a [`Delta`] made right in a table.
#[derive(Debug)]
enum Undo {
    /// Remove the rule at `pos` (an append or insert).
    Remove { chain: String, pos: usize },
    /// Put `rule` back at `pos` (a delete).
    Reinsert {
        chain: String,
        pos: usize,
        rule: Rule,
    },
    /// Put `rule` in place of the rule at `pos` (a replace).
    Restore {
        chain: String,
        pos: usize,
        rule: Rule,
    },
}

impl Undo {
    /// Makes the change in `table` with [`Table`]'s checked edits (nothing
    /// changes when they fail), and says how to undo it.
    fn apply(delta: &Delta, table: &mut Table) -> Result<Undo> {
        Ok(match delta {
            Delta::Append { chain, rule } => {
                table.append(chain, rule.clone())?;
                Undo::Remove {
                    chain: chain.clone(),
                    pos: table.get(chain)?.rules.len() - 1,
                }
            }
            Delta::Insert { chain, pos, rule } => {
                table.insert(chain, *pos, rule.clone())?;
                Undo::Remove {
                    chain: chain.clone(),
                    pos: *pos,
                }
            }
            Delta::Delete { chain, pos } => Undo::Reinsert {
                rule: table.delete(chain, *pos)?,
                chain: chain.clone(),
                pos: *pos,
            },
            Delta::Replace { chain, pos, rule } => {
                let old = table.get(chain)?.rules.get(*pos).cloned();
                table.replace(chain, *pos, rule.clone())?;
                Undo::Restore {
                    chain: chain.clone(),
                    pos: *pos,
                    rule: old.unwrap_or_else(|| rule.clone()),
                }
            }
        })
    }

    fn revert(self, table: &mut Table) {
        fn rules<'t>(chain: &str, table: &'t mut Table) -> Option<&'t mut Vec<Rule>> {
            table.chain_mut(chain).map(|c| &mut c.rules)
        }
        match self {
            Undo::Remove { chain, pos } => {
                if let Some(r) = rules(&chain, table).filter(|r| pos < r.len()) {
                    r.remove(pos);
                }
            }
            Undo::Reinsert { chain, pos, rule } => {
                if let Some(r) = rules(&chain, table).filter(|r| pos <= r.len()) {
                    r.insert(pos, rule);
                }
            }
            Undo::Restore { chain, pos, rule } => {
                if let Some(slot) = rules(&chain, table).and_then(|r| r.get_mut(pos)) {
                    *slot = rule;
                }
            }
        }
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

impl Handle {
    fn lock(&self) -> Result<Option<Lock>> {
        commit_lock(self.backend, &self.options)
    }

    /// Takes the xtables lock now and holds it until the handle is dropped
    /// or [`Handle::release_lock`], as one `iptables` command holds it from
    /// its read to its commit: what the handle reads meanwhile is known to
    /// be what the kernel holds, so a commit need not read the table again
    /// to check (on legacy a second GET_ENTRIES, a third of the kernel's
    /// work for one change). Other iptables users wait for it meanwhile:
    /// for one-shot tools, not for a long-lived handle. Waits as
    /// [`Options::lock_wait`] says. Does nothing on nf_tables, whose
    /// commits take no lock (as iptables-nft).
    pub fn hold_lock(&mut self) -> Result<()> {
        if self.held.is_none() {
            self.held = self.lock()?;
            // A read made before the lock proves nothing.
            self.base_locked = false;
        }
        Ok(())
    }

    /// Lets go of the lock [`Handle::hold_lock`] took.
    pub fn release_lock(&mut self) {
        self.held = None;
        self.base_locked = false;
    }
}

/// The xtables lock for a commit through `backend` (resolved), as the
/// iptables binary of the backend takes it: iptables-legacy does,
/// iptables-nft does not (nf_tables serializes commits itself, by the
/// generation id).
pub(crate) fn commit_lock(backend: Backend, options: &Options) -> Result<Option<Lock>> {
    #[cfg(feature = "nft")]
    if backend == Backend::Nft {
        return Ok(None);
    }
    let _ = backend;
    let path = options.lock_path.clone().unwrap_or_else(lock_path);
    Lock::acquire_at(path, options.lock_wait).map(Some)
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
        /// Lands blind changes when their chains exist.
        blind: bool,
        /// Takes deltas.
        deltas: bool,
        loads: usize,
        commits: usize,
    }

    fn without_counters(t: &Table) -> Table {
        let mut t = t.clone();
        t.zero_all();
        t
    }

    impl Driver for Fake {
        fn commit_blind(&mut self, _: Family, _: &str, changes: &[Blind]) -> Result<BlindOutcome> {
            let mut k = self.kernel.lock().unwrap();
            if !k.blind {
                return Ok(BlindOutcome::Declined);
            }
            let mut t = k.table.clone();
            for c in changes {
                if c.apply(&mut t).is_err() {
                    return Ok(BlindOutcome::Declined);
                }
            }
            k.commits += 1;
            k.table = t;
            Ok(BlindOutcome::Landed(None))
        }

        fn takes_deltas(&self) -> bool {
            self.kernel.lock().unwrap().deltas
        }

        fn commit_deltas(
            &mut self,
            loaded: &Loaded,
            deltas: &[&Delta],
        ) -> Result<Option<crate::backend::DeltaCommitted>> {
            let mut k = self.kernel.lock().unwrap();
            if without_counters(&k.table) == without_counters(&loaded.table) {
                // The handle changed its base in place: the kernel must
                // still hold the table before the changes.
                return Err(Error::Malformed("deltas already in the kernel".into()));
            }
            for d in deltas {
                Undo::apply(d, &mut k.table)?;
            }
            k.commits += 1;
            Ok(Some(crate::backend::DeltaCommitted {
                state: State::Legacy(Default::default()),
                as_read: Vec::new(),
            }))
        }

        fn load(&mut self, _: Family, _: &str) -> Result<Loaded> {
            let mut k = self.kernel.lock().unwrap();
            k.loads += 1;
            Ok(Loaded {
                table: k.table.clone(),
                state: State::Legacy(Default::default()),
                only: None,
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
                replaced: Vec::new(),
                error: None,
            })
        }
    }

    fn fake(busy: usize) -> (Handle, Arc<Mutex<Kernel>>) {
        let kernel = Arc::new(Mutex::new(Kernel {
            table: Table::new(Family::Ipv4, "filter").unwrap(),
            busy,
            refuse: false,
            blind: false,
            deltas: false,
            loads: 0,
            commits: 0,
        }));
        let options = Options {
            lock_path: Some(
                std::env::temp_dir().join(format!("iptkit-handle-test-{}", std::process::id())),
            ),
            backend: Backend::Legacy,
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
        h.load().unwrap();
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
    fn only_changes_never_committed_are_warned_about_at_drop() {
        let (mut h, kernel) = fake(0);
        assert_eq!(h.drop_warning(), None);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        assert!(h.drop_warning().unwrap().contains("1 uncommitted change"));
        // A failed commit has told the caller.
        kernel.lock().unwrap().refuse = true;
        assert!(h.commit().is_err());
        assert_eq!(h.drop_warning(), None);
        // A change after it has not been tried.
        h.append("INPUT", rule("-j DROP")).unwrap();
        assert!(h.drop_warning().unwrap().contains("2 uncommitted changes"));
        kernel.lock().unwrap().refuse = false;
        h.commit().unwrap();
        assert_eq!(h.drop_warning(), None);
        h.append("INPUT", rule("-j DROP")).unwrap();
        assert!(h.drop_warning().is_some());
        h.refresh().unwrap();
        assert_eq!(h.drop_warning(), None);
    }

    #[test]
    fn a_failed_change_leaves_no_copy_behind() {
        let (mut h, _) = fake(0);
        h.load().unwrap();
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
    fn appends_and_head_inserts_need_no_read() {
        let (mut h, kernel) = fake(0);
        kernel.lock().unwrap().blind = true;
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.insert("INPUT", 0, rule("-j DROP")).unwrap();
        assert!(!h.is_loaded());
        h.commit().unwrap();
        assert!(!h.is_loaded() && !h.is_dirty());
        assert_eq!(kernel.lock().unwrap().loads, 0);
        assert_eq!(kernel_rules(&kernel), ["-j DROP", "-j ACCEPT"]);
        // A read reads the kernel's table.
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
        assert_eq!(kernel.lock().unwrap().loads, 1);
    }

    #[test]
    fn a_blind_change_to_a_missing_chain_fails_at_commit_and_is_dropped() {
        let (mut h, kernel) = fake(0);
        kernel.lock().unwrap().blind = true;
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.append("NOPE", rule("-j DROP")).unwrap();
        // The fast path declines; the slow one says which chain is missing.
        assert!(matches!(h.commit(), Err(Error::NoSuchChain(c)) if c == "NOPE"));
        assert!(h.is_dirty());
        h.commit().unwrap();
        assert_eq!(kernel_rules(&kernel), ["-j ACCEPT"]);
        assert!(!h.is_dirty());
    }

    #[test]
    fn a_read_applies_blind_changes_in_order() {
        let (mut h, _) = fake(0);
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.insert("INPUT", 0, rule("-j DROP")).unwrap();
        h.append("INPUT", rule("-j RETURN")).unwrap();
        let got: Vec<String> = h
            .rules("INPUT")
            .unwrap()
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(got, ["-j DROP", "-j ACCEPT", "-j RETURN"]);
        assert!(h.is_dirty());
    }

    #[test]
    fn blind_changes_are_checked_for_what_needs_no_table() {
        let (mut h, _) = fake(0);
        assert!(matches!(
            h.append("INPUT", rule("-j OUTPUT")),
            Err(Error::BuiltinChain { .. })
        ));
        let v6 = Rule::parse(Family::Ipv6, "-j ACCEPT").unwrap();
        assert!(h.append("INPUT", v6).is_err());
        assert!(!h.is_dirty());
    }

    #[test]
    fn a_noflush_block_of_appends_and_head_inserts_needs_no_read() {
        use crate::syntax::restore::{parse_with, RestoreOptions};
        let (mut h, kernel) = fake(0);
        kernel.lock().unwrap().blind = true;
        let opts = RestoreOptions {
            noflush: true,
            ..RestoreOptions::default()
        };
        let text = "*filter\n-A INPUT -j ACCEPT\n-I INPUT -s 192.0.2.1,192.0.2.2 -j DROP\nCOMMIT\n";
        let blocks = parse_with(Family::Ipv4, text, &opts).unwrap();
        h.restore(blocks[0].clone(), &opts).unwrap();
        h.commit().unwrap();
        assert_eq!(kernel.lock().unwrap().loads, 0);
        // As iptables-restore plays it onto a table in memory.
        let mut expect = Table::new(Family::Ipv4, "filter").unwrap();
        blocks[0].apply(&mut expect, &opts).unwrap();
        let want: Vec<String> = expect.chains[0]
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(kernel_rules(&kernel), want);
        // Anything else reads the table.
        let text = "*filter\n-D INPUT 1\nCOMMIT\n";
        let blocks = parse_with(Family::Ipv4, text, &opts).unwrap();
        h.restore(blocks[0].clone(), &opts).unwrap();
        h.commit().unwrap();
        assert_eq!(kernel.lock().unwrap().loads, 1);
        assert_eq!(kernel_rules(&kernel), want[1..]);
        // Without --noflush the block replaces the table.
        let blocks = parse_with(
            Family::Ipv4,
            "*filter\nCOMMIT\n",
            &RestoreOptions::default(),
        )
        .unwrap();
        h.restore(blocks[0].clone(), &RestoreOptions::default())
            .unwrap();
        h.commit().unwrap();
        assert!(kernel_rules(&kernel).is_empty());
    }

    #[test]
    fn positional_changes_go_as_deltas_without_a_copy() {
        let (mut h, kernel) = fake(0);
        kernel.lock().unwrap().deltas = true;
        h.load().unwrap();
        h.append("INPUT", rule("-j ACCEPT")).unwrap();
        h.insert("INPUT", 0, rule("-j DROP")).unwrap();
        h.replace("INPUT", 1, rule("-j RETURN")).unwrap();
        assert!(h.changed.is_none(), "no second copy of the table");
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
        h.commit().unwrap();
        assert_eq!(kernel_rules(&kernel), ["-j DROP", "-j RETURN"]);
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
        // A change that is not a delta turns the pending ones into the
        // usual copy, the base back as it was.
        h.delete("INPUT", 0).unwrap();
        h.new_chain("x").unwrap();
        assert!(h.changed.is_some() && h.inplace.is_empty());
        assert_eq!(h.base.as_ref().unwrap().table.chains[0].rules.len(), 2);
        h.commit().unwrap();
        assert_eq!(kernel_rules(&kernel), ["-j RETURN"]);
        assert!(kernel.lock().unwrap().table.chain("x").is_some());
    }

    #[test]
    fn handle_is_send() {
        fn send<T: Send>() {}
        send::<Handle>();
    }
}
