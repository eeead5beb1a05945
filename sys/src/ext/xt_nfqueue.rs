//! `xt_NFQUEUE.h`: the `NFQUEUE` target, revisions 0 to 3 (both families).

/// `struct xt_NFQ_info`: revision 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_NFQ_info {
    /// Queue number.
    pub queuenum: u16,
}

/// `struct xt_NFQ_info_v1`: revision 1 adds balancing over several queues.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_NFQ_info_v1 {
    /// First queue number.
    pub queuenum: u16,
    /// Number of queues, from `queuenum` on.
    pub queues_total: u16,
}

/// `struct xt_NFQ_info_v2`: revision 2 adds bypass.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_NFQ_info_v2 {
    /// First queue number.
    pub queuenum: u16,
    /// Number of queues, from `queuenum` on.
    pub queues_total: u16,
    /// `NFQ_FLAG_BYPASS` to accept packets when no program listens.
    pub bypass: u16,
}

/// `struct xt_NFQ_info_v3`: revision 3 turns bypass into flags.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_NFQ_info_v3 {
    /// First queue number.
    pub queuenum: u16,
    /// Number of queues, from `queuenum` on.
    pub queues_total: u16,
    /// `NFQ_FLAG_*`.
    pub flags: u16,
}

/// Accept the packet when no program listens on the queue.
pub const NFQ_FLAG_BYPASS: u16 = 0x01;
/// Pick the queue by CPU instead of by flow hash.
pub const NFQ_FLAG_CPU_FANOUT: u16 = 0x02;
/// Every flag the kernel knows.
pub const NFQ_FLAG_MASK: u16 = 0x03;

crate::layouts! {
    header {
        xt_NFQ_info = "struct xt_NFQ_info" { queuenum },
        xt_NFQ_info_v1 = "struct xt_NFQ_info_v1" { queuenum, queues_total },
        xt_NFQ_info_v2 = "struct xt_NFQ_info_v2" { queuenum, queues_total, bypass },
        xt_NFQ_info_v3 = "struct xt_NFQ_info_v3" { queuenum, queues_total, flags },
    }
}
