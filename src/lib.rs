//! iptkit: read and change the Linux firewall from Rust, the way libiptc and
//! python-iptables do, without spawning `iptables`.

#![warn(missing_docs)]

pub mod addr;
pub mod allowlist;
pub mod backend;
pub mod blocklist;
pub mod error;
pub mod extension;
pub mod handle;
pub mod iface;
pub mod inv;
pub mod lock;
pub mod matches;
pub mod names;
pub mod netns;
pub mod rule;
pub mod ruleset;
pub mod syntax;
pub mod targets;

pub use addr::{Family, Net};
pub use backend::Backend;
pub use error::{Error, Result};
pub use handle::{Handle, Options};
pub use iface::Iface;
pub use inv::Inv;
pub use lock::LockWait;
pub use matches::Match;
pub use rule::{Counters, Rule};
pub use ruleset::{Chain, Policy, Table};
pub use targets::{Target, TargetExt};
