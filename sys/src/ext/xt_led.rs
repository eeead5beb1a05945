//! `xt_LED.h`: the `LED` target (revision 0, both families).

/// `struct xt_led_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_led_info {
    /// The LED trigger's name, NUL-terminated (iptables writes
    /// `netfilter-` and the name given).
    pub id: [u8; 27],
    /// Blink even when the LED is on already.
    pub always_blink: u8,
    /// Milliseconds until the LED goes off; `u32::MAX` for never.
    pub delay: u32,
    /// Kernel-private `void *` (8 bytes on x86_64); zero.
    pub internal_data: u64,
}

crate::layouts! {
    header {
        xt_led_info = "struct xt_led_info" { id, always_blink, delay, internal_data },
    }
}
