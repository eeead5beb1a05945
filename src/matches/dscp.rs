//! `-m dscp`: the DSCP field of the IP header (`xt_dscp.h`,
//! `struct xt_dscp_info`).

use iptkit_sys::ext::xt_dscp::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::uint_option;
use crate::xtopt::Seen;

/// DiffServ class names and their DSCP values (iptables' `dscp_helper.c`),
/// in its order.
const CLASSES: [(&str, u8); 22] = [
    ("CS0", 0x00),
    ("CS1", 0x08),
    ("CS2", 0x10),
    ("CS3", 0x18),
    ("CS4", 0x20),
    ("CS5", 0x28),
    ("CS6", 0x30),
    ("CS7", 0x38),
    ("BE", 0x00),
    ("AF11", 0x0a),
    ("AF12", 0x0c),
    ("AF13", 0x0e),
    ("AF21", 0x12),
    ("AF22", 0x14),
    ("AF23", 0x16),
    ("AF31", 0x1a),
    ("AF32", 0x1c),
    ("AF33", 0x1e),
    ("AF41", 0x22),
    ("AF42", 0x24),
    ("AF43", 0x26),
    ("EF", 0x2e),
];

/// The DSCP value of a class name (`CS1`, `AF41`, `EF`; any case), as the
/// `dscp` match and the `DSCP` target read `--dscp-class` (`class_to_dscp`
/// compares only the class name's length: `EFG` is `EF`, as in iptables).
pub fn class_to_dscp(name: &str) -> Option<u8> {
    CLASSES
        .iter()
        .find(|(n, _)| {
            name.get(..n.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(n))
        })
        .map(|&(_, v)| v)
}

/// `-m dscp`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dscp {
    /// `[!] --dscp N` or `[!] --dscp-class NAME` (required), 0 to 63.
    pub dscp: Option<Inv<u8>>,
}

impl Dscp {
    /// `--dscp dscp`: the DSCP field; refused above 63 (six bits), as the
    /// kernel refuses it.
    ///
    /// ```
    /// use iptkit::{matches::dscp::Dscp, Match};
    /// assert_eq!(Match::from(Dscp::new(46)?).to_string(), "-m dscp --dscp 0x2e");
    /// assert!(Dscp::new(64).is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(dscp: u8) -> Result<Dscp> {
        if dscp > XT_DSCP_MAX {
            return Err(Error::value(
                "--dscp",
                dscp.to_string(),
                "DSCP out of range",
            ));
        }
        Ok(Dscp {
            dscp: Some(Inv::is(dscp)),
        })
    }
}

impl Extension for Dscp {
    const NAME: &'static str = "dscp";

    fn example(_family: crate::addr::Family) -> Self {
        Dscp::new(46).expect("a six-bit DSCP")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Dscp { dscp: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_dscp_info = read_struct(Self::NAME, revision, data)?;
        if k.invert > 1 {
            return Err(Error::Malformed(format!("dscp: invert {}", k.invert)));
        }
        Ok(Dscp {
            dscp: Some(Inv::new(k.dscp, k.invert != 0)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_dscp_info::zeroed();
        if let Some(d) = self.dscp {
            k.dscp = d.value;
            k.invert = d.invert.into();
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
        let value = match option {
            "dscp" => {
                let v = args.value("--dscp")?;
                uint_option("dscp", "--dscp", v, 0, XT_DSCP_MAX.into())? as u8
            }
            "dscp-class" => {
                let v = args.value("--dscp-class")?;
                class_to_dscp(v).ok_or_else(|| {
                    Error::value("--dscp-class", v, format!("Invalid DSCP value `{v}'"))
                })?
            }
            _ => return Ok(false),
        };
        if self.dscp.is_some() {
            return Err(Error::rule(
                "dscp",
                "only one of --dscp and --dscp-class, once",
            ));
        }
        self.dscp = Some(Inv::new(value, invert));
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.dscp.is_none() {
            return Err(Error::rule(
                "dscp",
                "DSCP match: Parameter --dscp is required",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(d) = self.dscp {
            push_fmt!(out, "{} --dscp 0x{:02x}", d.bang(), d.value);
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
        let ctx = Ctx::new(Family::Ipv6);
        // iptables-legacy 1.8.9 saves `--dscp-class EFG` as `--dscp 0x2e`.
        let d: Dscp = parse_opts(&ctx, &["--dscp-class", "EFG"]).unwrap();
        assert_eq!(d.dscp, Some(Inv::is(0x2e)));
        let d: Dscp = parse_opts(&ctx, &["!", "--dscp-class", "af11"]).unwrap();
        bytes_both_ways(&ctx, &d, &[0x0a, 1]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        assert_eq!(r("-m dscp --dscp 10").unwrap(), " -m dscp --dscp 0x0a");
        assert_eq!(
            r("-m dscp --dscp-class EF").unwrap(),
            " -m dscp --dscp 0x2e"
        );
        assert_eq!(
            r("-m dscp --dscp-class cs7").unwrap(),
            " -m dscp --dscp 0x38"
        );
        for bad in [
            "-m dscp",
            "-m dscp --dscp 0x40",
            "-m dscp --dscp -1",
            "-m dscp --dscp 0x3f --dscp-class CS0",
            "-m dscp --dscp-class XX",
            "-m dscp --dscp 1 --dscp 2",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
