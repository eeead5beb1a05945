//! `restore`: reads iptables-restore input and commits it through iptkit,
//! with iptables-restore's options.
//!
//! ```text
//! restore [-c] [-v] [-V] [-t] [-h] [-n] [-w [SECS]] [-W USECS] [-T TABLE] [-M COMMAND]
//!         [-6] [--isolated] [--backend legacy|nft|auto] [FILE]
//! ```
//!
//! The flags are iptables-restore 1.8.9's: `-t/--test` checks and commits
//! nothing, `-T/--table TABLE` restores one table, `-n/--noflush`,
//! `-c/--counters`, `-v/--verbose`, `-w/--wait [SECS]` (`-w 5` or
//! `--wait=5`; a word after `-w` that is not a number is an error, as
//! there), `-W/--wait-interval` (deprecated there, ignored here, and only
//! with `-w`), `-M/--modprobe` (accepted and ignored: iptkit never starts a
//! process, the kernel loads what it needs), `-V/--version`, `-h/--help`.
//! iptkit's own: `-6` (ip6tables-restore), `--isolated` and `--backend`.
//! Exit codes are iptables-restore's: 0; 1 for an unknown option, an input
//! that cannot be read or a table the kernel refuses; 2 for a line it
//! refuses (a parameter problem, also `-w` with a word that is no number);
//! 4 when the xtables lock stays busy.
//!
//! The input lands whole or not at all ([`iptkit::restore::apply_bytes`],
//! which parses each line as it plays it): every table is read, played and
//! checked before anything is committed; on nf_tables all tables go in one batch; on legacy (one SET_REPLACE per
//! table) a table the kernel refuses puts the tables committed before it
//! back as they were, counters included, and the error says so (or names
//! the tables left changed, if putting back failed too). iptables-restore
//! commits each table at its COMMIT line instead, so a refused later table
//! leaves the earlier ones changed. `--test` plays every table onto what the
//! kernel holds, as iptables-restore does, and commits nothing. `-v` names
//! the chains it flushes, deletes and zeroes like iptables-restore, once
//! the input is applied; it does not echo rules (that is iptables' listing
//! format).

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use std::io::{Read, Write};

use clap::error::ErrorKind;
use clap::Parser;
use iptkit::lock::LockWait;
use iptkit::syntax::restore::{
    parse_bytes_with, save_table_bytes_as, Command, RestoreOptions, TableBlock,
};
use iptkit::{restore, Handle, Table};

#[derive(Parser)]
#[command(
    about = "Apply iptables-restore input (a file or stdin) through iptkit",
    version
)]
struct Args {
    /// Restore the [packets:bytes] counters of the input.
    #[arg(short = 'c', long = "counters")]
    counters: bool,
    /// Name the chains flushed, deleted and zeroed.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// Only check the input against the tables; commit nothing.
    #[arg(short = 't', long = "test")]
    test: bool,
    /// Do not flush the tables first; apply the lines on top of what is there.
    #[arg(short = 'n', long = "noflush")]
    noflush: bool,
    #[command(flatten)]
    wait: wait::Wait,
    /// Accepted for compatibility and ignored (deprecated in iptables);
    /// only with -w.
    #[arg(short = 'W', long = "wait-interval", value_name = "USECS")]
    wait_interval: Option<Option<u64>>,
    /// Only restore this table; the lines of other tables are not read.
    #[arg(short = 'T', long = "table")]
    table: Option<String>,
    /// Accepted and ignored: iptkit never starts a modprobe (or any other
    /// process); the kernel loads the modules a table needs.
    #[arg(short = 'M', long = "modprobe", value_name = "COMMAND")]
    modprobe: Option<String>,
    #[command(flatten)]
    common: backend::Common,
    /// The input; standard input when absent.
    file: Option<std::path::PathBuf>,
}

/// Exit codes as iptables-restore's: 2 for input it refuses to read
/// (a parameter problem), 4 when the xtables lock stays busy, 1 otherwise.
fn main() {
    let args = Args::try_parse().unwrap_or_else(|e| {
        let code = match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
            // "wait seconds not numeric" is a parameter problem there.
            ErrorKind::ValueValidation => 2,
            _ => 1,
        };
        let _ = e.print();
        std::process::exit(code);
    });
    if let Err((code, e)) = run(&args) {
        eprintln!("restore: {e}");
        std::process::exit(code);
    }
}

fn run(args: &Args) -> Result<(), (i32, iptkit::Error)> {
    let other = |e: iptkit::Error| (wait::exit_code(&e), e);
    args.common.enter_namespace().map_err(other)?;
    if args.wait_interval.is_some() {
        eprintln!("Ignoring deprecated --wait-interval option.");
        if args.wait.wait.is_none() {
            eprintln!("Option --wait-interval requires option --wait");
            std::process::exit(1);
        }
    }
    if let Some(cmd) = &args.modprobe {
        eprintln!("restore: ignoring --modprobe {cmd}: iptkit starts no process");
    }
    let family = args.common.family();
    let input = read_input(args).map_err(other)?;
    let opts = RestoreOptions {
        noflush: args.noflush,
        counters: args.counters,
        table: args.table.clone(),
    };
    let parse = || parse_bytes_with(family, &input, &opts).map_err(|e| (2, e));
    // -v tells what the blocks did: it needs them parsed.
    let blocks = match args.verbose {
        true => parse()?,
        false => Vec::new(),
    };
    // Without -w, iptables-restore 1.8 waits as long as it takes too.
    let options = args
        .common
        .options("restore")
        .map_err(|e| (2, e))?
        .lock_wait(args.wait.lock_wait(LockWait::Forever));
    let dialect = options.backend.resolve().0.dialect();
    // The input is parsed as it is played, never held parsed whole.
    let played = match args.test {
        true => restore::check_bytes(family, &input, &opts, &options),
        false => restore::apply_bytes(family, &input, &opts, &options),
    };
    // A line that does not parse is a parameter problem, whatever else
    // went wrong first.
    let played = played.map_err(|e| parse().err().unwrap_or_else(|| other(e)))?;
    for (k, played) in played.into_iter().enumerate() {
        // With --noflush, -v says nothing, and the table may not be read.
        // Blocks and what they did go in input order.
        if let (Some(block), Some(before)) = (blocks.get(k), &played.before) {
            print!("{}", verbose(block, before, &opts));
        }
        if args.common.isolated && !args.test {
            let after = match played.after {
                Some(t) => t,
                None => Handle::open_with(family, &played.table, options.clone())
                    .and_then(|mut h| h.table().cloned())
                    .map_err(other)?,
            };
            let saved = save_table_bytes_as(&after, args.counters, dialect);
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
