//! libnftnl's own rule parser and message builders: the reference the
//! reader and writer of `wire.rs` are tested against, byte for byte
//! (tests only; the backend itself reads rules and builds every message
//! in `wire.rs`).

use std::ffi::CString;
use std::os::raw::c_void;

use iptkit_sys::nftables::nftnl as sys;
use sys::libc::nlmsghdr;

use super::expr::Expr;
use super::ffi::{header, string, Chain, RawRule};
use super::wire::{ChainMsg, RuleMsg};
use crate::error::{Error, Result};

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::Malformed(format!("`{s}` holds a NUL byte")))
}

struct Rule(*mut sys::nftnl_rule);

impl Rule {
    fn new() -> Result<Rule> {
        // SAFETY: plain allocation.
        let p = unsafe { sys::nftnl_rule_alloc() };
        if p.is_null() {
            return Err(Error::Malformed("out of memory (nftnl_rule_alloc)".into()));
        }
        Ok(Rule(p))
    }
}

impl Drop for Rule {
    fn drop(&mut self) {
        // SAFETY: allocated by nftnl_rule_alloc, freed once; expressions
        // added to it are freed with it.
        unsafe { sys::nftnl_rule_free(self.0) }
    }
}

/// Reads one NFT_MSG_NEWRULE message through libnftnl: the reference the
/// attribute reader (`wire.rs`) is tested against.
pub(super) fn parse_rule(msg: &[u8]) -> Result<RawRule> {
    let nlh = header(msg)?;
    let r = Rule::new()?;
    // SAFETY: nlh is a whole message (checked), r a live rule.
    if unsafe { sys::nftnl_rule_nlmsg_parse(nlh, r.0) } < 0 {
        return Err(Error::Malformed(
            "a rule message libnftnl cannot parse".into(),
        ));
    }
    // SAFETY: r is live; getters return NULL or strings owned by r.
    let chain = unsafe { string(sys::nftnl_rule_get_str(r.0, sys::NFTNL_RULE_CHAIN as u16)) }
        .unwrap_or_default();
    // SAFETY: as above.
    let handle = unsafe { sys::nftnl_rule_get_u64(r.0, sys::NFTNL_RULE_HANDLE as u16) };
    // SAFETY: as above.
    let userdata = unsafe { sys::nftnl_rule_is_set(r.0, sys::NFTNL_RULE_USERDATA as u16) };
    let mut exprs = Vec::new();
    // SAFETY: the iterator walks r's expressions, which live as long as r.
    unsafe {
        let it = sys::nftnl_expr_iter_create(r.0);
        if it.is_null() {
            return Err(Error::Malformed(
                "out of memory (nftnl_expr_iter_create)".into(),
            ));
        }
        loop {
            let e = sys::nftnl_expr_iter_next(it);
            if e.is_null() {
                break;
            }
            exprs.push(read_expr(e));
        }
        sys::nftnl_expr_iter_destroy(it);
    }
    Ok(RawRule {
        chain,
        handle,
        exprs,
        userdata,
    })
}

/// # Safety
/// `e` is a live expression.
unsafe fn read_expr(e: *const sys::nftnl_expr) -> Expr {
    // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
    let set = |a: u32| unsafe { sys::nftnl_expr_is_set(e, a as u16) };
    // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
    let u32_ = |a: u32| unsafe { sys::nftnl_expr_get_u32(e, a as u16) };
    // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
    let u64_ = |a: u32| unsafe { sys::nftnl_expr_get_u64(e, a as u16) };
    // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
    let u16_ = |a: u32| unsafe { sys::nftnl_expr_get_u16(e, a as u16) };
    // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
    let str_ = |a: u32| unsafe { string(sys::nftnl_expr_get_str(e, a as u16)) };
    let data = |a: u32| -> Vec<u8> {
        let mut len = 0u32;
        // SAFETY: `e` is live for this call (read_expr's contract); values are copied out.
        let p = unsafe { sys::nftnl_expr_get(e, a as u16, &mut len) };
        if p.is_null() {
            Vec::new()
        } else {
            // SAFETY: libnftnl returns len bytes owned by the expression.
            unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len as usize) }.to_vec()
        }
    };
    let name = str_(sys::NFTNL_EXPR_NAME).unwrap_or_default();
    match name.as_str() {
        "meta" if !set(sys::NFTNL_EXPR_META_SREG) => Expr::Meta {
            key: u32_(sys::NFTNL_EXPR_META_KEY),
            dreg: u32_(sys::NFTNL_EXPR_META_DREG),
        },
        "meta" if !set(sys::NFTNL_EXPR_META_DREG) => Expr::MetaSet {
            key: u32_(sys::NFTNL_EXPR_META_KEY),
            sreg: u32_(sys::NFTNL_EXPR_META_SREG),
        },
        "immediate" if set(sys::NFTNL_EXPR_IMM_DATA) => Expr::Immediate {
            dreg: u32_(sys::NFTNL_EXPR_IMM_DREG),
            data: data(sys::NFTNL_EXPR_IMM_DATA),
        },
        "payload" if !set(sys::NFTNL_EXPR_PAYLOAD_SREG) => Expr::Payload {
            base: u32_(sys::NFTNL_EXPR_PAYLOAD_BASE),
            offset: u32_(sys::NFTNL_EXPR_PAYLOAD_OFFSET),
            len: u32_(sys::NFTNL_EXPR_PAYLOAD_LEN),
            dreg: u32_(sys::NFTNL_EXPR_PAYLOAD_DREG),
        },
        "bitwise"
            if (!set(sys::NFTNL_EXPR_BITWISE_OP) || u32_(sys::NFTNL_EXPR_BITWISE_OP) == 0)
                && set(sys::NFTNL_EXPR_BITWISE_MASK) =>
        {
            Expr::Bitwise {
                sreg: u32_(sys::NFTNL_EXPR_BITWISE_SREG),
                dreg: u32_(sys::NFTNL_EXPR_BITWISE_DREG),
                mask: data(sys::NFTNL_EXPR_BITWISE_MASK),
                xor: data(sys::NFTNL_EXPR_BITWISE_XOR),
            }
        }
        "cmp" => Expr::Cmp {
            sreg: u32_(sys::NFTNL_EXPR_CMP_SREG),
            op: u32_(sys::NFTNL_EXPR_CMP_OP),
            data: data(sys::NFTNL_EXPR_CMP_DATA),
        },
        "range" => Expr::Range {
            sreg: u32_(sys::NFTNL_EXPR_RANGE_SREG),
            op: u32_(sys::NFTNL_EXPR_RANGE_OP),
            from: data(sys::NFTNL_EXPR_RANGE_FROM_DATA),
            to: data(sys::NFTNL_EXPR_RANGE_TO_DATA),
        },
        "counter" => Expr::Counter {
            packets: u64_(sys::NFTNL_EXPR_CTR_PACKETS),
            bytes: u64_(sys::NFTNL_EXPR_CTR_BYTES),
        },
        "immediate" if set(sys::NFTNL_EXPR_IMM_VERDICT) && u32_(sys::NFTNL_EXPR_IMM_DREG) == 0 => {
            Expr::Verdict {
                code: u32_(sys::NFTNL_EXPR_IMM_VERDICT) as i32,
                chain: str_(sys::NFTNL_EXPR_IMM_CHAIN),
            }
        }
        "match" => Expr::Match {
            name: str_(sys::NFTNL_EXPR_MT_NAME).unwrap_or_default(),
            rev: u32_(sys::NFTNL_EXPR_MT_REV),
            info: data(sys::NFTNL_EXPR_MT_INFO),
        },
        "target" => Expr::Target {
            name: str_(sys::NFTNL_EXPR_TG_NAME).unwrap_or_default(),
            rev: u32_(sys::NFTNL_EXPR_TG_REV),
            info: data(sys::NFTNL_EXPR_TG_INFO),
        },
        "limit" => Expr::Limit {
            rate: u64_(sys::NFTNL_EXPR_LIMIT_RATE),
            unit: u64_(sys::NFTNL_EXPR_LIMIT_UNIT),
            burst: u32_(sys::NFTNL_EXPR_LIMIT_BURST),
            kind: u32_(sys::NFTNL_EXPR_LIMIT_TYPE),
            flags: u32_(sys::NFTNL_EXPR_LIMIT_FLAGS),
        },
        "log" => Expr::Log(super::expr::Log {
            prefix: set(sys::NFTNL_EXPR_LOG_PREFIX)
                .then(|| str_(sys::NFTNL_EXPR_LOG_PREFIX))
                .flatten(),
            group: set(sys::NFTNL_EXPR_LOG_GROUP).then(|| u16_(sys::NFTNL_EXPR_LOG_GROUP)),
            snaplen: set(sys::NFTNL_EXPR_LOG_SNAPLEN).then(|| u32_(sys::NFTNL_EXPR_LOG_SNAPLEN)),
            qthreshold: set(sys::NFTNL_EXPR_LOG_QTHRESHOLD)
                .then(|| u16_(sys::NFTNL_EXPR_LOG_QTHRESHOLD)),
            level: set(sys::NFTNL_EXPR_LOG_LEVEL).then(|| u32_(sys::NFTNL_EXPR_LOG_LEVEL)),
            flags: set(sys::NFTNL_EXPR_LOG_FLAGS).then(|| u32_(sys::NFTNL_EXPR_LOG_FLAGS)),
        }),
        _ => Expr::Other(name),
    }
}

/// Room for one message: libnftnl writes without bounds checks, so this
/// must hold the largest message it can build (a 16-bit attribute length
/// plus a page: `nft_nlmsg_maxsize`, what libnftnl's batches reserve).
fn scratch_size() -> usize {
    (nftnl::nft_nlmsg_maxsize() as usize + 3) & !3
}

thread_local! {
    /// The scratch buffer messages are built in, kept between messages:
    /// zeroing a fresh 64 KiB buffer for each rule of a 10,000-rule batch
    /// would cost more than building the rules.
    static SCRATCH: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on a 4-byte aligned scratch buffer of `nft_nlmsg_maxsize`
/// bytes for libnftnl to build one message in. libnftnl (libmnl) writes
/// every byte of the message it builds but attribute padding (libmnl
/// 1.0.4), which the kernel does not read: what a previous message left
/// there does not matter.
fn with_scratch<T>(f: impl FnOnce(&mut [u32]) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < scratch_size() / 4 {
                buf.resize(scratch_size() / 4, 0);
            }
            f(&mut buf)
        }
        // Not re-entered today; a fresh buffer keeps it correct if it is.
        Err(_) => f(&mut vec![0u32; scratch_size() / 4]),
    })
}

/// Zeroes the scratch buffer. libmnl 1.0.4 does not write attribute
/// padding, so what a message built there holds in its padding bytes is
/// whatever an earlier message left: a test comparing bytes clears it first.
pub(super) fn zero_scratch() {
    with_scratch(|buf| buf.fill(0));
}

/// Header fields of a message: type, family, flags, sequence number.
type Hdr = (u16, u16, u16, u32);

/// Builds one message in the scratch buffer (libnftnl's header, then
/// `payload` adds the attributes) and appends it to `out`.
///
/// # Safety
/// `payload` gets a header at the start of a buffer of
/// `nft_nlmsg_maxsize` bytes and must only add attributes to it.
unsafe fn build_msg(
    (msg_type, family, flags, seq): Hdr,
    out: &mut Vec<u8>,
    payload: impl FnOnce(*mut nlmsghdr),
) -> Result<()> {
    with_scratch(|buf| {
        // SAFETY: buf holds nft_nlmsg_maxsize bytes, 4-byte aligned.
        let nlh = unsafe {
            sys::nftnl_nlmsg_build_hdr(buf.as_mut_ptr().cast(), msg_type, family, flags, seq)
        };
        payload(nlh);
        finish(buf, out)
    })
}

/// The bytes of the message libnftnl built at the start of `buf`.
fn finish(buf: &[u32], out: &mut Vec<u8>) -> Result<()> {
    let bytes: &[u8] =
        // SAFETY: a u32 buffer viewed as bytes.
        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), buf.len() * 4) };
    let len = u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if len > bytes.len() {
        return Err(Error::Malformed(format!("a {len}-byte netlink message")));
    }
    out.extend_from_slice(&bytes[..len]);
    // Netlink messages start 4-byte aligned.
    while out.len() % 4 != 0 {
        out.push(0);
    }
    Ok(())
}

/// Appends a rule message (new, replace or delete) to `out`, built by
/// libnftnl: the reference the writer in `wire.rs` is tested against.
pub(super) fn rule_msg(m: &RuleMsg, exprs: &[Expr], out: &mut Vec<u8>) -> Result<()> {
    let r = Rule::new()?;
    let table = cstring(m.table)?;
    let chain = cstring(m.chain)?;
    // SAFETY: r is live; libnftnl copies strings and data; expressions
    // added to r are owned (and freed) by it.
    unsafe {
        sys::nftnl_rule_set_u32(r.0, sys::NFTNL_RULE_FAMILY as u16, m.family.into());
        sys::nftnl_rule_set_str(r.0, sys::NFTNL_RULE_TABLE as u16, table.as_ptr());
        sys::nftnl_rule_set_str(r.0, sys::NFTNL_RULE_CHAIN as u16, chain.as_ptr());
        if let Some(h) = m.handle {
            sys::nftnl_rule_set_u64(r.0, sys::NFTNL_RULE_HANDLE as u16, h);
        }
        if let Some(p) = m.position {
            sys::nftnl_rule_set_u64(r.0, sys::NFTNL_RULE_POSITION as u16, p);
        }
        if let Some((proto, flags)) = m.compat {
            sys::nftnl_rule_set_u32(r.0, sys::NFTNL_RULE_COMPAT_PROTO as u16, proto);
            sys::nftnl_rule_set_u32(r.0, sys::NFTNL_RULE_COMPAT_FLAGS as u16, flags);
        }
        for x in exprs {
            let e = build_expr(x)?;
            sys::nftnl_rule_add_expr(r.0, e);
        }
        build_msg((m.msg_type, m.family, m.flags, m.seq), out, |nlh| {
            sys::nftnl_rule_nlmsg_build_payload(nlh, r.0)
        })
    }
}

/// Builds a libnftnl expression; the caller owns it.
///
/// # Safety
/// The result must be added to a rule or freed.
unsafe fn build_expr(x: &Expr) -> Result<*mut sys::nftnl_expr> {
    let alloc = |name: &str| -> Result<*mut sys::nftnl_expr> {
        let n = cstring(name)?;
        // SAFETY: name is a C string.
        let e = unsafe { sys::nftnl_expr_alloc(n.as_ptr()) };
        if e.is_null() {
            return Err(Error::Malformed(format!(
                "libnftnl has no expression `{name}`"
            )));
        }
        Ok(e)
    };
    // SAFETY (below): e is live; libnftnl copies data and strings.
    let set_data = |e, a: u32, d: &[u8]| unsafe {
        sys::nftnl_expr_set(e, a as u16, d.as_ptr().cast::<c_void>(), d.len() as u32);
    };
    // libnftnl keeps (and later frees) the pointer it is given for a match's
    // or target's info instead of copying it: hand it a malloc'd copy.
    let give_data = |e, a: u32, d: &[u8]| -> Result<()> {
        // SAFETY: a fresh allocation of d.len() bytes (at least 1), filled
        // from d, owned by libnftnl from here on.
        unsafe {
            let p = sys::libc::malloc(d.len().max(1)).cast::<u8>();
            if p.is_null() {
                return Err(Error::Malformed("out of memory (malloc)".into()));
            }
            std::ptr::copy_nonoverlapping(d.as_ptr(), p, d.len());
            sys::nftnl_expr_set(e, a as u16, p.cast::<c_void>(), d.len() as u32);
        }
        Ok(())
    };
    // SAFETY: `e` is the live expression being built; libnftnl copies the value.
    let set_u32 = |e, a: u32, v: u32| unsafe { sys::nftnl_expr_set_u32(e, a as u16, v) };
    // SAFETY: `e` is the live expression being built; libnftnl copies the value.
    let set_u64 = |e, a: u32, v: u64| unsafe { sys::nftnl_expr_set_u64(e, a as u16, v) };
    // SAFETY: `e` is the live expression being built; libnftnl copies the value.
    let set_u16 = |e, a: u32, v: u16| unsafe { sys::nftnl_expr_set_u16(e, a as u16, v) };
    let set_str = |e, a: u32, s: &str| -> Result<()> {
        let c = cstring(s)?;
        // SAFETY: `e` is the live expression being built; libnftnl copies the value.
        unsafe { sys::nftnl_expr_set_str(e, a as u16, c.as_ptr()) };
        Ok(())
    };
    let e = match x {
        Expr::Meta { key, dreg } => {
            let e = alloc("meta")?;
            set_u32(e, sys::NFTNL_EXPR_META_KEY, *key);
            set_u32(e, sys::NFTNL_EXPR_META_DREG, *dreg);
            e
        }
        Expr::MetaSet { key, sreg } => {
            let e = alloc("meta")?;
            set_u32(e, sys::NFTNL_EXPR_META_KEY, *key);
            set_u32(e, sys::NFTNL_EXPR_META_SREG, *sreg);
            e
        }
        Expr::Immediate { dreg, data } => {
            let e = alloc("immediate")?;
            set_u32(e, sys::NFTNL_EXPR_IMM_DREG, *dreg);
            set_data(e, sys::NFTNL_EXPR_IMM_DATA, data);
            e
        }
        Expr::Payload {
            base,
            offset,
            len,
            dreg,
        } => {
            let e = alloc("payload")?;
            set_u32(e, sys::NFTNL_EXPR_PAYLOAD_BASE, *base);
            set_u32(e, sys::NFTNL_EXPR_PAYLOAD_OFFSET, *offset);
            set_u32(e, sys::NFTNL_EXPR_PAYLOAD_LEN, *len);
            set_u32(e, sys::NFTNL_EXPR_PAYLOAD_DREG, *dreg);
            e
        }
        Expr::Bitwise {
            sreg,
            dreg,
            mask,
            xor,
        } => {
            let e = alloc("bitwise")?;
            set_u32(e, sys::NFTNL_EXPR_BITWISE_SREG, *sreg);
            set_u32(e, sys::NFTNL_EXPR_BITWISE_DREG, *dreg);
            set_u32(e, sys::NFTNL_EXPR_BITWISE_LEN, mask.len() as u32);
            set_data(e, sys::NFTNL_EXPR_BITWISE_MASK, mask);
            set_data(e, sys::NFTNL_EXPR_BITWISE_XOR, xor);
            e
        }
        Expr::Cmp { sreg, op, data } => {
            let e = alloc("cmp")?;
            set_u32(e, sys::NFTNL_EXPR_CMP_SREG, *sreg);
            set_u32(e, sys::NFTNL_EXPR_CMP_OP, *op);
            set_data(e, sys::NFTNL_EXPR_CMP_DATA, data);
            e
        }
        Expr::Range { sreg, op, from, to } => {
            let e = alloc("range")?;
            set_u32(e, sys::NFTNL_EXPR_RANGE_SREG, *sreg);
            set_u32(e, sys::NFTNL_EXPR_RANGE_OP, *op);
            set_data(e, sys::NFTNL_EXPR_RANGE_FROM_DATA, from);
            set_data(e, sys::NFTNL_EXPR_RANGE_TO_DATA, to);
            e
        }
        Expr::Counter { packets, bytes } => {
            let e = alloc("counter")?;
            set_u64(e, sys::NFTNL_EXPR_CTR_PACKETS, *packets);
            set_u64(e, sys::NFTNL_EXPR_CTR_BYTES, *bytes);
            e
        }
        Expr::Verdict { code, chain } => {
            let e = alloc("immediate")?;
            set_u32(e, sys::NFTNL_EXPR_IMM_DREG, 0);
            set_u32(e, sys::NFTNL_EXPR_IMM_VERDICT, *code as u32);
            if let Some(c) = chain {
                set_str(e, sys::NFTNL_EXPR_IMM_CHAIN, c)?;
            }
            e
        }
        Expr::Match { name, rev, info } => {
            let e = alloc("match")?;
            set_str(e, sys::NFTNL_EXPR_MT_NAME, name)?;
            set_u32(e, sys::NFTNL_EXPR_MT_REV, *rev);
            give_data(e, sys::NFTNL_EXPR_MT_INFO, info)?;
            e
        }
        Expr::Target { name, rev, info } => {
            let e = alloc("target")?;
            set_str(e, sys::NFTNL_EXPR_TG_NAME, name)?;
            set_u32(e, sys::NFTNL_EXPR_TG_REV, *rev);
            give_data(e, sys::NFTNL_EXPR_TG_INFO, info)?;
            e
        }
        Expr::Limit {
            rate,
            unit,
            burst,
            kind,
            flags,
        } => {
            let e = alloc("limit")?;
            set_u32(e, sys::NFTNL_EXPR_LIMIT_TYPE, *kind);
            set_u32(e, sys::NFTNL_EXPR_LIMIT_FLAGS, *flags);
            set_u64(e, sys::NFTNL_EXPR_LIMIT_RATE, *rate);
            set_u64(e, sys::NFTNL_EXPR_LIMIT_UNIT, *unit);
            set_u32(e, sys::NFTNL_EXPR_LIMIT_BURST, *burst);
            e
        }
        Expr::Log(l) => {
            let e = alloc("log")?;
            if let Some(p) = &l.prefix {
                set_str(e, sys::NFTNL_EXPR_LOG_PREFIX, p)?;
            }
            if let Some(g) = l.group {
                set_u16(e, sys::NFTNL_EXPR_LOG_GROUP, g);
            }
            if let Some(s) = l.snaplen {
                set_u32(e, sys::NFTNL_EXPR_LOG_SNAPLEN, s);
            }
            if let Some(q) = l.qthreshold {
                set_u16(e, sys::NFTNL_EXPR_LOG_QTHRESHOLD, q);
            }
            if let Some(v) = l.level {
                set_u32(e, sys::NFTNL_EXPR_LOG_LEVEL, v);
            }
            if let Some(f) = l.flags {
                set_u32(e, sys::NFTNL_EXPR_LOG_FLAGS, f);
            }
            e
        }
        Expr::Other(name) => {
            return Err(Error::Malformed(format!(
                "cannot write the nf_tables expression `{name}`"
            )))
        }
    };
    Ok(e)
}

/// Appends a chain message to `out`, built by libnftnl (the reference for
/// `wire.rs`).
pub(super) fn chain_msg(m: &ChainMsg, out: &mut Vec<u8>) -> Result<()> {
    let c = Chain::new()?;
    let table = cstring(m.table)?;
    let name = cstring(m.name)?;
    // SAFETY: c is live; libnftnl copies strings.
    unsafe {
        sys::nftnl_chain_set_u32(c.0, sys::NFTNL_CHAIN_FAMILY as u16, m.family.into());
        sys::nftnl_chain_set_str(c.0, sys::NFTNL_CHAIN_TABLE as u16, table.as_ptr());
        sys::nftnl_chain_set_str(c.0, sys::NFTNL_CHAIN_NAME as u16, name.as_ptr());
        if let Some((hook, prio, kind)) = m.hook {
            let kind = cstring(kind)?;
            sys::nftnl_chain_set_u32(c.0, sys::NFTNL_CHAIN_HOOKNUM as u16, hook);
            sys::nftnl_chain_set_s32(c.0, sys::NFTNL_CHAIN_PRIO as u16, prio);
            sys::nftnl_chain_set_str(c.0, sys::NFTNL_CHAIN_TYPE as u16, kind.as_ptr());
        }
        if let Some(p) = m.policy {
            sys::nftnl_chain_set_u32(c.0, sys::NFTNL_CHAIN_POLICY as u16, p);
        }
        if let Some((p, b)) = m.counters {
            sys::nftnl_chain_set_u64(c.0, sys::NFTNL_CHAIN_PACKETS as u16, p);
            sys::nftnl_chain_set_u64(c.0, sys::NFTNL_CHAIN_BYTES as u16, b);
        }
        build_msg((m.msg_type, m.family, m.flags, m.seq), out, |nlh| {
            sys::nftnl_chain_nlmsg_build_payload(nlh, c.0)
        })
    }
}

/// Appends a table message (NEWTABLE) to `out`, built by libnftnl (the
/// reference for `wire.rs`).
pub(super) fn table_msg(
    (msg_type, family, flags, seq): Hdr,
    name: &str,
    out: &mut Vec<u8>,
) -> Result<()> {
    let name = cstring(name)?;
    // SAFETY: allocation, setters copying the string, build, free.
    unsafe {
        let t = sys::nftnl_table_alloc();
        if t.is_null() {
            return Err(Error::Malformed("out of memory (nftnl_table_alloc)".into()));
        }
        sys::nftnl_table_set_u32(t, sys::NFTNL_TABLE_FAMILY as u16, family.into());
        sys::nftnl_table_set_str(t, sys::NFTNL_TABLE_NAME as u16, name.as_ptr());
        let result = build_msg((msg_type, family, flags, seq), out, |nlh| {
            sys::nftnl_table_nlmsg_build_payload(nlh, t)
        });
        sys::nftnl_table_free(t);
        result
    }
}

/// Appends a bare request (a dump or GETGEN) with optional table (and, for
/// rule dumps, chain) filters built by libnftnl's rule or chain builders
/// (the reference for `wire.rs`).
pub(super) fn request(
    hdr: Hdr,
    table: Option<&str>,
    chain: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<()> {
    with_scratch(|buf| request_in(buf, hdr, table, chain, out))
}

fn request_in(
    buf: &mut [u32],
    (msg_type, family, flags, seq): (u16, u16, u16, u32),
    table: Option<&str>,
    chain: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<()> {
    let chain = chain.map(cstring).transpose()?;
    // SAFETY: buf holds nft_nlmsg_maxsize bytes, more than any header.
    unsafe {
        let nlh = sys::nftnl_nlmsg_build_hdr(buf.as_mut_ptr().cast(), msg_type, family, flags, seq);
        if let Some(t) = table {
            let t = cstring(t)?;
            match msg_type {
                iptkit_sys::nftables::NFT_MSG_GETRULE => {
                    let r = Rule::new()?;
                    sys::nftnl_rule_set_str(r.0, sys::NFTNL_RULE_TABLE as u16, t.as_ptr());
                    // The kernel filters a rule dump by chain, too.
                    if let Some(c) = &chain {
                        sys::nftnl_rule_set_str(r.0, sys::NFTNL_RULE_CHAIN as u16, c.as_ptr());
                    }
                    sys::nftnl_rule_nlmsg_build_payload(nlh, r.0);
                }
                iptkit_sys::nftables::NFT_MSG_GETCHAIN => {
                    let c = Chain::new()?;
                    sys::nftnl_chain_set_str(c.0, sys::NFTNL_CHAIN_TABLE as u16, t.as_ptr());
                    sys::nftnl_chain_nlmsg_build_payload(nlh, c.0);
                }
                _ => {
                    let tb = sys::nftnl_table_alloc();
                    sys::nftnl_table_set_str(tb, sys::NFTNL_TABLE_NAME as u16, t.as_ptr());
                    sys::nftnl_table_nlmsg_build_payload(nlh, tb);
                    sys::nftnl_table_free(tb);
                }
            }
        }
    }
    finish(buf, out)
}
