//! `set_load`: how long filling a kernel set takes, in private network
//! namespaces (the machine's firewall is not touched).
//!
//! ```text
//! set_load [-6] [--backend legacy|nft] [--count 100000] [--samples 5] [--timeout]
//! ```
//!
//! Each sample, in a fresh namespace: a set is created, a rule matching it
//! (`-m set --match-set load src -j DROP`) is committed to INPUT through
//! the backend, then timed: `add_many` of COUNT addresses (empty set),
//! `add` of one more, and `list` of them all (which checks the set holds
//! COUNT + 1 entries). It prints the median and the range of each, in
//! milliseconds.

#[path = "shared/backend.rs"]
mod backend;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use clap::Parser;
use iptkit::set::{Dir, Entry, KernelSet, SetOptions};
use iptkit::{Family, Handle, Rule, Target};

#[derive(Parser)]
#[command(about = "Time adding many entries, then one, to a kernel set")]
struct Args {
    /// IPv6.
    #[arg(short = '6', long = "ipv6")]
    ipv6: bool,
    /// Kernel interface of the rule matching the set.
    #[arg(long, default_value = "auto", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
    /// Entries added at once.
    #[arg(long, default_value_t = 100_000)]
    count: u32,
    /// Samples, each in a fresh namespace.
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// A set with timeouts, each entry given one.
    #[arg(long)]
    timeout: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("set_load: {e}");
        std::process::exit(1);
    }
}

fn entries(family: Family, n: u32, timeout: bool) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let e = Entry::from(match family {
                Family::Ipv4 => IpAddr::from(Ipv4Addr::from(0x0a00_0000 + i)),
                Family::Ipv6 => {
                    IpAddr::from(Ipv6Addr::from(0x2001_0db8_u128 << 96 | u128::from(i)))
                }
            });
            if timeout {
                e.with_timeout(3600)
            } else {
                e
            }
        })
        .collect()
}

/// One sample: (add_many, add one, list).
fn sample(args: &Args, family: Family) -> iptkit::Result<(Duration, Duration, Duration)> {
    let options = backend::options("set_load", &args.backend)?;
    let set_options = match args.timeout {
        true => SetOptions::default().with_timeout(3600),
        false => SetOptions::default(),
    };
    let mut set = KernelSet::create("load", family, &set_options)?;
    let mut filter = Handle::open_with(family, "filter", options)?;
    let rule = Rule::new(family)
        .with_match(set.matching(Dir::Src)?)
        .with_target(Target::Drop);
    filter.append("INPUT", rule)?;
    filter.commit()?;
    let all = entries(family, args.count + 1, args.timeout);
    let (many, one) = all.split_at(args.count as usize);
    let start = Instant::now();
    set.add_many(many.iter().copied())?;
    let bulk = start.elapsed();
    let start = Instant::now();
    set.add(one[0])?;
    let single = start.elapsed();
    let start = Instant::now();
    let held = set.list()?.len();
    let listed = start.elapsed();
    if held != args.count as usize + 1 {
        return Err(iptkit::Error::Malformed(format!(
            "the set holds {held} entries, {} expected",
            args.count + 1
        )));
    }
    Ok((bulk, single, listed))
}

fn run(args: &Args) -> iptkit::Result<()> {
    let family = if args.ipv6 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let mut bulk = Vec::new();
    let mut single = Vec::new();
    let mut list = Vec::new();
    for _ in 0..args.samples {
        let (b, s, l) = iptkit::netns::run_isolated(|| sample(args, family))??;
        bulk.push(b);
        single.push(s);
        list.push(l);
    }
    println!(
        "{} {family:?}{}: add_many({}) {}; add(1) {}; list({}) {}",
        args.backend,
        if args.timeout { " with timeouts" } else { "" },
        args.count,
        summary(&mut bulk),
        summary(&mut single),
        args.count + 1,
        summary(&mut list)
    );
    Ok(())
}

/// `median ms (min-max)`.
fn summary(d: &mut [Duration]) -> String {
    d.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:.3} ms ({:.3}-{:.3})",
        ms(d[d.len() / 2]),
        ms(d[0]),
        ms(d[d.len() - 1])
    )
}
