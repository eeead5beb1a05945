//! `-m esp`: SPI of an IPsec Encapsulating Security Payload header
//! (`xt_esp.h`, `struct xt_esp`).

use iptkit_sys::ext::xt_esp::*;
use iptkit_sys::Pod;

use super::spi::{save_spis, spis_from_kernel, spis_to_kernel, SpiRange};
use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// `-m esp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Esp {
    /// `--espspi SPI[:SPI]`; `None` is every SPI.
    pub spi: Option<Inv<SpiRange>>,
}

impl Extension for Esp {
    const NAME: &'static str = "esp";

    fn example(_family: crate::addr::Family) -> Self {
        Esp::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Esp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_esp = read_struct(Self::NAME, revision, data)?;
        if k.invflags & !XT_ESP_INV_MASK != 0 {
            return Err(Error::Malformed(format!(
                "esp: unknown invflags {:#x}",
                k.invflags
            )));
        }
        Ok(Esp {
            spi: spis_from_kernel(k.spis, k.invflags & XT_ESP_INV_SPI != 0, SpiRange::ALL),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_esp::zeroed();
        let (spis, inv) = spis_to_kernel(&self.spi, SpiRange::ALL);
        k.spis = spis;
        if inv {
            k.invflags |= XT_ESP_INV_SPI;
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
        if option != "espspi" {
            return Ok(false);
        }
        let r = SpiRange::parse("esp", "--espspi", args.value("--espspi")?)?;
        set_once(&mut self.spi, "--espspi", Inv::new(r, invert))?;
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let (spis, inv) = spis_to_kernel(&self.spi, SpiRange::ALL);
        save_spis(out, "espspi", spis, inv);
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
        // `-p esp -m esp` and `-p esp -m esp ! --espspi 0:4294967294`.
        let e: Esp = parse_opts(&ctx, &[]).unwrap();
        bytes_both_ways(&ctx, &e, &[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        let e: Esp = parse_opts(&ctx, &["!", "--espspi", "0:4294967294"]).unwrap();
        bytes_both_ways(&ctx, &e, &[0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0]);
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = Family::Ipv4;
        assert_eq!(
            round(v4, "-p esp -m esp --espspi :32").unwrap(),
            " -p esp -m esp --espspi 0:32"
        );
        assert_eq!(
            round(v4, "-p esp -m esp ! --espspi :").unwrap(),
            " -p esp -m esp"
        );
        assert_eq!(
            round(v4, "-p esp -m esp --espspi 0x5:07").unwrap(),
            " -p esp -m esp --espspi 5:7"
        );
        assert_eq!(
            round(v4, "-p esp -m esp ! --espspi 0:4294967294").unwrap(),
            " -p esp -m esp ! --espspi 0:4294967294"
        );
        assert!(round(v4, "-p esp -m esp --espspi -1").is_err());
        assert!(round(v4, "-p esp -m esp --espspi 5x").is_err());
        assert!(round(v4, "-p esp -m esp --espspi 1 --espspi 2").is_err());
    }
}
