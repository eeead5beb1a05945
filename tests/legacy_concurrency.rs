//! Two writers never lose each other's changes; a refused commit changes
//! nothing.

mod common;

use common::*;
use iptkit::matches::Match;
use iptkit::{Error, Target};

#[test]
fn a_change_by_iptables_between_open_and_commit_is_kept() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        ipt(f, &format!("-A INPUT -s {} -j DROP", host(f, 4)));
        h.append("INPUT", rule(f, &format!("-s {} -j ACCEPT", host(f, 5))))
            .unwrap();
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -s {} -j DROP", host_saved(f, 4)),
                format!("-A INPUT -s {} -j ACCEPT", host_saved(f, 5)),
            ]
        );
        // The handle now shows both.
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
    }
}

#[test]
fn a_change_that_keeps_the_table_size_is_kept_too() {
    // A replaced rule of the same size and a new policy leave GET_INFO's
    // answer (size, entry count, hook offsets) as it was: the commit must
    // still see them and replay onto them.
    isolate();
    for f in FAMILIES {
        ipt(f, &format!("-A INPUT -s {} -j DROP", host(f, 1)));
        let mut h = common::legacy(f, "filter").unwrap();
        ipt(f, &format!("-R INPUT 1 -s {} -j DROP", host(f, 2)));
        ipt(f, "-P FORWARD DROP");
        h.append("OUTPUT", rule(f, "-j ACCEPT")).unwrap();
        h.commit().unwrap();
        let saved = save(f, "filter", false);
        assert!(saved.contains(":FORWARD DROP"), "{saved}");
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -s {} -j DROP", host_saved(f, 2)),
                "-A OUTPUT -j ACCEPT".to_string(),
            ]
        );
        assert_eq!(h.policy("FORWARD").unwrap(), Some(iptkit::Policy::Drop));
        // Several commits in a row on one handle, each on what the last
        // one left, with a change by iptables in between.
        h.append("OUTPUT", rule(f, "-j DROP")).unwrap();
        h.commit().unwrap();
        ipt(f, &format!("-A OUTPUT -d {} -j ACCEPT", host(f, 3)));
        h.delete("OUTPUT", 0).unwrap();
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -s {} -j DROP", host_saved(f, 2)),
                "-A OUTPUT -j DROP".to_string(),
                format!("-A OUTPUT -d {} -j ACCEPT", host_saved(f, 3)),
            ]
        );
        ipt(f, "-F");
        ipt(f, "-P FORWARD ACCEPT");
    }
}

#[test]
fn a_positional_delete_finds_its_rule_after_an_insert_by_someone_else() {
    isolate();
    for f in FAMILIES {
        ipt(f, "-A INPUT -p tcp -j ACCEPT");
        ipt(f, "-A INPUT -p udp -j ACCEPT");
        let mut h = common::legacy(f, "filter").unwrap();
        h.delete("INPUT", 1).unwrap(); // the udp rule
        ipt(f, "-I INPUT 1 -j LOG");
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            ["-A INPUT -j LOG", "-A INPUT -p tcp -j ACCEPT"]
        );
    }
}

#[test]
fn two_handles_in_two_threads_both_land() {
    isolate();
    for f in FAMILIES {
        let threads: Vec<_> = (0..2u8)
            .map(|i| {
                std::thread::spawn(move || {
                    // Spawned threads inherit the test's namespace.
                    let mut h = common::legacy(f, "filter").unwrap();
                    for n in 0..10u8 {
                        h.append(
                            "INPUT",
                            rule(f, &format!("-s {} -j DROP", host(f, i * 10 + n + 1))),
                        )
                        .unwrap();
                        h.commit().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(rules(f, "filter").len(), 20);
    }
}

#[test]
fn a_replayed_change_that_no_longer_applies_fails_the_commit() {
    isolate();
    for f in FAMILIES {
        ipt(f, "-N gone");
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, "-j ACCEPT")).unwrap();
        h.append("gone", rule(f, "-j ACCEPT")).unwrap();
        ipt(f, "-X gone");
        let before = save(f, "filter", true);
        assert!(matches!(h.commit(), Err(Error::NoSuchChain(c)) if c == "gone"));
        assert_eq!(save(f, "filter", true), before);
        assert!(h.is_dirty());
        h.refresh().unwrap();
        assert!(!h.is_dirty());
    }
}

#[test]
fn refused_commits_leave_the_kernel_untouched() {
    isolate();
    for f in FAMILIES {
        ipt(f, "-N a");
        ipt(f, "-N b");
        ipt(f, "-A a -j b");
        ipt(f, "-A INPUT -j a");
        let before = save(f, "filter", true);

        // A jump loop, found before anything is sent.
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("b", rule(f, "-j a")).unwrap();
        assert!(matches!(h.commit(), Err(Error::Loop(_))));
        assert_eq!(save(f, "filter", true), before);

        // A match the kernel does not know: SET_REPLACE answers ENOENT.
        let mut h = common::legacy(f, "filter").unwrap();
        let mut r = rule(f, "-j ACCEPT");
        r.matches.push(Match::Unknown(iptkit::extension::Unknown {
            name: "nosuchmatch".into(),
            revision: 0,
            data: vec![0; 8],
        }));
        h.append("INPUT", r).unwrap();
        match h.commit() {
            Err(Error::Refused {
                extension, reason, ..
            }) => {
                assert_eq!(extension, "nosuchmatch");
                assert_eq!(reason, iptkit::error::Refusal::Missing);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(save(f, "filter", true), before);

        // A tcp match with inversion bits the kernel refuses: EINVAL.
        let mut h = common::legacy(f, "filter").unwrap();
        let mut r = rule(f, "-p tcp -j ACCEPT");
        let mut data = vec![0u8; 16];
        data[2..4].copy_from_slice(&u16::MAX.to_ne_bytes()); // spts max
        data[6..8].copy_from_slice(&u16::MAX.to_ne_bytes()); // dpts max
        data[11] = 0xff; // invflags: unknown bits
        r.matches.push(Match::Unknown(iptkit::extension::Unknown {
            name: "tcp".into(),
            revision: 0,
            data,
        }));
        h.append("INPUT", r).unwrap();
        match h.commit() {
            Err(Error::Refused {
                chain,
                extension,
                errno: iptkit::error::Errno::EINVAL,
                reason: iptkit::error::Refusal::Value,
                ..
            }) => assert_eq!((chain.as_str(), extension.as_str()), ("INPUT", "tcp")),
            other => panic!("{other:?}"),
        }
        assert_eq!(save(f, "filter", true), before);

        // A jump to a chain that is not there.
        let mut h = common::legacy(f, "filter").unwrap();
        h.edit(|t| {
            let family = t.family;
            t.chain_mut("INPUT").unwrap().rules.push(iptkit::Rule {
                family,
                target: Target::Jump("nowhere".into()),
                ..Default::default()
            });
            Ok(())
        })
        .unwrap();
        assert!(matches!(h.commit(), Err(Error::NoSuchChain(_))));
        assert_eq!(save(f, "filter", true), before);
    }
}

#[test]
fn a_handle_and_iptables_running_at_the_same_time_both_land() {
    isolate();
    for f in FAMILIES {
        let tool = std::thread::spawn(move || {
            for n in 0..10u8 {
                ipt(f, &format!("-A OUTPUT -d {} -j DROP", host(f, n + 1)));
            }
        });
        let mut h = common::legacy(f, "filter").unwrap();
        for n in 0..10u8 {
            h.append(
                "OUTPUT",
                rule(f, &format!("-d {} -j ACCEPT", host(f, n + 101))),
            )
            .unwrap();
            h.commit().unwrap();
        }
        tool.join().unwrap();
        let saved = rules(f, "filter");
        assert_eq!(saved.len(), 20, "{saved:?}");
    }
}
