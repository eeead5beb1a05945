//! The nf_tables driver against the kernel and iptables-nft, each test in
//! a private network namespace.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::Nft;
use crate::addr::Family;
use crate::backend::{Driver, Loaded};
use crate::{Rule, Table};

fn tool(family: Family, what: &str) -> String {
    match family {
        Family::Ipv4 => format!("iptables-nft{what}"),
        Family::Ipv6 => format!("ip6tables-nft{what}"),
    }
}

fn restore(family: Family, text: &str) {
    let mut child = Command::new(tool(family, "-restore"))
        .stdin(Stdio::piped())
        .spawn()
        .expect("iptables-nft is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// The `-A` lines of `iptables-nft-save -t filter`.
fn save_rules(family: Family) -> Vec<String> {
    let out = Command::new(tool(family, "-save"))
        .args(["-t", "filter"])
        .output()
        .expect("iptables-nft is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(str::to_string)
        .collect()
}

#[test]
fn one_insert_into_ten_thousand_rules_is_one_message() {
    crate::netns::unshare_net().expect("tests run as root");
    load_input(10_000);
    let mut nft = Nft::default();
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    assert_eq!(loaded.table.get("INPUT").unwrap().rules.len(), 10_000);
    let mut new = loaded.table.clone();
    let rule = Rule::parse(
        Family::Ipv4,
        "-s 192.0.2.1/32 -p tcp -m tcp --dport 22 -j ACCEPT",
    )
    .unwrap();
    new.insert("INPUT", 5_000, rule).unwrap();
    nft.commit(&loaded, &new).unwrap();
    assert_eq!(nft.last_batch_messages, 1);
    assert!(
        nft.last_batch_bytes < 1024,
        "{} bytes",
        nft.last_batch_bytes
    );
    let saved = save_rules(Family::Ipv4);
    assert_eq!(saved.len(), 10_001);
    assert_eq!(
        saved[5_000],
        "-A INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 22 -j ACCEPT"
    );
    assert_eq!(saved[4_999], "-A INPUT -s 10.0.19.135/32 -j DROP");
    assert_eq!(saved[5_001], "-A INPUT -s 10.0.19.136/32 -j DROP");

    // Deleting it again, and replacing one rule, is one message each.
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    new.delete("INPUT", 5_000).unwrap();
    nft.commit(&loaded, &new).unwrap();
    assert_eq!(nft.last_batch_messages, 1);
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    new.replace("INPUT", 7, Rule::parse(Family::Ipv4, "-j RETURN").unwrap())
        .unwrap();
    nft.commit(&loaded, &new).unwrap();
    assert_eq!(nft.last_batch_messages, 1);
    let saved = save_rules(Family::Ipv4);
    assert_eq!(saved.len(), 10_000);
    assert_eq!(saved[7], "-A INPUT -j RETURN");

    // A whole new table of 10,000 rules goes in one batch (no ENOBUFS).
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    new.flush_all();
    for i in 0..10_000u32 {
        let r = Rule::parse(
            Family::Ipv4,
            &format!("-d 10.9.{}.{}/32 -j ACCEPT", i >> 8, i & 255),
        )
        .unwrap();
        new.append("FORWARD", r).unwrap();
    }
    nft.commit(&loaded, &new).unwrap();
    // A flush of INPUT, FORWARD created (iptables-nft creates built-in
    // chains when first used), 10,000 rules.
    assert_eq!(nft.last_batch_messages, 10_002);
    let saved = save_rules(Family::Ipv4);
    assert_eq!(saved.len(), 10_000);
    assert!(saved.iter().all(|l| l.starts_with("-A FORWARD -d 10.9.")));
}

/// The nf_tables driver, with iptables-nft appending a rule between our
/// read and our batch, `races` times; counts the generation conflicts.
#[derive(Debug)]
struct Racing {
    inner: Nft,
    races: usize,
    restarts: Arc<AtomicUsize>,
}

impl Driver for Racing {
    fn load(&mut self, family: Family, table: &str) -> crate::Result<Loaded> {
        self.inner.load(family, table)
    }

    fn unchanged(&mut self, loaded: &Loaded) -> crate::Result<bool> {
        self.inner.unchanged(loaded)
    }

    fn commit(&mut self, loaded: &Loaded, new: &Table) -> crate::Result<crate::backend::Committed> {
        if self.races > 0 {
            self.races -= 1;
            let addr = match new.family {
                Family::Ipv4 => "192.0.2.99",
                Family::Ipv6 => "2001:db8::99",
            };
            let out = Command::new(tool(new.family, ""))
                .args(["-A", "INPUT", "-s", addr, "-j", "DROP"])
                .output()
                .expect("iptables-nft is installed");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let result = self.inner.commit(loaded, new);
        if matches!(result, Err(crate::Error::TableChanged { .. })) {
            self.restarts.fetch_add(1, Ordering::SeqCst);
        }
        result
    }
}

#[test]
fn a_concurrent_change_is_neither_lost_nor_overwritten() {
    crate::netns::unshare_net().expect("tests run as root");
    for (family, ours, theirs) in [
        (Family::Ipv4, "192.0.2.1/32", "192.0.2.99/32"),
        (Family::Ipv6, "2001:db8::1/128", "2001:db8::99/128"),
    ] {
        let options = crate::Options::default()
            .lock_path(
                std::env::temp_dir().join(format!("iptkit-nft-race-test-{}", std::process::id())),
            )
            .backend(crate::Backend::Nft);
        let restarts = Arc::new(AtomicUsize::new(0));
        let driver = Box::new(Racing {
            inner: Nft::default(),
            races: 1,
            restarts: restarts.clone(),
        });
        let mut h = crate::Handle::with_driver(family, "filter", options, driver).unwrap();
        let rule = Rule::parse(family, &format!("-s {ours} -j ACCEPT")).unwrap();
        h.append("INPUT", rule).unwrap();
        h.commit().unwrap();
        assert_eq!(
            save_rules(family),
            [
                format!("-A INPUT -s {theirs} -j DROP"),
                format!("-A INPUT -s {ours} -j ACCEPT"),
            ]
        );
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
        // The kernel itself refused the first batch (ERESTART: the
        // generation it carried was no longer current).
        assert_eq!(restarts.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn a_rule_iptkit_cannot_read_is_kept_and_never_rewritten() {
    crate::netns::unshare_net().expect("tests run as root");
    restore(
        Family::Ipv4,
        "*filter\n-A INPUT -s 192.0.2.1/32 -j ACCEPT\nCOMMIT\n",
    );
    // A rule iptables-nft would not write: `nft` adds it to the same chain.
    let out = Command::new("nft")
        .args([
            "add",
            "rule",
            "ip",
            "filter",
            "INPUT",
            "ct",
            "state",
            "established",
            "accept",
        ])
        .output()
        .expect("nft is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut nft = Nft::default();
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let rules = &loaded.table.get("INPUT").unwrap().rules;
    assert_eq!(rules.len(), 2);
    assert!(super::is_raw(&rules[1]));
    // Appending around it leaves it alone.
    let mut new = loaded.table.clone();
    new.insert("INPUT", 0, Rule::parse(Family::Ipv4, "-j LOG").unwrap())
        .unwrap();
    nft.commit(&loaded, &new).unwrap();
    assert_eq!(nft.last_batch_messages, 1);
    // Moving it would mean writing it anew: refused, nothing changed.
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    let raw = new.delete("INPUT", 2).unwrap();
    new.insert("INPUT", 0, raw).unwrap();
    assert!(matches!(
        nft.commit(&loaded, &new),
        Err(crate::Error::Incompatible { .. })
    ));
    let again = nft.load(Family::Ipv4, "filter").unwrap();
    assert_eq!(again.table, loaded.table);
    // Deleting it is fine.
    let mut new = again.table.clone();
    new.delete("INPUT", 2).unwrap();
    nft.commit(&again, &new).unwrap();
    assert_eq!(save_rules(Family::Ipv4).len(), 2);
}

/// `n` rules in INPUT, loaded by iptables-nft-restore.
fn load_input(n: u32) {
    let mut text = String::from("*filter\n");
    for i in 0..n {
        text.push_str(&format!(
            "-A INPUT -s 10.{}.{}.{}/32 -j DROP\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    text.push_str("COMMIT\n");
    restore(Family::Ipv4, &text);
}

fn snapshot(loaded: &Loaded) -> &super::Snapshot {
    match &loaded.state {
        crate::backend::State::Nft(s) => s,
        #[allow(unreachable_patterns)]
        _ => panic!("an nft snapshot"),
    }
}

#[test]
fn a_commit_reads_nothing_back_and_the_next_one_builds_on_it() {
    crate::netns::unshare_net().expect("tests run as root");
    load_input(10_000);
    let mut nft = Nft::default();
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    let rule = Rule::parse(Family::Ipv4, "-s 192.0.2.1/32 -j ACCEPT").unwrap();
    new.insert("INPUT", 0, rule.clone()).unwrap();
    let (base, error) = nft.commit(&loaded, &new).unwrap().into_loaded(new);
    assert!(error.is_none());
    // The kernel's echo gave the new generation: nobody changed anything
    // since, and the handle of the new rule is known.
    assert_ne!(snapshot(&base).genid, 0, "the new generation was echoed");
    assert!(nft.unchanged(&base).unwrap());
    let handles = snapshot(&base).chains["INPUT"].handles.as_ref().unwrap();
    assert_eq!(handles.len(), 10_001);
    // Delete it by that handle: one message, and iptables-nft agrees.
    let mut next = base.table.clone();
    next.delete("INPUT", 0).unwrap();
    next.delete("INPUT", 9_999).unwrap();
    let (base, _) = nft.commit(&base, &next).unwrap().into_loaded(next);
    assert_eq!(nft.last_batch_messages, 2);
    assert!(nft.unchanged(&base).unwrap());
    let saved = save_rules(Family::Ipv4);
    assert_eq!(saved.len(), 9_999);
    assert_eq!(saved[0], "-A INPUT -s 10.0.0.0/32 -j DROP");
    assert_eq!(saved[9_998], "-A INPUT -s 10.0.39.14/32 -j DROP");
    // What the handle keeps is what a read gives.
    let read = nft.load(Family::Ipv4, "filter").unwrap();
    assert_eq!(without_counters(&read.table), without_counters(&base.table));
}

fn without_counters(t: &Table) -> Table {
    let mut t = t.clone();
    t.zero_all();
    t
}

#[test]
fn a_bulk_commit_leaves_handles_to_be_read_for_the_chain_that_needs_them() {
    crate::netns::unshare_net().expect("tests run as root");
    let mut nft = Nft::default();
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    new.new_chain("bulk").unwrap();
    for i in 0..(super::diff::ECHO_LIMIT as u32 + 10) {
        let r = Rule::parse(
            Family::Ipv4,
            &format!("-d 10.1.{}.{} -j ACCEPT", i >> 8, i & 255),
        );
        new.append("bulk", r.unwrap()).unwrap();
    }
    let (base, _) = nft.commit(&loaded, &new).unwrap().into_loaded(new);
    assert!(snapshot(&base).chains["bulk"].handles.is_none());
    // A positional delete reads that chain's handles, and only then.
    let mut next = base.table.clone();
    next.delete("bulk", 3).unwrap();
    let (base, _) = nft.commit(&base, &next).unwrap().into_loaded(next);
    assert_eq!(nft.last_batch_messages, 1);
    let rules: Vec<String> = save_all(Family::Ipv4)
        .into_iter()
        .filter(|l| l.starts_with("-A bulk"))
        .collect();
    assert_eq!(rules.len(), super::diff::ECHO_LIMIT + 9);
    assert_eq!(rules[3], "-A bulk -d 10.1.0.4/32 -j ACCEPT");
    let read = nft.load(Family::Ipv4, "filter").unwrap();
    assert_eq!(without_counters(&read.table), without_counters(&base.table));
}

fn save_all(family: Family) -> Vec<String> {
    let out = Command::new(tool(family, "-save"))
        .output()
        .expect("iptables-nft is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn blind_appends_and_head_inserts_read_nothing() {
    use crate::backend::{Blind, BlindOutcome};
    crate::netns::unshare_net().expect("tests run as root");
    let mut nft = Nft::default();
    let rule = |s: &str| Rule::parse(Family::Ipv4, s).unwrap().normalized();
    // No table yet: declined (the slow path creates table and chain as
    // iptables-nft does), nothing made.
    let first = [Blind::Append {
        chain: "INPUT".into(),
        rule: rule("-s 192.0.2.9 -j DROP"),
    }];
    assert!(matches!(
        nft.commit_blind(Family::Ipv4, "filter", &first).unwrap(),
        BlindOutcome::Declined
    ));
    assert!(save_all(Family::Ipv4).is_empty());
    load_input(10_000);
    let out = Command::new("iptables-nft")
        .args(["-N", "mine"])
        .status()
        .unwrap();
    assert!(out.success());
    let out = Command::new("iptables-nft")
        .args(["-A", "mine", "-j", "RETURN"])
        .status()
        .unwrap();
    assert!(out.success());
    let changes = [
        Blind::Append {
            chain: "INPUT".into(),
            rule: rule("-s 192.0.2.1 -p tcp -m tcp --dport 22 -j ACCEPT"),
        },
        Blind::InsertHead {
            chain: "INPUT".into(),
            rule: rule("-s 192.0.2.2 -j mine"),
        },
        Blind::InsertHead {
            chain: "mine".into(),
            rule: rule("-m comment --comment first -j LOG"),
        },
    ];
    assert!(matches!(
        nft.commit_blind(Family::Ipv4, "filter", &changes).unwrap(),
        BlindOutcome::Landed(None)
    ));
    let saved = save_all(Family::Ipv4);
    let input: Vec<&String> = saved.iter().filter(|l| l.starts_with("-A INPUT")).collect();
    assert_eq!(input.len(), 10_002);
    assert_eq!(input[0], "-A INPUT -s 192.0.2.2/32 -j mine");
    assert_eq!(
        input[10_001],
        "-A INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 22 -j ACCEPT"
    );
    let mine: Vec<&String> = saved.iter().filter(|l| l.starts_with("-A mine")).collect();
    assert_eq!(
        mine,
        [
            "-A mine -m comment --comment first -j LOG",
            "-A mine -j RETURN"
        ]
    );
    // A missing chain or jump target: declined, and nothing of the batch
    // landed.
    for bad in [
        Blind::Append {
            chain: "nope".into(),
            rule: rule("-j ACCEPT"),
        },
        Blind::Append {
            chain: "INPUT".into(),
            rule: rule("-j nope"),
        },
    ] {
        let batch = [changes[0].clone(), bad];
        assert!(matches!(
            nft.commit_blind(Family::Ipv4, "filter", &batch).unwrap(),
            BlindOutcome::Declined
        ));
        assert!(
            save_all(Family::Ipv4) == saved,
            "nothing of the batch landed"
        );
    }
}

#[test]
fn a_change_to_one_chain_reads_only_that_chain() {
    crate::netns::unshare_net().expect("tests run as root");
    let mut text = String::from("*filter\n:big - [0:0]\n-A INPUT -s 10.9.9.9/32 -j DROP\n");
    for i in 0..10_000u32 {
        text.push_str(&format!(
            "-A big -s 10.0.{}.{}/32 -j ACCEPT\n",
            i >> 8,
            i & 255
        ));
    }
    text.push_str("COMMIT\n");
    restore(Family::Ipv4, &text);
    let before = save_all(Family::Ipv4);
    let mut nft = Nft::default();
    let only: crate::backend::Chains = ["INPUT".to_string()].into_iter().collect();
    let loaded = nft.load_chains(Family::Ipv4, "filter", &only).unwrap();
    assert_eq!(loaded.only.as_ref(), Some(&only));
    assert_eq!(loaded.table.get("INPUT").unwrap().rules.len(), 1);
    // Every chain is listed; the big one shows no rules, and is not read.
    assert!(loaded.table.get("big").unwrap().rules.is_empty());
    assert!(!snapshot(&loaded).chains["big"].read);
    let mut new = loaded.table.clone();
    new.delete("INPUT", 0).unwrap();
    new.append("INPUT", Rule::parse(Family::Ipv4, "-j big").unwrap())
        .unwrap();
    let (base, _) = nft.commit(&loaded, &new).unwrap().into_loaded(new);
    // One rule for another: one replace.
    assert_eq!(nft.last_batch_messages, 1);
    let after = save_all(Family::Ipv4);
    let big = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with("-A big"))
            .cloned()
            .collect()
    };
    assert_eq!(big(&after).len(), 10_000);
    assert!(big(&after) == big(&before), "the unread chain is untouched");
    assert!(after.contains(&"-A INPUT -j big".to_string()));
    assert!(!after.contains(&"-A INPUT -s 10.9.9.9/32 -j DROP".to_string()));
    // The next commit builds on it, and still leaves `big` alone.
    assert!(!snapshot(&base).chains["big"].read);
    let mut next = base.table.clone();
    next.set_policy("INPUT", crate::Policy::Drop).unwrap();
    nft.commit(&base, &next).unwrap();
    let last = save_all(Family::Ipv4);
    assert!(last.contains(&":INPUT DROP [0:0]".to_string()));
    assert!(big(&last) == big(&before));
}

/// The attribute reader (`wire.rs`) gives what libnftnl gave, on every
/// expression iptables-nft writes and on native ones `nft` writes.
#[test]
fn wire_reader_agrees_with_libnftnl() {
    crate::netns::unshare_net().expect("tests run as root");
    restore(
        Family::Ipv4,
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:foo - [0:0]\n\
         [5:300] -A INPUT -s 10.0.0.0/8 -i eth0 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\n\
         -A FORWARD ! -s 10.0.2.0/255.0.255.0 ! -o eth+ ! -p udp -j DROP\n\
         -A INPUT -p udp -m udp --sport 53:60 ! --dport 54\n\
         -A INPUT -p tcp -m tcp --dport 4 --tcp-flags SYN,ACK SYN\n\
         -A INPUT -m mark ! --mark 0x5/0xff -m limit --limit 3/hour --limit-burst 2\n\
         -A INPUT -f -j LOG --log-prefix \"x \" --log-level 5\n\
         -A INPUT -j NFLOG --nflog-group 3 --nflog-prefix foo --nflog-size 20 --nflog-threshold 2\n\
         -A INPUT -d 1.2.3.4/32 -m comment --comment \"hi there\" -j RETURN\n\
         -A INPUT -g foo\n-A INPUT -j foo\n-A foo -j MARK --set-xmark 0x1/0xff\n\
         -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n",
    );
    for native in [
        "add rule ip filter FORWARD meta mark set 0x7 counter",
        "add rule ip filter FORWARD ip saddr 1.2.3.4 log prefix \"n \" group 2 snaplen 3 queue-threshold 4",
        "add rule ip filter FORWARD tcp dport { 1, 2 } drop",
        "add rule ip filter FORWARD ip daddr 192.0.2.0-192.0.2.9 accept comment \"c\"",
        "add rule ip filter FORWARD ct state established limit rate over 10/second burst 4 packets drop",
    ] {
        let out = Command::new("nft")
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin.take().unwrap().write_all(native.as_bytes())?;
                c.wait()
            })
            .expect("nft is installed");
        assert!(out.success(), "nft refused: {native}");
    }
    let mut sock = super::netlink::Socket::open().unwrap();
    let mut seen = 0;
    sock.dump(
        iptkit_sys::nftables::NFT_MSG_GETRULE,
        iptkit_sys::nftables::NFPROTO_IPV4,
        (Some("filter"), None),
        |m| {
            let ours = super::wire::parse_rule(m, "filter").unwrap().unwrap();
            let theirs = super::reference::parse_rule(m).unwrap();
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            seen += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(seen, 17);
}

#[test]
fn a_restore_of_several_tables_is_one_batch() {
    use crate::syntax::restore::{parse_with, RestoreOptions};
    crate::netns::unshare_net().expect("tests run as root");
    restore(Family::Ipv4, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n");
    let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.1/32 -j DROP\nCOMMIT\n\
                *nat\n:PREROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE\nCOMMIT\n\
                *mangle\n-A OUTPUT -j MARK --set-mark 0x1\nCOMMIT\n";
    let opts = RestoreOptions::default();
    let blocks = parse_with(Family::Ipv4, text, &opts).unwrap();
    let options = crate::Options::default().backend(crate::Backend::Nft);
    let mut sock = super::netlink::Socket::open().unwrap();
    let before = sock.genid().unwrap();
    let played = crate::restore::apply(Family::Ipv4, &blocks, &opts, &options).unwrap();
    // Every change of the ruleset moves the generation by one: one batch.
    assert_eq!(sock.genid().unwrap(), before + 1);
    assert_eq!(played.len(), 3);
    assert_eq!(
        save_rules(Family::Ipv4),
        ["-A INPUT -s 192.0.2.1/32 -j DROP"]
    );
    assert_eq!(
        played[1]
            .after
            .as_ref()
            .unwrap()
            .get("POSTROUTING")
            .unwrap()
            .rules[0]
            .to_string(),
        "-s 10.0.0.0/8 -j MASQUERADE"
    );
}

/// A chain whose rules all change is flushed (one message) and filled
/// anew, not rewritten rule by rule: the kernel finds a rule by handle
/// walking its chain, so 10,000 deletes or replaces cost it a quadratic walk.
#[test]
fn a_chain_with_no_rule_kept_is_one_flush_then_appends() {
    crate::netns::unshare_net().expect("tests run as root");
    load_input(10_000);
    let mut nft = Nft::default();
    let loaded = nft.load(Family::Ipv4, "filter").unwrap();
    let mut new = loaded.table.clone();
    let input = &mut new
        .chains
        .iter_mut()
        .find(|c| c.name == "INPUT")
        .unwrap()
        .rules;
    for (i, r) in input.iter_mut().enumerate() {
        *r = Rule::parse(
            Family::Ipv4,
            &format!("-d 10.9.{}.{}/32 -j ACCEPT", i / 250, i % 250),
        )
        .unwrap();
    }
    nft.commit(&loaded, &new).unwrap();
    assert_eq!(nft.last_batch_messages, 1 + 10_000);
    let saved = save_rules(Family::Ipv4);
    assert_eq!(saved.len(), 10_000);
    assert_eq!(saved[0], "-A INPUT -d 10.9.0.0/32 -j ACCEPT");
    assert_eq!(saved[9_999], "-A INPUT -d 10.9.39.249/32 -j ACCEPT");
}
