//! Every typed match and target, as its `Default` or simplest constructor
//! builds it (`Match::examples`, `TargetExt::examples`), is a value the
//! kernel takes: committed on each backend in a rule with the protocol it
//! needs, in the first table and chain where it may be used, read back equal
//! to what was built, and printed by the real iptables-save as iptkit prints
//! it. Extensions this kernel lacks are listed with the reason and asserted
//! to be still missing, so that the list follows the kernel.

mod common;

use std::process::Command;

use common::*;
use iptkit::matches::tcp::Tcp;
use iptkit::{Backend, Error, Family, Handle, Match, Options, Refusal, Rule, TargetExt};

/// Where a rule is tried, in order: the first place iptkit does not refuse
/// for the table or hook (`Refusal::Hook`, known before anything is sent).
const PLACES: &[(&str, &str)] = &[
    ("filter", "INPUT"),
    ("filter", "FORWARD"),
    ("filter", "OUTPUT"),
    ("mangle", "PREROUTING"),
    ("mangle", "POSTROUTING"),
    ("nat", "PREROUTING"),
    ("nat", "POSTROUTING"),
    ("raw", "PREROUTING"),
    ("security", "INPUT"),
];

/// Extensions this kernel cannot take (its modules are built in, none can
/// be loaded), with how it refuses them and why.
const MISSING: &[(&str, Refusal, &str)] = &[
    (
        "ipvs",
        Refusal::Missing,
        "CONFIG_NETFILTER_XT_MATCH_IPVS is not built",
    ),
    (
        "LED",
        Refusal::Missing,
        "CONFIG_NETFILTER_XT_TARGET_LED is not built",
    ),
    (
        "CLUSTERIP",
        Refusal::Missing,
        "CLUSTERIP is gone since Linux 6.3",
    ),
    (
        "SECMARK",
        Refusal::Value,
        "no security module maps a context (no SELinux)",
    ),
];

/// Extensions the save tools of iptables 1.8.9 cannot print, with the
/// backend whose tool fails (`None`: both) and the reason. The kernel takes
/// them and iptkit reads them back; the tool is asserted to fail still.
const UNPRINTABLE: &[(&str, Option<Backend>, &str)] = &[
    ("udplite", None, "iptables has no libxt_udplite"),
    ("l2tp", None, "iptables has no libxt_l2tp"),
    (
        "state",
        Some(Backend::Legacy),
        "iptables writes `-m state` as conntrack; its legacy save prints a state match as `[unsupported revision]`",
    ),
];

/// The name every example gives what it refers to: the set, the
/// accounting object, the rate estimator (see `prepare`).
const NAME: &str = "example";

/// What a rule around the extension needs besides it: the protocol of
/// the ones that work on one (where `Rule::with_match` cannot tell), and
/// the `--syn` TCPMSS insists on.
fn rule_for(family: Family, name: &str) -> Rule {
    let rule = Rule::new(family);
    match name {
        "multiport" | "ECN" | "TPROXY" | "SYNPROXY" | "TCPOPTSTRIP" => rule.protocol(6),
        "l2tp" => rule.protocol(17),
        "TCPMSS" => rule.with_match(Tcp::syn()),
        _ => rule,
    }
}

/// Makes what the examples refer to in this namespace: an ipset, an
/// nfacct object and a rate estimator, all named [`NAME`].
fn prepare(backend: Backend) {
    // A list of sets: of no family, so that rules of both may name it.
    run("ipset", &["create", NAME, "list:set"]);
    run("nfacct", &["add", NAME]);
    // The rateest match compares with an estimator, which a RATEEST rule
    // makes and keeps while it stays; a user chain nothing jumps to holds it.
    let mut h = open(backend, Family::Ipv4, "filter");
    h.new_chain("estimators").unwrap();
    let rateest = TargetExt::examples(Family::Ipv4)
        .into_iter()
        .find(|t| t.name() == "RATEEST")
        .unwrap();
    h.append("estimators", Rule::new(Family::Ipv4).with_target(rateest))
        .unwrap();
    h.commit().unwrap();
}

/// Runs a tool of the test's setup and asserts it succeeded.
fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed by this test (.ci/setup installs it): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn open(backend: Backend, family: Family, table: &str) -> Handle {
    Handle::open_with(family, table, Options::default().backend(backend))
        .unwrap_or_else(|e| panic!("opening {table}: {e}"))
}

/// The `-A` lines of `chain` the real save tool prints for `table`, or
/// its complaint.
fn saved(
    backend: Backend,
    family: Family,
    table: &str,
    chain: &str,
) -> Result<Vec<String>, String> {
    let tool = match backend {
        Backend::Nft => nft_tool(family, "-save"),
        _ => tool(family, "-save"),
    };
    let out = Command::new(&tool).args(["-t", table]).output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let head = format!("-A {chain} ");
    Ok(String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(&head))
        .map(String::from)
        .collect())
}

/// Why a rule failed: the kernel's refusal, when it was one, and the story.
type Failure = (Option<Refusal>, String);

/// Commits `rule` in the first place that takes it, checks it there and
/// removes it again. `Err` says why no place took it, or what differed;
/// `printable` is false when the save tool is expected to fail on it.
fn commit_somewhere(backend: Backend, rule: &Rule, printable: bool) -> Result<(), Failure> {
    let family = rule.family;
    let dialect = match backend {
        Backend::Nft => iptkit::extension::Dialect::Nft,
        _ => iptkit::extension::Dialect::Legacy,
    };
    let mut why = (None, String::new());
    for (table, chain) in PLACES {
        let mut h = open(backend, family, table);
        h.append(chain, rule.clone())
            .map_err(|e| (None, e.to_string()))?;
        match h.commit() {
            Ok(()) => {}
            Err(e @ Error::Refused { .. }) => {
                let refusal = parts(&e).4;
                why = (Some(refusal), format!("{table} {chain}: {e}"));
                match refusal {
                    Refusal::Hook { .. } => continue,
                    _ => return Err(why),
                }
            }
            Err(e) => return Err((None, format!("{table} {chain}: {e}"))),
        }
        let read = open(backend, family, table).rules(chain).unwrap().to_vec();
        let printed = saved(backend, family, table, chain);
        h.flush(chain).unwrap();
        h.commit().unwrap();
        let want = rule.save_line_as(chain, false, dialect);
        if read != [rule.clone()] {
            return Err((None, format!("{table} {chain}: read back as {read:?}")));
        }
        let same = printed.as_ref().is_ok_and(|p| *p == [want.clone()]);
        return match (same, printable) {
            (true, true) | (false, false) => Ok(()),
            (false, true) => Err((
                None,
                format!("{table} {chain}: the save tool printed {printed:?}, iptkit {want:?}"),
            )),
            (true, false) => Err((
                None,
                format!("{table} {chain}: the save tool prints it now; take it off UNPRINTABLE"),
            )),
        };
    }
    Err(why)
}

fn every_example_commits(backend: Backend) {
    isolate();
    prepare(backend);
    let mut failed = Vec::new();
    let mut missing = Vec::new();
    for family in FAMILIES {
        let matches = Match::examples(family).into_iter().map(|m| {
            let rule = rule_for(family, m.name()).with_match(m.clone());
            (m.name().to_string(), rule)
        });
        let targets = TargetExt::examples(family).into_iter().map(|t| {
            let rule = rule_for(family, t.name()).with_target(t.clone());
            (t.name().to_string(), rule)
        });
        for (name, rule) in matches.chain(targets) {
            let printable = !UNPRINTABLE
                .iter()
                .any(|u| u.0 == name && u.1.is_none_or(|b| b == backend));
            let result = commit_somewhere(backend, &rule, printable);
            match (MISSING.iter().find(|m| m.0 == name), result) {
                (None, Ok(())) => {}
                (None, Err((_, e))) => failed.push(format!("{family:?} {name} ({rule}): {e}")),
                (Some((_, want, _)), Err((Some(refusal), _))) if refusal == *want => {
                    missing.push(name)
                }
                (Some((_, _, why)), result) => failed.push(format!(
                    "{family:?} {name}: listed as refused ({why}), but: {result:?}"
                )),
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    for (name, _, why) in MISSING {
        assert!(
            missing.contains(&name.to_string()),
            "{name} ({why}) was never tried"
        );
    }
}

#[test]
fn legacy() {
    every_example_commits(Backend::Legacy);
}

#[cfg(feature = "nft")]
#[test]
fn nft() {
    every_example_commits(Backend::Nft);
}
