//! `-j CLUSTERIP`: share an IPv4 address among the nodes of a cluster
//! (`ipt_CLUSTERIP.h`, `struct ipt_clusterip_tgt_info`; IPv4 only). The
//! kernel on the machine this crate is developed on lacks the module, so the
//! byte fixtures are what iptables sends.

use iptkit_sys::ext::ipt_clusterip::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{ethermac, same_bytes, uint_option, Opt, Seen};

/// What the cluster hashes to pick the node that answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClusteripHashMode {
    /// `sourceip`.
    #[default]
    SourceIp,
    /// `sourceip-sourceport`.
    SourceIpSourcePort,
    /// `sourceip-sourceport-destport`.
    SourceIpSourcePortDestPort,
}

const HASH_MODES: &[(&str, ClusteripHashMode, u32)] = &[
    (
        "sourceip",
        ClusteripHashMode::SourceIp,
        CLUSTERIP_HASHMODE_SIP,
    ),
    (
        "sourceip-sourceport",
        ClusteripHashMode::SourceIpSourcePort,
        CLUSTERIP_HASHMODE_SIP_SPT,
    ),
    (
        "sourceip-sourceport-destport",
        ClusteripHashMode::SourceIpSourcePortDestPort,
        CLUSTERIP_HASHMODE_SIP_SPT_DPT,
    ),
];

/// `-j CLUSTERIP [--new --hashmode MODE --clustermac MAC --total-nodes N
/// --local-node N [--hash-init N]]`.
///
/// Without `--new` the rule joins a cluster another rule created, and
/// iptables-save prints no options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Clusterip {
    /// `--new`: this rule creates the cluster.
    pub new: bool,
    /// `--hashmode`.
    pub hash_mode: ClusteripHashMode,
    /// `--clustermac`: a multicast MAC address.
    pub clustermac: [u8; 6],
    /// `--total-nodes`: 0 to 16.
    pub total_nodes: u16,
    /// The nodes this host answers for (`--local-node` gives one; the kernel
    /// holds up to 16).
    pub local_nodes: Vec<u16>,
    /// `--hash-init`.
    pub hash_init: u32,
}

const O_NEW: usize = 0;
const O_HASHMODE: usize = 1;
const O_CLUSTERMAC: usize = 2;
const O_TOTAL_NODES: usize = 3;
const O_LOCAL_NODE: usize = 4;
const O_HASH_INIT: usize = 5;
const OPTS: &[Opt] = &[
    Opt::new("new"),
    Opt::new("hashmode"),
    Opt::new("clustermac"),
    Opt::new("total-nodes"),
    Opt::new("local-node"),
    Opt::new("hash-init"),
];

impl Extension for Clusterip {
    const NAME: &'static str = "CLUSTERIP";
    const FAMILIES: &'static [Family] = &[Family::Ipv4];

    fn example(_family: Family) -> Self {
        Clusterip::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Clusterip::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ipt_clusterip_tgt_info = read_struct(Self::NAME, revision, data)?;
        let bad = || Error::Malformed(format!("CLUSTERIP: {k:?}"));
        let hash_mode = HASH_MODES
            .iter()
            .find(|m| m.2 == k.hash_mode)
            .ok_or_else(bad)?
            .1;
        let n = usize::from(k.num_local_nodes);
        if k.flags & !CLUSTERIP_FLAG_NEW != 0 || n > CLUSTERIP_MAX_NODES {
            return Err(bad());
        }
        let t = Clusterip {
            new: k.flags & CLUSTERIP_FLAG_NEW != 0,
            hash_mode,
            clustermac: k.clustermac,
            total_nodes: k.num_total_nodes,
            local_nodes: k.local_nodes[..n].to_vec(),
            hash_init: k.hash_initval,
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(
            Self::NAME,
            &again,
            data,
            std::mem::offset_of!(ipt_clusterip_tgt_info, config),
        )?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ipt_clusterip_tgt_info::zeroed();
        if self.new {
            k.flags = CLUSTERIP_FLAG_NEW;
        }
        k.clustermac = self.clustermac;
        k.num_total_nodes = self.total_nodes;
        let n = self.local_nodes.len().min(CLUSTERIP_MAX_NODES);
        k.num_local_nodes = n as u16;
        k.local_nodes[..n].copy_from_slice(&self.local_nodes[..n]);
        k.hash_mode = HASH_MODES
            .iter()
            .find(|m| m.1 == self.hash_mode)
            .map_or(0, |m| m.2);
        k.hash_initval = self.hash_init;
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        if id == O_NEW {
            self.new = true;
            return Ok(true);
        }
        let v = args.value(&format!("--{option}"))?;
        let nodes = |v| uint_option(Self::NAME, option, v, 0, CLUSTERIP_MAX_NODES as u64);
        match id {
            O_HASHMODE => {
                self.hash_mode = HASH_MODES
                    .iter()
                    .find(|m| m.0 == v)
                    .ok_or_else(|| Error::value("CLUSTERIP --hashmode", v, "unknown hashmode"))?
                    .1
            }
            O_CLUSTERMAC => {
                self.clustermac = ethermac(v).ok_or_else(|| {
                    Error::value("CLUSTERIP --clustermac", v, "not a MAC address")
                })?;
                if self.clustermac[0] & 0x01 == 0 {
                    return Err(Error::value(
                        "CLUSTERIP --clustermac",
                        v,
                        "MAC has to be a multicast ethernet address",
                    ));
                }
            }
            O_TOTAL_NODES => self.total_nodes = nodes(v)? as u16,
            O_LOCAL_NODE => self.local_nodes = vec![nodes(v)? as u16],
            O_HASH_INIT => {
                self.hash_init = uint_option(Self::NAME, option, v, 0, u32::MAX.into())? as u32
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        // Nothing, or everything but --hash-init.
        let full = [O_NEW, O_HASHMODE, O_CLUSTERMAC, O_TOTAL_NODES, O_LOCAL_NODE];
        if !seen.none() && !full.iter().all(|&id| seen.has_opt(id)) {
            return Err(Error::rule(Self::NAME, "invalid parameter combination"));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if !self.new {
            return;
        }
        let mode = HASH_MODES
            .iter()
            .find(|m| m.1 == self.hash_mode)
            .map_or("unknown-error", |m| m.0);
        let m = self.clustermac;
        push_fmt!(
            out,
            " --new --hashmode {mode} --clustermac {:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X} --total-nodes {} --local-node {} --hash-init {}",
            m[0], m[1], m[2], m[3], m[4], m[5],
            self.total_nodes,
            self.local_nodes.first().copied().unwrap_or(0),
            self.hash_init
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
        // What iptables sends for `--new --hashmode sourceip --clustermac
        // 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1 --hash-init 1`.
        let t = Clusterip {
            new: true,
            hash_mode: ClusteripHashMode::SourceIp,
            clustermac: [0x01, 0xaa, 0x7b, 0x47, 0xf7, 0xd7],
            total_nodes: 2,
            local_nodes: vec![1],
            hash_init: 1,
        };
        both_ways(
            Ipv4,
            &t,
            &hex(concat!(
                "0100000001aa7b47f7d702000100010000000000000000000000000000000000",
                "0000000000000000000000000000000000000000010000000000000000000000"
            )),
        );
        // Bare `-j CLUSTERIP`: all zero.
        both_ways(Ipv4, &Clusterip::default(), &[0; 64]);
        let mut b = [0u8; 64];
        b[48] = 3;
        assert!(Clusterip::decode(&Ctx::new(Ipv4), 0, &b).is_err());
    }

    #[test]
    fn text_like_iptables() {
        let base = "-d 10.31.3.236/32 -i lo -j CLUSTERIP";
        let full = |node: u8| {
            format!("{base} --new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node {node} --hash-init 1")
        };
        let (a, b, c) = (full(0), full(1), full(2));
        conformance_each(&[
            (Ipv4, &a, Some(&a)),
            (Ipv4, &b, Some(&b)),
            (Ipv4, &c, Some(&c)),
            (Ipv4, base, Some(base)),
            (
                Ipv4,
                "-j CLUSTERIP --new --hashmode sourceip-sourceport --clustermac 1::::: --total-nodes 16 --local-node 16",
                Some("-j CLUSTERIP --new --hashmode sourceip-sourceport --clustermac 01:00:00:00:00:00 --total-nodes 16 --local-node 16 --hash-init 0"),
            ),
            (Ipv4, "-j CLUSTERIP --new --hashmode sourceip --clustermac 02:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1", None),
            (Ipv4, "-j CLUSTERIP --new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 17 --local-node 1", None),
            (Ipv4, "-j CLUSTERIP --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1", None),
            (Ipv4, "-j CLUSTERIP --new --hashmode SOURCEIP --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1", None),
            // ip6tables has no CLUSTERIP target.
            (Ipv6, "-j CLUSTERIP", None),
        ]);
    }
}
