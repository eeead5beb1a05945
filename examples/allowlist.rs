//! `allowlist`: replaces a chain with one ACCEPT per listed address and a
//! final DROP, hooked from INPUT once, keeping the previous list for rollback.
//!
//! ```text
//! allowlist [-6] [--chain NAME] [--iface IF] [--ports P,..] [-w [SECS]] [--isolated]
//!           [--backend legacy|nft|auto] FILE
//! allowlist [-6] [--chain NAME] [-w [SECS]] --rollback
//! ```
//!
//! `-w` waits for the xtables lock forever, `-w SECS` at most that long;
//! without it, 10 seconds (iptkit's default). A lock that stays busy exits
//! with 4, as iptables does.
//!
//! FILE holds one address or CIDR per line; `#` starts a comment. The swap is
//! one atomic commit; the previous list stays in chain `NAME-prev`.

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use clap::Parser;
use iptkit::allowlist::{parse_addresses, Allowlist};
use iptkit::syntax::restore::save_table_as;
use iptkit::{Family, Handle, Iface};

#[derive(Parser)]
#[command(about = "Atomically replace an allowlist chain; roll back to the previous one")]
struct Args {
    /// IPv6.
    #[arg(short = '6', long = "ipv6")]
    ipv6: bool,
    /// The allowlist chain.
    #[arg(long, default_value = "ALLOWLIST")]
    chain: String,
    /// Only check traffic arriving on this interface.
    #[arg(long)]
    iface: Option<String>,
    /// Only check TCP traffic to these ports (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ports: Vec<u16>,
    /// Restore the previous list instead (a second rollback undoes the first).
    #[arg(long, conflicts_with = "file")]
    rollback: bool,
    #[command(flatten)]
    wait: wait::Wait,
    /// Run in a fresh private network namespace, and print the result.
    #[arg(long)]
    isolated: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "legacy", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
    /// The address file.
    #[arg(required_unless_present = "rollback")]
    file: Option<std::path::PathBuf>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("allowlist: {e}");
        std::process::exit(wait::exit_code(&e));
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
    let addresses = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| iptkit::Error::Io {
                op: format!("reading {}", path.display()),
                source,
            })?;
            parse_addresses(family, &text)?
        }
        None => Vec::new(),
    };
    let list = Allowlist {
        chain: args.chain.clone(),
        hook: "INPUT".into(),
        iface: args.iface.as_deref().map(Iface::new).transpose()?,
        ports: args.ports.clone(),
        addresses,
    };
    let mut options = backend::options("allowlist", &args.backend)?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let mut handle = Handle::open_with(family, "filter", options)?;
    let (rollback, edit) = (args.rollback, list.clone());
    handle.edit(move |t| {
        if rollback {
            edit.rollback(t)
        } else {
            edit.apply(t)
        }
    })?;
    handle.commit()?;
    if args.rollback {
        println!("rolled back {} to its previous version", list.chain);
    } else {
        println!(
            "{}: {} addresses allowed; previous list kept in {}",
            list.chain,
            list.addresses.len(),
            list.previous_chain()
        );
    }
    if args.isolated {
        let dialect = handle.backend().dialect();
        print!("{}", save_table_as(handle.table()?, false, dialect));
    }
    Ok(())
}
