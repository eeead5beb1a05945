//! `restore`: reads iptables-restore input and commits it through iptkit,
//! with iptables-restore's options.
//!
//! ```text
//! restore [-6] [-n|--noflush] [-c] [-t|-T TABLE] [--test] [-v] [-w [SECS]] [--isolated]
//!         [--backend legacy|nft|auto] [FILE]
//! ```
//!
//! The whole input is checked before anything is committed; then each table
//! is committed atomically, in order (iptables-restore commits each table at
//! its COMMIT line, so a bad line in a later table would leave the earlier
//! ones changed; here it changes nothing). `--test` plays every table onto
//! what the kernel holds, as iptables-restore does, and commits nothing.
//! `-v` names the chains it flushes, deletes and zeroes like
//! iptables-restore; it does not echo rules (that is iptables' listing
//! format).

#[path = "shared/backend.rs"]
mod backend;

use std::io::{Read, Write};
use std::time::Duration;

use clap::Parser;
use iptkit::handle::Options;
use iptkit::lock::LockWait;
use iptkit::syntax::restore::{
    parse_bytes_with, save_table_bytes_in, Command, RestoreOptions, TableBlock,
};
use iptkit::{Family, Handle, Table};

#[derive(Parser)]
#[command(about = "Apply iptables-restore input (a file or stdin) through iptkit")]
struct Args {
    /// IPv6 (ip6tables-restore).
    #[arg(short = '6', long = "ipv6")]
    ipv6: bool,
    /// Do not flush the tables first; apply the lines on top of what is there.
    #[arg(short = 'n', long = "noflush")]
    noflush: bool,
    /// Restore the [packets:bytes] counters of the input.
    #[arg(short = 'c', long = "counters")]
    counters: bool,
    /// Only restore this table; the lines of other tables are not read.
    /// (`-t TABLE` as this tool's interface promises; iptables-restore's own
    /// spelling `-T` works too.)
    #[arg(short = 't', long = "table", short_alias = 'T')]
    table: Option<String>,
    /// Only check the input against the tables; commit nothing
    /// (iptables-restore's `-t`; here `--test` only, since `-t` names a table).
    #[arg(long = "test")]
    test: bool,
    /// Name the chains flushed, deleted and zeroed.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Wait for the xtables lock: forever, or at most SECS seconds. Without
    /// it, waits forever too, as iptables-restore 1.8 does.
    #[arg(short = 'w', long = "wait", value_name = "SECS")]
    wait: Option<Option<u64>>,
    /// Accepted for compatibility and ignored (deprecated in iptables).
    #[arg(short = 'W', long = "wait-interval", value_name = "USECS")]
    wait_interval: Option<u64>,
    /// Run in a fresh private network namespace, and print the result.
    #[arg(long)]
    isolated: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
    /// The input; standard input when absent.
    file: Option<std::path::PathBuf>,
}

/// Exit codes as iptables-restore's: 2 for input it refuses to read
/// (a parameter problem), 4 when the xtables lock stays busy, 1 otherwise.
fn main() {
    let args = Args::parse();
    if let Err((code, e)) = run(&args) {
        eprintln!("restore: {e}");
        std::process::exit(code);
    }
}

fn run(args: &Args) -> Result<(), (i32, iptkit::Error)> {
    let other = |e: iptkit::Error| match e {
        e @ iptkit::Error::LockTimeout { .. } => (4, e),
        e => (1, e),
    };
    if args.isolated {
        iptkit::netns::unshare_net().map_err(other)?;
    }
    if args.wait_interval.is_some() {
        eprintln!("Ignoring deprecated --wait-interval option.");
    }
    let family = if args.ipv6 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let input = read_input(args).map_err(other)?;
    let opts = RestoreOptions {
        noflush: args.noflush,
        counters: args.counters,
        table: args.table.clone(),
    };
    let blocks = parse_bytes_with(family, &input, &opts).map_err(|e| (2, e))?;
    // The blocks own what they need: the text can go before the tables are
    // built (it is a tenth of the peak for a big file).
    drop(input);
    let options = Options {
        lock_wait: match args.wait {
            None | Some(None) => LockWait::Forever,
            Some(Some(secs)) => LockWait::Timeout(Duration::from_secs(secs)),
        },
        ..backend::options("restore", &args.backend).map_err(|e| (2, e))?
    };
    for block in blocks {
        let mut handle = Handle::open_with(family, &block.name, options.clone()).map_err(other)?;
        let dialect = handle.backend().dialect();
        if args.verbose {
            print!("{}", verbose(&block, handle.table().map_err(other)?, &opts));
        }
        // Moved into the handle (it keeps the block to replay it if the
        // table changes before the commit), not copied.
        handle.restore(block, &opts).map_err(other)?;
        if args.test {
            continue;
        }
        handle.commit().map_err(other)?;
        if args.isolated {
            let saved = save_table_bytes_in(handle.table().map_err(other)?, args.counters, dialect);
            std::io::stdout().write_all(&saved).map_err(|source| {
                other(iptkit::Error::Io {
                    op: "writing stdout".into(),
                    source,
                })
            })?;
        }
    }
    Ok(())
}

/// The input as bytes, as iptables-restore reads it (a comment need not be
/// UTF-8).
fn read_input(args: &Args) -> iptkit::Result<Vec<u8>> {
    let mut input = Vec::new();
    let res = match &args.file {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut input)),
        None => std::io::stdin().read_to_end(&mut input),
    };
    res.map_err(|source| iptkit::Error::Io {
        op: match &args.file {
            Some(path) => format!("reading {}", path.display()),
            None => "reading stdin".into(),
        },
        source,
    })?;
    Ok(input)
}

/// What iptables-restore -v says about a block: the chains its flush
/// clears and deletes, then those that `-F`, `-X` and `-Z` lines touch.
/// With --noflush it says nothing.
fn verbose(block: &TableBlock, before: &Table, opts: &RestoreOptions) -> String {
    let mut out = String::new();
    if opts.noflush {
        return out;
    }
    let line = |out: &mut String, what: &str, chain: &str| {
        out.push_str(&format!("{what} chain `{chain}'\n"));
    };
    let user = |t: &Table| -> Vec<String> {
        t.chains
            .iter()
            .filter(|c| !c.is_builtin())
            .map(|c| c.name.clone())
            .collect()
    };
    before
        .chains
        .iter()
        .for_each(|c| line(&mut out, "Flushing", &c.name));
    user(before)
        .iter()
        .for_each(|c| line(&mut out, "Deleting", c));
    for (i, (_, cmd)) in block.commands.iter().enumerate() {
        // The chains a command without a chain name touches are those of
        // that moment: replay the block up to it on a copy.
        let now = || {
            let mut t = before.clone();
            let upto = TableBlock {
                commands: block.commands[..i].to_vec(),
                chains: block
                    .chains
                    .iter()
                    .filter(|d| d.line < block.commands[i].0)
                    .cloned()
                    .collect(),
                ..block.clone()
            };
            let _ = upto.apply(&mut t, opts);
            t
        };
        let all = |t: Table| -> Vec<String> { t.chains.into_iter().map(|c| c.name).collect() };
        let (what, chains) = match cmd {
            Command::Flush(Some(c)) => ("Flushing", vec![c.clone()]),
            Command::Flush(None) => ("Flushing", all(now())),
            Command::Zero(Some(c)) => ("Zeroing", vec![c.clone()]),
            Command::Zero(None) => ("Zeroing", all(now())),
            Command::DeleteChain(Some(c)) => ("Deleting", vec![c.clone()]),
            Command::DeleteChain(None) => ("Deleting", user(&now())),
            _ => continue,
        };
        chains.iter().for_each(|c| line(&mut out, what, c));
    }
    out
}
