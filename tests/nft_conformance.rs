//! The shared corpus against the kernel, nf_tables backend, both directions
//! (the corpus's `nft` outcomes, what iptables-nft 1.8.9 did):
//!
//! - write: every accepted case whose extensions are typed, committed through
//!   iptkit, is printed by `iptables-nft-save` exactly as the corpus says;
//! - read: the same rule added by `iptables-nft` is read by iptkit and
//!   printed exactly so, and committing the table back unchanged leaves
//!   `iptables-nft-save -c` output identical;
//! - refusals: a case the kernel refused is refused at commit, named (rule,
//!   extension, why) as on the legacy backend, the table
//!   unchanged.
//!
//! Each test runs in its own private network namespace.
// Needs the shared corpus, outside this repository (see the `corpus`
// feature in Cargo.toml).
#![cfg(feature = "corpus")]
#![cfg(feature = "nft")]

mod common;
mod support {
    pub mod cases;
}

use std::collections::HashMap;

use iptkit::extension::Dialect;
use iptkit::syntax::parse_rule_spec;
use iptkit::{Error, Family, Handle};
use support::cases::{self, Case};

/// The typed cases with the given nft outcome (`None`: accepted).
fn selected(stage: Option<&str>) -> Vec<Case> {
    cases::load()
        .into_iter()
        .filter(cases::typed)
        .filter(|c| match stage {
            None => c.nft.accepted,
            Some(s) => c.nft.stage.as_deref() == Some(s),
        })
        .collect()
}

/// `iptables-nft -t TABLE ARGS...`, with the case's exact argv.
fn ipt(family: Family, table: &str, args: &[&str], rest: &[String]) -> Result<(), String> {
    let mut all: Vec<&str> = vec!["-t", table];
    all.extend_from_slice(args);
    all.extend(rest.iter().map(String::as_str));
    common::nft_ipt_args(family, &all)
}

/// The rate estimators the rateest cases compare (see conformance_kernel.rs).
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

/// The `-A CHAIN` lines of one chain, as iptables-nft-save prints them.
fn chain_rules(family: Family, table: &str, chain: &str) -> Vec<String> {
    let prefix = format!("-A {chain} ");
    common::nft_rules(family, table)
        .into_iter()
        .filter(|l| l.starts_with(&prefix) || *l == prefix.trim_end())
        .collect()
}

fn report(direction: &str, total: usize, misses: &[String]) {
    println!(
        "conformance (kernel, nft, {direction}): {} of {total} cases pass, {} misses",
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

fn open(family: Family, table: &str) -> Handle {
    common::nft_handle(family, table)
}

#[test]
fn written_by_iptkit_printed_by_iptables_nft_save() {
    common::isolate();
    rate_estimators();
    let cases = selected(None);
    let mut handles: HashMap<(Family, String), Handle> = HashMap::new();
    let mut misses = Vec::new();
    for c in &cases {
        let h = handles
            .entry((c.family, c.table.clone()))
            .or_insert_with(|| open(c.family, &c.table));
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
        if got != c.nft.save {
            misses.push(format!(
                "{}: `{}`\n   want {:?}\n   got  {:?}",
                c.source, c.rule, c.nft.save, got
            ));
        }
    }
    report("write", cases.len(), &misses);
}

#[test]
fn written_by_iptables_nft_read_by_iptkit() {
    common::isolate();
    rate_estimators();
    let cases = selected(None);
    let mut misses = Vec::new();
    for c in &cases {
        ipt(c.family, &c.table, &["-F", &c.chain], &[]).unwrap();
        if let Err(e) = ipt(c.family, &c.table, &["-A", &c.chain], &c.argv) {
            misses.push(format!(
                "{}: `{}` refused by iptables-nft here: {e}",
                c.source, c.rule
            ));
            continue;
        }
        let before = common::nft_save(c.family, Some(&c.table), true);
        let mut h = open(c.family, &c.table);
        let got: Vec<String> = h
            .rules(&c.chain)
            .unwrap()
            .iter()
            .map(|r| r.save_line_as(&c.chain, false, Dialect::Nft))
            .collect();
        if got != c.nft.save {
            misses.push(format!(
                "{}: `{}` read\n   want {:?}\n   got  {:?}",
                c.source, c.rule, c.nft.save, got
            ));
            continue;
        }
        let same = h.table().unwrap().clone();
        if let Err(e) = h.replace_table(same).and_then(|()| h.commit()) {
            misses.push(format!(
                "{}: `{}` unchanged commit refused: {e}",
                c.source, c.rule
            ));
            continue;
        }
        let after = common::nft_save(c.family, Some(&c.table), true);
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
        let mut h = open(c.family, &c.table);
        let keep = common::rule(
            c.family,
            &format!("-s {} -j ACCEPT", common::host(c.family, 1)),
        );
        h.flush(&c.chain).unwrap();
        h.append(&c.chain, keep).unwrap();
        h.commit().unwrap();
        let before = common::nft_save(c.family, Some(&c.table), true);
        let Ok((rules, _)) = parse_rule_spec(c.family, &c.argv) else {
            continue;
        };
        let res = rules
            .into_iter()
            .try_for_each(|r| h.append(&c.chain, r))
            .and_then(|()| h.commit());
        match res {
            Ok(()) => misses.push(format!(
                "{}: `{}` committed; iptables-nft said {:?}",
                c.source, c.rule, c.nft.error
            )),
            Err(e) => {
                // Named as on the legacy backend: the chain and the
                // extension the case names after -m or -j.
                let named: Vec<&str> = c
                    .argv
                    .windows(2)
                    .filter(|w| ["-m", "--match", "-j", "--jump"].contains(&w[0].as_str()))
                    .map(|w| w[1].as_str())
                    .collect();
                match &e {
                    Error::Refused {
                        chain, extension, ..
                    } if *chain == c.chain && named.contains(&extension.as_str()) => {}
                    _ => misses.push(format!(
                        "{}: `{}` refused without naming its extension ({named:?}): {e}",
                        c.source, c.rule
                    )),
                }
                h.refresh().unwrap();
            }
        }
        let after = common::nft_save(c.family, Some(&c.table), true);
        if after != before {
            misses.push(format!(
                "{}: `{}` refused commit changed the table",
                c.source, c.rule
            ));
        }
    }
    report("kernel refusals", cases.len(), &misses);
}
