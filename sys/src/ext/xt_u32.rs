//! `xt_u32.h`: the `u32` match (revision 0).

/// `struct xt_u32_location_element`: one number of a location and the
/// operator that joins it to the value so far.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_u32_location_element {
    /// The number.
    pub number: u32,
    /// `XT_U32_*` operator (unused for the first element).
    pub nextop: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

/// `struct xt_u32_value_element`: an inclusive range of accepted values.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_u32_value_element {
    /// Lowest value.
    pub min: u32,
    /// Highest value.
    pub max: u32,
}

/// `XT_U32_MAXSIZE`; the arrays hold one more element.
pub const XT_U32_MAXSIZE: usize = 10;

/// `struct xt_u32_test`: one `location=values` test.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_u32_test {
    /// The location, `nnums` elements used.
    pub location: [xt_u32_location_element; XT_U32_MAXSIZE + 1],
    /// The accepted ranges, `nvalues` elements used.
    pub value: [xt_u32_value_element; XT_U32_MAXSIZE + 1],
    /// Elements of `location` used.
    pub nnums: u8,
    /// Elements of `value` used.
    pub nvalues: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// `struct xt_u32`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_u32 {
    /// The tests, `ntests` used; all must hold.
    pub tests: [xt_u32_test; XT_U32_MAXSIZE + 1],
    /// Elements of `tests` used.
    pub ntests: u8,
    /// Non-zero: match when the tests do not all hold.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// `&`: bitwise and.
pub const XT_U32_AND: u8 = 0;
/// `<<`: shift left.
pub const XT_U32_LEFTSH: u8 = 1;
/// `>>`: shift right.
pub const XT_U32_RIGHTSH: u8 = 2;
/// `@`: read the 32 bits at this offset from the value so far.
pub const XT_U32_AT: u8 = 3;

crate::layouts! {
    header {
        xt_u32_location_element = "struct xt_u32_location_element" { number, nextop },
        xt_u32_value_element = "struct xt_u32_value_element" { min, max },
        xt_u32_test = "struct xt_u32_test" { location, value, nnums, nvalues },
        xt_u32 = "struct xt_u32" { tests, ntests, invert },
    }
}
