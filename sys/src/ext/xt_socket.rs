//! `xt_socket.h`: the `socket` match. Revision 0 (IPv4 only) has no data;
//! revisions 1, 2 and 3 hold one flags byte each.

/// `XT_SOCKET_TRANSPARENT`: `--transparent` (revision 1 on).
pub const XT_SOCKET_TRANSPARENT: u8 = 1 << 0;
/// `XT_SOCKET_NOWILDCARD`: `--nowildcard` (revision 2 on).
pub const XT_SOCKET_NOWILDCARD: u8 = 1 << 1;
/// `XT_SOCKET_RESTORESKMARK`: `--restore-skmark` (revision 3).
pub const XT_SOCKET_RESTORESKMARK: u8 = 1 << 2;

/// `XT_SOCKET_FLAGS_V1`: the flags revision 1 knows.
pub const XT_SOCKET_FLAGS_V1: u8 = XT_SOCKET_TRANSPARENT;
/// `XT_SOCKET_FLAGS_V2`.
pub const XT_SOCKET_FLAGS_V2: u8 = XT_SOCKET_TRANSPARENT | XT_SOCKET_NOWILDCARD;
/// `XT_SOCKET_FLAGS_V3`.
pub const XT_SOCKET_FLAGS_V3: u8 =
    XT_SOCKET_TRANSPARENT | XT_SOCKET_NOWILDCARD | XT_SOCKET_RESTORESKMARK;

/// `struct xt_socket_mtinfo1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_socket_mtinfo1 {
    /// `XT_SOCKET_FLAGS_V1`.
    pub flags: u8,
}

/// `struct xt_socket_mtinfo2` (revision 2).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_socket_mtinfo2 {
    /// `XT_SOCKET_FLAGS_V2`.
    pub flags: u8,
}

/// `struct xt_socket_mtinfo3` (revision 3).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_socket_mtinfo3 {
    /// `XT_SOCKET_FLAGS_V3`.
    pub flags: u8,
}

crate::layouts! {
    header {
        xt_socket_mtinfo1 = "struct xt_socket_mtinfo1" { flags },
        xt_socket_mtinfo2 = "struct xt_socket_mtinfo2" { flags },
        xt_socket_mtinfo3 = "struct xt_socket_mtinfo3" { flags },
    }
}
