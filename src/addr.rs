//! Address families and networks as the kernel stores them: address plus mask.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;

use crate::error::{Error, Result};

/// An address as glibc's `inet_ntop` prints it, and so as iptables prints
/// every address: like Rust's `Display`, except that an IPv4-compatible IPv6
/// address (the first 96 bits zero, the next 16 not: `::127.0.0.53`, not
/// `::7f00:35`) keeps its dotted tail. `::2` and `::ffff:1.2.3.4` print as
/// Rust prints them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ntop(pub IpAddr);

impl fmt::Display for Ntop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let IpAddr::V6(v6) = self.0 {
            let s = v6.segments();
            if s[..6] == [0; 6] && s[6] != 0 {
                let [.., a, b, c, d] = v6.octets();
                return write!(f, "::{}", Ipv4Addr::new(a, b, c, d));
            }
        }
        self.0.fmt(f)
    }
}

/// [`Ntop`] of `a`.
pub(crate) fn ntop(a: impl Into<IpAddr>) -> Ntop {
    Ntop(a.into())
}

/// IPv4 (`iptables`) or IPv6 (`ip6tables`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4: `iptables`, the `ip_tables` kernel module.
    #[default]
    Ipv4,
    /// IPv6: `ip6tables`, the `ip6_tables` kernel module.
    Ipv6,
}

impl Family {
    /// The "any" address of this family.
    pub fn unspecified(self) -> IpAddr {
        match self {
            Family::Ipv4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::Ipv6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }

    /// An address of this family reserved for documentation (192.0.2.1,
    /// 2001:db8::1): what the extensions' examples point at.
    pub(crate) fn example_host(self) -> IpAddr {
        match self {
            Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            Family::Ipv6 => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        }
    }

    /// The family of an address.
    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Ipv4,
            IpAddr::V6(_) => Family::Ipv6,
        }
    }

    /// Bits in an address of this family.
    pub fn bits(self) -> u8 {
        match self {
            Family::Ipv4 => 32,
            Family::Ipv6 => 128,
        }
    }

    /// A mask with the first `prefix` bits set.
    pub fn mask(self, prefix: u8) -> IpAddr {
        match self {
            Family::Ipv4 => {
                let m = if prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - prefix.min(32) as u32)
                };
                IpAddr::V4(Ipv4Addr::from(m))
            }
            Family::Ipv6 => {
                let m = if prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - prefix.min(128) as u32)
                };
                IpAddr::V6(Ipv6Addr::from(m))
            }
        }
    }

    /// The command name, for messages.
    pub fn command(self) -> &'static str {
        match self {
            Family::Ipv4 => "iptables",
            Family::Ipv6 => "ip6tables",
        }
    }
}

/// An address and a mask, as in `-s 10.0.0.0/8` or `-s 10.0.0.0/255.0.255.0`.
///
/// The kernel keeps a mask, not a prefix length, so masks need not be
/// contiguous; iptables prints contiguous ones as `/len` and others in full.
/// The address is always stored masked, as iptables stores it.
///
/// ```
/// use iptkit::{Family, Net};
/// let net = Net::parse(Family::Ipv4, "192.0.2.77/24")?;
/// assert_eq!(net.to_string(), "192.0.2.0/24"); // stored masked
/// assert_eq!(net.prefix_len(), Some(24));
/// let odd = Net::parse(Family::Ipv4, "10.0.0.1/255.0.255.255")?;
/// assert_eq!((odd.prefix_len(), odd.to_string().as_str()), (None, "10.0.0.1/255.0.255.255"));
/// let host: Net = "2001:db8::1".parse()?; // FromStr picks the family by the address
/// assert_eq!(host.to_string(), "2001:db8::1/128");
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Net {
    addr: IpAddr,
    mask: IpAddr,
}

impl Net {
    /// A network from address and mask (same family); the address is masked.
    pub fn new(addr: IpAddr, mask: IpAddr) -> Result<Net> {
        let addr = match (addr, mask) {
            (IpAddr::V4(a), IpAddr::V4(m)) => {
                IpAddr::V4(Ipv4Addr::from(u32::from(a) & u32::from(m)))
            }
            (IpAddr::V6(a), IpAddr::V6(m)) => {
                IpAddr::V6(Ipv6Addr::from(u128::from(a) & u128::from(m)))
            }
            _ => return Err(Error::InvalidAddress(format!("{addr}/{mask}"))),
        };
        Ok(Net { addr, mask })
    }

    /// One host: the address with a full mask.
    pub fn host(addr: IpAddr) -> Net {
        let mask = Family::of(&addr).mask(Family::of(&addr).bits());
        Net { addr, mask }
    }

    /// Every address of the family (`0.0.0.0/0`, `::/0`).
    pub fn any(family: Family) -> Net {
        Net {
            addr: family.unspecified(),
            mask: family.unspecified(),
        }
    }

    /// The (masked) address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The mask.
    pub fn mask(&self) -> IpAddr {
        self.mask
    }

    /// The family.
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }

    /// The prefix length, when the mask is contiguous.
    pub fn prefix_len(&self) -> Option<u8> {
        crate::xtopt::mask_to_cidr(self.mask)
    }

    /// True for `0.0.0.0/0` or `::/0`.
    pub fn is_any(&self) -> bool {
        self.mask.is_unspecified()
    }

    /// True when `addr` is in this network (the kernel's test: the address
    /// masked equals the network's address). An address of the other family
    /// is never in it.
    ///
    /// ```
    /// use iptkit::Net;
    /// let net: Net = "10.0.0.0/8".parse()?;
    /// assert!(net.contains("10.1.2.3".parse().unwrap()));
    /// assert!(!net.contains("192.0.2.1".parse().unwrap()));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.addr, self.mask, addr) {
            (IpAddr::V4(n), IpAddr::V4(m), IpAddr::V4(a)) => {
                u32::from(a) & u32::from(m) == u32::from(n)
            }
            (IpAddr::V6(n), IpAddr::V6(m), IpAddr::V6(a)) => {
                u128::from(a) & u128::from(m) == u128::from(n)
            }
            _ => false,
        }
    }

    /// True when some address is in both networks: the two agree on every
    /// bit that both masks test. Networks of different families never
    /// overlap.
    ///
    /// ```
    /// use iptkit::Net;
    /// let a: Net = "10.0.0.0/8".parse()?;
    /// assert!(a.overlaps(&"10.20.0.0/16".parse()?));
    /// assert!(!a.overlaps(&"192.168.0.0/16".parse()?));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn overlaps(&self, other: &Net) -> bool {
        match (self.addr, self.mask, other.addr, other.mask) {
            (IpAddr::V4(a), IpAddr::V4(m), IpAddr::V4(b), IpAddr::V4(n)) => {
                (u32::from(a) ^ u32::from(b)) & u32::from(m) & u32::from(n) == 0
            }
            (IpAddr::V6(a), IpAddr::V6(m), IpAddr::V6(b), IpAddr::V6(n)) => {
                (u128::from(a) ^ u128::from(b)) & u128::from(m) & u128::from(n) == 0
            }
            _ => false,
        }
    }

    /// As an [`IpNet`], when the mask is contiguous.
    pub fn to_ipnet(&self) -> Option<IpNet> {
        IpNet::new(self.addr, self.prefix_len()?).ok()
    }

    /// Appends the network as [`fmt::Display`] prints it. A saved table
    /// prints one or two per rule: IPv4 with a prefix length is written
    /// digit by digit, without the formatting machinery.
    pub(crate) fn write(&self, out: &mut String) {
        match (self.addr, self.prefix_len()) {
            (IpAddr::V4(a), Some(len)) => {
                for (i, octet) in a.octets().into_iter().enumerate() {
                    if i > 0 {
                        out.push('.');
                    }
                    crate::push_uint(out, octet.into());
                }
                out.push('/');
                crate::push_uint(out, len.into());
            }
            _ => {
                // Writing to a String cannot fail.
                let _ = fmt::Write::write_fmt(out, format_args!("{self}"));
            }
        }
    }

    /// Parses `ADDR`, `ADDR/LEN` or `ADDR/MASK` of the given family, as iptables does
    /// (host names are not resolved: the library does no DNS). IPv4 addresses are
    /// read as `xtables_numeric_to_ipaddr` reads them: dotted parts, each a C
    /// number (`010` is octal, `0x10` hex), fewer than four completed with zeros
    /// (`10` is `10.0.0.0`, `0/0` is everything); a written-out mask has all four.
    pub fn parse(family: Family, s: &str) -> Result<Net> {
        let bad = || Error::InvalidAddress(s.to_string());
        let (a, m) = match crate::xtopt::split_once_ascii(s, b'/') {
            Some((a, m)) => (a, Some(m)),
            None => (s, None),
        };
        let addr: IpAddr = crate::xtopt::numeric_to_ipaddr(family, a).ok_or_else(bad)?;
        let mask = match m {
            None => family.mask(family.bits()),
            // A mask with a dot (IPv4) or colon (IPv6) is written out; else a prefix length.
            Some(m) if !m.contains(['.', ':']) => {
                let len = crate::xtopt::uint(m, 0, family.bits().into()).ok_or_else(bad)?;
                family.mask(len as u8)
            }
            Some(m) => crate::xtopt::numeric_to_ipmask(family, m).ok_or_else(bad)?,
        };
        Net::new(addr, mask)
    }
}

impl From<IpNet> for Net {
    fn from(n: IpNet) -> Net {
        Net {
            addr: n.network(),
            mask: n.netmask(),
        }
    }
}

impl From<IpAddr> for Net {
    fn from(a: IpAddr) -> Net {
        Net::host(a)
    }
}

impl From<Ipv4Addr> for Net {
    /// One host: `192.0.2.1/32`.
    fn from(a: Ipv4Addr) -> Net {
        Net::host(IpAddr::V4(a))
    }
}

impl From<Ipv6Addr> for Net {
    /// One host: `2001:db8::1/128`.
    fn from(a: Ipv6Addr) -> Net {
        Net::host(IpAddr::V6(a))
    }
}

impl FromStr for Net {
    type Err = Error;

    /// Parses either family, choosing by the address.
    fn from_str(s: &str) -> Result<Net> {
        let family = if s.contains(':') {
            Family::Ipv6
        } else {
            Family::Ipv4
        };
        Net::parse(family, s)
    }
}

impl fmt::Display for Net {
    /// `10.0.0.0/8`, `::1/128`, or `10.0.0.0/255.0.255.0` for a non-contiguous mask,
    /// as iptables-save prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix_len() {
            Some(len) => write!(f, "{}/{}", ntop(self.addr), len),
            None => write!(f, "{}/{}", ntop(self.addr), ntop(self.mask)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What glibc 2.36's `inet_ntop` prints, and so iptables-save.
    #[test]
    fn prints_addresses_like_inet_ntop() {
        let a = |s: &str| ntop(s.parse::<IpAddr>().unwrap()).to_string();
        assert_eq!(a("::7f00:35"), "::127.0.0.53");
        assert_eq!(a("::1:80"), "::0.1.0.128");
        assert_eq!(a("::1:0"), "::0.1.0.0");
        assert_eq!(a("::1"), "::1");
        assert_eq!(a("::2"), "::2");
        assert_eq!(a("::100"), "::100");
        assert_eq!(a("::"), "::");
        assert_eq!(a("::1:0:0"), "::1:0:0");
        assert_eq!(a("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(a("::ffff:0:0"), "::ffff:0.0.0.0");
        assert_eq!(a("::ffff:0:1.2.3.4"), "::ffff:0:102:304");
        assert_eq!(a("dead::beef"), "dead::beef");
        assert_eq!(a("1.2.3.4"), "1.2.3.4");
        let n = |s: &str| Net::parse(Family::Ipv6, s).unwrap().to_string();
        assert_eq!(n("::127.0.0.53"), "::127.0.0.53/128");
        assert_eq!(n("::7f00:0/104"), "::127.0.0.0/104");
    }

    #[test]
    fn parses_and_prints_like_iptables() {
        let n = Net::parse(Family::Ipv4, "10.1.2.3/8").unwrap();
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert_eq!(
            Net::parse(Family::Ipv4, "1.2.3.4").unwrap().to_string(),
            "1.2.3.4/32"
        );
        assert_eq!(
            Net::parse(Family::Ipv4, "10.0.0.0/255.0.255.0")
                .unwrap()
                .to_string(),
            "10.0.0.0/255.0.255.0"
        );
        assert_eq!(
            Net::parse(Family::Ipv6, "2001:db8::1/64")
                .unwrap()
                .to_string(),
            "2001:db8::/64"
        );
        assert!(Net::parse(Family::Ipv4, "::1").is_err());
        assert!(Net::parse(Family::Ipv4, "1.2.3.4/33").is_err());
        assert!(Net::parse(Family::Ipv4, "host.example").is_err());
        assert_eq!(
            Net::parse(Family::Ipv4, "0/0").unwrap(),
            Net::any(Family::Ipv4)
        );
        assert_eq!(
            Net::parse(Family::Ipv4, "10/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        // iptables-legacy 1.8.9 saves `-s 1.2.3` as `-s 1.2.3.0/32`.
        assert_eq!(
            Net::parse(Family::Ipv4, "1.2.3").unwrap().to_string(),
            "1.2.3.0/32"
        );
        assert!(Net::parse(Family::Ipv4, "1.2.3.4/255.255").is_err());
        assert!(Net::parse(Family::Ipv6, "::/255.0.0.0").is_err());
        assert!(Net::any(Family::Ipv6).is_any());
    }

    #[test]
    fn writes_what_display_prints() {
        for s in [
            "0.0.0.0/0",
            "1.2.3.4",
            "10.0.0.0/8",
            "100.20.3.0/24",
            "255.255.255.255/32",
            "10.0.0.0/255.0.255.0",
            "2001:db8::/64",
            "::/0",
        ] {
            let n: Net = s.parse().unwrap();
            let mut out = String::new();
            n.write(&mut out);
            assert_eq!(out, n.to_string());
        }
    }
}
