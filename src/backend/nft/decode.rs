//! A rule's expressions, as iptables-nft 1.8.9 writes them, back into a
//! [`Rule`]: the reading iptables-nft-save does. Anything else is refused
//! with the reason, and the backend keeps such a rule as it is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use iptkit_sys::ext::xt_limit::{xt_rateinfo, XT_LIMIT_SCALE};
use iptkit_sys::ext::xt_mark::xt_mark_mtinfo1;
use iptkit_sys::ext::xt_nflog::{xt_nflog_info, XT_NFLOG_F_COPY_LEN};
use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::nftables::*;
use iptkit_sys::Pod;

use super::expr::{Expr, Log};
use crate::addr::{Family, Net};
use crate::extension::Ctx;
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::Match;
use crate::rule::{Counters, Rule};
use crate::targets::{Target, TargetExt};

/// The interface name iptables-nft compares with for `! -i +`: no
/// interface is called that, so the rule matches every packet.
pub(crate) const INVALID_IFACE: &[u8] = b"INVAL/D\0";

/// What the next cmp, range or bitwise applies to.
#[derive(Clone, Debug, PartialEq)]
enum Load {
    /// The 1 of `-j TRACE`, waiting for its meta set.
    Trace,
    Meta(u32),
    Payload {
        base: u32,
        offset: u32,
        len: u32,
    },
}

/// The native tcp or udp match being put together, and where it sits
/// among the matches.
struct Ports {
    index: usize,
    proto: u8,
    tcp: xt_tcp,
}

struct Decoder {
    rule: Rule,
    load: Option<Load>,
    mask: Option<Vec<u8>>,
    /// The protocol of an `-p` compared for equality.
    l4proto: Option<u8>,
    ports: Option<Ports>,
    done: bool,
}

/// Reads a rule of `family` from its expressions.
pub(crate) fn decode(family: Family, exprs: &[Expr]) -> Result<Rule, String> {
    let mut d = Decoder {
        rule: Rule::new(family),
        load: None,
        mask: None,
        l4proto: None,
        ports: None,
        done: false,
    };
    for e in exprs {
        if d.done {
            return Err(format!("{e} after the verdict"));
        }
        d.expr(e).map_err(|why| format!("{e}: {why}"))?;
    }
    d.dangling()?;
    if let Some(p) = d.ports.take() {
        let ctx = d.rule.ctx();
        let m = if p.proto == 6 {
            Match::decode(&ctx, "tcp", 0, &padded(p.tcp.as_bytes()))
        } else {
            let mut u = xt_udp::zeroed();
            u.spts = p.tcp.spts;
            u.dpts = p.tcp.dpts;
            u.invflags = p.tcp.invflags & (XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT);
            Match::decode(&ctx, "udp", 0, &padded(u.as_bytes()))
        };
        d.rule.matches[p.index] = m;
    }
    Ok(d.rule)
}

/// Kernel structs as the kernel hands them over: padded to 8 bytes. On
/// the stack: the structs decoded here are small (NFLOG's, the largest,
/// is 80 bytes), and a rule decoded per rule sent is no allocation.
struct Padded {
    buf: [u8; 128],
    len: usize,
}

impl std::ops::Deref for Padded {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn padded(b: &[u8]) -> Padded {
    let mut buf = [0; 128];
    let n = b.len().min(buf.len());
    buf[..n].copy_from_slice(&b[..n]);
    Padded {
        buf,
        len: iptkit_sys::xt_align(n).min(128),
    }
}

impl Decoder {
    /// A load nothing compared with: only `-i +` / `-o +` leave one (they
    /// match every interface), and iptables-nft-save prints nothing for it.
    fn dangling(&mut self) -> Result<(), String> {
        match self.load.take() {
            None => Ok(()),
            Some(Load::Meta(NFT_META_IIFNAME | NFT_META_OIFNAME)) if self.mask.is_none() => Ok(()),
            Some(l) => Err(format!("{l:?} is not compared with anything")),
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), String> {
        match e {
            Expr::Meta { key, dreg } if *dreg == NFT_REG_1 => {
                self.dangling()?;
                self.load = Some(Load::Meta(*key));
                self.mask = None;
            }
            Expr::Payload {
                base,
                offset,
                len,
                dreg,
            } if *dreg == NFT_REG_1 => {
                self.dangling()?;
                self.load = Some(Load::Payload {
                    base: *base,
                    offset: *offset,
                    len: *len,
                });
                self.mask = None;
            }
            Expr::Bitwise {
                sreg,
                dreg,
                mask,
                xor,
            } if *sreg == NFT_REG_1
                && *dreg == NFT_REG_1
                && self.load.is_some()
                && self.mask.is_none()
                && xor.len() == mask.len()
                && xor.iter().all(|&b| b == 0) =>
            {
                self.mask = Some(mask.clone());
            }
            Expr::Cmp { sreg, op, data } if *sreg == NFT_REG_1 => {
                let load = self.load.take().ok_or("nothing loaded")?;
                let mask = self.mask.take();
                self.cmp(load, mask, *op, data)?;
            }
            Expr::Range { sreg, op, from, to }
                if *sreg == NFT_REG_1 && (*op == NFT_RANGE_EQ || *op == NFT_RANGE_NEQ) =>
            {
                let load = self.load.take().ok_or("nothing loaded")?;
                if self.mask.take().is_some() {
                    return Err("a masked range".into());
                }
                let (lo, hi) = (port(from)?, port(to)?);
                self.port(load, lo, hi, *op == NFT_RANGE_NEQ)?;
            }
            Expr::Counter { packets, bytes } => {
                self.dangling()?;
                self.rule.counters = Counters::new(*packets, *bytes);
            }
            Expr::Verdict { code, chain } => {
                self.dangling()?;
                self.rule.target = match (*code, chain) {
                    (NF_ACCEPT, None) => Target::Accept,
                    (NF_DROP, None) => Target::Drop,
                    (NFT_RETURN, None) => Target::Return,
                    (NFT_JUMP, Some(c)) => Target::Jump(c.clone()),
                    (NFT_GOTO, Some(c)) => Target::Goto(c.clone()),
                    _ => return Err("a verdict iptables does not write".into()),
                };
                self.done = true;
            }
            Expr::Match { name, rev, info } => {
                self.dangling()?;
                let rev = u8::try_from(*rev).map_err(|_| "revision over 255")?;
                let ctx = self.rule.ctx();
                self.rule.matches.push(Match::decode(&ctx, name, rev, info));
            }
            Expr::Target { name, rev, info } => {
                self.dangling()?;
                let rev = u8::try_from(*rev).map_err(|_| "revision over 255")?;
                let ctx = self.rule.ctx();
                self.rule.target = Target::Ext(TargetExt::decode(&ctx, name, rev, info));
                self.done = true;
            }
            Expr::Limit {
                rate,
                unit,
                burst,
                kind: 0,
                flags: 0,
            } if *rate > 0 => {
                self.dangling()?;
                let mut k = xt_rateinfo::zeroed();
                let avg = u64::from(XT_LIMIT_SCALE) * unit / rate;
                k.avg = u32::try_from(avg).map_err(|_| "rate out of range")?;
                k.burst = *burst;
                let ctx = self.rule.ctx();
                self.rule
                    .matches
                    .push(Match::decode(&ctx, "limit", 0, &padded(k.as_bytes())));
            }
            // `-j TRACE`: a 1 in a register, then the trace flag set from it.
            Expr::Immediate { dreg, data }
                if *dreg == NFT_REG32_01
                    && data.first() == Some(&1)
                    && data[1..].iter().all(|&b| b == 0) =>
            {
                self.dangling()?;
                self.load = Some(Load::Trace);
            }
            Expr::MetaSet { key, sreg }
                if *key == NFT_META_NFTRACE
                    && *sreg == NFT_REG32_01
                    && self.load == Some(Load::Trace) =>
            {
                self.load = None;
                let ctx = self.rule.ctx();
                self.rule.target = Target::Ext(TargetExt::decode(&ctx, "TRACE", 0, &[]));
                self.done = true;
            }
            Expr::Log(l) => {
                self.dangling()?;
                self.rule.target = Target::Ext(nflog(&self.rule.ctx(), l)?);
                self.done = true;
            }
            _ => return Err("not an expression iptables-nft writes".into()),
        }
        Ok(())
    }

    fn cmp(
        &mut self,
        load: Load,
        mask: Option<Vec<u8>>,
        op: u32,
        data: &[u8],
    ) -> Result<(), String> {
        let family = self.rule.family;
        let invert = match op {
            NFT_CMP_EQ => false,
            NFT_CMP_NEQ => true,
            _ => {
                // `--dport 0:N` is `<= N`; `! --dport 0:N` is `> N`.
                if let Load::Payload { .. } = load {
                    if mask.is_none() {
                        let v = port(data)?;
                        return match op {
                            NFT_CMP_LTE => self.port(load, 0, v, false),
                            NFT_CMP_GT if v < u16::MAX => self.port(load, v + 1, u16::MAX, false),
                            _ => Err("a comparison iptables does not write".into()),
                        };
                    }
                }
                return Err("a comparison iptables does not write".into());
            }
        };
        match load {
            Load::Meta(key @ (NFT_META_IIFNAME | NFT_META_OIFNAME)) if mask.is_none() => {
                let iface = if data == INVALID_IFACE && !invert {
                    Inv::not(Iface::new("+").map_err(|e| e.to_string())?)
                } else {
                    fn text(b: &[u8]) -> Result<&str, &'static str> {
                        std::str::from_utf8(b).map_err(|_| "not UTF-8")
                    }
                    let iface = match data.split_last() {
                        Some((0, name)) if !name.contains(&0) => Iface::new(text(name)?),
                        _ if !data.contains(&0) && !data.is_empty() => {
                            Iface::new(&format!("{}+", text(data)?))
                        }
                        _ => return Err("an interface name iptables does not write".into()),
                    };
                    Inv::new(iface.map_err(|e| e.to_string())?, invert)
                };
                let slot = if key == NFT_META_IIFNAME {
                    &mut self.rule.in_iface
                } else {
                    &mut self.rule.out_iface
                };
                if slot.is_some() {
                    return Err("a second interface".into());
                }
                *slot = Some(iface);
            }
            Load::Meta(NFT_META_L4PROTO) if mask.is_none() && data.len() == 1 => {
                if self.rule.proto.is_some() {
                    return Err("a second protocol".into());
                }
                self.rule.proto = Some(Inv::new(data[0], invert));
                if !invert {
                    self.l4proto = Some(data[0]);
                }
            }
            Load::Meta(NFT_META_MARK) if data.len() == 4 => {
                let mut k = xt_mark_mtinfo1::zeroed();
                k.mark = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]);
                k.mask = match &mask {
                    None => u32::MAX,
                    Some(m) if m.len() == 4 => u32::from_ne_bytes([m[0], m[1], m[2], m[3]]),
                    Some(_) => return Err("a mark mask of the wrong size".into()),
                };
                k.invert = invert.into();
                let ctx = self.rule.ctx();
                self.rule
                    .matches
                    .push(Match::decode(&ctx, "mark", 1, &padded(k.as_bytes())));
            }
            Load::Payload {
                base: NFT_PAYLOAD_NETWORK_HEADER,
                offset,
                len,
            } => self.network(family, offset, len, mask, invert, data)?,
            Load::Payload {
                base: NFT_PAYLOAD_TRANSPORT_HEADER,
                offset: 13,
                len: 1,
            } if self.l4proto == Some(6) && data.len() == 1 => {
                let m = match mask.as_deref() {
                    Some([m]) => *m,
                    _ => return Err("TCP flags without a one-byte mask".into()),
                };
                let p = self.ports(6)?;
                if p.tcp.flg_mask != 0 {
                    return Err("TCP flags twice".into());
                }
                p.tcp.flg_mask = m;
                p.tcp.flg_cmp = data[0];
                if invert {
                    p.tcp.invflags |= XT_TCP_INV_FLAGS;
                }
            }
            Load::Payload {
                base: NFT_PAYLOAD_TRANSPORT_HEADER,
                offset: 0,
                len: 4,
            } if mask.is_none() && data.len() == 4 => {
                let sport = u16::from_be_bytes([data[0], data[1]]);
                let dport = u16::from_be_bytes([data[2], data[3]]);
                let half = Load::Payload {
                    base: NFT_PAYLOAD_TRANSPORT_HEADER,
                    offset: 0,
                    len: 2,
                };
                self.port(half, sport, sport, invert)?;
                let half = Load::Payload {
                    base: NFT_PAYLOAD_TRANSPORT_HEADER,
                    offset: 2,
                    len: 2,
                };
                self.port(half, dport, dport, invert)?;
            }
            load @ Load::Payload { .. } if mask.is_none() => {
                let v = port(data)?;
                self.port(load, v, v, invert)?;
            }
            _ => return Err("a comparison iptables does not write".into()),
        }
        Ok(())
    }

    /// `-s`, `-d`, `-f`.
    fn network(
        &mut self,
        family: Family,
        offset: u32,
        len: u32,
        mask: Option<Vec<u8>>,
        invert: bool,
        data: &[u8],
    ) -> Result<(), String> {
        let (src, dst, size) = match family {
            Family::Ipv4 => (12, 16, 4),
            Family::Ipv6 => (8, 24, 16),
        };
        if family == Family::Ipv4 && offset == 6 && len == 2 {
            if mask.as_deref() != Some(&[0x1f, 0xff]) || data != [0, 0] {
                return Err("a fragment test iptables does not write".into());
            }
            if self.rule.fragment.is_some() {
                return Err("a second fragment test".into());
            }
            self.rule.fragment = Some(invert);
            return Ok(());
        }
        let len = len as usize;
        if (offset != src && offset != dst) || len == 0 || len > size || data.len() != len {
            return Err("a network header field iptables does not test".into());
        }
        let mut addr = [0u8; 16];
        addr[..len].copy_from_slice(data);
        let mut m = [0u8; 16];
        match mask {
            Some(mk) if mk.len() == len => m[..len].copy_from_slice(&mk),
            Some(_) => return Err("an address mask of the wrong size".into()),
            None => m[..len].fill(0xff),
        }
        let ip = |b: &[u8; 16]| -> IpAddr {
            if size == 4 {
                IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
            } else {
                IpAddr::V6(Ipv6Addr::from(*b))
            }
        };
        let net = Net::new(ip(&addr), ip(&m)).map_err(|e| e.to_string())?;
        if net.addr() != ip(&addr) {
            return Err("address bits outside the mask".into());
        }
        let slot = if offset == src {
            &mut self.rule.src
        } else {
            &mut self.rule.dst
        };
        if slot.is_some() {
            return Err("a second address test".into());
        }
        *slot = Some(Inv::new(net, invert));
        Ok(())
    }

    /// The native tcp/udp match of the rule, created at its place.
    fn ports(&mut self, proto: u8) -> Result<&mut Ports, String> {
        if self.ports.is_none() {
            let mut tcp = xt_tcp::zeroed();
            tcp.spts = [0, u16::MAX];
            tcp.dpts = [0, u16::MAX];
            self.ports = Some(Ports {
                index: self.rule.matches.len(),
                proto,
                tcp,
            });
            // A placeholder, replaced by the decoded match at the end.
            self.rule
                .matches
                .push(Match::Unknown(crate::extension::Unknown {
                    name: String::new(),
                    revision: 0,
                    data: Vec::new(),
                }));
        }
        Ok(self.ports.as_mut().expect("just set"))
    }

    /// A source or destination port range of the rule's tcp or udp.
    fn port(&mut self, load: Load, lo: u16, hi: u16, invert: bool) -> Result<(), String> {
        let proto = match self.l4proto {
            Some(p @ (6 | 17)) => p,
            _ => return Err("ports without -p tcp or -p udp".into()),
        };
        let src = match load {
            Load::Payload {
                base: NFT_PAYLOAD_TRANSPORT_HEADER,
                offset: 0,
                len: 2,
            } => true,
            Load::Payload {
                base: NFT_PAYLOAD_TRANSPORT_HEADER,
                offset: 2,
                len: 2,
            } => false,
            _ => return Err("a transport header field iptables does not test".into()),
        };
        let p = self.ports(proto)?;
        let (range, bit) = if src {
            (&mut p.tcp.spts, XT_TCP_INV_SRCPT)
        } else {
            (&mut p.tcp.dpts, XT_TCP_INV_DSTPT)
        };
        if *range != [0, u16::MAX] || p.tcp.invflags & bit != 0 {
            return Err("a second port test".into());
        }
        *range = [lo, hi];
        if invert {
            p.tcp.invflags |= bit;
        }
        Ok(())
    }
}

fn port(data: &[u8]) -> Result<u16, String> {
    match data {
        [a, b] => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err("a port of the wrong size".into()),
    }
}

/// The NFLOG target a `log` expression stands for.
fn nflog(ctx: &Ctx, l: &Log) -> Result<TargetExt, String> {
    if l.level.is_some() || l.flags.is_some() || l.group.is_none() {
        return Err("a log iptables does not write (not NFLOG)".into());
    }
    let mut k = xt_nflog_info::zeroed();
    k.group = l.group.unwrap_or(0);
    if let Some(s) = l.snaplen {
        k.len = s;
        k.flags |= XT_NFLOG_F_COPY_LEN;
    }
    k.threshold = l.qthreshold.unwrap_or(0);
    let mut t = TargetExt::decode(ctx, "NFLOG", 0, &padded(k.as_bytes()));
    // The log expression holds prefixes longer than the xt struct could.
    if let TargetExt::Nflog(n) = &mut t {
        n.prefix = l.prefix.clone().filter(|p| !p.is_empty());
    }
    Ok(t)
}
