//! `port_scan_defense`: installs a per-source rate limit on new SSH
//! connections (`-m hashlimit`) and a port-scan block (`-m recent`) in the
//! filter table, in one atomic commit, and prints the rules it installed.
//!
//! ```text
//! port_scan_defense [-6] [--ssh-port 22] [--ssh-rate 4/minute] [--ssh-burst 5] [--no-ssh]
//!                   [--chain PORTSCAN] [--seconds 60] [--hitcount 10] [--open-ports P,..]
//!                   [-w [SECS]] [--isolated] [--backend legacy|nft|auto]
//! ```
//!
//! The rate limit goes at the head of INPUT (in place of an earlier one of
//! the same hashlimit name); the port-scan chain is filled and jumped to
//! from the head of INPUT. Running it again with the same flags changes
//! nothing. See `iptkit::defense` for the rules and what they do.

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use clap::Parser;
use iptkit::defense::{PortScan, RateLimit};
use iptkit::syntax::restore::save_table_as;
use iptkit::Handle;

#[derive(Parser)]
#[command(about = "Rate-limit new SSH connections per source and block port scanners")]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// The SSH port.
    #[arg(long, default_value_t = 22)]
    ssh_port: u16,
    /// New SSH connections from one source above this rate are dropped.
    #[arg(long, default_value = "4/minute")]
    ssh_rate: String,
    /// How many new connections go through at once before the rate counts.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    ssh_burst: u64,
    /// No SSH rate limit, only the port-scan block.
    #[arg(long)]
    no_ssh: bool,
    /// The port-scan chain.
    #[arg(long, default_value = "PORTSCAN")]
    chain: String,
    /// The port-scan window, in seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u32,
    /// New connections to closed ports within the window that block a source.
    #[arg(long, default_value_t = 10)]
    hitcount: u32,
    /// TCP ports served here (comma-separated): connections to them are not probes.
    #[arg(long, value_delimiter = ',')]
    open_ports: Vec<u16>,
    #[command(flatten)]
    wait: wait::Wait,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("port_scan_defense: {e}");
        std::process::exit(wait::exit_code(&e));
    }
}

fn run(args: &Args) -> iptkit::Result<()> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    let scan = PortScan {
        chain: args.chain.clone(),
        open_ports: args.open_ports.clone(),
        ..PortScan::new(family, args.seconds, args.hitcount)?
    };
    scan.rules()?; // a bad value is said before the kernel is asked
    let ssh = match args.no_ssh {
        true => None,
        false => {
            let mut ssh = RateLimit::new(family, args.ssh_port, &args.ssh_rate, "ssh")?;
            ssh.limit.burst = args.ssh_burst;
            Some(ssh)
        }
    };
    let mut options = args.common.options("port_scan_defense")?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let mut handle = Handle::open_with(family, "filter", options)?;
    let install = |t: &mut iptkit::Table| -> iptkit::Result<()> {
        scan.apply(t)?;
        match &ssh {
            Some(ssh) => ssh.apply(t, "INPUT"),
            None => Ok(()),
        }
    };
    // Tried on a copy first, only to say whether anything changes.
    let mut copy = handle.table()?.clone();
    install(&mut copy)?;
    let changes = &copy != handle.table()?;
    handle.transact(install)?;
    let dialect = handle.backend().dialect();
    match changes {
        true => println!("installed in the {} filter table:", family.command()),
        false => println!("already in place in the {} filter table:", family.command()),
    }
    if let Some(ssh) = &ssh {
        println!(
            "rate limit: new connections to tcp port {} above {} per source dropped",
            ssh.port, args.ssh_rate
        );
        println!("{}", ssh.rule().save_line_as("INPUT", false, dialect));
    }
    println!(
        "port scan: a source with {} new connections to closed tcp ports within {} s is dropped",
        scan.hitcount, scan.seconds
    );
    println!(
        "{}",
        scan.hook_rule().save_line_as(&scan.hook, false, dialect)
    );
    for rule in scan.rules()? {
        println!("{}", rule.save_line_as(&scan.chain, false, dialect));
    }
    if args.common.isolated {
        print!("{}", save_table_as(handle.table()?, false, dialect));
    }
    Ok(())
}
