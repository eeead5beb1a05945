//! `xt_pkttype.h`: the `pkttype` match, revision 0.

/// `PACKET_HOST` (`linux/if_packet.h`): to this host.
pub const PACKET_HOST: i32 = 0;
/// `PACKET_BROADCAST`: link-layer broadcast.
pub const PACKET_BROADCAST: i32 = 1;
/// `PACKET_MULTICAST`: link-layer multicast.
pub const PACKET_MULTICAST: i32 = 2;
/// `PACKET_OTHERHOST`: to another host (promiscuous mode).
pub const PACKET_OTHERHOST: i32 = 3;

/// `struct xt_pkttype_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_pkttype_info {
    /// `PACKET_*`.
    pub pkttype: i32,
    /// Non-zero: invert the test.
    pub invert: i32,
}

crate::layouts! {
    header {
        xt_pkttype_info = "struct xt_pkttype_info" { pkttype, invert },
    }
}
