//! The xtables lock: the same `flock` the iptables binary takes around every
//! read-modify-commit, so that iptkit and `iptables` never interleave.
//!
//! The lock is an exclusive `flock` on `/run/xtables.lock`, or on the file
//! named by `$XTABLES_LOCKFILE` when that is set and not empty, created with
//! mode 0600 when missing. It is a path in the file system, so it is shared
//! by every network namespace of the machine. libiptc itself takes no lock;
//! `iptables`, `iptables-restore` (from `*table` to `COMMIT`) and iptkit do.
//!
//! `flock` locks belong to an open file description: two [`Lock`]s in one
//! process exclude each other just as two processes do.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::error::{Error, Result};

/// Where iptables keeps its lock unless `XTABLES_LOCKFILE` says otherwise.
pub const DEFAULT_LOCK_PATH: &str = "/run/xtables.lock";

/// How often a [`LockWait::Timeout`] tries again. iptables polls once a
/// second by default (`-W`); a library caller is usually waiting for a short
/// iptables run, so it tries much more often.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// How long to wait when another process holds the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockWait {
    /// Try once; fail at once when the lock is held (iptables without `-w`).
    NoWait,
    /// Try until this much time has passed (`iptables -w SECONDS`).
    Timeout(Duration),
    /// Wait as long as it takes (`iptables -w`).
    Forever,
}

impl Default for LockWait {
    /// Ten seconds. Waiting forever can hang a service behind a stuck
    /// `iptables`; not waiting at all fails whenever a firewall script runs
    /// at the same moment. Ten seconds outlasts any normal iptables run
    /// and still surfaces a stuck lock holder as [`Error::LockTimeout`].
    fn default() -> LockWait {
        LockWait::Timeout(Duration::from_secs(10))
    }
}

/// The lock file iptables would use: `$XTABLES_LOCKFILE` when set and not
/// empty, else [`DEFAULT_LOCK_PATH`].
pub fn lock_path() -> PathBuf {
    match std::env::var_os("XTABLES_LOCKFILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_LOCK_PATH),
    }
}

/// The held xtables lock; dropping it releases the lock.
#[derive(Debug)]
pub struct Lock {
    _held: Flock<File>,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock iptables takes ([`lock_path`]).
    pub fn acquire(wait: LockWait) -> Result<Lock> {
        Lock::acquire_at(lock_path(), wait)
    }

    /// Takes an exclusive `flock` on the file at `path`, creating it (mode
    /// 0600) when missing.
    pub fn acquire_at(path: impl AsRef<Path>, wait: LockWait) -> Result<Lock> {
        let path = path.as_ref().to_path_buf();
        let started = Instant::now();
        let mut file = open_lock_file(&path)?;
        loop {
            let arg = match wait {
                LockWait::Forever => FlockArg::LockExclusive,
                _ => FlockArg::LockExclusiveNonblock,
            };
            match Flock::lock(file, arg) {
                Ok(held) => return Ok(Lock { _held: held, path }),
                Err((f, Errno::EINTR)) => file = f,
                Err((f, Errno::EWOULDBLOCK)) => {
                    let waited = started.elapsed();
                    let limit = match wait {
                        LockWait::Timeout(limit) => limit,
                        _ => Duration::ZERO,
                    };
                    if waited >= limit {
                        return Err(Error::LockTimeout {
                            path: path.display().to_string(),
                            waited_ms: waited.as_millis() as u64,
                        });
                    }
                    std::thread::sleep(POLL_INTERVAL.min(limit - waited));
                    file = f;
                }
                Err((_, errno)) => {
                    return Err(Error::Io {
                        op: format!("locking {}", path.display()),
                        source: errno.into(),
                    })
                }
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens (creating with mode 0600, as iptables does) the lock file. Only a
/// descriptor is needed for `flock`; a file we may not write is opened read
/// only.
fn open_lock_file(path: &Path) -> Result<File> {
    let created = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path);
    let op = || format!("opening the xtables lock file {}", path.display());
    match created {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => File::open(path),
        Err(e) => Err(e),
    }
    .map_err(|source| match source.kind() {
        // Not even readable: the lock belongs to root, as the firewall does.
        std::io::ErrorKind::PermissionDenied => Error::NotPermitted { op: op() },
        _ => Error::Io { op: op(), source },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::mpsc;

    fn private_path(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("iptkit-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn creates_the_file_with_mode_0600() {
        let p = private_path("mode");
        let l = Lock::acquire_at(&p, LockWait::NoWait).unwrap();
        assert_eq!(l.path(), p);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(l);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn a_second_holder_waits_or_times_out() {
        let p = private_path("contend");
        let first = Lock::acquire_at(&p, LockWait::NoWait).unwrap();
        let (tx, rx) = mpsc::channel();
        let p2 = p.clone();
        let t = std::thread::spawn(move || {
            // Another open file description, as another process would have.
            let no_wait = Lock::acquire_at(&p2, LockWait::NoWait);
            let short = Lock::acquire_at(&p2, LockWait::Timeout(Duration::from_millis(30)));
            tx.send(()).unwrap();
            let long = Lock::acquire_at(&p2, LockWait::Timeout(Duration::from_secs(30)));
            (no_wait.is_err(), short, long.is_ok())
        });
        rx.recv().unwrap();
        drop(first);
        let (no_wait_failed, short, long_ok) = t.join().unwrap();
        assert!(no_wait_failed);
        assert!(matches!(short, Err(Error::LockTimeout { .. })), "{short:?}");
        assert!(long_ok);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn forever_waits_for_release() {
        let p = private_path("forever");
        let first = Lock::acquire_at(&p, LockWait::NoWait).unwrap();
        let p2 = p.clone();
        let t = std::thread::spawn(move || Lock::acquire_at(&p2, LockWait::Forever).is_ok());
        std::thread::sleep(Duration::from_millis(20));
        drop(first);
        assert!(t.join().unwrap());
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn default_wait_is_ten_seconds() {
        assert_eq!(
            LockWait::default(),
            LockWait::Timeout(Duration::from_secs(10))
        );
    }
}
