//! `-m ah`: SPI (and, for IPv6, length and reserved field) of an IPsec
//! Authentication Header. The kernel has one struct per family: `ipt_ah.h`
//! (`struct ipt_ah`) and `ip6t_ah.h` (`struct ip6t_ah`).

use iptkit_sys::ext::ip6t_ah::*;
use iptkit_sys::ext::ipt_ah::*;
use iptkit_sys::Pod;

use super::spi::{save_spis, spis_from_kernel, spis_to_kernel, SpiRange};
use super::tcp::set_once;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{no_invert, once, uint_option};

/// `-m ah`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ah {
    /// `--ahspi SPI[:SPI]`; `None` is every SPI.
    pub spi: Option<Inv<SpiRange>>,
    /// `--ahlen LENGTH` (IPv6 only); `None` is length 0, not inverted.
    pub len: Option<Inv<u32>>,
    /// `--ahres` (IPv6 only): the reserved field must be zero.
    pub res: bool,
}

impl Extension for Ah {
    const NAME: &'static str = "ah";

    fn example(_family: Family) -> Self {
        Ah::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Ah::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        if ctx.family == Family::Ipv4 {
            let k: ipt_ah = read_struct(Self::NAME, revision, data)?;
            if k.invflags & !IPT_AH_INV_MASK != 0 {
                return Err(Error::Malformed(format!(
                    "ah: unknown invflags {:#x}",
                    k.invflags
                )));
            }
            return Ok(Ah {
                spi: spis_from_kernel(k.spis, k.invflags & IPT_AH_INV_SPI != 0, SpiRange::ALL),
                len: None,
                res: false,
            });
        }
        let k: ip6t_ah = read_struct(Self::NAME, revision, data)?;
        if k.invflags & !IP6T_AH_INV_MASK != 0 || k.hdrres > 1 {
            return Err(Error::Malformed(format!(
                "ah: unknown invflags {:#x} or hdrres {}",
                k.invflags, k.hdrres
            )));
        }
        let len_inv = k.invflags & IP6T_AH_INV_LEN != 0;
        Ok(Ah {
            spi: spis_from_kernel(k.spis, k.invflags & IP6T_AH_INV_SPI != 0, SpiRange::ALL),
            len: (k.hdrlen != 0 || len_inv).then_some(Inv::new(k.hdrlen, len_inv)),
            res: k.hdrres != 0,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    /// IPv4's struct has no length or reserved field: they are not written there.
    fn encode(&self, ctx: &Ctx, out: &mut Vec<u8>) {
        let (spis, spi_inv) = spis_to_kernel(&self.spi, SpiRange::ALL);
        if ctx.family == Family::Ipv4 {
            let mut k = ipt_ah::zeroed();
            k.spis = spis;
            if spi_inv {
                k.invflags |= IPT_AH_INV_SPI;
            }
            out.extend_from_slice(k.as_bytes());
            return;
        }
        let mut k = ip6t_ah::zeroed();
        k.spis = spis;
        if spi_inv {
            k.invflags |= IP6T_AH_INV_SPI;
        }
        if let Some(l) = self.len {
            k.hdrlen = l.value;
            if l.invert {
                k.invflags |= IP6T_AH_INV_LEN;
            }
        }
        k.hdrres = self.res.into();
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        match option {
            "ahspi" => {
                let r = SpiRange::parse("ah", "--ahspi", args.value("--ahspi")?)?;
                set_once(&mut self.spi, "--ahspi", Inv::new(r, invert))?;
            }
            "ahlen" if ctx.family == Family::Ipv6 => {
                let v = args.value("--ahlen")?;
                let n = uint_option("ah", "--ahlen", v, 0, u32::MAX.into())?;
                set_once(&mut self.len, "--ahlen", Inv::new(n as u32, invert))?;
            }
            "ahres" if ctx.family == Family::Ipv6 => {
                no_invert("ah", "--ahres", invert)?;
                once("ah", "--ahres", self.res)?;
                self.res = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        let (spis, spi_inv) = spis_to_kernel(&self.spi, SpiRange::ALL);
        save_spis(out, "ahspi", spis, spi_inv);
        if ctx.family == Family::Ipv6 {
            if let Some(l) = self.len {
                if l.value != 0 || l.invert {
                    push_fmt!(out, "{} --ahlen {}", l.bang(), l.value);
                }
            }
            if self.res {
                out.push_str(" --ahres");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-p ah -m ah ! --ahspi 1:2`.
        let v4 = Ctx::new(Family::Ipv4);
        let a: Ah = parse_opts(&v4, &["!", "--ahspi", "1:2"]).unwrap();
        bytes_both_ways(&v4, &a, &[1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
        // ip6tables `-m ah --ahres`, and `-m ah ! --ahlen 0`, as the kernel holds them.
        let v6 = Ctx::new(Family::Ipv6);
        let a: Ah = parse_opts(&v6, &["--ahres"]).unwrap();
        bytes_both_ways(
            &v6,
            &a,
            &[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0],
        );
        let a: Ah = parse_opts(&v6, &["!", "--ahlen", "0"]).unwrap();
        bytes_both_ways(
            &v6,
            &a,
            &[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 2, 0, 0],
        );
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = Family::Ipv4;
        let v6 = Family::Ipv6;
        assert_eq!(
            round(v4, "-p ah -m ah --ahspi 0:4294967295").unwrap(),
            " -p ah -m ah"
        );
        assert_eq!(
            round(v4, "-p ah -m ah ! --ahspi :").unwrap(),
            " -p ah -m ah"
        );
        assert_eq!(
            round(v4, "-p ah -m ah --ahspi 3:").unwrap(),
            " -p ah -m ah --ahspi 3:4294967295"
        );
        assert_eq!(
            round(v4, "-p ah -m ah --ahspi 4:3").unwrap(),
            " -p ah -m ah --ahspi 4:3"
        );
        assert_eq!(
            round(v4, "-p ah -m ah --ahspi 3:3").unwrap(),
            " -p ah -m ah --ahspi 3"
        );
        assert_eq!(
            round(v4, "-p 51 -m ah --ahspi 010").unwrap(),
            " -p ah -m ah --ahspi 8"
        );
        assert_eq!(
            round(v6, "-m ah ! --ahspi 0").unwrap(),
            " -m ah ! --ahspi 0"
        );
        assert_eq!(round(v6, "-m ah --ahspi \"\"").unwrap(), " -m ah --ahspi 0");
        assert_eq!(
            round(v6, "-m ah ! --ahlen 5 --ahres").unwrap(),
            " -m ah ! --ahlen 5 --ahres"
        );
        assert_eq!(round(v6, "-m ah --ahlen 0").unwrap(), " -m ah");
        for bad in [
            "-m ah --ahspi -1",
            "-m ah --ahspi 4294967296",
            "-m ah --ahspi invalid",
            "-m ah --ahspi 0:invalid",
            "-m ah --ahspi",
            "-m ah --ahspi 1:2:3",
            "-m ah --ahspi 5 --ahspi 6",
            "-m ah --ahres --ahres",
            "-m ah ! --ahres",
        ] {
            assert!(round(v6, bad).is_err(), "{bad}");
        }
        assert!(round(v4, "-p ah -m ah --ahlen 5").is_err());
    }
}
