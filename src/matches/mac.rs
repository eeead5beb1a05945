//! `-m mac`: the source Ethernet address (`xt_mac.h`, `struct xt_mac_info`).
//!
//! ```
//! use iptkit::matches::mac::{parse_mac, Mac};
//! use iptkit::{Family, Inv, Rule, Target};
//! let rule = Rule::parse(Family::Ipv4, "-m mac --mac-source 00:11:22:AA:BB:CC -j DROP")?;
//! let source = parse_mac("00:11:22:aa:bb:cc")?;
//! assert_eq!(rule.find::<Mac>().unwrap().source, Inv::is(source));
//! let built = Rule::new(Family::Ipv4)
//!     .with_match(Mac { source: Inv::is(source) })
//!     .with_target(Target::Drop);
//! assert_eq!(built.to_string(), "-m mac --mac-source 00:11:22:aa:bb:cc -j DROP");
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_mac::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// `-m mac`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mac {
    /// `--mac-source`.
    pub source: Inv<[u8; ETH_ALEN]>,
}

/// Parses `XX:XX:XX:XX:XX:XX` as iptables does (`XTTYPE_ETHERMAC`: 1 or 2 hex
/// digits a part).
pub fn parse_mac(s: &str) -> Result<[u8; ETH_ALEN]> {
    crate::xtopt::ethermac(s)
        .ok_or_else(|| Error::value("--mac-source", s, "invalid MAC address specified"))
}

/// `aa:bb:cc:dd:ee:ff`, as iptables prints an address.
pub fn mac_string(mac: &[u8; ETH_ALEN]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl Mac {
    /// `--mac-source source`: the packet's Ethernet source address.
    ///
    /// ```
    /// use iptkit::{matches::mac::Mac, Match};
    /// let m = Match::from(Mac::new([0x02, 0, 0, 0, 0, 1]));
    /// assert_eq!(m.to_string(), "-m mac --mac-source 02:00:00:00:00:01");
    /// ```
    pub fn new(source: [u8; ETH_ALEN]) -> Mac {
        Mac {
            source: Inv::is(source),
        }
    }
}

impl Extension for Mac {
    const NAME: &'static str = "mac";

    fn example(_family: crate::addr::Family) -> Self {
        Mac::new([0x02, 0, 0, 0, 0, 1])
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Mac {
            source: Inv::is([0; ETH_ALEN]),
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_mac_info = read_struct(Self::NAME, revision, data)?;
        Ok(Mac {
            source: Inv::new(k.srcaddr, k.invert != 0),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_mac_info::zeroed();
        k.srcaddr = self.source.value;
        k.invert = self.source.invert.into();
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
        if option != "mac-source" {
            return Ok(false);
        }
        seen.take(Self::NAME, "--mac-source", 1, invert, true)?;
        let mac = parse_mac(args.value("--mac-source")?)?;
        self.source = Inv::new(mac, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "--mac-source", 1)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let s = self.source;
        push_fmt!(out, "{} --mac-source {}", s.bang(), mac_string(&s.value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
    use crate::testutil::hex;

    fn round(spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec)?)?;
        Ok(save_rule_spec(&rules[0]))
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-m mac ! --mac-source 42:01:02:03:04:05`, padded to 16 bytes.
        let bytes = hex("42010203040500000100000000000000");
        let m = Mac::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(m.source, Inv::not([0x42, 1, 2, 3, 4, 5]));
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes[..12]);
        assert!(Mac::decode(&ctx, 0, &bytes[..8]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |spec: &str, want: &str| {
            assert_eq!(
                round(&format!("-m mac {spec}")).unwrap(),
                format!(" -m mac {want}")
            );
        };
        ok(
            "--mac-source 42:01:02:03:04:05",
            "--mac-source 42:01:02:03:04:05",
        );
        ok(
            "! --mac-source 42:1:2:3:4:5",
            "! --mac-source 42:01:02:03:04:05",
        );
        ok(
            "--mac-source AA:bb:cc:dd:ee:ff",
            "--mac-source aa:bb:cc:dd:ee:ff",
        );
        ok(
            "--mac-source 42:01:02:03:04:",
            "--mac-source 42:01:02:03:04:00",
        );
        ok("--mac-source :::::", "--mac-source 00:00:00:00:00:00");
        ok(
            "--mac-source -1:+f:01:02:03:04",
            "--mac-source ff:0f:01:02:03:04",
        );
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m mac",
            "-m mac --mac-source 42:01:02:03:04",
            "-m mac --mac-source 42:01:02:03:04:05:06",
            "-m mac --mac-source 42:01:02:03:04:5g",
            "-m mac --mac-source 42-01-02-03-04-05",
            "-m mac --mac-source 042:01:02:03:04:05",
            "-m mac --mac-source \"::::: \"",
            "-m mac --mac-source 1:2:3:4:5:6 --mac-source 1:2:3:4:5:6",
        ] {
            assert!(round(spec).is_err(), "{spec}");
        }
    }
    /// Every case of extensions/libxt_mac.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m mac --mac-source 42:01:02:03:04:05", Some(" -m mac --mac-source 42:01:02:03:04:05")),
            (46, "-m mac --mac-source 42:01:02:03:04", None),
            (46, "-m mac --mac-source 42:01:02:03:04:05:06", None),
            (46, "-m mac", None),
        ]);
    }
}
