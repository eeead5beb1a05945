//! `-m hbh`: the IPv6 hop-by-hop options header (`ip6t_opts.h`).

use super::ip6opts::{ip6opts_match, Ip6Opts};

/// `-m hbh` (IPv6 only): `[!] --hbh-len N`, `--hbh-opts TYPE[:LEN],...`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hbh(pub Ip6Opts);

ip6opts_match!(Hbh, "hbh");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    fn text(options: &str) -> String {
        let v6 = ctx(Family::Ipv6);
        match parse::<Hbh>(&v6, options) {
            Ok(v) => save(&v6, &v),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let v6 = ctx(Family::Ipv6);
        kernel_fixture::<Hbh>(
            &v6,
            "--hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5,-1,0x10:256",
            0,
            "00000000020002012a1706040a08ff2aff170504ffff001000000000000000000000000000000900",
        );
        kernel_fixture::<Hbh>(&v6, "", 0, &"0".repeat(80));
    }

    #[test]
    fn options_like_parse_options() {
        assert_eq!(
            text("--hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5,-1,0x10:256"),
            " --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5,255,16:0"
        );
        assert_eq!(text("--hbh-opts 1:255"), " --hbh-opts 1");
        let sixteen = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16";
        assert_eq!(
            text(&format!("--hbh-opts {sixteen}")),
            format!(" --hbh-opts {sixteen}")
        );
        for bad in [
            "--hbh-opts 0:1",
            "--hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16:1",
            "--hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
            "--hbh-opts 1:",
            "--hbh-opts 1,",
            "--hbh-opts \"\"",
            "--hbh-opts 1x",
            "--hbh-len 1 --hbh-len 2",
            "! --hbh-opts 1",
        ] {
            assert!(text(bad).starts_with("error"), "{bad}");
        }
    }

    #[test]
    fn conformance_cases() {
        conformance(
            Family::Ipv6,
            &[
                ("-m hbh", Some("-m hbh")),
                ("-m hbh --hbh-len 42", Some("-m hbh --hbh-len 42")),
                ("-m hbh ! --hbh-len 42", Some("-m hbh ! --hbh-len 42")),
                (
                    "-m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5",
                    Some("-m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5"),
                ),
            ],
        );
    }
}
