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

pub mod legacy;
pub(crate) mod revisions;

/// Which kernel interface to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The legacy xtables interface (`iptables-legacy`, libiptc): whole
    /// tables swapped with `IPT_SO_SET_REPLACE`.
    #[default]
    Legacy,
}

/// A table as a backend read (or committed) it, plus what the backend needs
/// to commit against exactly that version.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    /// The table, counters as read (or as restored by the commit).
    pub table: Table,
    /// Backend-private state of the read.
    pub state: State,
}

/// Backend-private state of a read, one variant per backend.
#[derive(Clone, Debug)]
pub(crate) enum State {
    /// See [`legacy::Snapshot`].
    Legacy(legacy::Snapshot),
}

impl State {
    /// Gives `table` (the table committed) the counters the commit gave
    /// the kernel, listed in the backend's entry order.
    fn set_counters(&self, counters: &[Counters], table: &mut Table) {
        match self {
            State::Legacy(s) => s.set_counters(counters, table),
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
            },
            self.error,
        )
    }
}

/// One kernel interface.
pub(crate) trait Driver: Send + std::fmt::Debug {
    /// Reads a table.
    fn load(&mut self, family: Family, table: &str) -> Result<Loaded>;

    /// True when the kernel's table is still exactly the one `loaded`
    /// describes, counters aside: nobody changed it since.
    fn unchanged(&mut self, loaded: &Loaded) -> Result<bool>;

    /// Replaces the table `loaded` came from with `new`, keeping counters.
    /// [`Error::TableChanged`] means the table changed since `loaded` was
    /// read and nothing was done.
    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<Committed>;
}

/// A driver for `backend`. Sockets it opens belong to the calling thread's
/// network namespace.
pub(crate) fn driver(backend: Backend) -> Box<dyn Driver> {
    match backend {
        Backend::Legacy => Box::new(legacy::Legacy::default()),
    }
}
