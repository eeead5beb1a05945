//! Kernel ABI of the Linux netfilter xtables interface, as used by iptkit.
//!
//! This crate holds `#[repr(C)]` mirrors of the structs in `x_tables.h`,
//! `ip_tables.h`, `ip6_tables.h` and the extension headers (`xt_*.h`,
//! `ipt_*.h`, `ip6t_*.h`), plus the socket option numbers. It holds nothing
//! else: no logic, no allocation.
//!
//! Every struct is declared together with its layout row (the `layouts!`
//! macro, the only way a struct becomes [`Pod`]), and this crate's
//! `tests/layout.rs` compares every row with the C headers installed on the
//! machine and fails on a `#[repr(C)]` struct that has no row.
//!
//! Structs have no implicit padding: where C leaves a hole, the struct names it
//! (`__pad*`), so that every byte of a value is initialised and the safe
//! [`Pod::as_bytes`] / [`Pod::read_from`] views are sound.
#![allow(non_camel_case_types)]
#![warn(missing_docs)]

pub mod ext;
#[cfg(feature = "nft")]
pub mod nftables;
pub mod xtables;

/// Plain old data: a `#[repr(C)]` struct without implicit padding, made only of
/// integers and arrays of integers, for which every bit pattern is valid.
///
/// # Safety
/// Implement only for types that satisfy all of the above; the layout test
/// checks the size against the C header.
pub unsafe trait Pod: Copy + Sized + 'static {
    /// A value with every byte zero (how the iptables tools start every struct).
    fn zeroed() -> Self {
        // SAFETY: Pod types are made of integers only, for which all-zero is valid.
        unsafe { core::mem::zeroed() }
    }

    /// The bytes of this value, exactly as the kernel sees them.
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: Pod types have no padding, so all size_of::<Self>() bytes are
        // initialised, and u8 has no alignment requirement.
        unsafe {
            core::slice::from_raw_parts(
                self as *const Self as *const u8,
                core::mem::size_of::<Self>(),
            )
        }
    }

    /// Reads a value from the start of `bytes`, or `None` when `bytes` is shorter
    /// than the struct. Extra bytes (alignment padding) are ignored.
    fn read_from(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < core::mem::size_of::<Self>() {
            return None;
        }
        // SAFETY: length checked above; read_unaligned copes with any alignment,
        // and every bit pattern is a valid Pod value.
        Some(unsafe { core::ptr::read_unaligned(bytes.as_ptr() as *const Self) })
    }
}

/// `XT_ALIGN`: every match, target and entry is padded to 8 bytes.
pub const fn xt_align(size: usize) -> usize {
    (size + 7) & !7
}

/// Where a struct's layout is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A C type of the headers in [`HEADERS`], e.g. `"struct xt_mark_mtinfo1"`;
    /// the layout test compiles `sizeof`/`offsetof` of it.
    Header(&'static str),
    /// No installed header has the struct any more (old revisions that
    /// iptables' `libxt_*.c` still defines): the size and member offsets that
    /// source gives on x86_64.
    Fixed {
        /// `sizeof` of the struct.
        size: usize,
        /// `offsetof` of each member in [`Layout::fields`], in order.
        offsets: &'static [usize],
    },
}

/// One row of the layout check: a `#[repr(C)]` struct of this crate, its size
/// and the offset of each member, and what they must equal.
///
/// Rows are made only by the `layouts!` macro, which is also the only way a
/// struct becomes [`Pod`]: a struct cannot be sent to the kernel without a
/// row. The test `tests/layout.rs` of this crate compares every row of
/// [`all_layouts`] with the C headers and counts the `#[repr(C)]` structs of the
/// sources, so a struct without a row fails it too.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// The Rust type's name.
    pub rust_type: &'static str,
    /// What the row is compared with.
    pub source: Source,
    /// `size_of` of the Rust type.
    pub size: usize,
    /// (C member, Rust `offset_of`) for every named member, padding aside.
    pub fields: &'static [(&'static str, usize)],
}

/// The headers the [`Source::Header`] types come from, in the order the
/// layout test includes them. Some entries close one `#include` and open
/// another: `ipt_TTL.h` and `ip6t_HL.h` reuse the include guards of the
/// matches' headers, so the guard is cleared first.
pub const HEADERS: &[&str] = &[
    "sys/socket.h",
    "netinet/in.h",
    "net/if.h",
    "linux/netfilter.h",
    "linux/netfilter/x_tables.h",
    "linux/netfilter_ipv4/ip_tables.h",
    "linux/netfilter_ipv6/ip6_tables.h",
    "linux/netfilter/xt_tcpudp.h",
    "linux/netfilter/xt_multiport.h",
    "linux/netfilter/xt_conntrack.h",
    "linux/netfilter/xt_state.h",
    "linux/netfilter/xt_comment.h",
    "linux/netfilter/xt_limit.h",
    "linux/netfilter/xt_mark.h",
    "linux/netfilter/xt_mac.h",
    "linux/netfilter/xt_iprange.h",
    "linux/netfilter/xt_addrtype.h",
    "linux/netfilter/xt_set.h",
    "linux/netfilter/xt_recent.h",
    "linux/netfilter/xt_hashlimit.h",
    "linux/netfilter/xt_owner.h",
    "linux/netfilter/xt_length.h",
    "linux/netfilter/xt_pkttype.h",
    "linux/netfilter_ipv4/ipt_REJECT.h",
    "linux/netfilter_ipv6/ip6t_REJECT.h",
    "linux/netfilter/xt_LOG.h",
    "linux/netfilter/xt_MARK.h",
    "linux/netfilter/xt_CONNMARK.h",
    "linux/netfilter/nf_nat.h",
    "linux/netfilter/xt_NFLOG.h",
    "linux/netfilter/xt_NFQUEUE.h",
    "linux/netfilter/xt_CT.h",
    "linux/netfilter_ipv4/ipt_ah.h",
    "linux/netfilter_ipv6/ip6t_ah.h",
    "linux/netfilter/xt_esp.h",
    "linux/netfilter/xt_ipcomp.h",
    "linux/netfilter/xt_dccp.h",
    "linux/netfilter/xt_sctp.h",
    "linux/netfilter/xt_tcpmss.h",
    "linux/netfilter/xt_l2tp.h",
    "linux/netfilter/xt_ecn.h",
    "linux/netfilter_ipv4/ipt_ecn.h",
    "linux/netfilter/xt_dscp.h",
    "linux/netfilter_ipv4/ipt_ttl.h",
    "linux/netfilter_ipv6/ip6t_hl.h",
    "linux/netfilter/xt_realm.h",
    "linux/netfilter/xt_u32.h",
    "linux/netfilter/xt_string.h",
    "linux/netfilter/xt_bpf.h",
    "linux/netfilter/xt_connbytes.h",
    "linux/netfilter/xt_connlabel.h",
    "linux/netfilter/xt_connlimit.h",
    "linux/netfilter/xt_connmark.h",
    "linux/netfilter/xt_helper.h",
    "linux/netfilter/xt_cluster.h",
    "linux/netfilter/xt_cgroup.h",
    "linux/netfilter/xt_cpu.h",
    "linux/netfilter/xt_devgroup.h",
    "linux/netfilter/xt_nfacct.h",
    "linux/netfilter/xt_osf.h",
    "linux/netfilter/xt_physdev.h",
    "linux/netfilter/xt_quota.h",
    "linux/netfilter/xt_rateest.h",
    "linux/netfilter/xt_policy.h",
    "linux/netfilter/xt_rpfilter.h",
    "linux/netfilter/xt_socket.h",
    "linux/netfilter/xt_statistic.h",
    "linux/netfilter/xt_time.h",
    "linux/netfilter/xt_ipvs.h",
    "linux/netfilter_ipv6/ip6t_opts.h",
    "linux/netfilter_ipv6/ip6t_frag.h",
    "linux/netfilter_ipv6/ip6t_ipv6header.h",
    "linux/netfilter_ipv6/ip6t_mh.h",
    "linux/netfilter_ipv6/ip6t_rt.h",
    "linux/netfilter_ipv6/ip6t_srh.h",
    "linux/netfilter/xt_AUDIT.h",
    "linux/netfilter/xt_CHECKSUM.h",
    "linux/netfilter/xt_CLASSIFY.h",
    "linux/netfilter/xt_CONNSECMARK.h",
    "linux/netfilter/xt_DSCP.h",
    "linux/netfilter/xt_HMARK.h",
    "linux/netfilter/xt_IDLETIMER.h",
    "linux/netfilter/xt_LED.h",
    "linux/netfilter/xt_RATEEST.h",
    "linux/netfilter/xt_SECMARK.h",
    "linux/netfilter/xt_SYNPROXY.h",
    "linux/netfilter/xt_TCPMSS.h",
    "linux/netfilter/xt_TCPOPTSTRIP.h",
    "linux/netfilter/xt_TEE.h",
    "linux/netfilter/xt_TPROXY.h",
    "linux/netfilter_ipv4/ipt_CLUSTERIP.h",
    "linux/netfilter_ipv4/ipt_ECN.h",
    // ipt_TTL.h and ip6t_HL.h use the include guards of ipt_ttl.h and
    // ip6t_hl.h (the matches' headers, included before): clear each guard
    // first, or the second header of a pair is skipped.
    "stddef.h>\n#undef _IPT_TTL_H\n#include <linux/netfilter_ipv4/ipt_TTL.h",
    "stddef.h>\n#undef _IP6T_HL_H\n#include <linux/netfilter_ipv6/ip6t_HL.h",
    "linux/netfilter_ipv6/ip6t_NPT.h",
];

/// Every layout row of the crate: the core structs and every extension module.
pub fn all_layouts() -> impl Iterator<Item = &'static Layout> {
    xtables::LAYOUTS
        .iter()
        .chain(ext::LAYOUTS.iter().flat_map(|rows| rows.iter()))
}

/// Defines a module's `LAYOUTS` rows and makes each listed struct [`Pod`].
/// Only for use inside this crate.
///
/// ```text
/// crate::layouts! {
///     header {
///         xt_mark_mtinfo1 = "struct xt_mark_mtinfo1" { mark, mask, invert },
///         xt_entry_match = "struct xt_entry_match" { name => "u.user.name" },
///     }
///     fixed {
///         // sizeof, then each member's offset as the iptables source gives it
///         xt_mark_info = 24 { mark: 0, mask: 8, invert: 16 },
///     }
/// }
/// ```
///
/// Members not listed (the `__pad*` fields that name C's holes) are covered
/// by the size. A member whose C name differs is written `rust => "c.path"`.
/// A struct that stands for a second C type too (IPv4 and IPv6 twins) gets
/// its further rows under `also { .. }`, after `header` and `fixed`.
macro_rules! layouts {
    (
        $(header { $( $t:ident = $c:literal { $($f:ident $(=> $cf:literal)?),* $(,)? } ),* $(,)? })?
        $(fixed { $( $ft:ident = $fsize:literal { $($ff:ident : $foff:literal),* $(,)? } ),* $(,)? })?
        $(also { $( $at:ident = $ac:literal { $($af:ident $(=> $acf:literal)?),* $(,)? } ),* $(,)? })?
    ) => {
        $($(
            // SAFETY: a #[repr(C)] struct of integers with explicit padding;
            // its size and offsets are compared with the C header by
            // tests/layout.rs through the row below.
            unsafe impl $crate::Pod for $t {}
        )*)?
        $($(
            // SAFETY: as above; the row below compares it with the size and
            // offsets the iptables source gives.
            unsafe impl $crate::Pod for $ft {}
        )*)?
        /// The layout rows of this module's structs.
        pub const LAYOUTS: &[$crate::Layout] = &[
            $($( $crate::layouts!(@header $t, $c, [$($f $(=> $cf)?),*]), )*)?
            $($(
                $crate::Layout {
                    rust_type: stringify!($ft),
                    source: $crate::Source::Fixed { size: $fsize, offsets: &[$($foff),*] },
                    size: ::core::mem::size_of::<$ft>(),
                    fields: &[$( (stringify!($ff), ::core::mem::offset_of!($ft, $ff)) ),*],
                },
            )*)?
            $($( $crate::layouts!(@header $at, $ac, [$($af $(=> $acf)?),*]), )*)?
        ];
    };
    // One row compared with a C type of the headers.
    (@header $t:ident, $c:literal, [$($f:ident $(=> $cf:literal)?),*]) => {
        $crate::Layout {
            rust_type: stringify!($t),
            source: $crate::Source::Header($c),
            size: ::core::mem::size_of::<$t>(),
            fields: &[$( ($crate::layouts!(@c $f $(, $cf)?), ::core::mem::offset_of!($t, $f)) ),*],
        }
    };
    (@c $f:ident) => { stringify!($f) };
    (@c $f:ident, $cf:literal) => { $cf };
}
pub(crate) use layouts;
