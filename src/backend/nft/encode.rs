//! A [`Rule`] as iptables-nft 1.8.9 writes it: native expressions for the
//! interfaces, protocol, addresses, fragment flag, tcp/udp ports and flags,
//! mark, limit, counters, verdicts and NFLOG; every other extension as an
//! xt compat `match`/`target` carrying the kernel struct the legacy backend
//! writes too.

use iptkit_sys::ext::xt_limit::{xt_rateinfo, XT_LIMIT_SCALE};
use iptkit_sys::ext::xt_mark::xt_mark_mtinfo1;
use iptkit_sys::ext::xt_nflog::{xt_nflog_info, XT_NFLOG_F_COPY_LEN};
use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::nftables::*;

use super::decode::INVALID_IFACE;
use super::expr::{Expr, Log};
use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::extension::{c_str, read_struct, Ctx};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::Match;
use crate::rule::Rule;
use crate::targets::{Target, TargetExt};

/// The expressions of a rule, and its compat attribute (protocol, flags).
pub(crate) fn encode(rule: &Rule) -> Result<(Vec<Expr>, (u32, u32))> {
    // Room for what a rule of addresses, a protocol, ports and a verdict
    // takes, so that the list is not grown on the way.
    let mut out = Vec::with_capacity(16);
    if let Some(i) = &rule.in_iface {
        iface(&mut out, NFT_META_IIFNAME, i);
    }
    if let Some(o) = &rule.out_iface {
        iface(&mut out, NFT_META_OIFNAME, o);
    }
    let (proto, proto_inv) = rule
        .proto
        .map(|p| (p.value, p.invert))
        .unwrap_or((0, false));
    if proto != 0 {
        out.push(Expr::Meta {
            key: NFT_META_L4PROTO,
            dreg: NFT_REG_1,
        });
        out.push(cmp(op(proto_inv), vec![proto]));
    }
    let (src, dst) = match rule.family {
        Family::Ipv4 => (12, 16),
        Family::Ipv6 => (8, 24),
    };
    if let Some(s) = &rule.src {
        addr(&mut out, src, s)?;
    }
    if let Some(d) = &rule.dst {
        addr(&mut out, dst, d)?;
    }
    if let Some(frag) = rule.fragment {
        if rule.family == Family::Ipv6 {
            return Err(Error::rule(
                "-f",
                "IPv6 rules have no fragment flag (use -m frag)",
            ));
        }
        out.push(payload(NFT_PAYLOAD_NETWORK_HEADER, 6, 2));
        out.push(bitwise(vec![0x1f, 0xff]));
        // A non-zero offset is a fragment.
        out.push(cmp(if frag { NFT_CMP_NEQ } else { NFT_CMP_EQ }, vec![0, 0]));
    }
    let compat = (
        u32::from(proto),
        if proto_inv { NFT_RULE_COMPAT_F_INV } else { 0 },
    );
    let ctx = rule.ctx();
    for m in &rule.matches {
        matcher(&mut out, &ctx, m)?;
    }
    // The counter goes before the verdict, or nf_tables would count every
    // packet that reaches the rule.
    out.push(Expr::Counter {
        packets: rule.counters.packets,
        bytes: rule.counters.bytes,
    });
    target(&mut out, &ctx, &rule.target)?;
    Ok((out, compat))
}

fn op(invert: bool) -> u32 {
    if invert {
        NFT_CMP_NEQ
    } else {
        NFT_CMP_EQ
    }
}

fn cmp(op: u32, data: Vec<u8>) -> Expr {
    Expr::Cmp {
        sreg: NFT_REG_1,
        op,
        data,
    }
}

fn payload(base: u32, offset: u32, len: u32) -> Expr {
    Expr::Payload {
        base,
        offset,
        len,
        dreg: NFT_REG_1,
    }
}

fn bitwise(mask: Vec<u8>) -> Expr {
    Expr::Bitwise {
        sreg: NFT_REG_1,
        dreg: NFT_REG_1,
        xor: vec![0; mask.len()],
        mask,
    }
}

/// `-i`/`-o`: the name and its NUL for an exact name, the prefix for
/// `eth+`, nothing to compare for `+` (every interface), and a name no
/// interface has for `! -i +`.
fn iface(out: &mut Vec<Expr>, key: u32, i: &Inv<Iface>) {
    out.push(Expr::Meta {
        key,
        dreg: NFT_REG_1,
    });
    let name = i.value.name().as_bytes();
    if let Some(prefix) = name.strip_suffix(b"+") {
        if !prefix.is_empty() {
            out.push(cmp(op(i.invert), prefix.to_vec()));
        } else if i.invert {
            out.push(cmp(NFT_CMP_EQ, INVALID_IFACE.to_vec()));
        }
    } else {
        let mut data = name.to_vec();
        data.push(0);
        out.push(cmp(op(i.invert), data));
    }
}

/// `-s`/`-d`: as few bytes as a prefix mask needs, or the whole address
/// with a bitwise mask when the mask is not a prefix of whole bytes.
fn addr(out: &mut Vec<Expr>, offset: u32, n: &Inv<Net>) -> Result<()> {
    let bytes = |a: std::net::IpAddr| -> ([u8; 16], usize) {
        match a {
            std::net::IpAddr::V4(a) => {
                let mut b = [0; 16];
                b[..4].copy_from_slice(&a.octets());
                (b, 4)
            }
            std::net::IpAddr::V6(a) => (a.octets(), 16),
        }
    };
    let ((data, size), (mask, _)) = (bytes(n.value.addr()), bytes(n.value.mask()));
    let mask = &mask[..size];
    let full = mask.iter().take_while(|&&m| m == 0xff).count();
    let masked = mask[full..].iter().any(|&m| m != 0);
    let len = if masked { size } else { full };
    out.push(payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len as u32));
    if masked {
        out.push(bitwise(mask.to_vec()));
    }
    out.push(cmp(op(n.invert), data[..len].to_vec()));
    Ok(())
}

/// A match's kernel struct, padded as the kernel keeps it.
fn kernel_struct(ctx: &Ctx, m: &Match) -> Vec<u8> {
    let mut b = Vec::new();
    m.encode(ctx, &mut b);
    b.resize(iptkit_sys::xt_align(b.len()), 0);
    b
}

fn matcher(out: &mut Vec<Expr>, ctx: &Ctx, m: &Match) -> Result<()> {
    let info = kernel_struct(ctx, m);
    let native = match m.name() {
        "tcp" if m.revision() == 0 => tcp(out, ctx.proto, &info)?,
        "udp" if m.revision() == 0 => udp(out, ctx.proto, &info)?,
        "mark" if m.revision() == 1 => {
            let k: xt_mark_mtinfo1 = read_struct("mark", 1, &info)?;
            out.push(Expr::Meta {
                key: NFT_META_MARK,
                dreg: NFT_REG_1,
            });
            if k.mask != u32::MAX {
                out.push(bitwise(k.mask.to_ne_bytes().to_vec()));
            }
            out.push(cmp(op(k.invert != 0), k.mark.to_ne_bytes().to_vec()));
            true
        }
        "limit" if m.revision() == 0 => limit(out, &info)?,
        _ => false,
    };
    if !native {
        out.push(Expr::Match {
            name: m.name().to_string(),
            rev: m.revision().into(),
            info,
        });
    }
    Ok(())
}

/// `-m tcp`: natively unless it tests an option, inverts anything but the
/// ports and flags, or tests nothing at all. Flags first, then ports.
fn tcp(out: &mut Vec<Expr>, proto: u8, info: &[u8]) -> Result<bool> {
    let t: xt_tcp = read_struct("tcp", 0, info)?;
    let supported = XT_TCP_INV_SRCPT | XT_TCP_INV_DSTPT | XT_TCP_INV_FLAGS;
    // The whole struct, inversions included (iptables compares it with
    // memcmp): `! --dport 0:65535` is not "nothing", it is written as no
    // expression at all.
    let all_zero = t.spts == [0, u16::MAX]
        && t.dpts == [0, u16::MAX]
        && t.option == 0
        && t.flg_mask == 0
        && t.flg_cmp == 0
        && t.invflags == 0;
    if t.invflags & !supported != 0 || t.option != 0 || all_zero {
        return Ok(false);
    }
    // The ports are read at the transport header's offset, whatever the
    // protocol: iptables-nft refuses the rule rather than write that.
    if proto != libc::IPPROTO_TCP as u8 {
        return Err(Error::rule("-m tcp", "TCP match requires '-p tcp'"));
    }
    if t.flg_mask != 0 {
        out.push(payload(NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1));
        out.push(bitwise(vec![t.flg_mask]));
        out.push(cmp(op(t.invflags & XT_TCP_INV_FLAGS != 0), vec![t.flg_cmp]));
    }
    ports(
        out,
        t.spts,
        t.invflags & XT_TCP_INV_SRCPT != 0,
        t.dpts,
        t.invflags & XT_TCP_INV_DSTPT != 0,
    );
    Ok(true)
}

/// `-m udp`: natively unless it tests nothing at all.
fn udp(out: &mut Vec<Expr>, proto: u8, info: &[u8]) -> Result<bool> {
    let u: xt_udp = read_struct("udp", 0, info)?;
    if u.invflags & !(XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT) != 0 {
        return Ok(false);
    }
    if u.spts == [0, u16::MAX] && u.dpts == [0, u16::MAX] && u.invflags == 0 {
        return Ok(false);
    }
    if proto != libc::IPPROTO_UDP as u8 {
        return Err(Error::rule("-m udp", "UDP match requires '-p udp'"));
    }
    ports(
        out,
        u.spts,
        u.invflags & XT_UDP_INV_SRCPT != 0,
        u.dpts,
        u.invflags & XT_UDP_INV_DSTPT != 0,
    );
    Ok(true)
}

/// Ports: one 4-byte compare for a single source and destination port
/// inverted alike; else a compare or range per side that tests anything.
fn ports(out: &mut Vec<Expr>, src: [u16; 2], src_inv: bool, dst: [u16; 2], dst_inv: bool) {
    if src[0] != 0 && src[0] == src[1] && dst[0] != 0 && dst[0] == dst[1] && src_inv == dst_inv {
        out.push(payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4));
        let mut data = src[0].to_be_bytes().to_vec();
        data.extend_from_slice(&dst[0].to_be_bytes());
        out.push(cmp(op(src_inv), data));
        return;
    }
    for (offset, range, inv) in [(0, src, src_inv), (2, dst, dst_inv)] {
        if range[0] == 0 && range[1] == u16::MAX {
            continue;
        }
        out.push(payload(NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2));
        if range[0] == range[1] {
            out.push(cmp(op(inv), range[0].to_be_bytes().to_vec()));
        } else if range[0] == 0 {
            // `0:N` is `<= N`, and inverted `> N`.
            out.push(cmp(
                if inv { NFT_CMP_GT } else { NFT_CMP_LTE },
                range[1].to_be_bytes().to_vec(),
            ));
        } else {
            out.push(Expr::Range {
                sreg: NFT_REG_1,
                op: if inv { NFT_RANGE_NEQ } else { NFT_RANGE_EQ },
                from: range[0].to_be_bytes().to_vec(),
                to: range[1].to_be_bytes().to_vec(),
            });
        }
    }
}

/// `-m limit` as the native `limit`: the largest time unit whose rate is
/// still a whole number of packets.
fn limit(out: &mut Vec<Expr>, info: &[u8]) -> Result<bool> {
    let k: xt_rateinfo = read_struct("limit", 0, info)?;
    if k.avg == 0 {
        return Ok(false);
    }
    let mult = [
        XT_LIMIT_SCALE * 24 * 60 * 60,
        XT_LIMIT_SCALE * 60 * 60,
        XT_LIMIT_SCALE * 60,
        XT_LIMIT_SCALE,
    ];
    let mut i = 1;
    while i < mult.len() {
        if k.avg > mult[i] || mult[i] / k.avg < mult[i] % k.avg {
            break;
        }
        i += 1;
    }
    out.push(Expr::Limit {
        rate: u64::from(mult[i - 1] / k.avg),
        unit: u64::from(mult[i - 1] / XT_LIMIT_SCALE),
        burst: k.burst,
        kind: 0,
        flags: 0,
    });
    Ok(true)
}

fn target(out: &mut Vec<Expr>, ctx: &Ctx, t: &Target) -> Result<()> {
    let verdict = |code, chain: Option<&String>| Expr::Verdict {
        code,
        chain: chain.cloned(),
    };
    match t {
        Target::Continue => {}
        Target::Accept => out.push(verdict(NF_ACCEPT, None)),
        Target::Drop => out.push(verdict(NF_DROP, None)),
        Target::Return => out.push(verdict(NFT_RETURN, None)),
        Target::Jump(c) => out.push(verdict(NFT_JUMP, Some(c))),
        Target::Goto(c) => out.push(verdict(NFT_GOTO, Some(c))),
        // iptables-nft hands QUEUE to the kernel as the standard target,
        // which nf_tables does not have: the kernel refuses the rule.
        Target::Queue => out.push(Expr::Target {
            name: "standard".into(),
            rev: 0,
            info: (-4i32).to_ne_bytes().to_vec(),
        }),
        Target::Ext(x) => {
            let mut info = Vec::new();
            x.encode(ctx, &mut info);
            info.resize(iptkit_sys::xt_align(info.len()), 0);
            if let TargetExt::Nflog(n) = x {
                let mut log = nflog(&info)?;
                // The log expression keeps prefixes the xt struct would cut.
                log.prefix = n.prefix.clone().filter(|p| !p.is_empty());
                out.push(Expr::Log(log));
            } else if x.name() == "TRACE" && x.revision() == 0 {
                out.push(Expr::Immediate {
                    dreg: NFT_REG32_01,
                    data: vec![1],
                });
                out.push(Expr::MetaSet {
                    key: NFT_META_NFTRACE,
                    sreg: NFT_REG32_01,
                });
            } else {
                out.push(Expr::Target {
                    name: x.name().to_string(),
                    rev: x.revision().into(),
                    info,
                });
            }
        }
    }
    Ok(())
}

/// `-j NFLOG` as the native `log`: prefix when there is one, the group,
/// the snap length with `--nflog-size`, the threshold when not zero.
fn nflog(info: &[u8]) -> Result<Log> {
    let k: xt_nflog_info = read_struct("NFLOG", 0, info)?;
    let prefix = c_str(&k.prefix);
    Ok(Log {
        prefix: (!prefix.is_empty()).then_some(prefix),
        group: Some(k.group),
        snaplen: (k.flags & XT_NFLOG_F_COPY_LEN != 0).then_some(k.len),
        qthreshold: (k.threshold != 0).then_some(k.threshold),
        level: None,
        flags: None,
    })
}
