//! The example tools, run as a user runs them, in this test's private network
//! namespace (child processes inherit it), checked with the real
//! iptables-legacy tools.

mod common;

use std::process::Command;

use common::{example_ok, run_example};

/// Runs an example tool on the legacy backend (the tools' default is the
/// machine's `iptables`) and asserts it succeeded; its output.
fn ok(name: &str, args: &[&str], stdin: &str) -> String {
    example_ok(name, &legacy(args), stdin)
}

/// Runs an example tool on the legacy backend.
fn run(name: &str, args: &[&str], stdin: &str) -> std::process::Output {
    run_example(name, &legacy(args), stdin)
}

fn legacy<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--backend", "legacy"];
    all.extend_from_slice(args);
    all
}
use iptkit::Family;

fn without_comments(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn block_ip_is_idempotent_and_keeps_other_counters() {
    common::isolate();
    for family in common::FAMILIES {
        let v6 = if family == Family::Ipv6 {
            vec!["-6"]
        } else {
            vec![]
        };
        common::ipt(family, "-A INPUT -p tcp --dport 22 -j ACCEPT -c 7 700");
        let a = common::host(family, 9);
        let net = if family == Family::Ipv4 {
            "198.51.100.0/24"
        } else {
            "2001:db8:1::/48"
        };
        let args: Vec<&str> = v6.iter().copied().chain([a.as_str(), net]).collect();
        ok("block_ip", &args, "");
        ok("block_ip", &args, "");
        let rules = common::rules(family, "filter");
        assert_eq!(rules.len(), 3, "{rules:?}");
        assert_eq!(
            rules[0],
            format!("-A INPUT -s {} -j DROP", common::host_saved(family, 9))
        );
        assert!(common::save(family, "filter", true)
            .contains("[7:700] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"));
        let unblock: Vec<&str> = v6
            .iter()
            .copied()
            .chain(["--unblock", a.as_str()])
            .collect();
        ok("block_ip", &unblock, "");
        ok("block_ip", &unblock, ""); // nothing left to unblock: not an error
        assert_eq!(common::rules(family, "filter").len(), 2);
        assert!(!run("block_ip", &["--chain", "NOPE", "192.0.2.1"], "")
            .status
            .success());
        assert!(!run("block_ip", &["not-an-address"], "").status.success());
    }
}

#[test]
fn allowlist_swaps_atomically_and_rolls_back() {
    common::isolate();
    let dir = std::env::temp_dir().join(format!("iptkit-allowlist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("first.txt");
    let second = dir.join("second.txt");
    std::fs::write(&first, "192.0.2.1\n# lab\n198.51.100.0/24  # whole lab\n\n").unwrap();
    std::fs::write(&second, "203.0.113.5\n").unwrap();
    common::ipt(Family::Ipv4, "-A INPUT -i lo -j ACCEPT -c 3 30");
    let backup = dir.join("backup.rules").display().to_string();
    let args = [
        "--chain", "SERVERS", "--iface", "eth0", "--ports", "22,443", "--backup", &backup,
    ];
    let with = |f: &std::path::PathBuf| -> Vec<String> {
        args.iter()
            .map(|s| s.to_string())
            .chain([f.display().to_string()])
            .collect()
    };
    let a: Vec<String> = with(&first);
    ok(
        "allowlist",
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        "",
    );
    let b: Vec<String> = with(&second);
    ok(
        "allowlist",
        &b.iter().map(String::as_str).collect::<Vec<_>>(),
        "",
    );
    let rules = common::rules(Family::Ipv4, "filter");
    assert_eq!(
        rules,
        [
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -i eth0 -p tcp -m multiport --dports 22,443 -j SERVERS",
            "-A SERVERS -s 203.0.113.5/32 -j ACCEPT",
            "-A SERVERS -j DROP",
            "-A SERVERS-prev -s 192.0.2.1/32 -j ACCEPT",
            "-A SERVERS-prev -s 198.51.100.0/24 -j ACCEPT",
            "-A SERVERS-prev -j DROP",
        ]
    );
    assert!(common::save(Family::Ipv4, "filter", true).contains("[3:30] -A INPUT -i lo -j ACCEPT"));
    // --rollback restores the backup: the table before the second file.
    ok("allowlist", &["--backup", &backup, "--rollback"], "");
    let rules = common::rules(Family::Ipv4, "filter");
    assert_eq!(
        rules,
        [
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -i eth0 -p tcp -m multiport --dports 22,443 -j SERVERS",
            "-A SERVERS -s 192.0.2.1/32 -j ACCEPT",
            "-A SERVERS -s 198.51.100.0/24 -j ACCEPT",
            "-A SERVERS -j DROP",
        ]
    );
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "192.0.2.1\nnot-an-address\n").unwrap();
    let before = common::save(Family::Ipv4, "filter", true);
    assert!(!run(
        "allowlist",
        &[
            "--chain",
            "SERVERS",
            "--backup",
            &backup,
            bad.to_str().unwrap()
        ],
        ""
    )
    .status
    .success());
    assert_eq!(
        common::save(Family::Ipv4, "filter", true),
        before,
        "a refused file changes nothing"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn save_and_restore_agree_with_the_real_tools() {
    common::isolate();
    let input = "*filter\n:INPUT DROP [5:500]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:web - [0:0]\n\
                 [1:100] -A INPUT -p tcp -m multiport --dports 80,443 -j web\n\
                 -A web -m conntrack --ctstate NEW -m limit --limit 10/sec -j ACCEPT\n\
                 -A web -j LOG --log-prefix \"web drop: \"\nCOMMIT\n\
                 *nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n\
                 -A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n";
    ok("restore", &["-c"], input);
    let real = Command::new("iptables-legacy-save")
        .arg("-c")
        .output()
        .unwrap();
    let ours = ok("save", &["-c"], "");
    assert_eq!(
        without_comments(&ours),
        without_comments(&String::from_utf8(real.stdout).unwrap())
    );
    assert!(
        ours.contains(":INPUT DROP [5:500]") && ours.contains("[1:100] -A INPUT"),
        "{ours}"
    );
    // --noflush adds; --test checks and changes nothing; -t TABLE limits to one table.
    ok(
        "restore",
        &["--noflush"],
        "*filter\n-A web -j DROP\nCOMMIT\n",
    );
    assert_eq!(
        common::rules(Family::Ipv4, "filter").last().unwrap(),
        "-A web -j DROP"
    );
    let before = ok("save", &[], "");
    ok("restore", &["--test"], "*filter\n-F\nCOMMIT\n");
    assert!(!run("restore", &[], "*filter\n-A INPUT --bogus\nCOMMIT\n")
        .status
        .success());
    ok(
        "restore",
        &["-T", "nat"],
        "*filter\n-F\nCOMMIT\n*nat\n-F\nCOMMIT\n",
    );
    let after = ok("save", &[], "");
    assert_eq!(
        after.replace("-A POSTROUTING -o eth0 -j MASQUERADE\n", ""),
        before.replace("-A POSTROUTING -o eth0 -j MASQUERADE\n", "")
    );
    assert!(!after.contains("MASQUERADE"));
}
