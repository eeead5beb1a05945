//! Ports as libxtables reads them through `getaddrinfo`: `XTTYPE_PORT`
//! (`xtopt_parse_port`) and `XTTYPE_PORTRC` ranges (`xtopt_parse_mport`).
//! (`-m tcp` and `-m multiport` read ports their own way:
//! [`PortRange::parse`], [`crate::names::parse_port`].)

use super::{c_strtoul, what};
use crate::error::{Error, Result};
use crate::matches::port::PortRange;
use crate::names;

/// Resolves one port the way `xtables_getportbyname` does through
/// `getaddrinfo(NULL, s)`: glibc reads a decimal number with `strtoul` into
/// an `int` (leading blanks and a sign allowed, the whole word consumed, an
/// empty word is 0) and keeps its low 16 bits when it is not negative;
/// anything else is a service name of any protocol, looked up in glibc's
/// order (TCP, UDP, DCCP, UDP-Lite, SCTP).
pub(crate) fn getaddrinfo_port(s: &str) -> Option<u16> {
    let n = c_strtoul(s, 10);
    let v = n.value as u32 as i32;
    if n.end == s.len() && v >= 0 {
        return Some(v as u16);
    }
    ["tcp", "udp", "dccp", "udplite", "sctp"]
        .iter()
        .find_map(|proto| names::service_port(s, proto))
}

/// An `XTTYPE_PORT` value of `--option` of `ext`: [`getaddrinfo_port`].
pub(crate) fn port(ext: &str, option: &str, s: &str) -> Result<u16> {
    getaddrinfo_port(s)
        .ok_or_else(|| Error::value(what(ext, option), s, "port does not resolve to anything"))
}

/// An `XTTYPE_PORTRC` value (`udp`, `dccp`, `conntrack --ctorigsrcport`,
/// ...): `P`, `P:Q`, `P:`, `:Q` or `:`, each port as [`getaddrinfo_port`]
/// reads it; an empty component keeps its default (0 for the first, 65535
/// for the second) and a single port is `P:P`. Unlike `-m tcp`, a range
/// with min > max is taken as it is.
pub(crate) fn port_range(ext: &str, option: &str, s: &str) -> Result<PortRange> {
    let (first, second) = match super::split_once_ascii(s, b':') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if second.is_some_and(|b| b.contains(':')) {
        return Err(Error::value(
            what(ext, option),
            s,
            "too many components (max: 2)",
        ));
    }
    let port = |p: &str| {
        getaddrinfo_port(p).ok_or_else(|| {
            Error::value(
                what(ext, option),
                s,
                format!("port \"{p}\" does not resolve to anything"),
            )
        })
    };
    let mut r = PortRange::ALL;
    if !first.is_empty() {
        r.min = port(first)?;
    }
    match second {
        None => r.max = r.min,
        Some("") => {}
        Some(b) => r.max = port(b)?,
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_like_getaddrinfo() {
        let p = |s| getaddrinfo_port(s);
        assert_eq!(p("22"), Some(22));
        assert_eq!(p(""), Some(0));
        assert_eq!(p(" +7"), Some(7));
        assert_eq!(p("-0"), Some(0));
        assert_eq!(p("70000"), Some(4464));
        assert_eq!(p("4294967296"), Some(0));
        assert_eq!(p("-4294967295"), Some(1));
        assert_eq!(p("-1"), None);
        assert_eq!(p("4294967295"), None);
        assert_eq!(p("99999999999999999999"), None);
        assert_eq!(p("-99999999999999999999"), None);
        assert_eq!(p("7 "), None);
        assert_eq!(p("0x10"), None);
        assert_eq!(port("x", "--p", "").unwrap(), 0);
        assert!(port("x", "--p", "no-such-service").is_err());
    }

    #[test]
    fn ranges_like_xtopt_parse_mport() {
        let p = |s| port_range("udp", "sport", s).ok();
        assert_eq!(p("22"), Some(PortRange::port(22)));
        assert_eq!(p(""), Some(PortRange::port(0)));
        assert_eq!(p(":"), Some(PortRange::ALL));
        assert_eq!(p(":4"), Some(PortRange::range(0, 4)));
        assert_eq!(p("4:"), Some(PortRange::range(4, 65535)));
        assert_eq!(p("4:3"), Some(PortRange::range(4, 3)));
        assert_eq!(p("70000"), Some(PortRange::port(4464)));
        assert_eq!(p(" +7"), Some(PortRange::port(7)));
        assert_eq!(p("-4294967295"), Some(PortRange::port(1)));
        for bad in ["-1", "4294967295", "7 ", "0x10", "1:2:3"] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}
