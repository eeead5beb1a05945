//! `-m ipcomp`: CPI of an IP Payload Compression header (`xt_ipcomp.h`,
//! `struct xt_ipcomp`).

use iptkit_sys::ext::xt_ipcomp::*;
use iptkit_sys::Pod;

use super::spi::{save_spis, spis_from_kernel, spis_to_kernel, SpiRange};
use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{no_invert, once};

/// What iptables leaves in `spis` when `--ipcompspi` is not given: it has no
/// init function, so the range stays `0:0` (and iptables-save prints
/// `--ipcompspi 0` for it).
const UNSET: SpiRange = SpiRange { min: 0, max: 0 };

/// `-m ipcomp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ipcomp {
    /// `--ipcompspi SPI[:SPI]`; `None` is what iptables writes without it,
    /// the range `0:0`.
    pub spi: Option<Inv<SpiRange>>,
    /// `--compres`: the reserved field must be zero.
    pub res: bool,
}

impl Extension for Ipcomp {
    const NAME: &'static str = "ipcomp";

    fn example(_family: crate::addr::Family) -> Self {
        Ipcomp::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Ipcomp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_ipcomp = read_struct(Self::NAME, revision, data)?;
        if k.invflags & !XT_IPCOMP_INV_MASK != 0 || k.hdrres > 1 {
            return Err(Error::Malformed(format!(
                "ipcomp: unknown invflags {:#x} or hdrres {}",
                k.invflags, k.hdrres
            )));
        }
        Ok(Ipcomp {
            spi: spis_from_kernel(k.spis, k.invflags & XT_IPCOMP_INV_SPI != 0, UNSET),
            res: k.hdrres != 0,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_ipcomp::zeroed();
        let (spis, inv) = spis_to_kernel(&self.spi, UNSET);
        k.spis = spis;
        if inv {
            k.invflags |= XT_IPCOMP_INV_SPI;
        }
        k.hdrres = self.res.into();
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
        match option {
            "ipcompspi" => {
                let r = SpiRange::parse("ipcomp", "--ipcompspi", args.value("--ipcompspi")?)?;
                set_once(&mut self.spi, "--ipcompspi", Inv::new(r, invert))?;
            }
            "compres" => {
                no_invert("ipcomp", "--compres", invert)?;
                once("ipcomp", "--compres", self.res)?;
                self.res = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let (spis, inv) = spis_to_kernel(&self.spi, UNSET);
        save_spis(out, "ipcompspi", spis, inv);
        if self.res {
            out.push_str(" --compres");
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
        // `-p ipcomp -m ipcomp` and `-p ipcomp -m ipcomp --compres`.
        let e: Ipcomp = parse_opts(&ctx, &[]).unwrap();
        bytes_both_ways(&ctx, &e, &[0; 12]);
        let e: Ipcomp = parse_opts(&ctx, &["--compres"]).unwrap();
        bytes_both_ways(&ctx, &e, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
        let e: Ipcomp = parse_opts(&ctx, &["!", "--ipcompspi", "18"]).unwrap();
        bytes_both_ways(&ctx, &e, &[18, 0, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn text_like_iptables_save() {
        let v6 = Family::Ipv6;
        let r = |s| round(v6, s).unwrap();
        assert_eq!(
            r("-p ipcomp -m ipcomp"),
            " -p ipcomp -m ipcomp --ipcompspi 0"
        );
        assert_eq!(
            r("-p ipcomp -m ipcomp --compres"),
            " -p ipcomp -m ipcomp --ipcompspi 0 --compres"
        );
        assert_eq!(
            r("-p ipcomp -m ipcomp ! --ipcompspi :"),
            " -p ipcomp -m ipcomp"
        );
        assert_eq!(
            r("-p ipcomp -m ipcomp --ipcompspi 4:3"),
            " -p ipcomp -m ipcomp --ipcompspi 4:3"
        );
        assert!(round(v6, "-p ipcomp -m ipcomp ! --compres").is_err());
        assert!(round(v6, "-p ipcomp -m ipcomp --ipcompres").is_err());
    }
}
