//! Commits on a 20,000-rule chain while another program keeps changing the
//! ruleset every 50 ms, on both backends: every commit that reports success
//! landed once, none reports a failure for a change that landed, none is
//! applied twice. Each test runs in its own private network namespace.
//!
//! On nf_tables every commit of any program moves the namespace's one
//! generation id, and a dump of 20,000 rules takes longer than the gap
//! between two of the writer's commits: reads stand when two dumps in a row
//! agree, and changes by position go as deltas without a generation id.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command};

use common::{isolate, rule};
use iptkit::{Backend, Family, Handle, Options};

const RULES: usize = 20_000;

/// The iptables-restore text of an INPUT chain of `RULES` rules.
fn big_table() -> String {
    let mut text =
        String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for i in 0..RULES {
        text.push_str(&format!(
            "-A INPUT -s 198.18.{}.{}/32 -j DROP\n",
            i / 250,
            i % 250 + 1
        ));
    }
    text.push_str("COMMIT\n");
    text
}

/// Another program changing the ruleset every 50 ms until dropped; each
/// round it got through appends a line to `rounds`.
struct Writer {
    child: Child,
    rounds: PathBuf,
}

impl Writer {
    fn start(round: &str) -> Writer {
        let rounds = std::env::temp_dir().join(format!(
            "iptkit-busy-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&rounds);
        let script = format!(
            "while :; do {round} && echo >> '{}'; sleep 0.05; done",
            rounds.display()
        );
        let child = Command::new("sh")
            .args(["-c", &script])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sh is installed");
        Writer { child, rounds }
    }

    /// Rounds the writer has finished so far.
    fn rounds(&self) -> usize {
        std::fs::read_to_string(&self.rounds)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.rounds);
    }
}

fn open(backend: Backend) -> Handle {
    let options = Options::default().backend(backend);
    Handle::open_with(Family::Ipv4, "filter", options).expect("open filter")
}

/// The `-A INPUT` lines of the real tool's save output.
fn saved_input(backend: Backend) -> Vec<String> {
    let tool = match backend {
        Backend::Nft => "iptables-nft-save",
        _ => "iptables-legacy-save",
    };
    let out = Command::new(tool)
        .args(["-t", "filter"])
        .output()
        .unwrap_or_else(|e| panic!("{tool} is installed: {e}"));
    assert!(out.status.success(), "{tool} failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("-A INPUT "))
        .map(String::from)
        .collect()
}

/// Blocks, appends and deletes under a busy writer, then checks every
/// outcome against the kernel.
fn busy(backend: Backend, writer_round: &str) {
    isolate();
    match backend {
        Backend::Nft => common::nft_restore(Family::Ipv4, &big_table()),
        _ => common::restore(Family::Ipv4, &big_table()),
    }
    let writer = Writer::start(writer_round);
    // Busy before the first change: two rounds done.
    for polls in 0.. {
        if writer.rounds() >= 2 {
            break;
        }
        assert!(polls < 6000, "the writer did not get going");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let rounds_before = writer.rounds();
    let block = |n: usize| format!("-s 203.0.113.{n}/32 -j DROP");
    let allow = |n: usize| format!("-s 203.0.114.{n}/32 -j ACCEPT");

    // As `block_ip` does: a new handle per change, check, insert at the
    // head, commit. The third round blocks the first address again: a
    // no-op that must not fail.
    for n in [1, 2, 1, 3] {
        let mut h = open(backend);
        let r = rule(Family::Ipv4, &block(n));
        if !h
            .contains_rule("INPUT", &r)
            .expect("check under a busy writer")
        {
            h.insert("INPUT", 0, r).unwrap();
        }
        h.commit()
            .unwrap_or_else(|e| panic!("block {n} under a busy writer: {e}"));
    }
    // A long-lived handle appending and committing, as a daemon would.
    let mut daemon = open(backend);
    for n in 1..=3 {
        daemon
            .append("INPUT", rule(Family::Ipv4, &allow(n)))
            .unwrap();
        daemon
            .commit()
            .unwrap_or_else(|e| panic!("append {n} under a busy writer: {e}"));
    }
    // Unblock one, through a new handle: a delete by spec.
    let mut h = open(backend);
    h.delete_rule("INPUT", &rule(Family::Ipv4, &block(2)))
        .unwrap();
    h.commit()
        .unwrap_or_else(|e| panic!("unblock under a busy writer: {e}"));

    // A save reads the table whole, as it stood at one moment.
    let saved = open(backend)
        .save(false)
        .expect("a save under a busy writer");
    let saved_rules = String::from_utf8(saved)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("-A INPUT "))
        .count();
    assert_eq!(saved_rules, RULES + 5);

    let rounds = writer.rounds() - rounds_before;
    drop(writer);
    assert!(
        rounds >= 1,
        "the writer got through no round during the changes: the ruleset was not busy"
    );
    let lines = saved_input(backend);
    let count = |spec: &str| {
        let want = format!("-A INPUT {spec}");
        lines.iter().filter(|l| **l == want).count()
    };
    assert_eq!(count(&block(1)), 1, "blocked twice, once a no-op");
    assert_eq!(count(&block(2)), 0, "unblocked");
    assert_eq!(count(&block(3)), 1);
    for n in 1..=3 {
        assert_eq!(count(&allow(n)), 1, "appended once: {}", allow(n));
    }
    assert_eq!(lines.len(), RULES + 5);
    // The blocks are at the head, newest first; the appends at the end.
    assert_eq!(lines[0], format!("-A INPUT {}", block(3)));
    assert_eq!(lines[1], format!("-A INPUT {}", block(1)));
    assert_eq!(lines[lines.len() - 1], format!("-A INPUT {}", allow(3)));
}

#[cfg(feature = "nft")]
#[test]
fn nft_commits_land_once_under_a_busy_ruleset() {
    // Any nf_tables user moves the generation id: here `nft` on a table
    // of its own.
    busy(
        Backend::Nft,
        "nft add table ip scratch && nft delete table ip scratch",
    );
}

#[test]
fn legacy_commits_land_once_under_a_busy_ruleset() {
    // A legacy writer changes the same table, under the xtables lock.
    busy(
        Backend::Legacy,
        "iptables-legacy -w -A FORWARD -s 198.51.100.7 -j DROP && iptables-legacy -w -D FORWARD -s 198.51.100.7 -j DROP",
    );
}
