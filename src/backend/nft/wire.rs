//! Rule messages of a dump, read straight from their netlink attributes.
//!
//! Building messages goes through libnftnl; reading them does not. For each
//! rule libnftnl allocates the rule, a copy of its table and chain names and
//! one object per expression, then we copy it all out again: in a dump of
//! 10,000 rules that was four fifths of `iptables-nft-save`'s user time
//! (callgrind). Here a rule is one walk over its attributes, into the
//! values of [`Expr`] directly. The expressions and attributes read are the
//! ones `read_expr` in `ffi.rs` used to take from libnftnl, with the same
//! meaning for absent attributes (zero, empty), so both give the same
//! [`RawRule`]: a test in this file holds them to it on real messages.
//!
//! Attribute numbers are those of `linux/netfilter/nf_tables.h` and
//! `nf_tables_compat.h`. Integers are big endian on the wire.

use super::expr::{Expr, Log};
use super::ffi::RawRule;
use crate::error::{Error, Result};

/// Netlink header, then nfgenmsg.
const RULE_ATTRS_AT: usize = 16 + 4;
const NLA_HDRLEN: usize = 4;
/// NLA_F_NESTED and NLA_F_NET_BYTEORDER are flags on the type.
const NLA_TYPE_MASK: u16 = 0x3fff;

const NFTA_RULE_TABLE: u16 = 1;
const NFTA_RULE_CHAIN: u16 = 2;
const NFTA_RULE_HANDLE: u16 = 3;
const NFTA_RULE_EXPRESSIONS: u16 = 4;
const NFTA_RULE_USERDATA: u16 = 7;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;
const NFTA_DATA_VALUE: u16 = 1;
const NFTA_DATA_VERDICT: u16 = 2;
const NFTA_VERDICT_CODE: u16 = 1;
const NFTA_VERDICT_CHAIN: u16 = 2;

fn malformed(what: &str) -> Error {
    Error::Malformed(format!("a rule message from the kernel: {what}"))
}

/// Calls `each` with the type and payload of every attribute in `buf`, in
/// order; an error for one that does not fit. (A loop rather than an
/// iterator of results: a rule message is some sixty attributes, and this
/// walk is most of reading it.)
fn for_each_attr<'a>(
    buf: &'a [u8],
    mut each: impl FnMut(u16, &'a [u8]) -> Result<()>,
) -> Result<()> {
    let mut rest = buf;
    while let [l0, l1, t0, t1, ..] = *rest {
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        let kind = u16::from_ne_bytes([t0, t1]) & NLA_TYPE_MASK;
        let payload = rest
            .get(NLA_HDRLEN..len)
            .ok_or_else(|| malformed("an attribute runs past its message"))?;
        each(kind, payload)?;
        rest = rest.get((len + 3) & !3..).unwrap_or_default();
    }
    Ok(())
}

fn be32(p: &[u8]) -> Result<u32> {
    p.try_into()
        .map(u32::from_be_bytes)
        .map_err(|_| malformed("a 32-bit attribute of another size"))
}

fn be64(p: &[u8]) -> Result<u64> {
    p.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| malformed("a 64-bit attribute of another size"))
}

fn be16(p: &[u8]) -> Result<u16> {
    p.try_into()
        .map(u16::from_be_bytes)
        .map_err(|_| malformed("a 16-bit attribute of another size"))
}

/// A NUL-terminated string attribute (what comes after a NUL is not part
/// of it, as for libnftnl's strdup).
fn string(p: &[u8]) -> String {
    String::from_utf8_lossy(c_bytes(p)).into_owned()
}

/// The bytes of a NUL-terminated string attribute, without a copy.
fn c_bytes(p: &[u8]) -> &[u8] {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    &p[..end]
}

/// What an nft_data attribute (NFTA_DATA_*) holds.
#[derive(Default)]
struct Data {
    value: Option<Vec<u8>>,
    verdict: Option<(u32, Option<String>)>,
}

fn data(p: &[u8]) -> Result<Data> {
    let mut d = Data::default();
    for_each_attr(p, |kind, v| {
        match kind {
            NFTA_DATA_VALUE => d.value = Some(v.to_vec()),
            NFTA_DATA_VERDICT => {
                let (mut code, mut chain) = (0, None);
                for_each_attr(v, |kind, c| {
                    match kind {
                        NFTA_VERDICT_CODE => code = be32(c)?,
                        NFTA_VERDICT_CHAIN => chain = Some(string(c)),
                        _ => {}
                    }
                    Ok(())
                })?;
                d.verdict = Some((code, chain));
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(d)
}

/// The attributes of one expression's NFTA_EXPR_DATA, by type (1-based;
/// none of the expressions read here has more than 7).
struct Fields<'a>([Option<&'a [u8]>; 8]);

impl<'a> Fields<'a> {
    fn read(p: &'a [u8]) -> Result<Fields<'a>> {
        let mut f = [None; 8];
        for_each_attr(p, |kind, v| {
            if let Some(slot) = f.get_mut(usize::from(kind)) {
                *slot = Some(v);
            }
            Ok(())
        })?;
        Ok(Fields(f))
    }
    fn get(&self, kind: u16) -> Option<&'a [u8]> {
        self.0[kind as usize]
    }
    fn set(&self, kind: u16) -> bool {
        self.get(kind).is_some()
    }
    /// A 32-bit field; 0 when absent.
    fn u32(&self, kind: u16) -> Result<u32> {
        self.get(kind).map_or(Ok(0), be32)
    }
    fn u64(&self, kind: u16) -> Result<u64> {
        self.get(kind).map_or(Ok(0), be64)
    }
    fn opt_u32(&self, kind: u16) -> Result<Option<u32>> {
        self.get(kind).map(be32).transpose()
    }
    fn opt_u16(&self, kind: u16) -> Result<Option<u16>> {
        self.get(kind).map(be16).transpose()
    }
    fn string(&self, kind: u16) -> Option<String> {
        self.get(kind).map(string)
    }
    fn bytes(&self, kind: u16) -> Vec<u8> {
        self.get(kind).map(<[u8]>::to_vec).unwrap_or_default()
    }
    /// An nft_data field's value bytes; empty when absent.
    fn value(&self, kind: u16) -> Result<Vec<u8>> {
        Ok(match self.get(kind) {
            Some(p) => data(p)?.value.unwrap_or_default(),
            None => Vec::new(),
        })
    }
}

/// One expression (an NFTA_LIST_ELEM's payload).
fn expr(p: &[u8]) -> Result<Expr> {
    let (mut name, mut body) = (None, &[][..]);
    for_each_attr(p, |kind, v| {
        match kind {
            NFTA_EXPR_NAME => name = Some(v),
            NFTA_EXPR_DATA => body = v,
            _ => {}
        }
        Ok(())
    })?;
    // Compared as bytes: only an expression kept by name needs a String.
    let name = name.map(c_bytes).unwrap_or_default();
    let f = Fields::read(body)?;
    Ok(match name {
        // NFTA_META_DREG 1, KEY 2, SREG 3.
        b"meta" if !f.set(3) => Expr::Meta {
            key: f.u32(2)?,
            dreg: f.u32(1)?,
        },
        b"meta" if !f.set(1) => Expr::MetaSet {
            key: f.u32(2)?,
            sreg: f.u32(3)?,
        },
        // NFTA_IMMEDIATE_DREG 1, DATA 2.
        b"immediate" => {
            let d = match f.get(2) {
                Some(p) => data(p)?,
                None => Data::default(),
            };
            match (d.value, d.verdict) {
                (Some(value), _) => Expr::Immediate {
                    dreg: f.u32(1)?,
                    data: value,
                },
                (None, Some((code, chain))) if f.u32(1)? == 0 => Expr::Verdict {
                    code: code as i32,
                    chain,
                },
                _ => Expr::Other(string(name)),
            }
        }
        // NFTA_PAYLOAD_DREG 1, BASE 2, OFFSET 3, LEN 4, SREG 5.
        b"payload" if !f.set(5) => Expr::Payload {
            base: f.u32(2)?,
            offset: f.u32(3)?,
            len: f.u32(4)?,
            dreg: f.u32(1)?,
        },
        // NFTA_BITWISE_SREG 1, DREG 2, LEN 3, MASK 4, XOR 5, OP 6.
        b"bitwise" if f.u32(6)? == 0 && f.set(4) => Expr::Bitwise {
            sreg: f.u32(1)?,
            dreg: f.u32(2)?,
            mask: f.value(4)?,
            xor: f.value(5)?,
        },
        // NFTA_CMP_SREG 1, OP 2, DATA 3.
        b"cmp" => Expr::Cmp {
            sreg: f.u32(1)?,
            op: f.u32(2)?,
            data: f.value(3)?,
        },
        // NFTA_RANGE_SREG 1, OP 2, FROM_DATA 3, TO_DATA 4.
        b"range" => Expr::Range {
            sreg: f.u32(1)?,
            op: f.u32(2)?,
            from: f.value(3)?,
            to: f.value(4)?,
        },
        // NFTA_COUNTER_BYTES 1, PACKETS 2.
        b"counter" => Expr::Counter {
            packets: f.u64(2)?,
            bytes: f.u64(1)?,
        },
        // NFTA_MATCH_NAME 1, REV 2, INFO 3 (and the same for targets).
        b"match" => Expr::Match {
            name: f.string(1).unwrap_or_default(),
            rev: f.u32(2)?,
            info: f.bytes(3),
        },
        b"target" => Expr::Target {
            name: f.string(1).unwrap_or_default(),
            rev: f.u32(2)?,
            info: f.bytes(3),
        },
        // NFTA_LIMIT_RATE 1, UNIT 2, BURST 3, TYPE 4, FLAGS 5.
        b"limit" => Expr::Limit {
            rate: f.u64(1)?,
            unit: f.u64(2)?,
            burst: f.u32(3)?,
            kind: f.u32(4)?,
            flags: f.u32(5)?,
        },
        // NFTA_LOG_GROUP 1, PREFIX 2, SNAPLEN 3, QTHRESHOLD 4, LEVEL 5, FLAGS 6.
        b"log" => Expr::Log(Log {
            prefix: f.string(2),
            group: f.opt_u16(1)?,
            snaplen: f.opt_u32(3)?,
            qthreshold: f.opt_u16(4)?,
            level: f.opt_u32(5)?,
            flags: f.opt_u32(6)?,
        }),
        _ => Expr::Other(string(name)),
    })
}

/// Reads one NFT_MSG_NEWRULE message of a dump (or an echo): `None` for
/// a rule of another table than `table`.
pub(crate) fn parse_rule(msg: &[u8], table: &str) -> Result<Option<RawRule>> {
    let mut rule = RawRule {
        chain: String::new(),
        handle: 0,
        exprs: Vec::new(),
        userdata: false,
    };
    Ok(parse_rule_into(msg, table, &mut rule)?.then_some(rule))
}

/// [`parse_rule`] into `rule`, whose allocations are reused (a reader
/// that is done with each rule before the next allocates nearly nothing
/// for its chain name and expression list). False, and `rule` in no
/// useful state, for a rule of another table.
pub(crate) fn parse_rule_into(msg: &[u8], table: &str, rule: &mut RawRule) -> Result<bool> {
    let body = msg
        .get(RULE_ATTRS_AT..)
        .ok_or_else(|| malformed("shorter than its headers"))?;
    rule.chain.clear();
    rule.handle = 0;
    rule.exprs.clear();
    rule.userdata = false;
    let mut ours = false;
    for_each_attr(body, |kind, v| {
        match kind {
            NFTA_RULE_TABLE => ours = String::from_utf8_lossy(c_bytes(v)) == table,
            NFTA_RULE_CHAIN => rule.chain.push_str(&String::from_utf8_lossy(c_bytes(v))),
            NFTA_RULE_HANDLE => rule.handle = be64(v)?,
            NFTA_RULE_USERDATA => rule.userdata = true,
            NFTA_RULE_EXPRESSIONS => {
                // Counted first: one allocation for the list.
                let mut count = 0;
                let _ = for_each_attr(v, |_, _| {
                    count += 1;
                    Ok(())
                });
                rule.exprs.reserve_exact(count);
                for_each_attr(v, |kind, p| {
                    if kind == NFTA_LIST_ELEM {
                        rule.exprs.push(expr(p)?);
                    }
                    Ok(())
                })?;
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(ours)
}

/// Reads a rule message of any bytes: for the fuzz target (never panics).
#[doc(hidden)]
pub fn fuzz_rule_message(msg: &[u8]) -> bool {
    parse_rule(msg, "filter").is_ok()
}
