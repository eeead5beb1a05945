//! nf_tables expressions as plain values: what a rule holds, in the terms
//! `nft --debug=netlink` prints, and the only ones iptables-nft writes.
//! Anything else is kept by name only ([`Expr::Other`]): a rule holding it
//! is never rewritten.

use std::fmt;

/// One expression of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `meta load KEY => reg DREG`.
    Meta { key: u32, dreg: u32 },
    /// `meta set KEY with reg SREG`.
    MetaSet { key: u32, sreg: u32 },
    /// `immediate reg DREG DATA`: data, not a verdict.
    Immediate { dreg: u32, data: Vec<u8> },
    /// `payload load LENb @ BASE + OFFSET => reg DREG`.
    Payload {
        base: u32,
        offset: u32,
        len: u32,
        dreg: u32,
    },
    /// `bitwise reg DREG = (reg SREG & MASK) ^ XOR`.
    Bitwise {
        sreg: u32,
        dreg: u32,
        mask: Vec<u8>,
        xor: Vec<u8>,
    },
    /// `cmp OP reg SREG DATA`.
    Cmp { sreg: u32, op: u32, data: Vec<u8> },
    /// `range OP reg SREG FROM TO`.
    Range {
        sreg: u32,
        op: u32,
        from: Vec<u8>,
        to: Vec<u8>,
    },
    /// `counter pkts P bytes B`.
    Counter { packets: u64, bytes: u64 },
    /// `immediate reg 0 VERDICT [-> CHAIN]`.
    Verdict { code: i32, chain: Option<String> },
    /// xt compat `match`: an extension's kernel struct.
    Match {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
    /// xt compat `target`.
    Target {
        name: String,
        rev: u32,
        info: Vec<u8>,
    },
    /// `limit rate R/UNIT burst B type T flags F`.
    Limit {
        rate: u64,
        unit: u64,
        burst: u32,
        kind: u32,
        flags: u32,
    },
    /// `log`: the attributes that are set.
    Log(Log),
    /// Anything else (or a form of the above iptables-nft never writes).
    Other(String),
}

/// The attributes of a `log` expression; `None` when not set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Log {
    pub prefix: Option<String>,
    pub group: Option<u16>,
    pub snaplen: Option<u32>,
    pub qthreshold: Option<u16>,
    pub level: Option<u32>,
    pub flags: Option<u32>,
}

impl fmt::Display for Expr {
    /// Roughly as `nft --debug=netlink` prints it, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Meta { key, dreg } => write!(f, "[ meta load {key} => reg {dreg} ]"),
            Expr::Payload {
                base,
                offset,
                len,
                dreg,
            } => write!(
                f,
                "[ payload load {len}b @ base {base} + {offset} => reg {dreg} ]"
            ),
            Expr::Bitwise {
                sreg,
                dreg,
                mask,
                xor,
            } => write!(
                f,
                "[ bitwise reg {dreg} = ( reg {sreg} & {} ) ^ {} ]",
                hex(mask),
                hex(xor)
            ),
            Expr::Cmp { sreg, op, data } => write!(f, "[ cmp op {op} reg {sreg} {} ]", hex(data)),
            Expr::Range { sreg, op, from, to } => {
                write!(f, "[ range op {op} reg {sreg} {} {} ]", hex(from), hex(to))
            }
            Expr::Counter { packets, bytes } => {
                write!(f, "[ counter pkts {packets} bytes {bytes} ]")
            }
            Expr::Verdict { code, chain } => match chain {
                Some(c) => write!(f, "[ immediate reg 0 verdict {code} -> {c} ]"),
                None => write!(f, "[ immediate reg 0 verdict {code} ]"),
            },
            Expr::Match { name, rev, info } => {
                write!(f, "[ match name {name} rev {rev} ({} bytes) ]", info.len())
            }
            Expr::Target { name, rev, info } => {
                write!(f, "[ target name {name} rev {rev} ({} bytes) ]", info.len())
            }
            Expr::Limit {
                rate,
                unit,
                burst,
                kind,
                flags,
            } => write!(
                f,
                "[ limit rate {rate}/{unit}s burst {burst} type {kind} flags {flags:#x} ]"
            ),
            Expr::Log(l) => write!(f, "[ log {l:?} ]"),
            Expr::MetaSet { key, sreg } => write!(f, "[ meta set {key} with reg {sreg} ]"),
            Expr::Immediate { dreg, data } => {
                write!(f, "[ immediate reg {dreg} {} ]", hex(data))
            }
            Expr::Other(name) => write!(f, "[ {name} ]"),
        }
    }
}

fn hex(data: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in data {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
