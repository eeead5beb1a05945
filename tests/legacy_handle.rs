//! Every Handle call, for IPv4 and IPv6, checked against iptables-legacy-save.

mod common;

use common::*;
use iptkit::{Counters, Error, Family, Handle, Policy};

#[test]
fn append_insert_replace_delete() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, &format!("-s {} -j DROP", host(f, 1))))
            .unwrap();
        h.append("INPUT", rule(f, "-p tcp -m tcp --dport 22 -j ACCEPT"))
            .unwrap();
        h.insert("INPUT", 0, rule(f, "-i lo -j ACCEPT")).unwrap();
        h.insert("INPUT", 3, rule(f, "-j RETURN")).unwrap();
        assert_eq!(h.rules("INPUT").unwrap().len(), 4);
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                "-A INPUT -i lo -j ACCEPT".to_string(),
                format!("-A INPUT -s {} -j DROP", host_saved(f, 1)),
                "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT".into(),
                "-A INPUT -j RETURN".into(),
            ]
        );
        h.replace("INPUT", 3, rule(f, "-o eth0 -j QUEUE")).unwrap();
        let gone = h.delete("INPUT", 0).unwrap();
        assert_eq!(gone, rule(f, "-i lo -j ACCEPT"), "delete returns the rule");
        h.delete_rule("INPUT", &rule(f, "-p tcp -m tcp --dport 22 -j ACCEPT"))
            .unwrap();
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -s {} -j DROP", host_saved(f, 1)),
                "-A INPUT -o eth0 -j QUEUE".into()
            ]
        );
        // Positions and specs that do not exist.
        assert!(matches!(
            h.delete("INPUT", 5),
            Err(Error::NoSuchRule { .. })
        ));
        assert!(matches!(
            h.insert("INPUT", 9, rule(f, "-j DROP")),
            Err(Error::NoSuchRule { .. })
        ));
        assert!(matches!(
            h.delete_rule("INPUT", &rule(f, "-j ACCEPT")),
            Err(Error::NoSuchRule { .. })
        ));
        assert!(matches!(
            h.append("NOPE", rule(f, "-j ACCEPT")),
            Err(Error::NoSuchChain(_))
        ));
        assert!(!h.is_dirty());
    }
}

#[test]
fn check_flush_and_refresh() {
    isolate();
    for f in FAMILIES {
        ipt(f, "-A OUTPUT -p udp -j DROP");
        ipt(f, "-A FORWARD -j ACCEPT");
        let mut h = common::legacy(f, "filter").unwrap();
        assert!(h
            .contains_rule("OUTPUT", &rule(f, "-p udp -j DROP"))
            .unwrap());
        assert!(!h
            .contains_rule("OUTPUT", &rule(f, "-p tcp -j DROP"))
            .unwrap());
        assert!(matches!(
            h.contains_rule("NOPE", &rule(f, "-j DROP")),
            Err(Error::NoSuchChain(_))
        ));
        h.flush("OUTPUT").unwrap();
        assert!(h.rules("OUTPUT").unwrap().is_empty());
        // Refresh drops the uncommitted flush.
        h.refresh().unwrap();
        assert_eq!(h.rules("OUTPUT").unwrap().len(), 1);
        h.flush_all().unwrap();
        h.commit().unwrap();
        assert!(rules(f, "filter").is_empty());
    }
}

#[test]
fn chains_create_rename_delete_and_refusals() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        h.new_chain("web").unwrap();
        h.new_chain("ssh").unwrap();
        h.append("ssh", rule(f, "-j ACCEPT")).unwrap();
        h.append("INPUT", rule(f, "-p tcp -m tcp --dport 22 -j ssh"))
            .unwrap();
        h.append("INPUT", rule(f, "-g web")).unwrap();
        h.commit().unwrap();
        let names: Vec<_> = h.chains().unwrap().iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, ["INPUT", "FORWARD", "OUTPUT", "ssh", "web"]);

        assert!(matches!(h.new_chain("web"), Err(Error::ChainExists(_))));
        assert!(matches!(h.new_chain("INPUT"), Err(Error::ChainExists(_))));
        assert!(matches!(
            h.new_chain("ACCEPT"),
            Err(Error::InvalidName { .. })
        ));
        assert!(matches!(
            h.new_chain(&"x".repeat(29)),
            Err(Error::NameTooLong { .. })
        ));
        assert!(matches!(
            h.rename_chain("INPUT", "in"),
            Err(Error::BuiltinChain { .. })
        ));
        assert!(matches!(
            h.rename_chain("web", "ssh"),
            Err(Error::ChainExists(_))
        ));
        assert!(matches!(
            h.delete_chain("INPUT"),
            Err(Error::BuiltinChain { .. })
        ));
        assert!(matches!(
            h.delete_chain("ssh"),
            Err(Error::ChainInUse { references: 1, .. })
        ));
        assert!(matches!(
            h.delete_user_chains(),
            Err(Error::ChainNotEmpty(_))
        ));
        assert!(matches!(
            h.append("INPUT", rule(f, "-j OUTPUT")),
            Err(Error::BuiltinChain { .. })
        ));
        assert!(!h.is_dirty());

        h.rename_chain("web", "a-web").unwrap();
        h.commit().unwrap();
        let saved = save(f, "filter", false);
        assert!(saved.contains(":a-web - [0:0]\n"), "{saved}");
        assert!(saved.contains("-A INPUT -g a-web\n"), "{saved}");

        h.flush("ssh").unwrap();
        assert!(matches!(
            h.delete_chain("ssh"),
            Err(Error::ChainInUse { .. })
        ));
        h.flush("INPUT").unwrap();
        h.append("ssh", rule(f, "-j DROP")).unwrap();
        assert!(matches!(
            h.delete_chain("ssh"),
            Err(Error::ChainNotEmpty(_))
        ));
        h.flush("ssh").unwrap();
        h.delete_chain("ssh").unwrap();
        h.delete_user_chains().unwrap();
        h.commit().unwrap();
        assert_eq!(h.chains().unwrap().len(), 3);
        assert!(!save(f, "filter", false).contains(" - [0:0]"));
    }
}

#[test]
fn policies() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        assert_eq!(h.policy("FORWARD").unwrap(), Some(Policy::Accept));
        h.set_policy("FORWARD", Policy::Drop).unwrap();
        h.new_chain("mine").unwrap();
        assert_eq!(h.policy("mine").unwrap(), None);
        assert!(matches!(
            h.set_policy("mine", Policy::Drop),
            Err(Error::BuiltinChain { .. })
        ));
        h.commit().unwrap();
        assert!(save(f, "filter", false).contains(":FORWARD DROP [0:0]\n"));
        assert_eq!(
            common::legacy(f, "filter")
                .unwrap()
                .policy("FORWARD")
                .unwrap(),
            Some(Policy::Drop)
        );
    }
}

#[test]
fn autocommit_commits_each_call() {
    isolate();
    for f in FAMILIES {
        let opts = common::legacy_options().autocommit(true);
        let mut h = Handle::open_with(f, "filter", opts).unwrap();
        h.append("INPUT", rule(f, "-j ACCEPT")).unwrap();
        assert!(!h.is_dirty());
        assert_eq!(rules(f, "filter"), ["-A INPUT -j ACCEPT"]);
        h.set_counters("INPUT", 0, Counters::new(4, 40)).unwrap();
        assert!(save(f, "filter", true).contains("[4:40] -A INPUT -j ACCEPT\n"));
    }
}

#[test]
fn every_table() {
    isolate();
    for f in FAMILIES {
        for (table, chain) in [
            ("filter", "INPUT"),
            ("nat", "POSTROUTING"),
            ("mangle", "PREROUTING"),
            ("raw", "OUTPUT"),
            ("security", "FORWARD"),
        ] {
            let mut h = common::legacy(f, table).unwrap();
            assert_eq!(h.name(), table);
            assert_eq!(h.family(), f);
            let expected: Vec<_> = iptkit::ruleset::builtin_chains(table).unwrap().to_vec();
            let got: Vec<_> = h
                .chains()
                .unwrap()
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(got, expected, "{table}");
            h.new_chain("c").unwrap();
            h.append(chain, rule(f, &format!("-d {} -j c", host(f, 7))))
                .unwrap();
            h.commit().unwrap();
            assert_eq!(
                rules(f, table),
                [format!("-A {chain} -d {} -j c", host_saved(f, 7))],
                "{table}"
            );
        }
    }
    assert!(matches!(
        common::legacy(Family::Ipv4, "nosuch"),
        Err(Error::NoSuchTable(_))
    ));
}

/// Reads take no lock (iptables-save takes none); a commit does, and says
/// so when it cannot have it.
#[test]
fn reads_need_no_lock_and_commits_wait_for_it() {
    isolate();
    let path = std::env::temp_dir().join(format!("iptkit-read-lock-{}", std::process::id()));
    let held = iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait).unwrap();
    for f in FAMILIES {
        let mut h = Handle::open_with(f, "filter", no_wait_at(&path)).unwrap();
        assert!(h.rules("INPUT").unwrap().is_empty());
        assert!(h.table().is_ok());
        h.append("INPUT", rule(f, "-j ACCEPT")).unwrap();
        assert!(matches!(h.commit(), Err(iptkit::Error::LockTimeout { .. })));
        assert!(h.is_dirty());
    }
    drop(held);
    let _ = std::fs::remove_file(&path);
}

/// A change to one chain decodes that chain only: the other chains'
/// entries go back to the kernel as they were (jumps, gotos,
/// fallthroughs, extension targets, counters), as `iptables-legacy-save -c`
/// shows.
#[test]
fn a_change_to_one_chain_keeps_the_others_as_the_kernel_had_them() {
    isolate();
    for f in FAMILIES {
        let a = host_saved(f, 1);
        let b = host_saved(f, 2);
        let before = format!(
            "*filter\n:INPUT ACCEPT [1:60]\n:FORWARD DROP [2:120]\n:OUTPUT ACCEPT [0:0]\n\
             :big - [0:0]\n:other - [0:0]\n\
             [3:180] -A INPUT -s {a} -j big\n\
             [4:240] -A FORWARD -j big\n\
             [5:300] -A big -s {b} -g other\n\
             [6:360] -A big -s {a}\n\
             [7:420] -A big -p tcp -m tcp --dport 22 -j other\n\
             [8:480] -A big -j LOG --log-prefix \"big \"\n\
             [9:540] -A big -j RETURN\n\
             [10:600] -A other -d {b} -j DROP\n\
             COMMIT\n"
        );
        restore(f, &before);
        let mut h = common::legacy(f, "filter").unwrap();
        let new = rule(f, &format!("-s {b} -j DROP"));
        assert!(!h.contains_rule("INPUT", &new).unwrap());
        h.insert("INPUT", 0, new.clone()).unwrap();
        h.commit().unwrap();
        let want = before.replace(
            "[3:180] -A INPUT",
            &format!("[0:0] -A INPUT -s {b} -j DROP\n[3:180] -A INPUT"),
        );
        assert_eq!(save(f, "filter", true), want, "{f:?}");
        // And back, through the same handle.
        h.delete_rule("INPUT", &new).unwrap();
        h.commit().unwrap();
        assert_eq!(save(f, "filter", true), before, "{f:?}");
        // A wider read afterwards sees every chain.
        assert_eq!(h.rules("big").unwrap().len(), 5);
        assert_eq!(h.rules("other").unwrap().len(), 1);
    }
}

/// `hold_lock` holds the xtables lock from the read to the commit, as one
/// `iptables` command does: another iptables waits meanwhile, and the
/// commit lands what was read plus the change.
#[test]
fn a_held_lock_keeps_other_writers_out_until_released() {
    isolate();
    let path = std::env::temp_dir().join(format!("iptkit-held-lock-{}", std::process::id()));
    for f in FAMILIES {
        let mut h = Handle::open_with(f, "filter", no_wait_at(&path)).unwrap();
        h.hold_lock().unwrap();
        // Another taker of the same lock finds it busy.
        assert!(matches!(
            iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait),
            Err(iptkit::Error::LockTimeout { .. })
        ));
        let r = rule(f, &format!("-s {} -j DROP", host(f, 3)));
        assert!(!h.contains_rule("INPUT", &r).unwrap());
        h.insert("INPUT", 0, r.clone()).unwrap();
        h.commit().unwrap();
        // Still held after a commit; a second change commits too.
        assert!(iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait).is_err());
        h.append("INPUT", rule(f, "-j ACCEPT")).unwrap();
        h.commit().unwrap();
        assert_eq!(
            rules(f, "filter"),
            [
                format!("-A INPUT -s {} -j DROP", host_saved(f, 3)),
                "-A INPUT -j ACCEPT".to_string()
            ]
        );
        h.release_lock();
        drop(iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait).unwrap());
        h.hold_lock().unwrap();
        drop(h);
        drop(iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait).unwrap());
        ipt(f, "-F INPUT");
    }
    let _ = std::fs::remove_file(&path);
}

/// Options that take the lock at `path` and never wait for it.
fn no_wait_at(path: &std::path::Path) -> iptkit::Options {
    common::legacy_options()
        .lock_path(path.to_path_buf())
        .lock_wait(iptkit::lock::LockWait::NoWait)
}

/// `Handle::restore_text`: one call plays the handle's table's blocks,
/// skips the other tables' and refuses a text without its table.
#[test]
fn restore_text_plays_the_handles_table() {
    isolate();
    for f in FAMILIES {
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("INPUT", rule(f, "-j ACCEPT")).unwrap();
        h.commit().unwrap();
        let text = "*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n\
                    *filter\n:FORWARD DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        h.restore_text(text, &Default::default()).unwrap();
        h.commit().unwrap();
        // Flushed as iptables-restore flushes, then the block's lines.
        assert_eq!(
            rules(f, "filter"),
            ["-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"]
        );
        assert!(save(f, "filter", false).contains(":FORWARD DROP"));
        assert!(
            rules(f, "nat").is_empty(),
            "another table's block is not played"
        );
        let noflush = iptkit::syntax::restore::RestoreOptions {
            noflush: true,
            ..Default::default()
        };
        h.restore_text("*filter\n-A INPUT -j DROP\nCOMMIT\n", &noflush)
            .unwrap();
        h.commit().unwrap();
        assert_eq!(rules(f, "filter").len(), 2);
        assert!(matches!(
            h.restore_text("*nat\nCOMMIT\n", &noflush),
            Err(Error::Syntax(_))
        ));
    }
}

/// `Handle::open_in`: a table of another namespace, opened from this
/// thread, which stays where it was; the change lands there and only there.
#[test]
fn open_in_changes_another_namespace_from_this_thread() {
    isolate();
    let here = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
    // A process in a namespace of its own.
    let mut other = std::process::Command::new("unshare")
        .args(["-n", "sleep", "60"])
        .spawn()
        .expect("unshare (util-linux) is installed");
    let path = format!("/proc/{}/ns/net", other.id());
    let mut waited = 0;
    // It starts in this thread's namespace, and leaves it at `unshare`.
    while std::fs::read_link(&path).ok().as_ref() == Some(&here) {
        assert!(waited < 200, "the child never entered its namespace");
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
    }
    let mut backends = vec![(iptkit::Backend::Legacy, "iptables-legacy-save")];
    if cfg!(feature = "nft") {
        backends.push((iptkit::Backend::Nft, "iptables-nft-save"));
    }
    for (backend, save_tool) in backends {
        let options = iptkit::Options::default().backend(backend);
        let mut h = Handle::open_in(&path, Family::Ipv4, "filter", options).unwrap();
        assert_eq!(
            std::fs::read_link("/proc/thread-self/ns/net").unwrap(),
            here,
            "the thread came back"
        );
        h.append("INPUT", rule(Family::Ipv4, "-s 192.0.2.7/32 -j DROP"))
            .unwrap();
        h.commit().unwrap();
        let there = std::process::Command::new("nsenter")
            .args([
                "-t",
                &other.id().to_string(),
                "-n",
                save_tool,
                "-t",
                "filter",
            ])
            .output()
            .expect("nsenter (util-linux) is installed");
        let text = String::from_utf8_lossy(&there.stdout);
        assert!(
            text.contains("-A INPUT -s 192.0.2.7/32 -j DROP"),
            "{save_tool} in the other namespace:\n{text}"
        );
    }
    assert!(
        rules(Family::Ipv4, "filter").is_empty(),
        "nothing landed here"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}

#[test]
fn a_save_of_a_long_table_is_what_iptables_legacy_save_prints() {
    isolate();
    for f in FAMILIES {
        restore(f, &long_table(f, 3000));
        let saved = common::legacy(f, "filter").unwrap().save(true).unwrap();
        assert!(saved.len() > 256 << 10, "written in several pieces");
        assert_eq!(String::from_utf8(saved).unwrap(), save(f, "filter", true));
    }
}
