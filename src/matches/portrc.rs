//! Port ranges the way xtables' `XTTYPE_PORTRC` options read them
//! (`xtopt_parse_mport`): the `dccp` and `udplite` matches use it. Unlike
//! `-m tcp`, a range with min > max is taken as it is, and a port resolves
//! through `getaddrinfo` rather than for one protocol.

use super::port::PortRange;
use crate::error::{Error, Result};
use crate::inv::Inv;

/// Resolves one port as `xtables_getportbyname` does through
/// `getaddrinfo(NULL, s)`: glibc reads a decimal number with `strtoul` into an
/// `int` (leading blanks and a sign allowed, the whole word consumed), refuses
/// it when negative and keeps its low 16 bits; anything else is a service
/// name (TCP's, then UDP's).
fn getaddrinfo_port(s: &str) -> Option<u16> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // strtoul saturates on overflow and negates after reading.
        let v = digits.parse::<u64>().unwrap_or(u64::MAX);
        let v = if neg { v.wrapping_neg() } else { v };
        let v = v as u32 as i32;
        return (v >= 0).then_some(v as u16);
    }
    crate::names::service_port(s, "tcp").or_else(|| crate::names::service_port(s, "udp"))
}

/// `P`, `P:Q`, `P:`, `:Q` or `:`; an empty component keeps its default (0
/// for the first, 65535 for the second) and a single port is `P:P`.
pub(crate) fn parse_port_range_rc(ext: &str, option: &str, s: &str) -> Result<PortRange> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() > 2 {
        return Err(Error::value(
            option,
            s,
            format!("{ext}: too many components for option \"{option}\" (max: 2)"),
        ));
    }
    let mut r = PortRange::ALL;
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        let port = getaddrinfo_port(p).ok_or_else(|| {
            Error::value(
                option,
                s,
                format!("port \"{p}\" does not resolve to anything"),
            )
        })?;
        if i == 0 {
            r.min = port;
        } else {
            r.max = port;
        }
    }
    if parts.len() == 1 {
        r.max = r.min;
    }
    Ok(r)
}

/// The kernel's `[min, max]` of an optional range: unset is every port.
pub(crate) fn range_to_kernel(r: &Option<Inv<PortRange>>) -> [u16; 2] {
    let r = r.map(|r| r.value).unwrap_or(PortRange::ALL);
    [r.min, r.max]
}

/// The range of a kernel `[min, max]`: `None` for every port, unless inverted.
pub(crate) fn range_from_kernel(p: [u16; 2], invert: bool) -> Option<Inv<PortRange>> {
    let r = PortRange::range(p[0], p[1]);
    (!r.is_all() || invert).then_some(Inv::new(r, invert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_like_xtopt_parse_mport() {
        let p = |s| parse_port_range_rc("dccp", "--sport", s).ok();
        assert_eq!(p("22"), Some(PortRange::port(22)));
        assert_eq!(p("4:3"), Some(PortRange::range(4, 3)));
        assert_eq!(p(":"), Some(PortRange::ALL));
        assert_eq!(p(":4"), Some(PortRange::range(0, 4)));
        assert_eq!(p("4:"), Some(PortRange::range(4, 65535)));
        assert_eq!(p("-1"), None);
        assert_eq!(p("1:2:3"), None);
    }
}
