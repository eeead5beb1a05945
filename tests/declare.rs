//! `iptkit::declare`: a rule set of several tables and both families
//! applied whole, rendered as the real `*-save` tools print it, compared
//! with the kernel and reconciled, on both backends, checked with the real
//! tools. Each test runs in its own private network namespace.
#![cfg(feature = "nft")]

mod common;

use std::process::Command;

use common::{isolate, FAMILIES};
use iptkit::declare::{RenderOptions, Ruleset};
use iptkit::{Backend, Error, Family, Options, Policy, Rule, Target};

fn options(backend: Backend) -> Options {
    Options::default().backend(backend)
}

/// The real save of one table, comment lines aside.
fn save(backend: Backend, family: Family, table: &str, counters: bool) -> String {
    match backend {
        Backend::Legacy => common::save(family, table, counters),
        _ => common::nft_save(family, Some(table), counters),
    }
}

/// The real save of every table of both families (the legacy tables of
/// the kernel's list, the nf_tables ones of iptables-nft-save), and on
/// nf_tables `nft list ruleset` too.
fn kernel(backend: Backend) -> String {
    let mut out = String::new();
    for f in FAMILIES {
        match backend {
            Backend::Legacy => {
                for t in iptkit::backend::existing_tables(Backend::Legacy, f).unwrap() {
                    let saved = common::save(f, &t, true);
                    // SET_REPLACE needs the table: a table made to be
                    // committed stays, empty (as it was, in effect).
                    let empty = iptkit::Table::new(f, &t).unwrap();
                    if saved != iptkit::syntax::restore::save_table(&empty, true) {
                        out += &saved;
                    }
                }
            }
            _ => out += &common::nft_save(f, None, true),
        }
    }
    if backend == Backend::Nft {
        out += &text(Command::new("nft").args(["list", "ruleset"]));
    }
    out
}

fn text(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the tool is installed (.ci/setup)");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Feeds iptables-restore input with counters to the real tool.
fn real_restore(backend: Backend, family: Family, input: &str) {
    match backend {
        Backend::Legacy => common::restore(family, input),
        _ => common::nft_restore(family, input),
    }
}

fn rule(f: Family, spec: &str) -> Rule {
    common::rule(f, spec)
}

/// filter, nat and mangle of both families: policies, user chains, jumps,
/// matches iptables-nft writes natively and as compat expressions.
fn many_tables() -> Ruleset {
    let mut rs = Ruleset::new();
    for f in FAMILIES {
        let h = |n| common::host(f, n);
        rs.set_policy(f, "filter", "INPUT", Policy::Drop).unwrap();
        rs.set_policy(f, "filter", "FORWARD", Policy::Drop).unwrap();
        rs.new_chain(f, "filter", "ssh").unwrap();
        rs.new_chain(f, "filter", "allowed").unwrap();
        let ssh = rule(f, "-p tcp -m tcp --dport 22");
        for (n, target) in [(1, Target::Accept), (2, Target::Jump("allowed".into()))] {
            let r = ssh.clone().source(iptkit::Net::parse(f, &h(n)).unwrap());
            rs.append("filter", "ssh", r.with_target(target)).unwrap();
        }
        for spec in [
            "-i lo -j ACCEPT",
            "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-p tcp -m tcp --dport 22 -j ssh",
            "-p udp -m udp --dport 53 -m comment --comment \"dns in\" -j ACCEPT",
        ] {
            rs.append("filter", "INPUT", rule(f, spec)).unwrap();
        }
        rs.append(
            "filter",
            "allowed",
            rule(f, "-m limit --limit 5/sec -j ACCEPT"),
        )
        .unwrap();
        rs.append(
            "mangle",
            "PREROUTING",
            rule(f, "-p tcp -j MARK --set-xmark 0x1/0xffffffff"),
        )
        .unwrap();
        rs.append(
            "nat",
            "POSTROUTING",
            rule(f, &format!("-s {} -j MASQUERADE", h(7))),
        )
        .unwrap();
    }
    rs.append(
        "filter",
        "INPUT",
        rule(
            Family::Ipv6,
            "-p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT",
        ),
    )
    .unwrap();
    rs
}

fn render_is_what_the_save_tools_print(backend: Backend) {
    isolate();
    let rs = many_tables();
    rs.apply(&options(backend)).unwrap();
    let how = RenderOptions {
        dialect: backend.dialect(),
        ..RenderOptions::default()
    };
    for t in rs.tables() {
        let mut one = Ruleset::new();
        one.set_table(t.clone()).unwrap();
        assert_eq!(
            one.render_with(t.family, &how),
            save(backend, t.family, &t.name, false),
            "{backend} {:?} {}",
            t.family,
            t.name
        );
    }
    if backend == Backend::Nft {
        // iptables-nft-save prints the tables in a fixed order, which the
        // rule set keeps: the whole file is the same too.
        for f in FAMILIES {
            assert_eq!(rs.render_with(f, &how), common::nft_save(f, None, false));
        }
    }
    assert!(rs.diff_live(&options(backend)).unwrap().is_empty());
    // Both families, every table, read back as they were given.
    let live = Ruleset::read(&FAMILIES, &options(backend)).unwrap();
    assert!(
        iptkit::RulesetDiff::new(&live, &rs).is_empty(),
        "{}",
        iptkit::RulesetDiff::new(&live, &rs)
    );
}

#[test]
fn legacy_render_is_what_iptables_legacy_save_prints() {
    render_is_what_the_save_tools_print(Backend::Legacy);
}

#[test]
fn nft_render_is_what_iptables_nft_save_prints() {
    render_is_what_the_save_tools_print(Backend::Nft);
}

/// Counted rules in filter of both families, set with the real
/// iptables-restore.
fn counted_filter(f: Family) -> String {
    format!(
        "*filter\n:INPUT ACCEPT [3:300]\n[5:500] -A INPUT -i lo -j ACCEPT\n\
         [7:700] -A INPUT -s {} -j DROP\nCOMMIT\n",
        common::host_saved(f, 9)
    )
}

/// A rule set whose last table (IPv6 nat) the kernel alone refuses:
/// `addrtype` limited to the input interface in POSTROUTING (xt_addrtype
/// checks the hooks), after changes to filter of both families.
fn refused_last() -> Ruleset {
    let mut rs = Ruleset::new();
    for f in FAMILIES {
        rs.append("filter", "INPUT", rule(f, "-i lo -j ACCEPT"))
            .unwrap();
        rs.append(
            "filter",
            "INPUT",
            rule(f, &format!("-s {} -j ACCEPT", common::host(f, 1))),
        )
        .unwrap();
    }
    rs.append(
        "nat",
        "POSTROUTING",
        rule(
            Family::Ipv6,
            "-m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT",
        ),
    )
    .unwrap();
    rs
}

#[test]
fn legacy_a_refused_later_table_puts_the_earlier_ones_back() {
    isolate();
    for f in FAMILIES {
        real_restore(Backend::Legacy, f, &counted_filter(f));
    }
    let before = kernel(Backend::Legacy);
    let err = refused_last().apply(&options(Backend::Legacy)).unwrap_err();
    match &err {
        Error::RolledBack {
            table, restored, ..
        } => {
            assert_eq!(table, "nat");
            // IPv4 filter, then IPv6 filter, committed and put back.
            assert_eq!(restored, &["filter", "filter"]);
        }
        e => panic!("not rolled back: {e}"),
    }
    // Counters included.
    assert_eq!(kernel(Backend::Legacy), before);
}

#[test]
fn nft_a_refused_later_table_lands_nothing() {
    isolate();
    for f in FAMILIES {
        real_restore(Backend::Nft, f, &counted_filter(f));
    }
    let before = kernel(Backend::Nft);
    assert!(refused_last().apply(&options(Backend::Nft)).is_err());
    assert_eq!(kernel(Backend::Nft), before);
}

/// What the tests of diff and reconcile want: filter of both families with
/// the loopback rule kept, the DROP gone, SSH added, INPUT's policy DROP,
/// and IPv4 raw with a rule.
fn wanted() -> Ruleset {
    let mut rs = Ruleset::new();
    for f in FAMILIES {
        rs.set_policy(f, "filter", "INPUT", Policy::Drop).unwrap();
        rs.append("filter", "INPUT", rule(f, "-i lo -j ACCEPT"))
            .unwrap();
        rs.append(
            "filter",
            "INPUT",
            rule(f, "-p tcp -m tcp --dport 22 -j ACCEPT"),
        )
        .unwrap();
    }
    rs.append(
        "raw",
        "PREROUTING",
        rule(Family::Ipv4, "-s 192.0.2.5/32 -j ACCEPT"),
    )
    .unwrap();
    rs
}

const WANTED_DIFF: &str = "# ipv4
*raw
+-A PREROUTING -s 192.0.2.5/32 -j ACCEPT
*filter
-:INPUT ACCEPT
+:INPUT DROP
--A INPUT -s 192.0.2.9/32 -j DROP
+-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
# ipv6
*filter
-:INPUT ACCEPT
+:INPUT DROP
--A INPUT -s 2001:db8::9/128 -j DROP
+-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
";

/// The handle nf_tables gave the loopback rule of INPUT.
fn loopback_handle(f: Family) -> String {
    let family = match f {
        Family::Ipv4 => "ip",
        Family::Ipv6 => "ip6",
    };
    let listing =
        text(Command::new("nft").args(["-a", "list", "chain", family, "filter", "INPUT"]));
    let line = listing
        .lines()
        .find(|l| l.contains("iifname \"lo\""))
        .unwrap_or_else(|| panic!("no loopback rule in\n{listing}"));
    line.rsplit("# handle ").next().unwrap().trim().to_string()
}

fn diff_and_reconcile(backend: Backend) {
    isolate();
    for f in FAMILIES {
        real_restore(backend, f, &counted_filter(f));
    }
    let handles: Vec<String> = match backend {
        Backend::Nft => FAMILIES.iter().map(|f| loopback_handle(*f)).collect(),
        _ => Vec::new(),
    };
    let rs = wanted();
    let o = options(backend);
    let diff = rs.diff_live(&o).unwrap();
    assert_eq!(diff.to_string(), WANTED_DIFF);
    // The loopback rule's line with its counters (ip6tables-nft-restore
    // 1.8.9 sets no rule counters: [0:0] there).
    let lo_line = |f| {
        let saved = save(backend, f, "filter", true);
        let line = saved
            .lines()
            .find(|l| l.contains("-A INPUT -i lo -j ACCEPT"));
        line.unwrap_or_else(|| panic!("{saved}")).to_string()
    };
    let lo_before: Vec<String> = FAMILIES.iter().map(|f| lo_line(*f)).collect();
    assert!(lo_before[0].starts_with("[5:500] "), "{}", lo_before[0]);
    let sent = rs.reconcile(&o).unwrap();
    assert_eq!(sent, diff);
    for (k, f) in FAMILIES.into_iter().enumerate() {
        let now = save(backend, f, "filter", true);
        // The rule that stayed kept its counters, and so did the policy.
        assert_eq!(lo_line(f), lo_before[k], "{backend}");
        assert!(now.contains(":INPUT DROP [3:300]\n"), "{backend}:\n{now}");
        assert!(!now.contains("-j DROP"), "{now}");
    }
    if backend == Backend::Nft {
        // Not sent again: the same rule in the kernel.
        let after: Vec<String> = FAMILIES.iter().map(|f| loopback_handle(*f)).collect();
        assert_eq!(after, handles);
    }
    assert!(rs.diff_live(&o).unwrap().is_empty());
    assert!(rs.reconcile(&o).unwrap().is_empty());
    // What reconcile left is what apply leaves, counters aside.
    let reconciled = kernel(backend);
    rs.apply(&o).unwrap();
    let applied = kernel(backend);
    let strip = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| match l.find("] ") {
                Some(i) if l.starts_with('[') => l[i + 2..].to_string(),
                _ => l.split(" [").next().unwrap().to_string(),
            })
            .filter(|l| !l.contains("# handle") && !l.contains("counter packets"))
            .collect()
    };
    assert_eq!(strip(&reconciled), strip(&applied));
}

#[test]
fn legacy_diff_and_reconcile_send_only_the_difference() {
    diff_and_reconcile(Backend::Legacy);
}

#[test]
fn nft_diff_and_reconcile_send_only_the_difference() {
    diff_and_reconcile(Backend::Nft);
}

#[test]
fn a_saved_file_reads_back_as_a_rule_set_equal_to_the_live_one() {
    isolate();
    for backend in [Backend::Legacy, Backend::Nft] {
        for f in FAMILIES {
            real_restore(backend, f, &counted_filter(f));
        }
        let o = options(backend);
        for f in FAMILIES {
            let saved = match backend {
                Backend::Legacy => text(Command::new(common::tool(f, "-save")).arg("-c")),
                _ => text(Command::new(common::nft_tool(f, "-save")).arg("-c")),
            };
            let file = Ruleset::parse(f, &saved, "saved").unwrap();
            let live = Ruleset::read(&[f], &o).unwrap();
            assert!(iptkit::RulesetDiff::new(&file, &live).is_empty());
        }
    }
}

/// A look at the kernel makes no table: legacy tables spring into
/// existence when first read, so those that do not exist are not read.
#[test]
fn legacy_reads_make_no_table() {
    isolate();
    let mut rs = Ruleset::new();
    rs.append("nat", "POSTROUTING", rule(Family::Ipv4, "-o lo -j ACCEPT"))
        .unwrap();
    rs.add_table(Family::Ipv6, "mangle").unwrap();
    let o = options(Backend::Legacy);
    let diff = rs.diff_live(&o).unwrap();
    assert_eq!(
        diff.to_string(),
        "# ipv4\n*nat\n+-A POSTROUTING -o lo -j ACCEPT\n"
    );
    assert!(Ruleset::read(&FAMILIES, &o).unwrap().tables().is_empty());
    for f in FAMILIES {
        let tables = iptkit::backend::existing_tables(Backend::Legacy, f).unwrap();
        assert!(tables.is_empty(), "{f:?}: {tables:?}");
    }
    // Reconciled, the table with a difference is made; the empty one is
    // not needed.
    assert_eq!(rs.reconcile(&o).unwrap(), diff);
    assert_eq!(
        iptkit::backend::existing_tables(Backend::Legacy, Family::Ipv4).unwrap(),
        ["nat"]
    );
    assert!(
        iptkit::backend::existing_tables(Backend::Legacy, Family::Ipv6)
            .unwrap()
            .is_empty()
    );
}
