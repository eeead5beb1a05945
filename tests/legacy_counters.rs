//! Counters: set by iptables, carried over commits that touch other rules,
//! zeroed, set through the handle; an unchanged commit changes nothing.

mod common;

use common::*;
use iptkit::{Counters, Family};

fn setup(f: Family) {
    restore(
        f,
        &format!(
            "*filter
:INPUT ACCEPT [5:500]
:FORWARD DROP [6:600]
:OUTPUT ACCEPT [0:0]
:chain - [0:0]
[10:20] -A INPUT -s {} -j DROP
[30:40] -A INPUT -p tcp -m tcp --dport 22 -j chain
[50:60] -A chain -j ACCEPT
[10:20] -A OUTPUT -j ACCEPT
COMMIT
",
            host(f, 1)
        ),
    );
}

#[test]
fn counters_survive_a_commit_that_touches_another_rule() {
    isolate();
    for f in FAMILIES {
        setup(f);
        let mut h = common::legacy(f, "filter").unwrap();
        assert_eq!(h.counters("INPUT", 0).unwrap(), Counters::new(10, 20));
        assert_eq!(h.policy_counters("FORWARD").unwrap(), Counters::new(6, 600));
        h.insert("INPUT", 0, rule(f, "-i lo -j ACCEPT")).unwrap();
        h.delete("chain", 0).unwrap();
        h.append("chain", rule(f, "-j ACCEPT")).unwrap(); // a new rule: starts at zero
        h.commit().unwrap();
        let saved = save(f, "filter", true);
        for line in [
            ":INPUT ACCEPT [5:500]".to_string(),
            ":FORWARD DROP [6:600]".into(),
            "[0:0] -A INPUT -i lo -j ACCEPT".into(),
            format!("[10:20] -A INPUT -s {} -j DROP", host_saved(f, 1)),
            "[30:40] -A INPUT -p tcp -m tcp --dport 22 -j chain".into(),
            "[10:20] -A OUTPUT -j ACCEPT".into(),
        ] {
            assert!(
                saved.contains(&format!("{line}\n")),
                "{line} not in\n{saved}"
            );
        }
        // "chain -j ACCEPT" was deleted and appended again with zero
        // counters: it pairs with the old rule as a zeroed one, so it shows
        // only what arrived since the read (nothing, in a quiet namespace).
        assert!(saved.contains("[0:0] -A chain -j ACCEPT\n"), "{saved}");
        // The handle shows what the kernel holds after the commit.
        assert_eq!(h.counters("INPUT", 1).unwrap(), Counters::new(10, 20));
    }
}

#[test]
fn counters_set_by_iptables_are_read() {
    isolate();
    for f in FAMILIES {
        ipt(f, "-A OUTPUT -j ACCEPT -c 10 20");
        let mut h = common::legacy(f, "filter").unwrap();
        assert_eq!(h.counters("OUTPUT", 0).unwrap(), Counters::new(10, 20));
        // (libiptc itself resets policy counters on every commit: iptables
        // -A after a restore -c shows [0:0] policies. iptkit keeps them.)
    }
}

#[test]
fn zeroed_and_set_counters() {
    isolate();
    for f in FAMILIES {
        setup(f);
        let mut h = common::legacy(f, "filter").unwrap();
        h.zero("INPUT").unwrap();
        h.set_counters("chain", 0, Counters::new(7, 8)).unwrap();
        h.commit().unwrap();
        let saved = save(f, "filter", true);
        assert!(saved.contains(":INPUT ACCEPT [0:0]\n"), "{saved}");
        assert!(saved.contains(":FORWARD DROP [6:600]\n"), "{saved}");
        assert!(
            saved.contains(&format!("[0:0] -A INPUT -s {} -j DROP\n", host_saved(f, 1))),
            "{saved}"
        );
        assert!(saved.contains("[7:8] -A chain -j ACCEPT\n"), "{saved}");
        assert_eq!(h.counters("INPUT", 1).unwrap(), Counters::default());
        h.zero_all().unwrap();
        h.commit().unwrap();
        assert!(!save(f, "filter", true)
            .lines()
            .any(|l| l.contains('[') && !l.contains("[0:0]")));
    }
}

#[test]
fn an_unchanged_commit_leaves_the_save_identical() {
    isolate();
    for f in FAMILIES {
        setup(f);
        ipt(f, "-A FORWARD -m comment --comment kept -j ACCEPT -c 1 2");
        let before = save(f, "filter", true);
        let mut h = common::legacy(f, "filter").unwrap();
        let t = h.table().unwrap().clone();
        h.replace_table(t).unwrap();
        h.commit().unwrap();
        assert_eq!(save(f, "filter", true), before);
        // The same through edit(): a transaction that changes nothing.
        h.edit(|_| Ok(())).unwrap();
        h.commit().unwrap();
        assert_eq!(save(f, "filter", true), before);
    }
}

#[test]
fn after_a_commit_the_handle_shows_counters_as_of_the_commit() {
    isolate();
    for f in FAMILIES {
        setup(f);
        let mut h = common::legacy(f, "filter").unwrap();
        h.append("OUTPUT", rule(f, "-j DROP")).unwrap();
        h.set_counters("chain", 0, Counters::new(7, 8)).unwrap();
        h.commit().unwrap();
        // What the commit gave the kernel, without reading it back: the
        // kept rules' counters, the set one, the new one at zero.
        assert_eq!(h.counters("INPUT", 0).unwrap(), Counters::new(10, 20));
        assert_eq!(h.counters("chain", 0).unwrap(), Counters::new(7, 8));
        assert_eq!(h.counters("OUTPUT", 1).unwrap(), Counters::default());
        assert_eq!(h.policy_counters("FORWARD").unwrap(), Counters::new(6, 600));
        let saved = save(f, "filter", true);
        assert!(saved.contains("[7:8] -A chain -j ACCEPT\n"), "{saved}");
        // Counters that change in the kernel afterwards show after a refresh.
        ipt(f, "-Z INPUT 1");
        assert_eq!(h.counters("INPUT", 0).unwrap(), Counters::new(10, 20));
        h.refresh().unwrap();
        assert_eq!(h.counters("INPUT", 0).unwrap(), Counters::default());
        // A second commit on the same handle carries them on.
        h.delete("OUTPUT", 1).unwrap();
        h.commit().unwrap();
        let saved = save(f, "filter", true);
        assert!(saved.contains("[0:0] -A INPUT -s"), "{saved}");
        assert!(saved.contains("[7:8] -A chain -j ACCEPT\n"), "{saved}");
        assert!(saved.contains("[10:20] -A OUTPUT -j ACCEPT\n"), "{saved}");
    }
}
