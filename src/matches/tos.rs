//! `-m tos`: the TOS byte of the IP header under a mask (`xt_dscp.h`,
//! `struct xt_tos_match_info`, revision 1 — the only one the kernel
//! registers; iptables' revision 0 struct `ipt_tos_info` is gone from it).

use iptkit_sys::ext::xt_dscp::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::strtoul;
use crate::xtopt::Seen;

/// The symbolic TOS values iptables knows (`tos_symbol_names`).
const SYMBOLS: [(&str, u8); 5] = [
    ("Minimize-Cost", 0x02),
    ("Maximize-Reliability", 0x04),
    ("Maximize-Throughput", 0x08),
    ("Minimize-Delay", 0x10),
    ("Normal-Service", 0x00),
];

/// A TOS value and the bits of the TOS byte it is compared under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TosMask {
    /// The value.
    pub value: u8,
    /// The bits compared.
    pub mask: u8,
}

/// Reads `VALUE[/MASK]` or a symbolic name as `XTTYPE_TOSMASK` does; a
/// number alone has mask 0xff, a name `name_mask` (0x3f for the match).
pub(crate) fn parse_tos_mask(option: &str, s: &str, name_mask: u8) -> Result<TosMask> {
    let bad = || Error::value(option, s, "bad TOS value");
    if let Some((value, rest)) = strtoul(s).filter(|(v, _)| *v <= 0xff) {
        let mask = match rest.strip_prefix('/') {
            None if rest.is_empty() => 0xff,
            None => return Err(bad()),
            Some(m) => match strtoul(m) {
                Some((m, "")) if m <= 0xff => m,
                _ => return Err(bad()),
            },
        };
        return Ok(TosMask {
            value: value as u8,
            mask: mask as u8,
        });
    }
    SYMBOLS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|&(_, value)| TosMask {
            value,
            mask: name_mask,
        })
        .ok_or_else(|| Error::value(option, s, format!("Symbolic name \"{s}\" is unknown")))
}

/// `-m tos`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tos {
    /// `[!] --tos VALUE[/MASK]` (required).
    pub tos: Option<Inv<TosMask>>,
}

impl Tos {
    /// `--tos value/mask`: the TOS field, of the bits in `mask`, is `value`.
    ///
    /// ```
    /// use iptkit::{matches::tos::Tos, Match};
    /// assert_eq!(Match::from(Tos::new(0x10, 0x3f)).to_string(), "-m tos --tos 0x10/0x3f");
    /// ```
    pub fn new(value: u8, mask: u8) -> Tos {
        Tos {
            tos: Some(Inv::is(TosMask { value, mask })),
        }
    }
}

impl Extension for Tos {
    const NAME: &'static str = "tos";
    const REVISIONS: &'static [u8] = &[1];

    fn example(_family: crate::addr::Family) -> Self {
        Tos::new(0x10, 0x3f)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Tos { tos: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tos_match_info = read_struct(Self::NAME, revision, data)?;
        if k.invert > 1 {
            return Err(Error::Malformed(format!("tos: invert {}", k.invert)));
        }
        let t = TosMask {
            value: k.tos_value,
            mask: k.tos_mask,
        };
        Ok(Tos {
            tos: Some(Inv::new(t, k.invert != 0)),
        })
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tos_match_info::zeroed();
        if let Some(t) = self.tos {
            k.tos_value = t.value.value;
            k.tos_mask = t.value.mask;
            k.invert = t.invert.into();
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        if option != "tos" {
            return Ok(false);
        }
        let t = parse_tos_mask("--tos", args.value("--tos")?, 0x3f)?;
        set_once(&mut self.tos, "--tos", Inv::new(t, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.tos.is_none() {
            return Err(Error::rule("tos", "option \"--tos\" must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.tos {
            push_fmt!(
                out,
                "{} --tos 0x{:02x}/0x{:02x}",
                t.bang(),
                t.value.value,
                t.value.mask
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-m tos ! --tos Minimize-Delay`: mask, value, invert.
        let t: Tos = parse_opts(&ctx, &["!", "--tos", "Minimize-Delay"]).unwrap();
        bytes_both_ways(&ctx, &t, &[0x3f, 0x10, 1]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv6, s);
        assert_eq!(
            r("-m tos --tos minimize-delay").unwrap(),
            " -m tos --tos 0x10/0x3f"
        );
        assert_eq!(
            r("-m tos ! --tos 0xff").unwrap(),
            " -m tos ! --tos 0xff/0xff"
        );
        assert_eq!(r("-m tos --tos 5/7").unwrap(), " -m tos --tos 0x05/0x07");
        for bad in [
            "-m tos",
            "-m tos --tos wrong",
            "-m tos --tos 256",
            "-m tos --tos Minimize-Cost/0x3f",
            "-m tos --tos 0x10/",
            "-m tos --tos 0x1 --tos 0x2",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
