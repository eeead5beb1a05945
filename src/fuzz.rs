//! Entry points for the fuzz targets in `fuzz/`: the decoders of kernel
//! bytes, reachable without a kernel. Not a stable API (hidden from the
//! docs); the backends themselves are private.

use crate::addr::Family;
use crate::error::Result;
use crate::ruleset::Table;

/// Decodes a legacy table from the bytes GET_ENTRIES returns, laid out as
/// GET_INFO describes, and checks that encoding it gives the same entries
/// back. Any input gives a table or an error, never a panic.
pub fn legacy_entries(
    family: Family,
    info: &iptkit_sys::xtables::ipt_getinfo,
    entries: &[u8],
) -> Result<Table> {
    crate::backend::legacy::decode_entries(family, info, entries)
}

/// Reads one nf_tables rule message as a dump answers it, with iptkit's
/// own reader; true when it made a rule of it. Never panics.
#[cfg(feature = "nft")]
pub fn nft_rule_message(msg: &[u8]) -> bool {
    crate::backend::nft::fuzz_rule_message(msg)
}

/// Reads one ipset list reply (`IPSET_CMD_LIST`) as the kernel sends it,
/// with the reader of [`crate::set`]; true when it read. Never panics.
pub fn ipset_list_message(msg: &[u8]) -> bool {
    crate::backend::ipset_nl::wire::fuzz_list_message(msg)
}
