//! Network namespaces: run firewall work against another namespace, or a
//! fresh private one.
//!
//! Linux keeps the network namespace per thread. What moves and what does not:
//!
//! - [`unshare_net`], [`enter`] and [`enter_pid`] move only the calling
//!   thread. Other threads of the process stay where they are.
//! - Threads the moved thread spawns afterwards, and processes it starts
//!   (child processes of every kind), inherit its namespace.
//! - A socket keeps the namespace it was created in for its whole life: a
//!   [`Handle`](crate::Handle) opened in a namespace keeps working on that
//!   namespace's tables even when it is moved to another thread.
//! - The file system, the environment (`XTABLES_LOCKFILE`) and so the
//!   xtables lock file are not per namespace: they stay shared.
//!
//! The test suite calls [`unshare_net`] first in every test that touches the
//! kernel, so that no test can change the machine's own firewall. To try
//! rules without touching the machine's firewall, run them in a fresh
//! namespace (needs root, or CAP_SYS_ADMIN and CAP_NET_ADMIN):
//!
//! ```
//! use iptkit::{Family, Handle, Rule};
//! let here = std::fs::read_link("/proc/thread-self/ns/net")?;
//! let rules = iptkit::netns::run_isolated(|| -> iptkit::Result<usize> {
//!     let mut h = Handle::open(Family::Ipv4, "filter")?;
//!     h.append("INPUT", Rule::parse(Family::Ipv4, "-j DROP")?)?;
//!     h.commit()?;
//!     Ok(h.rules("INPUT")?.len())
//! })??; // the namespace's error, then the closure's
//! assert_eq!(rules, 1);
//! assert_eq!(std::fs::read_link("/proc/thread-self/ns/net")?, here); // this thread stayed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::path::Path;

use nix::sched::CloneFlags;

use crate::error::{Error, Result};

/// Moves the calling thread into a new, empty network namespace (only a
/// down loopback interface, no firewall rules).
///
/// Needs CAP_SYS_ADMIN. The namespace lives as long as something uses it:
/// this thread, threads and processes started from it, or sockets opened in
/// it.
///
/// ```
/// let before = std::fs::read_link("/proc/thread-self/ns/net")?;
/// iptkit::netns::unshare_net()?;
/// assert_ne!(std::fs::read_link("/proc/thread-self/ns/net")?, before);
/// // A Handle opened now works on the new namespace's (empty) tables.
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unshare_net() -> Result<()> {
    nix::sched::unshare(CloneFlags::CLONE_NEWNET).map_err(|e| ns_error("unshare(CLONE_NEWNET)", e))
}

/// Moves the calling thread into the network namespace at `path`, such as
/// `/run/netns/NAME` (made by `ip netns add`) or `/proc/PID/ns/net`.
pub fn enter(path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let op = format!("entering network namespace {}", path.display());
    let file = File::open(path).map_err(|source| Error::Io {
        op: op.clone(),
        source,
    })?;
    nix::sched::setns(&file, CloneFlags::CLONE_NEWNET).map_err(|e| ns_error(&op, e))
}

/// Moves the calling thread into the network namespace of process `pid`.
///
/// ```
/// let home = std::fs::read_link("/proc/self/ns/net")?; // the main thread's
/// std::thread::spawn(move || -> iptkit::Result<()> {
///     iptkit::netns::unshare_net()?;
///     iptkit::netns::enter_pid(std::process::id())?; // back to the main thread's
///     assert_eq!(std::fs::read_link("/proc/thread-self/ns/net").unwrap(), home);
///     Ok(())
/// })
/// .join()
/// .unwrap()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn enter_pid(pid: u32) -> Result<()> {
    enter(format!("/proc/{pid}/ns/net"))
}

/// Runs `f` with the calling thread in the network namespace at `path`, and
/// moves the thread back to where it was afterwards, whatever `f` returns.
/// Sockets `f` opens stay in that namespace ([`Handle::open_in`] is built
/// on this). Nothing else moves; no thread is started.
///
/// Fails when the thread cannot go back: then it is left in the namespace
/// at `path`, which the error names.
///
/// [`Handle::open_in`]: crate::Handle::open_in
pub fn within<T>(path: impl AsRef<Path>, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let home_path = "/proc/thread-self/ns/net";
    let home = File::open(home_path).map_err(|source| Error::Io {
        op: format!("opening {home_path}"),
        source,
    })?;
    enter(&path)?;
    let out = f();
    nix::sched::setns(&home, CloneFlags::CLONE_NEWNET).map_err(|e| {
        ns_error(
            &format!(
                "returning from network namespace {} (the thread stays in it)",
                path.as_ref().display()
            ),
            e,
        )
    })?;
    out
}

/// Runs `f` on a new thread inside a fresh network namespace, and returns
/// its result. The calling thread does not move; the namespace disappears
/// when `f` returns, unless `f` left something behind that holds it (a
/// process, a bind mount).
///
/// A panic in `f` is passed on to the caller.
pub fn run_isolated<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T> {
    std::thread::scope(|s| {
        let worker = s.spawn(|| -> Result<T> {
            unshare_net()?;
            Ok(f())
        });
        match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

fn ns_error(op: &str, errno: nix::errno::Errno) -> Error {
    match errno {
        nix::errno::Errno::EPERM => Error::NotPermitted { op: op.to_string() },
        errno => Error::Kernel {
            op: op.to_string(),
            errno: crate::error::Errno::of(errno),
            context: "the kernel refused to change the thread's network namespace".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> String {
        std::fs::read_link("/proc/thread-self/ns/net")
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn process() -> String {
        std::fs::read_link("/proc/self/ns/net")
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn unshare_moves_only_this_thread() {
        let before = current();
        std::thread::spawn(move || {
            unshare_net().expect("unshare needs root");
            let after = current();
            assert_ne!(before, after);
            // The main thread (what /proc/self names) stays where it was.
            assert_eq!(process(), before);
            // A thread spawned from here inherits the new namespace.
            let child = std::thread::spawn(current).join().unwrap();
            assert_eq!(child, after);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn run_isolated_does_not_move_the_caller() {
        let before = current();
        let inside = run_isolated(current).expect("unshare needs root");
        assert_ne!(inside, before);
        assert_eq!(current(), before);
    }

    #[test]
    fn enter_pid_goes_back() {
        let home = current();
        std::thread::spawn(move || {
            unshare_net().expect("unshare needs root");
            assert_ne!(current(), home);
            enter_pid(std::process::id()).unwrap();
            assert_eq!(current(), home);
        })
        .join()
        .unwrap();
    }
}
