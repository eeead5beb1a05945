//! Kernel struct fields as iptables fills them: C strings cut to their
//! field (`XTOPT_PUT` of an `XTTYPE_STRING`), 0/1 flags, and the check that
//! decoded bytes are what this crate would write back.

use crate::error::{Error, Result};
use crate::extension::{Ctx, Extension};

/// `s` cut to at most `max` bytes, as C cuts a string (here never inside a
/// UTF-8 character).
pub(crate) fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s` cut to fit a C string field of `n` bytes with its NUL, as
/// `XTTYPE_STRING` options cut it (`strncpy`; here at a character boundary).
pub(crate) fn truncated(s: &str, n: usize) -> &str {
    cut(s, n - 1)
}

/// Copies `s` into a C string field of `N` bytes, cut as [`truncated`] cuts it.
pub(crate) fn put_truncated<const N: usize>(s: &str, field: &mut [u8; N]) {
    let s = truncated(s, N);
    field.fill(0);
    field[..s.len()].copy_from_slice(s.as_bytes());
}

/// A 0/1 field of a kernel struct (an `invert` word or byte) read back:
/// iptables writes nothing else, so any other value makes the codec refuse
/// the struct, which is then kept as raw bytes.
pub(crate) fn bool_field(ext: &str, what: &str, v: u32) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Malformed(format!("{ext}: {what} is {v}"))),
    }
}

/// Returns `value` only when it encodes back to `data` exactly (the struct,
/// then zero padding). Kernel bytes that iptables would never write (stray
/// flags, data in unused slots) are refused, so that the caller keeps them as
/// an unknown blob instead of silently dropping them.
pub(crate) fn exact<E: Extension>(ctx: &Ctx, data: &[u8], value: E) -> Result<E> {
    let mut out = Vec::new();
    value.encode(ctx, &mut out);
    let n = out.len();
    if data.len() >= n && data[..n] == out[..] && data[n..].iter().all(|&b| b == 0) {
        Ok(value)
    } else {
        Err(Error::Malformed(format!(
            "{}: bytes iptables would not write",
            E::NAME
        )))
    }
}

/// Checks that a decoded value encodes back to the bytes it came from, up
/// to `upto` (where the kernel-private fields start), so that values this
/// crate cannot write back (stray bytes after a NUL, bits without their
/// flag) stay raw.
pub(crate) fn same_bytes(ext: &str, encoded: &[u8], data: &[u8], upto: usize) -> Result<()> {
    if encoded.get(..upto) == data.get(..upto) {
        Ok(())
    } else {
        Err(Error::Malformed(format!(
            "{ext}: bytes this codec would not write back"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cut_like_strncpy() {
        assert_eq!(truncated("abcdef", 4), "abc");
        assert_eq!(truncated("ab", 4), "ab");
        assert_eq!(truncated("aé", 3), "a");
        let mut f = [0xffu8; 4];
        put_truncated("abcdef", &mut f);
        assert_eq!(&f, b"abc\0");
        assert!(bool_field("x", "invert", 2).is_err());
        assert!(bool_field("x", "invert", 1).unwrap());
    }
}
