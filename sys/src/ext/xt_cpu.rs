//! `xt_cpu.h`: the `cpu` match (revision 0).

/// `struct xt_cpu_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_cpu_info {
    /// The CPU number.
    pub cpu: u32,
    /// 1 to invert the match.
    pub invert: u32,
}

crate::layouts! {
    header {
        xt_cpu_info = "struct xt_cpu_info" { cpu, invert },
    }
}
