//! The `baseline` example run as a process in this test's private network
//! namespace, on both backends: the baseline and its fragments in name
//! order land as the real `*-save` tools show them, a second run changes
//! nothing, and `--check` exits 0 on a match and 1 with the difference on
//! drift.
#![cfg(feature = "nft")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::run_example as run;
use iptkit::Family;

const BACKENDS: [&str; 2] = ["legacy", "nft"];

/// The real save of every table of a family, comment lines aside.
fn saved(backend: &str, family: Family) -> String {
    let tool = match backend {
        "legacy" => common::tool(family, "-save"),
        _ => common::nft_tool(family, "-save"),
    };
    common::without_comments(&mut Command::new(&tool))
}

/// A fresh directory of fragments, written in another order than their
/// names sort in.
fn fragments(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iptkit-baseline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).unwrap();
    write(
        "20-web.rules",
        "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n",
    );
    write(
        "10-admin.rules",
        "# the admins' network first\n-N admin\n-A admin -s 192.0.2.0/24 -j ACCEPT\n-A INPUT -j admin\n",
    );
    write(
        "15-v6.rules6",
        "*filter\n-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 443 -j ACCEPT\nCOMMIT\n\
         *raw\n-A PREROUTING -s 2001:db8::1/128 -j ACCEPT\nCOMMIT\n",
    );
    write("notes.txt", "-A INPUT -j DROP\n");
    dir
}

fn code(args: &[&str]) -> i32 {
    run("baseline", args, "").status.code().expect("exited")
}

fn stdout(args: &[&str]) -> String {
    let out = run("baseline", args, "");
    assert!(
        out.status.success(),
        "baseline {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn baseline_lands_with_fragments_in_name_order_and_checks_drift() {
    common::isolate();
    let dir = fragments("order");
    let frag = dir.display().to_string();
    for b in BACKENDS {
        let args = ["--backend", b, "--fragments", &frag];
        let first = stdout(&args);
        assert!(first.contains("+:INPUT DROP\n"), "{b}:\n{first}");
        let v4 = saved(b, Family::Ipv4);
        assert!(
            v4.contains(":INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"),
            "{v4}"
        );
        // The baseline's rules, then 10-admin's, then 20-web's.
        let lines: Vec<&str> = v4.lines().filter(|l| l.starts_with("-A INPUT")).collect();
        assert_eq!(
            lines[lines.len() - 2..],
            [
                "-A INPUT -j admin",
                "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT"
            ],
            "{b}:\n{v4}"
        );
        assert!(v4.contains("-A admin -s 192.0.2.0/24 -j ACCEPT\n"), "{v4}");
        assert!(
            v4.contains("-A OUTPUT -p udp -m udp --dport 123 -j ACCEPT\n"),
            "{v4}"
        );
        assert!(!v4.contains("-j DROP"), "notes.txt is no fragment:\n{v4}");
        let v6 = saved(b, Family::Ipv6);
        for want in [
            "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -m hl --hl-eq 255 -j ACCEPT\n",
            "-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 136 -m hl --hl-eq 255 -j ACCEPT\n",
            "-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 443 -j ACCEPT\n",
            "-A PREROUTING -s 2001:db8::1/128 -j ACCEPT\n",
        ] {
            assert!(v6.contains(want), "{b}: {want}in\n{v6}");
        }
        assert!(!v6.contains("192.0.2."), "{v6}");
        // Again: nothing to change.
        assert_eq!(
            stdout(&args),
            "baseline: 0 added, 0 removed, 0 changed\n",
            "{b}"
        );
        // --check: the real tools' saves match, counters aside.
        let s4 = write_file(&dir, &format!("{b}.save"), &saved(b, Family::Ipv4));
        let s6 = write_file(&dir, &format!("{b}.save6"), &saved(b, Family::Ipv6));
        let check = ["--backend", b, "--check", &s4, "--check6", &s6];
        assert_eq!(code(&check), 0, "{b}");
        // Drift: a rule added behind the baseline's back.
        let tool = match b {
            "legacy" => common::tool(Family::Ipv6, ""),
            _ => common::nft_tool(Family::Ipv6, ""),
        };
        let added = Command::new(&tool)
            .args(["-A", "OUTPUT", "-d", "2001:db8::9", "-j", "ACCEPT"])
            .status()
            .unwrap();
        assert!(added.success());
        let out = run("baseline", &check, "");
        assert_eq!(out.status.code(), Some(1), "{b}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "--- saved\n+++ live\n# ipv6\n*filter\n+-A OUTPUT -d 2001:db8::9/128 -j ACCEPT\n",
            "{b}"
        );
        // The IPv4 side alone still matches.
        assert_eq!(code(&["--backend", b, "--check", &s4]), 0, "{b}");
        // Running the baseline again takes the drift away.
        let fixed = stdout(&args);
        assert!(
            fixed.contains("--A OUTPUT -d 2001:db8::9/128 -j ACCEPT\n"),
            "{fixed}"
        );
        assert_eq!(code(&check), 0, "{b}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn baseline_exit_codes_and_dry_run() {
    common::isolate();
    let dir = fragments("codes");
    let frag = dir.display().to_string();
    // A file that is not there, or does not parse: 2.
    assert_eq!(code(&["--check", "/nonexistent/saved"]), 2);
    let bad = write_file(&dir, "bad.save", "*filter\n-A INPUT --bogus\nCOMMIT\n");
    assert_eq!(code(&["--backend", "legacy", "--check", &bad]), 2);
    write_file(&dir, "30-bad.rules", "-A INPUT -j nosuchchain\n");
    assert_eq!(code(&["--backend", "legacy", "--fragments", &frag]), 2);
    std::fs::remove_file(dir.join("30-bad.rules")).unwrap();
    assert_eq!(code(&["--bogus"]), 2);
    // --dry-run prints both families and changes nothing.
    let before = saved("legacy", Family::Ipv4);
    let dry = stdout(&["--dry-run", "--origins", "--fragments", &frag]);
    assert!(
        dry.starts_with("# ipv4\n*filter\n:INPUT DROP [0:0]\n"),
        "{dry}"
    );
    assert!(dry.contains("\n# ipv6\n*raw\n"), "{dry}");
    // Each rule says where it came from: the program, or the fragment line.
    assert!(dry.contains("# defined at examples/baseline.rs:"), "{dry}");
    let admin =
        format!("# defined at {frag}/10-admin.rules:3\n-A admin -s 192.0.2.0/24 -j ACCEPT\n");
    assert!(dry.contains(&admin), "{dry}");
    assert_eq!(saved("legacy", Family::Ipv4), before);
    // --isolated: in a namespace of its own, ours untouched.
    let out = stdout(&["--isolated", "--backend", "legacy", "--fragments", &frag]);
    assert!(out.contains("+:INPUT DROP\n"), "{out}");
    assert_eq!(saved("legacy", Family::Ipv4), before);
    // -w SECS, as every tool that takes the xtables lock.
    let out = stdout(&["--backend", "legacy", "-w", "5"]);
    assert!(out.ends_with(" 0 removed, 0 changed\n"), "{out}");
    assert!(saved("legacy", Family::Ipv4).contains(":INPUT DROP [0:0]\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}
