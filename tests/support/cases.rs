//! The shared conformance corpus (`../shared/conformance/cases.jsonl`): what
//! iptables 1.8.9 did with each rule of its own extension tests.
//!
//! The corpus lives beside the repository (CI clones it there). Set
//! `IPTKIT_CONFORMANCE` to its folder to use another place. A missing corpus
//! fails the test with a message saying where it was looked for.

#![allow(dead_code)]

use std::path::PathBuf;

use iptkit::{Family, Match, TargetExt};
use serde_json::Value;

/// What one backend's tool did with a case.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub accepted: bool,
    pub save: Vec<String>,
    pub stage: Option<String>,
    pub error: Option<String>,
}

/// One case.
#[derive(Clone, Debug)]
pub struct Case {
    pub family: Family,
    pub table: String,
    pub chain: String,
    pub rule: String,
    pub argv: Vec<String>,
    pub legacy: Outcome,
    pub nft: Outcome,
    pub source: String,
}

pub fn dir() -> PathBuf {
    match std::env::var_os("IPTKIT_CONFORMANCE") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    }
}

fn outcome(v: &Value) -> Outcome {
    Outcome {
        accepted: v["accepted"].as_bool().unwrap(),
        save: v["save"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect(),
        stage: v["stage"].as_str().map(str::to_string),
        error: v["error"].as_str().map(str::to_string),
    }
}

pub fn load() -> Vec<Case> {
    let path = dir().join("cases.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the conformance corpus is missing at {} ({e}); set IPTKIT_CONFORMANCE",
            path.display()
        )
    });
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON case");
            Case {
                family: if v["family"] == 6 {
                    Family::Ipv6
                } else {
                    Family::Ipv4
                },
                table: v["table"].as_str().unwrap().into(),
                chain: v["chain"].as_str().unwrap().into(),
                rule: v["rule"].as_str().unwrap().into(),
                argv: v["argv"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
                legacy: outcome(&v["legacy"]),
                nft: outcome(&v["nft"]),
                source: v["source"].as_str().unwrap().into(),
            }
        })
        .collect()
}

/// Every extension the kernel registers (`kernel-xt.json`), matches and targets.
pub fn kernel_extensions() -> Vec<String> {
    let path = dir().join("kernel-xt.json");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("kernel-xt.json")).unwrap();
    let mut names = Vec::new();
    for list in v.as_object().unwrap().values() {
        for n in list.as_array().unwrap() {
            names.push(n.as_str().unwrap().to_string());
        }
    }
    names
}

/// True when every extension the case names has a typed codec in this crate.
pub fn typed(case: &Case) -> bool {
    let matches = Match::known_names();
    let targets = TargetExt::known_names();
    let kernel = kernel_extensions();
    let a = &case.argv;
    for (i, w) in a.iter().enumerate() {
        let next = a.get(i + 1).map(String::as_str).unwrap_or("");
        match w.as_str() {
            "-m" | "--match" if !matches.contains(&next) => return false,
            "-j" | "--jump"
                if !targets.contains(&next)
                    && !["ACCEPT", "DROP", "RETURN", "QUEUE"].contains(&next) =>
            {
                return false
            }
            // `-p sctp --dport 1` loads the protocol's match implicitly.
            "-p" | "--protocol" => {
                let name = match next {
                    "ipv6-icmp" | "icmpv6" | "58" => "icmp6",
                    n => n,
                };
                if kernel.iter().any(|k| k == name) && !matches.contains(&name) {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}
