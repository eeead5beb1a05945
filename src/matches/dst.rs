//! `-m dst`: the IPv6 destination options header (`ip6t_opts.h`).

use super::ip6opts::{ip6opts_match, Ip6Opts};

/// `-m dst` (IPv6 only): `[!] --dst-len N`, `--dst-opts TYPE[:LEN],...`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dst(pub Ip6Opts);

ip6opts_match!(Dst, "dst");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
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
