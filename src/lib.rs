//! iptkit: read and change the Linux firewall from Rust, the way libiptc and
//! python-iptables do, without spawning `iptables`.
//!
//! The firewall is plain data — [`Table`], [`Chain`], [`Rule`], [`Match`],
//! [`Target`] — that you can build, compare and print (in the exact
//! `iptables-save` dialect) without root. A [`Handle`] stands for one table
//! of the kernel: it reads it when it first needs to (appends and inserts
//! at the head of a chain need no read at all; on nf_tables a change to one
//! chain reads that chain), takes your changes, and commits them
//! atomically, holding the same
//! `/run/xtables.lock` the iptables binary takes and replaying your changes
//! onto a fresh read, so a concurrent `iptables` or another handle never
//! loses a change.
//!
//! ```no_run
//! use iptkit::{Family, Handle, Rule, Target};
//!
//! # fn main() -> iptkit::Result<()> {
//! // Everything below runs in a private network namespace: safe to try as root.
//! iptkit::netns::unshare_net()?;
//! let mut filter = Handle::open(Family::Ipv4, "filter")?;
//! filter.new_chain("ssh")?;
//! filter.append("INPUT", Rule::parse(Family::Ipv4, "-p tcp -m tcp --dport 22 -j ssh")?)?;
//! filter.append("ssh", Rule::parse(Family::Ipv4, "-s 192.0.2.0/24 -j ACCEPT")?)?;
//! filter.append("ssh", Rule::new(Family::Ipv4).with_target(Target::Drop))?;
//! filter.commit()?;
//! for rule in filter.rules("INPUT")? {
//!     println!("-A INPUT {rule}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Map
//!
//! - [`rule`], [`ruleset`]: the data model; [`ruleset`] also has the edits
//!   iptables commands make (`-A`, `-I`, `-D`, `-N`, `-X`, `-E`, `-P`, ...).
//! - [`matches`](mod@matches), [`targets`]: one typed codec per extension (kernel struct
//!   both ways, iptables words both ways); anything without a codec is kept as
//!   raw bytes, so nothing read from the kernel is lost.
//! - [`syntax`]: rule specs and whole iptables-save / iptables-restore files;
//!   [`restore`](mod@restore): a whole restore input applied all or nothing.
//! - [`handle`]: the kernel API; [`backend`]: the kernel interfaces (legacy
//!   xtables, and nf_tables in iptables-nft's layout with the `nft` feature); [`lock`]: the xtables lock; [`netns`]: network namespaces.
//! - [`allowlist`], [`blocklist`]: the common jobs, as pure table changes.

#![warn(missing_docs)]

/// Appends formatted text to a `String` (`push_fmt!(out, " --mark {m:#x}")`):
/// what `out.push_str(&format!(..))` does, without the temporary `String`.
/// The extensions print saved tables through it. (Defined before the
/// modules, so that every one of them sees it.)
macro_rules! push_fmt {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = $out.write_fmt(format_args!($($arg)*));
    }};
}

/// Appends `v` in decimal, as `{v}` prints it, digit by digit: a saved
/// table prints several numbers per rule (addresses, ports, counters), and
/// the formatting machinery costs more than the digits.
pub(crate) fn push_uint(out: &mut String, v: u64) {
    if v >= 10 {
        push_uint(out, v / 10);
    }
    out.push(char::from(b'0' + (v % 10) as u8));
}

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
pub mod restore;
pub mod rule;
pub mod ruleset;
pub mod syntax;
pub mod targets;
#[cfg(test)]
pub(crate) mod testutil;
pub(crate) mod xtopt;

pub use addr::{Family, Net};
pub use backend::Backend;
pub use error::{Error, Refusal, Result};
pub use handle::{Handle, Options};
pub use iface::Iface;
pub use inv::Inv;
pub use lock::LockWait;
pub use matches::Match;
pub use rule::{Counters, Rule};
pub use ruleset::{Chain, Policy, Table};
pub use targets::{Target, TargetExt};
