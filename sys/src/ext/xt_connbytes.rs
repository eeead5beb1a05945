//! `xt_connbytes.h`: the `connbytes` match (revision 0).

/// The anonymous `count` member of `struct xt_connbytes_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connbytes_count {
    /// Lower bound, inclusive (upper bound when inverted: `from > to`).
    pub from: u64,
    /// Upper bound, inclusive.
    pub to: u64,
}

/// `struct xt_connbytes_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connbytes_info {
    /// The range compared with; `from > to` means "outside `to..=from`".
    pub count: xt_connbytes_count,
    /// `XT_CONNBYTES_PKTS`, `XT_CONNBYTES_BYTES` or `XT_CONNBYTES_AVGPKT`.
    pub what: u8,
    /// `XT_CONNBYTES_DIR_*`.
    pub direction: u8,
    /// Trailing padding of the C struct (its `__aligned_u64` members).
    pub __pad: [u8; 6],
}

/// Count packets.
pub const XT_CONNBYTES_PKTS: u8 = 0;
/// Count bytes.
pub const XT_CONNBYTES_BYTES: u8 = 1;
/// Average packet size (bytes / packets).
pub const XT_CONNBYTES_AVGPKT: u8 = 2;
/// The original direction only.
pub const XT_CONNBYTES_DIR_ORIGINAL: u8 = 0;
/// The reply direction only.
pub const XT_CONNBYTES_DIR_REPLY: u8 = 1;
/// Both directions.
pub const XT_CONNBYTES_DIR_BOTH: u8 = 2;

crate::layouts! {
    header {
        xt_connbytes_count = "__typeof__(((struct xt_connbytes_info *)0)->count)" { from, to },
        xt_connbytes_info = "struct xt_connbytes_info" { count, what, direction },
    }
}
