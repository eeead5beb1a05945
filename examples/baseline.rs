//! `baseline`: a default-drop firewall for IPv4 and IPv6, plus drop-in
//! fragments, kept in place; and a drift check against a saved file.
//!
//! ```text
//! baseline [--fragments DIR] [--ssh-from CIDR]... [--ssh-port PORT]
//!          [--output-accept] [--dry-run [--origins]]
//!          [--backend legacy|nft|auto] [-w [SECS]] [--isolated]
//! baseline --check SAVED [--check6 SAVED6] [--backend ..] [--isolated]
//! ```
//!
//! The baseline, the same for both families (filter table):
//!
//! - policies: INPUT and FORWARD DROP; OUTPUT DROP too (egress filtering:
//!   what may leave is listed below, fragments add more), or ACCEPT with
//!   `--output-accept`;
//! - INPUT: loopback, established/related connections, new SSH
//!   connections (TCP `--ssh-port`, 22; from each `--ssh-from` network of
//!   the family, or from anywhere when none is given); IPv6: the ICMPv6
//!   errors (destination unreachable, packet too big, time exceeded,
//!   parameter problem) and neighbour discovery (router and neighbour
//!   solicitations and advertisements, hop limit 255 as RFC 4861 sends
//!   them);
//! - OUTPUT: loopback, established/related, DNS (UDP and TCP 53), NTP (UDP
//!   123); IPv6: router and neighbour solicitations, neighbour
//!   advertisements and MLDv2 reports (hop limit 255 / 1).
//!
//! Then every fragment of `--fragments DIR`, in file name order (both
//! families' together): `NAME.rules` for IPv4, `NAME.rules6` for IPv6, in
//! iptables-restore syntax. A fragment without a `*table` line is rule
//! lines for the filter table (`-A INPUT -p tcp --dport 80 -j ACCEPT`,
//! `-N web`, `-I OUTPUT ...`); one with `*table` lines is restore input
//! (each block ends with `COMMIT`) and may fill other tables. Fragments add
//! to what is there (as `iptables-restore --noflush`): `-A` appends after
//! the baseline's rules. Other files are ignored.
//!
//! Without `--check` or `--dry-run`, the tables the baseline and fragments
//! name are made so in the kernel, all of them or none, sending only what
//! differs (rules that stay keep their counters); the difference sent is
//! printed (nothing when the kernel already holds it). `--dry-run` prints
//! the rules (`--origins`: with a comment line above each saying where it
//! came from) and touches nothing.
//!
//! `--check SAVED` compares the live IPv4 tables with `SAVED` (the output
//! of `iptables-save`), `--check6 SAVED6` the IPv6 ones, counters aside: a
//! table only one side has counts as empty. Exit codes: 0 when they match
//! (or the baseline was applied), 1 when they differ (the difference is
//! printed: `-` lines are only in the saved file, `+` lines only live), 2
//! for a bad command line, a file that cannot be read or does not parse, 3
//! when the kernel or anything else failed, 4 when the xtables lock stayed
//! busy.

#[path = "shared/backend.rs"]
mod backend;
#[path = "shared/wait.rs"]
mod wait;

use std::path::{Path, PathBuf};

use clap::Parser;
use iptkit::declare::{RenderOptions, Ruleset, RulesetDiff};
use iptkit::matches::conntrack::{Conntrack, CtState};
use iptkit::matches::tcp::Tcp;
use iptkit::{Family, Net, Policy, Rule, Target};

#[derive(Parser)]
#[command(
    about = "A default-drop baseline for IPv4 and IPv6 with drop-in fragments, and a drift check"
)]
struct Args {
    /// Apply every NAME.rules (IPv4) and NAME.rules6 (IPv6) file of DIR
    /// after the baseline, in name order.
    #[arg(long, value_name = "DIR")]
    fragments: Option<PathBuf>,
    /// Networks SSH is open to (repeatable; each applies to its family).
    /// Without any, SSH is open to all.
    #[arg(long = "ssh-from", value_name = "CIDR")]
    ssh_from: Vec<String>,
    /// The SSH port.
    #[arg(long, default_value_t = 22)]
    ssh_port: u16,
    /// Keep OUTPUT's policy ACCEPT (default: DROP, with DNS and NTP out).
    #[arg(long)]
    output_accept: bool,
    /// Print the rules (both families) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// With --dry-run: a comment line above each rule saying where it was
    /// defined.
    #[arg(long, requires = "dry_run")]
    origins: bool,
    /// Compare the live IPv4 tables with this iptables-save output; exit 1
    /// with the difference when they differ.
    #[arg(long, value_name = "SAVED")]
    check: Option<PathBuf>,
    /// Compare the live IPv6 tables with this ip6tables-save output.
    #[arg(long, value_name = "SAVED6")]
    check6: Option<PathBuf>,
    #[command(flatten)]
    wait: wait::Wait,
    /// Run in a fresh private network namespace.
    #[arg(long)]
    isolated: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "auto", value_parser = ["legacy", "nft", "auto"])]
    backend: String,
}

/// Why the tool stops, and its exit code.
enum Failure {
    /// The live rules differ from the saved ones (exit 1).
    Drift,
    /// A file that cannot be read or does not parse (exit 2).
    Input(String),
    /// Anything else (exit 3; 4 for a busy lock).
    Failed(iptkit::Error),
}

impl From<iptkit::Error> for Failure {
    fn from(e: iptkit::Error) -> Failure {
        Failure::Failed(e)
    }
}

fn main() {
    let args = Args::parse();
    let code = match run(&args) {
        Ok(()) => 0,
        Err(Failure::Drift) => 1,
        Err(Failure::Input(why)) => {
            eprintln!("baseline: {why}");
            2
        }
        Err(Failure::Failed(e)) => {
            eprintln!("baseline: {e}");
            match wait::exit_code(&e) {
                4 => 4,
                _ => 3,
            }
        }
    };
    std::process::exit(code);
}

fn run(args: &Args) -> Result<(), Failure> {
    if args.check.is_some() || args.check6.is_some() {
        if args.isolated {
            iptkit::netns::unshare_net()?;
        }
        return check(args);
    }
    let rules = baseline(args)?;
    if args.dry_run {
        let how = RenderOptions {
            origins: args.origins,
            ..RenderOptions::default()
        };
        for family in rules.families() {
            println!("# {}", name(family));
            print!("{}", rules.render_with(family, &how));
        }
        return Ok(());
    }
    if args.isolated {
        iptkit::netns::unshare_net()?;
    }
    let mut options = backend::options("baseline", &args.backend)?;
    options.lock_wait = args.wait.lock_wait(options.lock_wait);
    let sent = rules.reconcile(&options)?;
    let (added, removed, changed) = sent.counts();
    print!("{sent}");
    println!("baseline: {added} added, {removed} removed, {changed} changed");
    Ok(())
}

fn name(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

/// The baseline of both families, then the fragments.
fn baseline(args: &Args) -> Result<Ruleset, Failure> {
    let mut rs = Ruleset::new();
    for family in [Family::Ipv4, Family::Ipv6] {
        base(&mut rs, family, args)?;
    }
    if let Some(dir) = &args.fragments {
        for (path, family) in fragments(dir)? {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
            let source = path.display().to_string();
            let headed = text.lines().any(|l| l.trim_start().starts_with('*'));
            let played = match headed {
                true => rs.restore(family, &text, &source),
                false => rs.restore_rules(family, "filter", &text, &source),
            };
            played.map_err(|e| Failure::Input(format!("{source}: {e}")))?;
        }
    }
    Ok(rs)
}

/// The fragment files of `dir`, in name order, with their family.
fn fragments(dir: &Path) -> Result<Vec<(PathBuf, Family)>, Failure> {
    let unreadable = |e: std::io::Error| Failure::Input(format!("{}: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let family = match path.extension().and_then(|e| e.to_str()) {
            Some("rules") => Family::Ipv4,
            Some("rules6") => Family::Ipv6,
            _ => continue,
        };
        if path.is_file() {
            out.push((path, family));
        }
    }
    // Byte order of the names, as `ls` sorts in the C locale.
    out.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(out)
}

/// The baseline's policies and rules for one family.
fn base(rs: &mut Ruleset, f: Family, args: &Args) -> Result<(), Failure> {
    let output = match args.output_accept {
        true => Policy::Accept,
        false => Policy::Drop,
    };
    for (chain, policy) in [
        ("INPUT", Policy::Drop),
        ("FORWARD", Policy::Drop),
        ("OUTPUT", output),
    ] {
        rs.set_policy(f, "filter", chain, policy)?;
    }
    let parse = |spec: &str| Rule::parse(f, spec);
    let established = Rule::new(f)
        .with_match(Conntrack::state(CtState::RELATED | CtState::ESTABLISHED))
        .with_target(Target::Accept);
    rs.append("filter", "INPUT", parse("-i lo -j ACCEPT")?)?;
    rs.append("filter", "INPUT", established.clone())?;
    // SSH: one template, extended with each source network.
    let ssh = Rule::new(f)
        .with_match(Tcp::dport(args.ssh_port))
        .with_match(Conntrack::state(CtState::NEW))
        .with_target(Target::Accept);
    let mut sources = Vec::new();
    for cidr in &args.ssh_from {
        let v6 = cidr.contains(':');
        if v6 == (f == Family::Ipv6) {
            let net = Net::parse(f, cidr)
                .map_err(|e| Failure::Input(format!("--ssh-from {cidr}: {e}")))?;
            sources.push(net);
        }
    }
    for net in sources {
        rs.append("filter", "INPUT", ssh.clone().source(net))?;
    }
    if args.ssh_from.is_empty() {
        rs.append("filter", "INPUT", ssh)?;
    }
    if f == Family::Ipv6 {
        // ICMPv6 errors, whatever the connection (RFC 4890, 4.3.1), and
        // neighbour discovery, which only a neighbour sends (hop limit 255).
        for t in [
            "destination-unreachable",
            "packet-too-big",
            "time-exceeded",
            "parameter-problem",
        ] {
            rs.append(
                "filter",
                "INPUT",
                parse(&format!(
                    "-p ipv6-icmp -m icmp6 --icmpv6-type {t} -j ACCEPT"
                ))?,
            )?;
        }
        for t in [
            "router-solicitation",
            "router-advertisement",
            "neighbour-solicitation",
            "neighbour-advertisement",
        ] {
            let spec =
                format!("-p ipv6-icmp -m icmp6 --icmpv6-type {t} -m hl --hl-eq 255 -j ACCEPT");
            rs.append("filter", "INPUT", parse(&spec)?)?;
        }
    }
    rs.append("filter", "OUTPUT", parse("-o lo -j ACCEPT")?)?;
    rs.append("filter", "OUTPUT", established)?;
    for spec in [
        "-p udp -m udp --dport 53 -j ACCEPT",
        "-p tcp -m tcp --dport 53 -j ACCEPT",
        "-p udp -m udp --dport 123 -j ACCEPT",
    ] {
        rs.append("filter", "OUTPUT", parse(spec)?)?;
    }
    if f == Family::Ipv6 {
        for t in [
            "router-solicitation",
            "neighbour-solicitation",
            "neighbour-advertisement",
        ] {
            let spec =
                format!("-p ipv6-icmp -m icmp6 --icmpv6-type {t} -m hl --hl-eq 255 -j ACCEPT");
            rs.append("filter", "OUTPUT", parse(&spec)?)?;
        }
        // MLDv2 listener reports (type 143), sent with hop limit 1: without
        // them a switch that snoops MLD stops forwarding our multicast,
        // neighbour solicitations included.
        rs.append(
            "filter",
            "OUTPUT",
            parse("-p ipv6-icmp -m icmp6 --icmpv6-type 143 -m hl --hl-eq 1 -j ACCEPT")?,
        )?;
    }
    Ok(())
}

/// `--check` / `--check6`: the live tables against the saved files.
fn check(args: &Args) -> Result<(), Failure> {
    let options = backend::options("baseline", &args.backend)?;
    let mut differ = false;
    for (file, family) in [(&args.check, Family::Ipv4), (&args.check6, Family::Ipv6)] {
        let Some(path) = file else {
            continue;
        };
        let source = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("{source}: {e}")))?;
        let saved = Ruleset::parse(family, &text, &source)
            .map_err(|e| Failure::Input(format!("{source}: {e}")))?;
        let live = Ruleset::read(&[family], &options)?;
        let diff = RulesetDiff::new(&saved, &live);
        if !diff.is_empty() {
            if !differ {
                println!("--- saved\n+++ live");
            }
            differ = true;
            print!("{diff}");
        }
    }
    match differ {
        true => Err(Failure::Drift),
        false => Ok(()),
    }
}
