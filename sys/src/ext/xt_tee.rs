//! `xt_TEE.h`: the `TEE` target (revision 1, both families).

/// `struct xt_tee_tginfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tee_tginfo {
    /// `union nf_inet_addr`: the gateway (IPv4 in the first 4 bytes).
    pub gw: [u8; 16],
    /// Output interface, NUL-terminated; empty for the routing decision.
    pub oif: [u8; 16],
    /// Kernel-private `struct xt_tee_priv *` (8 bytes on x86_64); zero.
    pub r#priv: u64,
}

crate::layouts! {
    header {
        xt_tee_tginfo = "struct xt_tee_tginfo" { gw, oif, r#priv => "priv" },
    }
}
