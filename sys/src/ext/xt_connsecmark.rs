//! `xt_CONNSECMARK.h`: the `CONNSECMARK` target (revision 0).

/// Copy the packet's security mark to its connection.
pub const CONNSECMARK_SAVE: u8 = 1;
/// Copy the connection's security mark to the packet.
pub const CONNSECMARK_RESTORE: u8 = 2;

/// `struct xt_connsecmark_target_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connsecmark_target_info {
    /// `CONNSECMARK_SAVE` or `CONNSECMARK_RESTORE`.
    pub mode: u8,
}

crate::layouts! {
    header {
        xt_connsecmark_target_info = "struct xt_connsecmark_target_info" { mode },
    }
}
