//! `-j TEE`: send a copy of the packet to another host (`xt_TEE.h`,
//! `struct xt_tee_tginfo`, revision 1).

use std::net::IpAddr;

use iptkit_sys::ext::xt_tee::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::{
    host, inet_addr_bytes, inet_addr_of, put_truncated, same_bytes, truncated, Opt, Seen,
};

/// `-j TEE --gateway ADDR [--oif IFACE]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tee {
    /// `--gateway`: where the copy goes (an address of the rule's family).
    pub gateway: IpAddr,
    /// `--oif`: the interface to send it out of, at most 15 bytes (iptables
    /// cuts longer names).
    pub oif: Option<String>,
}

impl Tee {
    /// `--gateway gateway`.
    pub fn gateway(gateway: IpAddr) -> Tee {
        Tee { gateway, oif: None }
    }
}

const O_GATEWAY: usize = 0;
const O_OIF: usize = 1;
const OPTS: &[Opt] = &[Opt::new("gateway").mand(), Opt::new("oif")];

impl Extension for Tee {
    const NAME: &'static str = "TEE";
    const REVISIONS: &'static [u8] = &[1];

    fn example(family: crate::addr::Family) -> Self {
        Tee::gateway(family.example_host())
    }

    fn start(ctx: &Ctx, _name: &str) -> Self {
        Tee::gateway(ctx.family.unspecified())
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tee_tginfo = read_struct(Self::NAME, revision, data)?;
        let oif = c_str(&k.oif);
        let t = Tee {
            oif: (!oif.is_empty()).then_some(oif),
            ..Tee::gateway(inet_addr_of(ctx.family, k.gw))
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(
            Self::NAME,
            &again,
            data,
            std::mem::offset_of!(xt_tee_tginfo, r#priv),
        )?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tee_tginfo::zeroed();
        k.gw = inet_addr_bytes(self.gateway);
        if let Some(oif) = &self.oif {
            put_truncated(oif, &mut k.oif);
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
            "gateway" => {
                seen.take_opt(Self::NAME, OPTS, O_GATEWAY, invert)?;
                self.gateway = host(ctx.family, "TEE --gateway", args.value("--gateway")?)?;
            }
            "oif" => {
                seen.take_opt(Self::NAME, OPTS, O_OIF, invert)?;
                self.oif = Some(truncated(args.value("--oif")?, 16).to_string());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, " --gateway {}", crate::addr::ntop(self.gateway));
        // An empty name is no interface; the name goes out unquoted.
        if let Some(oif) = self.oif.as_deref().filter(|o| !o.is_empty()) {
            push_fmt!(out, " --oif {oif}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--gateway 1.1.1.1 --oif eth0`, as the kernel holds it (the private
        // pointer reads back as zero).
        let mut bytes = vec![0u8; 40];
        bytes[..4].copy_from_slice(&[1, 1, 1, 1]);
        bytes[16..20].copy_from_slice(b"eth0");
        let t = Tee {
            oif: Some("eth0".into()),
            ..Tee::gateway("1.1.1.1".parse().unwrap())
        };
        both_ways(Ipv4, &t, &bytes);
        // `--gateway ::ffff:1.2.3.4` (IPv6).
        let mut bytes = vec![0u8; 40];
        bytes[10..16].copy_from_slice(&[0xff, 0xff, 1, 2, 3, 4]);
        both_ways(
            Ipv6,
            &Tee::gateway("::ffff:1.2.3.4".parse().unwrap()),
            &bytes,
        );
        // IPv4 with bytes after the address cannot be written back.
        assert!(Tee::decode(&Ctx::new(Ipv4), 1, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv6,
                "-j TEE --gateway 2001:db8::1",
                Some("-j TEE --gateway 2001:db8::1"),
            ),
            (Ipv6, "-j TEE ! --gateway 2001:db8::1", None),
            (
                Ipv4,
                "-j TEE --gateway 1.1.1.1",
                Some("-j TEE --gateway 1.1.1.1"),
            ),
            (Ipv4, "-j TEE ! --gateway 1.1.1.1", None),
            (Ipv4, "-j TEE", None),
            (Ipv6, "-j TEE", None),
            (Ipv6, "-j TEE --gateway 1.1.1.1", None),
            (
                Ipv4,
                "-j TEE --gateway 1.2",
                Some("-j TEE --gateway 1.0.0.2"),
            ),
            (
                Ipv4,
                "-j TEE --gateway 1.1.1.1 --oif abcdefghijklmnopq",
                Some("-j TEE --gateway 1.1.1.1 --oif abcdefghijklmno"),
            ),
            (Ipv4, "-j TEE --oif eth0", None),
        ]);
    }
}
