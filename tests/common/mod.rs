//! Helpers for the integration tests: a private network namespace per test,
//! and the iptables-legacy tools as the oracle of what the kernel holds.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use iptkit::Family;

/// Moves this test's thread into a fresh network namespace. Every test that
/// touches the kernel calls this first: it can never change the machine's
/// firewall. Fails loudly when not root: these tests never skip.
pub fn isolate() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the legacy integration tests must run as root (they unshare a network namespace)"
    );
    iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET) failed");
}

/// Both families, for tests that run the same steps on each.
pub const FAMILIES: [Family; 2] = [Family::Ipv4, Family::Ipv6];

fn tool(family: Family, what: &str) -> String {
    match family {
        Family::Ipv4 => format!("iptables-legacy{what}"),
        Family::Ipv6 => format!("ip6tables-legacy{what}"),
    }
}

/// Runs `iptables-legacy -w ARGS` (or ip6tables) and asserts it succeeded.
pub fn ipt(family: Family, args: &str) {
    let out = Command::new(tool(family, ""))
        .arg("-w")
        .args(args.split_whitespace())
        .output()
        .expect("iptables-legacy is installed");
    assert!(
        out.status.success(),
        "{} {args} failed: {}",
        tool(family, ""),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feeds `text` to `iptables-legacy-restore -w -c` and asserts it succeeded.
pub fn restore(family: Family, text: &str) {
    let mut child = Command::new(tool(family, "-restore"))
        .args(["-w", "-c"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("iptables-legacy-restore is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "restore refused:\n{text}");
}

/// `iptables-legacy-save -t TABLE [-c]` without its comment lines.
pub fn save(family: Family, table: &str, counters: bool) -> String {
    let mut cmd = Command::new(tool(family, "-save"));
    cmd.args(["-t", table]);
    if counters {
        cmd.arg("-c");
    }
    let out = cmd.output().expect("iptables-legacy-save is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The `-A` lines of a save.
pub fn rules(family: Family, table: &str) -> Vec<String> {
    save(family, table, false)
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(String::from)
        .collect()
}

/// A rule of the family from iptables words.
pub fn rule(family: Family, spec: &str) -> iptkit::Rule {
    iptkit::Rule::parse(family, spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// A host address of the family, numbered.
pub fn host(family: Family, n: u8) -> String {
    match family {
        Family::Ipv4 => format!("192.0.2.{n}"),
        Family::Ipv6 => format!("2001:db8::{n}"),
    }
}

/// How iptables-save prints that host.
pub fn host_saved(family: Family, n: u8) -> String {
    match family {
        Family::Ipv4 => format!("192.0.2.{n}/32"),
        Family::Ipv6 => format!("2001:db8::{n}/128"),
    }
}
