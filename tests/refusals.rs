//! Refusals named the same way on both backends ([`Error::Refused`]): an
//! extension used outside the tables or hooks its kernel module allows is
//! [`Refusal::Hook`], refused before anything is sent when the rule's own
//! chain says so, and found after the kernel's refusal when a jump says
//! so; on nf_tables the kernel's answer to the failing message names the
//! rule. The table is unchanged each time (the real `*-save` says so).

#![cfg(feature = "nft")]

mod common;

use common::*;
use iptkit::error::Refusal;

/// The number of a hook, as [`Refusal::Hook`] names it.
fn hook(name: &str) -> Option<u8> {
    iptkit::ruleset::hook_of(name).map(|h| h as u8)
}
use iptkit::{Backend, Error, Family, Handle, Options};

const BACKENDS: [Backend; 2] = [Backend::Legacy, Backend::Nft];

fn open(b: Backend, f: Family, table: &str) -> Handle {
    let options = Options::default().backend(b);
    let mut h = Handle::open_with(f, table, options).unwrap();
    // Something in the table, so that it exists for the save below.
    let keep = format!("-s {} -j ACCEPT", host(f, 1));
    let chain = if table == "filter" { "INPUT" } else { "OUTPUT" };
    h.append(chain, rule(f, &keep)).unwrap();
    h.commit().unwrap();
    h
}

fn saved(b: Backend, f: Family, table: &str) -> String {
    match b {
        Backend::Legacy => save(f, table, true),
        _ => nft_save(f, Some(table), true),
    }
}

/// Makes the changes (`(chain, "")` makes a chain), commits, and returns
/// the error, checking that the kernel's table did not change.
fn refused(b: Backend, f: Family, table: &str, changes: &[(&str, &str)]) -> Error {
    let mut h = open(b, f, table);
    let before = saved(b, f, table);
    for (chain, spec) in changes {
        if spec.is_empty() {
            h.new_chain(chain).unwrap();
        } else {
            h.append(chain, rule(f, spec)).unwrap();
        }
    }
    let e = h.commit().expect_err("the kernel refuses this table");
    assert_eq!(saved(b, f, table), before, "{b} {e}");
    assert!(h.is_dirty());
    e
}

#[test]
fn a_target_outside_its_table_names_the_table() {
    isolate();
    for b in BACKENDS {
        for f in FAMILIES {
            let snat = format!("-j SNAT --to-source {}", host(f, 2));
            let e = refused(b, f, "filter", &[("INPUT", &snat)]);
            let why = Refusal::Hook {
                hook: hook("INPUT"),
                tables: Refusal::table_bits(&["nat"]),
            };
            assert_eq!(parts(&e), ("INPUT", snat.as_str(), "SNAT", true, why));
            assert!(e.to_string().contains("only valid in the nat table"), "{e}");
            // In a user chain no hook reaches, just the same.
            let e = refused(b, f, "mangle", &[("mine", ""), ("mine", "-j MASQUERADE")]);
            let anywhere = Refusal::Hook {
                hook: None,
                tables: Refusal::table_bits(&["nat"]),
            };
            assert_eq!(
                parts(&e),
                ("mine", "-j MASQUERADE", "MASQUERADE", true, anywhere)
            );
            let e = refused(b, f, "nat", &[("OUTPUT", "-j REJECT")]);
            let (_, _, ext, _, reason) = parts(&e);
            assert_eq!(
                (ext, reason),
                (
                    "REJECT",
                    Refusal::Hook {
                        hook: hook("OUTPUT"),
                        tables: Refusal::table_bits(&["filter"])
                    }
                )
            );
        }
    }
}

#[test]
fn a_built_in_chain_of_the_wrong_hook_names_the_hook() {
    isolate();
    for b in BACKENDS {
        for f in FAMILIES {
            let dnat = format!("-p tcp -j DNAT --to-destination {}", host(f, 2));
            let e = refused(b, f, "nat", &[("POSTROUTING", &dnat)]);
            let (chain, _, ext, _, reason) = parts(&e);
            let why = Refusal::Hook {
                hook: hook("POSTROUTING"),
                tables: 0,
            };
            assert_eq!((chain, ext, reason), ("POSTROUTING", "DNAT", why), "{b}");
        }
    }
}

#[test]
fn a_hook_reached_through_a_jump_is_found_after_the_kernel_refused() {
    isolate();
    for b in BACKENDS {
        for f in FAMILIES {
            let dnat = format!("-p tcp -j DNAT --to-destination {}", host(f, 2));
            let e = refused(
                b,
                f,
                "nat",
                &[
                    ("dnat", ""),
                    ("dnat", &dnat),
                    ("POSTROUTING", "-p tcp -j dnat"),
                ],
            );
            let why = Refusal::Hook {
                hook: hook("POSTROUTING"),
                tables: 0,
            };
            assert_eq!(
                parts(&e),
                ("dnat", dnat.as_str(), "DNAT", true, why),
                "{b}: {e}"
            );
            assert!(e.to_string().contains("hook POSTROUTING"), "{e}");
        }
    }
}

#[test]
fn nf_tables_names_the_refused_rule_among_several() {
    isolate();
    for f in FAMILIES {
        let ok = format!("-s {} -j ACCEPT", host(f, 3));
        let e = refused(
            Backend::Nft,
            f,
            "filter",
            &[
                ("INPUT", &ok),
                ("INPUT", "-p tcp -m tcp --dport 22 -j ACCEPT"),
                ("INPUT", "-m comment --comment x -m esp --espspi 1"),
                ("OUTPUT", "-j ACCEPT"),
            ],
        );
        // esp wants `-p esp`: its values are refused wherever it goes.
        assert_eq!(
            parts(&e),
            (
                "INPUT",
                "-m comment --comment x -m esp --espspi 1",
                "esp",
                false,
                Refusal::Value
            ),
            "{e}"
        );
        assert!(matches!(
            e,
            Error::Refused {
                errno: iptkit::error::Errno::EINVAL,
                ..
            }
        ));
    }
}

#[test]
fn nf_tables_names_a_target_its_kernel_lacks() {
    isolate();
    for f in FAMILIES {
        // This kernel lacks the LED target (see the corpus README).
        let e = refused(
            Backend::Nft,
            f,
            "filter",
            &[("INPUT", "-j LED --led-trigger-id foo")],
        );
        let (chain, _, ext, target, reason) = parts(&e);
        assert_eq!(
            (chain, ext, target, reason),
            ("INPUT", "LED", true, Refusal::Missing),
            "{e}"
        );
    }
}
