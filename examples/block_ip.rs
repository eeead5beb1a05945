//! `block_ip`: blocks (or unblocks) addresses and networks, idempotently.
//!
//! ```text
//! block_ip [-6] [--chain INPUT] [--unblock] [--isolated] ADDR_OR_CIDR...
//! ```
//!
//! Blocking inserts one `-s NET -j DROP` rule per network at the top of the
//! chain, unless it is there already; unblocking removes them, and is not an
//! error when there is nothing to remove. One atomic commit either way.

#[path = "shared/backend.rs"]
mod backend;

use clap::Parser;
use iptkit::syntax::restore::save_table_in;
use iptkit::{blocklist, Family, Handle, Net};

#[derive(Parser)]
#[command(about = "Block or unblock addresses and networks (idempotent)")]
struct Args {
    /// IPv6.
    #[arg(short = '6', long = "ipv6")]
    ipv6: bool,
    /// The chain of the filter table to put the rules in.
    #[arg(long, default_value = "INPUT")]
    chain: String,
    /// Remove the blocks instead.
    #[arg(long)]
    unblock: bool,
    /// Run in a fresh private network namespace, and print the result.
    #[arg(long)]
    isolated: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
    /// Addresses or networks (CIDR).
    #[arg(required = true)]
    addresses: Vec<String>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("block_ip: {e}");
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
    let nets = args
        .addresses
        .iter()
        .map(|a| Net::parse(family, a))
        .collect::<iptkit::Result<Vec<_>>>()?;
    let mut handle = Handle::open_with(
        family,
        "filter",
        backend::options("block_ip", &args.backend)?,
    )?;
    // Only the chain is read (on nf_tables the other chains are not even
    // dumped), and only the rules that change are sent.
    let chain = args.chain.as_str();
    let mut changed = 0;
    for net in &nets {
        let rule = blocklist::block_rule_for(family, *net)?;
        if args.unblock {
            while handle.check(chain, &rule)? {
                handle.delete_rule(chain, &rule)?;
                changed += 1;
            }
        } else if !handle.check(chain, &rule)? {
            // At the top, in the order given, so it wins over later ACCEPTs.
            handle.insert(chain, changed, rule)?;
            changed += 1;
        }
    }
    handle.commit()?;
    let verb = if args.unblock { "unblocked" } else { "blocked" };
    println!(
        "{verb} {changed}, {} unchanged",
        nets.len().saturating_sub(changed)
    );
    if args.isolated {
        let dialect = handle.backend().dialect();
        print!("{}", save_table_in(handle.table()?, false, dialect));
    }
    Ok(())
}
