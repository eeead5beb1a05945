//! The example tools' command lines, run as processes in this test's
//! private network namespace on both backends: `restore` takes
//! iptables-restore 1.8.9's flags and exit codes, every tool that takes the
//! xtables lock takes `-w [SECS]`, and `block_ip` prints what it changed.
#![cfg(feature = "nft")]

mod common;

use common::{example_ok as ok, run_example as run};
use iptkit::Family;

const BACKENDS: [&str; 2] = ["legacy", "nft"];

/// The real `*-save` of the filter table, comments aside.
fn saved(backend: &str) -> String {
    match backend {
        "legacy" => common::save(Family::Ipv4, "filter", false),
        _ => common::nft_save(Family::Ipv4, Some("filter"), false),
    }
}

const INPUT: &str = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.1/32 -j ACCEPT\nCOMMIT\n";

fn code(name: &str, args: &[&str], stdin: &str) -> i32 {
    run(name, args, stdin).status.code().expect("exited")
}

#[test]
fn restore_takes_iptables_restore_flags() {
    common::isolate();
    for b in BACKENDS {
        let be = ["--backend", b];
        // Something there, so that the table exists for its save.
        ok("restore", &be, "*filter\n-A OUTPUT -j ACCEPT\nCOMMIT\n");
        let before = saved(b);
        // -t / --test: tests, commits nothing.
        for t in ["-t", "--test"] {
            ok("restore", &[&be[..], &[t]].concat(), INPUT);
            assert_eq!(saved(b), before, "{b} {t}");
        }
        // -T / --table: only that table's lines are read.
        ok("restore", &[&be[..], &["-T", "nat"]].concat(), INPUT);
        assert_eq!(saved(b), before, "{b} -T nat");
        // -w, -w SECS, --wait=SECS, -W with -w, -M: all restore.
        for w in [
            &["-w"][..],
            &["-w", "5"],
            &["--wait=5"],
            &["-w", "-W", "100"],
            &["-M", "/bin/false"],
        ] {
            ok("restore", &[&be[..], w].concat(), INPUT);
            assert!(
                saved(b).contains("-A INPUT -s 192.0.2.1/32 -j ACCEPT\n"),
                "{b} {w:?}"
            );
        }
        // -n / --noflush and -c / --counters together.
        let more = "*filter\n[3:30] -A INPUT -s 192.0.2.2/32 -j ACCEPT\nCOMMIT\n";
        ok("restore", &[&be[..], &["-n", "-c"]].concat(), more);
        let after = saved(b);
        assert!(
            after.contains(
                "-A INPUT -s 192.0.2.1/32 -j ACCEPT\n-A INPUT -s 192.0.2.2/32 -j ACCEPT\n"
            ),
            "{b}:\n{after}"
        );
        // Exit codes as iptables-restore's.
        assert_eq!(code("restore", &["-V"], ""), 0);
        assert_eq!(code("restore", &["-h"], ""), 0);
        assert_eq!(code("restore", &[&be[..], &["--bogus"]].concat(), ""), 1);
        assert_eq!(
            code("restore", &[&be[..], &["-W", "100"]].concat(), INPUT),
            1
        );
        assert_eq!(
            code("restore", &[&be[..], &["-w", "abc"]].concat(), INPUT),
            2
        );
        assert_eq!(
            code("restore", &[&be[..], &["/nonexistent"]].concat(), ""),
            1
        );
        let bad = "*filter\n-A INPUT --foo\nCOMMIT\n";
        assert_eq!(code("restore", &be, bad), 2);
        // A table the kernel refuses: 1, the table unchanged.
        let refused = "*filter\n-A INPUT -j SNAT --to-source 192.0.2.9\nCOMMIT\n";
        let out = run("restore", &be, refused);
        assert_eq!(out.status.code(), Some(1), "{b}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("only valid in the nat table"), "{b}: {err}");
        assert_eq!(saved(b), after, "{b}");
    }
}

#[test]
fn block_ip_counts_what_it_changed_and_takes_w() {
    common::isolate();
    for b in BACKENDS {
        let be = ["--backend", b, "-w", "5"];
        let out = ok(
            "block_ip",
            &[&be[..], &["192.0.2.7", "192.0.2.8"]].concat(),
            "",
        );
        assert_eq!(out, "blocked 2, 0 unchanged\n", "{b}");
        // Another writer's rules change nothing in the counts.
        ok(
            "restore",
            &["--backend", b, "-n"],
            "*filter\n-A INPUT -s 192.0.2.50/32 -j DROP\nCOMMIT\n",
        );
        let out = ok(
            "block_ip",
            &[&be[..], &["192.0.2.7", "192.0.2.9"]].concat(),
            "",
        );
        assert_eq!(out, "blocked 1, 1 unchanged\n", "{b}");
        let out = ok("block_ip", &[&be[..], &["192.0.2.7"]].concat(), "");
        assert_eq!(out, "blocked 0, 1 unchanged\n", "{b}");
        let out = ok(
            "block_ip",
            &[&be[..], &["--unblock", "192.0.2.7", "192.0.2.99"]].concat(),
            "",
        );
        assert_eq!(out, "unblocked 1, 1 unchanged\n", "{b}");
        let rules: Vec<String> = saved(b)
            .lines()
            .filter(|l| l.starts_with("-A INPUT"))
            .map(String::from)
            .collect();
        assert_eq!(
            rules,
            [
                "-A INPUT -s 192.0.2.9/32 -j DROP",
                "-A INPUT -s 192.0.2.8/32 -j DROP",
                "-A INPUT -s 192.0.2.50/32 -j DROP"
            ],
            "{b}"
        );
    }
}

#[test]
fn allowlist_takes_w() {
    common::isolate();
    let file = std::env::temp_dir().join(format!("iptkit-allow-{}", std::process::id()));
    std::fs::write(&file, "192.0.2.1\n").unwrap();
    for b in BACKENDS {
        for w in [&["-w"][..], &["-w", "3"], &["--wait=3"]] {
            // After the file: a word after -w must be the seconds, as there.
            let backup = format!("{}.backup", file.display());
            let args = [
                &["--backend", b, "--backup", &backup, file.to_str().unwrap()][..],
                w,
            ]
            .concat();
            ok("allowlist", &args, "");
            assert!(
                saved(b).contains("-A ALLOWLIST -s 192.0.2.1/32 -j ACCEPT\n"),
                "{b} {w:?}"
            );
        }
    }
    std::fs::remove_file(format!("{}.backup", file.display())).unwrap();
    std::fs::remove_file(&file).unwrap();
}
