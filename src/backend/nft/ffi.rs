//! libnftnl, wrapped: parsing dumped chains, tables and generation ids
//! into plain values. Rules are read, and every message is built, in
//! `wire.rs`; libnftnl's own rule parser and builders are kept in
//! `reference.rs`, for tests to hold `wire.rs` to them.

use std::ffi::CStr;
use std::os::raw::c_char;

use iptkit_sys::nftables::nftnl as sys;
use sys::libc::nlmsghdr;

use super::expr::Expr;
use crate::error::{Error, Result};

/// A rule as dumped by the kernel.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawRule {
    pub chain: String,
    pub handle: u64,
    pub exprs: Vec<Expr>,
    /// The rule carries user data (comments written by `nft`, ebtables
    /// policies): not something iptables-nft writes for ip/ip6.
    pub userdata: bool,
}

/// A chain as dumped by the kernel.
#[derive(Clone, Debug)]
#[allow(dead_code)] // handle, priority and type are read for completeness
pub(crate) struct RawChain {
    pub table: String,
    pub name: String,
    pub handle: u64,
    /// Base chains: hook number, priority, type, policy (NF_ACCEPT/NF_DROP).
    pub hook: Option<u32>,
    pub prio: i32,
    pub kind: Option<String>,
    pub policy: Option<u32>,
    pub packets: u64,
    pub bytes: u64,
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(super) unsafe fn string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        // SAFETY: by the caller.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

/// Checks that `msg` holds one whole netlink message, for libnftnl's parsers
/// (which trust nlmsg_len).
pub(super) fn header(msg: &[u8]) -> Result<*const nlmsghdr> {
    if msg.len() < std::mem::size_of::<nlmsghdr>()
        || (msg.as_ptr() as usize) % std::mem::align_of::<nlmsghdr>() != 0
    {
        return Err(Error::Malformed(
            "short or misaligned netlink message".into(),
        ));
    }
    let len = u32::from_ne_bytes([msg[0], msg[1], msg[2], msg[3]]) as usize;
    if len > msg.len() {
        return Err(Error::Malformed("truncated netlink message".into()));
    }
    Ok(msg.as_ptr().cast())
}

pub(super) struct Chain(pub(super) *mut sys::nftnl_chain);

impl Chain {
    pub(super) fn new() -> Result<Chain> {
        // SAFETY: plain allocation.
        let p = unsafe { sys::nftnl_chain_alloc() };
        if p.is_null() {
            return Err(Error::Malformed("out of memory (nftnl_chain_alloc)".into()));
        }
        Ok(Chain(p))
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        // SAFETY: allocated by nftnl_chain_alloc, freed once.
        unsafe { sys::nftnl_chain_free(self.0) }
    }
}

/// Reads one NFT_MSG_NEWCHAIN message of a dump.
pub(crate) fn parse_chain(msg: &[u8]) -> Result<RawChain> {
    let nlh = header(msg)?;
    let c = Chain::new()?;
    // SAFETY: nlh is a whole message, c a live chain.
    if unsafe { sys::nftnl_chain_nlmsg_parse(nlh, c.0) } < 0 {
        return Err(Error::Malformed(
            "a chain message libnftnl cannot parse".into(),
        ));
    }
    // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
    let set = |a: u32| unsafe { sys::nftnl_chain_is_set(c.0, a as u16) };
    // SAFETY (all below): c is live; strings are owned by c and copied.
    let hook = set(sys::NFTNL_CHAIN_HOOKNUM)
        .then(|| unsafe { sys::nftnl_chain_get_u32(c.0, sys::NFTNL_CHAIN_HOOKNUM as u16) });
    Ok(RawChain {
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        table: unsafe { string(sys::nftnl_chain_get_str(c.0, sys::NFTNL_CHAIN_TABLE as u16)) }
            .unwrap_or_default(),
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        name: unsafe { string(sys::nftnl_chain_get_str(c.0, sys::NFTNL_CHAIN_NAME as u16)) }
            .unwrap_or_default(),
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        handle: unsafe { sys::nftnl_chain_get_u64(c.0, sys::NFTNL_CHAIN_HANDLE as u16) },
        hook,
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        prio: unsafe { sys::nftnl_chain_get_s32(c.0, sys::NFTNL_CHAIN_PRIO as u16) },
        kind: if set(sys::NFTNL_CHAIN_TYPE) {
            // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
            unsafe { string(sys::nftnl_chain_get_str(c.0, sys::NFTNL_CHAIN_TYPE as u16)) }
        } else {
            None
        },
        policy: set(sys::NFTNL_CHAIN_POLICY)
            // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
            .then(|| unsafe { sys::nftnl_chain_get_u32(c.0, sys::NFTNL_CHAIN_POLICY as u16) }),
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        packets: unsafe { sys::nftnl_chain_get_u64(c.0, sys::NFTNL_CHAIN_PACKETS as u16) },
        // SAFETY: `c` is a live chain; libnftnl owns its strings, which are copied.
        bytes: unsafe { sys::nftnl_chain_get_u64(c.0, sys::NFTNL_CHAIN_BYTES as u16) },
    })
}

/// Reads the generation id of an NFT_MSG_NEWGEN message.
pub(crate) fn parse_gen(msg: &[u8]) -> Result<u32> {
    let nlh = header(msg)?;
    // SAFETY: allocation, parse of a whole message, read, free.
    unsafe {
        let g = sys::nftnl_gen_alloc();
        if g.is_null() {
            return Err(Error::Malformed("out of memory (nftnl_gen_alloc)".into()));
        }
        let ok = sys::nftnl_gen_nlmsg_parse(nlh, g) >= 0;
        let id = sys::nftnl_gen_get_u32(g, sys::NFTNL_GEN_ID as u16);
        sys::nftnl_gen_free(g);
        if !ok {
            return Err(Error::Malformed(
                "a generation message libnftnl cannot parse".into(),
            ));
        }
        Ok(id)
    }
}

/// The name of the table in an NFT_MSG_NEWTABLE message of a dump.
pub(crate) fn parse_table(msg: &[u8]) -> Result<String> {
    let nlh = header(msg)?;
    // SAFETY: allocation, parse of a whole message, copy of the name, free.
    unsafe {
        let t = sys::nftnl_table_alloc();
        if t.is_null() {
            return Err(Error::Malformed("out of memory (nftnl_table_alloc)".into()));
        }
        let ok = sys::nftnl_table_nlmsg_parse(nlh, t) >= 0;
        let name = string(sys::nftnl_table_get_str(t, sys::NFTNL_TABLE_NAME as u16));
        sys::nftnl_table_free(t);
        match (ok, name) {
            (true, Some(n)) => Ok(n),
            _ => Err(Error::Malformed(
                "a table message libnftnl cannot parse".into(),
            )),
        }
    }
}
