//! `xt_IDLETIMER.h`: the `IDLETIMER` target, revisions 0 and 1 (both families).

/// Size of `label`, with its NUL.
pub const MAX_IDLETIMER_LABEL_SIZE: usize = 28;
/// `timer_type`: an alarm timer (wakes the system), revision 1.
pub const XT_IDLETIMER_ALARM: u8 = 0x01;

/// `struct idletimer_tg_info` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct idletimer_tg_info {
    /// Seconds of idleness before the timer fires.
    pub timeout: u32,
    /// The timer's name (its sysfs file), NUL-terminated.
    pub label: [u8; MAX_IDLETIMER_LABEL_SIZE],
    /// Kernel-private `struct idletimer_tg *` (a pointer, 8 bytes on x86_64);
    /// zero from user space and in what the kernel hands back.
    pub timer: u64,
}

/// `struct idletimer_tg_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct idletimer_tg_info_v1 {
    /// Seconds of idleness before the timer fires.
    pub timeout: u32,
    /// The timer's name (its sysfs file), NUL-terminated.
    pub label: [u8; MAX_IDLETIMER_LABEL_SIZE],
    /// Unused (Android compatibility); the kernel refuses anything but 0.
    pub send_nl_msg: u8,
    /// 0, or `XT_IDLETIMER_ALARM`.
    pub timer_type: u8,
    /// Hole before `timer`.
    pub __pad0: [u8; 6],
    /// Kernel-private `struct idletimer_tg *` (8 bytes on x86_64); zero.
    pub timer: u64,
}

crate::layouts! {
    header {
        idletimer_tg_info = "struct idletimer_tg_info" { timeout, label, timer },
        idletimer_tg_info_v1 = "struct idletimer_tg_info_v1" { timeout, label, send_nl_msg, timer_type, timer },
    }
}
