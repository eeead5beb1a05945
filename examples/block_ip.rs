//! `block_ip`: blocks (or unblocks) addresses and networks, idempotently.
//!
//! ```text
//! block_ip [-6] [--chain INPUT] [--unblock] [-w [SECS]] [--isolated]
//!          [--backend legacy|nft|auto] ADDR_OR_CIDR...
//! ```
//!
//! Blocking inserts one `-s NET -j DROP` rule per network at the top of the
//! chain, unless it is there already; unblocking removes them, and is not an
//! error when there is nothing to remove. One atomic commit either way.
//!
//! It prints what this run changed: `blocked 1, 0 unchanged` (or
//! `unblocked N, M unchanged`; scripts read this line), counted from its
//! own changes, never from the table before and after (which another
//! writer may move).
//!
//! `-w` waits for the xtables lock forever, `-w SECS` at most that long;
//! without it, 10 seconds (iptkit's default). A lock that stays busy exits
//! with 4, as iptables does.

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use clap::Parser;
use iptkit::syntax::restore::save_table_as;
use iptkit::{blocklist, Handle, Net};

#[derive(Parser)]
#[command(about = "Block or unblock addresses and networks (idempotent)")]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// The chain of the filter table to put the rules in.
    #[arg(long, default_value = "INPUT")]
    chain: String,
    /// Remove the blocks instead.
    #[arg(long)]
    unblock: bool,
    #[command(flatten)]
    wait: wait::Wait,
    /// Addresses or networks (CIDR).
    #[arg(required = true)]
    addresses: Vec<String>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("block_ip: {e}");
        std::process::exit(wait::exit_code(&e));
    }
}

fn run(args: &Args) -> iptkit::Result<()> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    let nets = args
        .addresses
        .iter()
        .map(|a| Net::parse(family, a))
        .collect::<iptkit::Result<Vec<_>>>()?;
    let mut options = args.common.options("block_ip")?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let mut handle = Handle::open_with(family, "filter", options)?;
    // From the read to the commit, as `iptables -I` holds it (legacy; no
    // lock on nf_tables): the commit then need not read the table again.
    handle.hold_lock()?;
    // Only the chain is read (on nf_tables the other chains are not even
    // dumped), and each change is one rule message there: a check, then an
    // insert at the head or a delete of the rule found. When another writer
    // changed the table meanwhile, the commit replays these changes onto
    // its fresh read; the counts stay what this run asked for.
    let chain = args.chain.as_str();
    let (mut changed, mut unchanged) = (0, 0);
    for net in &nets {
        let rule = blocklist::block_rule_for(family, *net)?;
        if args.unblock {
            let mut found = false;
            while handle.contains_rule(chain, &rule)? {
                handle.delete_rule(chain, &rule)?;
                found = true;
            }
            match found {
                true => changed += 1,
                false => unchanged += 1,
            }
        } else if handle.contains_rule(chain, &rule)? {
            unchanged += 1;
        } else {
            // At the top, in the order given, so it wins over later ACCEPTs.
            handle.insert(chain, changed, rule)?;
            changed += 1;
        }
    }
    handle.commit()?;
    if args.unblock {
        println!("unblocked {changed}, {unchanged} unchanged");
    } else {
        println!("blocked {changed}, {unchanged} unchanged");
    }
    if args.common.isolated {
        let dialect = handle.backend().dialect();
        print!("{}", save_table_as(handle.table()?, false, dialect));
    }
    Ok(())
}
