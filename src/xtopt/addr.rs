//! Numeric addresses as libxtables and glibc read them: `inet_aton` (what
//! `getaddrinfo` does with a numeric IPv4 host, for `XTTYPE_HOST`,
//! `XTTYPE_HOSTMASK`, `XTTYPE_PLEN`), `xtables_numeric_to_ipaddr` (dotted
//! quads, for `-s`/`-d` and `-m iprange`), prefix lengths and masks,
//! `XTTYPE_ETHERMAC`, and the 16 bytes of a kernel `union nf_inet_addr`.
//! Host names are never resolved: the library does no DNS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{c_strtoul, uint};
use crate::addr::Family;
use crate::error::{Error, Result};

/// An IPv4 address as glibc's `inet_aton` reads it (what `getaddrinfo`
/// accepts for numbers): one to four parts, each decimal, `0x` hex or `0`
/// octal; the last part fills the remaining bytes (`33` is 0.0.0.33, `10.1`
/// is 10.0.0.1).
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::with_capacity(4);
    for p in &parts {
        let (radix, digits) = match p.as_bytes() {
            [b'0', b'x' | b'X', ..] => (16, &p[2..]),
            [b'0', _, ..] => (8, &p[1..]),
            [] => return None,
            _ => (10, *p),
        };
        let v = if digits.is_empty() {
            0
        } else if digits.chars().all(|c| c.is_digit(radix)) {
            u32::from_str_radix(digits, radix).ok()?
        } else {
            return None;
        };
        vals.push(v);
    }
    let (last, head) = vals.split_last()?;
    if head.iter().any(|&v| v > 0xff) {
        return None;
    }
    let shift = 8 * (4 - head.len() as u32);
    if shift < 32 && *last >> shift != 0 {
        return None;
    }
    let mut v = *last;
    for (i, &h) in head.iter().enumerate() {
        v |= h << (24 - 8 * i as u32);
    }
    Some(v.into())
}

/// A numeric host address of `family` as `getaddrinfo` reads it: IPv4 as
/// [`inet_aton`], IPv6 as `inet_pton`.
pub(crate) fn numeric_host(family: Family, s: &str) -> Option<IpAddr> {
    match family {
        Family::Ipv4 => inet_aton(s).map(IpAddr::V4),
        Family::Ipv6 => s.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
    }
}

/// A host address of `family` as `XTTYPE_HOST` options take it:
/// [`numeric_host`], or an error for `option`.
pub(crate) fn host(family: Family, option: &str, s: &str) -> Result<IpAddr> {
    numeric_host(family, s)
        .ok_or_else(|| Error::value(option, s, "not a numeric address of the rule's family"))
}

/// `xtables_numeric_to_ipaddr` / `xtables_numeric_to_ip6addr`: for IPv4,
/// dotted parts read by `xtables_strtoul` (decimal, `0x` hex or leading-0
/// octal, each up to 255), where fewer than four parts are a network
/// address completed with zeros (`10` is 10.0.0.0, `10.1` is 10.1.0.0);
/// `inet_pton` syntax for IPv6.
pub(crate) fn numeric_to_ipaddr(family: Family, s: &str) -> Option<IpAddr> {
    numeric_v4_or_v6(family, s, false)
}

/// `xtables_numeric_to_ipmask`: [`numeric_to_ipaddr`] without the
/// completion, so an IPv4 mask has all four parts.
pub(crate) fn numeric_to_ipmask(family: Family, s: &str) -> Option<IpAddr> {
    numeric_v4_or_v6(family, s, true)
}

fn numeric_v4_or_v6(family: Family, s: &str, is_mask: bool) -> Option<IpAddr> {
    match family {
        Family::Ipv4 => {
            let mut octets = [0u8; 4];
            let mut n = 0;
            for p in super::split_ascii(s, b'.') {
                *octets.get_mut(n)? = uint(p, 0, 255)? as u8;
                n += 1;
            }
            if is_mask && n != 4 {
                return None;
            }
            Some(IpAddr::V4(Ipv4Addr::from(octets)))
        }
        Family::Ipv6 => s.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
    }
}

/// The prefix length of a contiguous mask (`xtables_ip[6]mask_to_cidr`),
/// `None` for any other mask.
pub(crate) fn mask_to_cidr(mask: IpAddr) -> Option<u8> {
    let (leading, ones) = match mask {
        IpAddr::V4(m) => (u32::from(m).leading_ones(), u32::from(m).count_ones()),
        IpAddr::V6(m) => (u128::from(m).leading_ones(), u128::from(m).count_ones()),
    };
    (leading == ones).then_some(leading as u8)
}

/// A prefix length as `XTTYPE_PLEN`/`XTTYPE_PLENMASK` options take it in
/// iptables 1.8.9: a number up to the family's width, else a numeric
/// address read as a network mask. A mask that is not a prefix gives 255
/// (iptables' -1 in its 8-bit length).
pub(crate) fn plen(family: Family, option: &str, s: &str) -> Result<u8> {
    let bits = family.bits();
    if let Some(n) = uint(s, 0, bits.into()) {
        return Ok(n as u8);
    }
    let mask = numeric_host(family, s).ok_or_else(|| {
        Error::value(
            option,
            s,
            format!("neither a valid network mask nor valid CIDR (0-{bits})"),
        )
    })?;
    Ok(mask_to_cidr(mask).unwrap_or(255))
}

/// An `XTTYPE_HOSTMASK` value, `ADDR[/MASK]`: the address as given (not
/// masked), the mask from a prefix length (`/24`, also `0x18`) or written
/// out (`/255.255.255.0`). A written-out mask that is not contiguous becomes
/// a full mask, as libxtables' prefix conversion does.
pub(crate) fn parse_hostmask(family: Family, option: &str, s: &str) -> Result<(IpAddr, IpAddr)> {
    let bad = |why: &str| Error::value(option, s, why.to_string());
    let (host, mask) = match s.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (s, None),
    };
    let addr = numeric_host(family, host).ok_or_else(|| bad("not a numeric address"))?;
    let full = family.mask(family.bits());
    let mask = match mask {
        None => full,
        Some(m) => match uint(m, 0, family.bits() as u64) {
            Some(len) => family.mask(len as u8),
            None => {
                let m = numeric_host(family, m)
                    .ok_or_else(|| bad("neither a valid network mask nor a valid CIDR"))?;
                mask_to_cidr(m).map_or(full, |len| family.mask(len))
            }
        },
    };
    Ok((addr, mask))
}

/// `ADDR` followed by `xtables_ip[6]mask_to_numeric`: nothing for a full
/// mask, `/LEN` for a contiguous one, `/MASK` written out otherwise.
pub(crate) fn addr_mask_string(addr: IpAddr, mask: IpAddr) -> String {
    match mask_to_cidr(mask) {
        Some(len) if len == Family::of(&mask).bits() => crate::addr::ntop(addr).to_string(),
        Some(len) => format!("{}/{len}", crate::addr::ntop(addr)),
        None => format!("{}/{}", crate::addr::ntop(addr), crate::addr::ntop(mask)),
    }
}

/// An address in the 16 bytes of a `union nf_inet_addr` (an IPv4 address
/// takes the first four).
pub(crate) fn inet_addr_bytes(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(v4) => {
            let mut b = [0; 16];
            b[..4].copy_from_slice(&v4.octets());
            b
        }
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The address of `family` in the 16 bytes of a `union nf_inet_addr`.
pub(crate) fn inet_addr_of(family: Family, b: [u8; 16]) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(b)),
    }
}

/// A MAC address as `XTTYPE_ETHERMAC` reads it (`xtopt_parse_ethermac`):
/// six parts joined by `:`, each `strtoul(s, &end, 16)` of at most two
/// characters (blanks and a sign count; nothing at all is 0), kept in a
/// byte.
pub(crate) fn ethermac(s: &str) -> Option<[u8; 6]> {
    let mut mac = [0; 6];
    let mut rest = s;
    for (i, byte) in mac.iter_mut().enumerate() {
        let n = c_strtoul(rest, 16);
        if n.end > 2 {
            return None;
        }
        *byte = n.value as u8;
        let after = &rest[n.end..];
        rest = match (i < 5, after.strip_prefix(':')) {
            (true, Some(next)) => next,
            (false, _) if after.is_empty() => after,
            _ => return None,
        };
    }
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_like_glibc() {
        let a = |s| inet_aton(s).map(|a| a.to_string());
        assert_eq!(a("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(a("33").as_deref(), Some("0.0.0.33"));
        assert_eq!(a("10.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(a("10.1.0x102").as_deref(), Some("10.1.1.2"));
        assert_eq!(a("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(a("0x8").as_deref(), Some("0.0.0.8"));
        assert_eq!(a("0x").as_deref(), Some("0.0.0.0"));
        assert_eq!(a("010.0.0.1").as_deref(), Some("8.0.0.1"));
        assert_eq!(a("4294967295").as_deref(), Some("255.255.255.255"));
        for bad in [
            "",
            "08",
            "a",
            "1.2.3.256",
            "256.1",
            "1.256.3",
            "1.2.3.4.5",
            "1..2",
            " 1",
            "-1",
            "+1",
            "0x+1",
        ] {
            assert_eq!(inet_aton(bad), None, "{bad}");
        }
    }

    #[test]
    fn dotted_like_xtables_numeric_to_ipaddr() {
        let a = |s| numeric_to_ipaddr(Family::Ipv4, s).map(|a| a.to_string());
        assert_eq!(a("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(a("010.0x10.0.1").as_deref(), Some("8.16.0.1"));
        assert_eq!(a("10").as_deref(), Some("10.0.0.0"));
        assert_eq!(a("10.1").as_deref(), Some("10.1.0.0"));
        for bad in ["", "256", "1.2.3.4.5", "1..2", "1.2.3.-4", "0x0a000001"] {
            assert_eq!(a(bad), None, "{bad}");
        }
        let m = |s| numeric_to_ipmask(Family::Ipv4, s).map(|a| a.to_string());
        assert_eq!(m("255.255.0.0").as_deref(), Some("255.255.0.0"));
        assert_eq!(m("255.255"), None);
        let v6 = |s| numeric_to_ipaddr(Family::Ipv6, s).map(|a| a.to_string());
        assert_eq!(v6("2001:db8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(v6("1.2.3.4"), None);
    }

    #[test]
    fn prefix_lengths() {
        let p4 = |s| plen(Family::Ipv4, "--x", s).ok();
        assert_eq!(p4("24"), Some(24));
        assert_eq!(p4("0x18"), Some(24));
        assert_eq!(p4("255.255.0.0"), Some(16));
        assert_eq!(p4("255.0.255.0"), Some(255));
        assert_eq!(p4("33"), Some(255));
        assert_eq!(p4("x"), None);
        let p6 = |s| plen(Family::Ipv6, "--x", s).ok();
        assert_eq!(p6("128"), Some(128));
        assert_eq!(p6("ffff:ff00::"), Some(24));
        assert_eq!(p6("129"), None);
    }

    #[test]
    fn hostmasks_like_getaddrinfo() {
        let v4 = |s| parse_hostmask(Family::Ipv4, "--x", s).map(|(a, m)| addr_mask_string(a, m));
        assert_eq!(v4("10.1.2.3/8").unwrap(), "10.1.2.3/8");
        assert_eq!(v4("1").unwrap(), "0.0.0.1");
        assert_eq!(v4("10.1").unwrap(), "10.0.0.1");
        assert_eq!(v4("1.2.3.4/255.255.0.0").unwrap(), "1.2.3.4/16");
        assert_eq!(v4("1.2.3.4/255.0.255.0").unwrap(), "1.2.3.4");
        assert_eq!(v4("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(v4("1.2.3.4/0x10").unwrap(), "1.2.3.4/16");
        assert!(v4("2001:db8::/32").is_err());
        assert!(v4("1.2.3.256").is_err());
        assert!(v4("host.example").is_err());
        assert!(v4("1.2.3.4/foo").is_err());
        let v6 = |s| parse_hostmask(Family::Ipv6, "--x", s).map(|(a, m)| addr_mask_string(a, m));
        assert_eq!(v6("2001:db8::1/64").unwrap(), "2001:db8::1/64");
        assert_eq!(v6("2001:db8::1").unwrap(), "2001:db8::1");
        assert!(v6("10.0.0.0/8").is_err());
        assert!(v6("::/129").is_err());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(inet_addr_of(Family::Ipv4, inet_addr_bytes(a)), a);
    }

    #[test]
    fn macs_like_xtopt_parse_ethermac() {
        assert_eq!(
            ethermac("00:1a:2B:3:4:ff"),
            Some([0, 0x1a, 0x2b, 3, 4, 0xff])
        );
        assert_eq!(ethermac(":::::"), Some([0; 6]));
        assert_eq!(ethermac("1:::::"), Some([1, 0, 0, 0, 0, 0]));
        assert_eq!(ethermac("-1:0:0:0:0: f"), Some([0xff, 0, 0, 0, 0, 0xf]));
        for bad in [
            "",
            "00:00:00:00:00",
            "00:00:00:00:00:00:00",
            "001:0:0:0:0:0",
            "0:0:0:0:0:0x",
            "0:0:0:0:0:0 ",
            "g:2:3:4:5:6",
            "100:2:3:4:5:6",
        ] {
            assert_eq!(ethermac(bad), None, "{bad}");
        }
    }
}
