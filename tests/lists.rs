//! Managed address lists (`iptkit::lists`): add, remove, idempotence,
//! expiry, protected networks, a restarted reader, IPv6 and interfaces, on
//! both backends, checked with `iptables-legacy-save` / `iptables-nft-save`.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use iptkit::lists::{Added, AddrList, Direction, Entry};
use iptkit::{Backend, Error, Family, Handle, Iface, Net};

const BACKENDS: [Backend; 2] = [Backend::Legacy, Backend::Nft];

/// The whole filter table as the backend's save tool prints it.
fn saved_table(backend: Backend, family: Family) -> String {
    match backend {
        Backend::Nft => nft_save(family, Some("filter"), false),
        _ => save(family, "filter", false),
    }
}

fn net(family: Family, n: u8) -> Net {
    host(family, n).parse().unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

const T: u64 = 2_000_000_000;

#[test]
fn add_remove_idempotent() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let list = AddrList::blocklist("lists-in", Direction::Input).unwrap();
            let mut h = open_filter(backend, f);
            assert!(list.entries(&mut h).unwrap().is_empty(), "no chain yet");
            let e = Entry::new(net(f, 1)).expires_at(at(T)).with_comment("scan");
            assert_eq!(list.add_entry(&mut h, e.clone()).unwrap(), Added::New);
            assert_eq!(list.add_entry(&mut h, e.clone()).unwrap(), Added::Unchanged);
            assert_eq!(list.add(&mut h, net(f, 2), None, "").unwrap(), Added::New);
            assert!(!h.is_dirty());
            let line = |n, comment: &str| {
                format!(
                    "-A lists-in -s {} -m comment --comment \"{comment}\" -j DROP",
                    host_saved(f, n)
                )
            };
            assert_eq!(
                filter_rules(backend, f),
                [
                    "-A INPUT -j lists-in".to_string(),
                    line(1, "iptkit: expires=2000000000; scan"),
                    line(2, "iptkit: expires=never;"),
                ],
                "{backend:?} {f:?}"
            );
            let got = list.get(&mut h, net(f, 1), None).unwrap().unwrap();
            assert_eq!((got.expires, got.comment.as_str()), (Some(T), "scan"));
            let addr = host(f, 1).parse().unwrap();
            assert_eq!(list.lookup(&mut h, addr).unwrap().len(), 1);

            let gone = list.remove(&mut h, net(f, 1), None).unwrap().unwrap();
            assert_eq!(gone.net, net(f, 1));
            assert_eq!(list.remove(&mut h, net(f, 1), None).unwrap(), None);
            assert_eq!(
                filter_rules(backend, f),
                [
                    "-A INPUT -j lists-in".to_string(),
                    line(2, "iptkit: expires=never;")
                ],
                "{backend:?} {f:?}"
            );
            list.uninstall(&mut h).unwrap();
            list.uninstall(&mut h).unwrap();
            assert!(filter_rules(backend, f).is_empty(), "{backend:?} {f:?}");
        }
    }
}

#[test]
fn expiry_and_extension() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let list = AddrList::allowlist("lists-ok", Direction::Input).unwrap();
            let mut h = open_filter(backend, f);
            let entry = |n, secs, note: &str| {
                Entry::new(net(f, n))
                    .expires_at(at(secs))
                    .with_comment(note)
            };
            list.add_entry(&mut h, entry(1, T, "first")).unwrap();
            list.add_entry(&mut h, entry(2, T + 100, "second")).unwrap();
            list.add(&mut h, net(f, 3), None, "for good").unwrap();
            // Earlier: unchanged; later: extended, the note kept when none
            // is given.
            let shorter = entry(1, T - 50, "shorter");
            assert_eq!(list.add_entry(&mut h, shorter).unwrap(), Added::Unchanged);
            let longer = entry(1, T + 50, "");
            assert_eq!(list.add_entry(&mut h, longer).unwrap(), Added::Extended);
            let got = list.get(&mut h, net(f, 1), None).unwrap().unwrap();
            assert_eq!((got.expires, got.comment.as_str()), (Some(T + 50), "first"));

            assert!(list.expire(&mut h, at(T)).unwrap().is_empty());
            let due = list.expire(&mut h, at(T + 60)).unwrap();
            assert_eq!(due.iter().map(|e| e.net).collect::<Vec<_>>(), [net(f, 1)]);
            let due = list.expire(&mut h, at(u64::from(u32::MAX))).unwrap();
            assert_eq!(due.iter().map(|e| e.net).collect::<Vec<_>>(), [net(f, 2)]);
            assert_eq!(
                filter_rules(backend, f),
                [
                    "-A INPUT -j lists-ok".to_string(),
                    format!(
                        "-A lists-ok -s {} -m comment --comment \"iptkit: expires=never; for good\" -j ACCEPT",
                        host_saved(f, 3)
                    ),
                ],
                "{backend:?} {f:?}"
            );
            list.uninstall(&mut h).unwrap();
        }
    }
}

#[test]
fn protected_networks_are_never_blocked() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let admin: Net = match f {
                Family::Ipv4 => "192.0.2.0/28".parse().unwrap(),
                Family::Ipv6 => "2001:db8::/120".parse().unwrap(),
            };
            let list = AddrList::blocklist("lists-drop", Direction::Input)
                .unwrap()
                .protect([admin]);
            let mut h = open_filter(backend, f);
            list.add(&mut h, net(f, 200), None, "").unwrap();
            let before = saved_table(backend, f);
            // The host itself, and a wider network holding it.
            let wide = match f {
                Family::Ipv4 => "192.0.0.0/16",
                Family::Ipv6 => "2001:db8::/32",
            };
            for bad in [net(f, 1), wide.parse().unwrap()] {
                match list.add(&mut h, bad, None, "") {
                    Err(Error::Protected { protected, .. }) => {
                        assert_eq!(protected, admin.to_string())
                    }
                    other => panic!("{backend:?} {bad}: {other:?}"),
                }
            }
            assert_eq!(
                saved_table(backend, f),
                before,
                "{backend:?}: nothing changed"
            );
            // An allow list takes them.
            let allow = AddrList::allowlist("lists-allow", Direction::Input)
                .unwrap()
                .protect([admin]);
            assert_eq!(allow.add(&mut h, net(f, 1), None, "").unwrap(), Added::New);
            // Refusals of other kinds change nothing either.
            let other = match f {
                Family::Ipv4 => Family::Ipv6,
                Family::Ipv6 => Family::Ipv4,
            };
            let other_family = net(other, 1);
            assert!(list.add(&mut h, other_family, None, "").is_err());
            assert!(list.add(&mut h, net(f, 9), None, "a\nb").is_err());
            list.uninstall(&mut h).unwrap();
            allow.uninstall(&mut h).unwrap();
            assert!(filter_rules(backend, f).is_empty());
        }
    }
}

#[test]
fn a_restarted_program_reads_the_same_list() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let list = AddrList::blocklist("lists-keep", Direction::Forward).unwrap();
            let eth0 = Iface::new("eth0").unwrap();
            let written = vec![
                Entry::new(net(f, 1)).expires_at(at(T)).with_comment("one"),
                Entry::new(net(f, 2)).on(eth0.clone()),
                Entry::new(net(f, 2)).with_comment("same net, any interface"),
            ];
            {
                let mut h = open_filter(backend, f);
                for e in &written {
                    assert_eq!(list.add_entry(&mut h, e.clone()).unwrap(), Added::New);
                }
            }
            let mut h = open_filter(backend, f);
            assert_eq!(list.entries(&mut h).unwrap(), written);
            assert_eq!(
                list.get(&mut h, net(f, 2), Some(&eth0)).unwrap(),
                Some(written[1].clone())
            );
            let mut keep = filter_rules(backend, f);
            keep.sort();
            assert_eq!(keep[0], "-A FORWARD -j lists-keep");
            assert!(
                keep.contains(&format!(
                    "-A lists-keep -s {} -i eth0 -m comment --comment \"iptkit: expires=never;\" -j DROP",
                    host_saved(f, 2)
                )),
                "{keep:?}"
            );
            // Removing the one on eth0 leaves the one on any interface.
            list.remove(&mut h, net(f, 2), Some(&eth0))
                .unwrap()
                .unwrap();
            let left = list.entries(&mut open_filter(backend, f)).unwrap();
            assert_eq!(left, [written[0].clone(), written[2].clone()]);
            list.uninstall(&mut h).unwrap();
        }
    }
}

#[test]
fn output_lists_match_the_destination_and_keep_foreign_rules() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let list = AddrList::blocklist("lists-out", Direction::Output).unwrap();
            let mut h = open_filter(backend, f);
            list.install(&mut h).unwrap();
            list.install(&mut h).unwrap();
            // A rule written by hand into the list's chain: kept, not an entry.
            let by_hand = rule(f, "-p tcp -m tcp --dport 25 -j DROP");
            h.append("lists-out", by_hand).unwrap();
            h.commit().unwrap();
            let wide: Net = match f {
                Family::Ipv4 => "198.51.100.0/24".parse().unwrap(),
                Family::Ipv6 => "2001:db8:1::/48".parse().unwrap(),
            };
            let e = Entry::new(wide).on(Iface::new("wg+").unwrap());
            list.add_entry(&mut h, e.clone()).unwrap();
            assert_eq!(
                filter_rules(backend, f),
                [
                    "-A OUTPUT -j lists-out".to_string(),
                    "-A lists-out -p tcp -m tcp --dport 25 -j DROP".to_string(),
                    format!(
                        "-A lists-out -d {wide} -o wg+ -m comment --comment \"iptkit: expires=never;\" -j DROP"
                    ),
                ],
                "{backend:?} {f:?}"
            );
            let mut again = open_filter(backend, f);
            assert_eq!(list.entries(&mut again).unwrap(), std::slice::from_ref(&e));
            let inside = match f {
                Family::Ipv4 => "198.51.100.9",
                Family::Ipv6 => "2001:db8:1:2::9",
            };
            assert_eq!(
                list.lookup(&mut again, inside.parse().unwrap()).unwrap(),
                [e]
            );
            // Uninstall removes the whole chain, the rule by hand too.
            list.uninstall(&mut again).unwrap();
            assert!(filter_rules(backend, f).is_empty());
        }
    }
}

#[test]
fn reads_lists_written_by_iptables() {
    isolate();
    for f in FAMILIES {
        let text = format!(
            "*filter\n:lists-in - [0:0]\n-A INPUT -j lists-in\n\
             -A lists-in -s {} -m comment --comment \"iptkit: expires=2000000000; by hand\" -j DROP\nCOMMIT\n",
            host(f, 5)
        );
        restore(f, &text);
        nft_restore(f, &text);
        let list = AddrList::blocklist("lists-in", Direction::Input).unwrap();
        for backend in BACKENDS {
            let mut h = open_filter(backend, f);
            let want = Entry::new(net(f, 5))
                .expires_at(at(T))
                .with_comment("by hand");
            assert_eq!(
                list.entries(&mut h).unwrap(),
                std::slice::from_ref(&want),
                "{backend:?}"
            );
            // Counters aside: a new entry adds one rule, the rest untouched.
            list.add(&mut h, net(f, 6), None, "").unwrap();
            assert_eq!(list.entries(&mut h).unwrap().len(), 2);
            assert_eq!(list.expire(&mut h, at(T)).unwrap(), [want]);
            list.uninstall(&mut h).unwrap();
        }
    }
}

/// An nf_tables table with `others` rules in INPUT and a list chain of
/// `entries` entries, as iptables-nft-restore writes it.
fn big_table(f: Family, others: usize, entries: usize) -> String {
    let mut text = String::from("*filter\n:lists-big - [0:0]\n-A INPUT -j lists-big\n");
    for i in 0..others {
        text.push_str(&format!(
            "-A INPUT -p tcp -m tcp --dport {} -j ACCEPT\n",
            1 + i % 60000
        ));
    }
    for i in 0..entries {
        let net = match f {
            Family::Ipv4 => format!("10.{}.{}.0/24", i / 256 % 256, i % 256),
            Family::Ipv6 => format!("2001:db8:{i:x}::/64"),
        };
        text.push_str(&format!(
            "-A lists-big -s {net} -m comment --comment \"iptkit: expires={}; n{i}\" -j DROP\n",
            T + i as u64
        ));
    }
    text.push_str("COMMIT\n");
    text
}

#[test]
fn each_operation_costs_one_change() {
    isolate();
    for f in FAMILIES {
        nft_restore(f, &big_table(f, 5_000, 2_000));
        let list = AddrList::blocklist("lists-big", Direction::Input).unwrap();
        let mut h = open_filter(Backend::Nft, f);
        let one = |h: &Handle, what: &str, n: usize| {
            assert_eq!(h.last_batch_messages(), Some(n), "{f:?} {what}");
        };
        assert_eq!(
            list.add(&mut h, net(f, 1), None, "new").unwrap(),
            Added::New
        );
        one(&h, "add", 1);
        // A repeated add sends nothing; an extension replaces one rule.
        assert_eq!(
            list.add(&mut h, net(f, 1), None, "").unwrap(),
            Added::Unchanged
        );
        let first = list.entries(&mut h).unwrap()[0].clone();
        let longer = Entry {
            expires: Some(T * 2),
            ..first.clone()
        };
        assert_eq!(list.add_entry(&mut h, longer).unwrap(), Added::Extended);
        one(&h, "extend", 1);
        list.remove(&mut h, net(f, 1), None).unwrap().unwrap();
        one(&h, "remove", 1);
        let due = list.expire(&mut h, at(T + 2)).unwrap();
        assert_eq!(due.len(), 2, "{f:?}: the first entry was extended");
        one(&h, "expire", 2);
        // A fresh handle (a restarted program): the same, reading only the
        // list's chain.
        let mut h = open_filter(Backend::Nft, f);
        list.add(&mut h, net(f, 2), None, "").unwrap();
        one(&h, "add after restart", 1);
        assert_eq!(nft_rules(f, "filter").len(), 1 + 5_000 + 2_000 - 2 + 1);
        assert!(!h.is_dirty());
    }
}

#[test]
fn the_addrlist_tool() {
    isolate();
    for backend in ["legacy", "nft"] {
        let b = if backend == "nft" {
            Backend::Nft
        } else {
            Backend::Legacy
        };
        let tool = |args: &[&str]| {
            let mut all = vec!["--backend", backend, "--chain", "tool-bl"];
            all.extend_from_slice(args);
            run_example("addrlist", &all, "")
        };
        let ok = |args: &[&str]| {
            let out = tool(args);
            assert!(out.status.success(), "{backend} {args:?}: {out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        let add = [
            "--protect",
            "192.0.2.0/28",
            "add",
            "--ttl",
            "10m",
            "--comment",
            "scan",
        ];
        let out = ok(&[&add[..], &["198.51.100.1", "203.0.113.0/24"]].concat());
        assert_eq!(out, "added 2, extended 0, unchanged 0\n");
        let out = ok(&[&add[..], &["198.51.100.1"]].concat());
        assert_eq!(out, "added 0, extended 0, unchanged 1\n");
        // A protected network in the lot: refused, nothing added.
        let before = saved_table(b, Family::Ipv4);
        let refused = tool(&[&add[..], &["198.51.100.2", "192.0.2.1"]].concat());
        assert_eq!(refused.status.code(), Some(1), "{backend}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("protected"));
        assert_eq!(saved_table(b, Family::Ipv4), before, "{backend}");

        let list = ok(&["list"]);
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 2, "{list}");
        assert!(lines[0].starts_with("198.51.100.1/32 any "), "{list}");
        assert!(lines[0].ends_with(" 0 0 scan"), "{list}");
        assert!(ok(&["test", "203.0.113.77"]).starts_with("203.0.113.0/24 any "));
        assert_eq!(tool(&["test", "192.0.2.200"]).status.code(), Some(1));
        assert_eq!(ok(&["expire"]), "expired 0\n");
        let out = ok(&["expire", "--now", "9999999999"]);
        assert!(out.ends_with("expired 2\n"), "{out}");
        assert_eq!(ok(&["remove", "198.51.100.1"]), "removed 0, absent 1\n");
        assert_eq!(
            filter_rules(b, Family::Ipv4),
            ["-A INPUT -j tool-bl"],
            "{backend}"
        );
        ok(&[
            "-6",
            "--direction",
            "output",
            "--accept",
            "add",
            "--iface",
            "eth0",
            "2001:db8::1",
        ]);
        assert_eq!(
            filter_rules(b, Family::Ipv6),
            [
                "-A OUTPUT -j tool-bl",
                "-A tool-bl -d 2001:db8::1/128 -o eth0 -m comment --comment \"iptkit: expires=never;\" -j ACCEPT"
            ],
            "{backend}"
        );
        // Kept in a set: one rule, the entries in the ipset.
        let in_set = |args: &[&str]| {
            let mut all = vec!["--backend", backend, "--chain", "tool-set", "--set"];
            all.extend_from_slice(args);
            let out = run_example("addrlist", &all, "");
            assert!(out.status.success(), "{backend} {args:?}: {out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        in_set(&["add", "--ttl", "1h", "198.51.100.0/24"]);
        let rules = filter_rules(b, Family::Ipv4);
        assert!(
            rules.contains(&"-A tool-set -m set --match-set tool-set src -j DROP".to_string()),
            "{backend}: {rules:?}"
        );
        let listed = in_set(&["list"]);
        assert!(listed.starts_with("198.51.100.0/24 any "), "{listed}");
        assert_eq!(ipsets(), ["tool-set"], "{backend}");
        // --isolated: its own namespace, printed; -w SECS taken.
        let out = run_example(
            "addrlist",
            &[
                "--backend",
                backend,
                "--isolated",
                "-w",
                "5",
                "--chain",
                "iso",
                "add",
                "192.0.2.77",
            ],
            "",
        );
        assert!(out.status.success(), "{backend}: {out:?}");
        let printed = String::from_utf8(out.stdout).unwrap();
        assert!(
            printed.contains(
                "-A iso -s 192.0.2.77/32 -m comment --comment \"iptkit: expires=never;\" -j DROP"
            ),
            "{printed}"
        );
        assert!(!filter_rules(b, Family::Ipv4)
            .iter()
            .any(|l| l.contains("iso")));
        let mut h = open_filter(b, Family::Ipv4);
        let set_list = AddrList::blocklist("tool-set", Direction::Input).unwrap();
        set_list
            .storage(iptkit::lists::Storage::Set)
            .uninstall(&mut h)
            .unwrap();
        AddrList::blocklist("tool-bl", Direction::Input)
            .unwrap()
            .uninstall(&mut h)
            .unwrap();
    }
}

#[test]
fn a_kept_handle_and_another_writer() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let list = AddrList::blocklist("lists-two", Direction::Input).unwrap();
            let mut mine = open_filter(backend, f);
            list.add(&mut mine, net(f, 1), None, "").unwrap();
            list.add(&mut mine, net(f, 2), None, "").unwrap();
            // Another program removes entry 1 and adds a rule of its own.
            let mut theirs = open_filter(backend, f);
            list.remove(&mut theirs, net(f, 1), None).unwrap().unwrap();
            theirs.append("INPUT", rule(f, "-p udp -j ACCEPT")).unwrap();
            theirs.commit().unwrap();
            // Still in my view; gone from the kernel: decided again, absent.
            assert!(list.get(&mut mine, net(f, 1), None).unwrap().is_some());
            assert_eq!(list.remove(&mut mine, net(f, 1), None).unwrap(), None);
            // My add lands on their table: their rule is kept.
            list.add(&mut mine, net(f, 3), None, "").unwrap();
            let nets: Vec<Net> = list
                .entries(&mut open_filter(backend, f))
                .unwrap()
                .iter()
                .map(|e| e.net)
                .collect();
            assert_eq!(nets, [net(f, 2), net(f, 3)], "{backend:?} {f:?}");
            assert!(filter_rules(backend, f).contains(&"-A INPUT -p udp -j ACCEPT".to_string()));
            // Their chain gone altogether: my add makes it again.
            list.uninstall(&mut theirs).unwrap();
            list.add(&mut mine, net(f, 4), None, "").unwrap();
            let left = list.entries(&mut open_filter(backend, f)).unwrap();
            assert_eq!(left.len(), 1, "{backend:?} {f:?}: {left:?}");
            assert_eq!(
                filter_rules(backend, f)
                    .iter()
                    .filter(|l| l.contains("-j lists-two"))
                    .count(),
                1
            );
            list.uninstall(&mut mine).unwrap();
        }
    }
}

/// The names of the ipsets that exist, as the real `ipset` tool lists them.
fn ipsets() -> Vec<String> {
    let out = std::process::Command::new("ipset")
        .args(["list", "-n"])
        .output()
        .expect("the `ipset` tool is needed by this test (.ci/setup installs it)");
    assert!(out.status.success(), "ipset list -n: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_list_kept_in_a_kernel_set() {
    use iptkit::lists::Storage;
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let set = match f {
                Family::Ipv4 => "lists-set",
                Family::Ipv6 => "lists-set-v6",
            };
            let admin = net(f, 1);
            let list = AddrList::blocklist("lists-set", Direction::Input)
                .unwrap()
                .protect([admin])
                .storage(Storage::Set);
            let mut h = open_filter(backend, f);
            let before = SystemTime::now();
            let ttl = Some(Duration::from_secs(600));
            assert_eq!(list.add(&mut h, net(f, 2), ttl, "").unwrap(), Added::New);
            assert_eq!(list.add(&mut h, net(f, 3), None, "").unwrap(), Added::New);
            assert_eq!(
                list.add(&mut h, net(f, 3), None, "").unwrap(),
                Added::Extended
            );
            // Many at once: the set listed once, each answered as one add would.
            let many = [Entry::new(net(f, 3)), Entry::new(net(f, 5))];
            assert_eq!(
                list.add_entries(&mut h, many).unwrap(),
                [Added::Extended, Added::New]
            );
            list.remove(&mut h, net(f, 5), None).unwrap().unwrap();
            assert_eq!(
                filter_rules(backend, f),
                [
                    "-A INPUT -j lists-set".to_string(),
                    format!("-A lists-set -m set --match-set {set} src -j DROP"),
                ],
                "{backend:?} {f:?}"
            );
            assert!(ipsets().contains(&set.to_string()));
            // What a set cannot keep, and what may never be blocked: refused.
            let eth0 = Entry::new(net(f, 4)).on(Iface::new("eth0").unwrap());
            assert!(list.add_entry(&mut h, eth0).is_err());
            assert!(list.add(&mut h, net(f, 4), None, "a note").is_err());
            assert!(matches!(
                list.add(&mut h, admin, None, ""),
                Err(Error::Protected { .. })
            ));
            // A restarted program reads the entries back from the set.
            let mut again = open_filter(backend, f);
            let entries = list.entries(&mut again).unwrap();
            // In address order.
            let nets: Vec<Net> = entries.iter().map(|e| e.net).collect();
            assert_eq!(nets, [net(f, 2), net(f, 3)], "{backend:?} {f:?}");
            let timed = list.get(&mut again, net(f, 2), None).unwrap().unwrap();
            let latest = before + Duration::from_secs(601);
            assert!(timed.expires.is_some() && !timed.is_due(before) && timed.is_due(latest));
            assert_eq!(
                list.get(&mut again, net(f, 3), None)
                    .unwrap()
                    .unwrap()
                    .expires,
                None
            );
            let addr = host(f, 3).parse().unwrap();
            assert_eq!(list.lookup(&mut again, addr).unwrap().len(), 1);
            let outside = host(f, 200).parse().unwrap();
            assert!(list.lookup(&mut again, outside).unwrap().is_empty());
            // Expiry ahead of the clock removes the timed one only.
            let due = list.expire(&mut again, latest).unwrap();
            assert_eq!(due.iter().map(|e| e.net).collect::<Vec<_>>(), [net(f, 2)]);
            assert!(list.remove(&mut again, net(f, 3), None).unwrap().is_some());
            assert!(list.remove(&mut again, net(f, 3), None).unwrap().is_none());
            assert!(list.entries(&mut again).unwrap().is_empty());
            list.uninstall(&mut again).unwrap();
            assert!(filter_rules(backend, f).is_empty(), "{backend:?} {f:?}");
            assert!(!ipsets().contains(&set.to_string()), "{backend:?} {f:?}");
        }
    }
}

#[test]
fn batches_and_duplicates() {
    isolate();
    for backend in BACKENDS {
        let f = Family::Ipv4;
        let list = AddrList::blocklist("lists-batch", Direction::Input).unwrap();
        let mut h = open_filter(backend, f);
        let x = Entry::new(net(f, 1)).expires_at(at(T));
        let later = Entry::new(net(f, 1))
            .expires_at(at(T + 1))
            .with_comment("later");
        let y = Entry::new(net(f, 2));
        let done = list.add_entries(&mut h, [x, later, y.clone()]).unwrap();
        assert_eq!(
            done,
            [Added::New, Added::Extended, Added::New],
            "{backend:?}"
        );
        // The same entry twice in the chain (two writers at once): both go.
        h.append("lists-batch", list.entry_rule(f, &y).unwrap())
            .unwrap();
        h.commit().unwrap();
        assert_eq!(list.entries(&mut h).unwrap().len(), 3);
        let keys = [(net(f, 2), None), (net(f, 2), None), (net(f, 9), None)];
        let gone = list.remove_entries(&mut h, keys).unwrap();
        assert_eq!(gone, [Some(y.clone()), None, None], "{backend:?}");
        assert_eq!(
            filter_rules(backend, f),
            [
                "-A INPUT -j lists-batch".to_string(),
                format!(
                    "-A lists-batch -s {} -m comment --comment \"iptkit: expires={}; later\" -j DROP",
                    host_saved(f, 1),
                    T + 1
                ),
            ],
            "{backend:?}"
        );
        list.uninstall(&mut h).unwrap();
    }
}
