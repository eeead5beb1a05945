//! The shared corpus against the kernel, legacy backend, both directions:
//!
//! - write: every accepted case whose extensions are typed, committed through
//!   iptkit, is printed by `iptables-legacy-save` exactly as the corpus says;
//! - read: the same rule added by `iptables-legacy` is read by iptkit and
//!   printed exactly so, and committing the table back unchanged leaves
//!   `iptables-legacy-save -c` output identical;
//! - refusals: a case the kernel refused is refused at commit, the table unchanged.
//!
//! Each test runs in its own private network namespace.
// Needs the shared corpus, outside this repository (see the `corpus`
// feature in Cargo.toml).
#![cfg(feature = "corpus")]

mod common;
mod support {
    pub mod cases;
}

use std::collections::HashMap;
use std::process::Command;

use iptkit::syntax::parse_rule_spec;
use iptkit::{Error, Family, Handle};
use support::cases::{self, Case};

/// The typed cases with the given legacy outcome (`None`: accepted).
fn selected(stage: Option<&str>) -> Vec<Case> {
    cases::load()
        .into_iter()
        .filter(cases::typed)
        .filter(|c| match stage {
            None => c.legacy.accepted,
            Some(s) => c.legacy.stage.as_deref() == Some(s),
        })
        .collect()
}

/// `iptables-legacy -w -t TABLE ARGS...`, with the case's exact argv.
fn ipt(family: Family, table: &str, args: &[&str], rest: &[String]) -> Result<(), String> {
    let tool = if family == Family::Ipv4 {
        "iptables-legacy"
    } else {
        "ip6tables-legacy"
    };
    let out = Command::new(tool)
        .args(["-w", "-t", table])
        .args(args)
        .args(rest)
        .output()
        .expect("iptables-legacy is installed");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The extension data a rule puts in the kernel (the fixed header is
/// compared through its text), for comparing what two rules would write.
fn kernel_bytes(r: &iptkit::Rule) -> Vec<(String, u8, Vec<u8>)> {
    let ctx = r.ctx();
    let mut out = Vec::new();
    for m in &r.matches {
        let mut b = Vec::new();
        m.encode(&ctx, &mut b);
        out.push((m.name().to_string(), m.revision(), b));
    }
    if let iptkit::Target::Ext(t) = &r.target {
        let mut b = Vec::new();
        t.encode(&ctx, &mut b);
        out.push((t.name().to_string(), t.revision(), b));
    }
    out.push((r.save_spec(), 0, Vec::new()));
    out
}

/// The rate estimators the rateest cases compare (the corpus README), kept
/// alive by RATEEST rules in a user chain of the IPv4 security table that no
/// case touches (the tests flush only the case's own chain). Estimators are
/// shared by both families.
fn rate_estimators() {
    ipt(Family::Ipv4, "security", &["-N", "ESTIMATORS"], &[]).unwrap();
    for name in ["RE1", "RE2"] {
        let args = ["-A", "ESTIMATORS", "-j", "RATEEST", "--rateest-name", name];
        let more = [
            "--rateest-interval",
            "250.0ms",
            "--rateest-ewmalog",
            "500.0ms",
        ]
        .map(String::from);
        ipt(Family::Ipv4, "security", &args, &more).expect("creating the RATEEST estimators");
    }
}

/// The `-A CHAIN` lines of one chain, as iptables-legacy-save prints them.
fn chain_rules(family: Family, table: &str, chain: &str) -> Vec<String> {
    let prefix = format!("-A {chain} ");
    common::rules(family, table)
        .into_iter()
        .filter(|l| l.starts_with(&prefix) || *l == prefix.trim_end())
        .collect()
}

fn without_counters(t: &iptkit::Table) -> iptkit::Table {
    let mut t = t.clone();
    t.zero_all();
    t
}

fn report(direction: &str, total: usize, misses: &[String]) {
    println!(
        "conformance (kernel, legacy, {direction}): {} of {total} cases pass, {} misses",
        total - misses.len(),
        misses.len()
    );
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn written_by_iptkit_printed_by_iptables_legacy_save() {
    common::isolate();
    rate_estimators();
    let cases = selected(None);
    let mut handles: HashMap<(Family, String), Handle> = HashMap::new();
    let mut misses = Vec::new();
    for c in &cases {
        let h = match handles.entry((c.family, c.table.clone())) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(common::legacy(c.family, &c.table).unwrap())
            }
        };
        let rules = match parse_rule_spec(c.family, &c.argv) {
            Ok((rules, _)) => rules,
            Err(e) => {
                misses.push(format!("{}: `{}` does not parse: {e}", c.source, c.rule));
                continue;
            }
        };
        let res = h.flush(&c.chain).and_then(|()| {
            for r in rules {
                h.append(&c.chain, r)?;
            }
            h.commit()
        });
        if let Err(e) = res {
            misses.push(format!("{}: `{}` commit refused: {e}", c.source, c.rule));
            h.refresh().unwrap();
            continue;
        }
        let got = chain_rules(c.family, &c.table, &c.chain);
        if got != c.legacy.save {
            misses.push(format!(
                "{}: `{}`\n   want {:?}\n   got  {:?}",
                c.source, c.rule, c.legacy.save, got
            ));
            continue;
        }
        // The handle keeps the table it committed instead of reading it
        // back: it must be the table a fresh read gives.
        let kept = without_counters(h.table().unwrap());
        let read = without_counters(common::legacy(c.family, &c.table).unwrap().table().unwrap());
        if kept != read {
            let diff = kept
                .chains
                .iter()
                .zip(&read.chains)
                .flat_map(|(a, b)| a.rules.iter().zip(&b.rules))
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("\n   kept {a:?}\n   read {b:?}"))
                .unwrap_or_else(|| " (in its chains)".into());
            misses.push(format!(
                "{}: `{}` the handle after its commit differs from a fresh read{diff}",
                c.source, c.rule
            ));
        }
    }
    report("write", cases.len(), &misses);
}

#[test]
fn written_by_iptables_legacy_read_by_iptkit() {
    common::isolate();
    rate_estimators();
    let cases = selected(None);
    let mut misses = Vec::new();
    for c in &cases {
        ipt(c.family, &c.table, &["-F", &c.chain], &[]).unwrap();
        if let Err(e) = ipt(c.family, &c.table, &["-A", &c.chain], &c.argv) {
            misses.push(format!(
                "{}: `{}` refused by iptables-legacy here: {e}",
                c.source, c.rule
            ));
            continue;
        }
        let before = common::save(c.family, &c.table, true);
        let mut h = common::legacy(c.family, &c.table).unwrap();
        let got: Vec<String> = h
            .rules(&c.chain)
            .unwrap()
            .iter()
            .map(|r| r.save_line(&c.chain, false))
            .collect();
        if got != c.legacy.save {
            misses.push(format!(
                "{}: `{}` read\n   want {:?}\n   got  {:?}",
                c.source, c.rule, c.legacy.save, got
            ));
            continue;
        }
        // What our parser makes of the text must be what iptables put in the
        // kernel: same bytes, so the same decoded value.
        if let Ok((parsed, _)) = parse_rule_spec(c.family, &c.argv) {
            let read = h.rules(&c.chain).unwrap();
            if parsed.len() != read.len()
                || parsed
                    .iter()
                    .zip(read)
                    .any(|(p, r)| kernel_bytes(p) != kernel_bytes(r))
            {
                misses.push(format!(
                    "{}: `{}` iptables wrote other bytes than iptkit would\n   iptables {:?}\n   iptkit   {:?}",
                    c.source, c.rule, read, parsed
                ));
                continue;
            }
        }
        let same = h.table().unwrap().clone();
        if let Err(e) = h.replace_table(same).and_then(|()| h.commit()) {
            misses.push(format!(
                "{}: `{}` unchanged commit refused: {e}",
                c.source, c.rule
            ));
            continue;
        }
        let after = common::save(c.family, &c.table, true);
        if after != before {
            misses.push(format!(
                "{}: `{}` unchanged commit changed\n{before}\n->\n{after}",
                c.source, c.rule
            ));
        }
    }
    report("read", cases.len(), &misses);
}

#[test]
fn refused_by_the_kernel_changes_nothing() {
    common::isolate();
    let cases = selected(Some("kernel"));
    let mut misses = Vec::new();
    for c in &cases {
        let mut h = common::legacy(c.family, &c.table).unwrap();
        // Something in the table to keep: conditional, so that the case's rule
        // after it stays reachable (the kernel checks only reachable rules).
        let keep = common::rule(
            c.family,
            &format!("-s {} -j ACCEPT", common::host(c.family, 1)),
        );
        h.flush(&c.chain).unwrap();
        h.append(&c.chain, keep).unwrap();
        h.commit().unwrap();
        let before = common::save(c.family, &c.table, true);
        let Ok((rules, _)) = parse_rule_spec(c.family, &c.argv) else {
            continue; // refused by our parser: nothing can be committed either
        };
        let res = rules
            .into_iter()
            .try_for_each(|r| h.append(&c.chain, r))
            .and_then(|()| h.commit());
        match res {
            Ok(()) => misses.push(format!(
                "{}: `{}` committed; iptables said {:?}",
                c.source, c.rule, c.legacy.error
            )),
            Err(e) => {
                // The error names the chain and the extension the case
                // names after -m or -j.
                let named: Vec<&str> = c
                    .argv
                    .windows(2)
                    .filter(|w| ["-m", "--match", "-j", "--jump"].contains(&w[0].as_str()))
                    .map(|w| w[1].as_str())
                    .collect();
                match &e {
                    Error::Refused {
                        chain, extension, ..
                    } if *chain == c.chain && named.contains(&extension.as_str()) => {
                        if std::env::var_os("IPTKIT_SHOW_REFUSALS").is_some() {
                            println!("{}: {e}", c.source);
                        }
                    }
                    _ => misses.push(format!(
                        "{}: `{}` refused without naming its extension ({named:?}): {e}",
                        c.source, c.rule
                    )),
                }
                h.refresh().unwrap();
            }
        }
        let after = common::save(c.family, &c.table, true);
        if after != before {
            misses.push(format!(
                "{}: `{}` refused commit changed the table",
                c.source, c.rule
            ));
        }
    }
    report("kernel refusals", cases.len(), &misses);
}
