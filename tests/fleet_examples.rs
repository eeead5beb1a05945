//! The fleet tools as a user runs them, in this test's private network
//! namespace, on both backends and both families, checked byte for byte
//! with the real `iptables-legacy-save` / `iptables-nft-save`:
//! `allowlist --groups` (chains per group or one for all, the backup file,
//! `--rollback`, bad groups files) and `port_scan_defense`.
#![cfg(feature = "nft")]

mod common;

use std::path::{Path, PathBuf};

use common::{example_ok as ok, run_example as run};
use iptkit::defense::{PortScan, RateLimit};
use iptkit::{Backend, Family, Handle, Options};

const BACKENDS: [&str; 2] = ["legacy", "nft"];

/// The real `*-save -t filter` of the backend, comments aside.
fn saved(backend: &str, family: Family) -> String {
    match backend {
        "legacy" => common::save(family, "filter", false),
        _ => common::nft_save(family, Some("filter"), false),
    }
}

/// Adds a rule with the real tool of the backend.
fn ipt(backend: &str, family: Family, args: &str) {
    match backend {
        "legacy" => common::ipt(family, args),
        _ => common::nft_ipt(family, args),
    }
}

fn without_comments(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A scratch directory for this test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iptkit-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `allowlist` with the family's flag and the backend, then `args`.
fn allowlist(backend: &str, family: Family, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--backend", backend];
    if family == Family::Ipv6 {
        all.push("-6");
    }
    all.extend(args);
    run("allowlist", &all, "")
}

fn allowlist_ok(backend: &str, family: Family, args: &[&str]) -> String {
    let out = allowlist(backend, family, args);
    assert!(
        out.status.success(),
        "allowlist {backend} {family:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const GROUPS: &str = "# fleet roles\nweb: 192.0.2.10 192.0.2.11, 2001:db8::10\n\
                      db: 198.51.100.0/28 2001:db8:1::/64 # primary and replica\n";

/// What the real save prints after `GROUPS` went in chain by group, over
/// a table that held `-A INPUT -i lo -j ACCEPT`.
fn per_group(family: Family) -> String {
    let (web, db) = match family {
        Family::Ipv4 => (
            "-A allow-web -s 192.0.2.10/32 -j ACCEPT\n-A allow-web -s 192.0.2.11/32 -j ACCEPT\n",
            "-A allow-db -s 198.51.100.0/28 -j ACCEPT\n",
        ),
        Family::Ipv6 => (
            "-A allow-web -s 2001:db8::10/128 -j ACCEPT\n",
            "-A allow-db -s 2001:db8:1::/64 -j ACCEPT\n",
        ),
    };
    format!(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
         :allow - [0:0]\n:allow-db - [0:0]\n:allow-web - [0:0]\n\
         -A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,443 -j allow\n\
         -A allow -j allow-web\n-A allow -j allow-db\n-A allow -j DROP\n{db}{web}COMMIT\n"
    )
}

#[test]
fn groups_file_makes_a_chain_per_group_or_one_for_all() {
    common::isolate();
    let dir = scratch("fleet-groups");
    let groups = write(&dir, "groups.txt", GROUPS);
    let backup = dir.join("backup").display().to_string();
    for backend in BACKENDS {
        for family in common::FAMILIES {
            ipt(backend, family, "-A INPUT -i lo -j ACCEPT");
            let flags = ["--chain", "allow", "--ports", "22,443", "--backup", &backup];
            let per = [&flags[..], &["--groups", &groups, "--per-group"]].concat();
            let said = allowlist_ok(backend, family, &per);
            assert!(
                said.starts_with("allow: ") && said.contains("in allow, allow-web, allow-db"),
                "{said}"
            );
            assert_eq!(
                saved(backend, family),
                per_group(family),
                "{backend} {family:?}"
            );
            // The same again changes nothing.
            allowlist_ok(backend, family, &per);
            assert_eq!(
                saved(backend, family),
                per_group(family),
                "{backend} {family:?}"
            );
            // One chain for all: the group chains go, each address once.
            let one = [&flags[..], &["--groups", &groups]].concat();
            allowlist_ok(backend, family, &one);
            let addrs = match family {
                Family::Ipv4 => "-A allow -s 192.0.2.10/32 -j ACCEPT\n-A allow -s 192.0.2.11/32 -j ACCEPT\n\
                                 -A allow -s 198.51.100.0/28 -j ACCEPT\n",
                Family::Ipv6 => "-A allow -s 2001:db8::10/128 -j ACCEPT\n-A allow -s 2001:db8:1::/64 -j ACCEPT\n",
            };
            assert_eq!(
                saved(backend, family),
                format!(
                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                     :allow - [0:0]\n-A INPUT -i lo -j ACCEPT\n\
                     -A INPUT -p tcp -m multiport --dports 22,443 -j allow\n{addrs}-A allow -j DROP\nCOMMIT\n"
                ),
                "{backend} {family:?}"
            );
            // Clean up for the next round, with the real tool.
            ipt(backend, family, "-F");
            ipt(backend, family, "-X");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backup_holds_the_previous_save_and_rollback_restores_it() {
    common::isolate();
    let dir = scratch("fleet-backup");
    let first = write(&dir, "first.txt", GROUPS);
    let second = write(&dir, "second.txt", "web: 203.0.113.7 2001:db8:2::7\n");
    for backend in BACKENDS {
        for family in common::FAMILIES {
            let backup = dir.join(format!("{backend}-{family:?}.rules"));
            let b = backup.display().to_string();
            ipt(backend, family, "-P FORWARD DROP");
            ipt(backend, family, "-N mine");
            ipt(backend, family, "-A mine -p udp --dport 53 -j ACCEPT");
            ipt(backend, family, "-A INPUT -j mine");
            let s0 = saved(backend, family);
            let flags = ["--backup", b.as_str(), "--per-group", "--groups"];
            allowlist_ok(backend, family, &[&flags[..], &[&first]].concat());
            let backup_text = || without_comments(&std::fs::read_to_string(&backup).unwrap());
            assert_eq!(
                backup_text(),
                s0,
                "{backend} {family:?}: backup before the first change"
            );
            let s1 = saved(backend, family);
            assert_ne!(s1, s0);
            allowlist_ok(backend, family, &[&flags[..], &[&second]].concat());
            assert_eq!(
                backup_text(),
                s1,
                "{backend} {family:?}: backup before the second change"
            );
            let s2 = saved(backend, family);
            assert!(
                !s2.contains("ALLOWLIST-db") && s2.contains(":ALLOWLIST-web"),
                "{s2}"
            );
            // Rollback: exactly the rules before the last change; what it
            // replaced is the backup now, so a second rollback undoes it.
            let said = allowlist_ok(backend, family, &["--backup", &b, "--rollback"]);
            assert!(
                said.starts_with("restored the filter table from "),
                "{said}"
            );
            assert_eq!(saved(backend, family), s1, "{backend} {family:?}: rollback");
            assert_eq!(backup_text(), s2);
            allowlist_ok(backend, family, &["--backup", &b, "--rollback"]);
            assert_eq!(
                saved(backend, family),
                s2,
                "{backend} {family:?}: second rollback"
            );
            // A backup of the other family is refused, and changes nothing.
            let other = match family {
                Family::Ipv4 => Family::Ipv6,
                Family::Ipv6 => Family::Ipv4,
            };
            let out = allowlist(backend, other, &["--backup", &b, "--rollback"]);
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("iptkit backup of the"));
            assert_eq!(saved(backend, family), s2);
            // No backup: nothing to roll back to.
            let none = dir.join("none").display().to_string();
            let out = allowlist(backend, family, &["--backup", &none, "--rollback"]);
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to roll back to"));
            ipt(backend, family, "-F");
            ipt(backend, family, "-X");
            ipt(backend, family, "-P FORWARD ACCEPT");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_groups_file_is_a_clear_error_and_changes_nothing() {
    common::isolate();
    let dir = scratch("fleet-bad");
    let good = write(&dir, "good.txt", GROUPS);
    let bad = [
        (
            "web: 192.0.2.10\ndb: 192.0.2.300\n",
            "line 2: invalid address `192.0.2.300`",
        ),
        (
            "web: 192.0.2.10\n\nweb: 192.0.2.11\n",
            "line 3: group `web` is already defined on line 1",
        ),
        (
            "192.0.2.10\n",
            "line 1: `192.0.2.10` is not `group: address ...`",
        ),
        ("web server: 192.0.2.10\n", "line 1: invalid group name"),
    ];
    for backend in BACKENDS {
        for family in common::FAMILIES {
            let backup = dir.join("backup").display().to_string();
            let flags = ["--backup", backup.as_str(), "--per-group", "--groups"];
            allowlist_ok(backend, family, &[&flags[..], &[&good]].concat());
            let before = saved(backend, family);
            let backup_before = std::fs::read(&backup).unwrap();
            for (text, says) in bad {
                let file = write(&dir, "bad.txt", text);
                let out = allowlist(backend, family, &[&flags[..], &[&file]].concat());
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(1), "{text:?}: {err}");
                assert!(
                    err.starts_with(&format!("allowlist: {file}: {says}")),
                    "{text:?}: {err}"
                );
                assert_eq!(
                    saved(backend, family),
                    before,
                    "{backend} {family:?} {text:?}"
                );
                assert_eq!(
                    std::fs::read(&backup).unwrap(),
                    backup_before,
                    "backup untouched"
                );
            }
            // A groups file given as a plain list: the error says so.
            let out = allowlist(backend, family, &["--backup", &backup, &good]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.ends_with("(it reads as a groups file: use --groups)\n"),
                "{err}"
            );
            assert_eq!(saved(backend, family), before);
            // A group chain name too long for the kernel: refused before
            // anything is sent.
            let long = write(
                &dir,
                "long.txt",
                &format!("{}: 192.0.2.1\n", "g".repeat(30)),
            );
            let out = allowlist(backend, family, &[&flags[..], &[&long]].concat());
            assert!(!out.status.success());
            assert!(String::from_utf8_lossy(&out.stderr).contains("too long"));
            assert_eq!(saved(backend, family), before);
            assert_eq!(std::fs::read(&backup).unwrap(), backup_before);
            ipt(backend, family, "-F");
            ipt(backend, family, "-X");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn port_scan_defense_rules_are_taken_and_read_back() {
    common::isolate();
    for backend in BACKENDS {
        for family in common::FAMILIES {
            ipt(backend, family, "-A INPUT -p tcp --dport 22 -j ACCEPT");
            let mut args = vec!["--backend", backend, "--open-ports", "22,80,443"];
            if family == Family::Ipv6 {
                args.push("-6");
            }
            let said = ok("port_scan_defense", &args, "");
            assert!(said.starts_with("installed in the "), "{said}");
            let again = ok("port_scan_defense", &args, "");
            assert!(again.starts_with("already in place in the "), "{again}");
            let mask = match family {
                Family::Ipv4 => "255.255.255.255",
                Family::Ipv6 => "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            };
            let ssh = "-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m hashlimit \
                       --hashlimit-above 4/min --hashlimit-burst 5 --hashlimit-mode srcip \
                       --hashlimit-name ssh -j DROP\n";
            let scan = format!(
                "-A PORTSCAN -m recent --rcheck --seconds 60 --hitcount 10 --name portscan \
                 --mask {mask} --rsource -j DROP\n\
                 -A PORTSCAN -p tcp -m multiport ! --dports 22,80,443 -m conntrack --ctstate NEW \
                 -m recent --set --name portscan --mask {mask} --rsource\n"
            );
            assert_eq!(
                saved(backend, family),
                format!(
                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                     :PORTSCAN - [0:0]\n{ssh}-A INPUT -j PORTSCAN\n\
                     -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n{scan}COMMIT\n"
                ),
                "{backend} {family:?}"
            );
            // It printed the rules it installed, as the save prints them.
            assert!(said.contains(ssh) && said.contains(&scan), "{said}");
            // Read back through iptkit: the builders' own rules.
            let be = match backend {
                "legacy" => Backend::Legacy,
                _ => Backend::Nft,
            };
            let mut h =
                Handle::open_with(family, "filter", Options::default().backend(be)).unwrap();
            let guard = PortScan {
                open_ports: vec![22, 80, 443],
                ..PortScan::new(family, 60, 10).unwrap()
            };
            let rules: Vec<iptkit::Rule> = h.rules("PORTSCAN").unwrap().to_vec();
            let want = guard.rules().unwrap();
            assert_eq!(rules.len(), want.len());
            for (got, want) in rules.iter().zip(&want) {
                assert!(got.same_spec(want), "{backend}: {got} != {want}");
            }
            let limit = RateLimit::new(family, 22, "4/minute", "ssh").unwrap();
            assert!(h.rules("INPUT").unwrap()[0].same_spec(&limit.rule()));
            // A bad value is refused before anything changes.
            let before = saved(backend, family);
            for bad in [
                &["--hitcount", "0"][..],
                &["--ssh-rate", "fast"],
                &["--open-ports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"],
            ] {
                let out = run("port_scan_defense", &[&args[..], bad].concat(), "");
                assert_eq!(out.status.code(), Some(1), "{bad:?}");
                assert_eq!(saved(backend, family), before, "{bad:?}");
            }
            ipt(backend, family, "-F");
            ipt(backend, family, "-X");
        }
    }
}

/// One commit that replaces the jumps to two chains (one jumping to the
/// other) and deletes both: on nf_tables the jumps must be gone before the
/// chains are (the kernel answers EBUSY otherwise).
#[test]
fn jumps_replaced_and_their_chains_deleted_in_one_commit() {
    common::isolate();
    for (backend, be) in [("legacy", Backend::Legacy), ("nft", Backend::Nft)] {
        for family in common::FAMILIES {
            ipt(backend, family, "-N b");
            ipt(backend, family, "-N a");
            ipt(backend, family, "-A b -j ACCEPT");
            ipt(backend, family, "-A a -j b");
            ipt(backend, family, "-A INPUT -j a");
            ipt(backend, family, "-A INPUT -j DROP");
            let mut h =
                Handle::open_with(family, "filter", Options::default().backend(be)).unwrap();
            h.transact(|t| {
                t.replace("INPUT", 0, common::rule(family, "-p tcp -j ACCEPT"))?;
                t.flush("a")?;
                t.flush("b")?;
                t.delete_chain("b")?;
                t.delete_chain("a")
            })
            .unwrap_or_else(|e| panic!("{backend} {family:?}: {e}"));
            assert_eq!(
                saved(backend, family),
                "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                 -A INPUT -p tcp -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n",
                "{backend} {family:?}"
            );
            ipt(backend, family, "-F");
        }
    }
}

/// How a TCP connection attempt to a closed port on this host ends:
/// refused (the SYN got through to the stack, which answered RST) or
/// dropped (no answer before the timeout).
fn knock(addr: std::net::SocketAddr) -> &'static str {
    let wait = std::time::Duration::from_millis(900);
    match std::net::TcpStream::connect_timeout(&addr, wait) {
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => "refused",
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => "dropped",
        other => panic!("{addr}: {other:?}"),
    }
}

/// The rules at work, over loopback: the SSH limit lets the burst through
/// and drops the next new connection; ten probes of closed ports pass and
/// from then on every packet of that source is dropped, whatever its port.
#[test]
fn port_scan_defense_drops_what_it_should() {
    for backend in BACKENDS {
        // A namespace of its own for each backend: both would see the
        // packets, and their recent lists would be one.
        std::thread::spawn(move || {
            common::isolate_with_loopback();
            let args = [
                "--backend",
                backend,
                "--open-ports",
                "22",
                "--seconds",
                "3600",
                "--ssh-rate",
                "1/hour",
            ];
            ok("port_scan_defense", &args, "");
            let at = |port: u16| std::net::SocketAddr::from(([127, 0, 0, 1], port));
            let ssh: Vec<&str> = (0..6).map(|_| knock(at(22))).collect();
            assert_eq!(
                ssh,
                ["refused"; 5]
                    .iter()
                    .chain(&["dropped"])
                    .copied()
                    .collect::<Vec<_>>(),
                "{backend}"
            );
            let probes: Vec<&str> = (1001..=1010).map(|p| knock(at(p))).collect();
            // The tenth probe is the tenth hit: it passes, but the answer
            // to it comes from the same address here (loopback) and is
            // the first packet dropped.
            let mut want = vec!["refused"; 9];
            want.push("dropped");
            assert_eq!(probes, want, "{backend}: nine probes pass");
            assert_eq!(
                knock(at(1011)),
                "dropped",
                "{backend}: the eleventh is dropped"
            );
            assert_eq!(
                knock(at(22)),
                "dropped",
                "{backend}: and so is everything else"
            );
            let counted = match backend {
                "legacy" => common::save(Family::Ipv4, "filter", true),
                _ => common::nft_save(Family::Ipv4, Some("filter"), true),
            };
            assert!(
                counted.contains("] -A PORTSCAN -m recent --rcheck")
                    && !counted.contains("[0:0] -A PORTSCAN -m recent --rcheck"),
                "{backend}: the block rule counted the drops:\n{counted}"
            );
        })
        .join()
        .unwrap_or_else(|_| panic!("{backend}: see above"));
    }
}

/// `--isolated` without `--backup` keeps its backup to itself: the
/// machine's default backup file is neither made nor changed (a later
/// `--rollback` on the machine would put the namespace's table there).
#[test]
fn an_isolated_run_leaves_the_default_backup_alone() {
    common::isolate();
    let dir = scratch("fleet-isolated");
    let groups = write(&dir, "groups.txt", GROUPS);
    let default = Path::new("/var/lib/iptkit/allowlist.v4.rules");
    let before = std::fs::read(default).ok();
    let said = ok("allowlist", &["--isolated", "--groups", &groups], "");
    let line = said.lines().next().unwrap();
    let path = line.rsplit("previous rules saved to ").next().unwrap();
    assert!(path.contains("iptkit-allowlist-isolated-"), "{said}");
    assert!(
        !Path::new(path).exists(),
        "the scratch backup is removed: {path}"
    );
    assert_eq!(std::fs::read(default).ok(), before);
    assert!(
        said.contains("-A ALLOWLIST -s 192.0.2.10/32 -j ACCEPT\n"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
