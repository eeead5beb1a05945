//! `-m set` against the kernel: set names resolved to indexes on the way in,
//! indexes named on the way out, missing sets refused before anything is
//! committed; and the `libxt_set.t` cases of the shared corpus, both ways,
//! once the set they name exists. The sets are made with the real `ipset`
//! tool inside each test's private namespace.

mod common;
#[cfg(feature = "corpus")]
mod support {
    pub mod cases;
}

use common::*;
#[cfg(feature = "corpus")]
use iptkit::syntax::parse_rule_spec;
use iptkit::{Error, Family, Match};

/// A set of `family` named `name`.
fn create_set(family: Family, name: &str) {
    ipset(&match family {
        Family::Ipv4 => format!("create {name} hash:ip"),
        Family::Ipv6 => format!("create {name} hash:ip family inet6"),
    });
}

fn set_name(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "foo",
        Family::Ipv6 => "foo6",
    }
}

#[test]
fn written_by_iptkit_saved_with_the_set_name() {
    isolate();
    // A set before ours, so that its index is not 0.
    ipset("create first hash:net");
    for f in FAMILIES {
        let name = set_name(f);
        create_set(f, name);
        let mut h = common::legacy(f, "filter").unwrap();
        let spec = format!("-m set --match-set {name} src -j DROP");
        h.append("INPUT", rule(f, &spec)).unwrap();
        h.append(
            "INPUT",
            rule(
                f,
                &format!("-m set ! --match-set {name} dst,src --return-nomatch -j ACCEPT"),
            ),
        )
        .unwrap();
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -m set --match-set {name} src -j DROP"),
                format!("-A INPUT -m set ! --match-set {name} dst,src --return-nomatch -j ACCEPT"),
            ]
        );
        // What the handle read back names the set, with its index.
        let Match::Set(m) = &h.rules("INPUT").unwrap()[0].matches[0] else {
            panic!("not a set match: {:?}", h.rules("INPUT").unwrap()[0]);
        };
        assert_eq!(m.set.name, name);
        assert!(m.set.index.is_some_and(|i| i > 0), "{:?}", m.set);
    }
}

#[test]
fn written_by_iptables_read_by_name() {
    isolate();
    for f in FAMILIES {
        let name = set_name(f);
        create_set(f, name);
        ipt(
            f,
            &format!("-A FORWARD -m set --match-set {name} src,dst ! --update-counters -j ACCEPT"),
        );
        let mut h = common::legacy(f, "filter").unwrap();
        let line =
            format!("-A FORWARD -m set --match-set {name} src,dst ! --update-counters -j ACCEPT");
        let got: Vec<String> = h
            .rules("FORWARD")
            .unwrap()
            .iter()
            .map(|r| r.save_line("FORWARD", false))
            .collect();
        assert_eq!(got, [line]);
        // A save names the set as it prints the rule.
        let saved = common::legacy(f, "filter").unwrap().save(true).unwrap();
        assert_eq!(String::from_utf8(saved).unwrap(), save(f, "filter", true));
        // The same rule from text (name, no index) is the rule read.
        let parsed = rule(
            f,
            &format!("-m set --match-set {name} src,dst ! --update-counters -j ACCEPT"),
        );
        assert!(h.contains_rule("FORWARD", &parsed).unwrap());
        // An unchanged commit keeps the rule and its counters.
        let before = save(f, "filter", true);
        let same = h.table().unwrap().clone();
        h.replace_table(same).unwrap();
        h.commit().unwrap();
        assert_eq!(save(f, "filter", true), before);
        // Deleting by spec finds it.
        h.delete_rule("FORWARD", &parsed).unwrap();
        h.commit().unwrap();
        assert!(rules(f, "filter").is_empty());
    }
}

#[test]
fn a_missing_set_is_refused_and_nothing_is_committed() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, &format!("-s {} -j ACCEPT", host(f, 1))))
            .unwrap();
        h.commit().unwrap();
        let before = save(f, "filter", true);
        h.append("INPUT", rule(f, "-j LOG")).unwrap();
        h.append("INPUT", rule(f, "-m set --match-set nosuch src -j DROP"))
            .unwrap();
        match h.commit() {
            Err(Error::NoSuchSet(name)) => assert_eq!(name, "nosuch"),
            other => panic!("{other:?}"),
        }
        let e = Error::NoSuchSet("nosuch".into());
        assert_eq!(e.to_string(), "set `nosuch` does not exist");
        assert_eq!(save(f, "filter", true), before);
        assert!(h.is_dirty(), "the refused changes stay pending");
        h.refresh().unwrap();
    }
}

#[test]
fn a_set_of_the_other_family_is_refused() {
    isolate();
    create_set(Family::Ipv4, "four");
    create_set(Family::Ipv6, "six");
    for (f, other) in [(Family::Ipv4, "six"), (Family::Ipv6, "four")] {
        let mut h = common::legacy(f, "filter").unwrap();
        let before = save(f, "filter", true);
        h.append(
            "INPUT",
            rule(f, &format!("-m set --match-set {other} src -j DROP")),
        )
        .unwrap();
        let e = h.commit().unwrap_err();
        assert!(
            matches!(e, Error::InvalidRule { .. }) && e.to_string().contains(other),
            "{e}"
        );
        assert_eq!(save(f, "filter", true), before);
    }
}

/// The `libxt_set.t` cases. The corpus was made without any set, so
/// iptables refused `--match-set foo src,dst` with "Set foo doesn't exist."
/// Without the set, iptkit refuses it at commit the same way; with `foo`
/// created, the rule must go both ways and print as written.
#[cfg(feature = "corpus")]
fn libxt_set_cases(family: Family) {
    isolate();
    let cases: Vec<_> = support::cases::load()
        .into_iter()
        .filter(|c| c.source == "extensions/libxt_set.t" && c.family == family)
        .collect();
    assert!(!cases.is_empty(), "no libxt_set.t cases in the corpus");
    let mut misses = Vec::new();
    let mut ran = Vec::new();
    for pass in ["without the set", "with the set"] {
        if pass == "with the set" {
            // The cases name only `foo`.
            create_set(family, "foo");
        }
        for c in &cases {
            let Ok((parsed, _)) = parse_rule_spec(c.family, &c.argv) else {
                // iptables' parser refused it too ("requires two args").
                if c.legacy.stage.as_deref() != Some("userspace") {
                    misses.push(format!("{}: `{}` does not parse", pass, c.rule));
                }
                continue;
            };
            let mut h = common::legacy(c.family, &c.table).unwrap();
            h.flush_all().unwrap();
            h.commit().unwrap();
            let before = save(c.family, &c.table, true);
            for r in parsed {
                h.append(&c.chain, r).unwrap();
            }
            let committed = h.commit();
            let want = format!("-A {} {}", c.chain, c.rule);
            match (pass, committed) {
                ("without the set", Err(Error::NoSuchSet(n))) if n == "foo" => {
                    if save(c.family, &c.table, true) != before {
                        misses.push(format!("{pass}: `{}` changed the table", c.rule));
                    }
                    assert!(c
                        .legacy
                        .error
                        .as_deref()
                        .unwrap_or("")
                        .contains("doesn't exist"));
                }
                ("with the set", Ok(())) => {
                    // Written by iptkit, printed by iptables-legacy-save.
                    let got = rules(c.family, &c.table);
                    if got != [want.clone()] {
                        misses.push(format!("{pass}: wrote `{}`, saved {got:?}", c.rule));
                    }
                    // Written by iptables-legacy, read by iptkit.
                    ipt(c.family, &format!("-t {} -F", c.table));
                    ipt(
                        c.family,
                        &format!("-t {} -A {} {}", c.table, c.chain, c.rule),
                    );
                    let before = save(c.family, &c.table, true);
                    let mut h = common::legacy(c.family, &c.table).unwrap();
                    let read: Vec<String> = h
                        .rules(&c.chain)
                        .unwrap()
                        .iter()
                        .map(|r| r.save_line(&c.chain, false))
                        .collect();
                    if read != [want.clone()] {
                        misses.push(format!("{pass}: `{}` read as {read:?}", c.rule));
                    }
                    let same = h.table().unwrap().clone();
                    h.replace_table(same).unwrap();
                    h.commit().unwrap();
                    if save(c.family, &c.table, true) != before {
                        misses.push(format!("{pass}: `{}` unchanged commit changed it", c.rule));
                    }
                }
                (_, other) => misses.push(format!("{pass}: `{}` commit gave {other:?}", c.rule)),
            }
            ran.push(format!("{pass}: {} {}", c.chain, c.rule));
        }
    }
    println!(
        "libxt_set.t ({}): {} runs, {} misses",
        family.command(),
        ran.len(),
        misses.len()
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));
    assert!(
        ran.iter().any(|r| r.starts_with("with the set")),
        "no case reached the kernel"
    );
}

#[cfg(feature = "corpus")]
#[test]
fn libxt_set_cases_ipv4() {
    libxt_set_cases(Family::Ipv4);
}

#[cfg(feature = "corpus")]
#[test]
fn libxt_set_cases_ipv6() {
    libxt_set_cases(Family::Ipv6);
}

#[test]
fn set_target_names_are_resolved_both_ways() {
    isolate();
    ipset("create first hash:net");
    for f in FAMILIES {
        let name = set_name(f);
        create_set(f, name);
        let spec = format!("-j SET --add-set {name} src --exist --timeout 30");
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, &spec)).unwrap();
        h.commit().unwrap();
        let want = format!("-A INPUT -j SET --add-set {name} src --exist --timeout 30");
        assert_eq!(rules(f, "filter"), std::slice::from_ref(&want));
        ipt(f, &format!("-A INPUT -j SET --del-set {name} dst"));
        let mut h = common::legacy(f, "filter").unwrap();
        let lines: Vec<String> = h
            .rules("INPUT")
            .unwrap()
            .iter()
            .map(|r| r.save_line("INPUT", false))
            .collect();
        assert_eq!(
            lines,
            [want, format!("-A INPUT -j SET --del-set {name} dst")]
        );
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, "-j SET --add-set nosuchset src"))
            .unwrap();
        assert!(
            matches!(h.commit(), Err(Error::NoSuchSet { .. })),
            "a missing set is refused"
        );
        ipt(f, "-F INPUT");
    }
}
