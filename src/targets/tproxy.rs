//! `-j TPROXY`: hand the packet to a local socket without changing its
//! header (`xt_TPROXY.h`, revision 0 (IPv4) and 1).

use std::net::{IpAddr, Ipv4Addr};

use iptkit_sys::ext::xt_tproxy::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{host, inet_addr_bytes, inet_addr_of, mark_mask, port, same_bytes, Opt, Seen};

/// `-j TPROXY --on-port PORT [--on-ip ADDR] [--tproxy-mark VALUE[/MASK]]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tproxy {
    /// The kernel struct revision: 1 (what iptables 1.8.9 writes), or 0 (IPv4 only).
    pub revision: u8,
    /// `--on-port`: the local port.
    pub port: u16,
    /// `--on-ip`: the local address; the unspecified address (the default)
    /// means the address of the incoming interface.
    pub addr: IpAddr,
    /// `--tproxy-mark`: bits XORed into the packet mark (0 when not given).
    pub mark: u32,
    /// `--tproxy-mark`: bits of the packet mark cleared first.
    pub mask: u32,
}

impl Tproxy {
    /// `--on-port port` for a rule of `family` (the address is that
    /// family's unspecified one), at revision 1. The rule needs `-p tcp` or
    /// `-p udp`.
    ///
    /// ```
    /// use iptkit::{targets::tproxy::Tproxy, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).protocol(6).with_target(Tproxy::on_port(Family::Ipv4, 3128));
    /// assert_eq!(
    ///     rule.to_string(),
    ///     "-p tcp -j TPROXY --on-port 3128 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"
    /// );
    /// ```
    pub fn on_port(family: Family, port: u16) -> Tproxy {
        Tproxy {
            revision: 1,
            port,
            addr: family.unspecified(),
            mark: 0,
            mask: 0,
        }
    }
}

const O_PORT: usize = 0;
const O_ADDR: usize = 1;
const O_MARK: usize = 2;
const OPTS: &[Opt] = &[
    Opt::new("on-port").mand(),
    Opt::new("on-ip"),
    Opt::new("tproxy-mark"),
];

impl Extension for Tproxy {
    const NAME: &'static str = "TPROXY";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(family: Family) -> Self {
        Tproxy::on_port(family, 3128)
    }

    fn start(ctx: &Ctx, _name: &str) -> Self {
        Tproxy::on_port(ctx.family, 0)
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let t = match (revision, ctx.family) {
            (0, Family::Ipv4) => {
                let k: xt_tproxy_target_info = read_struct(Self::NAME, revision, data)?;
                Tproxy {
                    revision,
                    port: u16::from_be_bytes(k.lport),
                    addr: IpAddr::V4(Ipv4Addr::from(k.laddr)),
                    mark: k.mark_value,
                    mask: k.mark_mask,
                }
            }
            (1, _) => {
                let k: xt_tproxy_target_info_v1 = read_struct(Self::NAME, revision, data)?;
                Tproxy {
                    revision,
                    port: u16::from_be_bytes(k.lport),
                    addr: inet_addr_of(ctx.family, k.laddr),
                    mark: k.mark_value,
                    mask: k.mark_mask,
                }
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(Self::NAME, &again, data, again.len())?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = xt_tproxy_target_info::zeroed();
            k.mark_mask = self.mask;
            k.mark_value = self.mark;
            if let IpAddr::V4(a) = self.addr {
                k.laddr = a.octets();
            }
            k.lport = self.port.to_be_bytes();
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_tproxy_target_info_v1::zeroed();
            k.mark_mask = self.mask;
            k.mark_value = self.mark;
            k.laddr = inet_addr_bytes(self.addr);
            k.lport = self.port.to_be_bytes();
            out.extend_from_slice(k.as_bytes());
        }
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        let v = args.value(&format!("--{option}"))?;
        match id {
            O_PORT => self.port = port(Self::NAME, option, v)?,
            O_ADDR => self.addr = host(ctx.family, "TPROXY --on-ip", v)?,
            O_MARK => (self.mark, self.mask) = mark_mask(Self::NAME, option, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        // iptables prints all three, defaults included.
        let addr = match (ctx.family, self.addr) {
            (Family::Ipv4, IpAddr::V6(_)) | (Family::Ipv6, IpAddr::V4(_)) => {
                ctx.family.unspecified()
            }
            (_, a) => a,
        };
        push_fmt!(
            out,
            " --on-port {} --on-ip {} --tproxy-mark 0x{:x}/0x{:x}",
            self.port,
            crate::addr::ntop(addr),
            self.mark,
            self.mask
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each, hex};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--on-port 5 --tproxy-mark 3` and `--on-port 5 --on-ip 1.2`, as
        // the kernel holds them (revision 1).
        let t = Tproxy {
            mark: 3,
            mask: u32::MAX,
            ..Tproxy::on_port(Ipv4, 5)
        };
        both_ways(
            Ipv4,
            &t,
            &hex("ffffffff03000000000000000000000000000000000000000005000000000000"),
        );
        let t = Tproxy {
            addr: "1.0.0.2".parse().unwrap(),
            ..Tproxy::on_port(Ipv4, 5)
        };
        both_ways(
            Ipv4,
            &t,
            &hex("0000000000000000010000020000000000000000000000000005000000000000"),
        );
        // `--on-port 12345 --on-ip 2001:db8::1 --tproxy-mark 0x23/0xff`.
        let t = Tproxy {
            addr: "2001:db8::1".parse().unwrap(),
            mark: 0x23,
            mask: 0xff,
            ..Tproxy::on_port(Ipv6, 12345)
        };
        both_ways(
            Ipv6,
            &t,
            &hex("ff0000002300000020010db80000000000000000000000013039000000000000"),
        );
        // Revision 0 (IPv4 only), built from the header's layout.
        let t = Tproxy {
            revision: 0,
            addr: "10.0.0.1".parse().unwrap(),
            ..Tproxy::on_port(Ipv4, 80)
        };
        both_ways(
            Ipv4,
            &t,
            &hex(concat!("00000000", "00000000", "0a000001", "0050", "0000")),
        );
        assert!(Tproxy::decode(&Ctx::new(Ipv6), 0, &[0; 16]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        let v4 = "-j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff";
        let v6 = "-j TPROXY --on-port 12345 --on-ip 2001:db8::1 --tproxy-mark 0x23/0xff";
        let tcp4 = format!("-p tcp -m tcp --dport 2342 {v4}");
        let tcp6 = format!("-p tcp -m tcp --dport 2342 {v6}");
        let udp4 = format!("-p udp {v4}");
        let udp6 = format!("-p udp {v6}");
        conformance_each(&[
            (Ipv4, v4, Some(v4)),
            (Ipv6, v6, Some(v6)),
            (Ipv4, &tcp4, Some(&tcp4)),
            (Ipv6, &tcp6, Some(&tcp6)),
            (Ipv4, &udp4, Some(&udp4)),
            (Ipv6, &udp6, Some(&udp6)),
            (Ipv6, v4, None),
            (
                Ipv4,
                "-p tcp -j TPROXY --on-port http",
                Some("-p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"),
            ),
            (
                Ipv6,
                "-p tcp -j TPROXY --on-port 65536",
                Some("-p tcp -j TPROXY --on-port 0 --on-ip :: --tproxy-mark 0x0/0x0"),
            ),
            (
                Ipv4,
                "-p tcp -j TPROXY --on-port 010 --tproxy-mark 3",
                Some("-p tcp -j TPROXY --on-port 10 --on-ip 0.0.0.0 --tproxy-mark 0x3/0xffffffff"),
            ),
            (Ipv4, "-p tcp -j TPROXY --on-port 0x10", None),
            (Ipv4, "-p tcp -j TPROXY --on-port -1", None),
            (Ipv4, "-p tcp -j TPROXY --on-port 5 --on-port 6", None),
            (Ipv4, "-p tcp -j TPROXY --on-ip 1.2.3.4", None),
        ]);
    }
}
