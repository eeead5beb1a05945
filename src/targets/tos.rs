//! `-j TOS`: change the IPv4 TOS / IPv6 traffic class byte (`xt_DSCP.h`,
//! `struct xt_tos_target_info`, revision 1).

use iptkit_sys::ext::xt_dscp_target::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{strtoul, uint_option, Opt, Seen};

/// The TOS names iptables knows (`tos_symbol_names`), with their values.
pub(crate) const TOS_NAMES: &[(&str, u8)] = &[
    ("Minimize-Delay", 0x10),
    ("Maximize-Throughput", 0x08),
    ("Maximize-Reliability", 0x04),
    ("Minimize-Cost", 0x02),
    ("Normal-Service", 0x00),
];

/// `VALUE[/MASK]` or a TOS name, as `XTTYPE_TOSMASK` options read it. A
/// number without a mask gets 0xff; a name gets `name_mask`.
pub(crate) fn parse_tos_mask(option: &str, s: &str, name_mask: u8) -> Result<(u8, u8)> {
    let illegal = || Error::value(option, s, "illegal value");
    match strtoul(s) {
        Some((value, rest)) if value <= 0xff => {
            let (mask, rest) = match rest.strip_prefix('/') {
                Some(m) => strtoul(m).filter(|&(v, _)| v <= 0xff).ok_or_else(illegal)?,
                None => (0xff, rest),
            };
            if !rest.is_empty() {
                return Err(illegal());
            }
            Ok((value as u8, mask as u8))
        }
        _ => TOS_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, v)| (v, name_mask))
            .ok_or_else(|| Error::value(option, s, "unknown TOS name")),
    }
}

/// `-j TOS`: the TOS byte `t` becomes `(t & !mask) ^ value`.
///
/// iptables-save prints every form as `--set-tos VALUE/MASK`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TosTarget {
    /// Bits XORed in after clearing.
    pub value: u8,
    /// Bits cleared first.
    pub mask: u8,
}

impl TosTarget {
    /// `--set-tos value/mask`.
    pub fn set(value: u8, mask: u8) -> TosTarget {
        TosTarget { value, mask }
    }
}

const O_SET_TOS: usize = 0;
const O_AND_TOS: usize = 1;
const O_OR_TOS: usize = 2;
const O_XOR_TOS: usize = 3;
const F_ANY: u32 = 0b1111;
const OPTS: &[Opt] = &[
    Opt::new("set-tos").excl(F_ANY),
    Opt::new("and-tos").excl(F_ANY),
    Opt::new("or-tos").excl(F_ANY),
    Opt::new("xor-tos").excl(F_ANY),
];

impl Extension for TosTarget {
    const NAME: &'static str = "TOS";
    const REVISIONS: &'static [u8] = &[1];

    fn example(_family: crate::addr::Family) -> Self {
        TosTarget::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        TosTarget::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tos_target_info = read_struct(Self::NAME, revision, data)?;
        Ok(TosTarget::set(k.tos_value, k.tos_mask))
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tos_target_info::zeroed();
        k.tos_value = self.value;
        k.tos_mask = self.mask;
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
        let v = args.value(&format!("--{option}"))?;
        if id == O_SET_TOS {
            // A name keeps the two ECN bits (mask 0x3f).
            (self.value, self.mask) = parse_tos_mask("TOS --set-tos", v, 0x3f)?;
            return Ok(true);
        }
        let n = uint_option(Self::NAME, option, v, 0, 0xff)? as u8;
        (self.value, self.mask) = match id {
            O_AND_TOS => (0, !n),
            O_OR_TOS => (n, n),
            O_XOR_TOS => (n, 0),
            _ => return Ok(false),
        };
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(Self::NAME, "an action is required"));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, " --set-tos 0x{:02x}/0x{:02x}", self.value, self.mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--set-tos Minimize-Delay` and `--set-tos 5`, as the kernel holds them.
        both_ways(
            Ipv4,
            &TosTarget::set(0x10, 0x3f),
            &[0x10, 0x3f, 0, 0, 0, 0, 0, 0],
        );
        both_ways(Ipv6, &TosTarget::set(5, 0xff), &[5, 0xff, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn text_like_iptables() {
        let mut cases = Vec::new();
        for family in [Ipv4, Ipv6] {
            cases.extend([
                (
                    family,
                    "-j TOS --set-tos 0x1f",
                    Some("-j TOS --set-tos 0x1f/0xff"),
                ),
                (
                    family,
                    "-j TOS --set-tos 0x1f/0x1f",
                    Some("-j TOS --set-tos 0x1f/0x1f"),
                ),
                (
                    family,
                    "-j TOS --set-tos Minimize-Delay",
                    Some("-j TOS --set-tos 0x10/0x3f"),
                ),
                (
                    family,
                    "-j TOS --set-tos Maximize-Throughput",
                    Some("-j TOS --set-tos 0x08/0x3f"),
                ),
                (
                    family,
                    "-j TOS --set-tos Maximize-Reliability",
                    Some("-j TOS --set-tos 0x04/0x3f"),
                ),
                (
                    family,
                    "-j TOS --set-tos Minimize-Cost",
                    Some("-j TOS --set-tos 0x02/0x3f"),
                ),
                (
                    family,
                    "-j TOS --set-tos Normal-Service",
                    Some("-j TOS --set-tos 0x00/0x3f"),
                ),
                (
                    family,
                    "-j TOS --and-tos 0x12",
                    Some("-j TOS --set-tos 0x00/0xed"),
                ),
                (
                    family,
                    "-j TOS --or-tos 0x12",
                    Some("-j TOS --set-tos 0x12/0x12"),
                ),
                (
                    family,
                    "-j TOS --xor-tos 0x12",
                    Some("-j TOS --set-tos 0x12/0x00"),
                ),
                (family, "-j TOS", None),
            ]);
        }
        cases.extend([
            (
                Ipv4,
                "-j TOS --set-tos minimize-delay",
                Some("-j TOS --set-tos 0x10/0x3f"),
            ),
            (
                Ipv4,
                "-j TOS --set-tos \" 5\"",
                Some("-j TOS --set-tos 0x05/0xff"),
            ),
            (Ipv4, "-j TOS --set-tos 0x1f/", None),
            (Ipv4, "-j TOS --set-tos 256", None),
            (Ipv4, "-j TOS --set-tos 0x10/0x3f/1", None),
            (Ipv4, "-j TOS --set-tos 0x1fx", None),
            (Ipv4, "-j TOS --set-tos 5/256", None),
            (Ipv4, "-j TOS --and-tos 0x12 --or-tos 1", None),
            (Ipv4, "-j TOS --set-tos 1 --set-tos 2", None),
            (Ipv4, "-j TOS --and-tos 256", None),
        ]);
        conformance_each(&cases);
    }
}
