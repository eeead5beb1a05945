//! `xt_bpf.h`: the `bpf` match (revisions 0 and 1), and `struct sock_filter`
//! of `linux/filter.h`.

/// `struct sock_filter`: one classic BPF instruction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct sock_filter {
    /// Opcode.
    pub code: u16,
    /// Jump offset when true.
    pub jt: u8,
    /// Jump offset when false.
    pub jf: u8,
    /// Generic field.
    pub k: u32,
}

/// Most instructions a program may have.
pub const XT_BPF_MAX_NUM_INSTR: usize = 64;
/// Size of the pinned-object path field (shares the program's space).
pub const XT_BPF_PATH_MAX: usize = XT_BPF_MAX_NUM_INSTR * 8;
/// Revision 1 `mode`: classic BPF bytecode.
pub const XT_BPF_MODE_BYTECODE: u16 = 0;
/// Revision 1 `mode`: an eBPF object pinned at a path, passed as an fd.
pub const XT_BPF_MODE_FD_PINNED: u16 = 1;
/// Revision 1 `mode`: an eBPF object passed as an fd.
pub const XT_BPF_MODE_FD_ELF: u16 = 2;

/// `struct xt_bpf_info` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_bpf_info {
    /// Instructions used.
    pub bpf_program_num_elem: u16,
    /// Padding before the program.
    pub __pad0: [u8; 2],
    /// The program.
    pub bpf_program: [sock_filter; XT_BPF_MAX_NUM_INSTR],
    /// Padding before the 8-aligned kernel pointer.
    pub __pad1: [u8; 4],
    /// `filter`: a kernel pointer (x86_64), private to the kernel; zero from user space.
    pub filter: u64,
}

/// `struct xt_bpf_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_bpf_info_v1 {
    /// `XT_BPF_MODE_*`.
    pub mode: u16,
    /// Instructions used (bytecode mode).
    pub bpf_program_num_elem: u16,
    /// File descriptor of the eBPF object (fd modes).
    pub fd: i32,
    /// The anonymous union: the program (bytecode mode) or, as bytes, the
    /// NUL-terminated path of the pinned object (`path`).
    pub bpf_program: [sock_filter; XT_BPF_MAX_NUM_INSTR],
    /// `filter`: a kernel pointer (x86_64), private to the kernel; zero from user space.
    pub filter: u64,
}

crate::layouts! {
    header {
        sock_filter = "struct sock_filter" { code, jt, jf, k },
        xt_bpf_info = "struct xt_bpf_info" { bpf_program_num_elem, bpf_program, filter },
        xt_bpf_info_v1 = "struct xt_bpf_info_v1" { mode, bpf_program_num_elem, fd, bpf_program, filter },
    }
}
