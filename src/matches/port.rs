//! Port ranges as the tcp, udp, sctp and dccp matches take them (`22`,
//! `1024:`, `:1023`, `ssh`).

use std::fmt;

use crate::error::{Error, Result};
use crate::inv::Inv;
use crate::names;

/// An inclusive port range; a single port has `min == max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// First port.
    pub min: u16,
    /// Last port.
    pub max: u16,
}

impl From<u16> for PortRange {
    /// One port.
    fn from(p: u16) -> PortRange {
        PortRange::port(p)
    }
}

impl From<std::ops::RangeInclusive<u16>> for PortRange {
    /// `6000..=6010` is `6000:6010`.
    fn from(r: std::ops::RangeInclusive<u16>) -> PortRange {
        PortRange::range(*r.start(), *r.end())
    }
}

impl PortRange {
    /// Every port, `0:65535`: what an unset range holds in the kernel.
    pub const ALL: PortRange = PortRange {
        min: 0,
        max: u16::MAX,
    };

    /// One port.
    pub fn port(p: u16) -> PortRange {
        PortRange { min: p, max: p }
    }

    /// A range, `min..=max`.
    pub fn range(min: u16, max: u16) -> PortRange {
        PortRange { min, max }
    }

    /// True for `0:65535`.
    pub fn is_all(&self) -> bool {
        *self == PortRange::ALL
    }

    /// True when `port` is in the range (`min..=max`).
    ///
    /// ```
    /// use iptkit::matches::port::PortRange;
    /// assert!(PortRange::range(6000, 6010).contains(6005));
    /// assert!(!PortRange::port(22).contains(23));
    /// ```
    pub fn contains(&self, port: u16) -> bool {
        (self.min..=self.max).contains(&port)
    }

    /// Appends the range as [`fmt::Display`] prints it, without the
    /// formatting machinery (a saved table prints one or two per rule).
    pub(crate) fn write(&self, out: &mut String) {
        crate::push_uint(out, self.min.into());
        if self.min != self.max {
            out.push(':');
            crate::push_uint(out, self.max.into());
        }
    }

    /// Parses `P`, `P:Q`, `P:`, `:Q` or `:` with service names of `proto`
    /// (`parse_tcp_ports` in libxt_tcp.c).
    pub fn parse(option: &str, s: &str, proto: &str) -> Result<PortRange> {
        let port = |p: &str| {
            names::parse_port(p, proto).ok_or_else(|| {
                Error::value(option, s, format!("invalid port/service `{p}' specified"))
            })
        };
        match crate::xtopt::split_once_ascii(s, b':') {
            None => Ok(PortRange::port(port(s)?)),
            Some((a, b)) => {
                let min = if a.is_empty() { 0 } else { port(a)? };
                let max = if b.is_empty() { u16::MAX } else { port(b)? };
                if min > max {
                    return Err(Error::value(option, s, "invalid portrange (min > max)"));
                }
                Ok(PortRange { min, max })
            }
        }
    }
}

impl fmt::Display for PortRange {
    /// `22` or `1024:65535`, as iptables-save prints ranges.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}:{}", self.min, self.max)
        }
    }
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
    fn parses_like_libxt_tcp() {
        assert_eq!(
            PortRange::parse("--dport", "22", "tcp").unwrap(),
            PortRange::port(22)
        );
        assert_eq!(
            PortRange::parse("--dport", ":4", "tcp").unwrap(),
            PortRange::range(0, 4)
        );
        assert_eq!(
            PortRange::parse("--dport", "4:", "tcp").unwrap(),
            PortRange::range(4, 65535)
        );
        assert_eq!(
            PortRange::parse("--dport", ":", "tcp").unwrap(),
            PortRange::ALL
        );
        assert!(PortRange::parse("--dport", "4:3", "tcp").is_err());
        assert!(PortRange::parse("--dport", "65536", "tcp").is_err());
        assert!(PortRange::parse("--dport", "-1", "tcp").is_err());
        assert_eq!(PortRange::range(4, 4).to_string(), "4");
        assert_eq!(PortRange::range(0, 4).to_string(), "0:4");
    }
}
