//! `addrlist`: a managed block or allow list with expiry (`iptkit::lists`).
//!
//! ```text
//! addrlist [-6] --chain NAME [--direction input|output|forward] [--accept] [--set]
//!          [--protect NET]... [-w [SECS]] [--isolated] [--backend legacy|nft|auto]
//!          add [--ttl 10m] [--comment TEXT] [--iface IF] NET...
//!        | remove [--iface IF] NET...
//!        | list
//!        | test ADDR
//!        | expire [--now UNIX_SECS]
//! ```
//!
//! The list is the chain NAME of the filter table, hooked from INPUT
//! (OUTPUT, FORWARD); each entry is one rule whose comment holds its
//! expiry and note, so nothing but the kernel keeps the list. `add` is a
//! no-op for an entry already there (it extends one whose expiry is
//! earlier) and refuses a network overlapping a `--protect`ed one (exit
//! 1, nothing changed). Each command is one atomic commit. With `--set`
//! the entries live in a kernel set (an ipset named after the chain, `-v6`
//! added for IPv6) matched by one rule: for big lists; no `--iface` or
//! `--comment` then.
//!
//! Output, for scripts: `add` prints `added N, extended N, unchanged N`;
//! `remove` prints `removed N, absent N`; `expire` prints one line per
//! entry removed, then `expired N`; `list` and `test` print one line per
//! entry: `NET IFACE EXPIRES PACKETS BYTES COMMENT` (`IFACE` is `any`,
//! `EXPIRES` is seconds since the epoch or `never`). `test` exits 1 when no
//! entry holds the address.
//!
//! Run it with `--isolated` to try it in a fresh private network namespace
//! (the list then lives only as long as the command).

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use iptkit::lists::{parse_ttl, Action, Added, AddrList, Direction, Entry, Storage};
use iptkit::syntax::restore::save_table_as;
use iptkit::{Handle, Iface, Net};

#[derive(Parser)]
#[command(about = "A managed block or allow list with expiry, kept in the kernel only")]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// The list's chain in the filter table.
    #[arg(long)]
    chain: String,
    /// Which built-in chain hooks the list (output lists match the
    /// destination).
    #[arg(long, default_value = "input", value_parser = ["input", "output", "forward"])]
    direction: String,
    /// An allow list (ACCEPT) instead of a block list (DROP).
    #[arg(long)]
    accept: bool,
    /// Keep the entries in a kernel set (ipset) matched by one rule.
    #[arg(long)]
    set: bool,
    /// Networks that can never be blocked.
    #[arg(long, value_name = "NET")]
    protect: Vec<String>,
    #[command(flatten)]
    wait: wait::Wait,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Adds networks (a no-op for those already there).
    Add {
        /// Time to live: `600`, `10m`, `1h30m`, `2d`; for good without it.
        #[arg(long)]
        ttl: Option<String>,
        /// A note kept in the rule's comment.
        #[arg(long, default_value = "")]
        comment: String,
        /// Only on this interface.
        #[arg(long)]
        iface: Option<String>,
        /// Addresses or networks (CIDR).
        #[arg(required = true)]
        nets: Vec<String>,
    },
    /// Removes networks (absent ones are not an error).
    Remove {
        /// The entry on this interface (else the one on any interface).
        #[arg(long)]
        iface: Option<String>,
        /// Addresses or networks (CIDR).
        #[arg(required = true)]
        nets: Vec<String>,
    },
    /// Prints the entries.
    List,
    /// Prints the entries that hold an address; exits 1 when there is none.
    Test {
        /// The address.
        addr: String,
    },
    /// Removes the entries that are due.
    Expire {
        /// The time to expire at, in seconds since the epoch (default: now).
        #[arg(long)]
        now: Option<u64>,
    },
}

fn main() {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("addrlist: {e}");
            std::process::exit(wait::exit_code(&e));
        }
    }
}

fn print_entry(e: &Entry) {
    let iface = e.iface.as_ref().map_or("any", Iface::name);
    let expires = e.expires.map_or("never".to_string(), |s| s.to_string());
    let c = e.counters;
    println!(
        "{} {iface} {expires} {} {} {}",
        e.net, c.packets, c.bytes, e.comment
    );
}

/// Runs the command; `Ok(false)` for a `test` that found nothing.
fn run(args: &Args) -> iptkit::Result<bool> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    let nets = |list: &[String]| -> iptkit::Result<Vec<Net>> {
        list.iter().map(|a| Net::parse(family, a)).collect()
    };
    let iface = |name: &Option<String>| name.as_deref().map(Iface::new).transpose();
    let direction: Direction = args.direction.parse()?;
    let action = if args.accept {
        Action::Accept
    } else {
        Action::Drop
    };
    // Protected networks of both families may be given; each guards its own.
    let protect = args
        .protect
        .iter()
        .map(|p| p.parse::<Net>())
        .collect::<iptkit::Result<Vec<_>>>()?;
    let storage = match args.set {
        true => Storage::Set,
        false => Storage::Rules,
    };
    let list = AddrList::new(&args.chain, direction, action)?
        .protect(protect)
        .storage(storage);
    let mut options = args.common.options("addrlist")?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let mut h = Handle::open_with(family, "filter", options)?;
    let mut found = true;
    match &args.command {
        Command::Add {
            ttl,
            comment,
            iface: name,
            nets: given,
        } => {
            let ttl = ttl.as_deref().map(parse_ttl).transpose()?;
            let on = iface(name)?;
            let mut entries = Vec::new();
            for net in nets(given)? {
                let mut entry = Entry::new(net).ttl(ttl).with_comment(comment);
                entry.iface = on.clone();
                entries.push(entry);
            }
            // All or nothing: one commit, every entry checked first.
            let done = list.add_entries(&mut h, entries)?;
            let count = |what| done.iter().filter(|&&a| a == what).count();
            println!(
                "added {}, extended {}, unchanged {}",
                count(Added::New),
                count(Added::Extended),
                count(Added::Unchanged)
            );
        }
        Command::Remove {
            iface: name,
            nets: given,
        } => {
            let on = iface(name)?;
            let keys = nets(given)?.into_iter().map(|n| (n, on.clone()));
            let done = list.remove_entries(&mut h, keys)?;
            let removed = done.iter().flatten().count();
            println!("removed {removed}, absent {}", done.len() - removed);
        }
        Command::List => list.entries(&mut h)?.iter().for_each(print_entry),
        Command::Test { addr } => {
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| iptkit::Error::InvalidAddress(addr.clone()))?;
            let hits = list.lookup(&mut h, addr)?;
            hits.iter().for_each(print_entry);
            found = !hits.is_empty();
        }
        Command::Expire { now } => {
            let now = now.map_or_else(SystemTime::now, |s| UNIX_EPOCH + Duration::from_secs(s));
            let due = list.expire(&mut h, now)?;
            due.iter().for_each(print_entry);
            println!("expired {}", due.len());
        }
    }
    if args.common.isolated {
        let dialect = h.backend().dialect();
        print!("{}", save_table_as(h.table()?, false, dialect));
    }
    Ok(found)
}
