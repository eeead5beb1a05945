//! `whatif`: what would the live rules do with this packet?
//!
//! ```text
//! whatif [-6] [--backend legacy|nft|auto] [--table T] [--chain INPUT]
//!        --src A --dst B [--proto P] [--sport N] [--dport N]
//!        [--in IF] [--out IF] [--state NEW] [--icmp-type T[/C]]
//!        [--tcp-flags FLAGS] [--mark N] [--rules FILE] [--isolated]
//! ```
//!
//! Reads the table (`filter` by default) from the kernel, or from an
//! iptables-save file with `--rules FILE`, and walks the packet through it
//! from the chain (`INPUT` by default) with `iptkit::whatif`, changing
//! nothing. Prints the path, one line per rule passed
//! (`CHAIN N: RULE => what happened`, then `CHAIN policy => VERDICT` when
//! the policy decides), `# ...` lines saying why some rules could not be
//! decided offline, and the verdict alone on the **last line**: `ACCEPT`,
//! `DROP`, `REJECT`, another target's name (`QUEUE`, `DNAT`, ...;
//! `RETURN` when `--chain` is a user chain the packet returns from), or
//! `UNDECIDED`.
//!
//! `--state` defaults to `NEW` (what a what-if usually asks: a new
//! connection); `--state any` leaves it unknown. Fields not given are
//! unknown, and rules that test them are undecided (the verdict is still
//! decided when it does not depend on them).
//!
//! Exit codes: 0 when a verdict was printed (UNDECIDED included), 1 on an
//! error (a table or chain that does not exist, a packet of the other
//! family, a kernel or file error: said on stderr), 2 on a command line
//! it cannot read.

#[path = "shared/backend.rs"]
mod backend;

use std::net::IpAddr;

use clap::Parser;
use iptkit::whatif::{evaluate, ConnState, Packet, Verdict};
use iptkit::{Family, Handle, Table};

#[derive(Parser)]
#[command(about = "Show the verdict the live rules give a packet, and the path to it")]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// The table.
    #[arg(long, default_value = "filter")]
    table: String,
    /// The chain the packet enters (a built-in chain, or a user chain).
    #[arg(long, default_value = "INPUT")]
    chain: String,
    /// Source address.
    #[arg(long)]
    src: IpAddr,
    /// Destination address.
    #[arg(long)]
    dst: IpAddr,
    /// Protocol: a name (tcp, udp, icmp, ipv6-icmp, ...) or a number.
    #[arg(long)]
    proto: Option<String>,
    /// Source port (number or service name).
    #[arg(long)]
    sport: Option<String>,
    /// Destination port (number or service name).
    #[arg(long)]
    dport: Option<String>,
    /// Input interface.
    #[arg(long = "in")]
    in_iface: Option<String>,
    /// Output interface.
    #[arg(long = "out")]
    out_iface: Option<String>,
    /// Connection state: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, or
    /// `any` for unknown.
    #[arg(long, default_value = "NEW")]
    state: String,
    /// ICMP (ICMPv6) type and code, `TYPE` or `TYPE/CODE` (numbers).
    #[arg(long)]
    icmp_type: Option<String>,
    /// TCP flags set, comma-separated (SYN,ACK); NONE for none.
    #[arg(long)]
    tcp_flags: Option<String>,
    /// Packet mark (0 by default).
    #[arg(long, value_parser = parse_u32)]
    mark: Option<u32>,
    /// Read the table from this iptables-save file instead of the kernel.
    #[arg(long)]
    rules: Option<std::path::PathBuf>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("whatif: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> iptkit::Result<()> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    let packet = packet(args)?;
    let table = table(args, family)?;
    let e = evaluate(&table, &args.chain, &packet)?;
    for step in &e.path {
        println!("{step}");
    }
    if e.verdict == Verdict::Undecided {
        let possible: Vec<String> = e.possible.iter().map(Verdict::to_string).collect();
        println!("# may be: {}", possible.join(", "));
    }
    for why in &e.reasons {
        println!("# undecided: {why}");
    }
    println!("{}", e.verdict);
    Ok(())
}

fn table(args: &Args, family: Family) -> iptkit::Result<Table> {
    if let Some(path) = &args.rules {
        let text = std::fs::read(path).map_err(|source| iptkit::Error::Io {
            op: format!("reading {}", path.display()),
            source,
        })?;
        let mut table = Table::new(family, &args.table)?;
        let blocks = iptkit::syntax::restore::parse_bytes(family, &text)?;
        let block = blocks
            .iter()
            .find(|b| b.name == args.table)
            .ok_or_else(|| iptkit::Error::NoSuchTable(args.table.clone()))?;
        block.apply(&mut table, &Default::default())?;
        return Ok(table);
    }
    let options = args.common.options("whatif")?;
    let mut handle = Handle::open_with(family, &args.table, options)?;
    Ok(handle.table()?.clone())
}

fn packet(args: &Args) -> iptkit::Result<Packet> {
    let mut p = Packet::new(args.src, args.dst);
    let proto_name = args.proto.as_deref().unwrap_or("tcp");
    if let Some(proto) = &args.proto {
        let n = iptkit::names::parse_protocol(proto)
            .ok_or_else(|| bad_value("--proto", proto, "a protocol name or number"))?;
        p = p.proto(n);
    }
    let port = |s: &str, what: &str| {
        iptkit::names::parse_port(s, proto_name)
            .ok_or_else(|| bad_value(what, s, "a port number or service name"))
    };
    if let Some(s) = &args.sport {
        p = p.sport(port(s, "--sport")?);
    }
    if let Some(s) = &args.dport {
        p = p.dport(port(s, "--dport")?);
    }
    if let Some(i) = &args.in_iface {
        p = p.in_iface(i);
    }
    if let Some(o) = &args.out_iface {
        p = p.out_iface(o);
    }
    if !args.state.eq_ignore_ascii_case("any") {
        p = p.state(ConnState::parse(&args.state)?);
    }
    if let Some(t) = &args.icmp_type {
        let bad = || bad_value("--icmp-type", t, "TYPE or TYPE/CODE, numbers");
        let (ty, code) = t.split_once('/').unwrap_or((t, "0"));
        let ty: u8 = ty.parse().map_err(|_| bad())?;
        let code: u8 = code.parse().map_err(|_| bad())?;
        let proto = p.proto;
        p = p.icmp(ty, code);
        // `icmp` sets the ICMP protocol; one given explicitly stays.
        p.proto = proto.or(p.proto);
    }
    if let Some(f) = &args.tcp_flags {
        p = p.tcp_flags(tcp_flags(f)?);
    }
    if let Some(m) = args.mark {
        p = p.mark(m);
    }
    Ok(p)
}

fn tcp_flags(s: &str) -> iptkit::Result<u8> {
    let mut bits = 0;
    for name in s.split(',') {
        bits |= match name.to_ascii_uppercase().as_str() {
            "FIN" => 0x01,
            "SYN" => 0x02,
            "RST" => 0x04,
            "PSH" => 0x08,
            "ACK" => 0x10,
            "URG" => 0x20,
            "NONE" => 0,
            _ => {
                return Err(bad_value(
                    "--tcp-flags",
                    name,
                    "FIN, SYN, RST, PSH, ACK, URG or NONE",
                ))
            }
        };
    }
    Ok(bits)
}

fn parse_u32(s: &str) -> Result<u32, String> {
    let n = match s.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => s.parse(),
    };
    n.map_err(|e| format!("{s}: {e}"))
}

fn bad_value(option: &str, value: &str, reason: &str) -> iptkit::Error {
    iptkit::Error::InvalidValue {
        option: option.into(),
        value: value.into(),
        reason: reason.into(),
    }
}
