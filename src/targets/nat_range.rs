//! What the NAT targets (SNAT, DNAT, MASQUERADE, REDIRECT) share: the range
//! they map to, its kernel structs (`nf_nat.h`), and iptables' words for it
//! (`--to-source`, `--to-destination`, `--to-ports`, `--random`, ...), as
//! `libxt_NAT.c` parses and prints them.
//!
//! Each target file is a thin [`Extension`](crate::extension::Extension)
//! around a [`NatRange`], described to this module by a [`Kind`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use iptkit_sys::ext::nf_nat::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx};
use crate::xtopt::{inet_addr_of, strtoul, Seen};

/// The first and last address of a range (`NF_NAT_RANGE_MAP_IPS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NatAddrs {
    /// First address.
    pub min: IpAddr,
    /// Last address (equal to `min` for one address).
    pub max: IpAddr,
}

/// The ports of a range (`NF_NAT_RANGE_PROTO_SPECIFIED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NatPorts {
    /// First port.
    pub min: u16,
    /// Last port.
    pub max: u16,
    /// `/BASE`: a shifted port map (`NF_NAT_RANGE_PROTO_OFFSET`). Only
    /// revision 2 stores the base; older structs keep the flag alone, which
    /// reads back as `Some(0)`.
    pub base: Option<u16>,
}

/// Where a NAT target maps packets to, and how it picks ports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NatRange {
    /// Addresses to map to; `None` keeps the address (or, for MASQUERADE,
    /// takes the interface's).
    pub addrs: Option<NatAddrs>,
    /// Ports to map to; `None` keeps the port where possible.
    pub ports: Option<NatPorts>,
    /// `--random`: randomize the port (`NF_NAT_RANGE_PROTO_RANDOM`).
    pub random: bool,
    /// `--random-fully`: fully randomize the port (`NF_NAT_RANGE_PROTO_RANDOM_FULLY`).
    pub random_fully: bool,
    /// `--persistent`: the same address for a client every time (`NF_NAT_RANGE_PERSISTENT`).
    pub persistent: bool,
}

/// How one NAT target differs from the others.
pub(super) struct Kind {
    /// The target's name (`SNAT`).
    pub name: &'static str,
    /// Its range option (`to-source`); `to-ports` takes ports only.
    pub to: &'static str,
    /// iptables refuses a target without the range option.
    pub mandatory: bool,
    /// It takes `--random-fully`.
    pub random_fully: bool,
    /// It takes `--persistent`.
    pub persistent: bool,
    /// Its older revisions refuse a shifted port map (`DNAT_fcheck`) instead
    /// of dropping the base.
    pub refuse_offset: bool,
}

/// Which `nf_nat.h` struct a revision uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// `nf_nat_ipv4_multi_range_compat`: IPv4 revision 0.
    Compat,
    /// `nf_nat_range`: revision 1, and IPv6 revision 0 (MASQUERADE, REDIRECT).
    Range,
    /// `nf_nat_range2`: revision 2.
    Range2,
}

impl Layout {
    fn of(family: Family, revision: u8) -> Option<Layout> {
        match (revision, family) {
            (0, Family::Ipv4) => Some(Layout::Compat),
            (0 | 1, _) => Some(Layout::Range),
            (2, _) => Some(Layout::Range2),
            _ => None,
        }
    }
}

const O_TO: u32 = 1;
const O_RANDOM: u32 = 2;
const O_RANDOM_FULLY: u32 = 4;
const O_PERSISTENT: u32 = 8;

impl NatRange {
    /// One address, any port: `--to-source addr`, `--to-destination addr`.
    pub fn addr(addr: IpAddr) -> NatRange {
        NatRange {
            addrs: Some(NatAddrs {
                min: addr,
                max: addr,
            }),
            ..NatRange::default()
        }
    }

    fn flags(&self) -> u32 {
        let mut f = 0;
        let bits = [
            (self.addrs.is_some(), NF_NAT_RANGE_MAP_IPS),
            (self.ports.is_some(), NF_NAT_RANGE_PROTO_SPECIFIED),
            (self.random, NF_NAT_RANGE_PROTO_RANDOM),
            (self.persistent, NF_NAT_RANGE_PERSISTENT),
            (self.random_fully, NF_NAT_RANGE_PROTO_RANDOM_FULLY),
            (
                self.ports.is_some_and(|p| p.base.is_some()),
                NF_NAT_RANGE_PROTO_OFFSET,
            ),
        ];
        for (on, bit) in bits {
            if on {
                f |= bit;
            }
        }
        f
    }

    /// Reads the range of a NAT target: the struct of `revision` in `family`.
    /// Bytes iptables would not write (unknown flags, values without their
    /// flag, several ranges) are refused, so the caller keeps them raw.
    pub(super) fn decode(ext: &str, family: Family, revision: u8, data: &[u8]) -> Result<NatRange> {
        let layout = Layout::of(family, revision).ok_or_else(|| bad_revision(ext, revision))?;
        let (flags, min, max, min_port, max_port, base, size) = match layout {
            Layout::Compat => {
                let k: nf_nat_ipv4_multi_range_compat = read_struct(ext, revision, data)?;
                let r = k.range[0];
                let (min, max) = (Ipv4Addr::from(r.min_ip), Ipv4Addr::from(r.max_ip));
                let size = std::mem::size_of_val(&k);
                (r.flags, min.into(), max.into(), r.min, r.max, [0; 2], size)
            }
            Layout::Range => {
                let k: nf_nat_range = read_struct(ext, revision, data)?;
                let (min, max) = (
                    inet_addr_of(family, k.min_addr),
                    inet_addr_of(family, k.max_addr),
                );
                let size = std::mem::size_of_val(&k);
                (k.flags, min, max, k.min_proto, k.max_proto, [0; 2], size)
            }
            Layout::Range2 => {
                let k: nf_nat_range2 = read_struct(ext, revision, data)?;
                let (min, max) = (
                    inet_addr_of(family, k.min_addr),
                    inet_addr_of(family, k.max_addr),
                );
                let size = std::mem::size_of_val(&k);
                (
                    k.flags,
                    min,
                    max,
                    k.min_proto,
                    k.max_proto,
                    k.base_proto,
                    size,
                )
            }
        };
        let on = |bit| flags & bit != 0;
        let range = NatRange {
            addrs: on(NF_NAT_RANGE_MAP_IPS).then_some(NatAddrs { min, max }),
            ports: on(NF_NAT_RANGE_PROTO_SPECIFIED).then_some(NatPorts {
                min: u16::from_be_bytes(min_port),
                max: u16::from_be_bytes(max_port),
                base: on(NF_NAT_RANGE_PROTO_OFFSET).then_some(u16::from_be_bytes(base)),
            }),
            random: on(NF_NAT_RANGE_PROTO_RANDOM),
            random_fully: on(NF_NAT_RANGE_PROTO_RANDOM_FULLY),
            persistent: on(NF_NAT_RANGE_PERSISTENT),
        };
        let mut again = Vec::new();
        range.encode(family, revision, &mut again);
        if data.get(..size) != Some(&again[..]) {
            return Err(Error::Malformed(format!(
                "{ext} revision {revision}: a range iptables would not write"
            )));
        }
        Ok(range)
    }

    /// Appends the struct of `revision` in `family`. Addresses of the other
    /// family are written as their IPv4-mapped form, or zero.
    pub(super) fn encode(&self, family: Family, revision: u8, out: &mut Vec<u8>) {
        let flags = self.flags();
        let (min, max) = self
            .addrs
            .map_or((None, None), |a| (Some(a.min), Some(a.max)));
        let p = self.ports.unwrap_or(NatPorts {
            min: 0,
            max: 0,
            base: None,
        });
        let (min_port, max_port) = (p.min.to_be_bytes(), p.max.to_be_bytes());
        match Layout::of(family, revision).unwrap_or(Layout::Range2) {
            Layout::Compat => {
                let mut k = nf_nat_ipv4_multi_range_compat::zeroed();
                k.rangesize = 1;
                k.range[0] = nf_nat_ipv4_range {
                    flags,
                    min_ip: v4_bytes(min),
                    max_ip: v4_bytes(max),
                    min: min_port,
                    max: max_port,
                };
                out.extend_from_slice(k.as_bytes());
            }
            Layout::Range => {
                let mut k = nf_nat_range::zeroed();
                k.flags = flags;
                k.min_addr = inet_bytes(family, min);
                k.max_addr = inet_bytes(family, max);
                k.min_proto = min_port;
                k.max_proto = max_port;
                out.extend_from_slice(k.as_bytes());
            }
            Layout::Range2 => {
                let mut k = nf_nat_range2::zeroed();
                k.flags = flags;
                k.min_addr = inet_bytes(family, min);
                k.max_addr = inet_bytes(family, max);
                k.min_proto = min_port;
                k.max_proto = max_port;
                k.base_proto = p.base.unwrap_or(0).to_be_bytes();
                out.extend_from_slice(k.as_bytes());
            }
        }
    }

    /// Takes one of `kind`'s options; `Ok(false)` when it is not one.
    pub(super) fn parse_option(
        &mut self,
        kind: &Kind,
        seen: &mut Seen,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<bool> {
        let bit = match option {
            o if o == kind.to => O_TO,
            "random" => O_RANDOM,
            "random-fully" if kind.random_fully => O_RANDOM_FULLY,
            "persistent" if kind.persistent => O_PERSISTENT,
            _ => return Ok(false),
        };
        seen.take(kind.name, option, bit, invert, false)?;
        match bit {
            O_TO => {
                let v = args.value(&format!("--{option}"))?;
                let port_ok = matches!(ctx.proto, 6 | 17 | 132 | 33 | 1);
                if kind.to == "to-ports" {
                    self.ports = Some(parse_ports(port_ok, v)?);
                } else {
                    (self.addrs, self.ports) = parse_to(ctx.family, port_ok, v)?;
                }
            }
            O_RANDOM => self.random = true,
            O_RANDOM_FULLY => self.random_fully = true,
            _ => self.persistent = true,
        }
        Ok(true)
    }

    /// The final checks of `kind` for a value to be written as `revision`.
    pub(super) fn finish(
        &mut self,
        kind: &Kind,
        seen: Seen,
        family: Family,
        revision: u8,
    ) -> Result<()> {
        if kind.mandatory && !seen.has(O_TO) {
            return Err(Error::rule(
                kind.name,
                format!("option \"--{}\" must be specified", kind.to),
            ));
        }
        if Layout::of(family, revision) != Some(Layout::Range2) {
            if let Some(p) = self.ports.as_mut().filter(|p| p.base.is_some()) {
                if kind.refuse_offset {
                    return Err(Error::rule(
                        kind.name,
                        "shifted portmap ranges not supported with this kernel",
                    ));
                }
                // The struct has no room for the base: iptables keeps the flag alone.
                p.base = Some(0);
            }
        }
        Ok(())
    }

    /// Appends ` --OPTION RANGE` and the flags as `libxt_NAT.c` prints them;
    /// `--to-ports` drops the leading colon.
    pub(super) fn save(&self, kind: &Kind, family: Family, out: &mut String) {
        let mut text = String::new();
        let brackets = family == Family::Ipv6 && self.ports.is_some();
        if let Some(a) = self.addrs {
            if brackets {
                text.push('[');
            }
            push_fmt!(text, "{}", crate::addr::ntop(a.min));
            if a.min != a.max {
                text.push('-');
                push_fmt!(text, "{}", crate::addr::ntop(a.max));
            }
            if brackets {
                text.push(']');
            }
        }
        if let Some(p) = self.ports {
            if !(kind.to == "to-ports" && text.is_empty()) {
                text.push(':');
            }
            text.push_str(&p.min.to_string());
            if p.max != p.min {
                push_fmt!(text, "-{}", p.max);
            }
            if let Some(b) = p.base {
                push_fmt!(text, "/{b}");
            }
        }
        if !text.is_empty() {
            push_fmt!(out, " --{} {text}", kind.to);
        }
        for (on, name) in [
            (self.random, "random"),
            (self.random_fully, "random-fully"),
            (self.persistent, "persistent"),
        ] {
            if on {
                out.push_str(" --");
                out.push_str(name);
            }
        }
    }
}

fn v4_bytes(a: Option<IpAddr>) -> [u8; 4] {
    match a {
        Some(IpAddr::V4(a)) => a.octets(),
        Some(IpAddr::V6(a)) => a.to_ipv4_mapped().map_or([0; 4], |a| a.octets()),
        None => [0; 4],
    }
}

fn inet_bytes(family: Family, a: Option<IpAddr>) -> [u8; 16] {
    let mut b = [0; 16];
    match (family, a) {
        (Family::Ipv4, a) => b[..4].copy_from_slice(&v4_bytes(a)),
        (Family::Ipv6, Some(IpAddr::V6(a))) => b = a.octets(),
        (Family::Ipv6, Some(IpAddr::V4(a))) => b = a.to_ipv6_mapped().octets(),
        (Family::Ipv6, None) => {}
    }
    b
}

/// A port by service name, as `getservbyname(name, NULL)` finds it.
fn service(name: &str) -> Option<u16> {
    ["tcp", "udp", "sctp", "dccp"]
        .iter()
        .find_map(|proto| crate::names::service_port(name, proto))
}

/// A port at the start of `s` (a number up to 65535), with the rest of `s`.
fn port_prefix(s: &str, min: u64) -> Option<(u16, &str)> {
    strtoul(s)
        .filter(|&(v, _)| (min..=65535).contains(&v))
        .map(|(v, rest)| (v as u16, rest))
}

fn bad_port(s: &str) -> Error {
    Error::value("NAT port", s, "port not valid")
}

/// Parses `PORT[-PORT[/BASE]]` as `libxt_NAT.c`'s `parse_ports`: the first
/// port and the base may be service names, and the rule's protocol must
/// have ports.
fn parse_ports(port_ok: bool, s: &str) -> Result<NatPorts> {
    if !port_ok {
        return Err(Error::rule(
            "NAT",
            "need TCP, UDP, SCTP or DCCP with port specification",
        ));
    }
    let (min, rest) = match port_prefix(s, 0) {
        Some(p) => p,
        None => (service(s).ok_or_else(|| bad_port(s))?, ""),
    };
    let rest = match rest.as_bytes().first() {
        None => {
            return Ok(NatPorts {
                min,
                max: min,
                base: None,
            })
        }
        Some(b'-') => &rest[1..],
        Some(b':') => {
            return Err(Error::value(
                "NAT port",
                s,
                "invalid port:port syntax - use dash",
            ))
        }
        Some(_) => return Err(Error::value("NAT port", s, "garbage after port value")),
    };
    // A range: no service names for the last port.
    let (max, after) = port_prefix(rest, 0).ok_or_else(|| bad_port(rest))?;
    if max < min {
        return Err(Error::value("NAT port", s, "port range is reversed"));
    }
    let base = match after.strip_prefix('/') {
        None if after.is_empty() => None,
        None => return Err(Error::value("NAT port", s, "garbage after port range")),
        // Like iptables, anything after the base number is ignored.
        Some(b) => Some(match port_prefix(b, 1) {
            Some((base, _)) => base,
            None => service(b).ok_or_else(|| bad_port(b))?,
        }),
    };
    Ok(NatPorts { min, max, base })
}

fn parse_addr(family: Family, s: &str) -> Result<IpAddr> {
    let a = match family {
        Family::Ipv4 => s.parse::<Ipv4Addr>().map(IpAddr::from),
        Family::Ipv6 => s.parse::<Ipv6Addr>().map(IpAddr::from),
    };
    a.map_err(|_| Error::InvalidAddress(s.to_string()))
}

/// Parses `[ADDR[-ADDR]][:PORTS]` as `libxt_NAT.c`'s `parse_to`: IPv6
/// addresses with ports go in brackets; a single colon is a port separator,
/// more make an IPv6 address.
fn parse_to(
    family: Family,
    port_ok: bool,
    s: &str,
) -> Result<(Option<NatAddrs>, Option<NatPorts>)> {
    let bad_format = || Error::value("NAT address", s, "invalid address format");
    // The address text, and the position of the port colon in `s`.
    let (addr, colon) = match s.find('[') {
        Some(open) => {
            let inner = &s[open + 1..];
            let close = inner.find(']').ok_or_else(bad_format)?;
            if family == Family::Ipv4 {
                return Err(bad_format());
            }
            let after = open + 1 + close + 1;
            (&inner[..close], s[after..].find(':').map(|c| after + c))
        }
        None => match s.find(':') {
            Some(c) if !s[c + 1..].contains(':') => (&s[..c], Some(c)),
            _ => (s, None),
        },
    };
    let ports = colon
        .map(|c| parse_ports(port_ok, &s[c + 1..]))
        .transpose()?;
    // iptables takes a colon first or third (`:80`, `[]:80`) as "ports only".
    if matches!(colon, Some(0 | 2)) {
        return Ok((None, ports));
    }
    let (min, max) = match addr.split_once('-') {
        Some((min, max)) => (parse_addr(family, min)?, parse_addr(family, max)?),
        None => {
            let a = parse_addr(family, addr)?;
            (a, a)
        }
    };
    Ok((Some(NatAddrs { min, max }), ports))
}

/// The struct methods and [`Extension`](crate::extension::Extension) impl of
/// a NAT target whose value is a [`NatRange`] at a revision (SNAT, DNAT, MASQUERADE, REDIRECT): every codec is the
/// range's, told apart by the target's [`Kind`]. `new` makes the value
/// `-j NAME` starts from, `example` its [`Extension::example`](crate::extension::Extension::example).
macro_rules! nat_target {
    (
        $ty:ident, $kind:expr, revisions: $revs:expr,
        new: |$ctx:pat_param| $new:expr,
        example: |$family:pat_param| $example:expr $(,)?
    ) => {
        impl $ty {
            #[doc = concat!("A ", stringify!($ty), " of `range`, as `revision`.")]
            pub fn new(range: NatRange, revision: u8) -> $ty {
                $ty { range, revision }
            }
        }

        impl $crate::extension::Extension for $ty {
            const NAME: &'static str = $kind.name;
            const REVISIONS: &'static [u8] = $revs;

            fn example($family: $crate::addr::Family) -> Self {
                $example
            }

            fn start($ctx: &$crate::extension::Ctx, _name: &str) -> Self {
                $new
            }

            fn decode(
                ctx: &$crate::extension::Ctx,
                revision: u8,
                data: &[u8],
            ) -> $crate::error::Result<Self> {
                let range = NatRange::decode(Self::NAME, ctx.family, revision, data)?;
                Ok($ty::new(range, revision))
            }

            fn revision(&self) -> u8 {
                self.revision
            }

            fn encode(&self, ctx: &$crate::extension::Ctx, out: &mut Vec<u8>) {
                self.range.encode(ctx.family, self.revision, out);
            }

            fn parse_option(
                &mut self,
                ctx: &$crate::extension::Ctx,
                option: &str,
                invert: bool,
                args: &mut $crate::extension::Args,
                seen: &mut $crate::xtopt::Seen,
            ) -> $crate::error::Result<bool> {
                self.range
                    .parse_option(&$kind, seen, ctx, option, invert, args)
            }

            fn finish(
                &mut self,
                ctx: &$crate::extension::Ctx,
                seen: $crate::xtopt::Seen,
            ) -> $crate::error::Result<()> {
                self.range.finish(&$kind, seen, ctx.family, self.revision)
            }

            fn save(&self, ctx: &$crate::extension::Ctx, out: &mut String) {
                self.range.save(&$kind, ctx.family, out);
            }
        }
    };
}
pub(super) use nat_target;

#[cfg(test)]
mod tests {
    use super::*;

    fn to(family: Family, s: &str) -> Result<(Option<NatAddrs>, Option<NatPorts>)> {
        parse_to(family, true, s)
    }

    #[test]
    fn parses_like_libxt_nat() {
        let v4 = |s: &str| s.parse::<IpAddr>().unwrap();
        let (a, p) = to(Family::Ipv4, "1.1.1.1-1.1.1.10:1025-65535").unwrap();
        assert_eq!(
            a,
            Some(NatAddrs {
                min: v4("1.1.1.1"),
                max: v4("1.1.1.10")
            })
        );
        assert_eq!(
            p,
            Some(NatPorts {
                min: 1025,
                max: 65535,
                base: None
            })
        );
        assert_eq!(to(Family::Ipv4, ":80").unwrap().0, None);
        assert_eq!(to(Family::Ipv4, "ab:80").unwrap().0, None);
        assert_eq!(to(Family::Ipv6, "[]:80").unwrap().0, None);
        assert_eq!(
            to(Family::Ipv6, "x[::1]").unwrap().0.unwrap().min,
            v4("::1")
        );
        assert_eq!(to(Family::Ipv6, "::1:80").unwrap().1, None);
        let p = to(Family::Ipv4, "1.1.1.1:80-90/30x").unwrap().1.unwrap();
        assert_eq!(p.base, Some(30));
        assert!(to(Family::Ipv4, "[1.1.1.1]").is_err());
        assert!(to(Family::Ipv6, "[::1").is_err());
        assert!(to(Family::Ipv4, "1.1.1.1:80:90").is_err());
        assert!(to(Family::Ipv4, "1.1.1.1:90-80").is_err());
        assert!(to(Family::Ipv4, "1.1.1.1:80x").is_err());
        assert!(to(Family::Ipv4, "1.1.1.1:80-90x").is_err());
        assert!(to(Family::Ipv4, "1.1.1.1:80-90/0").is_err());
        assert!(to(Family::Ipv4, "").is_err());
        assert!(parse_to(Family::Ipv4, false, "1.1.1.1:80").is_err());
        assert!(parse_to(Family::Ipv4, false, "1.1.1.1").is_ok());
    }
}
