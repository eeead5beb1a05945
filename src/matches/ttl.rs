//! `-m ttl`: the IPv4 TTL compared with a value (`ipt_ttl.h`,
//! `struct ipt_ttl_info`). The comparison is shared with `-m hl`.

use iptkit_sys::ext::ipt_ttl::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{no_invert, uint_option};

/// How a TTL or hop limit is compared (`IPT_TTL_*`, `IP6T_HL_*`: the same numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TtlCmp {
    /// `--ttl-eq N`.
    Eq,
    /// `! --ttl-eq N`.
    Ne,
    /// `--ttl-lt N`.
    Lt,
    /// `--ttl-gt N`.
    Gt,
}

/// A comparison and the value compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TtlTest {
    /// How to compare.
    pub cmp: TtlCmp,
    /// The value.
    pub value: u8,
}

impl TtlTest {
    /// The kernel's `mode`.
    pub(crate) fn mode(&self) -> u8 {
        match self.cmp {
            TtlCmp::Eq => IPT_TTL_EQ,
            TtlCmp::Ne => IPT_TTL_NE,
            TtlCmp::Lt => IPT_TTL_LT,
            TtlCmp::Gt => IPT_TTL_GT,
        }
    }

    /// From the kernel's `mode` and value.
    pub(crate) fn from_kernel(ext: &str, mode: u8, value: u8) -> Result<TtlTest> {
        let cmp = match mode {
            IPT_TTL_EQ => TtlCmp::Eq,
            IPT_TTL_NE => TtlCmp::Ne,
            IPT_TTL_LT => TtlCmp::Lt,
            IPT_TTL_GT => TtlCmp::Gt,
            _ => return Err(Error::Malformed(format!("{ext}: mode {mode}"))),
        };
        Ok(TtlTest { cmp, value })
    }

    /// Takes `--PREFIX-eq`, `--PREFIX-lt` or `--PREFIX-gt` (only `eq`
    /// inverts; the three exclude one another). `Ok(false)` for other options.
    pub(crate) fn parse_option(
        slot: &mut Option<TtlTest>,
        prefix: &str,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<bool> {
        let Some(op) = option
            .strip_prefix(prefix)
            .and_then(|o| o.strip_prefix('-'))
        else {
            return Ok(false);
        };
        let name = format!("--{option}");
        let cmp = match op {
            "eq" if invert => TtlCmp::Ne,
            "eq" => TtlCmp::Eq,
            "lt" | "gt" => {
                no_invert(prefix, &name, invert)?;
                if op == "lt" {
                    TtlCmp::Lt
                } else {
                    TtlCmp::Gt
                }
            }
            _ => return Ok(false),
        };
        let value = uint_option(prefix, &name, args.value(&name)?, 0, 255)? as u8;
        if slot.is_some() {
            return Err(Error::rule(
                &name,
                format!(
                    "{prefix}: only one of --{prefix}-eq, --{prefix}-lt and --{prefix}-gt, once"
                ),
            ));
        }
        *slot = Some(TtlTest { cmp, value });
        Ok(true)
    }

    /// Refuses a rule without a test.
    pub(crate) fn required(slot: &Option<TtlTest>, prefix: &str) -> Result<()> {
        if slot.is_none() {
            return Err(Error::rule(
                prefix,
                format!(
                    "{} match: You must specify one of `--{prefix}-eq', `--{prefix}-lt', `--{prefix}-gt'",
                    prefix.to_ascii_uppercase()
                ),
            ));
        }
        Ok(())
    }

    /// ` [!] --PREFIX-OP N`.
    pub(crate) fn save(&self, prefix: &str, out: &mut String) {
        let (bang, op) = match self.cmp {
            TtlCmp::Eq => ("", "eq"),
            TtlCmp::Ne => (" !", "eq"),
            TtlCmp::Lt => ("", "lt"),
            TtlCmp::Gt => ("", "gt"),
        };
        push_fmt!(out, "{bang} --{prefix}-{op} {}", self.value);
    }
}

/// `-m ttl` (IPv4 only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ttl {
    /// The test (required).
    pub test: Option<TtlTest>,
}

impl Ttl {
    /// `--ttl-eq value` and the others: the packet's TTL compared with `value`.
    ///
    /// ```
    /// use iptkit::{matches::ttl::{Ttl, TtlCmp}, Match};
    /// assert_eq!(Match::from(Ttl::new(TtlCmp::Lt, 2)).to_string(), "-m ttl --ttl-lt 2");
    /// ```
    pub fn new(cmp: TtlCmp, value: u8) -> Ttl {
        Ttl {
            test: Some(TtlTest { cmp, value }),
        }
    }
}

impl Extension for Ttl {
    const NAME: &'static str = "ttl";
    const FAMILIES: &'static [Family] = &[Family::Ipv4];

    fn example(_family: Family) -> Self {
        Ttl::new(TtlCmp::Eq, 64)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Ttl { test: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ipt_ttl_info = read_struct(Self::NAME, revision, data)?;
        Ok(Ttl {
            test: Some(TtlTest::from_kernel(Self::NAME, k.mode, k.ttl)?),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ipt_ttl_info::zeroed();
        if let Some(t) = self.test {
            k.mode = t.mode();
            k.ttl = t.value;
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
        // libipt_ttl has `--ttl` as another name of `--ttl-eq`.
        let option = if option == "ttl" { "ttl-eq" } else { option };
        TtlTest::parse_option(&mut self.test, "ttl", option, invert, args)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        TtlTest::required(&self.test, "ttl")
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.test {
            t.save("ttl", out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let t: Ttl = parse_opts(&ctx, &["!", "--ttl-eq", "255"]).unwrap();
        bytes_both_ways(&ctx, &t, &[1, 255]);
        let t: Ttl = parse_opts(&ctx, &["--ttl-gt", "0"]).unwrap();
        bytes_both_ways(&ctx, &t, &[3, 0]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        assert_eq!(r("-m ttl ! --ttl-eq 0").unwrap(), " -m ttl ! --ttl-eq 0");
        assert_eq!(r("-m ttl --ttl-lt 0x10").unwrap(), " -m ttl --ttl-lt 16");
        for bad in [
            "-m ttl",
            "-m ttl --ttl-eq 256",
            "-m ttl --ttl-eq -1",
            "-m ttl --ttl-lt 5 --ttl-eq 5",
            "-m ttl --ttl-eq 5 --ttl-eq 6",
            "-m ttl ! --ttl-lt 5",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
        assert!(round(Family::Ipv6, "-m ttl --ttl-eq 5").is_err());
    }
}
