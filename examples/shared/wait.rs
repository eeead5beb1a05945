//! `-w/--wait [SECS]`, as every example tool that takes the xtables lock
//! takes it (iptables' spelling: `-w`, `-w 5`, `--wait=5`).

use std::time::Duration;

use iptkit::lock::LockWait;

#[derive(clap::Args, Debug)]
pub struct Wait {
    /// Wait for the xtables lock: forever, or at most SECS seconds.
    #[arg(short = 'w', long = "wait", value_name = "SECS")]
    pub wait: Option<Option<u64>>,
}

impl Wait {
    /// How long to wait: `without` when `-w` was not given.
    pub fn lock_wait(&self, without: LockWait) -> LockWait {
        match self.wait {
            None => without,
            Some(None) => LockWait::Forever,
            Some(Some(secs)) => LockWait::Timeout(Duration::from_secs(secs)),
        }
    }
}

/// The exit code iptables gives for an error: 4 when the xtables lock
/// stayed busy (RESOURCE_PROBLEM), 1 otherwise.
pub fn exit_code(e: &iptkit::Error) -> i32 {
    match e {
        iptkit::Error::LockTimeout { .. } => 4,
        _ => 1,
    }
}
