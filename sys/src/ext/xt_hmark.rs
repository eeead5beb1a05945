//! `xt_HMARK.h`: the `HMARK` target (revision 0, both families).

/// `flags` bit: `src_mask` is set.
pub const XT_HMARK_SADDR_MASK: u32 = 0;
/// `flags` bit: `dst_mask` is set.
pub const XT_HMARK_DADDR_MASK: u32 = 1;
/// `flags` bit: `port_set.v32` holds an SPI to OR in.
pub const XT_HMARK_SPI: u32 = 2;
/// `flags` bit: `port_mask.v32` holds an SPI mask.
pub const XT_HMARK_SPI_MASK: u32 = 3;
/// `flags` bit: `port_set.p16.src` holds a source port to OR in.
pub const XT_HMARK_SPORT: u32 = 4;
/// `flags` bit: `port_set.p16.dst` holds a destination port to OR in.
pub const XT_HMARK_DPORT: u32 = 5;
/// `flags` bit: `port_mask.p16.src` holds a source port mask.
pub const XT_HMARK_SPORT_MASK: u32 = 6;
/// `flags` bit: `port_mask.p16.dst` holds a destination port mask.
pub const XT_HMARK_DPORT_MASK: u32 = 7;
/// `flags` bit: `proto_mask` is set.
pub const XT_HMARK_PROTO_MASK: u32 = 8;
/// `flags` bit: `hashrnd` is set.
pub const XT_HMARK_RND: u32 = 9;
/// `flags` bit: `hmodulus` is set.
pub const XT_HMARK_MODULUS: u32 = 10;
/// `flags` bit: `hoffset` is set.
pub const XT_HMARK_OFFSET: u32 = 11;
/// `flags` bit: hash the conntrack tuple, not the packet.
pub const XT_HMARK_CT: u32 = 12;
/// `flags` bit: hash only layer 3.
pub const XT_HMARK_METHOD_L3: u32 = 13;
/// `flags` bit: hash layers 3 and 4.
pub const XT_HMARK_METHOD_L3_4: u32 = 14;

/// `XT_HMARK_FLAG(flag)`.
pub const fn xt_hmark_flag(flag: u32) -> u32 {
    1 << flag
}

/// `struct xt_hmark_info` (4-aligned, like `union nf_inet_addr`).
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_hmark_info {
    /// `union nf_inet_addr`: mask applied to the source address.
    pub src_mask: [u8; 16],
    /// `union nf_inet_addr`: mask applied to the destination address.
    pub dst_mask: [u8; 16],
    /// `union hmark_ports`, network byte order: source and destination port
    /// masks (`p16`), or an SPI mask (`v32`).
    pub port_mask: [u8; 4],
    /// `union hmark_ports`, network byte order: ports (`p16`) or an SPI
    /// (`v32`) ORed in.
    pub port_set: [u8; 4],
    /// `1 << XT_HMARK_*` for each field that is set.
    pub flags: u32,
    /// Mask applied to the layer 4 protocol number.
    pub proto_mask: u16,
    /// Hole before `hashrnd`.
    pub __pad0: [u8; 2],
    /// Random seed of the hash.
    pub hashrnd: u32,
    /// The mark is the hash modulo this.
    pub hmodulus: u32,
    /// Added to the mark last.
    pub hoffset: u32,
}

crate::layouts! {
    header {
        xt_hmark_info = "struct xt_hmark_info" { src_mask, dst_mask, port_mask, port_set, flags, proto_mask, hashrnd, hmodulus, hoffset },
    }
}
