//! `xt_policy.h`: the `policy` match (revision 0, IPv4 and IPv6).

/// `XT_POLICY_MAX_ELEM`: policy elements a rule can hold.
pub const XT_POLICY_MAX_ELEM: usize = 4;

/// `XT_POLICY_MATCH_IN`: policy applied during decapsulation (`--dir in`).
pub const XT_POLICY_MATCH_IN: u16 = 0x1;
/// `XT_POLICY_MATCH_OUT`: policy to be applied during encapsulation (`--dir out`).
pub const XT_POLICY_MATCH_OUT: u16 = 0x2;
/// `XT_POLICY_MATCH_NONE`: no policy (`--pol none`).
pub const XT_POLICY_MATCH_NONE: u16 = 0x4;
/// `XT_POLICY_MATCH_STRICT`: match the whole policy (`--strict`).
pub const XT_POLICY_MATCH_STRICT: u16 = 0x8;

/// `XT_POLICY_MODE_TRANSPORT`.
pub const XT_POLICY_MODE_TRANSPORT: u8 = 0;
/// `XT_POLICY_MODE_TUNNEL`.
pub const XT_POLICY_MODE_TUNNEL: u8 = 1;

/// Bit of `struct xt_policy_spec` (a byte of C bit-fields, first field in the
/// lowest bit on x86_64): the tunnel source address.
pub const XT_POLICY_SPEC_SADDR: u8 = 1 << 0;
/// `xt_policy_spec.daddr`.
pub const XT_POLICY_SPEC_DADDR: u8 = 1 << 1;
/// `xt_policy_spec.proto`.
pub const XT_POLICY_SPEC_PROTO: u8 = 1 << 2;
/// `xt_policy_spec.mode`.
pub const XT_POLICY_SPEC_MODE: u8 = 1 << 3;
/// `xt_policy_spec.spi`.
pub const XT_POLICY_SPEC_SPI: u8 = 1 << 4;
/// `xt_policy_spec.reqid`.
pub const XT_POLICY_SPEC_REQID: u8 = 1 << 5;

/// `union xt_policy_addr`: an IPv4 address in the first 4 bytes or an IPv6
/// address, network byte order. The C union is 4-byte aligned (`struct in_addr`).
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_policy_addr {
    /// `a6` (and `a4` in the first 4 bytes).
    pub a6: [u8; 16],
}

/// `struct xt_policy_elem`: one element of an IPsec policy.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_policy_elem {
    /// Tunnel source address.
    pub saddr: xt_policy_addr,
    /// Its mask.
    pub smask: xt_policy_addr,
    /// Tunnel destination address.
    pub daddr: xt_policy_addr,
    /// Its mask.
    pub dmask: xt_policy_addr,
    /// SPI, as iptables stores it (host byte order, despite `__be32` in C).
    pub spi: u32,
    /// Request id.
    pub reqid: u32,
    /// IPsec protocol (`IPPROTO_AH`, `IPPROTO_ESP`, `IPPROTO_COMP`).
    pub proto: u8,
    /// `XT_POLICY_MODE_*`.
    pub mode: u8,
    /// `struct xt_policy_spec match`: which fields to compare (`XT_POLICY_SPEC_*`).
    pub r#match: u8,
    /// `struct xt_policy_spec invert`: which comparisons are inverted.
    pub invert: u8,
}

/// `struct xt_policy_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_policy_info {
    /// The policy elements; the first `len` are used.
    pub pol: [xt_policy_elem; XT_POLICY_MAX_ELEM],
    /// `XT_POLICY_MATCH_*`.
    pub flags: u16,
    /// Number of elements in `pol`.
    pub len: u16,
}

crate::layouts! {
    header {
        xt_policy_addr = "union xt_policy_addr" { a6 },
        xt_policy_elem = "struct xt_policy_elem" { saddr, smask, daddr, dmask, spi, reqid, proto, mode, r#match => "match", invert },
        xt_policy_info = "struct xt_policy_info" { pol, flags, len },
    }
}
