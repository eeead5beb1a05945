//! `allowlist`: replaces an allowlist chain with one ACCEPT per listed
//! address and a final DROP, hooked from INPUT once; from a plain address
//! list or from a groups file (server roles), in one chain or in a chain
//! per group. The table is saved to a backup file before every change, and
//! `--rollback` puts it back.
//!
//! ```text
//! allowlist [-6] [--chain NAME] [--iface IF] [--ports P,..] [--backup FILE]
//!           [-w [SECS]] [--isolated] [--backend legacy|nft|auto] FILE
//! allowlist [-6] [--chain NAME] [--iface IF] [--ports P,..] [--backup FILE]
//!           [...] --groups FILE [--per-group]
//! allowlist [-6] [--backup FILE] [-w [SECS]] [...] --rollback
//! ```
//!
//! `-w` waits for the xtables lock forever, `-w SECS` at most that long;
//! without it, 10 seconds (iptkit's default). A lock that stays busy exits
//! with 4, as iptables does.
//!
//! FILE holds one address or CIDR per line; `#` starts a comment. The
//! previous list also stays in chain `NAME-prev`.
//!
//! `--groups FILE` reads a groups file instead: `web: 192.0.2.10
//! 192.0.2.11` a line (`iptkit::allowlist::parse_groups`); it may hold both
//! families, and each run takes the addresses of its own. All groups go in
//! chain NAME, each address once; with `--per-group`, NAME jumps to one
//! chain `NAME-GROUP` per group (`iptkit::allowlist::FleetAllowlist`). A
//! group chain that left the file is deleted.
//!
//! Before every change (a rollback too) the filter table, as iptables-save
//! prints it, is written to the backup file (`--backup`, by default
//! `/var/lib/iptkit/allowlist.v4.rules`, `.v6.rules` with `-6`; with
//! `--isolated`, a scratch file removed at the end). The change
//! is one atomic commit; when it fails, the backup file keeps what it held.
//! `--rollback` restores the backup atomically (the whole filter table, as
//! `iptables-restore` would), saving what it replaces there in turn, so a
//! second rollback undoes the first. A bad file changes nothing, not even
//! the backup.

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/backup.rs"]
mod backup;
#[path = "shared/wait.rs"]
mod wait;

use std::path::{Path, PathBuf};

use clap::Parser;
use iptkit::allowlist::{parse_addresses, parse_groups, Allowlist, FleetAllowlist, Layout};
use iptkit::syntax::restore::{save_table_as, RestoreOptions};
use iptkit::{Family, Handle, Iface, Table};

#[derive(Parser)]
#[command(
    about = "Atomically replace an allowlist chain (from an address list or a groups file); \
                   roll back to the rules before the last change"
)]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// The allowlist chain (with --per-group, also the prefix of the group chains).
    #[arg(long, default_value = "ALLOWLIST")]
    chain: String,
    /// Only check traffic arriving on this interface.
    #[arg(long)]
    iface: Option<String>,
    /// Only check TCP traffic to these ports (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ports: Vec<u16>,
    /// Read a groups file (`group: addr addr ...` a line) instead of an address list.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    groups: Option<PathBuf>,
    /// One chain per group, NAME-GROUP, each jumped to from NAME (with --groups).
    #[arg(long, requires = "groups")]
    per_group: bool,
    /// The backup file [default: /var/lib/iptkit/allowlist.v4.rules, or .v6.rules with -6;
    /// with --isolated, a scratch file].
    #[arg(long, value_name = "FILE")]
    backup: Option<PathBuf>,
    /// Restore the rules saved in the backup file instead (a second rollback undoes the first).
    #[arg(long, conflicts_with_all = ["file", "groups"])]
    rollback: bool,
    #[command(flatten)]
    wait: wait::Wait,
    /// The address file.
    #[arg(required_unless_present_any = ["rollback", "groups"])]
    file: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("allowlist: {e}");
        std::process::exit(wait::exit_code(&e));
    }
}

/// What a run puts in the table.
#[derive(Clone)]
enum Change {
    List(Allowlist),
    Fleet(FleetAllowlist),
}

impl Change {
    fn apply(&self, table: &mut Table) -> iptkit::Result<()> {
        match self {
            Change::List(list) => list.apply(table),
            Change::Fleet(fleet) => fleet.apply(table),
        }
    }

    fn describe(&self, family: Family) -> String {
        match self {
            Change::List(list) => format!(
                "{}: {} addresses allowed; previous list kept in {}",
                list.chain,
                list.addresses.len(),
                list.previous_chain()
            ),
            Change::Fleet(fleet) => format!(
                "{}: {} addresses of {} groups allowed, in {}",
                fleet.chain,
                fleet.address_count(family),
                fleet.groups.len(),
                fleet.chains().join(", ")
            ),
        }
    }
}

fn read(path: &Path) -> iptkit::Result<String> {
    std::fs::read_to_string(path).map_err(|source| iptkit::Error::Io {
        op: format!("reading {}", path.display()),
        source,
    })
}

fn change(args: &Args, family: Family) -> iptkit::Result<Change> {
    let iface = args.iface.as_deref().map(Iface::new).transpose()?;
    if let Some(path) = &args.groups {
        let groups = parse_groups(&read(path)?).map_err(|e| in_file(path, e))?;
        let layout = match args.per_group {
            true => Layout::PerGroup,
            false => Layout::OneChain,
        };
        return Ok(Change::Fleet(FleetAllowlist {
            iface,
            ports: args.ports.clone(),
            layout,
            ..FleetAllowlist::new(&args.chain, groups)
        }));
    }
    let path = args.file.as_deref().expect("clap requires FILE");
    let text = read(path)?;
    let addresses = parse_addresses(family, &text).map_err(|e| match parse_groups(&text) {
        Ok(g) if !g.is_empty() => {
            in_file(path, e).hinted("it reads as a groups file: use --groups")
        }
        _ => in_file(path, e),
    })?;
    Ok(Change::List(Allowlist {
        chain: args.chain.clone(),
        hook: "INPUT".into(),
        iface,
        ports: args.ports.clone(),
        addresses,
    }))
}

/// Names the file in an error about one of its lines.
fn in_file(path: &Path, e: iptkit::Error) -> FileError {
    FileError(format!("{}: {e}", path.display()))
}

/// An error about a line of an input file, before it becomes an
/// [`iptkit::Error`].
struct FileError(String);

impl FileError {
    fn hinted(self, hint: &str) -> FileError {
        FileError(format!("{} ({hint})", self.0))
    }
}

impl From<FileError> for iptkit::Error {
    fn from(e: FileError) -> iptkit::Error {
        iptkit::Error::Syntax(e.0)
    }
}

fn run(args: &Args) -> iptkit::Result<()> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    // An isolated run's table dies with its namespace: its backup must not
    // take the place of the machine's (a later --rollback would put an
    // empty table on the machine), so it gets a file of its own, removed
    // at the end.
    let scratch = args.common.isolated && args.backup.is_none();
    let backup_path = match &args.backup {
        Some(path) => path.clone(),
        None if scratch => std::env::temp_dir().join(format!(
            "iptkit-allowlist-isolated-{}.rules",
            std::process::id()
        )),
        None => backup::default_path("allowlist", family),
    };
    let done = deploy(args, family, &backup_path);
    if scratch {
        std::fs::remove_file(&backup_path).ok();
    }
    done
}

fn deploy(args: &Args, family: Family, backup_path: &Path) -> iptkit::Result<()> {
    // Everything is read and checked before the table is touched.
    let change = match args.rollback {
        true => None,
        false => Some(change(args, family)?),
    };
    let mut options = args.common.options("allowlist")?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let mut handle = Handle::open_with(family, "filter", options)?;
    // Legacy: from the read to the commit, as one iptables command, so the
    // backup is exactly the table the change replaces.
    handle.hold_lock()?;
    handle.table()?;
    let before = backup::snapshot(&mut handle)?;
    match &change {
        None => {
            let text = backup::read(backup_path, &handle)?;
            handle.restore_text(&text, &RestoreOptions::default())?;
        }
        Some(change) => {
            // `edit` keeps the closure for a replay at commit: its own copy.
            let change = change.clone();
            handle.edit(move |t| change.apply(t))?;
        }
    }
    backup::save_then(backup_path, &before, || handle.commit())?;
    match &change {
        None => println!(
            "restored the filter table from {}; the rules it replaced are saved there",
            backup_path.display()
        ),
        Some(change) => println!(
            "{}; previous rules saved to {}",
            change.describe(family),
            backup_path.display()
        ),
    }
    if args.common.isolated {
        let dialect = handle.backend().dialect();
        print!("{}", save_table_as(handle.table()?, false, dialect));
    }
    Ok(())
}
