//! `ip6t_opts.h`: the `dst` and `hbh` matches (revision 0, IPv6), which
//! share one struct.

/// `IP6T_OPTS_OPTSNR`: options a rule can list.
pub const IP6T_OPTS_OPTSNR: usize = 16;
/// `IP6T_OPTS_LEN`: test the header length.
pub const IP6T_OPTS_LEN: u8 = 0x01;
/// `IP6T_OPTS_OPTS`: test the options.
pub const IP6T_OPTS_OPTS: u8 = 0x02;
/// `IP6T_OPTS_NSTRICT`: not-strict option list (the kernel refuses it).
pub const IP6T_OPTS_NSTRICT: u8 = 0x04;
/// `IP6T_OPTS_INV_LEN`: invert the length test.
pub const IP6T_OPTS_INV_LEN: u8 = 0x01;
/// `IP6T_OPTS_INV_MASK`: every inversion flag.
pub const IP6T_OPTS_INV_MASK: u8 = 0x01;

/// `struct ip6t_opts`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_opts {
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_OPTS_*`.
    pub flags: u8,
    /// `IP6T_OPTS_INV_*`.
    pub invflags: u8,
    /// Options: type in the high byte, length in the low byte (0xFF = any).
    pub opts: [u16; IP6T_OPTS_OPTSNR],
    /// Number of options in `opts`.
    pub optsnr: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

crate::layouts! {
    header {
        ip6t_opts = "struct ip6t_opts" { hdrlen, flags, invflags, opts, optsnr },
    }
}
