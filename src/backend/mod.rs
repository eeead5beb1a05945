//! Backends: the kernel interfaces a [`Handle`](crate::Handle) can drive.
//!
//! Every backend does two things: load a table (with whatever it needs to
//! commit against that read later) and commit a new version of it. The
//! handle does the rest (lock, replay, retry) the same way for all of them.

use crate::addr::Family;
use crate::error::Result;
use crate::ruleset::Table;

pub mod legacy;
#[cfg(feature = "nft")]
pub mod nft;

/// Which kernel interface to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The legacy xtables interface (`iptables-legacy`, libiptc): whole
    /// tables swapped with `IPT_SO_SET_REPLACE`.
    #[default]
    Legacy,
    /// nf_tables over netlink, in the layout `iptables-nft` uses: one
    /// batch of incremental changes per commit.
    #[cfg(feature = "nft")]
    Nft,
}

/// A table as a backend read it, plus what the backend needs to commit
/// against exactly that read.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    /// The table, counters as read.
    pub table: Table,
    /// Backend-private state of the read.
    pub state: State,
}

/// Backend-private state of a read, one variant per backend.
#[derive(Clone, Debug)]
pub(crate) enum State {
    /// See [`legacy::Snapshot`].
    Legacy(legacy::Snapshot),
    /// See [`nft::Snapshot`].
    #[cfg(feature = "nft")]
    Nft(nft::Snapshot),
}

/// One kernel interface.
pub(crate) trait Driver: Send + std::fmt::Debug {
    /// Reads a table.
    fn load(&mut self, family: Family, table: &str) -> Result<Loaded>;

    /// Replaces the table `loaded` came from with `new`, keeping counters.
    /// [`Error::TableChanged`](crate::Error::TableChanged) means the table
    /// changed since `loaded` was read and nothing was done.
    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<()>;
}

/// A driver for `backend`. Sockets it opens belong to the calling thread's
/// network namespace.
pub(crate) fn driver(backend: Backend) -> Box<dyn Driver> {
    match backend {
        Backend::Legacy => Box::new(legacy::Legacy::default()),
        #[cfg(feature = "nft")]
        Backend::Nft => Box::new(nft::Nft::default()),
    }
}
