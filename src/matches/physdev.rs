//! `-m physdev`: the bridge ports of a bridged packet (`xt_physdev.h`,
//! `struct xt_physdev_info`).

use iptkit_sys::ext::xt_physdev::*;
use iptkit_sys::xtables::IFNAMSIZ;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::xtopt::Seen;

/// `-m physdev`. Each test is `None` when not made; a `bool` test is
/// `Some(true)` for `--physdev-is-...` and `Some(false)` for `! --physdev-is-...`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Physdev {
    /// `[!] --physdev-in NAME[+]`: the bridge port the packet came in on.
    pub physdev_in: Option<Inv<Iface>>,
    /// `[!] --physdev-out NAME[+]`: the bridge port the packet goes out on.
    pub physdev_out: Option<Inv<Iface>>,
    /// `[!] --physdev-is-in`: the packet came in through a bridge port.
    pub is_in: Option<bool>,
    /// `[!] --physdev-is-out`: the packet goes out through a bridge port.
    pub is_out: Option<bool>,
    /// `[!] --physdev-is-bridged`: the packet is bridged, not routed.
    pub is_bridged: Option<bool>,
}

impl Physdev {
    /// `--physdev-in port`: the packet came in on bridge port `port`.
    ///
    /// ```
    /// use iptkit::{matches::physdev::Physdev, Iface, Match};
    /// let m = Match::from(Physdev::physdev_in(Iface::new("veth0")?));
    /// assert_eq!(m.to_string(), "-m physdev --physdev-in veth0");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn physdev_in(port: Iface) -> Physdev {
        Physdev {
            physdev_in: Some(Inv::is(port)),
            ..Physdev::empty()
        }
    }

    /// `--physdev-out port`: the packet goes out on bridge port `port`.
    pub fn physdev_out(port: Iface) -> Physdev {
        Physdev {
            physdev_out: Some(Inv::is(port)),
            ..Physdev::empty()
        }
    }

    /// `--physdev-is-bridged`: the packet is bridged, not routed.
    pub fn is_bridged() -> Physdev {
        Physdev {
            is_bridged: Some(true),
            ..Physdev::empty()
        }
    }

    /// No test yet (not valid alone): what parsing starts from.
    fn empty() -> Physdev {
        Physdev {
            physdev_in: None,
            physdev_out: None,
            is_in: None,
            is_out: None,
            is_bridged: None,
        }
    }
}

const O_IN: u32 = 1;
const O_OUT: u32 = 2;
const O_IS_IN: u32 = 4;
const O_IS_OUT: u32 = 8;
const O_IS_BRIDGED: u32 = 16;

/// The port of one direction, from its kernel bit and name/mask pair.
fn port(
    k: &xt_physdev_info,
    bit: u8,
    name: &[u8; IFNAMSIZ],
    mask: &[u8; IFNAMSIZ],
) -> Result<Option<Inv<Iface>>> {
    let iface = Iface::from_kernel(name, mask)?;
    if k.bitmask & bit == 0 {
        // iptables leaves an unused port all zero; anything else is kept raw.
        return match iface {
            None => Ok(None),
            Some(_) => Err(Error::Malformed("physdev: name of an unused port".into())),
        };
    }
    let iface = match iface {
        Some(i) => i,
        None => Iface::new("")?,
    };
    Ok(Some(Inv::new(iface, k.invert & bit != 0)))
}

/// One of the `--physdev-is-*` tests, from its kernel bit.
fn test(k: &xt_physdev_info, bit: u8) -> Option<bool> {
    (k.bitmask & bit != 0).then_some(k.invert & bit == 0)
}

impl Extension for Physdev {
    const NAME: &'static str = "physdev";

    fn example(_family: crate::addr::Family) -> Self {
        Physdev::is_bridged()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Physdev::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_physdev_info = read_struct(Self::NAME, revision, data)?;
        if k.bitmask & !XT_PHYSDEV_OP_MASK != 0 || k.invert & !k.bitmask != 0 {
            return Err(Error::Malformed(format!(
                "physdev: bitmask {:#x}, invert {:#x}",
                k.bitmask, k.invert
            )));
        }
        Ok(Physdev {
            physdev_in: port(&k, XT_PHYSDEV_OP_IN, &k.physindev, &k.in_mask)?,
            physdev_out: port(&k, XT_PHYSDEV_OP_OUT, &k.physoutdev, &k.out_mask)?,
            is_in: test(&k, XT_PHYSDEV_OP_ISIN),
            is_out: test(&k, XT_PHYSDEV_OP_ISOUT),
            is_bridged: test(&k, XT_PHYSDEV_OP_BRIDGED),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_physdev_info::zeroed();
        let mut set = |bit: u8, invert: bool| {
            k.bitmask |= bit;
            if invert {
                k.invert |= bit;
            }
        };
        for (bit, t) in [
            (XT_PHYSDEV_OP_ISIN, self.is_in),
            (XT_PHYSDEV_OP_ISOUT, self.is_out),
            (XT_PHYSDEV_OP_BRIDGED, self.is_bridged),
        ] {
            if let Some(positive) = t {
                set(bit, !positive);
            }
        }
        if let Some(p) = &self.physdev_in {
            set(XT_PHYSDEV_OP_IN, p.invert);
            (k.physindev, k.in_mask) = p.value.to_kernel();
        }
        if let Some(p) = &self.physdev_out {
            set(XT_PHYSDEV_OP_OUT, p.invert);
            (k.physoutdev, k.out_mask) = p.value.to_kernel();
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
        match option {
            "physdev-in" | "physdev-out" => {
                let bit = if option == "physdev-in" { O_IN } else { O_OUT };
                seen.take(Self::NAME, option, bit, invert, true)?;
                let iface = Some(Inv::new(Iface::new(args.value(option)?)?, invert));
                if bit == O_IN {
                    self.physdev_in = iface;
                } else {
                    self.physdev_out = iface;
                }
            }
            "physdev-is-in" => {
                seen.take(Self::NAME, option, O_IS_IN, invert, true)?;
                self.is_in = Some(!invert);
            }
            "physdev-is-out" => {
                seen.take(Self::NAME, option, O_IS_OUT, invert, true)?;
                self.is_out = Some(!invert);
            }
            "physdev-is-bridged" => {
                seen.take(Self::NAME, option, O_IS_BRIDGED, invert, true)?;
                self.is_bridged = Some(!invert);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_IN | O_OUT | O_IS_IN | O_IS_OUT | O_IS_BRIDGED) {
            return Err(Error::rule(Self::NAME, "no physdev option specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let test = |out: &mut String, t: Option<bool>, option: &str| {
            if let Some(positive) = t {
                out.push_str(if positive { "" } else { " !" });
                out.push_str(option);
            }
        };
        let port = |out: &mut String, p: &Option<Inv<Iface>>, option: &str| {
            if let Some(p) = p {
                push_fmt!(out, "{}{option} {}", p.bang(), p.value);
            }
        };
        test(out, self.is_in, " --physdev-is-in");
        port(out, &self.physdev_in, " --physdev-in");
        test(out, self.is_out, " --physdev-is-out");
        port(out, &self.physdev_out, " --physdev-out");
        test(out, self.is_bridged, " --physdev-is-bridged");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Physdev> {
        parse_as(Family::Ipv4, "physdev", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let bytes = hex(concat!(
            "6574682b000000000000000000000000ffffff00000000000000000000000000",
            "62723000000000000000000000000000ffffffff000000000000000000000000",
            "0a0f"
        ));
        let m = parse(&[
            "!",
            "--physdev-is-in",
            "--physdev-in",
            "eth+",
            "!",
            "--physdev-out",
            "br0",
            "--physdev-is-bridged",
        ])
        .unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Physdev::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(
            save_as(&m),
            " ! --physdev-is-in --physdev-in eth+ ! --physdev-out br0 --physdev-is-bridged"
        );
        // `--physdev-out "" ! --physdev-is-out`
        let mut bytes = vec![0; 64];
        bytes.extend(hex("1012"));
        let m = Physdev::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(save_as(&m), " ! --physdev-is-out --physdev-out ");
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert!(Physdev::decode(&ctx, 0, &{
            let mut b = vec![0; 64];
            b.extend(hex("0100"));
            b
        })
        .is_err());
    }

    #[test]
    fn refusals() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--physdev-in", "0123456789012345"]).is_err());
        assert!(parse(&["--physdev-in", "a", "--physdev-in", "b"]).is_err());
        assert!(parse(&["--physdev-is-in", "--physdev-is-in"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (
                46,
                "-m physdev --physdev-in lo",
                Some(" -m physdev --physdev-in lo"),
            ),
            (
                46,
                "-m physdev --physdev-is-in --physdev-in lo",
                Some(" -m physdev --physdev-is-in --physdev-in lo"),
            ),
            (
                46,
                "-m physdev --physdev-in lo --physdev-is-bridged",
                Some(" -m physdev --physdev-in lo --physdev-is-bridged"),
            ),
            (
                46,
                "-m physdev --physdev-out lo --physdev-is-bridged",
                Some(" -m physdev --physdev-out lo --physdev-is-bridged"),
            ),
        ]);
    }
}
