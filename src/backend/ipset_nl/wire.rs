//! ipset netlink messages, both ways, without libipset: requests written
//! as `ipset` 7.x writes them (`lib/session.c`, `lib/data.c`), and the
//! kernel's list replies read into entries.
//!
//! Numbers are those of `linux/netfilter/ipset/ip_set.h`. Attribute
//! payloads that the kernel takes in network order carry
//! `NLA_F_NET_BYTEORDER` (it refuses them without: `ip_set_attr_netorder`),
//! and nests carry `NLA_F_NESTED` (`flag_nested`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::addr::Family;
use crate::error::{Error, Result};

/// `NFNL_SUBSYS_IPSET`.
pub(crate) const NFNL_SUBSYS_IPSET: u16 = 6;
/// The protocol version asked for (`IPSET_PROTOCOL`); the kernel takes 6 and 7.
pub(crate) const IPSET_PROTOCOL: u8 = 7;

pub(crate) const CMD_CREATE: u8 = 2;
pub(crate) const CMD_DESTROY: u8 = 3;
pub(crate) const CMD_FLUSH: u8 = 4;
pub(crate) const CMD_SWAP: u8 = 6;
pub(crate) const CMD_LIST: u8 = 7;
pub(crate) const CMD_ADD: u8 = 9;
pub(crate) const CMD_DEL: u8 = 10;
pub(crate) const CMD_TEST: u8 = 11;
pub(crate) const CMD_TYPE: u8 = 13;

const ATTR_PROTOCOL: u16 = 1;
const ATTR_SETNAME: u16 = 2;
const ATTR_TYPENAME: u16 = 3;
const ATTR_REVISION: u16 = 4;
const ATTR_FAMILY: u16 = 5;
const ATTR_FLAGS: u16 = 6;
const ATTR_DATA: u16 = 7;
const ATTR_ADT: u16 = 8;
const ATTR_LINENO: u16 = 9;

// Inside IPSET_ATTR_DATA.
const ATTR_IP: u16 = 1;
const ATTR_CIDR: u16 = 3;
const ATTR_TIMEOUT: u16 = 6;
const ATTR_HASHSIZE: u16 = 18;
const ATTR_MAXELEM: u16 = 19;
const ATTR_ELEMENTS: u16 = 24;
const ATTR_REFERENCES: u16 = 25;

// Inside IPSET_ATTR_IP.
const ATTR_IPADDR_IPV4: u16 = 1;
const ATTR_IPADDR_IPV6: u16 = 2;

/// `IPSET_FLAG_LIST_HEADER`: a list of the header only, no entries.
pub(crate) const FLAG_LIST_HEADER: u32 = 1 << 2;

const NLA_F_NESTED: u16 = 0x8000;
const NLA_F_NET_BYTEORDER: u16 = 0x4000;
const NLA_TYPE_MASK: u16 = 0x3fff;
const NLA_HDRLEN: usize = 4;
pub(crate) use crate::backend::netlink_msg::NLMSG_HDRLEN;
use crate::backend::netlink_msg::NLM_F_REQUEST;
const NFGENMSG_LEN: usize = 4;

/// `NFPROTO_IPV4` / `NFPROTO_IPV6`: a set's family as ipset says it.
pub(crate) fn nfproto(family: Family) -> u8 {
    match family {
        Family::Ipv4 => 2,
        Family::Ipv6 => 10,
    }
}

/// Bytes one entry takes in an ADT nest, at most: DATA, IP, the address,
/// CIDR and TIMEOUT headers and payloads.
pub(crate) const ENTRY_MAX: usize = 4 + 4 + (4 + 16) + 8 + 8;

/// One entry as the kernel takes it: network address, prefix length, and
/// a timeout in seconds when given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Elem {
    pub net: IpNet,
    pub timeout: Option<u32>,
}

/// A message under construction.
pub(crate) struct Msg {
    buf: Vec<u8>,
}

impl Msg {
    /// A request `cmd` with `flags` (NLM_F_REQUEST added), and the
    /// protocol attribute every ipset request starts with.
    pub fn new(cmd: u8, flags: u16, seq: u32) -> Msg {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0; 4]);
        buf.extend_from_slice(&((NFNL_SUBSYS_IPSET << 8) | u16::from(cmd)).to_ne_bytes());
        buf.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        // nfgenmsg: AF_INET as libipset sends it, NFNETLINK_V0, res_id 0.
        buf.extend_from_slice(&[libc::AF_INET as u8, 0, 0, 0]);
        let mut m = Msg { buf };
        m.attr(ATTR_PROTOCOL, &[IPSET_PROTOCOL]);
        m
    }

    /// The bytes, with the length filled in.
    pub fn finish(mut self) -> Vec<u8> {
        let len = self.buf.len() as u32;
        self.buf[..4].copy_from_slice(&len.to_ne_bytes());
        self.buf
    }

    /// Its length so far.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    fn attr(&mut self, kind: u16, payload: &[u8]) {
        let len = NLA_HDRLEN + payload.len();
        self.buf.extend_from_slice(&(len as u16).to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.buf.resize(self.buf.len().next_multiple_of(4), 0);
    }

    /// A big-endian u32 the kernel reads in network order.
    fn be32(&mut self, kind: u16, v: u32) {
        self.attr(kind | NLA_F_NET_BYTEORDER, &v.to_be_bytes());
    }

    fn nest_start(&mut self) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; NLA_HDRLEN]);
        at
    }

    /// Closes a nest; an error when it outgrew netlink's 16-bit length
    /// (the caller starts another message before that happens).
    fn nest_end(&mut self, at: usize, kind: u16) -> Result<()> {
        let len = u16::try_from(self.buf.len() - at)
            .map_err(|_| Error::Malformed("an ipset attribute over 65,535 bytes".into()))?;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
        self.buf[at + 2..at + 4].copy_from_slice(&(NLA_F_NESTED | kind).to_ne_bytes());
        Ok(())
    }

    /// IPSET_ATTR_SETNAME (the caller checked it fits 31 bytes).
    pub fn setname(&mut self, name: &str) {
        self.strz(ATTR_SETNAME, name);
    }

    /// IPSET_ATTR_SETNAME2: the other set of a swap.
    pub fn setname2(&mut self, name: &str) {
        self.strz(ATTR_TYPENAME, name);
    }

    fn strz(&mut self, kind: u16, s: &str) {
        let mut p = Vec::with_capacity(s.len() + 1);
        p.extend_from_slice(s.as_bytes());
        p.push(0);
        self.attr(kind, &p);
    }

    /// The type question (IPSET_CMD_TYPE) or the type of a new set:
    /// TYPENAME and FAMILY, with REVISION for a create.
    pub fn typename(&mut self, typename: &str, revision: Option<u8>, family: Family) {
        self.strz(ATTR_TYPENAME, typename);
        if let Some(r) = revision {
            self.attr(ATTR_REVISION, &[r]);
        }
        self.attr(ATTR_FAMILY, &[nfproto(family)]);
    }

    /// IPSET_ATTR_FLAGS (command flags; big endian, as `ip_set_get_h32` reads them).
    pub fn flags(&mut self, flags: u32) {
        self.attr(ATTR_FLAGS, &flags.to_be_bytes());
    }

    /// A create's settings: default timeout (none: no timeout support),
    /// initial hash size, maximal number of entries.
    pub fn create_data(&mut self, timeout: Option<u32>, hashsize: u32, maxelem: u32) -> Result<()> {
        let data = self.nest_start();
        if let Some(t) = timeout {
            self.be32(ATTR_TIMEOUT, t);
        }
        self.be32(ATTR_HASHSIZE, hashsize);
        self.be32(ATTR_MAXELEM, maxelem);
        self.nest_end(data, ATTR_DATA)
    }

    /// One entry as IPSET_ATTR_DATA (add, del, test of one entry).
    pub fn data(&mut self, e: &Elem) -> Result<()> {
        self.elem(ATTR_DATA, e)
    }

    fn elem(&mut self, kind: u16, e: &Elem) -> Result<()> {
        let data = self.nest_start();
        let ip = self.nest_start();
        match e.net.network() {
            IpAddr::V4(a) => self.attr(ATTR_IPADDR_IPV4 | NLA_F_NET_BYTEORDER, &a.octets()),
            IpAddr::V6(a) => self.attr(ATTR_IPADDR_IPV6 | NLA_F_NET_BYTEORDER, &a.octets()),
        }
        self.nest_end(ip, ATTR_IP)?;
        self.attr(ATTR_CIDR, &[e.net.prefix_len()]);
        if let Some(t) = e.timeout {
            self.be32(ATTR_TIMEOUT, t);
        }
        self.nest_end(data, kind)
    }

    /// Many entries: IPSET_ATTR_LINENO (which the kernel wants with an
    /// ADT), then IPSET_ATTR_ADT holding one DATA per entry. The caller
    /// keeps the nest under 64 KiB (`ENTRY_MAX` per entry).
    pub fn adt(&mut self, entries: &[Elem]) -> Result<()> {
        self.attr(ATTR_LINENO, &0u32.to_ne_bytes());
        let adt = self.nest_start();
        for e in entries {
            self.elem(ATTR_DATA, e)?;
        }
        self.nest_end(adt, ATTR_ADT)
    }
}

fn malformed(what: &str) -> Error {
    Error::Malformed(format!("an ipset message from the kernel: {what}"))
}

/// Calls `each` with the type (flags cleared) and payload of every
/// attribute in `buf`.
fn for_each_attr<'a>(
    buf: &'a [u8],
    mut each: impl FnMut(u16, &'a [u8]) -> Result<()>,
) -> Result<()> {
    let mut rest = buf;
    while rest.len() >= NLA_HDRLEN {
        let len = usize::from(u16::from_ne_bytes([rest[0], rest[1]]));
        let kind = u16::from_ne_bytes([rest[2], rest[3]]) & NLA_TYPE_MASK;
        let payload = rest
            .get(NLA_HDRLEN..len)
            .ok_or_else(|| malformed("an attribute runs past its message"))?;
        each(kind, payload)?;
        rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(())
}

fn be32(p: &[u8]) -> Result<u32> {
    p.try_into()
        .map(u32::from_be_bytes)
        .map_err(|_| malformed("a 32-bit attribute of another size"))
}

fn string(p: &[u8]) -> String {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    String::from_utf8_lossy(&p[..end]).into_owned()
}

/// What a list reply says of a set: its header (in the first message of
/// a dump) and its entries (in any).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Listing {
    pub name: String,
    pub typename: String,
    pub revision: u8,
    /// NFPROTO_IPV4 / NFPROTO_IPV6.
    pub family: u8,
    /// The default timeout; `None`: the set has no timeout support.
    pub timeout: Option<u32>,
    pub hashsize: u32,
    pub maxelem: u32,
    pub references: u32,
    pub elements: u32,
    pub entries: Vec<Elem>,
}

/// The attributes after a message's headers.
fn attrs(msg: &[u8]) -> Result<&[u8]> {
    msg.get(NLMSG_HDRLEN + NFGENMSG_LEN..)
        .ok_or_else(|| malformed("shorter than its headers"))
}

/// Reads one IPSET_CMD_LIST reply message into `out`: header fields
/// where present, entries appended.
pub(crate) fn read_list(msg: &[u8], out: &mut Listing) -> Result<()> {
    for_each_attr(attrs(msg)?, |kind, p| {
        match kind {
            ATTR_SETNAME => out.name = string(p),
            ATTR_TYPENAME => out.typename = string(p),
            ATTR_REVISION => {
                out.revision = *p.first().ok_or_else(|| malformed("empty revision"))?
            }
            ATTR_FAMILY => out.family = *p.first().ok_or_else(|| malformed("empty family"))?,
            ATTR_DATA => read_header(p, out)?,
            ATTR_ADT => for_each_attr(p, |kind, d| {
                if kind != ATTR_DATA {
                    return Err(malformed("an entry list holds something else"));
                }
                out.entries.push(read_elem(d)?);
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })
}

fn read_header(p: &[u8], out: &mut Listing) -> Result<()> {
    for_each_attr(p, |kind, v| {
        match kind {
            ATTR_TIMEOUT => out.timeout = Some(be32(v)?),
            ATTR_HASHSIZE => out.hashsize = be32(v)?,
            ATTR_MAXELEM => out.maxelem = be32(v)?,
            ATTR_REFERENCES => out.references = be32(v)?,
            ATTR_ELEMENTS => out.elements = be32(v)?,
            _ => {}
        }
        Ok(())
    })
}

/// One entry's DATA: address, prefix length (the address's full length
/// when absent), timeout.
fn read_elem(p: &[u8]) -> Result<Elem> {
    let (mut addr, mut cidr, mut timeout) = (None, None, None);
    for_each_attr(p, |kind, v| {
        match kind {
            ATTR_IP => for_each_attr(v, |kind, a| {
                addr = Some(match (kind, a.len()) {
                    (ATTR_IPADDR_IPV4, 4) => IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])),
                    (ATTR_IPADDR_IPV6, 16) => {
                        let b: [u8; 16] = a.try_into().map_err(|_| malformed("an IPv6 address"))?;
                        IpAddr::V6(Ipv6Addr::from(b))
                    }
                    _ => return Err(malformed("an address of unknown kind or size")),
                });
                Ok(())
            })?,
            ATTR_CIDR => cidr = Some(*v.first().ok_or_else(|| malformed("empty prefix length"))?),
            ATTR_TIMEOUT => timeout = Some(be32(v)?),
            _ => {}
        }
        Ok(())
    })?;
    let addr = addr.ok_or_else(|| malformed("an entry without an address"))?;
    let full = if addr.is_ipv4() { 32 } else { 128 };
    let net = IpNet::new(addr, cidr.unwrap_or(full))
        .map_err(|_| malformed("an entry with a prefix longer than its address"))?;
    Ok(Elem { net, timeout })
}

/// IPSET_ATTR_REVISION of an IPSET_CMD_TYPE reply: the highest revision
/// of the type the kernel has.
pub(crate) fn read_type_revision(msg: &[u8]) -> Result<u8> {
    let mut rev = None;
    for_each_attr(attrs(msg)?, |kind, p| {
        if kind == ATTR_REVISION {
            rev = p.first().copied();
        }
        Ok(())
    })?;
    rev.ok_or_else(|| malformed("a type reply without a revision"))
}

/// Reads a list reply of any bytes: for the fuzz target (never panics).
#[doc(hidden)]
pub fn fuzz_list_message(msg: &[u8]) -> bool {
    read_list(msg, &mut Listing::default()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list reply as kernel 6.18 sent it for `ipset list s` after
    /// `ipset create s hash:net timeout 300 maxelem 1024 hashsize 64`,
    /// `ipset add s 10.0.0.0/8 timeout 299`, `ipset add s 192.0.2.1 timeout 12`
    /// (taken from `strace -xx -e trace=recvmsg ipset list s`, byte for byte).
    /// Its DATA holds HASHSIZE 64, MAXELEM 1024, BUCKETSIZE 12, INITVAL,
    /// REFERENCES 0, MEMSIZE 584, ELEMENTS 2, TIMEOUT 300; its ADT two
    /// entries, each DATA { IP { IPV4 }, CIDR, TIMEOUT (seconds left) }.
    const LIST_V4: &str = concat!(
        "d40000000706020023a7126b1f72000002000000050001000700000006000200",
        "730000000d000300686173683a6e657400000000050005000200000005000400",
        "0700000006000b40000000004400078008001240000000400800134000000400",
        "050015000c00000008001140a99304b8080019400000000008001a4000000248",
        "0800184000000002080006400000012c44000880200007800c00018008000100",
        "c00002010500030020000000080006400000000b200007800c00018008000100",
        "0a0000000500030008000000080006400000012a",
    );

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn a_list_reply_reads_into_header_and_entries() {
        let msg = hex(LIST_V4);
        assert_eq!(msg.len(), 0xd4);
        let mut l = Listing::default();
        read_list(&msg, &mut l).unwrap();
        assert_eq!(l.name, "s");
        assert_eq!(l.typename, "hash:net");
        assert_eq!((l.revision, l.family), (7, 2));
        assert_eq!(l.timeout, Some(300));
        assert_eq!(
            (l.hashsize, l.maxelem, l.references, l.elements),
            (64, 1024, 0, 2)
        );
        assert_eq!(
            l.entries,
            [
                Elem {
                    net: "192.0.2.1/32".parse().unwrap(),
                    timeout: Some(11)
                },
                Elem {
                    net: "10.0.0.0/8".parse().unwrap(),
                    timeout: Some(298)
                },
            ]
        );
    }

    #[test]
    fn an_ipv6_entry_without_timeout() {
        // DATA { IP { IPV6 2001:db8:: } CIDR 32 }, in an ADT, after the headers.
        let mut msg = hex("00000000070602000100000000000000020000");
        msg.push(0);
        msg.extend(hex(concat!(
            "2800",
            "0880",
            "2400",
            "0780",
            "1800",
            "0180",
            "1400",
            "0240",
            "20010db8000000000000000000000000",
            "0500",
            "0300",
            "20000000",
        )));
        let len = msg.len() as u32;
        msg[..4].copy_from_slice(&len.to_ne_bytes());
        let mut l = Listing::default();
        read_list(&msg, &mut l).unwrap();
        assert_eq!(
            l.entries,
            [Elem {
                net: "2001:db8::/32".parse().unwrap(),
                timeout: None
            }]
        );
        assert_eq!(l.timeout, None);
    }

    #[test]
    fn cut_or_bent_replies_are_errors_not_panics() {
        let whole = hex(LIST_V4);
        for n in 0..whole.len() {
            let _ = read_list(&whole[..n], &mut Listing::default());
        }
        // An address of the wrong size.
        let mut bad = whole.clone();
        let at = whole.len() - 20; // inside the last entry's IPV4 payload header
        bad[at] = 0x07;
        let _ = read_list(&bad, &mut Listing::default());
    }

    #[test]
    fn requests_are_libipsets_bytes() {
        // `ipset add s 10.0.0.0/8 timeout 5` as strace shows ipset 7.17 send
        // it, but for two things: its flags add NLM_F_EXCL (we add as
        // `-exist` does), and its DATA ends with CADT_LINENO 0 (a line
        // number for `ipset restore` errors, which we leave out).
        let mut m = Msg::new(CMD_ADD, 4, 1);
        m.setname("s");
        m.data(&Elem {
            net: "10.0.0.0/8".parse().unwrap(),
            timeout: Some(5),
        })
        .unwrap();
        assert_eq!(
            m.finish(),
            hex(concat!(
                "44000000", "0906", "0500", "01000000", "00000000", "02000000", "0500", "0100",
                "07000000", "0600", "0200", "73000000", "2000", "0780", "0c00", "0180", "0800",
                "0140", "0a000000", "0500", "0300", "08000000", "0800", "0640", "00000005",
            ))
        );
    }

    #[test]
    fn a_bulk_add_fits_its_bound() {
        let entries: Vec<Elem> = (0..100u32)
            .map(|i| Elem {
                net: IpNet::new(IpAddr::V6(Ipv6Addr::from(u128::from(i) << 64)), 64).unwrap(),
                timeout: Some(i),
            })
            .collect();
        let mut m = Msg::new(CMD_ADD, 0, 1);
        m.setname("s");
        let before = m.len();
        m.adt(&entries).unwrap();
        assert!(m.len() - before <= 8 + 4 + entries.len() * ENTRY_MAX);
        let mut l = Listing::default();
        read_list(&m.finish(), &mut l).unwrap();
        assert_eq!(l.entries, entries);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_without_a_panic(bytes: Vec<u8>) {
            let _ = fuzz_list_message(&bytes);
            let _ = read_type_revision(&bytes);
        }
    }
}
