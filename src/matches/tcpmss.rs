//! `-m tcpmss`: the MSS option of TCP SYN packets (`xt_tcpmss.h`,
//! `struct xt_tcpmss_match_info`).

use iptkit_sys::ext::xt_tcpmss::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::uint_range;
use crate::xtopt::Seen;

/// An inclusive MSS range; one value has `min == max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MssRange {
    /// Lowest MSS.
    pub min: u16,
    /// Highest MSS.
    pub max: u16,
}

/// `-m tcpmss`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tcpmss {
    /// `--mss VALUE[:VALUE]` (required).
    pub mss: Option<Inv<MssRange>>,
}

impl Tcpmss {
    /// `--mss min:max`: the MSS option of a SYN is in the range.
    ///
    /// ```
    /// use iptkit::{matches::tcpmss::Tcpmss, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_match(Tcpmss::new(1, 536));
    /// assert_eq!(rule.to_string(), "-p tcp -m tcpmss --mss 1:536");
    /// ```
    pub fn new(min: u16, max: u16) -> Tcpmss {
        Tcpmss {
            mss: Some(Inv::is(MssRange { min, max })),
        }
    }
}

impl Extension for Tcpmss {
    const NAME: &'static str = "tcpmss";

    fn example(_family: crate::addr::Family) -> Self {
        Tcpmss::new(1, 536)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Tcpmss { mss: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tcpmss_match_info = read_struct(Self::NAME, revision, data)?;
        if k.invert > 1 {
            return Err(Error::Malformed(format!("tcpmss: invert {}", k.invert)));
        }
        let r = MssRange {
            min: k.mss_min,
            max: k.mss_max,
        };
        Ok(Tcpmss {
            mss: Some(Inv::new(r, k.invert != 0)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tcpmss_match_info::zeroed();
        if let Some(m) = self.mss {
            k.mss_min = m.value.min;
            k.mss_max = m.value.max;
            k.invert = m.invert.into();
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
        if option != "mss" {
            return Ok(false);
        }
        let v = args.value("--mss")?;
        let (min, max) = uint_range("tcpmss", "--mss", v, u16::MAX.into())?;
        let max = max.unwrap_or(min);
        if min > max {
            return Err(Error::value("--mss", v, "tcpmss: invalid range given"));
        }
        let r = MssRange {
            min: min as u16,
            max: max as u16,
        };
        set_once(&mut self.mss, "--mss", Inv::new(r, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.mss.is_none() {
            return Err(Error::rule("tcpmss", "option \"--mss\" must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(m) = self.mss {
            push_fmt!(out, "{} --mss {}", m.bang(), m.value.min);
            if m.value.min != m.value.max {
                push_fmt!(out, ":{}", m.value.max);
            }
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
        // `-p tcp -m tcpmss ! --mss 5:6`.
        let t: Tcpmss = parse_opts(&ctx, &["!", "--mss", "5:6"]).unwrap();
        bytes_both_ways(&ctx, &t, &[5, 0, 6, 0, 1, 0]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv6, s);
        assert_eq!(
            r("-p tcp -m tcpmss --mss :").unwrap(),
            " -p tcp -m tcpmss --mss 0:65535"
        );
        assert_eq!(
            r("-p tcp -m tcpmss --mss 42:42").unwrap(),
            " -p tcp -m tcpmss --mss 42"
        );
        assert_eq!(
            r("-p tcp -m tcpmss --mss 42:").unwrap(),
            " -p tcp -m tcpmss --mss 42:65535"
        );
        assert_eq!(
            r("-p tcp -m tcpmss --mss \"\"").unwrap(),
            " -p tcp -m tcpmss --mss 0"
        );
        for bad in [
            "-p tcp -m tcpmss",
            "-p tcp -m tcpmss --mss 42:65536",
            "-p tcp -m tcpmss --mss 65535:1000",
            "-p tcp -m tcpmss --mss 5 --mss 6",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
