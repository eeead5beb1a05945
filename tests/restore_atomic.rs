//! `iptkit::restore::apply`: a file of several tables lands whole or not
//! at all, on both backends, checked with the real `*-save` tools; and on
//! nf_tables, tables and base chains laid out as iptables-nft-restore lays
//! them out (`nft list ruleset` compared). Each test runs in its own
//! private network namespace.

mod common;

use std::process::Command;

use common::isolate;
use iptkit::syntax::restore::{parse_with, RestoreOptions};
use iptkit::{Backend, Error, Family, Options};

fn tool(backend: Backend, what: &str) -> String {
    match backend {
        Backend::Legacy => format!("iptables-legacy{what}"),
        _ => format!("iptables-nft{what}"),
    }
}

/// Runs a tool with `text` on its standard input; its standard output, or
/// `Err` with its standard error when it fails.
fn run(program: &str, args: &[&str], text: &str) -> Result<String, String> {
    let out = common::run_with_input(Command::new(program).args(args), text);
    match out.status.success() {
        true => Ok(String::from_utf8(out.stdout).unwrap()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// `iptables-*-save -c` of every table, without its comment lines.
fn save_all(backend: Backend) -> String {
    let out = run(&tool(backend, "-save"), &["-c"], "").expect("save works");
    out.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// What the kernel holds, as iptables-save shows it and, on nf_tables, as
/// nft lists it (which shows base chains iptables-nft-save would print
/// anyway).
fn kernel(backend: Backend) -> String {
    let mut out = save_all(backend);
    if backend == Backend::Nft {
        out += &run("nft", &["list", "ruleset"], "").expect("nft works");
    }
    out
}

/// iptkit's restore of `text` with iptables-restore's `-c` when `counters`.
fn ours(backend: Backend, text: &str, opts: &RestoreOptions) -> iptkit::Result<()> {
    let blocks = parse_with(Family::Ipv4, text, opts).expect("the input parses");
    let options = Options::default().backend(backend);
    iptkit::restore::apply(Family::Ipv4, &blocks, opts, &options).map(drop)
}

/// Counted rules in filter (and nat), set with `iptables-restore -c`.
const BEFORE: &str = "*filter
:INPUT ACCEPT [3:300]
:FORWARD DROP [0:0]
[7:700] -A INPUT -s 192.0.2.9/32 -j DROP
[5:500] -A INPUT -s 192.0.2.8/32 -j ACCEPT
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
[4:400] -A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE
COMMIT
";

/// A valid filter, and a nat whose line 9 jumps to a chain that is not
/// there.
const MISSING_JUMP: &str = "*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.9/32 -j DROP
-A INPUT -s 192.0.2.1/32 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -s 192.0.2.2/32 -j ACCEPT
-A PREROUTING -s 192.0.2.3/32 -j NOPE
COMMIT
";

/// A valid filter (one rule kept, one gone, one new), and a nat with REJECT,
/// which the kernel takes in filter only.
const REJECT_IN_NAT: &str = "*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.9/32 -j DROP
-A INPUT -s 192.0.2.1/32 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -s 192.0.2.2/32 -j REJECT
COMMIT
";

/// The same valid filter, and a nat the kernel alone refuses: `addrtype`
/// limited to the input interface is not valid in PREROUTING's opposite,
/// POSTROUTING (xt_addrtype checks the hooks against its flags), which no
/// check before the commit knows.
const KERNEL_REFUSES_NAT: &str = "*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.9/32 -j DROP
-A INPUT -s 192.0.2.1/32 -j ACCEPT
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 192.0.2.2/32 -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT
COMMIT
";

fn missing_jump_changes_nothing(backend: Backend) {
    isolate();
    run(&tool(backend, "-restore"), &["-c"], BEFORE).expect("the state before");
    let before = kernel(backend);
    let err = ours(backend, MISSING_JUMP, &RestoreOptions::default()).unwrap_err();
    match &err {
        Error::InTable { table, source } if table == "nat" => match source.as_ref() {
            Error::Line { line: 9, source } => {
                assert!(
                    matches!(source.as_ref(), Error::NoSuchChain(c) if c == "NOPE"),
                    "{err}"
                )
            }
            _ => panic!("not the line of the jump: {err}"),
        },
        _ => panic!("not an error of table nat: {err}"),
    }
    assert_eq!(kernel(backend), before, "{err}");
}

#[test]
fn legacy_a_jump_to_a_missing_chain_in_nat_changes_nothing() {
    missing_jump_changes_nothing(Backend::Legacy);
}

#[cfg(feature = "nft")]
#[test]
fn nft_a_jump_to_a_missing_chain_in_nat_changes_nothing() {
    missing_jump_changes_nothing(Backend::Nft);
}

#[test]
fn legacy_a_table_that_does_not_exist_is_not_made_by_a_refused_restore() {
    isolate();
    let filter_only = BEFORE.split("*nat").next().unwrap();
    run("iptables-legacy-restore", &["-c"], filter_only).expect("the state before");
    let before = save_all(Backend::Legacy);
    assert!(!before.contains("*nat"), "{before}");
    ours(Backend::Legacy, MISSING_JUMP, &RestoreOptions::default()).unwrap_err();
    assert_eq!(save_all(Backend::Legacy), before);
}

#[test]
fn legacy_reject_in_nat_is_refused_before_anything_lands() {
    isolate();
    run("iptables-legacy-restore", &["-c"], BEFORE).expect("the state before");
    let before = save_all(Backend::Legacy);
    let err = ours(Backend::Legacy, REJECT_IN_NAT, &RestoreOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("REJECT") && !matches!(err, Error::RolledBack { .. }),
        "{err}"
    );
    assert_eq!(save_all(Backend::Legacy), before, "{err}");
}

#[test]
fn legacy_kernel_refusal_in_nat_puts_filter_back_with_its_counters() {
    isolate();
    run("iptables-legacy-restore", &["-c"], BEFORE).expect("the state before");
    let before = save_all(Backend::Legacy);
    let err = ours(
        Backend::Legacy,
        KERNEL_REFUSES_NAT,
        &RestoreOptions::default(),
    )
    .unwrap_err();
    match &err {
        Error::RolledBack {
            table,
            restored,
            source,
        } => {
            assert_eq!(table, "nat", "{err}");
            assert_eq!(restored, &["filter"], "{err}");
            // The refused rule, with the line of the input that added it.
            assert!(
                matches!(source.as_ref(), Error::Line { line: 8, source }
                    if matches!(source.as_ref(), Error::Refused { extension, .. } if extension == "addrtype")),
                "{err}"
            );
        }
        _ => panic!("not put back: {err}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("put back") && text.contains("filter"),
        "{text}"
    );
    // Rules, policies and counters as they were.
    assert_eq!(save_all(Backend::Legacy), before, "{err}");
    // And the same input with a match the kernel takes lands, both tables.
    let good = KERNEL_REFUSES_NAT.replace(" --limit-iface-in", "");
    ours(Backend::Legacy, &good, &RestoreOptions::default()).unwrap();
    let after = save_all(Backend::Legacy);
    for line in [
        "-A POSTROUTING -s 192.0.2.2/32 -m addrtype --src-type LOCAL -j ACCEPT",
        "-A INPUT -s 192.0.2.9/32 -j DROP\n[0:0] -A INPUT -s 192.0.2.1/32 -j ACCEPT",
    ] {
        assert!(after.contains(line), "{line}:\n{after}");
    }
    assert!(!after.contains("MASQUERADE"), "{after}");
}

#[cfg(feature = "nft")]
#[test]
fn nft_reject_in_nat_changes_nothing_and_filter_keeps_its_counters() {
    isolate();
    run("iptables-nft-restore", &["-c"], BEFORE).expect("the state before");
    let before = kernel(Backend::Nft);
    let err = ours(Backend::Nft, REJECT_IN_NAT, &RestoreOptions::default()).unwrap_err();
    // One batch: the kernel refused it whole, nothing to put back.
    assert!(
        !matches!(err, Error::RolledBack { .. } | Error::NotRolledBack { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("REJECT"), "{err}");
    assert_eq!(kernel(Backend::Nft), before, "{err}");
}

/// Inputs whose tables and base chains iptkit lays out as
/// iptables-nft-restore does: (what, restore options, commands before,
/// input).
#[cfg(feature = "nft")]
const LAYOUTS: &[(&str, &[&str], &str, &str)] = &[
    ("nat, one policy line", &[], "", "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"),
    (
        "nat, every policy line",
        &[],
        "",
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n",
    ),
    (
        "filter, policy lines only",
        &[],
        "",
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
    ),
    ("filter, -n", &["-n"], "", "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"),
    (
        "filter with rules in INPUT and OUTPUT, flushed, INPUT named",
        &[],
        "*filter\n-A INPUT -j ACCEPT\n-A OUTPUT -j ACCEPT\n-N foo\nCOMMIT\n",
        "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
    ),
    (
        "filter with rules, -n, INPUT named",
        &["-n"],
        "*filter\n-A INPUT -j ACCEPT\n-A OUTPUT -j ACCEPT\n-N foo\nCOMMIT\n",
        "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
    ),
    (
        "filter with rules, flushed by an empty block",
        &[],
        "*filter\n-A INPUT -j ACCEPT\n-N foo\nCOMMIT\n",
        "*filter\nCOMMIT\n",
    ),
    ("-P", &[], "", "*filter\n-P INPUT ACCEPT\nCOMMIT\n"),
    ("-F CHAIN", &[], "", "*filter\n-F INPUT\nCOMMIT\n"),
    ("a user chain only", &[], "", "*filter\n:foo - [0:0]\nCOMMIT\n"),
    (
        "mangle, raw and security, one file",
        &[],
        "",
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n*raw\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n*security\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
    ),
    ("policy counters", &["-c"], "", "*nat\n:PREROUTING ACCEPT [5:10]\nCOMMIT\n"),
];

/// In a fresh namespace of its own: `before` through iptables-nft-restore,
/// then `input` through `apply`, then what the kernel holds.
#[cfg(feature = "nft")]
fn layout_after(before: &str, args: &[&str], input: &str, apply: bool) -> String {
    let (before, input) = (before.to_string(), input.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    std::thread::spawn(move || {
        isolate();
        if !before.is_empty() {
            run("iptables-nft-restore", &[], &before).expect("the state before");
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match apply {
            false => {
                run("iptables-nft-restore", &args, &input).expect("iptables-nft-restore takes it");
            }
            true => {
                let opts = RestoreOptions {
                    noflush: args.contains(&"-n"),
                    counters: args.contains(&"-c"),
                    table: None,
                };
                ours(Backend::Nft, &input, &opts).unwrap_or_else(|e| panic!("{input}: {e}"));
            }
        }
        kernel(Backend::Nft)
    })
    .join()
    .expect("the namespace thread")
}

#[cfg(feature = "nft")]
#[test]
fn nft_tables_and_base_chains_as_iptables_nft_restore_makes_them() {
    for (what, args, before, input) in LAYOUTS {
        let theirs = layout_after(before, args, input, false);
        let ours = layout_after(before, args, input, true);
        assert_eq!(ours, theirs, "{what}:\n{input}");
    }
}

#[cfg(feature = "nft")]
#[test]
fn nft_several_tables_land_together_as_iptables_nft_restore_lands_them() {
    let input = format!("{BEFORE}*mangle\n-A OUTPUT -j MARK --set-mark 0x1\nCOMMIT\n");
    let theirs = layout_after("", &["-c"], &input, false);
    let ours = layout_after("", &["-c"], &input, true);
    assert_eq!(ours, theirs);
    assert!(
        ours.contains("MASQUERADE") && ours.contains("0x1"),
        "{ours}"
    );
}
