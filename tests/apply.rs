//! The `apply` example (commit with confirmation, as iptables-apply) on both
//! backends, each test in its own private network namespace: confirmed
//! rules stay, a refusal, end of input or no answer in time puts the
//! previous rules back, a file of two tables changes nothing. Checked with
//! the real `iptables-*-save`.
#![cfg(feature = "nft")]

mod common;

use std::process::{Command, Output, Stdio};

use common::*;
use iptkit::Family;

const BEFORE: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                      -A INPUT -s 192.0.2.1/32 -j DROP\nCOMMIT\n";
const AFTER: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                     -A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";

/// A backend: its `--backend` value, how the real tools load and save.
type Backend = (&'static str, fn(Family, &str), fn() -> String);

/// Both backends.
fn backends() -> [Backend; 2] {
    [
        ("legacy", restore, || save(Family::Ipv4, "filter", false)),
        ("nft", nft_restore, || {
            nft_save(Family::Ipv4, Some("filter"), false)
        }),
    ]
}

/// The saved table's rule and policy lines (no header, date or counters).
fn lines(saved: &str) -> Vec<String> {
    saved
        .lines()
        .filter(|l| l.starts_with('-') || l.starts_with(':'))
        .map(|l| l.split(" [").next().unwrap().to_string())
        .collect()
}

fn file_with(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("iptkit-apply-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn confirmed_stays_refused_or_eof_puts_back() {
    isolate();
    let dir = scratch("answers");
    let file = file_with(&dir, "after.rules", AFTER);
    for (backend, load, saved) in backends() {
        load(Family::Ipv4, BEFORE);
        let before = lines(&saved());
        let after_lines = lines(AFTER);

        for (answer, code, expect) in [
            ("n\n", 3, &before),
            ("", 3, &before),
            ("y\n", 0, &after_lines),
        ] {
            let out = run_example("apply", &["--backend", backend, "-t", "30", &file], answer);
            assert_eq!(
                out.status.code(),
                Some(code),
                "{backend}, answer {answer:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(&lines(&saved()), expect, "{backend}, answer {answer:?}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_answer_in_time_puts_back() {
    isolate();
    let dir = scratch("timeout");
    let file = file_with(&dir, "after.rules", AFTER);
    for (backend, load, saved) in backends() {
        load(Family::Ipv4, BEFORE);
        let before = lines(&saved());
        // stdin stays open and silent until the tool has exited.
        let mut child = Command::new(example("apply"))
            .args(["--backend", backend, "-t", "1", &file])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out: Output = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("no answer in time"));
        assert_eq!(lines(&saved()), before, "{backend}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_tables_or_a_bad_rule_change_nothing() {
    isolate();
    let dir = scratch("bad");
    let two = file_with(
        &dir,
        "two.rules",
        &format!("{AFTER}*mangle\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"),
    );
    let bad = file_with(
        &dir,
        "bad.rules",
        "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport nope -j ACCEPT\nCOMMIT\n",
    );
    for (backend, load, saved) in backends() {
        load(Family::Ipv4, BEFORE);
        let before = lines(&saved());
        for file in [&two, &bad] {
            let out = run_example("apply", &["--backend", backend, file], "y\n");
            assert_eq!(out.status.code(), Some(1), "{backend} {file}");
            assert_eq!(lines(&saved()), before, "{backend} {file}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
