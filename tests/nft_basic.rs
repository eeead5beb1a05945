//! The nf_tables backend against iptables-nft, both ways, on a few rules
//! of every kind it writes natively. Each test runs in its own private
//! network namespace.
#![cfg(feature = "nft")]

mod common;

use common::{
    isolate, long_table, nft, nft_handle, nft_ipt, nft_restore, nft_rules, nft_save, rule,
};
use iptkit::Family;

const RULES: &[&str] = &[
    "-s 10.0.0.0/8 -i eth0 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
    "! -s 10.0.2.0/255.0.255.0 ! -o eth+ ! -p udp -j DROP",
    "-p udp -m udp --sport 53 --dport 54",
    "-p tcp -m tcp --dport 4 --tcp-flags SYN,ACK SYN",
    "-m mark ! --mark 0x5/0xff",
    "-m limit --limit 5/min",
    "-f -j LOG",
    "-j NFLOG --nflog-group 3",
    "-d 1.2.3.4/32 -m comment --comment \"hi there\" -j RETURN",
    "-g foo",
];

#[test]
fn written_by_iptables_nft_read_by_iptkit() {
    isolate();
    nft_ipt(Family::Ipv4, "-N foo");
    for r in RULES {
        let words = iptkit::syntax::split_words(r).unwrap();
        let mut args = vec!["-A", "FORWARD"];
        args.extend(words.iter().map(String::as_str));
        common::nft_ipt_args(Family::Ipv4, &args).unwrap();
    }
    let mut h = nft_handle(Family::Ipv4, "filter");
    let ours: Vec<String> = h
        .rules("FORWARD")
        .unwrap()
        .iter()
        .map(|r| r.save_line_as("FORWARD", false, iptkit::extension::Dialect::Nft))
        .collect();
    let want: Vec<String> = nft_rules(Family::Ipv4, "filter")
        .into_iter()
        .filter(|l| l.starts_with("-A FORWARD "))
        .collect();
    assert_eq!(ours, want);
}

#[test]
fn written_by_iptkit_printed_by_iptables_nft_save() {
    isolate();
    let mut h = nft_handle(Family::Ipv4, "filter");
    h.new_chain("foo").unwrap();
    for r in RULES {
        h.append("FORWARD", rule(Family::Ipv4, r)).unwrap();
    }
    h.commit().unwrap();
    let want: Vec<String> = RULES.iter().map(|r| format!("-A FORWARD {r}")).collect();
    let got: Vec<String> = nft_rules(Family::Ipv4, "filter")
        .into_iter()
        .filter(|l| l.starts_with("-A FORWARD "))
        .collect();
    assert_eq!(got, want);
    // And read back the same.
    let mut h = nft_handle(Family::Ipv4, "filter");
    let ours: Vec<String> = h
        .rules("FORWARD")
        .unwrap()
        .iter()
        .map(|r| r.save_line_as("FORWARD", false, iptkit::extension::Dialect::Nft))
        .collect();
    assert_eq!(ours, want);
}

/// Appends and head inserts through a handle that never reads the table,
/// then a restore block of them, land where iptables-nft would put them;
/// a missing chain still fails with its name and leaves nothing behind.
#[test]
fn changes_without_a_read_land_as_iptables_nft_puts_them() {
    isolate();
    nft_ipt(Family::Ipv4, "-N mine");
    nft_ipt(Family::Ipv4, "-A INPUT -s 10.0.0.1 -j DROP");
    let mut h = nft_handle(Family::Ipv4, "filter");
    h.append("INPUT", rule(Family::Ipv4, "-s 192.0.2.1 -j ACCEPT"))
        .unwrap();
    h.insert("INPUT", 0, rule(Family::Ipv4, "-j mine")).unwrap();
    h.commit().unwrap();
    assert!(!h.is_loaded(), "appends and head inserts read nothing");
    let opts = iptkit::syntax::restore::RestoreOptions {
        noflush: true,
        ..Default::default()
    };
    let text = "*filter\n-I mine -p tcp -m tcp --dport 22 -j ACCEPT\n-A mine -j RETURN\nCOMMIT\n";
    let blocks = iptkit::syntax::restore::parse_with(Family::Ipv4, text, &opts).unwrap();
    h.restore(blocks[0].clone(), &opts).unwrap();
    h.commit().unwrap();
    assert!(!h.is_loaded());
    let want = [
        "-A INPUT -j mine",
        "-A INPUT -s 10.0.0.1/32 -j DROP",
        "-A INPUT -s 192.0.2.1/32 -j ACCEPT",
        "-A mine -p tcp -m tcp --dport 22 -j ACCEPT",
        "-A mine -j RETURN",
    ];
    assert_eq!(nft_rules(Family::Ipv4, "filter"), want);
    // A missing chain: the commit reads the table and names it.
    h.append("nope", rule(Family::Ipv4, "-j ACCEPT")).unwrap();
    match h.commit() {
        Err(iptkit::Error::NoSuchChain(c)) => assert_eq!(c, "nope"),
        other => panic!("expected NoSuchChain, got {other:?}"),
    }
    assert_eq!(nft_rules(Family::Ipv4, "filter"), want);
    // What the handle reads is what iptables-nft shows.
    assert_eq!(common::handle_nft_lines(&mut h), want);
}

/// Listing and changing one chain through a handle reads that chain; a
/// listing of the whole table then shows everything, the change included.
#[test]
fn one_chain_is_read_and_changed_without_the_others() {
    isolate();
    nft_ipt(Family::Ipv4, "-N big");
    for i in 0..50 {
        nft_ipt(Family::Ipv4, &format!("-A big -s 10.0.0.{i} -j ACCEPT"));
    }
    nft_ipt(Family::Ipv4, "-A INPUT -s 10.9.9.9 -j DROP");
    nft_ipt(Family::Ipv4, "-A INPUT -j big");
    let mut h = nft_handle(Family::Ipv4, "filter");
    assert_eq!(h.rules("INPUT").unwrap().len(), 2);
    h.delete("INPUT", 0).unwrap();
    h.insert("INPUT", 1, rule(Family::Ipv4, "-p udp -j DROP"))
        .unwrap();
    h.commit().unwrap();
    let want_input = ["-A INPUT -j big", "-A INPUT -p udp -j DROP"];
    let saved = nft_rules(Family::Ipv4, "filter");
    assert_eq!(saved.iter().filter(|l| l.starts_with("-A big")).count(), 50);
    assert_eq!(
        saved
            .iter()
            .filter(|l| l.starts_with("-A INPUT"))
            .collect::<Vec<_>>(),
        want_input
    );
    // A pending change survives the wider read.
    h.append("big", rule(Family::Ipv4, "-j RETURN")).unwrap();
    let table = h.table().unwrap();
    assert_eq!(table.chain("big").unwrap().rules.len(), 51);
    assert_eq!(table.chain("INPUT").unwrap().rules.len(), 2);
    h.commit().unwrap();
    let saved = nft_rules(Family::Ipv4, "filter");
    assert_eq!(saved.last().unwrap(), "-A big -j RETURN");
    assert_eq!(saved.len(), 53);
}

/// iptables-nft refuses a tcp or udp port match on a rule whose protocol
/// is not that one (it would compare bytes of another header); so do we,
/// before anything is sent.
#[test]
fn port_matches_need_their_protocol_as_in_iptables_nft() {
    isolate();
    for (spec, why) in [
        ("-m tcp --dport 1", "TCP match requires '-p tcp'"),
        ("-p udp -m tcp --dport 1", "TCP match requires '-p tcp'"),
        ("-m udp --sport 53", "UDP match requires '-p udp'"),
    ] {
        let mut h = nft_handle(Family::Ipv4, "filter");
        h.append("INPUT", rule(Family::Ipv4, spec)).unwrap();
        let e = h.commit().unwrap_err().to_string();
        assert!(e.contains(why), "{spec}: {e}");
        assert!(nft_rules(Family::Ipv4, "filter")
            .iter()
            .all(|l| !l.contains("--dport 1") && !l.contains("--sport 53")));
        let words = iptkit::syntax::split_words(spec).unwrap();
        let mut args = vec!["-A", "INPUT"];
        args.extend(words.iter().map(String::as_str));
        let theirs = common::nft_ipt_args(Family::Ipv4, &args).unwrap_err();
        assert!(theirs.contains(why), "iptables-nft says: {theirs}");
    }
    let mut h = nft_handle(Family::Ipv4, "filter");
    h.append("INPUT", rule(Family::Ipv4, "-p tcp -m tcp --dport 1"))
        .unwrap();
    h.commit().unwrap();
}

/// iptables-nft takes no xtables lock, and neither does this backend: a
/// held lock neither delays nor fails a commit.
#[test]
fn the_xtables_lock_is_not_taken_on_nf_tables() {
    isolate();
    let path = std::env::temp_dir().join(format!("iptkit-nft-lock-{}", std::process::id()));
    let _held = iptkit::lock::Lock::acquire_at(&path, iptkit::lock::LockWait::NoWait).unwrap();
    let options = iptkit::Options::default()
        .backend(iptkit::Backend::Nft)
        .lock_path(path.clone())
        .lock_wait(iptkit::lock::LockWait::NoWait);
    let mut h = iptkit::Handle::open_with(Family::Ipv4, "filter", options).unwrap();
    h.append("INPUT", rule(Family::Ipv4, "-s 192.0.2.1 -j DROP"))
        .unwrap();
    h.commit().unwrap();
    assert_eq!(h.rules("INPUT").unwrap().len(), 1);
    h.delete("INPUT", 0).unwrap();
    h.commit().unwrap();
    assert!(nft_rules(Family::Ipv4, "filter").is_empty());
    let _ = std::fs::remove_file(&path);
}

/// Changes by position through a handle kept open are sent as they are
/// (no comparison of tables), several in one batch, and land where
/// iptables-nft would put them; one that addresses a rule of the same
/// batch still lands right (the handle compares tables for it).
#[test]
fn positional_changes_through_a_kept_handle_land_as_iptables_nft_puts_them() {
    isolate();
    let mut text = String::from("*filter\n");
    for i in 0..2_000 {
        text.push_str(&format!(
            "-A INPUT -s 10.0.{}.{}/32 -j DROP\n",
            i / 256,
            i % 256
        ));
    }
    text.push_str("COMMIT\n");
    common::nft_restore(Family::Ipv4, &text);
    let mut want: Vec<String> = (0..2_000)
        .map(|i| format!("-A INPUT -s 10.0.{}.{}/32 -j DROP", i / 256, i % 256))
        .collect();
    let mut h = nft_handle(Family::Ipv4, "filter");
    let r = |s: &str| rule(Family::Ipv4, s);
    h.insert("INPUT", 1_000, r("-s 192.0.2.1 -j ACCEPT"))
        .unwrap();
    h.commit().unwrap();
    want.insert(1_000, "-A INPUT -s 192.0.2.1/32 -j ACCEPT".into());
    assert!(nft_rules(Family::Ipv4, "filter") == want, "insert at 1000");
    // Several in one batch.
    h.delete("INPUT", 0).unwrap();
    h.replace("INPUT", 4, r("-p tcp -m tcp --dport 22 -j ACCEPT"))
        .unwrap();
    h.append("INPUT", r("-j LOG")).unwrap();
    h.insert("INPUT", 0, r("-i lo -j ACCEPT")).unwrap();
    h.commit().unwrap();
    want.remove(0);
    want[4] = "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT".into();
    want.push("-A INPUT -j LOG".into());
    want.insert(0, "-A INPUT -i lo -j ACCEPT".into());
    assert!(nft_rules(Family::Ipv4, "filter") == want, "a batch of four");
    // A change that addresses a rule added by the same batch.
    h.insert("INPUT", 1, r("-s 192.0.2.2 -j DROP")).unwrap();
    h.insert("INPUT", 2, r("-s 192.0.2.3 -j DROP")).unwrap();
    h.delete("INPUT", 1).unwrap();
    h.commit().unwrap();
    want.insert(1, "-A INPUT -s 192.0.2.3/32 -j DROP".into());
    assert!(nft_rules(Family::Ipv4, "filter") == want, "same batch");
    // And the next ones still build on what the handle knows.
    h.delete("INPUT", want.len() - 1).unwrap();
    h.commit().unwrap();
    want.pop();
    assert!(nft_rules(Family::Ipv4, "filter") == want, "delete last");
    let ours: Vec<String> = h
        .rules("INPUT")
        .unwrap()
        .iter()
        .map(|r| r.save_line_as("INPUT", false, iptkit::extension::Dialect::Nft))
        .collect();
    assert!(ours == want, "what the handle shows");
}

#[test]
fn a_save_of_a_long_table_is_what_iptables_nft_save_prints() {
    isolate();
    for f in [Family::Ipv4, Family::Ipv6] {
        nft_restore(f, &long_table(f, 3000));
        let saved = nft_handle(f, "filter").save(true).unwrap();
        assert_eq!(
            String::from_utf8(saved).unwrap(),
            nft_save(f, Some("filter"), true)
        );
    }
}

#[test]
fn a_rule_added_by_nft_is_read_as_foreign_and_saved_as_iptables_nft_saves_it() {
    isolate();
    nft_ipt(Family::Ipv4, "-A INPUT -s 192.0.2.1/32 -j DROP");
    nft("add rule ip filter INPUT ct state established accept");
    let mut h = nft_handle(Family::Ipv4, "filter");
    let rules = h.rules("INPUT").unwrap().to_vec();
    assert_eq!(rules.len(), 2);
    assert!(rules[0].foreign.is_none());
    let foreign = rules[1]
        .foreign
        .as_deref()
        .expect("the nft rule is foreign");
    assert!(foreign.exprs().starts_with("[ ct ]"), "{}", foreign.exprs());
    assert!(!foreign.reason().is_empty());
    assert!(rules[1].matches.is_empty());
    assert!(rules[1].to_string().starts_with("# not an iptables rule: "));
    // The table is not printed as iptables rules: iptables-nft-save says why.
    let ours = String::from_utf8(h.save(false).unwrap()).unwrap();
    let theirs = std::process::Command::new("iptables-nft-save")
        .args(["-t", "filter"])
        .output()
        .expect("iptables-nft-save is installed");
    assert_eq!(ours, "# Table `filter' is incompatible, use 'nft' tool.\n");
    assert_eq!(ours, String::from_utf8_lossy(&theirs.stdout));
    // Deleted by position like any other rule.
    let gone = h.delete("INPUT", 1).unwrap();
    assert!(gone.foreign.is_some());
    h.commit().unwrap();
    assert_eq!(
        nft_rules(Family::Ipv4, "filter"),
        ["-A INPUT -s 192.0.2.1/32 -j DROP"]
    );
}

/// Thousands of appends on a handle that has not read its table, into a
/// table not made yet: the first batch is refused with an error for every
/// message, more than the receive buffer holds. Those replies must not
/// stay queued (the next request's reply would be dropped and its read
/// wait for ever): the commit makes the table and lands every rule.
#[test]
fn thousands_of_appends_to_a_table_not_made_yet_land() {
    const RULES: usize = 12_000;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        isolate();
        let mut h = nft_handle(Family::Ipv4, "filter");
        for i in 0..RULES {
            let spec = format!("-s 10.0.{}.{}/32 -j DROP", i / 256, i % 256);
            h.append("INPUT", rule(Family::Ipv4, &spec)).unwrap();
        }
        h.commit().unwrap();
        tx.send(nft_rules(Family::Ipv4, "filter").len()).unwrap();
    });
    // A watchdog, not a speed check: the bug this guards against hung.
    let landed = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the commit neither landed nor failed: a read waits for a reply that was dropped");
    assert_eq!(landed, RULES);
}
