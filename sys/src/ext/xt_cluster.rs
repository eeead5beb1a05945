//! `xt_cluster.h`: the `cluster` match (revision 0).

/// `struct xt_cluster_match_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_cluster_match_info {
    /// How many nodes the cluster has, 1..=`XT_CLUSTER_NODES_MAX`.
    pub total_nodes: u32,
    /// The nodes this one stands for: bit N-1 for node N.
    pub node_mask: u32,
    /// Seed of the Jenkins hash over the source address.
    pub hash_seed: u32,
    /// `XT_CLUSTER_F_*`.
    pub flags: u32,
}

/// Invert the match.
pub const XT_CLUSTER_F_INV: u32 = 1 << 0;
/// The most nodes a cluster may have.
pub const XT_CLUSTER_NODES_MAX: u32 = 32;

crate::layouts! {
    header {
        xt_cluster_match_info = "struct xt_cluster_match_info" { total_nodes, node_mask, hash_seed, flags },
    }
}
