//! `-m dst`: the IPv6 destination options header (`ip6t_opts.h`).

use super::ip6opts::Ip6Opts;
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::xtopt::exact;

/// `-m dst` (IPv6 only): `[!] --dst-len N`, `--dst-opts TYPE[:LEN],...`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dst(pub Ip6Opts);

impl Extension for Dst {
    const NAME: &'static str = "dst";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Dst::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        exact(ctx, data, Dst(Ip6Opts::decode(Self::NAME, revision, data)?))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<bool> {
        self.0.parse_option(Self::NAME, option, invert, args)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        self.0.save(Self::NAME, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse};

    #[test]
    fn kernel_bytes_both_ways() {
        kernel_fixture::<Dst>(
            &ctx(Family::Ipv6),
            "! --dst-len 42 --dst-opts 149:92,12:12,123",
            0,
            "2a00000003015c950c0cff7b00000000000000000000000000000000000000000000000000000300",
        );
    }

    #[test]
    fn refusals() {
        let v6 = ctx(Family::Ipv6);
        assert!(parse::<Dst>(&v6, "--dst-len 1 --dst-len 2").is_err());
        assert!(parse::<Dst>(&v6, "! --dst-opts 1").is_err());
        assert!(parse::<Dst>(&v6, "--dst-len -1").is_err());
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                ("-m dst --dst-len 0", Some("-m dst --dst-len 0")),
                (
                    "-m dst --dst-opts 149:92,12:12,123:12",
                    Some("-m dst --dst-opts 149:92,12:12,123:12"),
                ),
                ("-m dst ! --dst-len 42", Some("-m dst ! --dst-len 42")),
                (
                    "-m dst --dst-len 42 --dst-opts 149:92,12:12,123:12",
                    Some("-m dst --dst-len 42 --dst-opts 149:92,12:12,123:12"),
                ),
            ],
        );
        conformance(Family::Ipv4, &[("-m dst --dst-len 0", None)]);
    }
}
