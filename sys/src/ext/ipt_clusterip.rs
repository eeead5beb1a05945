//! `ipt_CLUSTERIP.h`: the `CLUSTERIP` target (IPv4, revision 0).

/// Hash the source address.
pub const CLUSTERIP_HASHMODE_SIP: u32 = 0;
/// Hash the source address and port.
pub const CLUSTERIP_HASHMODE_SIP_SPT: u32 = 1;
/// Hash the source address and port and the destination port.
pub const CLUSTERIP_HASHMODE_SIP_SPT_DPT: u32 = 2;
/// The most nodes a cluster has.
pub const CLUSTERIP_MAX_NODES: usize = 16;
/// `flags`: create the cluster (`--new`).
pub const CLUSTERIP_FLAG_NEW: u32 = 0x0000_0001;

/// `struct ipt_clusterip_tgt_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_clusterip_tgt_info {
    /// `CLUSTERIP_FLAG_*`.
    pub flags: u32,
    /// The cluster's multicast MAC address.
    pub clustermac: [u8; 6],
    /// Nodes in the cluster.
    pub num_total_nodes: u16,
    /// How many of `local_nodes` are used.
    pub num_local_nodes: u16,
    /// The node numbers this host answers for.
    pub local_nodes: [u16; CLUSTERIP_MAX_NODES],
    /// Hole before `hash_mode`.
    pub __pad0: [u8; 2],
    /// `CLUSTERIP_HASHMODE_*`.
    pub hash_mode: u32,
    /// Initial value of the hash.
    pub hash_initval: u32,
    /// Kernel-private `struct clusterip_config *` (8 bytes on x86_64); zero.
    pub config: u64,
}

crate::layouts! {
    header {
        ipt_clusterip_tgt_info = "struct ipt_clusterip_tgt_info" { flags, clustermac, num_total_nodes, num_local_nodes, local_nodes, hash_mode, hash_initval, config },
    }
}
