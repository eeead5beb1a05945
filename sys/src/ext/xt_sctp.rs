//! `xt_sctp.h`: the `sctp` match (revision 0).

/// `struct xt_sctp_flag_info`: flags one chunk type must carry.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_sctp_flag_info {
    /// The chunk type.
    pub chunktype: u8,
    /// Flag values, of those in `flag_mask`.
    pub flag: u8,
    /// Flags examined.
    pub flag_mask: u8,
}

/// How many chunk types can carry flag tests.
pub const XT_NUM_SCTP_FLAGS: usize = 4;

/// `struct xt_sctp_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_sctp_info {
    /// Destination port range, inclusive, host byte order.
    pub dpts: [u16; 2],
    /// Source port range.
    pub spts: [u16; 2],
    /// Bit per chunk type. The header sizes it `256 / sizeof(__u32)` words,
    /// so it is 2048 bits long of which only the first 256 name chunk types.
    pub chunkmap: [u32; 64],
    /// `SCTP_CHUNK_MATCH_*`.
    pub chunk_match_type: u32,
    /// Flag tests, `flag_count` of them used.
    pub flag_info: [xt_sctp_flag_info; XT_NUM_SCTP_FLAGS],
    /// How many of `flag_info` are used.
    pub flag_count: i32,
    /// Which tests are present (`XT_SCTP_*`).
    pub flags: u32,
    /// Which tests are inverted (`XT_SCTP_*`).
    pub invflags: u32,
}

/// Source ports are tested.
pub const XT_SCTP_SRC_PORTS: u32 = 0x01;
/// Destination ports are tested.
pub const XT_SCTP_DEST_PORTS: u32 = 0x02;
/// Chunk types are tested.
pub const XT_SCTP_CHUNK_TYPES: u32 = 0x04;
/// Every defined flag.
pub const XT_SCTP_VALID_FLAGS: u32 = 0x07;
/// Match if any of the chunk types is present.
pub const SCTP_CHUNK_MATCH_ANY: u32 = 0x01;
/// Match if all of the chunk types are present.
pub const SCTP_CHUNK_MATCH_ALL: u32 = 0x02;
/// Match if only these chunk types are present.
pub const SCTP_CHUNK_MATCH_ONLY: u32 = 0x04;

crate::layouts! {
    header {
        xt_sctp_flag_info = "struct xt_sctp_flag_info" { chunktype, flag, flag_mask },
        xt_sctp_info = "struct xt_sctp_info" { dpts, spts, chunkmap, chunk_match_type, flag_info, flag_count, flags, invflags },
    }
}
