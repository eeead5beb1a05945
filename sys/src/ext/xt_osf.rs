//! `xt_osf.h` / `nfnetlink_osf.h`: the `osf` match (revision 0, IPv4 only).

/// `MAXGENRELEN`.
pub const MAXGENRELEN: usize = 32;

/// `struct nf_osf_info` (`xt_osf_info` is a name for it).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_osf_info {
    /// The OS genre, NUL-terminated.
    pub genre: [u8; MAXGENRELEN],
    /// `strlen(genre)`.
    pub len: u32,
    /// `NF_OSF_*` flags.
    pub flags: u32,
    /// `NF_OSF_LOGLEVEL_*`, used with `NF_OSF_LOG`.
    pub loglevel: u32,
    /// `NF_OSF_TTL_*`, used with `NF_OSF_TTL`.
    pub ttl: u32,
}

/// `xt_osf_info`.
pub type xt_osf_info = nf_osf_info;

/// Match the genre (not used by the kernel's matcher).
pub const NF_OSF_GENRE: u32 = 1 << 0;
/// `ttl` holds a TTL check mode.
pub const NF_OSF_TTL: u32 = 1 << 1;
/// `loglevel` holds a log level.
pub const NF_OSF_LOG: u32 = 1 << 2;
/// Invert the match.
pub const NF_OSF_INVERT: u32 = 1 << 3;
/// Every flag the kernel knows.
pub const NF_OSF_FLAGMASK: u32 = NF_OSF_GENRE | NF_OSF_TTL | NF_OSF_LOG | NF_OSF_INVERT;

crate::layouts! {
    header {
        nf_osf_info = "struct nf_osf_info" { genre, len, flags, loglevel, ttl },
    }
}
