//! The main job, end to end, in a private network namespace (the firewall of
//! the machine you run it on is never touched):
//!
//! 1. a default-drop baseline, applied atomically from iptables-restore text;
//! 2. an allowlist generated from a list of servers, swapped in atomically
//!    with the previous version kept;
//! 3. an address blocked, twice (the second time changes nothing);
//! 4. a drift check: do the live rules still equal the saved baseline?
//! 5. a rollback of the allowlist;
//!
//! and what the machine's own `iptables-save` sees: the handles use the
//! backend that `iptables` uses here (`Backend::Auto`, the default).

use iptkit::allowlist::Allowlist;
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{blocklist, Family, Handle, Iface, Net, Result};

const BASELINE: &str = "\
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT
COMMIT
";

fn main() {
    if let Err(e) = run() {
        eprintln!("demo: {e}");
        std::process::exit(1);
    }
}

fn step(title: &str) {
    println!("\n== {title}");
}

/// The rule lines of a save, without comments, headers and counters: what a
/// drift check compares.
fn rule_lines(save: &str) -> Vec<String> {
    save.lines()
        .filter(|l| l.starts_with("-A "))
        .map(str::to_string)
        .collect()
}

fn run() -> Result<()> {
    iptkit::netns::unshare_net()?;
    println!("running in a fresh private network namespace");

    step("1. baseline: default-drop policies, loopback, established, ssh, ping");
    let blocks = parse(Family::Ipv4, BASELINE)?;
    let (backend, why) = iptkit::Backend::Auto.resolve();
    println!("backend: {backend} ({why})");
    let mut filter = Handle::open(Family::Ipv4, "filter")?;
    let baseline = blocks[0].clone();
    filter.edit(move |t| baseline.apply(t, &RestoreOptions::default()))?;
    filter.commit()?;
    let saved = save_table(filter.table()?, false);
    print!("{saved}");

    step("2. allowlist of the app servers on eth0, ports 80 and 443");
    let servers = "192.0.2.10\n192.0.2.11\n# the new rack\n198.51.100.0/28\n";
    let list = Allowlist {
        chain: "APP_SERVERS".into(),
        hook: "INPUT".into(),
        iface: Some(Iface::new("eth0")?),
        ports: vec![80, 443],
        addresses: iptkit::allowlist::parse_addresses(Family::Ipv4, servers)?,
    };
    let first = list.clone();
    filter.edit(move |t| first.apply(t))?;
    filter.commit()?;
    let mut second = list.clone();
    second.addresses.push("203.0.113.7".parse()?);
    filter.edit(move |t| second.apply(t))?;
    filter.commit()?;
    for rule in filter.rules("APP_SERVERS")? {
        println!("  {rule}");
    }
    println!("  (previous version kept in {})", list.previous_chain());

    step("3. block 203.0.113.66 twice: one rule, at the top of INPUT");
    let bad: Vec<Net> = vec!["203.0.113.66".parse()?];
    for _ in 0..2 {
        let nets = bad.clone();
        filter.edit(move |t| blocklist::block(t, "INPUT", &nets).map(drop))?;
        filter.commit()?;
    }
    println!(
        "  blocked: {:?}",
        blocklist::blocked(filter.table()?, "INPUT")?
            .iter()
            .map(Net::to_string)
            .collect::<Vec<_>>()
    );

    step("4. drift check against the saved baseline");
    filter.refresh()?;
    let live = save_table(filter.table()?, false);
    let (want, got) = (rule_lines(&saved), rule_lines(&live));
    println!("  live rules differ from the baseline: {}", want != got);
    for line in got.iter().filter(|l| !want.contains(l)) {
        println!("  + {line}");
    }

    step("5. roll the allowlist back");
    let back = list.clone();
    filter.edit(move |t| back.rollback(t))?;
    filter.commit()?;
    for rule in filter.rules("APP_SERVERS")? {
        println!("  {rule}");
    }

    step("what the machine's iptables-save prints now");
    match std::process::Command::new("iptables-save").output() {
        Ok(out) => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => println!("  (iptables-save not available: {e})"),
    }
    Ok(())
}
