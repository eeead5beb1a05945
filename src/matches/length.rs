//! `-m length`: the packet's length (`xt_length.h`, `struct xt_length_info`).

use std::fmt;

use iptkit_sys::ext::xt_length::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{once, uint_range_full};

/// An inclusive range of packet lengths, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LengthRange {
    /// Smallest length.
    pub min: u16,
    /// Largest length (a range with `max < min` never matches).
    pub max: u16,
}

impl fmt::Display for LengthRange {
    /// `N` or `MIN:MAX`, as iptables-save prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}:{}", self.min, self.max)
        }
    }
}

/// `-m length`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Length {
    /// `[!] --length N[:M]` (required).
    pub length: Option<Inv<LengthRange>>,
}

impl Length {
    /// `--length min:max`: the packet's length (layer 3 payload
    /// included) is in the range.
    ///
    /// ```
    /// use iptkit::{matches::length::Length, Match};
    /// assert_eq!(Match::from(Length::new(0, 1280)).to_string(), "-m length --length 0:1280");
    /// ```
    pub fn new(min: u16, max: u16) -> Length {
        Length {
            length: Some(Inv::is(LengthRange { min, max })),
        }
    }
}

impl Extension for Length {
    const NAME: &'static str = "length";

    fn example(_family: crate::addr::Family) -> Self {
        Length::new(0, 1280)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Length { length: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_length_info = read_struct(Self::NAME, revision, data)?;
        if k.invert > 1 {
            return Err(Error::Malformed(format!("length: invert {}", k.invert)));
        }
        Ok(Length {
            length: Some(Inv::new(
                LengthRange {
                    min: k.min,
                    max: k.max,
                },
                k.invert != 0,
            )),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_length_info::zeroed();
        if let Some(l) = self.length {
            (k.min, k.max, k.invert) = (l.value.min, l.value.max, l.invert.into());
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
        if option != "length" {
            return Ok(false);
        }
        once(Self::NAME, option, self.length.is_some())?;
        let (min, max) = uint_range_full(
            Self::NAME,
            "length",
            args.value("--length")?,
            u16::MAX.into(),
        )?;
        let range = LengthRange {
            min: min as u16,
            max: max as u16,
        };
        self.length = Some(Inv::new(range, invert));
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.length.is_none() {
            return Err(Error::rule("length", "option --length must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(l) = self.length {
            push_fmt!(out, "{} --length {}", l.bang(), l.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn round(spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap())?;
        Ok(save_rule_spec(&rules[0]))
    }

    #[test]
    fn kernel_bytes() {
        let c = Ctx::new(Family::Ipv4);
        // From the kernel.
        for (spec, bytes) in [
            ("-m length ! --length 0x10:", [0x10, 0, 0xff, 0xff, 1, 0]),
            ("-m length --length \" 5\"", [5, 0, 5, 0, 0, 0]),
        ] {
            let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap()).unwrap();
            let crate::Match::Length(m) = &rules[0].matches[0] else {
                panic!()
            };
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes);
            assert_eq!(&Length::decode(&c, 0, &bytes).unwrap(), m);
        }
        assert!(Length::decode(&c, 1, &[0; 6]).is_err());
        assert!(Length::decode(&c, 0, &[0; 4]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(
            round("-m length --length :2").unwrap(),
            " -m length --length 0:2"
        );
        assert_eq!(
            round("-m length --length 4:").unwrap(),
            " -m length --length 4:65535"
        );
        assert_eq!(
            round("-m length --length :").unwrap(),
            " -m length --length 0:65535"
        );
        assert_eq!(
            round("-m length --length 4:4").unwrap(),
            " -m length --length 4"
        );
        assert_eq!(
            round("-m length --length 4:3").unwrap(),
            " -m length --length 4:3"
        );
        assert_eq!(
            round("-m length --length \"\"").unwrap(),
            " -m length --length 0"
        );
        assert_eq!(
            round("-m length --length 010").unwrap(),
            " -m length --length 8"
        );
    }

    #[test]
    fn refusals() {
        assert!(round("-m length").is_err());
        assert!(round("-m length --length 0:65536").is_err());
        assert!(round("-m length --length -1:65535").is_err());
        assert!(round("-m length --length 1:2:3").is_err());
        assert!(round("-m length --length 1-2").is_err());
        assert!(round("-m length --length 1 --length 2").is_err());
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (
            Family::Ipv4,
            &["-m", "length", "--length", "1"],
            Some(" -m length --length 1"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "1"],
            Some(" -m length --length 1"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", ":2"],
            Some(" -m length --length 0:2"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", ":2"],
            Some(" -m length --length 0:2"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "0:3"],
            Some(" -m length --length 0:3"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "0:3"],
            Some(" -m length --length 0:3"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "4:"],
            Some(" -m length --length 4:65535"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "4:"],
            Some(" -m length --length 4:65535"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", ":"],
            Some(" -m length --length 0:65535"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", ":"],
            Some(" -m length --length 0:65535"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "0:65535"],
            Some(" -m length --length 0:65535"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "0:65535"],
            Some(" -m length --length 0:65535"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "!", "--length", "0:65535"],
            Some(" -m length ! --length 0:65535"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "!", "--length", "0:65535"],
            Some(" -m length ! --length 0:65535"),
        ),
        (Family::Ipv4, &["-m", "length", "--length", "0:65536"], None),
        (Family::Ipv6, &["-m", "length", "--length", "0:65536"], None),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "-1:65535"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "-1:65535"],
            None,
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "4:4"],
            Some(" -m length --length 4"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "4:4"],
            Some(" -m length --length 4"),
        ),
        (
            Family::Ipv4,
            &["-m", "length", "--length", "4:3"],
            Some(" -m length --length 4:3"),
        ),
        (
            Family::Ipv6,
            &["-m", "length", "--length", "4:3"],
            Some(" -m length --length 4:3"),
        ),
        (Family::Ipv4, &["-m", "length"], None),
        (Family::Ipv6, &["-m", "length"], None),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
