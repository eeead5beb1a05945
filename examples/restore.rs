//! `restore`: reads iptables-restore input from stdin and commits it through iptkit.
//!
//! ```text
//! restore [-6] [-n|--noflush] [-c] [-t TABLE] [--test] [--isolated] < rules
//! ```
//!
//! The whole input is checked before anything is committed; then each table
//! is committed atomically, in order (iptables-restore commits each table at
//! its COMMIT line, so a syntax error in a later table would leave the earlier
//! ones changed; here it changes nothing).

use std::io::Read;

use clap::Parser;
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{Family, Handle};

#[derive(Parser)]
#[command(about = "Apply iptables-restore input (stdin) through iptkit")]
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
    /// Only restore this table.
    #[arg(short = 't', long = "table", alias = "T")]
    table: Option<String>,
    /// Only check the input; commit nothing.
    #[arg(long)]
    test: bool,
    /// Run in a fresh private network namespace, and print the result.
    #[arg(long)]
    isolated: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("restore: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> iptkit::Result<()> {
    if args.isolated {
        iptkit::netns::unshare_net()?;
    }
    let family = if args.ipv6 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|source| iptkit::Error::Io {
            op: "reading stdin".into(),
            source,
        })?;
    let blocks = parse(family, &input)?;
    if args.test {
        return Ok(());
    }
    let opts = RestoreOptions {
        noflush: args.noflush,
        counters: args.counters,
        table: args.table.clone(),
    };
    let handle_opts = options(&args.backend)?;
    for block in blocks
        .iter()
        .filter(|b| args.table.as_ref().is_none_or(|t| *t == b.name))
    {
        let mut handle = Handle::open_with(family, &block.name, handle_opts.clone())?;
        let (block, opts) = (block.clone(), opts.clone());
        handle.edit(move |t| block.apply(t, &opts))?;
        handle.commit()?;
        if args.isolated {
            print!("{}", save_table(handle.table(), args.counters));
        }
    }
    Ok(())
}

/// Handle options for `--backend`; `auto` says on stderr what it picked.
fn options(backend: &str) -> iptkit::Result<iptkit::Options> {
    let asked: iptkit::Backend = backend.parse()?;
    let (backend, why) = asked.resolve();
    if asked == iptkit::Backend::Auto {
        eprintln!("restore: backend {backend}: {why}");
    }
    Ok(iptkit::Options {
        backend,
        ..iptkit::Options::default()
    })
}
