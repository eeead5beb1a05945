//! `xt_time.h`: the `time` match (revision 0).

/// `XT_TIME_LOCAL_TZ`: compare with the kernel's time zone (`--kerneltz`).
pub const XT_TIME_LOCAL_TZ: u8 = 1 << 0;
/// `XT_TIME_CONTIGUOUS`: `--contiguous`.
pub const XT_TIME_CONTIGUOUS: u8 = 1 << 1;
/// `XT_TIME_ALL_FLAGS`.
pub const XT_TIME_ALL_FLAGS: u8 = XT_TIME_LOCAL_TZ | XT_TIME_CONTIGUOUS;
/// `XT_TIME_ALL_MONTHDAYS`: bits 1 to 31.
pub const XT_TIME_ALL_MONTHDAYS: u32 = 0xFFFF_FFFE;
/// `XT_TIME_ALL_WEEKDAYS`: bits 1 (Monday) to 7 (Sunday).
pub const XT_TIME_ALL_WEEKDAYS: u8 = 0xFE;
/// `XT_TIME_MIN_DAYTIME`.
pub const XT_TIME_MIN_DAYTIME: u32 = 0;
/// `XT_TIME_MAX_DAYTIME`: 23:59:59.
pub const XT_TIME_MAX_DAYTIME: u32 = 24 * 60 * 60 - 1;

/// `struct xt_time_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_time_info {
    /// First second (Unix time, UTC).
    pub date_start: u32,
    /// Last second.
    pub date_stop: u32,
    /// Start of the daily window, seconds after midnight.
    pub daytime_start: u32,
    /// End of the daily window.
    pub daytime_stop: u32,
    /// Bit n set: match on day n of the month.
    pub monthdays_match: u32,
    /// Bit n set: match on weekday n (1 = Monday .. 7 = Sunday).
    pub weekdays_match: u8,
    /// `XT_TIME_*` flags.
    pub flags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

crate::layouts! {
    header {
        xt_time_info = "struct xt_time_info" { date_start, date_stop, daytime_start, daytime_stop, monthdays_match, weekdays_match, flags },
    }
}
