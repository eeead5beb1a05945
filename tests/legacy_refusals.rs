//! A table the kernel refuses names its rule and extension
//! ([`Error::Refused`]), found in a scratch namespace; the real table is
//! left as it was.

mod common;

use common::*;
use iptkit::error::Refusal;

/// The number of a hook, as [`Refusal::Hook`] names it.
fn hook(name: &str) -> Option<u8> {
    iptkit::ruleset::hook_of(name).map(|h| h as u8)
}
use iptkit::{Error, Family, Handle};

/// Appends `(chain, rule)`s, commits, and returns the error, checking that
/// the kernel's table did not change and the changes stay pending.
fn refused(h: &mut Handle, f: Family, changes: &[(&str, &str)]) -> Error {
    let before = save(f, "filter", true);
    for (chain, spec) in changes {
        if spec.is_empty() {
            h.new_chain(chain).unwrap();
        } else {
            h.append(chain, rule(f, spec)).unwrap();
        }
    }
    let e = h.commit().expect_err("the kernel refuses this table");
    assert_eq!(save(f, "filter", true), before, "{e}");
    assert!(h.is_dirty());
    h.refresh().unwrap();
    e
}

#[test]
fn the_refused_rule_among_several_new_ones() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        let ok = format!("-s {} -j ACCEPT", host(f, 1));
        let e = refused(
            &mut h,
            f,
            &[
                ("INPUT", &ok),
                ("INPUT", "-p tcp -m tcp --dport 22 -j ACCEPT"),
                ("INPUT", "-m comment --comment x -m esp --espspi 1"),
                ("OUTPUT", "-j ACCEPT"),
            ],
        );
        // esp wants `-p esp`: its values are refused wherever it goes.
        let (chain, rule, ext, target, reason) = parts(&e);
        assert_eq!(
            (chain, rule, ext, target, reason),
            (
                "INPUT",
                "-m comment --comment x -m esp --espspi 1",
                "esp",
                false,
                Refusal::Value
            ),
            "{e}"
        );
        assert!(e.to_string().contains("match `esp`"), "{e}");
    }
}

#[test]
fn a_target_that_needs_a_match() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "mangle").unwrap();
        let before = save(f, "mangle", true);
        h.append("FORWARD", rule(f, "-p tcp -j TCPMSS --set-mss 42"))
            .unwrap();
        let e = h.commit().expect_err("TCPMSS wants a SYN match");
        assert_eq!(save(f, "mangle", true), before);
        let (chain, _, ext, target, reason) = parts(&e);
        assert_eq!(
            (chain, ext, target, reason),
            ("FORWARD", "TCPMSS", true, Refusal::Value)
        );
        // With the match it needs, the same target is taken.
        h.refresh().unwrap();
        let ok = "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 42";
        h.append("FORWARD", rule(f, ok)).unwrap();
        h.commit().unwrap();
    }
}

#[test]
fn a_hook_the_extension_does_not_allow_through_a_user_chain() {
    isolate();
    let f = Family::Ipv6;
    // eui64 is for PREROUTING, INPUT and FORWARD only.
    ipt(f, "-N mine");
    ipt(f, "-A mine -m eui64 -j ACCEPT");
    ipt(f, "-A INPUT -j mine");
    let mut h = common::legacy(f, "filter").unwrap();
    // The rule in `mine` is not new, but OUTPUT now reaches it too.
    let e = refused(&mut h, f, &[("OUTPUT", "-j mine")]);
    let (chain, rule, ext, _, reason) = parts(&e);
    assert_eq!(
        (chain, rule, ext, reason),
        (
            "mine",
            "-m eui64 -j ACCEPT",
            "eui64",
            Refusal::Hook {
                hook: hook("OUTPUT"),
                tables: 0
            }
        ),
        "{e}"
    );
    // A new chain with the rule, jumped to from OUTPUT by a goto.
    let e = refused(
        &mut h,
        f,
        &[
            ("other", ""),
            ("other", "-p udp -m eui64"),
            ("OUTPUT", "-p udp -g other"),
        ],
    );
    let (chain, rule, ext, _, reason) = parts(&e);
    assert_eq!(
        (chain, rule, ext, reason),
        (
            "other",
            "-p udp -m eui64",
            "eui64",
            Refusal::Hook {
                hook: hook("OUTPUT"),
                tables: 0
            }
        ),
        "{e}"
    );
}

#[test]
fn rules_that_need_the_real_namespace_are_left_out() {
    // A rate estimator lives in the namespace: in the scratch one, the
    // rateest rule already in the table is refused too. The search then
    // tries the new rules alone.
    isolate();
    let f = Family::Ipv4;
    ipt(
        f,
        "-t mangle -A FORWARD -j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms",
    );
    ipt(
        f,
        "-A FORWARD -m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit",
    );
    let mut h = common::legacy(f, "filter").unwrap();
    let e = refused(
        &mut h,
        f,
        &[
            ("INPUT", "-p tcp -j ACCEPT"),
            ("FORWARD", "-m ah --ahspi 1 -j DROP"),
        ],
    );
    let (chain, _, ext, _, reason) = parts(&e);
    assert_eq!(
        (chain, ext, reason),
        ("FORWARD", "ah", Refusal::Value),
        "{e}"
    );
}

#[test]
fn a_missing_module_is_named_too() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        // This kernel lacks the LED target (see the corpus README).
        let e = refused(&mut h, f, &[("INPUT", "-j LED --led-trigger-id foo")]);
        let (chain, _, ext, target, reason) = parts(&e);
        assert_eq!(
            (chain, ext, target, reason),
            ("INPUT", "LED", true, Refusal::Missing)
        );
        assert!(matches!(
            e,
            Error::Refused {
                errno: iptkit::error::Errno::ENOENT,
                revision: 0,
                ..
            }
        ));
    }
}
