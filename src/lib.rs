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
//! ```
//! use iptkit::{Family, Handle, Rule, Target};
//!
//! # fn main() -> iptkit::Result<()> {
//! // A fresh private network namespace for this thread (needs root): the
//! // machine's own firewall is not touched. Leave it out to change the real one.
//! iptkit::netns::unshare_net()?;
//! // Backend::Auto: the kernel interface the machine's `iptables` uses.
//! let mut filter = Handle::open(Family::Ipv4, "filter")?;
//! filter.new_chain("ssh")?;
//! filter.append("INPUT", Rule::parse(Family::Ipv4, "-p tcp -m tcp --dport 22 -j ssh")?)?;
//! filter.append("ssh", Rule::parse(Family::Ipv4, "-s 192.0.2.0/24 -j ACCEPT")?)?;
//! filter.append("ssh", Rule::new(Family::Ipv4).with_target(Target::Drop))?;
//! filter.commit()?; // one atomic transaction
//! assert_eq!(filter.rules("ssh")?.len(), 2);
//! for rule in filter.rules("INPUT")? {
//!     println!("-A INPUT {rule}"); // -A INPUT -p tcp -m tcp --dport 22 -j ssh
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The examples in these pages run as doc tests; those that touch the
//! kernel run as root in a private network namespace, as above (the line
//! is hidden in the shorter ones).
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
//! - [`whatif`]: the verdict a table gives a packet, offline, with the path
//!   of rules it passes; [`Handle::guard`] refuses a commit that would lock
//!   out a protected flow; [`Handle::commit_confirmed`] ([`confirm`]) puts
//!   the previous rules back unless confirmed in time.
//! - [`declare`]: whole rule sets of both families as one value
//!   ([`Ruleset`]): rendered, compared with the kernel ([`RulesetDiff`]),
//!   applied or reconciled all or nothing.
//! - [`set`](mod@set): kernel sets (ipsets) for big address lists, and the match of a rule on one.
//! - [`error`]: the one [`Error`] type; match on its variants to tell what
//!   went wrong (a missing chain, a rule the kernel refused, ...).

#![warn(missing_docs)]
// `unsafe` lives only in `iptkit-sys` and in the backend's FFI and socket
// modules, which opt in one by one (`#[allow(unsafe_code)]` on their `mod`).
#![deny(unsafe_code)]

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
    let digit = |out: &mut String, d: u64| out.push(char::from(b'0' + (d % 10) as u8));
    // Three digits at a time: most numbers printed (octets, prefix lengths,
    // ports) take one step.
    let low = v % 1000;
    if v >= 1000 {
        push_uint(out, v / 1000);
        digit(out, low / 100);
        digit(out, low / 10);
    } else {
        if low >= 100 {
            digit(out, low / 100);
        }
        if low >= 10 {
            digit(out, low / 10);
        }
    }
    digit(out, low);
}

pub mod addr;
pub mod allowlist;
pub mod backend;
pub mod blocklist;
pub mod confirm;
pub mod declare;
pub mod defense;
pub mod error;
pub mod extension;
#[doc(hidden)]
pub mod fuzz;
pub mod handle;
pub mod iface;
pub mod inv;
pub mod lists;
pub mod lock;
pub mod matches;
pub mod names;
pub mod netns;
pub(crate) mod pairing;
pub mod restore;
pub mod rule;
pub mod ruleset;
pub mod set;
pub mod syntax;
pub mod targets;
#[cfg(test)]
pub(crate) mod testutil;
pub mod whatif;
pub(crate) mod xtopt;

pub use addr::{Family, Net};
pub use backend::Backend;
pub use declare::{Ruleset, RulesetDiff};
pub use error::{Error, Refusal, Result};
pub use handle::{Handle, Options};
pub use iface::Iface;
pub use inv::Inv;
pub use lock::LockWait;
pub use matches::Match;
pub use rule::{Counters, ForeignRule, Rule};
pub use ruleset::{Chain, Policy, Table};
pub use targets::{Target, TargetExt};

#[cfg(test)]
mod tests {
    #[test]
    fn push_uint_prints_as_display_does() {
        let mut values = vec![
            0,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            1001,
            1010,
            65535,
            u64::MAX,
        ];
        values.extend((0..64).map(|s| 1u64 << s));
        values.extend((0..20).map(|e| 10u64.pow(e)));
        values.extend((0..20).map(|e| 10u64.pow(e) - 1));
        for v in values {
            let mut out = String::from("x");
            super::push_uint(&mut out, v);
            assert_eq!(out, format!("x{v}"));
        }
    }
}
