//! Kernel ABI of the Linux netfilter xtables interface, as used by iptkit.
//!
//! This crate holds `#[repr(C)]` mirrors of the structs in `x_tables.h`,
//! `ip_tables.h`, `ip6_tables.h` and the extension headers (`xt_*.h`,
//! `ipt_*.h`, `ip6t_*.h`), plus the socket option numbers. It holds nothing
//! else: no logic, no allocation. Every struct here has its size and field
//! offsets compared with the C headers installed on the machine by
//! `tests/layout.rs` of the iptkit crate.
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

/// Marks types as [`Pod`]. Only for use inside this crate, on structs that the
/// layout test covers.
macro_rules! pod {
    ($($t:ty),* $(,)?) => {
        $(
            // SAFETY: a #[repr(C)] struct of integers with explicit padding; its
            // size and offsets are checked against the C header in the iptkit crate's tests/layout.rs.
            unsafe impl $crate::Pod for $t {}
        )*
    };
}
pub(crate) use pod;
