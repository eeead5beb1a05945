//! `-j CHECKSUM`: fill in the checksum of packets that lack one
//! (`xt_CHECKSUM.h`, `struct xt_CHECKSUM_info`).

use iptkit_sys::ext::xt_checksum::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

/// `-j CHECKSUM --checksum-fill`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checksum {
    /// `--checksum-fill` (the only operation, and required by iptables; a
    /// rule without it does nothing).
    pub fill: bool,
}

impl Default for Checksum {
    /// `--checksum-fill`.
    fn default() -> Self {
        Checksum { fill: true }
    }
}

const O_FILL: usize = 0;
const OPTS: &[Opt] = &[Opt::new("checksum-fill").mand()];

impl Extension for Checksum {
    const NAME: &'static str = "CHECKSUM";

    fn example(_family: crate::addr::Family) -> Self {
        Checksum::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Checksum::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_CHECKSUM_info = read_struct(Self::NAME, revision, data)?;
        if k.operation & !XT_CHECKSUM_OP_FILL != 0 {
            return Err(Error::Malformed(format!(
                "CHECKSUM: operation {:#x}",
                k.operation
            )));
        }
        Ok(Checksum {
            fill: k.operation & XT_CHECKSUM_OP_FILL != 0,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_CHECKSUM_info::zeroed();
        if self.fill {
            k.operation = XT_CHECKSUM_OP_FILL;
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        _args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "checksum-fill" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_FILL, invert)?;
        self.fill = true;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.fill {
            out.push_str(" --checksum-fill");
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
        // `-j CHECKSUM --checksum-fill`, as the kernel holds it.
        both_ways(Ipv4, &Checksum::default(), &[1, 0, 0, 0, 0, 0, 0, 0]);
        let none = Checksum { fill: false };
        both_ways(Ipv6, &none, &[0; 8]);
        assert!(Checksum::decode(&Ctx::new(Ipv4), 0, &[2]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j CHECKSUM --checksum-fill",
                Some("-j CHECKSUM --checksum-fill"),
            ),
            (
                Ipv6,
                "-j CHECKSUM --checksum-fill",
                Some("-j CHECKSUM --checksum-fill"),
            ),
            (Ipv4, "-j CHECKSUM", None),
            (Ipv6, "-j CHECKSUM", None),
            (Ipv4, "-j CHECKSUM --checksum-fill --checksum-fill", None),
            (Ipv4, "-j CHECKSUM ! --checksum-fill", None),
        ]);
    }
}
