//! Backends: the kernel interfaces a [`Handle`](crate::Handle) can drive.
//!
//! Every backend does three things: load a table (with whatever it needs to
//! commit against that read later), tell whether the kernel still holds
//! exactly what a load or a commit left there, and commit a new version of
//! it. The handle does the rest (lock, replay, retry) the same way for all
//! of them.

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::rule::Counters;
use crate::ruleset::Table;

pub(crate) mod ipset_nl;
pub(crate) mod legacy;
pub(crate) mod netlink_msg;
#[cfg(feature = "nft")]
pub(crate) mod nft;
pub(crate) mod placement;
pub(crate) mod revisions;

/// Waits a random while before attempt `attempt + 1` of something another
/// writer keeps spoiling (a read that finds no steady table, a commit the
/// kernel refused because the ruleset moved on): none at first, then up to
/// `attempt` milliseconds (20 at most), so that writers that keep
/// colliding fall out of step.
pub(crate) fn backoff(attempt: usize) {
    if attempt < 2 {
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0) as u64;
    // The low bits of the clock are random enough to break a tie.
    let micros = (nanos / 7) % (attempt.min(20) as u64 * 1000);
    std::thread::sleep(std::time::Duration::from_micros(micros));
}

/// Which kernel interface to use. [`Backend::Auto`] is the default of
/// [`Options`](crate::Options) and [`Handle::open`](crate::Handle::open);
/// set [`Options::backend`](crate::Options::backend) to choose.
///
/// ```
/// use iptkit::Backend;
/// assert_eq!(Backend::default(), Backend::Auto);
/// assert_eq!("legacy".parse::<Backend>()?, Backend::Legacy); // as `--backend` takes it
/// assert_eq!(Backend::Legacy.to_string(), "legacy");
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The legacy xtables interface (`iptables-legacy`, libiptc): whole
    /// tables swapped with `IPT_SO_SET_REPLACE`.
    Legacy,
    /// nf_tables over netlink, in the layout `iptables-nft` uses: one
    /// batch of incremental changes per commit.
    #[cfg(feature = "nft")]
    Nft,
    /// Whichever the machine's `iptables` uses, decided as iptables itself
    /// is chosen: by what `/usr/sbin/iptables` links to
    /// (`xtables-nft-multi` or `xtables-legacy-multi`), without running it.
    /// See [`Backend::resolve`]. The default: a program that does not
    /// choose writes where the machine's `iptables -S` reads.
    #[default]
    Auto,
}

#[cfg(feature = "nft")]
/// Where the `iptables` binaries may be, in the order they are looked at.
const IPTABLES_PATHS: &[&str] = &["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"];

impl Backend {
    /// Whose save text this backend's tables print as: iptables-nft-save for
    /// [`Backend::Nft`], iptables-legacy-save otherwise (resolve
    /// [`Backend::Auto`] first).
    pub fn dialect(self) -> crate::extension::Dialect {
        match self {
            #[cfg(feature = "nft")]
            Backend::Nft => crate::extension::Dialect::Nft,
            _ => crate::extension::Dialect::Legacy,
        }
    }

    /// The concrete backend this stands for, and why: [`Backend::Auto`]
    /// follows the `iptables` symbolic links (`/usr/sbin/iptables` ->
    /// `/etc/alternatives/iptables` -> `xtables-nft-multi`) to the binary
    /// they end at, and picks nf_tables for `xtables-nft-multi` (or any
    /// `*-nft*` name) and legacy for `xtables-legacy-multi`. Without an
    /// `iptables` it picks legacy when legacy tables exist in this network
    /// namespace, else nf_tables. Without the `nft` feature it is legacy.
    ///
    /// ```
    /// use iptkit::Backend;
    /// let (backend, why) = Backend::Auto.resolve();
    /// assert_ne!(backend, Backend::Auto);
    /// // For example: "nft: /usr/sbin/iptables -> ... -> /usr/sbin/xtables-nft-multi (nf_tables)"
    /// println!("{backend}: {why}");
    /// assert_eq!(Backend::Legacy.resolve(), (Backend::Legacy, "asked for".to_string()));
    /// ```
    pub fn resolve(self) -> (Backend, String) {
        match self {
            Backend::Auto => auto(),
            b => (b, "asked for".into()),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = crate::Error;

    /// `legacy`, `nft` or `auto`, as the examples' `--backend` takes them.
    fn from_str(s: &str) -> Result<Backend> {
        match s {
            "legacy" => Ok(Backend::Legacy),
            #[cfg(feature = "nft")]
            "nft" => Ok(Backend::Nft),
            "auto" => Ok(Backend::Auto),
            _ => Err(crate::Error::value(
                "--backend",
                s,
                if cfg!(feature = "nft") {
                    "legacy, nft or auto"
                } else {
                    "legacy or auto (built without the nft feature)"
                },
            )),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Legacy => "legacy",
            #[cfg(feature = "nft")]
            Backend::Nft => "nft",
            Backend::Auto => "auto",
        })
    }
}

/// The iptables tables of a family that exist in the calling thread's
/// network namespace through `backend`, in the order the kernel lists them
/// (the order the backend's iptables-save prints them in).
pub fn existing_tables(backend: Backend, family: Family) -> Result<Vec<String>> {
    match backend.resolve().0 {
        #[cfg(feature = "nft")]
        Backend::Nft => nft::existing_tables(family),
        _ => legacy::existing_tables(family),
    }
}

#[cfg_attr(not(feature = "nft"), allow(clippy::needless_return))]
fn auto() -> (Backend, String) {
    #[cfg(not(feature = "nft"))]
    {
        (
            Backend::Legacy,
            "built without the nft feature: legacy only".into(),
        )
    }
    #[cfg(feature = "nft")]
    {
        for path in IPTABLES_PATHS {
            let p = std::path::Path::new(path);
            if p.symlink_metadata().is_err() {
                continue;
            }
            // Every name on the way counts: `iptables-nft` may itself be a
            // link to the multi-call binary.
            let mut names = vec![path.to_string()];
            let mut cur = p.to_path_buf();
            for _ in 0..16 {
                match std::fs::read_link(&cur) {
                    Ok(next) => {
                        let next = if next.is_absolute() {
                            next
                        } else {
                            cur.parent().unwrap_or(std::path::Path::new("/")).join(next)
                        };
                        names.push(next.display().to_string());
                        cur = next;
                    }
                    Err(_) => break,
                }
            }
            let base = |n: &String| {
                std::path::Path::new(n)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let chain = names.join(" -> ");
            if names.iter().rev().map(base).any(|b| b.contains("legacy")) {
                return (Backend::Legacy, format!("{chain} (legacy)"));
            }
            if names.iter().rev().map(base).any(|b| b.contains("nft")) {
                return (Backend::Nft, format!("{chain} (nf_tables)"));
            }
        }
        let legacy = [Family::Ipv4, Family::Ipv6].iter().any(|f| {
            legacy::existing_tables(*f)
                .map(|t| !t.is_empty())
                .unwrap_or(false)
        });
        if legacy {
            (
                Backend::Legacy,
                "no iptables binary found; legacy tables exist here".into(),
            )
        } else {
            (
                Backend::Nft,
                "no iptables binary found and no legacy tables: nf_tables".into(),
            )
        }
    }
}

/// A table as a backend read (or committed) it, plus what the backend needs
/// to commit against exactly that version.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    /// The table, counters as read (or as restored by the commit).
    pub table: Table,
    /// Backend-private state of the read.
    pub state: State,
    /// `Some`: only the rules of these chains were read (every chain is
    /// listed, with its policy; the others show no rules). `None`: all.
    pub only: Option<Chains>,
}

/// A set of chain names.
pub(crate) type Chains = std::collections::BTreeSet<String>;

/// Backend-private state of a read, one variant per backend.
#[derive(Clone, Debug)]
pub(crate) enum State {
    /// See [`legacy::Snapshot`].
    Legacy(legacy::Snapshot),
    /// See [`nft::Snapshot`].
    #[cfg(feature = "nft")]
    Nft(nft::Snapshot),
}

impl State {
    /// Gives `table` (the table committed, or the table read) the counters
    /// listed in the backend's entry order for it.
    pub(crate) fn set_counters(&self, counters: &[Counters], table: &mut Table) {
        match self {
            State::Legacy(s) => s.set_counters(counters, table),
            // The nf_tables commit reads the table back (it needs the new
            // rules' handles), so the table it gives has its counters.
            #[cfg(feature = "nft")]
            State::Nft(_) => {}
        }
    }
}

/// What a successful commit left in the kernel.
#[derive(Debug)]
pub(crate) struct Committed {
    /// What the next commit is checked and based against.
    pub state: State,
    /// The table as sent, when the backend had to fill something in (the
    /// index of a set known by name): what the kernel holds. `None` when it
    /// sent the table it was given.
    pub sent: Option<Table>,
    /// The counters the kernel was given, in the backend's entry order.
    pub counters: Vec<Counters>,
    /// The counters of the table replaced, at the moment of the swap, in
    /// the entry order of the read it was based on (legacy: SET_REPLACE's
    /// answer); what putting that table back gives its rules. Empty on
    /// nf_tables, where a batch replaces nothing whole.
    pub replaced: Vec<Counters>,
    /// Set when the new table is in place but its counters are not
    /// ([`Error::CountersNotRestored`]); `counters` are then all zero.
    pub error: Option<Error>,
}

impl Committed {
    /// The committed table as the kernel now holds it: `table` (the table
    /// given to the commit) as sent, with the counters of the commit. Also
    /// returns the counters' error, if any.
    pub fn into_loaded(self, table: Table) -> (Loaded, Option<Error>) {
        let mut table = self.sent.unwrap_or(table);
        self.state.set_counters(&self.counters, &mut table);
        (
            Loaded {
                table,
                state: self.state,
                only: None,
            },
            self.error,
        )
    }
}

/// A change that needs nothing of the table but the chain it goes to: what
/// a handle that has not read its table sends (`iptables -A`, `iptables -I
/// CHAIN` at the head). The rule is admitted ([`Rule::normalized`],
/// family checked); whether its chain and jump target exist is the
/// kernel's (nf_tables) or the blob's (legacy) to say.
///
/// [`Rule::normalized`]: crate::Rule::normalized
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Blind {
    /// Append to the chain.
    Append { chain: String, rule: crate::Rule },
    /// Insert at the head of the chain.
    InsertHead { chain: String, rule: crate::Rule },
}

impl Blind {
    /// The chain the change goes to.
    pub fn chain(&self) -> &str {
        match self {
            Blind::Append { chain, .. } | Blind::InsertHead { chain, .. } => chain,
        }
    }

    /// The rule it adds.
    pub fn rule(&self) -> &crate::Rule {
        match self {
            Blind::Append { rule, .. } | Blind::InsertHead { rule, .. } => rule,
        }
    }

    /// Applies the change to a table in memory (the way back when the
    /// fast path cannot be taken).
    pub fn apply(&self, table: &mut Table) -> Result<()> {
        match self {
            Blind::Append { chain, rule } => table.append(chain, rule.clone()),
            Blind::InsertHead { chain, rule } => table.insert(chain, 0, rule.clone()),
        }
    }
}

/// One change by position, as a handle made it: what a backend that sends
/// changes as messages (nf_tables) sends, instead of comparing tables. The
/// rule is normalized ([`Rule::normalized`]); positions are 0-based and
/// hold at the moment the change was made, after the changes before it.
///
/// [`Rule::normalized`]: crate::Rule::normalized
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Delta {
    /// Append to the chain.
    Append { chain: String, rule: crate::Rule },
    /// Insert before the rule at `pos` (at the end when `pos` is the
    /// chain's length).
    Insert {
        chain: String,
        pos: usize,
        rule: crate::Rule,
    },
    /// Delete the rule at `pos`.
    Delete { chain: String, pos: usize },
    /// Replace the rule at `pos`.
    Replace {
        chain: String,
        pos: usize,
        rule: crate::Rule,
    },
}

impl Delta {
    /// The chain the change goes to.
    pub fn chain(&self) -> &str {
        match self {
            Delta::Append { chain, .. }
            | Delta::Insert { chain, .. }
            | Delta::Delete { chain, .. }
            | Delta::Replace { chain, .. } => chain,
        }
    }
}

/// What a commit of deltas left in the kernel.
#[derive(Debug)]
pub(crate) struct DeltaCommitted {
    /// What the next commit is checked and based against.
    pub state: State,
    /// Rules the commit added that a read would give back differently
    /// from how they were given, by chain and their position after it.
    pub as_read: Vec<(String, usize, crate::Rule)>,
}

/// How a blind commit went.
#[derive(Debug)]
pub(crate) enum BlindOutcome {
    /// Landed. `Some` error: landed, but with a flaw the caller must report
    /// as it is (legacy: [`Error::CountersNotRestored`]) and never retry.
    Landed(Option<Error>),
    /// Nothing was sent or nothing landed, and the fast path cannot say why
    /// well (a missing chain, a refusal to name): the caller takes the slow
    /// path (read, apply, commit), whose answer is the one to give.
    Declined,
}

/// The built-in chains a restore names, for a backend that creates a
/// built-in chain only when it is needed (nf_tables: a base chain costs a
/// hook): those are created even without rules, as iptables-nft-restore
/// creates them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BaseChains {
    /// Built-in chains the input names (`:CHAIN POLICY`, `-P CHAIN`,
    /// `-F CHAIN`): they exist after the commit.
    pub named: Chains,
    /// A flushing restore: built-in chains it does not name and leaves
    /// without rules, with policy ACCEPT, do not exist after the commit
    /// (iptables-nft-restore deletes the table and makes only what the
    /// input names or fills).
    pub only_named: bool,
}

/// One table of a commit of several ([`Driver::commit_tables`]).
#[derive(Debug)]
pub(crate) struct TableCommit<'a> {
    /// The table as read.
    pub loaded: &'a Loaded,
    /// The table to commit.
    pub new: &'a Table,
    /// Which built-in chains must exist (nf_tables).
    pub base: BaseChains,
}

/// One kernel interface.
pub(crate) trait Driver: Send + std::fmt::Debug {
    /// Applies `changes`, in order, to a table this driver has not read,
    /// all or none, without reading more of it than the kernel interface
    /// needs. Must never report a change the kernel accepted as failed:
    /// once anything landed the answer is [`BlindOutcome::Landed`].
    ///
    /// The default declines, which sends the handle down the slow path.
    fn commit_blind(
        &mut self,
        _family: Family,
        _table: &str,
        _changes: &[Blind],
    ) -> Result<BlindOutcome> {
        Ok(BlindOutcome::Declined)
    }
    /// Opens every socket the driver uses for `family` now, in the calling
    /// thread's network namespace, rather than on first use: what makes a
    /// handle belong to a namespace the thread then leaves
    /// ([`Handle::open_in`](crate::Handle::open_in)). Nothing for a driver
    /// without sockets (the tests' fakes).
    fn connect(&mut self, _family: Family) -> Result<()> {
        Ok(())
    }

    /// Reads a table.
    fn load(&mut self, family: Family, table: &str) -> Result<Loaded>;

    /// Reads a table and writes it to `out` as iptables-save prints it, in
    /// `dialect` ([`crate::syntax::restore::save_table_bytes_as`]). The
    /// default prints what [`Driver::load`] gives; a backend can print
    /// each rule as it decodes it instead, and never hold them all.
    fn save(
        &mut self,
        family: Family,
        table: &str,
        counters: bool,
        dialect: crate::extension::Dialect,
        out: &mut dyn std::io::Write,
    ) -> Result<()> {
        use crate::syntax::restore::{save_table_bytes_as, write_saved};
        let loaded = self.load(family, table)?;
        write_saved(out, &save_table_bytes_as(&loaded.table, counters, dialect))
    }

    /// True when the backend commits [`Delta`]s as they are
    /// ([`Driver::commit_deltas`]): a handle then keeps no second copy of
    /// the table for them.
    fn takes_deltas(&self) -> bool {
        false
    }

    /// Sends `deltas`, made in order on the table `loaded` describes, as
    /// they are: all or none. `Ok(None)` when they cannot be sent so (the
    /// handle then compares tables); [`Error::TableChanged`] when the
    /// table changed since `loaded` and nothing was done.
    fn commit_deltas(
        &mut self,
        loaded: &Loaded,
        deltas: &[&Delta],
    ) -> Result<Option<DeltaCommitted>> {
        let _ = (loaded, deltas);
        Ok(None)
    }

    /// Reads a table's chains, and the rules of `chains` only (those that
    /// exist). A backend that can only read whole tables reads it all
    /// (the default).
    fn load_chains(&mut self, family: Family, table: &str, chains: &Chains) -> Result<Loaded> {
        let _ = chains;
        self.load(family, table)
    }

    /// True when the kernel's table is still exactly the one `loaded`
    /// describes, counters aside: nobody changed it since.
    fn unchanged(&mut self, loaded: &Loaded) -> Result<bool>;

    /// Replaces the table `loaded` came from with `new`, keeping counters.
    /// [`Error::TableChanged`] means the table changed since `loaded` was
    /// read and nothing was done.
    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed>;

    /// [`Driver::commit`] of a table the caller gives up, which the
    /// backend may drop as it goes (legacy: each rule once its entry is
    /// written), so that a big table and what is sent for it are not held
    /// whole at once. The [`Committed`] then holds no table as sent, and
    /// the caller none to [`Committed::into_loaded`].
    fn commit_owned(&mut self, loaded: &Loaded, new: Table) -> Result<Committed> {
        self.commit(loaded, &new)
    }

    /// Runs every check [`Driver::commit`] runs on `new` before it sends
    /// anything (encoding, revisions the kernel has, sets by name), and
    /// sends nothing. What only the kernel can refuse is left to it. The
    /// default checks nothing: for a backend whose
    /// [`Driver::commit_tables`] sends all tables at once, that checks them.
    fn check(&mut self, loaded: &Loaded, new: &Table) -> Result<()> {
        let _ = (loaded, new);
        Ok(())
    }

    /// Commits several tables as one transaction of the kernel: all land
    /// or none (the answers in the order given). `Ok(None)` when the
    /// kernel interface has no such transaction (legacy: one SET_REPLACE
    /// per table); the caller then commits them one by one.
    /// [`Error::TableChanged`]: something changed since the reads, nothing
    /// was done.
    fn commit_tables(&mut self, tables: &[TableCommit<'_>]) -> Result<Option<Vec<Committed>>> {
        let _ = tables;
        Ok(None)
    }

    /// How many messages the last batch sent held; `None` for a backend
    /// that sends no messages (legacy). For tests that check what a change
    /// costs.
    fn last_batch_messages(&self) -> Option<usize> {
        None
    }
}

/// A driver for `backend`. Sockets it opens belong to the calling thread's
/// network namespace.
pub(crate) fn driver(backend: Backend) -> Box<dyn Driver> {
    match backend {
        Backend::Legacy => Box::new(legacy::Legacy::default()),
        #[cfg(feature = "nft")]
        Backend::Nft => Box::new(nft::Nft::default()),
        Backend::Auto => driver(backend.resolve().0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_by_name_and_auto_says_why() {
        for name in ["legacy", "auto"] {
            let b: Backend = name.parse().unwrap();
            assert_eq!(b.to_string(), name);
        }
        assert!("iptables".parse::<Backend>().is_err());
        assert_eq!(Backend::Legacy.resolve().0, Backend::Legacy);
        let (picked, why) = Backend::Auto.resolve();
        assert_ne!(picked, Backend::Auto);
        assert!(!why.is_empty());
        #[cfg(feature = "nft")]
        {
            assert_eq!("nft".parse::<Backend>().unwrap(), Backend::Nft);
            // Where iptables is installed, the reason names the binary the
            // links end at.
            if std::path::Path::new("/usr/sbin/iptables").exists() {
                assert!(
                    why.contains("xtables-") || why.contains("iptables-"),
                    "{why}"
                );
            }
        }
    }
}
