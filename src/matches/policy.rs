//! `-m policy`: the IPsec policy a packet was or will be handled by
//! (`xt_policy.h`, `struct xt_policy_info`; IPv4 and IPv6).

use std::fmt;
use std::net::IpAddr;

use iptkit_sys::ext::xt_policy::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::names;
use crate::xtopt::{
    addr_mask_string, exact, inet_addr_bytes, inet_addr_of, parse_hostmask, uint_option, Seen,
};

/// An address and a mask as iptables keeps them for `XTTYPE_HOSTMASK`
/// options: the address is not masked (`--tunnel-src 10.1.2.3/8` prints
/// back as given).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddrMask {
    /// The address, as given.
    pub addr: IpAddr,
    /// The mask (same family).
    pub mask: IpAddr,
}

impl fmt::Display for AddrMask {
    /// `ADDR`, `ADDR/LEN` or `ADDR/MASK`, as iptables-save prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&addr_mask_string(self.addr, self.mask))
    }
}

/// `--dir`: which policy is looked at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `in`: the policy used to decapsulate the packet.
    #[default]
    In,
    /// `out`: the policy that will encapsulate it.
    Out,
}

/// `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `transport`.
    Transport,
    /// `tunnel`.
    Tunnel,
}

/// One element of an IPsec policy; elements are separated by `--next`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyElem {
    /// `[!] --reqid ID`.
    pub reqid: Option<Inv<u32>>,
    /// `[!] --spi SPI`.
    pub spi: Option<Inv<u32>>,
    /// `[!] --proto ah|esp|ipcomp` (protocol number).
    pub proto: Option<Inv<u8>>,
    /// `[!] --mode transport|tunnel`.
    pub mode: Option<Inv<Mode>>,
    /// `[!] --tunnel-src ADDR[/MASK]` (tunnel mode only).
    pub tunnel_src: Option<Inv<AddrMask>>,
    /// `[!] --tunnel-dst ADDR[/MASK]` (tunnel mode only).
    pub tunnel_dst: Option<Inv<AddrMask>>,
}

impl PolicyElem {
    fn is_empty(&self) -> bool {
        *self == PolicyElem::default()
    }
}

/// `-m policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyMatch {
    /// `--dir in|out` (required).
    pub dir: Direction,
    /// `--pol none`: the packet is not subject to IPsec. `--pol ipsec` (the
    /// default) when false.
    pub none: bool,
    /// `--strict`: the policy must match the elements exactly, in order;
    /// without it, one element matching anywhere suffices.
    pub strict: bool,
    /// The elements (at most [`XT_POLICY_MAX_ELEM`]); always empty with `none`.
    pub elements: Vec<PolicyElem>,
}

const O_DIR: u32 = 1 << 0;
const O_POL: u32 = 1 << 1;
const O_STRICT: u32 = 1 << 2;
const O_ELEM: u32 = 1 << 3;
const O_NEXT: u32 = 1 << 4;

/// IPsec protocols a policy element may name.
const IPSEC_PROTOS: [u8; 3] = [50, 51, 108];

fn spec_bits(e: &PolicyElem) -> (u8, u8) {
    let mut set = 0;
    let mut inv = 0;
    let mut bit = |on: Option<bool>, b: u8| {
        if let Some(i) = on {
            set |= b;
            if i {
                inv |= b;
            }
        }
    };
    bit(e.tunnel_src.map(|v| v.invert), XT_POLICY_SPEC_SADDR);
    bit(e.tunnel_dst.map(|v| v.invert), XT_POLICY_SPEC_DADDR);
    bit(e.proto.map(|v| v.invert), XT_POLICY_SPEC_PROTO);
    bit(e.mode.map(|v| v.invert), XT_POLICY_SPEC_MODE);
    bit(e.spi.map(|v| v.invert), XT_POLICY_SPEC_SPI);
    bit(e.reqid.map(|v| v.invert), XT_POLICY_SPEC_REQID);
    (set, inv)
}

fn elem_to_kernel(e: &PolicyElem) -> xt_policy_elem {
    let mut k = xt_policy_elem::zeroed();
    (k.r#match, k.invert) = spec_bits(e);
    if let Some(a) = e.tunnel_src {
        k.saddr.a6 = inet_addr_bytes(a.value.addr);
        k.smask.a6 = inet_addr_bytes(a.value.mask);
    }
    if let Some(a) = e.tunnel_dst {
        k.daddr.a6 = inet_addr_bytes(a.value.addr);
        k.dmask.a6 = inet_addr_bytes(a.value.mask);
    }
    k.spi = e.spi.map_or(0, |v| v.value);
    k.reqid = e.reqid.map_or(0, |v| v.value);
    k.proto = e.proto.map_or(0, |v| v.value);
    k.mode = match e.mode.map(|m| m.value) {
        Some(Mode::Tunnel) => XT_POLICY_MODE_TUNNEL,
        _ => XT_POLICY_MODE_TRANSPORT,
    };
    k
}

fn elem_from_kernel(ctx: &Ctx, k: &xt_policy_elem) -> Result<PolicyElem> {
    let field = |b: u8| (k.r#match & b != 0).then_some(k.invert & b != 0);
    let addr = |a: &xt_policy_addr, m: &xt_policy_addr| AddrMask {
        addr: inet_addr_of(ctx.family, a.a6),
        mask: inet_addr_of(ctx.family, m.a6),
    };
    let mode = match k.mode {
        XT_POLICY_MODE_TRANSPORT => Mode::Transport,
        XT_POLICY_MODE_TUNNEL => Mode::Tunnel,
        m => return Err(Error::Malformed(format!("policy: unknown mode {m}"))),
    };
    if field(XT_POLICY_SPEC_PROTO).is_some() && !IPSEC_PROTOS.contains(&k.proto) {
        return Err(Error::Malformed(format!("policy: protocol {}", k.proto)));
    }
    Ok(PolicyElem {
        reqid: field(XT_POLICY_SPEC_REQID).map(|i| Inv::new(k.reqid, i)),
        spi: field(XT_POLICY_SPEC_SPI).map(|i| Inv::new(k.spi, i)),
        proto: field(XT_POLICY_SPEC_PROTO).map(|i| Inv::new(k.proto, i)),
        mode: field(XT_POLICY_SPEC_MODE).map(|i| Inv::new(mode, i)),
        tunnel_src: field(XT_POLICY_SPEC_SADDR).map(|i| Inv::new(addr(&k.saddr, &k.smask), i)),
        tunnel_dst: field(XT_POLICY_SPEC_DADDR).map(|i| Inv::new(addr(&k.daddr, &k.dmask), i)),
    })
}

/// Sets an element field, refusing a second one in the same element.
fn set_elem<T>(slot: &mut Option<Inv<T>>, option: &str, value: T, invert: bool) -> Result<()> {
    if slot.is_some() {
        return Err(Error::rule("policy", format!("double --{option} option")));
    }
    *slot = Some(Inv::new(value, invert));
    Ok(())
}

impl PolicyMatch {
    /// The element the element options currently fill (the one after the
    /// last `--next`).
    fn current(&mut self) -> &mut PolicyElem {
        if self.elements.is_empty() {
            self.elements.push(PolicyElem::default());
        }
        self.elements.last_mut().expect("one element at least")
    }
}

impl Extension for PolicyMatch {
    const NAME: &'static str = "policy";

    fn example(_family: crate::addr::Family) -> Self {
        PolicyMatch::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        PolicyMatch::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_policy_info = read_struct(Self::NAME, revision, data)?;
        let dir = match k.flags & (XT_POLICY_MATCH_IN | XT_POLICY_MATCH_OUT) {
            XT_POLICY_MATCH_IN => Direction::In,
            XT_POLICY_MATCH_OUT => Direction::Out,
            _ => return Err(Error::Malformed("policy: no single direction".into())),
        };
        let len = k.len as usize;
        if len > XT_POLICY_MAX_ELEM {
            return Err(Error::Malformed(format!("policy: {len} elements")));
        }
        let elements = k.pol[..len]
            .iter()
            .map(|e| elem_from_kernel(ctx, e))
            .collect::<Result<Vec<_>>>()?;
        let v = PolicyMatch {
            dir,
            none: k.flags & XT_POLICY_MATCH_NONE != 0,
            strict: k.flags & XT_POLICY_MATCH_STRICT != 0,
            elements,
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_policy_info::zeroed();
        k.flags = match self.dir {
            Direction::In => XT_POLICY_MATCH_IN,
            Direction::Out => XT_POLICY_MATCH_OUT,
        };
        if self.none {
            k.flags |= XT_POLICY_MATCH_NONE;
        }
        if self.strict {
            k.flags |= XT_POLICY_MATCH_STRICT;
        }
        if !self.none {
            for (slot, e) in k.pol.iter_mut().zip(&self.elements) {
                *slot = elem_to_kernel(e);
            }
            k.len = self.elements.len().min(XT_POLICY_MAX_ELEM) as u16;
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        match option {
            "dir" => {
                seen.take(Self::NAME, option, O_DIR, invert, false)?;
                let v = args.value("--dir")?;
                self.dir = match v {
                    "in" => Direction::In,
                    "out" => Direction::Out,
                    _ => return Err(Error::value("--dir", v, "invalid dir")),
                };
            }
            "pol" => {
                seen.take(Self::NAME, option, O_POL, invert, false)?;
                let v = args.value("--pol")?;
                self.none = match v {
                    "none" => true,
                    "ipsec" => false,
                    _ => return Err(Error::value("--pol", v, "invalid policy")),
                };
            }
            "strict" => {
                seen.take(Self::NAME, option, O_STRICT, invert, false)?;
                self.strict = true;
            }
            "reqid" | "spi" => {
                seen.take_multi(Self::NAME, option, O_ELEM, invert, true)?;
                let flag = format!("--{option}");
                let n =
                    uint_option(Self::NAME, &flag, args.value(&flag)?, 0, u32::MAX as u64)? as u32;
                let e = self.current();
                let slot = if option == "reqid" {
                    &mut e.reqid
                } else {
                    &mut e.spi
                };
                set_elem(slot, option, n, invert)?;
            }
            "proto" => {
                seen.take_multi(Self::NAME, option, O_ELEM, invert, true)?;
                let v = args.value("--proto")?;
                let p = names::parse_protocol(v)
                    .ok_or_else(|| Error::value("--proto", v, "unknown protocol"))?;
                if self.current().proto.is_some() {
                    return Err(Error::rule("policy", "double --proto option"));
                }
                if !IPSEC_PROTOS.contains(&p) {
                    return Err(Error::value("--proto", v, "protocol must be ah/esp/ipcomp"));
                }
                set_elem(&mut self.current().proto, option, p, invert)?;
            }
            "mode" => {
                seen.take_multi(Self::NAME, option, O_ELEM, invert, true)?;
                let v = args.value("--mode")?;
                if self.current().mode.is_some() {
                    return Err(Error::rule("policy", "double --mode option"));
                }
                let m = match v {
                    "transport" => Mode::Transport,
                    "tunnel" => Mode::Tunnel,
                    _ => return Err(Error::value("--mode", v, "invalid mode")),
                };
                set_elem(&mut self.current().mode, option, m, invert)?;
            }
            "tunnel-src" | "tunnel-dst" => {
                seen.take_multi(Self::NAME, option, O_ELEM, invert, true)?;
                let flag = format!("--{option}");
                let (addr, mask) = parse_hostmask(ctx.family, &flag, args.value(&flag)?)?;
                let e = self.current();
                let slot = if option == "tunnel-src" {
                    &mut e.tunnel_src
                } else {
                    &mut e.tunnel_dst
                };
                set_elem(slot, option, AddrMask { addr, mask }, invert)?;
            }
            "next" => {
                seen.take_multi(Self::NAME, option, O_NEXT, invert, false)?;
                self.current();
                if self.elements.len() == XT_POLICY_MAX_ELEM {
                    return Err(Error::rule("policy", "maximum policy depth reached"));
                }
                self.elements.push(PolicyElem::default());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_DIR) {
            return Err(Error::rule(
                "policy",
                "neither --dir in nor --dir out specified",
            ));
        }
        if self.none {
            if self.strict {
                return Err(Error::rule("policy", "policy none but --strict given"));
            }
            if seen.has(O_NEXT) {
                return Err(Error::rule("policy", "policy none but policy given"));
            }
            // iptables fills element 0 but writes a length of 0: the kernel
            // never looks at it.
            self.elements.clear();
            return Ok(());
        }
        self.current();
        for (i, e) in self.elements.iter().enumerate() {
            if self.strict && e.is_empty() {
                return Err(Error::rule(
                    "policy",
                    format!(
                        "empty policy element {i}. --strict is in effect, but at least one of \
                         reqid, spi, tunnel-src, tunnel-dst, proto or mode is required."
                    ),
                ));
            }
            let tunnel = matches!(
                e.mode,
                Some(Inv {
                    value: Mode::Tunnel,
                    invert: false
                }) | Some(Inv {
                    value: Mode::Transport,
                    invert: true
                })
            );
            if (e.tunnel_src.is_some() || e.tunnel_dst.is_some()) && !tunnel {
                return Err(Error::rule(
                    "policy",
                    "--tunnel-src/--tunnel-dst is only valid in tunnel mode",
                ));
            }
        }
        if seen.has(O_NEXT) && !self.strict {
            return Err(Error::rule(
                "policy",
                "option --next also requires --strict",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(match self.dir {
            Direction::In => " --dir in",
            Direction::Out => " --dir out",
        });
        out.push_str(if self.none {
            " --pol none"
        } else {
            " --pol ipsec"
        });
        if self.strict {
            out.push_str(" --strict");
        }
        for (i, e) in self.elements.iter().enumerate() {
            if i > 0 {
                out.push_str(" --next");
            }
            if let Some(v) = e.reqid {
                push_fmt!(out, "{} --reqid {}", v.bang(), v.value);
            }
            if let Some(v) = e.spi {
                push_fmt!(out, "{} --spi 0x{:x}", v.bang(), v.value);
            }
            if let Some(v) = e.proto {
                let name = names::protocol_name(v.value)
                    .map_or_else(|| v.value.to_string(), str::to_string);
                push_fmt!(out, "{} --proto {name}", v.bang());
            }
            if let Some(v) = e.mode {
                let m = match v.value {
                    Mode::Transport => "transport",
                    Mode::Tunnel => "tunnel",
                };
                push_fmt!(out, "{} --mode {m}", v.bang());
            }
            if let Some(v) = e.tunnel_dst {
                push_fmt!(out, "{} --tunnel-dst {}", v.bang(), v.value);
            }
            if let Some(v) = e.tunnel_src {
                push_fmt!(out, "{} --tunnel-src {}", v.bang(), v.value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = ctx(Family::Ipv4);
        kernel_fixture::<PolicyMatch>(
            &v4,
            "--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel \
             --tunnel-dst 10.0.0.0/8 --tunnel-src 10.1.2.3/8 --next ! --reqid 2",
            0,
            concat!(
                "0a010203000000000000000000000000ff0000000000000000000000000000000a000000000000000000000000000000",
                "ff000000000000000000000000000000010000000100000032013f000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "020000000000202000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000900020000000000",
            ),
        );
        // Four empty elements, then flags (out, none) and length 0.
        let none = format!("{}0600000000000000", "00".repeat(304));
        kernel_fixture::<PolicyMatch>(&v4, "--dir out --pol none", 0, &none);
        kernel_fixture::<PolicyMatch>(
            &ctx(Family::Ipv6),
            "--dir in --pol ipsec ! --mode transport --tunnel-src 2001:db8::1/64 ! --proto ah",
            0,
            concat!(
                "20010db8000000000000000000000001ffffffffffffffff000000000000000000000000000000000000000000000000",
                "00000000000000000000000000000000000000000000000033000d0c0000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000100010000000000",
            ),
        );
        // Bytes iptables would not write stay unknown.
        let mut both = none.clone();
        both.replace_range(608..610, "07");
        let bytes: Vec<u8> = (0..both.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&both[i..i + 2], 16).unwrap())
            .collect();
        assert!(PolicyMatch::decode(&v4, 0, &bytes).is_err());
    }

    #[test]
    fn refuses_what_iptables_refuses() {
        let v4 = ctx(Family::Ipv4);
        let bad = |s: &str| parse::<PolicyMatch>(&v4, s).is_err();
        assert!(bad("--pol ipsec"));
        assert!(bad("--dir up"));
        assert!(bad("--dir in --dir out"));
        assert!(bad("--dir in --pol none --strict"));
        assert!(bad("--dir in --pol none --reqid 1 --next --reqid 2"));
        assert!(bad("--dir in --reqid 1 --reqid 2"));
        assert!(bad("--dir in --reqid 1 --next --reqid 2"));
        assert!(bad("--dir in --proto tcp"));
        assert!(bad("--dir in --mode tunnel --mode tunnel"));
        assert!(bad("--dir in --mode bus"));
        assert!(bad("--dir in ! --strict"));
        assert!(bad("--dir in --spi 4294967296"));
        assert!(bad("--dir in --mode transport --tunnel-src 1.2.3.4"));
        assert!(bad("--dir in ! --mode tunnel --tunnel-dst 1.2.3.4"));
        assert!(bad(
            "--dir in --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4 --next"
        ));
        assert!(!bad(
            "--dir in --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4"
        ));
        assert!(parse::<PolicyMatch>(
            &ctx(Family::Ipv6),
            "--dir in --mode tunnel --tunnel-src 1.2.3.4"
        )
        .is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = ctx(Family::Ipv4);
        assert!(parse::<PolicyMatch>(&v4, "! --dir in").is_err());
        let p = parse::<PolicyMatch>(&v4, "--dir out --pol none --reqid 5").unwrap();
        assert_eq!(save(&v4, &p), " --dir out --pol none");
        let p = parse::<PolicyMatch>(&v4, "--dir in ! --mode transport --tunnel-dst 1 --spi 255")
            .unwrap();
        assert_eq!(
            save(&v4, &p),
            " --dir in --pol ipsec --spi 0xff ! --mode transport --tunnel-dst 0.0.0.1"
        );
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv4,
            &[
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2")),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 10.0.0.0/8", None),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2")),
                ("-m policy --dir in --pol ipsec", Some("-m policy --dir in --pol ipsec")),
                ("-m policy --dir in --pol ipsec --proto ipcomp", Some("-m policy --dir in --pol ipsec --proto ipcomp")),
                ("-m policy --dir in --pol ipsec --strict", None),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp")),
            ],
        );
        conformance(
            Family::Ipv6,
            &[
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 2001:db8::/32 --tunnel-src 2001:db8::/32 --next --reqid 2", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 2001:db8::/32 --tunnel-src 2001:db8::/32 --next --reqid 2")),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 2001:db8::/32", None),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp --mode tunnel --tunnel-dst 2001:db8::/32 --tunnel-src 2001:db8::/32 --next --reqid 2", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp --mode tunnel --tunnel-dst 2001:db8::/32 --tunnel-src 2001:db8::/32 --next --reqid 2")),
                ("-m policy --dir in --pol ipsec", Some("-m policy --dir in --pol ipsec")),
                ("-m policy --dir in --pol ipsec --proto ipcomp", Some("-m policy --dir in --pol ipsec --proto ipcomp")),
                ("-m policy --dir in --pol ipsec --strict", None),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp", Some("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp")),
                ("-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2", None),
            ],
        );
    }
}
