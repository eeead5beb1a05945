//! Security Parameter Index ranges as the `ah`, `esp` and `ipcomp` matches
//! take them (`--espspi 256`, `--ahspi 1:0xff`).

use std::fmt;

use crate::error::Result;
use crate::inv::Inv;
use crate::xtopt::uint_range;

/// An inclusive SPI range; one SPI has `min == max`. iptables does not check
/// that `min <= max` (such a range matches nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpiRange {
    /// First SPI.
    pub min: u32,
    /// Last SPI.
    pub max: u32,
}

impl SpiRange {
    /// Every SPI, `0:4294967295`.
    pub const ALL: SpiRange = SpiRange {
        min: 0,
        max: u32::MAX,
    };

    /// One SPI.
    pub fn one(spi: u32) -> SpiRange {
        SpiRange { min: spi, max: spi }
    }

    /// The option value, as `XTTYPE_UINT32RC` reads it.
    pub(crate) fn parse(ext: &str, option: &str, s: &str) -> Result<SpiRange> {
        let (min, max) = uint_range(ext, option, s, u32::MAX.into())?;
        let min = min as u32;
        Ok(SpiRange {
            min,
            max: max.map_or(min, |m| m as u32),
        })
    }

    /// The kernel's `spis`.
    pub(crate) fn to_kernel(self) -> [u32; 2] {
        [self.min, self.max]
    }

    /// From the kernel's `spis`.
    pub(crate) fn from_kernel(spis: [u32; 2]) -> SpiRange {
        SpiRange {
            min: spis[0],
            max: spis[1],
        }
    }
}

impl fmt::Display for SpiRange {
    /// `5` or `1:5`, as iptables-save prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}:{}", self.min, self.max)
        }
    }
}

/// The kernel value of an optional range: `default` when absent.
pub(crate) fn spis_to_kernel(spi: &Option<Inv<SpiRange>>, default: SpiRange) -> ([u32; 2], bool) {
    let v = spi.unwrap_or(Inv::is(default));
    (v.value.to_kernel(), v.invert)
}

/// The optional range of a kernel value: absent when it is `default`, not inverted.
pub(crate) fn spis_from_kernel(
    spis: [u32; 2],
    invert: bool,
    default: SpiRange,
) -> Option<Inv<SpiRange>> {
    let r = SpiRange::from_kernel(spis);
    (r != default || invert).then_some(Inv::new(r, invert))
}

/// ` [!] --NAME RANGE` as iptables 1.8.9 saves it: not at all for every SPI
/// (even when inverted).
pub(crate) fn save_spis(out: &mut String, name: &str, spis: [u32; 2], invert: bool) {
    let r = SpiRange::from_kernel(spis);
    if r != SpiRange::ALL {
        push_fmt!(out, "{} --{name} {r}", if invert { " !" } else { "" });
    }
}
