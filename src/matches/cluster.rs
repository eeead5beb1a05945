//! `-m cluster`: spread connections over the nodes of a cluster by a hash of
//! their source address (`xt_cluster.h`, `struct xt_cluster_match_info`).

use iptkit_sys::ext::xt_cluster::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{uint_option, Seen};

/// `-m cluster`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cluster {
    /// `--cluster-total-nodes`: nodes in the cluster, 1 to 32.
    pub total_nodes: u32,
    /// `[!] --cluster-local-nodemask`: the nodes this one stands for, bit
    /// N-1 for node N (`--cluster-local-node N` sets one bit).
    pub node_mask: Inv<u32>,
    /// `--cluster-hash-seed`.
    pub hash_seed: u32,
}

impl Cluster {
    /// A cluster match.
    pub fn with(total_nodes: u32, node_mask: Inv<u32>, hash_seed: u32) -> Self {
        Cluster {
            total_nodes,
            node_mask,
            hash_seed,
        }
    }
}

const O_TOTAL: u32 = 1;
const O_NODE: u32 = 2;
const O_NODEMASK: u32 = 4;
const O_SEED: u32 = 8;

impl Extension for Cluster {
    const NAME: &'static str = "cluster";

    fn example(_family: crate::addr::Family) -> Self {
        // Node 1 of 2.
        Cluster::with(2, Inv::is(1), 0)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No nodes until the options give them.
        Cluster::with(0, Inv::is(0), 0)
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_cluster_match_info = read_struct(Self::NAME, revision, data)?;
        if k.flags & !XT_CLUSTER_F_INV != 0 {
            return Err(Error::Malformed(format!(
                "cluster: unknown flags {:#x}",
                k.flags
            )));
        }
        Ok(Cluster::with(
            k.total_nodes,
            Inv::new(k.node_mask, k.flags & XT_CLUSTER_F_INV != 0),
            k.hash_seed,
        ))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_cluster_match_info::zeroed();
        k.total_nodes = self.total_nodes;
        k.node_mask = self.node_mask.value;
        k.hash_seed = self.hash_seed;
        if self.node_mask.invert {
            k.flags = XT_CLUSTER_F_INV;
        }
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
        let nodes = |args: &mut Args| -> Result<u32> {
            let v = args.value(option)?;
            let max = u64::from(XT_CLUSTER_NODES_MAX);
            Ok(uint_option(Self::NAME, option, v, 1, max)? as u32)
        };
        match option {
            "cluster-total-nodes" => {
                seen.take(Self::NAME, option, O_TOTAL, invert, false)?;
                self.total_nodes = nodes(args)?;
            }
            "cluster-local-node" => {
                seen.take(Self::NAME, option, O_NODE, invert, true)?;
                self.node_mask = Inv::new(1 << (nodes(args)? - 1), invert);
            }
            "cluster-local-nodemask" => {
                seen.take(Self::NAME, option, O_NODEMASK, invert, true)?;
                self.node_mask = Inv::new(nodes(args)?, invert);
            }
            "cluster-hash-seed" => {
                seen.take(Self::NAME, option, O_SEED, invert, false)?;
                let v = args.value(option)?;
                self.hash_seed = uint_option(Self::NAME, option, v, 0, u64::from(u32::MAX))? as u32;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        let s = seen;
        // cluster_check runs before the generic checks, as in iptables.
        if s.has(O_TOTAL) && s.has(O_SEED) && s.has(O_NODE | O_NODEMASK) {
            let limit = 1u64.checked_shl(self.total_nodes).unwrap_or(u64::MAX);
            if u64::from(self.node_mask.value) >= limit {
                return Err(Error::rule(
                    Self::NAME,
                    "the local node (mask) is beyond `--cluster-total-nodes'",
                ));
            }
        } else if !s.has(O_NODE | O_NODEMASK) {
            return Err(Error::rule(
                Self::NAME,
                "`--cluster-local-node' or `--cluster-local-nodemask' is missing",
            ));
        }
        s.require(Self::NAME, "cluster-total-nodes", O_TOTAL)?;
        s.require(Self::NAME, "cluster-hash-seed", O_SEED)?;
        s.exclude(
            Self::NAME,
            ("cluster-local-node", O_NODE),
            ("cluster-local-nodemask", O_NODEMASK),
        )
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(
            out,
            "{} --cluster-local-nodemask 0x{:08x} --cluster-total-nodes {} --cluster-hash-seed 0x{:08x}",
            self.node_mask.bang(),
            self.node_mask.value,
            self.total_nodes,
            self.hash_seed
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Cluster> {
        parse_as(Family::Ipv4, "cluster", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let bytes = hex("04000000040000003412000001000000");
        let m = parse(&[
            "!",
            "--cluster-local-node",
            "3",
            "--cluster-total-nodes",
            "4",
            "--cluster-hash-seed",
            "0x1234",
        ])
        .unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Cluster::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(
            save_as(&m),
            " ! --cluster-local-nodemask 0x00000004 --cluster-total-nodes 4 --cluster-hash-seed 0x00001234"
        );
        assert!(Cluster::decode(&ctx, 0, &hex("04000000040000003412000002000000")).is_err());
    }

    #[test]
    fn refusals() {
        let with = |extra: &[&str]| {
            let mut w = vec!["--cluster-total-nodes", "6", "--cluster-hash-seed", "5"];
            w.extend_from_slice(extra);
            parse(&w)
        };
        assert!(with(&["--cluster-local-nodemask", "32"]).is_ok());
        assert!(with(&["--cluster-local-nodemask", "33"]).is_err());
        assert!(with(&["--cluster-local-node", "7"]).is_err());
        assert!(with(&["--cluster-local-node", "0"]).is_err());
        assert!(with(&["--cluster-local-node", "1", "--cluster-local-nodemask", "1"]).is_err());
        assert!(with(&[]).is_err());
        assert!(parse(&["--cluster-total-nodes", "2", "--cluster-local-node", "2"]).is_err());
        assert!(parse(&["--cluster-local-node", "2", "--cluster-hash-seed", "1"]).is_err());
        assert!(with(&["!", "--cluster-hash-seed", "1"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m cluster", None),
            (46, "-m cluster --cluster-total-nodes 3", None),
            (46, "-m cluster --cluster-total-nodes 2 --cluster-local-node 2", None),
            (46, "-m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed", None),
            (46, "-m cluster --cluster-total-nodes 2 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe", Some(" -m cluster --cluster-local-nodemask 0x00000002 --cluster-total-nodes 2 --cluster-hash-seed 0xfeedcafe")),
        ]);
    }
}
