//! `xt_realm.h`: the IPv4 `realm` match (revision 0).

/// `struct xt_realm_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_realm_info {
    /// Realm value.
    pub id: u32,
    /// Bits of the route's realm compared.
    pub mask: u32,
    /// Non-zero: match any other realm.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

crate::layouts! {
    header {
        xt_realm_info = "struct xt_realm_info" { id, mask, invert },
    }
}
