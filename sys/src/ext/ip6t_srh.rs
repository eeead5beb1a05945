//! `ip6t_srh.h`: the `srh` (segment routing header) match, revisions 0 and 1 (IPv6).

/// `IP6T_SRH_NEXTHDR`: test the next header.
pub const IP6T_SRH_NEXTHDR: u16 = 0x0001;
/// `IP6T_SRH_LEN_EQ`: header length equal.
pub const IP6T_SRH_LEN_EQ: u16 = 0x0002;
/// `IP6T_SRH_LEN_GT`: header length greater.
pub const IP6T_SRH_LEN_GT: u16 = 0x0004;
/// `IP6T_SRH_LEN_LT`: header length less.
pub const IP6T_SRH_LEN_LT: u16 = 0x0008;
/// `IP6T_SRH_SEGS_EQ`: segments left equal.
pub const IP6T_SRH_SEGS_EQ: u16 = 0x0010;
/// `IP6T_SRH_SEGS_GT`: segments left greater.
pub const IP6T_SRH_SEGS_GT: u16 = 0x0020;
/// `IP6T_SRH_SEGS_LT`: segments left less.
pub const IP6T_SRH_SEGS_LT: u16 = 0x0040;
/// `IP6T_SRH_LAST_EQ`: last entry equal.
pub const IP6T_SRH_LAST_EQ: u16 = 0x0080;
/// `IP6T_SRH_LAST_GT`: last entry greater.
pub const IP6T_SRH_LAST_GT: u16 = 0x0100;
/// `IP6T_SRH_LAST_LT`: last entry less.
pub const IP6T_SRH_LAST_LT: u16 = 0x0200;
/// `IP6T_SRH_TAG`: test the tag.
pub const IP6T_SRH_TAG: u16 = 0x0400;
/// `IP6T_SRH_PSID`: previous SID (revision 1).
pub const IP6T_SRH_PSID: u16 = 0x0800;
/// `IP6T_SRH_NSID`: next SID (revision 1).
pub const IP6T_SRH_NSID: u16 = 0x1000;
/// `IP6T_SRH_LSID`: last SID (revision 1).
pub const IP6T_SRH_LSID: u16 = 0x2000;
/// `IP6T_SRH_MASK`: every flag.
pub const IP6T_SRH_MASK: u16 = 0x3FFF;
/// `IP6T_SRH_INV_MASK`: every inversion flag (same bits as the flags).
pub const IP6T_SRH_INV_MASK: u16 = 0x3FFF;

/// `struct ip6t_srh` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_srh {
    /// Next header.
    pub next_hdr: u8,
    /// Header extension length.
    pub hdr_len: u8,
    /// Segments left.
    pub segs_left: u8,
    /// Last entry.
    pub last_entry: u8,
    /// Tag.
    pub tag: u16,
    /// `IP6T_SRH_*` tests.
    pub mt_flags: u16,
    /// Inverted tests (same bits).
    pub mt_invflags: u16,
}

/// `struct ip6t_srh1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_srh1 {
    /// Next header.
    pub next_hdr: u8,
    /// Header extension length.
    pub hdr_len: u8,
    /// Segments left.
    pub segs_left: u8,
    /// Last entry.
    pub last_entry: u8,
    /// Tag.
    pub tag: u16,
    /// Hole before the addresses (`struct in6_addr` is 4-byte aligned).
    pub __pad: [u8; 2],
    /// Previous SID, network byte order.
    pub psid_addr: [u8; 16],
    /// Next SID.
    pub nsid_addr: [u8; 16],
    /// Last SID.
    pub lsid_addr: [u8; 16],
    /// Mask of the previous SID.
    pub psid_msk: [u8; 16],
    /// Mask of the next SID.
    pub nsid_msk: [u8; 16],
    /// Mask of the last SID.
    pub lsid_msk: [u8; 16],
    /// `IP6T_SRH_*` tests.
    pub mt_flags: u16,
    /// Inverted tests (same bits).
    pub mt_invflags: u16,
}

crate::layouts! {
    header {
        ip6t_srh = "struct ip6t_srh" { next_hdr, hdr_len, segs_left, last_entry, tag, mt_flags, mt_invflags },
        ip6t_srh1 = "struct ip6t_srh1" { next_hdr, hdr_len, segs_left, last_entry, tag, psid_addr, nsid_addr, lsid_addr, psid_msk, nsid_msk, lsid_msk, mt_flags, mt_invflags },
    }
}
