//! Rule messages on the wire, both ways: read from a dump's netlink
//! attributes, and written for a batch, without libnftnl.
//!
//! Reading: for each rule libnftnl allocates the rule, a copy of its table
//! and chain names and one object per expression, then we copy it all out
//! again: in a dump of 10,000 rules that was four fifths of
//! `iptables-nft-save`'s user time (callgrind). Here a rule is one walk over
//! its attributes, into the values of [`Expr`] directly. The expressions
//! and attributes read are the ones `read_expr` in `ffi.rs` used to take
//! from libnftnl, with the same meaning for absent attributes (zero,
//! empty), so both give the same [`RawRule`]: a kernel test holds them to
//! it on real messages.
//!
//! Writing: libnftnl allocated a rule, a C string of its table and chain,
//! an object and a name lookup per expression, then built the message in a
//! scratch buffer we copied out: for a load of 10,000 rules that was two
//! fifths of the user time (callgrind). Here a rule message is appended
//! to the batch in one pass over its expressions, byte for byte what
//! libnftnl 1.2 writes (its `*_build` functions: the same attributes, in
//! the same order, names cut where it cuts them), but for attribute
//! padding: zero here, whatever its scratch buffer held there (libmnl
//! 1.0.4 leaves it; the kernel does not read it). A test holds the two to
//! the same bytes on every expression form.
//!
//! Attribute numbers are those of `linux/netfilter/nf_tables.h` and
//! `nf_tables_compat.h`. Integers are big endian on the wire.

use iptkit_sys::nftables::{NFNL_SUBSYS_NFTABLES, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE};

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
const NFTA_RULE_COMPAT: u16 = 5;
const NFTA_RULE_POSITION: u16 = 6;
const NFTA_RULE_USERDATA: u16 = 7;
const NFTA_RULE_COMPAT_PROTO: u16 = 1;
const NFTA_RULE_COMPAT_FLAGS: u16 = 2;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;
const NFTA_DATA_VALUE: u16 = 1;
const NFTA_DATA_VERDICT: u16 = 2;
const NFTA_VERDICT_CODE: u16 = 1;
const NFTA_VERDICT_CHAIN: u16 = 2;
const NLA_F_NESTED: u16 = 0x8000;
/// libnftnl keeps a match's or target's name in `char[XT_EXTENSION_MAXNAMELEN]`.
const XT_EXTENSION_MAXNAMELEN: usize = 29;

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

/// What a rule message says besides its expressions.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleMsg<'a> {
    pub msg_type: u16,
    pub family: u16,
    pub flags: u16,
    pub seq: u32,
    pub table: &'a str,
    pub chain: &'a str,
    pub handle: Option<u64>,
    pub position: Option<u64>,
    /// NFTA_RULE_COMPAT: protocol and flags, as iptables-nft sets them.
    pub compat: Option<(u32, u32)>,
}

/// Header fields of a message: type (of the nf_tables subsystem), family,
/// flags (NLM_F_REQUEST is added), sequence number.
type Hdr = (u16, u16, u16, u32);

/// Appends a message to `out`: its headers, then what `body` writes. On
/// an error `out` is as it was.
fn message(
    out: &mut Vec<u8>,
    (msg_type, family, flags, seq): Hdr,
    body: impl FnOnce(&mut Writer) -> Result<()>,
) -> Result<()> {
    let start = out.len();
    // nlmsghdr (its length filled in at the end), then nfgenmsg: family,
    // NFNETLINK_V0, res_id 0.
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&((NFNL_SUBSYS_NFTABLES << 8) | msg_type).to_ne_bytes());
    out.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[family as u8, 0, 0, 0]);
    match body(&mut Writer { out }) {
        Ok(()) => {
            let len = (out.len() - start) as u32;
            out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Appends a rule message (new, replace or delete) to `out`, as libnftnl's
/// `nftnl_rule_nlmsg_build_payload` lays it out. On an error `out` is as
/// it was.
pub(crate) fn rule_msg(m: &RuleMsg, exprs: &[Expr], out: &mut Vec<u8>) -> Result<()> {
    message(out, (m.msg_type, m.family, m.flags, m.seq), |w| {
        w.strz(NFTA_RULE_TABLE, m.table)?;
        w.strz(NFTA_RULE_CHAIN, m.chain)?;
        if let Some(h) = m.handle {
            w.u64(NFTA_RULE_HANDLE, h);
        }
        if let Some(p) = m.position {
            w.u64(NFTA_RULE_POSITION, p);
        }
        if !exprs.is_empty() {
            let list = w.nest_start();
            for x in exprs {
                let elem = w.nest_start();
                write_expr(w, x)?;
                w.nest_end(elem, NFTA_LIST_ELEM)?;
            }
            w.nest_end(list, NFTA_RULE_EXPRESSIONS)?;
        }
        if let Some((proto, flags)) = m.compat {
            let compat = w.nest_start();
            w.u32(NFTA_RULE_COMPAT_PROTO, proto);
            w.u32(NFTA_RULE_COMPAT_FLAGS, flags);
            w.nest_end(compat, NFTA_RULE_COMPAT)?;
        }
        Ok(())
    })
}

/// What a chain message says.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChainMsg<'a> {
    pub msg_type: u16,
    pub family: u16,
    pub flags: u16,
    pub seq: u32,
    pub table: &'a str,
    pub name: &'a str,
    /// Base chains: hook, priority, type.
    pub hook: Option<(u32, i32, &'a str)>,
    pub policy: Option<u32>,
    pub counters: Option<(u64, u64)>,
}

const NFTA_CHAIN_TABLE: u16 = 1;
const NFTA_CHAIN_NAME: u16 = 3;
const NFTA_CHAIN_HOOK: u16 = 4;
const NFTA_CHAIN_POLICY: u16 = 5;
const NFTA_CHAIN_TYPE: u16 = 7;
const NFTA_CHAIN_COUNTERS: u16 = 8;
const NFTA_HOOK_HOOKNUM: u16 = 1;
const NFTA_HOOK_PRIORITY: u16 = 2;
const NFTA_COUNTER_BYTES: u16 = 1;
const NFTA_COUNTER_PACKETS: u16 = 2;
const NFTA_TABLE_NAME: u16 = 1;

/// Appends a chain message to `out`, as `nftnl_chain_nlmsg_build_payload`
/// lays it out.
pub(crate) fn chain_msg(m: &ChainMsg, out: &mut Vec<u8>) -> Result<()> {
    message(out, (m.msg_type, m.family, m.flags, m.seq), |w| {
        w.strz(NFTA_CHAIN_TABLE, m.table)?;
        w.strz(NFTA_CHAIN_NAME, m.name)?;
        if let Some((hook, prio, _)) = m.hook {
            let nest = w.nest_start();
            w.u32(NFTA_HOOK_HOOKNUM, hook);
            w.u32(NFTA_HOOK_PRIORITY, prio as u32);
            w.nest_end(nest, NFTA_CHAIN_HOOK)?;
        }
        if let Some(p) = m.policy {
            w.u32(NFTA_CHAIN_POLICY, p);
        }
        if let Some((packets, bytes)) = m.counters {
            let nest = w.nest_start();
            w.u64(NFTA_COUNTER_PACKETS, packets);
            w.u64(NFTA_COUNTER_BYTES, bytes);
            w.nest_end(nest, NFTA_CHAIN_COUNTERS)?;
        }
        if let Some((_, _, kind)) = m.hook {
            w.strz(NFTA_CHAIN_TYPE, kind)?;
        }
        Ok(())
    })
}

/// Appends a table message (NEWTABLE, DELTABLE) to `out`.
pub(crate) fn table_msg(hdr: Hdr, name: &str, out: &mut Vec<u8>) -> Result<()> {
    message(out, hdr, |w| w.strz(NFTA_TABLE_NAME, name))
}

/// Appends a bare request (a dump or GETGEN) to `out`, filtered by table
/// (and, for rule dumps, chain) as libnftnl's rule, chain and table
/// builders write the filter.
pub(crate) fn request(
    hdr: Hdr,
    table: Option<&str>,
    chain: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<()> {
    message(out, hdr, |w| {
        let Some(table) = table else {
            return Ok(());
        };
        match hdr.0 {
            NFT_MSG_GETRULE => {
                w.strz(NFTA_RULE_TABLE, table)?;
                // The kernel filters a rule dump by chain, too.
                if let Some(c) = chain {
                    w.strz(NFTA_RULE_CHAIN, c)?;
                }
                Ok(())
            }
            NFT_MSG_GETCHAIN => w.strz(NFTA_CHAIN_TABLE, table),
            _ => w.strz(NFTA_TABLE_NAME, table),
        }
    })
}

const NLM_F_REQUEST: u16 = 1;

/// One expression: its name, then its attributes in NFTA_EXPR_DATA, in the
/// order of libnftnl's `nftnl_expr_*_build` (attribute numbers as in
/// `expr()` above).
fn write_expr(w: &mut Writer, x: &Expr) -> Result<()> {
    let name = match x {
        Expr::Meta { .. } | Expr::MetaSet { .. } => &META,
        Expr::Immediate { .. } | Expr::Verdict { .. } => &IMMEDIATE,
        Expr::Payload { .. } => &PAYLOAD,
        Expr::Bitwise { .. } => &BITWISE,
        Expr::Cmp { .. } => &CMP,
        Expr::Range { .. } => &RANGE,
        Expr::Counter { .. } => &COUNTER,
        Expr::Match { .. } => &MATCH,
        Expr::Target { .. } => &TARGET,
        Expr::Limit { .. } => &LIMIT,
        Expr::Log(_) => &LOG,
        Expr::Other(name) => {
            return Err(Error::Malformed(format!(
                "cannot write the nf_tables expression `{name}`"
            )))
        }
    };
    // Sixteen bytes copied whole and the rest cut: no copy of a length
    // only known at run time for the most frequent attribute.
    let end = w.out.len() + name.len;
    w.out.extend_from_slice(&name.bytes);
    w.out.truncate(end);
    let data = w.nest_start();
    match x {
        Expr::Meta { key, dreg } => {
            w.u32(2, *key);
            w.u32(1, *dreg);
        }
        Expr::MetaSet { key, sreg } => {
            w.u32(2, *key);
            w.u32(3, *sreg);
        }
        Expr::Immediate { dreg, data } => {
            w.u32(1, *dreg);
            w.value(2, data)?;
        }
        Expr::Verdict { code, chain } => {
            w.u32(1, 0);
            let imm = w.nest_start();
            let verdict = w.nest_start();
            w.u32(NFTA_VERDICT_CODE, *code as u32);
            if let Some(c) = chain {
                w.strz(NFTA_VERDICT_CHAIN, c)?;
            }
            w.nest_end(verdict, NFTA_DATA_VERDICT)?;
            w.nest_end(imm, 2)?;
        }
        Expr::Payload {
            base,
            offset,
            len,
            dreg,
        } => {
            w.u32(1, *dreg);
            w.u32(2, *base);
            w.u32(3, *offset);
            w.u32(4, *len);
        }
        Expr::Bitwise {
            sreg,
            dreg,
            mask,
            xor,
        } => {
            w.u32(1, *sreg);
            w.u32(2, *dreg);
            w.u32(3, mask.len() as u32);
            w.value(4, mask)?;
            w.value(5, xor)?;
        }
        Expr::Cmp { sreg, op, data } => {
            w.u32(1, *sreg);
            w.u32(2, *op);
            w.value(3, data)?;
        }
        Expr::Range { sreg, op, from, to } => {
            w.u32(1, *sreg);
            w.u32(2, *op);
            w.value(3, from)?;
            w.value(4, to)?;
        }
        Expr::Counter { packets, bytes } => {
            w.u64(1, *bytes);
            w.u64(2, *packets);
        }
        Expr::Match { name, rev, info } | Expr::Target { name, rev, info } => {
            // libnftnl keeps the name in a fixed array: what does not fit
            // is cut.
            no_nul(name)?;
            let cut = &name.as_bytes()[..name.len().min(XT_EXTENSION_MAXNAMELEN - 1)];
            w.attr_parts(1, cut, &[0])?;
            w.u32(2, *rev);
            w.attr(3, info)?;
        }
        Expr::Limit {
            rate,
            unit,
            burst,
            kind,
            flags,
        } => {
            w.u64(1, *rate);
            w.u64(2, *unit);
            w.u32(3, *burst);
            w.u32(4, *kind);
            w.u32(5, *flags);
        }
        Expr::Log(l) => {
            if let Some(p) = &l.prefix {
                w.strz(2, p)?;
            }
            if let Some(g) = l.group {
                w.u16(1, g);
            }
            if let Some(s) = l.snaplen {
                w.u32(3, s);
            }
            if let Some(q) = l.qthreshold {
                w.u16(4, q);
            }
            if let Some(v) = l.level {
                w.u32(5, v);
            }
            if let Some(f) = l.flags {
                w.u32(6, f);
            }
        }
        Expr::Other(_) => {}
    }
    w.nest_end(data, NFTA_EXPR_DATA)
}

/// An expression's NFTA_EXPR_NAME attribute, made at compile time: `len`
/// bytes of `bytes` (header, name, NUL, padding).
struct Name {
    bytes: [u8; 16],
    len: usize,
}

const fn name(s: &str) -> Name {
    let s = s.as_bytes();
    let len = (NLA_HDRLEN + s.len() + 1).next_multiple_of(4);
    let mut bytes = [0; 16];
    let header = ((NLA_HDRLEN + s.len() + 1) as u16).to_ne_bytes();
    let kind = NFTA_EXPR_NAME.to_ne_bytes();
    bytes[0] = header[0];
    bytes[1] = header[1];
    bytes[2] = kind[0];
    bytes[3] = kind[1];
    let mut i = 0;
    while i < s.len() {
        bytes[NLA_HDRLEN + i] = s[i];
        i += 1;
    }
    Name { bytes, len }
}

const META: Name = name("meta");
const IMMEDIATE: Name = name("immediate");
const PAYLOAD: Name = name("payload");
const BITWISE: Name = name("bitwise");
const CMP: Name = name("cmp");
const RANGE: Name = name("range");
const COUNTER: Name = name("counter");
const MATCH: Name = name("match");
const TARGET: Name = name("target");
const LIMIT: Name = name("limit");
const LOG: Name = name("log");

/// The error libnftnl's C strings give a name with a NUL in it.
fn no_nul(s: &str) -> Result<()> {
    match s.as_bytes().contains(&0) {
        true => Err(Error::Malformed(format!("`{s}` holds a NUL byte"))),
        false => Ok(()),
    }
}

/// Appends attributes to a message at the end of `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    /// An attribute of `N` bytes of payload. Every attribute is padded
    /// with zeros to 4 bytes (see the module).
    fn fixed<const N: usize>(&mut self, kind: u16, payload: [u8; N]) {
        // Built whole, then appended in one piece.
        let mut a = [0u8; 16];
        a[..2].copy_from_slice(&((NLA_HDRLEN + N) as u16).to_ne_bytes());
        a[2..4].copy_from_slice(&kind.to_ne_bytes());
        a[4..4 + N].copy_from_slice(&payload);
        self.out
            .extend_from_slice(&a[..(NLA_HDRLEN + N).next_multiple_of(4)]);
    }

    fn u16(&mut self, kind: u16, v: u16) {
        self.fixed(kind, v.to_be_bytes());
    }

    fn u32(&mut self, kind: u16, v: u32) {
        self.fixed(kind, v.to_be_bytes());
    }

    fn u64(&mut self, kind: u16, v: u64) {
        self.fixed(kind, v.to_be_bytes());
    }

    /// An attribute of any payload.
    fn attr(&mut self, kind: u16, payload: &[u8]) -> Result<()> {
        self.attr_parts(kind, payload, &[])
    }

    /// An attribute whose payload is `a` then `b`.
    fn attr_parts(&mut self, kind: u16, a: &[u8], b: &[u8]) -> Result<()> {
        let len = NLA_HDRLEN + a.len() + b.len();
        self.out.extend_from_slice(&attr_len(len)?.to_ne_bytes());
        self.out.extend_from_slice(&kind.to_ne_bytes());
        self.out.extend_from_slice(a);
        self.out.extend_from_slice(b);
        self.out.extend_from_slice(&[0; 3][..(4 - len % 4) % 4]);
        Ok(())
    }

    /// A string and its NUL.
    fn strz(&mut self, kind: u16, s: &str) -> Result<()> {
        no_nul(s)?;
        self.attr_parts(kind, s.as_bytes(), &[0])
    }

    /// An nft_data attribute holding a value.
    fn value(&mut self, kind: u16, data: &[u8]) -> Result<()> {
        let nest = self.nest_start();
        self.attr(NFTA_DATA_VALUE, data)?;
        self.nest_end(nest, kind)
    }

    /// Starts a nested attribute; its header is written by `nest_end`.
    fn nest_start(&mut self) -> usize {
        let at = self.out.len();
        self.out.extend_from_slice(&[0; NLA_HDRLEN]);
        at
    }

    fn nest_end(&mut self, at: usize, kind: u16) -> Result<()> {
        let len = attr_len(self.out.len() - at)?;
        self.out[at..at + 2].copy_from_slice(&len.to_ne_bytes());
        self.out[at + 2..at + 4].copy_from_slice(&(NLA_F_NESTED | kind).to_ne_bytes());
        Ok(())
    }
}

/// An attribute's length, which netlink keeps in 16 bits (libmnl would
/// write a longer one cut, and the kernel read another message).
fn attr_len(len: usize) -> Result<u16> {
    u16::try_from(len).map_err(|_| {
        Error::Malformed(format!(
            "an nf_tables attribute of {len} bytes (netlink allows 65,535)"
        ))
    })
}

/// Reads a rule message of any bytes: for the fuzz target (never panics).
#[doc(hidden)]
pub fn fuzz_rule_message(msg: &[u8]) -> bool {
    parse_rule(msg, "filter").is_ok()
}

#[cfg(test)]
mod tests {
    use iptkit_sys::nftables::{NFT_MSG_DELRULE, NFT_MSG_NEWRULE};
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::super::{encode, reference};
    use super::*;
    use crate::{Family, Rule};

    /// Our bytes and libnftnl's for the same message.
    fn both(m: &RuleMsg, exprs: &[Expr]) -> (Vec<u8>, Vec<u8>) {
        let (mut ours, mut theirs) = (vec![7u8; 4], vec![7u8; 4]);
        rule_msg(m, exprs, &mut ours).unwrap();
        // libnftnl's padding is what the buffer held: zero, as ours.
        reference::zero_scratch();
        reference::rule_msg(m, exprs, &mut theirs).unwrap();
        (ours, theirs)
    }

    #[test]
    fn rules_as_iptables_nft_writes_them_are_libnftnls_bytes() {
        let specs = [
            "-s 10.0.0.0/8 -i eth0 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
            "! -s 10.0.2.0/255.0.255.0 ! -o eth+ ! -p udp -j DROP",
            "-p udp -m udp --sport 53:60 ! --dport 54",
            "-p tcp -m tcp ! --dport 0:5",
            "-p tcp -m tcp --dport 4 --tcp-flags SYN,ACK SYN",
            "-m mark ! --mark 0x5/0xff -m limit --limit 3/hour --limit-burst 2",
            "-f -j LOG --log-prefix \"x \" --log-level 5",
            "! -i +",
            "-j NFLOG --nflog-group 3 --nflog-prefix foo --nflog-size 20 --nflog-threshold 2",
            "-d 1.2.3.4/32 -m comment --comment \"hi there\" -j RETURN",
            "-g foo",
            "-j foo",
            "-j MARK --set-xmark 0x1/0xff",
            "-p tcp -j REJECT --reject-with tcp-reset",
            "-j TRACE",
            "-j QUEUE",
        ];
        for spec in specs {
            let rule = Rule::parse(Family::Ipv4, spec).unwrap();
            let (exprs, compat) = encode::encode(&rule).unwrap();
            for (msg_type, handle, position) in [
                (NFT_MSG_NEWRULE, None, None),
                (NFT_MSG_NEWRULE, None, Some(77)),
                (NFT_MSG_NEWRULE, Some(1 << 40), None),
            ] {
                let m = RuleMsg {
                    msg_type,
                    family: 2,
                    flags: 0x0c00,
                    seq: 0x1234_5678,
                    table: "filter",
                    chain: "INPUT",
                    handle,
                    position,
                    compat: Some(compat),
                };
                let (ours, theirs) = both(&m, &exprs);
                assert_eq!(ours, theirs, "{spec}");
            }
        }
        // A delete: no expressions, no compat.
        let m = RuleMsg {
            msg_type: NFT_MSG_DELRULE,
            family: 10,
            table: "mangle",
            chain: "a-chain",
            handle: Some(5),
            ..RuleMsg::default()
        };
        let (ours, theirs) = both(&m, &[]);
        assert_eq!(ours, theirs);
    }

    /// Chain, table and request messages: the bytes libnftnl builds.
    #[test]
    fn chains_tables_and_requests_are_libnftnls_bytes() {
        use iptkit_sys::nftables::*;
        let chains = [
            ChainMsg {
                msg_type: NFT_MSG_NEWCHAIN,
                family: 2,
                flags: 0x400,
                seq: 9,
                table: "filter",
                name: "INPUT",
                hook: Some((1, -150, "filter")),
                policy: Some(0),
                counters: Some((7, 1 << 40)),
            },
            ChainMsg {
                msg_type: NFT_MSG_NEWCHAIN,
                family: 10,
                table: "nat",
                name: "a-user-chain",
                ..ChainMsg::default()
            },
            ChainMsg {
                msg_type: NFT_MSG_NEWCHAIN,
                table: "mangle",
                name: "OUTPUT",
                policy: Some(1),
                counters: Some((0, 0)),
                ..ChainMsg::default()
            },
            ChainMsg {
                msg_type: NFT_MSG_DELCHAIN,
                table: "raw",
                name: "x",
                ..ChainMsg::default()
            },
        ];
        for m in &chains {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            chain_msg(m, &mut ours).unwrap();
            reference::zero_scratch();
            reference::chain_msg(m, &mut theirs).unwrap();
            assert_eq!(ours, theirs, "{m:?}");
        }
        for hdr in [
            (NFT_MSG_NEWTABLE, 2, 0x408, 3),
            (NFT_MSG_DELTABLE, 10, 0, 4),
        ] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            table_msg(hdr, "security", &mut ours).unwrap();
            reference::zero_scratch();
            reference::table_msg(hdr, "security", &mut theirs).unwrap();
            assert_eq!(ours, theirs, "{hdr:?}");
        }
        for (kind, table, chain) in [
            (NFT_MSG_GETRULE, Some("filter"), Some("INPUT")),
            (NFT_MSG_GETRULE, Some("filter"), None),
            (NFT_MSG_GETCHAIN, Some("nat"), None),
            (NFT_MSG_GETTABLE, Some("raw"), None),
            (NFT_MSG_GETTABLE, None, None),
            (NFT_MSG_GETGEN, None, None),
        ] {
            let hdr = (kind, 2, 0x305, 77);
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            request(hdr, table, chain, &mut ours).unwrap();
            reference::zero_scratch();
            reference::request(hdr, table, chain, &mut theirs).unwrap();
            assert_eq!(ours, theirs, "{kind} {table:?} {chain:?}");
        }
    }

    #[test]
    fn a_name_with_a_nul_is_refused_and_nothing_is_written() {
        let m = RuleMsg {
            table: "filter",
            chain: "a\0b",
            ..RuleMsg::default()
        };
        let mut out = vec![1, 2, 3, 4];
        assert!(rule_msg(&m, &[], &mut out).is_err());
        assert_eq!(out, [1, 2, 3, 4]);
        let huge = Expr::Match {
            name: "u32".into(),
            rev: 0,
            info: vec![0; 70_000],
        };
        let m = RuleMsg {
            table: "filter",
            chain: "INPUT",
            ..RuleMsg::default()
        };
        assert!(rule_msg(&m, &[huge], &mut out).is_err());
        assert_eq!(out, [1, 2, 3, 4]);
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..=16)
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_ -]{0,40}"
    }

    fn expr() -> impl Strategy<Value = Expr> {
        prop_oneof![
            (any::<u32>(), any::<u32>()).prop_map(|(key, dreg)| Expr::Meta { key, dreg }),
            (any::<u32>(), any::<u32>()).prop_map(|(key, sreg)| Expr::MetaSet { key, sreg }),
            (any::<u32>(), bytes()).prop_map(|(dreg, data)| Expr::Immediate { dreg, data }),
            (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
                |(base, offset, len, dreg)| Expr::Payload {
                    base,
                    offset,
                    len,
                    dreg
                }
            ),
            (any::<u32>(), any::<u32>(), bytes(), bytes()).prop_map(|(sreg, dreg, mask, xor)| {
                Expr::Bitwise {
                    sreg,
                    dreg,
                    mask,
                    xor,
                }
            }),
            (any::<u32>(), any::<u32>(), bytes()).prop_map(|(sreg, op, data)| Expr::Cmp {
                sreg,
                op,
                data
            }),
            (any::<u32>(), any::<u32>(), bytes(), bytes())
                .prop_map(|(sreg, op, from, to)| { Expr::Range { sreg, op, from, to } }),
            (any::<u64>(), any::<u64>())
                .prop_map(|(packets, bytes)| Expr::Counter { packets, bytes }),
            (any::<i32>(), proptest::option::of(name()))
                .prop_map(|(code, chain)| Expr::Verdict { code, chain }),
            (name(), any::<u32>(), vec(any::<u8>(), 0..64))
                .prop_map(|(name, rev, info)| Expr::Match { name, rev, info }),
            (name(), any::<u32>(), vec(any::<u8>(), 0..64))
                .prop_map(|(name, rev, info)| Expr::Target { name, rev, info }),
            (
                any::<u64>(),
                any::<u64>(),
                any::<u32>(),
                any::<u32>(),
                any::<u32>()
            )
                .prop_map(|(rate, unit, burst, kind, flags)| Expr::Limit {
                    rate,
                    unit,
                    burst,
                    kind,
                    flags
                }),
            (
                proptest::option::of(name()),
                proptest::option::of(any::<u16>()),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u16>()),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u32>()),
            )
                .prop_map(|(prefix, group, snaplen, qthreshold, level, flags)| {
                    Expr::Log(Log {
                        prefix,
                        group,
                        snaplen,
                        qthreshold,
                        level,
                        flags,
                    })
                }),
        ]
    }

    proptest! {
        /// Any expressions, any header: the bytes libnftnl builds.
        #[test]
        fn any_rule_message_is_libnftnls_bytes(
            exprs in vec(expr(), 0..8),
            msg_type in prop_oneof![Just(NFT_MSG_NEWRULE), Just(NFT_MSG_DELRULE)],
            family in prop_oneof![Just(2u16), Just(10u16)],
            flags in any::<u16>(),
            seq in any::<u32>(),
            chain in name(),
            handle in proptest::option::of(any::<u64>()),
            position in proptest::option::of(any::<u64>()),
            compat in proptest::option::of((any::<u32>(), any::<u32>())),
        ) {
            let m = RuleMsg {
                msg_type,
                family,
                flags,
                seq,
                table: "filter",
                chain: &chain,
                handle,
                position,
                compat,
            };
            let (ours, theirs) = both(&m, &exprs);
            prop_assert_eq!(ours, theirs);
        }
    }
}
