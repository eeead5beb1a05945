//! The fixed part of an entry (`ipt_entry` / `ip6t_entry`): addresses,
//! interfaces, protocol, fragment flag, goto flag, offsets and counters,
//! to and from the fields of a [`Rule`].

use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use iptkit_sys::xtables::*;
use iptkit_sys::Pod;

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::rule::{Counters, Rule};

/// The inversion flags ip6tables and iptables share, minus TOS (never set by
/// the tools, and not representable in a [`Rule`]).
const INV_KNOWN: u8 =
    IPT_INV_VIA_IN | IPT_INV_VIA_OUT | IPT_INV_SRCIP | IPT_INV_DSTIP | XT_INV_PROTO;

/// Bytes of the fixed entry header of a family (112 or 168 on x86_64).
pub(crate) fn entry_size(family: Family) -> usize {
    match family {
        Family::Ipv4 => size_of::<ipt_entry>(),
        Family::Ipv6 => size_of::<ip6t_entry>(),
    }
}

/// An entry's fixed part, decoded.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    /// The rule's IP fields (no matches, target [`Target::Continue`](crate::Target::Continue)).
    pub rule: Rule,
    /// IPT_F_GOTO / IP6T_F_GOTO: the jump is a goto.
    pub goto: bool,
    /// The entry's counters.
    pub counters: Counters,
}

/// Reads the fixed part of the entry at the start of `bytes`.
pub(crate) fn decode(family: Family, bytes: &[u8]) -> Result<Head> {
    let head = match family {
        Family::Ipv4 => decode_v4(bytes)?,
        Family::Ipv6 => decode_v6(bytes)?,
    };
    // Refuse what we could not write back byte for byte: a table holding it
    // came from another tool, and rewriting it would change what it does.
    // (Only the IP part: on the stack, this runs for every entry read.)
    let same = match family {
        Family::Ipv4 => {
            let mut ip = ip_v4(&head.rule)?;
            if head.goto {
                ip.flags |= IPT_F_GOTO;
            }
            Some(ip.as_bytes()) == bytes.get(..size_of::<ipt_ip>())
        }
        Family::Ipv6 => {
            let mut ip = ip_v6(&head.rule)?;
            if head.goto {
                ip.flags |= IP6T_F_GOTO;
            }
            Some(ip.as_bytes()) == bytes.get(..size_of::<ip6t_ip6>())
        }
    };
    if !same {
        return Err(Error::Malformed(format!(
            "an entry's IP header ({} `{}`) holds values iptkit cannot represent",
            family.command(),
            head.rule.save_spec().trim()
        )));
    }
    Ok(head)
}

/// The fields ipt_ip and ip6t_ip6 share: source and destination address and
/// mask (`[src, smsk, dst, dmsk]`), input and output interface with their
/// masks, and the inversion flags of all four (the same bits in both).
fn addresses_and_ifaces(
    rule: &mut Rule,
    [src, smsk, dst, dmsk]: [IpAddr; 4],
    [(inf, inm), (outf, outm)]: [(&[u8; IFNAMSIZ], &[u8; IFNAMSIZ]); 2],
    invflags: u8,
) -> Result<()> {
    rule.src = net(src, smsk, invflags & IPT_INV_SRCIP != 0)?;
    rule.dst = net(dst, dmsk, invflags & IPT_INV_DSTIP != 0)?;
    rule.in_iface = iface(inf, inm, invflags & IPT_INV_VIA_IN != 0)?;
    rule.out_iface = iface(outf, outm, invflags & IPT_INV_VIA_OUT != 0)?;
    Ok(())
}

fn decode_v4(bytes: &[u8]) -> Result<Head> {
    let e = ipt_entry::read_from(bytes)
        .ok_or_else(|| Error::Malformed("truncated ipt_entry".into()))?;
    let ip = e.ip;
    if ip.flags & !(IPT_F_FRAG | IPT_F_GOTO) != 0 || ip.invflags & !(INV_KNOWN | IPT_INV_FRAG) != 0
    {
        return Err(Error::Malformed(format!(
            "ipt_entry flags {:#x} / invflags {:#x} are not ones iptables sets",
            ip.flags, ip.invflags
        )));
    }
    let v4 = |a: [u8; 4]| IpAddr::V4(Ipv4Addr::from(a));
    let mut rule = Rule::new(Family::Ipv4);
    addresses_and_ifaces(
        &mut rule,
        [v4(ip.src), v4(ip.smsk), v4(ip.dst), v4(ip.dmsk)],
        [
            (&ip.iniface, &ip.iniface_mask),
            (&ip.outiface, &ip.outiface_mask),
        ],
        ip.invflags,
    )?;
    let proto_inv = ip.invflags & XT_INV_PROTO != 0;
    if ip.proto != 0 || proto_inv {
        rule.proto = Some(Inv::new(proto_u8(ip.proto)?, proto_inv));
    }
    if ip.flags & IPT_F_FRAG != 0 {
        rule.fragment = Some(ip.invflags & IPT_INV_FRAG == 0);
    }
    Ok(Head {
        rule,
        goto: ip.flags & IPT_F_GOTO != 0,
        counters: Counters::new(e.counters.pcnt, e.counters.bcnt),
    })
}

fn decode_v6(bytes: &[u8]) -> Result<Head> {
    let e = ip6t_entry::read_from(bytes)
        .ok_or_else(|| Error::Malformed("truncated ip6t_entry".into()))?;
    let ip = e.ipv6;
    if ip.flags & !(IP6T_F_PROTO | IP6T_F_GOTO) != 0 || ip.invflags & !INV_KNOWN != 0 {
        return Err(Error::Malformed(format!(
            "ip6t_entry flags {:#x} / invflags {:#x} are not ones ip6tables sets",
            ip.flags, ip.invflags
        )));
    }
    let v6 = |a: [u8; 16]| IpAddr::V6(Ipv6Addr::from(a));
    let mut rule = Rule::new(Family::Ipv6);
    addresses_and_ifaces(
        &mut rule,
        [v6(ip.src), v6(ip.smsk), v6(ip.dst), v6(ip.dmsk)],
        [
            (&ip.iniface, &ip.iniface_mask),
            (&ip.outiface, &ip.outiface_mask),
        ],
        ip.invflags,
    )?;
    // ip6tables sets IP6T_F_PROTO for every -p, `-p all` included.
    if ip.flags & IP6T_F_PROTO != 0 {
        rule.proto = Some(Inv::new(
            proto_u8(ip.proto)?,
            ip.invflags & XT_INV_PROTO != 0,
        ));
    }
    Ok(Head {
        rule,
        goto: ip.flags & IP6T_F_GOTO != 0,
        counters: Counters::new(e.counters.pcnt, e.counters.bcnt),
    })
}

fn proto_u8(proto: u16) -> Result<u8> {
    u8::try_from(proto)
        .map_err(|_| Error::Malformed(format!("protocol number {proto} is over 255")))
}

/// An address and mask; `None` when the mask is zero and not inverted (no `-s`).
fn net(addr: IpAddr, mask: IpAddr, invert: bool) -> Result<Option<Inv<Net>>> {
    if mask.is_unspecified() && addr.is_unspecified() && !invert {
        return Ok(None);
    }
    Ok(Some(Inv::new(Net::new(addr, mask)?, invert)))
}

fn iface(name: &[u8; IFNAMSIZ], mask: &[u8; IFNAMSIZ], invert: bool) -> Result<Option<Inv<Iface>>> {
    Ok(Iface::from_kernel(name, mask)?.map(|i| Inv::new(i, invert)))
}

/// Writes the fixed part of an entry into the first [`entry_size`] bytes
/// of `entry` (zero): `rule`'s IP fields (or none for `None`: a policy, a
/// chain head, a RETURN), the goto flag and the offsets. Counters, nfcache
/// and comefrom stay zero: the kernel owns them.
pub(crate) fn put(family: Family, rule: Option<&Rule>, goto: bool, entry: &mut [u8]) -> Result<()> {
    match family {
        Family::Ipv4 => {
            let mut ip = match rule {
                Some(r) => ip_v4(r)?,
                None => ipt_ip::zeroed(),
            };
            if goto {
                ip.flags |= IPT_F_GOTO;
            }
            put_bytes(entry, 0, ip.as_bytes())
        }
        Family::Ipv6 => {
            let mut ip = match rule {
                Some(r) => ip_v6(r)?,
                None => ip6t_ip6::zeroed(),
            };
            if goto {
                ip.flags |= IP6T_F_GOTO;
            }
            put_bytes(entry, 0, ip.as_bytes())
        }
    }
}

fn put_bytes(entry: &mut [u8], at: usize, bytes: &[u8]) -> Result<()> {
    entry
        .get_mut(at..at + bytes.len())
        .ok_or_else(|| Error::Malformed("entry shorter than its header".into()))?
        .copy_from_slice(bytes);
    Ok(())
}

/// Where `target_offset` and `next_offset` sit in an entry (two u16).
fn offsets_at(family: Family) -> usize {
    match family {
        Family::Ipv4 => std::mem::offset_of!(ipt_entry, target_offset),
        Family::Ipv6 => std::mem::offset_of!(ip6t_entry, target_offset),
    }
}

/// Sets an entry's `target_offset` and `next_offset`.
pub(crate) fn set_offsets(
    family: Family,
    entry: &mut [u8],
    target_offset: u16,
    next_offset: u16,
) -> Result<()> {
    let at = offsets_at(family);
    put_bytes(entry, at, &target_offset.to_ne_bytes())?;
    put_bytes(entry, at + 2, &next_offset.to_ne_bytes())
}

/// An entry's `target_offset` and `next_offset`, read from its header
/// without decoding anything else; `None` when `entry` is too short.
/// The goto flag of an entry (IPT_F_GOTO / IP6T_F_GOTO); false for one
/// too short to hold it.
pub(crate) fn is_goto(family: Family, entry: &[u8]) -> bool {
    match family {
        Family::Ipv4 => ipt_entry::read_from(entry).is_some_and(|e| e.ip.flags & IPT_F_GOTO != 0),
        Family::Ipv6 => {
            ip6t_entry::read_from(entry).is_some_and(|e| e.ipv6.flags & IP6T_F_GOTO != 0)
        }
    }
}

pub(crate) fn offsets(family: Family, entry: &[u8]) -> Option<(usize, usize)> {
    let at = offsets_at(family);
    match entry.get(at..at + 4)? {
        &[a, b, c, d] => Some((
            usize::from(u16::from_ne_bytes([a, b])),
            usize::from(u16::from_ne_bytes([c, d])),
        )),
        _ => None,
    }
}

/// Bytes of an entry's IP part (`ipt_ip` / `ip6t_ip6`): what a rule's
/// addresses, interfaces, protocol and flags are written to.
pub(crate) fn ip_size(family: Family) -> usize {
    match family {
        Family::Ipv4 => size_of::<ipt_ip>(),
        Family::Ipv6 => size_of::<ip6t_ip6>(),
    }
}

/// Zeroes what the kernel owns in an entry copied from a table it handed
/// out (nfcache, comefrom, counters), as an entry we write has them.
pub(crate) fn clear_kernel_part(family: Family, entry: &mut [u8]) {
    let (nfcache, comefrom) = match family {
        Family::Ipv4 => (
            std::mem::offset_of!(ipt_entry, nfcache),
            std::mem::offset_of!(ipt_entry, comefrom),
        ),
        Family::Ipv6 => (
            std::mem::offset_of!(ip6t_entry, nfcache),
            std::mem::offset_of!(ip6t_entry, comefrom),
        ),
    };
    let end = entry_size(family).min(entry.len());
    if let Some(b) = entry.get_mut(nfcache..nfcache + 4) {
        b.fill(0);
    }
    if let Some(b) = entry.get_mut(comefrom..end) {
        b.fill(0);
    }
}

/// Address and mask bytes of a network of the family `N` bytes long.
fn net_bytes<const N: usize>(n: &Inv<Net>) -> Result<([u8; N], [u8; N])> {
    let bytes = |a: IpAddr| match a {
        IpAddr::V4(a) => <[u8; N]>::try_from(&a.octets()[..]),
        IpAddr::V6(a) => <[u8; N]>::try_from(&a.octets()[..]),
    };
    let addr = bytes(n.value.addr());
    let mask = bytes(n.value.mask());
    match (addr, mask) {
        (Ok(a), Ok(m)) => Ok((a, m)),
        _ => Err(Error::InvalidAddress(format!(
            "{} in a rule of the other address family",
            n.value
        ))),
    }
}

/// The invflags bit when the condition is present and inverted.
fn inv_bit<T>(c: &Option<Inv<T>>, bit: u8) -> u8 {
    match c {
        Some(c) if c.invert => bit,
        _ => 0,
    }
}

fn ip_v4(r: &Rule) -> Result<ipt_ip> {
    let mut ip = ipt_ip::zeroed();
    if let Some(s) = &r.src {
        (ip.src, ip.smsk) = net_bytes(s)?;
    }
    if let Some(d) = &r.dst {
        (ip.dst, ip.dmsk) = net_bytes(d)?;
    }
    if let Some(i) = &r.in_iface {
        (ip.iniface, ip.iniface_mask) = i.value.to_kernel();
    }
    if let Some(o) = &r.out_iface {
        (ip.outiface, ip.outiface_mask) = o.value.to_kernel();
    }
    if let Some(p) = r.proto {
        ip.proto = p.value.into();
    }
    ip.invflags = inv_bit(&r.src, IPT_INV_SRCIP)
        | inv_bit(&r.dst, IPT_INV_DSTIP)
        | inv_bit(&r.in_iface, IPT_INV_VIA_IN)
        | inv_bit(&r.out_iface, IPT_INV_VIA_OUT)
        | inv_bit(&r.proto, XT_INV_PROTO);
    match r.fragment {
        Some(true) => ip.flags |= IPT_F_FRAG,
        Some(false) => {
            ip.flags |= IPT_F_FRAG;
            ip.invflags |= IPT_INV_FRAG;
        }
        None => {}
    }
    Ok(ip)
}

fn ip_v6(r: &Rule) -> Result<ip6t_ip6> {
    if r.fragment.is_some() {
        return Err(Error::rule(
            "-f",
            "IPv6 rules have no fragment flag (use -m frag)",
        ));
    }
    let mut ip = ip6t_ip6::zeroed();
    if let Some(s) = &r.src {
        (ip.src, ip.smsk) = net_bytes(s)?;
    }
    if let Some(d) = &r.dst {
        (ip.dst, ip.dmsk) = net_bytes(d)?;
    }
    if let Some(i) = &r.in_iface {
        (ip.iniface, ip.iniface_mask) = i.value.to_kernel();
    }
    if let Some(o) = &r.out_iface {
        (ip.outiface, ip.outiface_mask) = o.value.to_kernel();
    }
    if let Some(p) = r.proto {
        ip.proto = p.value.into();
        ip.flags |= IP6T_F_PROTO;
    }
    ip.invflags = inv_bit(&r.src, IPT_INV_SRCIP)
        | inv_bit(&r.dst, IPT_INV_DSTIP)
        | inv_bit(&r.in_iface, IPT_INV_VIA_IN)
        | inv_bit(&r.out_iface, IPT_INV_VIA_OUT)
        | inv_bit(&r.proto, XT_INV_PROTO);
    Ok(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(family: Family, spec: &str, goto: bool) -> Rule {
        let r = Rule::parse(family, spec).unwrap();
        let mut bytes = vec![0; entry_size(family)];
        put(family, Some(&r), goto, &mut bytes).unwrap();
        let h = decode(family, &bytes).unwrap();
        assert_eq!(h.goto, goto);
        h.rule
    }

    #[test]
    fn ip_fields_round_trip() {
        for spec in [
            "-s 10.0.0.0/8 ! -d 1.2.3.4/32 -i eth+ ! -o lo -p tcp -f",
            "! -p udp ! -f",
            "-s 10.0.0.0/255.0.255.0",
            "! -s 0.0.0.0/0",
        ] {
            assert_eq!(
                round(Family::Ipv4, spec, false).save_spec(),
                Rule::parse(Family::Ipv4, spec).unwrap().save_spec()
            );
        }
        for spec in [
            "-s ::1/128 ! -d 2001:db8::/32 -i eth0 -p tcp",
            "! -p tcp",
            "-p all",
        ] {
            assert_eq!(
                round(Family::Ipv6, spec, true),
                Rule::parse(Family::Ipv6, spec).unwrap()
            );
        }
    }

    #[test]
    fn ipv4_all_protocol_is_no_protocol() {
        // iptables stores `-p all` as protocol 0, which reads back as no -p.
        assert_eq!(round(Family::Ipv4, "-p all", false).proto, None);
    }

    #[test]
    fn refuses_what_it_cannot_write_back() {
        let mut e = ipt_entry::zeroed();
        e.ip.invflags = IPT_INV_TOS;
        assert!(matches!(
            decode(Family::Ipv4, e.as_bytes()),
            Err(Error::Malformed(_))
        ));
        let mut e = ipt_entry::zeroed();
        e.ip.src = [1, 2, 3, 4];
        e.ip.smsk = [255, 0, 0, 0];
        assert!(matches!(
            decode(Family::Ipv4, e.as_bytes()),
            Err(Error::Malformed(_))
        ));
        let mut e = ipt_entry::zeroed();
        e.ip.proto = 300;
        assert!(matches!(
            decode(Family::Ipv4, e.as_bytes()),
            Err(Error::Malformed(_))
        ));
        let mut e = ip6t_entry::zeroed();
        e.ipv6.proto = 6; // without IP6T_F_PROTO
        assert!(matches!(
            decode(Family::Ipv6, e.as_bytes()),
            Err(Error::Malformed(_))
        ));
        assert!(decode(Family::Ipv4, &[0; 10]).is_err());
        let r = Rule::parse(Family::Ipv4, "-f").unwrap();
        assert!(put(Family::Ipv6, Some(&r), false, &mut [0; 168]).is_err());
    }
}
