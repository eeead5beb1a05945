//! Blob round trips against tables the real iptables-legacy wrote, each
//! test in a private network namespace.

use std::io::Write;
use std::mem::offset_of;
use std::process::{Command, Stdio};

use iptkit_sys::xtables::*;

use super::blob;
use super::ip::entry_size;
use super::socket::Socket;
use crate::addr::Family;
use crate::matches::Match;
use crate::targets::{Target, TargetExt};

fn restore(family: Family, text: &str) {
    let cmd = match family {
        Family::Ipv4 => "iptables-legacy-restore",
        Family::Ipv6 => "ip6tables-legacy-restore",
    };
    let mut child = Command::new(cmd)
        .arg("-c")
        .stdin(Stdio::piped())
        .spawn()
        .expect("iptables-legacy is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "{cmd} refused:\n{text}");
}

/// The kernel's blob with comefrom and counters zeroed: what we must write.
fn user_part(family: Family, blob: &[u8]) -> Vec<u8> {
    let (next, comefrom, end) = match family {
        Family::Ipv4 => (
            offset_of!(ipt_entry, next_offset),
            offset_of!(ipt_entry, comefrom),
            entry_size(family),
        ),
        Family::Ipv6 => (
            offset_of!(ip6t_entry, next_offset),
            offset_of!(ip6t_entry, comefrom),
            entry_size(family),
        ),
    };
    let mut b = blob.to_vec();
    let mut off = 0;
    while off < b.len() {
        let n = u16::from_ne_bytes([b[off + next], b[off + next + 1]]) as usize;
        b[off + comefrom..off + end].fill(0);
        off += n;
    }
    b
}

fn round_trip(family: Family, table: &str, text: &str) -> crate::ruleset::Table {
    crate::netns::unshare_net().expect("tests run as root");
    restore(family, text);
    let sock = Socket::open(family).unwrap();
    let raw = sock.read(table).unwrap();
    let (t, map) = blob::decode(family, table, &raw.info, raw.entries()).unwrap();
    let enc = blob::encode(&t).unwrap();
    assert_eq!(enc.map, map);
    assert_eq!(enc.num_entries, raw.info.num_entries as usize);
    assert_eq!(enc.valid_hooks, raw.info.valid_hooks);
    for h in 0..NF_INET_NUMHOOKS {
        if raw.info.valid_hooks & (1 << h) != 0 {
            assert_eq!(enc.hook_entry[h], raw.info.hook_entry[h]);
            assert_eq!(enc.underflow[h], raw.info.underflow[h]);
        }
    }
    assert!(
        enc.entries == user_part(family, raw.entries()),
        "blob differs for\n{text}"
    );
    t
}

const FILTER4: &str = "*filter
:INPUT DROP [3:300]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [7:700]
:zeta - [0:0]
:alpha - [0:0]
:Beta - [0:0]
[1:10] -A INPUT -s 10.0.0.0/8 ! -d 192.168.1.1/32 -i eth+ -p tcp -m tcp --dport 22 -j alpha
[2:20] -A INPUT ! -p udp -f -m comment --comment \"hello world\" -j ACCEPT
[3:30] -A INPUT -s 10.0.0.0/255.0.255.0 ! -f
-A INPUT -j QUEUE
-A alpha -g zeta
-A FORWARD ! -i eth0 ! -o lo
-A alpha -j Beta
-A alpha -j RETURN
-A Beta -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP
COMMIT
";

#[test]
fn ipv4_filter_round_trips_byte_for_byte() {
    let t = round_trip(Family::Ipv4, "filter", FILTER4);
    let names: Vec<_> = t.chains.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["INPUT", "FORWARD", "OUTPUT", "Beta", "alpha", "zeta"]
    );
    let input = t.chain("INPUT").unwrap();
    assert_eq!(input.policy, Some(crate::Policy::Drop));
    assert_eq!(input.counters, crate::Counters::new(3, 300));
    assert_eq!(input.rules[0].target, Target::Jump("alpha".into()));
    assert_eq!(input.rules[0].counters, crate::Counters::new(1, 10));
    assert!(matches!(input.rules[0].matches[0], Match::Tcp(_)));
    assert!(matches!(&input.rules[1].matches[0], Match::Comment(_)));
    assert_eq!(input.rules[2].target, Target::Continue);
    assert_eq!(input.rules[2].fragment, Some(false));
    assert_eq!(
        t.chain("alpha").unwrap().rules[0].target,
        Target::Goto("zeta".into())
    );
    assert_eq!(
        input.rules[0].save_spec(),
        " -s 10.0.0.0/8 ! -d 192.168.1.1/32 -i eth+ -p tcp -m tcp --dport 22 -j alpha"
    );
}

#[test]
fn ipv6_filter_round_trips_byte_for_byte() {
    let t = round_trip(
        Family::Ipv6,
        "filter",
        "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:chain - [0:0]
:chain2 - [0:0]
-A INPUT -s 2001:db8::/32 ! -d ::1/128 -i eth0 -p tcp -m tcp --sport 1:1024 -j chain
-A INPUT -p all -j ACCEPT
-A INPUT ! -p tcp
-A INPUT -j REJECT --reject-with icmp6-port-unreachable
-A chain -g chain2
COMMIT
",
    );
    let input = t.chain("INPUT").unwrap();
    assert!(matches!(
        &input.rules[3].target,
        Target::Ext(TargetExt::Unknown(_)) | Target::Ext(_)
    ));
    assert_eq!(input.rules[1].proto, Some(crate::Inv::is(0)));
}

#[test]
fn every_table_round_trips() {
    for (family, table, builtins) in [
        (Family::Ipv4, "nat", ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\n"),
        (Family::Ipv4, "mangle", ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A FORWARD -j MARK --set-xmark 0x1/0xffffffff\n"),
        (Family::Ipv4, "raw", ":PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p udp -j CT --notrack\n"),
        (Family::Ipv6, "security", ":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:x - [0:0]\n-A OUTPUT -j x\n"),
    ] {
        let text = format!("*{table}\n{builtins}COMMIT\n");
        let t = std::thread::spawn(move || round_trip(family, table, &text)).join().unwrap();
        assert_eq!(t.name, table);
    }
}

#[test]
fn missing_table_and_revision_queries() {
    crate::netns::unshare_net().unwrap();
    let sock = Socket::open(Family::Ipv4).unwrap();
    assert!(matches!(
        sock.read("nosuchtable"),
        Err(crate::Error::NoSuchTable(_))
    ));
    assert!(sock.revision_supported("tcp", 0, false).unwrap());
    assert!(!sock.revision_supported("tcp", 200, false).unwrap());
    assert!(!sock.revision_supported("nosuchmatch", 0, false).unwrap());
    // IPv6 has its own option numbers for these two queries.
    let sock6 = Socket::open(Family::Ipv6).unwrap();
    assert!(sock6.revision_supported("tcp", 0, false).unwrap());
    assert!(!sock6.revision_supported("tcp", 200, false).unwrap());
    assert!(!sock6.revision_supported("nosuchmatch", 0, false).unwrap());
    assert!(!sock6.revision_supported("NOSUCHTARGET", 0, true).unwrap());
    assert!(super::revision_supported(Family::Ipv6, "REJECT", 0, true).unwrap());
}

/// The legacy driver, with iptables-legacy appending a rule between our
/// read and our SET_REPLACE, `races` times; counts the kernel's EAGAINs.
#[derive(Debug)]
struct Racing {
    inner: super::Legacy,
    races: usize,
    eagain: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl crate::backend::Driver for Racing {
    fn load(&mut self, family: Family, table: &str) -> crate::Result<crate::backend::Loaded> {
        self.inner.load(family, table)
    }

    fn unchanged(&mut self, loaded: &crate::backend::Loaded) -> crate::Result<bool> {
        self.inner.unchanged(loaded)
    }

    fn commit(
        &mut self,
        loaded: &crate::backend::Loaded,
        new: &crate::Table,
    ) -> crate::Result<crate::backend::Committed> {
        if self.races > 0 {
            self.races -= 1;
            let (tool, addr) = match new.family {
                Family::Ipv4 => ("iptables-legacy", "192.0.2.99"),
                Family::Ipv6 => ("ip6tables-legacy", "2001:db8::99"),
            };
            let out = Command::new(tool)
                .args(["-w", "-A", "INPUT", "-s", addr, "-j", "DROP"])
                .output()
                .expect("iptables-legacy is installed");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let result = self.inner.commit(loaded, new);
        if matches!(result, Err(crate::Error::TableChanged { .. })) {
            self.eagain
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        result
    }
}

#[test]
fn a_real_eagain_is_retried_and_both_changes_land() {
    crate::netns::unshare_net().expect("tests run as root");
    for (family, ours, theirs) in [
        (Family::Ipv4, "192.0.2.1/32", "192.0.2.99/32"),
        (Family::Ipv6, "2001:db8::1/128", "2001:db8::99/128"),
    ] {
        // A lock of our own: iptables-legacy takes the usual one while our
        // commit holds this one, as two processes with different locks would.
        let options = crate::Options::default()
            .lock_path(
                std::env::temp_dir().join(format!("iptkit-eagain-test-{}", std::process::id())),
            )
            .backend(crate::Backend::Legacy);
        let eagain = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let driver = Box::new(Racing {
            inner: super::Legacy::default(),
            races: 1,
            eagain: eagain.clone(),
        });
        let mut h = crate::Handle::with_driver(family, "filter", options, driver).unwrap();
        let rule = crate::Rule::parse(family, &format!("-s {ours} -j ACCEPT")).unwrap();
        h.append("INPUT", rule).unwrap();
        h.commit().unwrap();
        let saved = save_rules(family);
        assert_eq!(
            saved,
            [
                format!("-A INPUT -s {theirs} -j DROP"),
                format!("-A INPUT -s {ours} -j ACCEPT"),
            ]
        );
        assert_eq!(h.rules("INPUT").unwrap().len(), 2);
        // The kernel itself refused the first SET_REPLACE.
        assert_eq!(eagain.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}

/// The `-A` lines of `iptables-legacy-save -t filter`.
fn save_rules(family: Family) -> Vec<String> {
    let tool = match family {
        Family::Ipv4 => "iptables-legacy-save",
        Family::Ipv6 => "ip6tables-legacy-save",
    };
    let out = Command::new(tool)
        .args(["-t", "filter"])
        .output()
        .expect("iptables-legacy is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(str::to_string)
        .collect()
}

/// A kernel that has only revision 0 of every extension.
fn only_revision_0(_: &str, revision: u8, _: bool) -> bool {
    revision == 0
}

#[test]
fn revisions_the_kernel_lacks_are_downgraded_or_refused() {
    crate::netns::unshare_net().expect("tests run as root");
    for family in [Family::Ipv4, Family::Ipv6] {
        let options = crate::Options::default()
            .lock_path(
                std::env::temp_dir().join(format!("iptkit-revision-test-{}", std::process::id())),
            )
            .backend(crate::Backend::Legacy);
        let driver = Box::new(super::Legacy {
            fake_revisions: Some(only_revision_0),
            ..super::Legacy::default()
        });
        let mut h = crate::Handle::with_driver(family, "filter", options, driver).unwrap();
        // recent: revision 1 (what iptables writes) has a mask revision 0
        // lacks; without --mask it says the same at revision 0.
        let r = crate::Rule::parse(family, "-m recent --set --name x").unwrap();
        assert_eq!(r.matches[0].revision(), 1);
        h.append("INPUT", r).unwrap();
        h.commit().unwrap();
        // The kernel holds revision 0 (which iptables 1.8.9 itself can no
        // longer print), and so does the handle.
        assert_eq!(
            save_rules(family),
            ["-A INPUT -m recent [unsupported revision]"]
        );
        let kept = h.rules("INPUT").unwrap()[0].clone();
        assert_eq!(kept.matches[0].revision(), 0);
        assert_eq!(kept.to_string(), "-m recent --set --name x --rsource");
        let read = crate::Handle::open_with(
            family,
            "filter",
            crate::Options::default().backend(crate::Backend::Legacy),
        )
        .unwrap()
        .table()
        .unwrap()
        .clone();
        assert_eq!(read.chain("INPUT").unwrap().rules[0], kept);

        // conntrack 3 cannot go back (no downgrade): refused by name and
        // revision before anything is sent.
        let r = crate::Rule::parse(family, "-m conntrack --ctstate NEW -j DROP").unwrap();
        h.append("INPUT", r).unwrap();
        match h.commit() {
            Err(crate::Error::Refused {
                extension,
                revision: 3,
                reason: crate::error::Refusal::Missing,
                errno: crate::error::Errno::ENOENT,
                ..
            }) => assert_eq!(extension, "conntrack"),
            other => panic!("{other:?}"),
        }
        assert_eq!(save_rules(family).len(), 1);
        h.refresh().unwrap();
    }
}

// ------------------------------------------------------------ blind commits

/// A table with counters everywhere, user chains before and after the
/// chains changed, jumps and a goto across them, an empty built-in
/// (FORWARD) and an empty user chain.
fn blind_base(family: Family) -> String {
    let (net, host) = match family {
        Family::Ipv4 => ("10.0.0.0/8", "10.0.0.1/32"),
        Family::Ipv6 => ("2001:db8::/32", "2001:db8::1/128"),
    };
    format!(
        "*filter
:INPUT DROP [3:300]
:FORWARD ACCEPT [4:400]
:OUTPUT ACCEPT [7:700]
:alpha - [0:0]
:empty - [0:0]
:zeta - [0:0]
[1:10] -A INPUT -s {net} -p tcp -m tcp --dport 22 -j alpha
[2:20] -A INPUT -j zeta
[3:30] -A INPUT -s {host}
[4:40] -A OUTPUT -j empty
[5:50] -A alpha -g zeta
[6:60] -A alpha -j RETURN
[7:70] -A zeta -j ACCEPT
COMMIT
"
    )
}

/// What the kernel holds: GET_INFO's layout and the whole blob, counters
/// and comefrom included.
fn kernel_table(family: Family) -> (u32, [u32; 5], [u32; 5], Vec<u8>) {
    let raw = Socket::open(family).unwrap().read("filter").unwrap();
    let i = raw.info;
    (
        i.num_entries,
        i.hook_entry,
        i.underflow,
        raw.entries().to_vec(),
    )
}

fn ipt_legacy(family: Family, args: &[&str]) {
    let tool = match family {
        Family::Ipv4 => "iptables-legacy",
        Family::Ipv6 => "ip6tables-legacy",
    };
    let out = Command::new(tool)
        .arg("-w")
        .args(args)
        .output()
        .expect("iptables-legacy is installed");
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn save_c(family: Family) -> String {
    let tool = match family {
        Family::Ipv4 => "iptables-legacy-save",
        Family::Ipv6 => "ip6tables-legacy-save",
    };
    let out = Command::new(tool)
        .args(["-c", "-t", "filter"])
        .output()
        .expect("iptables-legacy is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn blind_commit(family: Family, changes: &[crate::backend::Blind]) -> crate::backend::BlindOutcome {
    use crate::backend::Driver;
    super::Legacy::default()
        .commit_blind(family, "filter", changes)
        .unwrap()
}

/// `(-A|-I) CHAIN SPEC` as a blind change, and as iptables arguments.
fn change(family: Family, line: &str) -> (crate::backend::Blind, Vec<String>) {
    let mut words = line.splitn(3, ' ');
    let (op, chain, spec) = (
        words.next().unwrap(),
        words.next().unwrap().to_string(),
        words.next().unwrap_or(""),
    );
    let rule = crate::Rule::parse(family, spec).unwrap().normalized();
    let blind = match op {
        "-A" => crate::backend::Blind::Append { chain, rule },
        _ => crate::backend::Blind::InsertHead { chain, rule },
    };
    (blind, line.split_whitespace().map(String::from).collect())
}

/// The changes through a handle that reads the table (the normal path).
fn handle_commit(family: Family, changes: &[crate::backend::Blind]) {
    let options = crate::Options::default()
        .lock_path(std::env::temp_dir().join(format!("iptkit-blind-test-{}", std::process::id())))
        .backend(crate::Backend::Legacy);
    let driver = Box::new(super::Legacy::default());
    let mut h = crate::Handle::with_driver(family, "filter", options, driver).unwrap();
    for c in changes {
        match c {
            crate::backend::Blind::Append { chain, rule } => h.append(chain, rule.clone()),
            crate::backend::Blind::InsertHead { chain, rule } => h.insert(chain, 0, rule.clone()),
        }
        .unwrap();
    }
    h.commit().unwrap();
}

/// Without the counters of the built-in chains' policies: iptables-legacy
/// resets them on every change (libiptc's COUNTER_MAP_ZEROED), iptkit
/// keeps them.
fn without_policy_counters(
    family: Family,
    (n, hooks, underflows, blob): &(u32, [u32; 5], [u32; 5], Vec<u8>),
) -> (u32, [u32; 5], [u32; 5], Vec<u8>) {
    let counters = match family {
        Family::Ipv4 => offset_of!(ipt_entry, counters),
        Family::Ipv6 => offset_of!(ip6t_entry, counters),
    };
    let mut b = blob.clone();
    for &u in underflows.iter().filter(|&&u| u != u32::MAX) {
        let at = u as usize + counters;
        b[at..at + 16].fill(0);
    }
    (*n, *hooks, *underflows, b)
}

/// Each case in a fresh copy of the base table: a blind commit of the
/// changes leaves exactly what the normal path (a handle that reads the
/// table) leaves, counters and all, to the byte; and what iptables-legacy
/// leaves after the same `-A`/`-I` commands, but for the policies'
/// counters, which iptables resets.
fn blind_cases(family: Family) {
    let (a, b, c) = match family {
        Family::Ipv4 => ("192.0.2.1", "192.0.2.2", "192.0.2.3"),
        Family::Ipv6 => ("2001:db8::a", "2001:db8::b", "2001:db8::c"),
    };
    let set = match family {
        Family::Ipv4 => "blind4",
        Family::Ipv6 => "blind6",
    };
    let out = Command::new("ipset")
        .args(["create", set, "hash:ip", "family"])
        .arg(if family == Family::Ipv4 {
            "inet"
        } else {
            "inet6"
        })
        .output()
        .expect("ipset is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<Vec<String>> = vec![
        vec![format!("-A INPUT -s {a} -j DROP")],
        vec![format!("-I INPUT -p udp -j zeta")],
        vec![format!("-A FORWARD -i eth0 -j alpha")],
        vec![format!("-I FORWARD -o eth0 -g empty")],
        vec![format!("-A empty -j ACCEPT")],
        vec![format!("-I empty -s {a}")],
        vec![format!("-A alpha -s {b} -j empty")],
        vec![format!(
            "-I zeta -p tcp -m tcp --dport 80 -m comment --comment x -j REJECT"
        )],
        vec![
            format!("-A INPUT -s {a} -j DROP"),
            format!("-I INPUT -s {b} -j alpha"),
            format!("-I INPUT -s {c}"),
            format!("-A empty -j RETURN"),
            format!("-I empty -d {a} -j zeta"),
            format!("-A empty -d {b}"),
            format!("-I FORWARD -m set --match-set {set} src -j DROP"),
            format!("-A zeta -m conntrack --ctstate NEW -j ACCEPT"),
            format!("-A OUTPUT -j alpha"),
            format!("-A INPUT -s {c} -j DROP"),
        ],
    ];
    for lines in cases {
        let (changes, commands): (Vec<_>, Vec<_>) = lines.iter().map(|l| change(family, l)).unzip();
        restore(family, &blind_base(family));
        let before = kernel_table(family);
        match blind_commit(family, &changes) {
            crate::backend::BlindOutcome::Landed(None) => {}
            other => panic!("{lines:?}: {other:?}"),
        }
        let blind = (kernel_table(family), save_c(family));
        // Counters kept, policies' included.
        assert!(blind.1.contains(":INPUT DROP [3:300]"), "{}", blind.1);
        assert!(blind.1.contains("[7:70] -A zeta -j ACCEPT"), "{}", blind.1);

        restore(family, &blind_base(family));
        assert_eq!(kernel_table(family), before);
        handle_commit(family, &changes);
        let normal = (kernel_table(family), save_c(family));
        assert_eq!(blind.1, normal.1, "{lines:?}");
        assert!(blind.0 == normal.0, "{lines:?}: the blobs differ");

        restore(family, &blind_base(family));
        for args in &commands {
            ipt_legacy(family, &args.iter().map(String::as_str).collect::<Vec<_>>());
        }
        let iptables = kernel_table(family);
        assert!(
            without_policy_counters(family, &blind.0) == without_policy_counters(family, &iptables),
            "{lines:?}: the blobs differ from iptables'"
        );
    }
}

#[test]
fn blind_changes_leave_what_a_read_and_commit_leaves_ipv4() {
    crate::netns::unshare_net().expect("tests run as root");
    blind_cases(Family::Ipv4);
}

#[test]
fn blind_changes_leave_what_a_read_and_commit_leaves_ipv6() {
    crate::netns::unshare_net().expect("tests run as root");
    blind_cases(Family::Ipv6);
}

#[test]
fn blind_changes_the_fast_path_cannot_make_change_nothing() {
    use crate::backend::BlindOutcome;
    crate::netns::unshare_net().expect("tests run as root");
    for family in [Family::Ipv4, Family::Ipv6] {
        restore(family, &blind_base(family));
        let before = (kernel_table(family), save_c(family));
        for lines in [
            vec!["-A nosuch -j ACCEPT"],
            vec!["-I INPUT -j nosuch"],
            vec!["-A INPUT -j INPUT"],
            vec!["-A PREROUTING -j ACCEPT"],
            // The kernel refuses: a nat target in filter, a loop.
            vec!["-A INPUT -j ACCEPT", "-A INPUT -j MASQUERADE"],
            vec!["-I zeta -j alpha"],
            vec!["-A INPUT -j ACCEPT", "-A empty -j nosuch"],
        ] {
            let changes: Vec<_> = lines.iter().map(|l| change(family, l).0).collect();
            assert!(
                matches!(blind_commit(family, &changes), BlindOutcome::Declined),
                "{lines:?}"
            );
            assert!(
                (kernel_table(family), save_c(family)) == before,
                "{lines:?}"
            );
        }
        // Nothing to do: nothing done.
        assert!(matches!(
            blind_commit(family, &[]),
            BlindOutcome::Landed(None)
        ));
        assert!((kernel_table(family), save_c(family)) == before);
    }
}

/// Appends a rule with iptables-legacy the first time it is called.
fn somebody_else_appends() {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
        ipt_legacy(
            Family::Ipv4,
            &["-A", "zeta", "-s", "192.0.2.99", "-j", "DROP"],
        );
    }
}

#[test]
fn a_blind_commit_raced_by_another_writer_reads_again() {
    use crate::backend::{BlindOutcome, Driver};
    crate::netns::unshare_net().expect("tests run as root");
    restore(Family::Ipv4, &blind_base(Family::Ipv4));
    let mut legacy = super::Legacy {
        before_replace: Some(somebody_else_appends),
        ..super::Legacy::default()
    };
    let (change, _) = change(Family::Ipv4, "-I INPUT -s 192.0.2.1 -j DROP");
    match legacy.commit_blind(Family::Ipv4, "filter", &[change]) {
        Ok(BlindOutcome::Landed(None)) => {}
        other => panic!("{other:?}"),
    }
    let saved = save_c(Family::Ipv4);
    assert!(
        saved.contains("[0:0] -A INPUT -s 192.0.2.1/32 -j DROP\n[1:10] -A INPUT"),
        "{saved}"
    );
    assert!(
        saved.contains("[0:0] -A zeta -s 192.0.2.99/32 -j DROP"),
        "{saved}"
    );
    assert!(saved.contains("[7:70] -A zeta -j ACCEPT"), "{saved}");
}
