//! The iptables project's shell tests about restore and save semantics
//! (`iptables/tests/shell/testcases/{ipt-restore,ipt-save,chain}`), played
//! with iptkit — the `restore`/`save` examples run as a user runs them, and
//! the [`Handle`] API — and checked against the real `iptables-legacy`
//! tools run on the same input, each side in a fresh network namespace.
//! One test per shell test, named after it. Where iptkit differs on
//! purpose, the test asserts both what iptkit does and what the tool does.

mod common;
#[cfg(feature = "corpus")]
mod support {
    pub mod cases;
}

use std::process::Command;

use iptkit::{Error, Family, Handle};

// ---------------------------------------------------------------- helpers

/// What a tool run did.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Which implementation plays the input.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    /// `iptables-legacy-restore` / `-save`.
    Real,
    /// The `restore` / `save` examples.
    Ours,
}

const SIDES: [Side; 2] = [Side::Real, Side::Ours];

fn tool(family: Family, what: &str) -> String {
    match family {
        Family::Ipv4 => format!("iptables-legacy{what}"),
        Family::Ipv6 => format!("ip6tables-legacy{what}"),
    }
}

fn exec(mut cmd: Command, stdin: &str) -> Run {
    let out = common::run_with_input(&mut cmd, stdin);
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `what` ("-restore" or "-save") of one side with `args` and `stdin`.
fn run(side: Side, family: Family, what: &str, args: &[&str], stdin: &str) -> Run {
    let cmd = match side {
        Side::Real => {
            let mut c = Command::new(tool(family, what));
            c.args(args);
            c
        }
        Side::Ours => {
            let mut c = Command::new(common::example(what.trim_start_matches('-')));
            c.args(["--backend", "legacy"]);
            if family == Family::Ipv6 {
                c.arg("-6");
            }
            // The same flags as iptables-restore's (-t tests, -T names a table).
            c.args(args);
            c
        }
    };
    exec(cmd, stdin)
}

fn restore(side: Side, family: Family, args: &[&str], input: &str) -> Run {
    run(side, family, "-restore", args, input)
}

/// Runs `f` on a new thread in a fresh network namespace of its own (the
/// processes it starts live there too).
fn fresh<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            common::isolate();
            f()
        })
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Everything the kernel holds for the family, as the real
/// `iptables-legacy-save -c` prints it, without the comment lines.
fn snapshot(family: Family) -> String {
    let out = run(Side::Real, family, "-save", &["-c"], "");
    assert!(out.ok, "iptables-legacy-save failed: {}", out.stderr);
    without_comments(&out.stdout)
}

fn without_comments(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The `-A` lines of a snapshot (counters and policies left out).
fn rule_lines(snapshot: &str) -> Vec<String> {
    snapshot
        .lines()
        .filter_map(|l| {
            let l = match l.strip_prefix('[') {
                Some(rest) => rest.split_once("] ").map_or(l, |(_, r)| r),
                None => l,
            };
            l.starts_with("-A ").then(|| l.to_string())
        })
        .collect()
}

/// Plays `setup` (real restore input, with counters; may be empty), then
/// `args`/`input` through one side, in a fresh namespace: the run and what
/// the kernel holds afterwards.
fn play(side: Side, family: Family, setup: &str, args: &[&str], input: &str) -> (Run, String) {
    fresh(|| {
        if !setup.is_empty() {
            common::restore(family, setup);
        }
        let r = restore(side, family, args, input);
        (r, snapshot(family))
    })
}

/// Plays the input through both sides and asserts they agree on success
/// and on what the kernel holds; returns the kernel's state.
fn agree(family: Family, setup: &str, args: &[&str], input: &str) -> (bool, String) {
    let (real, real_state) = play(Side::Real, family, setup, args, input);
    let (ours, ours_state) = play(Side::Ours, family, setup, args, input);
    assert_eq!(
        ours.ok, real.ok,
        "restore {args:?} of\n{input}\nreal: {real:?}\nours: {ours:?}"
    );
    // Refused input: iptables-restore opened (and so created) the table
    // before it met the bad line; iptkit reads all of it before it opens
    // anything. An untouched table is the same as none.
    let (ours_cmp, real_cmp) = if real.ok {
        (ours_state.clone(), real_state)
    } else {
        (drop_pristine(&ours_state), drop_pristine(&real_state))
    };
    assert_eq!(
        ours_cmp, real_cmp,
        "restore {args:?} of\n{input}\nleft different tables (left ours, right real)"
    );
    (ours.ok, ours_state)
}

/// A snapshot without the tables that hold nothing but ACCEPT policies
/// with zero counters (as the kernel creates them).
fn drop_pristine(state: &str) -> String {
    let mut out = String::new();
    let mut block = Vec::new();
    for line in state.lines() {
        block.push(line);
        if line == "COMMIT" {
            let pristine = block[1..block.len() - 1]
                .iter()
                .all(|l| l.starts_with(':') && l.ends_with(" ACCEPT [0:0]"));
            if !pristine {
                block.iter().for_each(|l| out.push_str(&format!("{l}\n")));
            }
            block.clear();
        }
    }
    out
}

/// `agree`, and the input must be accepted.
fn agree_ok(family: Family, setup: &str, args: &[&str], input: &str) -> String {
    let (ok, state) = agree(family, setup, args, input);
    assert!(ok, "both refused\n{input}");
    state
}

fn expect_rules(state: &str, expected: &[&str]) {
    assert_eq!(rule_lines(state), expected, "in\n{state}");
}

/// A dump of the shared corpus (`dumps/`), outside this repository.
#[cfg(feature = "corpus")]
fn dump(name: &str) -> String {
    let path = support::cases::dir().join("dumps").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("dump {} is missing: {e}", path.display()))
}

/// (major, minor, patch) of the installed iptables-legacy.
fn legacy_version() -> (u32, u32, u32) {
    let out = Command::new("iptables-legacy")
        .arg("--version")
        .output()
        .expect("iptables-legacy is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix('v'))
        .unwrap_or_else(|| panic!("no version in `{text}`"));
    let n: Vec<u32> = v.split('.').filter_map(|p| p.parse().ok()).collect();
    assert!(n.len() >= 3, "odd version `{v}`");
    (n[0], n[1], n[2])
}

// ------------------------------------------------------------ ipt-restore

/// `--table=T` restores only that table of a dump holding four.
#[cfg(feature = "corpus")]
#[test]
fn ipt_restore_0001load_specific_table() {
    common::isolate();
    for family in common::FAMILIES {
        let name = match family {
            Family::Ipv4 => "restore-iptables.dump",
            Family::Ipv6 => "restore-ip6tables.dump",
        };
        let text = dump(name);
        for table in ["filter", "mangle", "raw", "nat"] {
            let arg = format!("--table={table}");
            let state = agree_ok(family, "", &[&arg], &text);
            let tables: Vec<&str> = state.lines().filter_map(|l| l.strip_prefix('*')).collect();
            assert_eq!(tables, [table], "only {table} was restored:\n{state}");
        }
    }
}

/// `iptables-save -f FILE`, then `iptables-restore FILE`, `-w 5 FILE` and
/// `-w 5 -W 1 FILE`.
#[test]
fn ipt_restore_0002_parameters() {
    common::isolate();
    let dir = std::env::temp_dir().join(format!("iptkit-0002-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let setup =
        "*filter\n:INPUT DROP [0:0]\n:x - [0:0]\n-A INPUT -i lo -j x\n-A x -j ACCEPT\nCOMMIT\n\
                 *nat\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n";
    let mut states = Vec::new();
    for side in SIDES {
        let file = dir.join(format!("{side:?}.rules"));
        let f = file.to_str().unwrap();
        states.push(fresh(|| {
            common::restore(Family::Ipv4, setup);
            let before = snapshot(Family::Ipv4);
            let saved = run(side, Family::Ipv4, "-save", &["-f", f], "");
            assert!(
                saved.ok && saved.stdout.is_empty(),
                "{side:?} save -f: {saved:?}"
            );
            let written = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                without_comments(&written),
                without_comments(&run(Side::Real, Family::Ipv4, "-save", &[], "").stdout),
                "{side:?} save -f wrote what iptables-save prints"
            );
            for args in [vec![f], vec!["-w", "5", f], vec!["-w", "5", "-W", "1", f]] {
                common::ipt(Family::Ipv4, "-F");
                let r = restore(side, Family::Ipv4, &args, "");
                assert!(r.ok, "{side:?} restore {args:?}: {r:?}");
                assert_eq!(snapshot(Family::Ipv4), before, "{side:?} restore {args:?}");
            }
            snapshot(Family::Ipv4)
        }));
    }
    assert_eq!(states[0], states[1]);
    std::fs::remove_dir_all(&dir).ok();
}

/// `-I N` between appended rules, with and without `--noflush`; `-D` by
/// spec and number, `-R`, and `-I` after them, in one block.
#[test]
fn ipt_restore_0003_restore_ordering() {
    common::isolate();
    let rule = |c: &str| format!("-A FORWARD -m comment --comment {c} -j ACCEPT");
    let steps: [(&[&str], &str, &[&str]); 5] = [
        (
            &[],
            "*filter\n-A FORWARD -m comment --comment \"appended rule\" -j ACCEPT\n\
             -I FORWARD 1 -m comment --comment \"rule 1\" -j ACCEPT\n\
             -I FORWARD 2 -m comment --comment \"rule 2\" -j ACCEPT\n\
             -I FORWARD 3 -m comment --comment \"rule 3\" -j ACCEPT\nCOMMIT\n",
            &[
                "\"rule 1\"",
                "\"rule 2\"",
                "\"rule 3\"",
                "\"appended rule\"",
            ],
        ),
        (
            &["--noflush"],
            "*filter\n-I FORWARD 1 -m comment --comment \"rule 0.5\" -j ACCEPT\n\
             -I FORWARD 3 -m comment --comment \"rule 1.5\" -j ACCEPT\n\
             -I FORWARD 5 -m comment --comment \"rule 2.5\" -j ACCEPT\n\
             -I FORWARD 7 -m comment --comment \"rule 3.5\" -j ACCEPT\n\
             -I FORWARD 9 -m comment --comment \"appended rule 2\" -j ACCEPT\nCOMMIT\n",
            &[
                "\"rule 0.5\"",
                "\"rule 1\"",
                "\"rule 1.5\"",
                "\"rule 2\"",
                "\"rule 2.5\"",
                "\"rule 3\"",
                "\"rule 3.5\"",
                "\"appended rule\"",
                "\"appended rule 2\"",
            ],
        ),
        (
            &[],
            "*filter\n-A FORWARD -m comment --comment \"appended rule 1\" -j ACCEPT\n\
             -A FORWARD -m comment --comment \"appended rule 2\" -j ACCEPT\n\
             -A FORWARD -m comment --comment \"appended rule 3\" -j ACCEPT\n\
             -I FORWARD 1 -m comment --comment \"rule 1\" -j ACCEPT\n\
             -I FORWARD 3 -m comment --comment \"rule 2\" -j ACCEPT\n\
             -I FORWARD 5 -m comment --comment \"rule 3\" -j ACCEPT\nCOMMIT\n",
            &[
                "\"rule 1\"",
                "\"appended rule 1\"",
                "\"rule 2\"",
                "\"appended rule 2\"",
                "\"rule 3\"",
                "\"appended rule 3\"",
            ],
        ),
        (
            &["--noflush"],
            "*filter\n-D FORWARD -m comment --comment \"appended rule 1\" -j ACCEPT\n\
             -D FORWARD 3\n\
             -I FORWARD 3 -m comment --comment \"manually replaced rule 2\" -j ACCEPT\nCOMMIT\n",
            &[
                "\"rule 1\"",
                "\"rule 2\"",
                "\"manually replaced rule 2\"",
                "\"rule 3\"",
                "\"appended rule 3\"",
            ],
        ),
        (
            &[],
            "*filter\n-A FORWARD -m comment --comment \"rule 1\" -j ACCEPT\n\
             -A FORWARD -m comment --comment \"rule to be replaced\" -j ACCEPT\n\
             -A FORWARD -m comment --comment \"rule 3\" -j ACCEPT\nCOMMIT\n",
            &["\"rule 1\"", "\"rule to be replaced\"", "\"rule 3\""],
        ),
    ];
    let last = "*filter\n-R FORWARD 2 -m comment --comment \"replacement\" -j ACCEPT\n\
                -I FORWARD 2 -m comment --comment \"insert referencing replaced rule\" -j ACCEPT\nCOMMIT\n";
    let mut per_side = Vec::new();
    for side in SIDES {
        per_side.push(fresh(|| {
            let mut states = Vec::new();
            for (args, input, expected) in &steps {
                let r = restore(side, Family::Ipv4, args, input);
                assert!(r.ok, "{side:?} {args:?}\n{input}\n{r:?}");
                let state = snapshot(Family::Ipv4);
                let want: Vec<String> = expected.iter().map(|c| rule(c)).collect();
                assert_eq!(rule_lines(&state), want, "{side:?} after\n{input}");
                states.push(state);
            }
            let r = restore(side, Family::Ipv4, &["--noflush"], last);
            assert!(r.ok, "{side:?}: {r:?}");
            let state = snapshot(Family::Ipv4);
            expect_rules(
                &state,
                &[
                    &rule("\"rule 1\""),
                    &rule("\"insert referencing replaced rule\""),
                    &rule("replacement"),
                    &rule("\"rule 3\""),
                ],
            );
            states.push(state);
            states
        }));
    }
    assert_eq!(per_side[0], per_side[1]);
}

/// The race test's rule set: user chains `UC-x`, rules with tcp/udp/sctp
/// ports jumping to them. (The shell test draws the sizes at random; here
/// a fixed draw of the same shape.)
fn race_rules() -> String {
    let (entries, uchains) = (7u32, 5u32);
    let mut seed = 0x2545_f491_u32;
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % n
    };
    let target = |next: &mut dyn FnMut(u32) -> u32| {
        if next(2) == 0 {
            "ACCEPT".to_string()
        } else {
            format!("UC-{:x}", next(uchains))
        }
    };
    let mut s =
        String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for i in 0..=uchains {
        s.push_str(&format!(":UC-{i:x} - [0:0]\n"));
    }
    for proto in ["tcp", "udp", "sctp"] {
        for i in 0..=entries {
            let port = 61000 - i;
            let t = target(&mut next);
            s.push_str(&format!(
                "-A INPUT -i lo -p {proto} --dport {port} -j {t}\n"
            ));
            let t = target(&mut next);
            s.push_str(&format!(
                "-A FORWARD -i lo -o lo -p {proto} --dport {port} -j {t}\n"
            ));
            let t = target(&mut next);
            s.push_str(&format!(
                "-A OUTPUT -o lo -p {proto} --dport {port} -j {t}\n"
            ));
            s.push_str(&format!("-A UC-{:x} -j ACCEPT\n", next(uchains)));
        }
    }
    s.push_str("COMMIT\n");
    s
}

/// Ten restores of the same rule set at once, waiting for the lock: all
/// succeed, and the result is the rule set, line for line as saved.
#[test]
fn ipt_restore_0004_restore_race() {
    common::isolate();
    let input = race_rules();
    let mut saved = Vec::new();
    for side in SIDES {
        saved.push(fresh(|| {
            let r = restore(side, Family::Ipv4, &["-w"], &input);
            assert!(r.ok, "{side:?}: {r:?}");
            let once = without_comments(&run(Side::Real, Family::Ipv4, "-save", &[], "").stdout);
            assert_eq!(
                once.lines().count(),
                input.lines().count(),
                "{side:?}: the saved dump has as many lines as the input"
            );
            common::ipt(Family::Ipv4, "-F");
            common::ipt(Family::Ipv4, "-X");
            let runs: Vec<Run> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..10)
                    .map(|_| s.spawn(|| restore(side, Family::Ipv4, &["-w", "15"], &once)))
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for r in &runs {
                assert!(r.ok, "{side:?}: a concurrent restore failed: {r:?}");
            }
            let after = without_comments(&run(Side::Real, Family::Ipv4, "-save", &[], "").stdout);
            assert_eq!(after, once, "{side:?}: ten restores give the rule set");
            after
        }));
    }
    assert_eq!(saved[0], saved[1]);
}

const FAMILY_LINES: &str = "*filter\n-A FORWARD -m comment --comment any -j ACCEPT\n\
                            -4 -A FORWARD -m comment --comment ipv4 -j ACCEPT\n\
                            -6 -A FORWARD -m comment --comment ipv6 -j ACCEPT\nCOMMIT\n";

/// iptables-restore skips lines marked `-6`; `-4` lines are its own.
#[test]
fn ipt_restore_0005_ipt_6() {
    common::isolate();
    let state = agree_ok(Family::Ipv4, "", &[], FAMILY_LINES);
    expect_rules(
        &state,
        &[
            "-A FORWARD -m comment --comment any -j ACCEPT",
            "-A FORWARD -m comment --comment ipv4 -j ACCEPT",
        ],
    );
    // The flag may stand anywhere a word of the rule can; a `-6` that is
    // an option's value is just a value.
    let state = agree_ok(
        Family::Ipv4,
        "",
        &[],
        "*filter\n-A INPUT -j ACCEPT -6\n-A INPUT -s ::1 -6\n-A OUTPUT -4 -j DROP\n\
         -A OUTPUT -m comment --comment -6 -j ACCEPT\nCOMMIT\n",
    );
    expect_rules(
        &state,
        &[
            "-A OUTPUT -j DROP",
            "-A OUTPUT -m comment --comment -6 -j ACCEPT",
        ],
    );
    // Options before the flag are still read.
    agree(
        Family::Ipv4,
        "",
        &[],
        "*filter\n-A INPUT --bogus -6\nCOMMIT\n",
    );
    // iptables-restore reads words up to the flag and still runs a -F/-X/-D
    // whose arguments came before it; iptkit skips the whole marked line.
    let setup = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n";
    let input = "*filter\n-F INPUT -6\nCOMMIT\n";
    let (real, real_state) = play(Side::Real, Family::Ipv4, setup, &["-n"], input);
    let (ours, ours_state) = play(Side::Ours, Family::Ipv4, setup, &["-n"], input);
    assert!(real.ok && ours.ok, "{real:?} {ours:?}");
    assert!(rule_lines(&real_state).is_empty(), "{real_state}");
    expect_rules(&ours_state, &["-A INPUT -j ACCEPT"]);
}

/// ip6tables-restore skips lines marked `-4`.
#[test]
fn ipt_restore_0006_ip6t_4() {
    common::isolate();
    let state = agree_ok(Family::Ipv6, "", &[], FAMILY_LINES);
    expect_rules(
        &state,
        &[
            "-A FORWARD -m comment --comment any -j ACCEPT",
            "-A FORWARD -m comment --comment ipv6 -j ACCEPT",
        ],
    );
    let state = agree_ok(
        Family::Ipv6,
        "",
        &[],
        "*filter\n-4 -A nosuch -j ACCEPT\n--ipv4 -N x\n-A INPUT -j ACCEPT --ipv4\n-6 -N z\nCOMMIT\n",
    );
    assert!(
        state.contains(":z - [0:0]") && !state.contains(":x "),
        "{state}"
    );
    assert!(rule_lines(&state).is_empty(), "{state}");
}

/// Restoring without --noflush flushes only the tables of the input.
#[test]
fn ipt_restore_0007_flush_noflush() {
    common::isolate();
    let nat = "*nat\n-A POSTROUTING -j ACCEPT\nCOMMIT\n";
    let state = agree_ok(Family::Ipv4, "", &[], nat);
    assert_eq!(
        state,
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
         :POSTROUTING ACCEPT [0:0]\n[0:0] -A POSTROUTING -j ACCEPT\nCOMMIT\n"
    );
    let state = agree_ok(
        Family::Ipv4,
        nat,
        &[],
        "*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n",
    );
    expect_rules(
        &state,
        &["-A FORWARD -j ACCEPT", "-A POSTROUTING -j ACCEPT"],
    );
}

/// `[p:b]` counters count only with --counters; a user chain's counters
/// never; `-c P B` in a line always. Policy counters must be well formed.
#[test]
fn ipt_restore_0008_restore_counters() {
    common::isolate();
    let input = "*filter\n:foo - [23:42]\n[13:37] -A foo -j ACCEPT\nCOMMIT\n";
    let foo = |state: &str| -> Vec<String> {
        state
            .lines()
            .filter(|l| l.contains("foo"))
            .map(String::from)
            .collect()
    };
    let state = agree_ok(Family::Ipv4, "", &[], input);
    assert_eq!(foo(&state), [":foo - [0:0]", "[0:0] -A foo -j ACCEPT"]);
    let state = agree_ok(Family::Ipv4, "", &["--counters"], input);
    assert_eq!(foo(&state), [":foo - [0:0]", "[13:37] -A foo -j ACCEPT"]);

    // `-c` in the line counts without --counters; with it, `[p:b]` and
    // `-c` together are two -c flags, refused.
    let both = "*filter\n-A INPUT -c 9 90 -j DROP\n[4:4] -I INPUT -c 8 80 -j DROP\n\
                [5:5] -P FORWARD DROP\n-P OUTPUT DROP -c 1 2\nCOMMIT\n";
    let state = agree_ok(Family::Ipv4, "", &[], both);
    assert!(
        state.contains("[8:80] -A INPUT -j DROP\n[9:90] -A INPUT -j DROP\n"),
        "{state}"
    );
    assert!(state.contains(":OUTPUT DROP [1:2]"), "{state}");
    assert!(!agree(Family::Ipv4, "", &["-c"], both).0);
    let state = agree_ok(
        Family::Ipv4,
        "",
        &["-c"],
        "*filter\n:INPUT DROP [3:4]\n[5:5] -P FORWARD DROP\n[6:6] -A INPUT -j ACCEPT\nCOMMIT\n",
    );
    assert!(
        state.contains(":INPUT DROP [3:4]\n:FORWARD DROP [5:5]\n") && state.contains("[6:6] -A"),
        "{state}"
    );
    // Commands that take no counters refuse them, in the rule or (with
    // --counters) in front of it.
    for (args, line) in [
        (&[][..], "-D INPUT -c 1 2 -j ACCEPT"),
        (&[][..], "-C INPUT -c 1 2 -j ACCEPT"),
        (&["-c"][..], "[1:2] -D INPUT -j ACCEPT"),
        (&["-c"][..], "[1:2] -N foo"),
        (&["-c"][..], "[1:2] -F"),
    ] {
        let input = format!("*filter\n-A INPUT -j ACCEPT\n{line}\nCOMMIT\n");
        assert!(!agree(Family::Ipv4, "", args, &input).0, "{line} {args:?}");
    }
    let state = agree_ok(
        Family::Ipv4,
        "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
        &["-n"],
        "*filter\n[1:2] -N foo\n[1:2] -D INPUT -j ACCEPT\nCOMMIT\n",
    );
    assert!(rule_lines(&state).is_empty() && state.contains(":foo - [0:0]"));
    // With --counters a policy line needs its counters.
    assert!(
        !agree(
            Family::Ipv4,
            "",
            &["-c"],
            "*filter\n:FORWARD ACCEPT\nCOMMIT\n"
        )
        .0
    );

    // "if present, counters must be in proper format": iptables 1.8.10 and
    // later refuse `:FORWARD ACCEPT bar`, 1.8.9 ignores the word without
    // --counters. iptkit refuses it always, changing nothing.
    let bad = "*filter\n:FORWARD DROP bar\nCOMMIT\n";
    let setup = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n";
    let (ours, ours_state) = play(Side::Ours, Family::Ipv4, setup, &[], bad);
    assert!(!ours.ok && ours.code == Some(2), "{ours:?}");
    assert!(ours.stderr.contains("bad counters `bar`"), "{ours:?}");
    expect_rules(&ours_state, &["-A INPUT -j ACCEPT"]);
    assert!(ours_state.contains(":FORWARD ACCEPT"), "{ours_state}");
    let (real, _) = play(Side::Real, Family::Ipv4, setup, &[], bad);
    let v = legacy_version();
    assert_eq!(
        real.ok,
        v < (1, 8, 10),
        "iptables-legacy {v:?}: `{}` accepted={}",
        bad.lines().nth(1).unwrap(),
        real.ok
    );
    let (real, _) = play(Side::Real, Family::Ipv4, setup, &["-c"], bad);
    assert!(!real.ok);

    // A policy line without --counters keeps the policy's counters in
    // iptkit; libiptc zeroes every policy counter on each commit.
    let setup = "*filter\n:INPUT ACCEPT [5:500]\n:OUTPUT ACCEPT [6:600]\nCOMMIT\n";
    let input = "*filter\n:INPUT DROP [1:1]\nCOMMIT\n";
    let (_, real_state) = play(Side::Real, Family::Ipv4, setup, &[], input);
    let (_, ours_state) = play(Side::Ours, Family::Ipv4, setup, &[], input);
    assert!(
        real_state.contains(":INPUT DROP [0:0]") && real_state.contains(":OUTPUT ACCEPT [0:0]")
    );
    assert!(ours_state.contains(":INPUT DROP [5:500]"), "{ours_state}");
    assert!(
        ours_state.contains(":OUTPUT ACCEPT [6:600]"),
        "{ours_state}"
    );
}

/// A `-t` in restore input is refused; the same words inside a value are not.
#[test]
fn ipt_restore_0009_table_name_comment() {
    common::isolate();
    for line in [
        "-t nat -A FORWARD -j ACCEPT",
        "-A FORWARD -t nat -j ACCEPT",
        "-A FORWARD --table nat -j ACCEPT",
    ] {
        let input = format!("*filter\n{line}\nCOMMIT\n");
        let (ok, state) = agree(Family::Ipv4, "", &[], &input);
        assert!(!ok, "{line}");
        assert!(rule_lines(&state).is_empty());
        let (ours, _) = play(Side::Ours, Family::Ipv4, "", &[], &input);
        assert!(
            ours.stderr.contains("-t") && ours.code == Some(2),
            "{ours:?}"
        );
    }
    let state = agree_ok(
        Family::Ipv4,
        "",
        &[],
        "*filter\n-A FORWARD -m comment --comment \"-t nat\" -j ACCEPT\n\
         -A FORWARD -m comment --comment -tnat -j ACCEPT\nCOMMIT\n",
    );
    assert_eq!(rule_lines(&state).len(), 2, "{state}");
}

/// `--noflush` with a new chain declared and filled.
#[test]
fn ipt_restore_0010_noflush_new_chain() {
    common::isolate();
    let input = "*filter\n:foobar - [0:0]\n-A foobar -j ACCEPT\nCOMMIT\n";
    let state = agree_ok(Family::Ipv4, "", &["--noflush"], input);
    assert!(state.contains(":foobar - [0:0]\n"), "{state}");
    expect_rules(&state, &["-A foobar -j ACCEPT"]);
    // Declared again with --noflush: the chain is flushed, in input order.
    let state = agree_ok(
        Family::Ipv4,
        input,
        &["--noflush"],
        "*filter\n:foobar - [0:0]\n-A foobar -j DROP\n:foobar - [0:0]\n-A foobar -j RETURN\n\
         :foobar - [0:0]\n-X foobar\n:foobar - [0:0]\n-A foobar -j REJECT\nCOMMIT\n",
    );
    expect_rules(
        &state,
        &["-A foobar -j REJECT --reject-with icmp-port-unreachable"],
    );
}

/// A comment and an empty line before `*filter` do not break --noflush.
#[test]
fn ipt_restore_0011_noflush_empty_line() {
    common::isolate();
    let state = agree_ok(
        Family::Ipv4,
        "*filter\n-A INPUT -j DROP\nCOMMIT\n",
        &["--noflush"],
        "# just a comment followed by innocent empty line\n\n*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n",
    );
    expect_rules(&state, &["-A INPUT -j DROP", "-A FORWARD -j ACCEPT"]);
}

/// `-F CHAIN` lines inside a restore, with and without --noflush.
#[test]
fn ipt_restore_0012_dash_f() {
    common::isolate();
    let input = "*nat\n-F PREROUTING\n-A PREROUTING -j ACCEPT\n-F PREROUTING\nCOMMIT\n";
    let setup = "*nat\n:x - [0:0]\n-A PREROUTING -j x\n-A OUTPUT -j ACCEPT\nCOMMIT\n";
    let state = agree_ok(Family::Ipv4, setup, &[], input);
    assert!(
        rule_lines(&state).is_empty() && !state.contains(":x "),
        "{state}"
    );
    let state = agree_ok(Family::Ipv4, setup, &["-n"], input);
    expect_rules(&state, &["-A OUTPUT -j ACCEPT"]);
    assert!(state.contains(":x - [0:0]"), "{state}");
}

/// `--test` reads every table and checks the lines against it, commits nothing.
#[test]
fn ipt_restore_0013_test_mode() {
    common::isolate();
    let setup = "*filter\n-A INPUT -j DROP\nCOMMIT\n";
    let state = agree_ok(
        Family::Ipv4,
        setup,
        &["--test"],
        "*nat\nCOMMIT\n*raw\nCOMMIT\n*filter\nCOMMIT\n",
    );
    expect_rules(&state, &["-A INPUT -j DROP"]);
    assert!(
        state.contains("*nat\n") && state.contains("*raw\n"),
        "{state}"
    );
    for input in [
        "*filter\n-A nosuch -j ACCEPT\nCOMMIT\n",
        "*filter\n-D INPUT 3\nCOMMIT\n",
        "*filter\n-F\n-X nosuch\nCOMMIT\n",
    ] {
        let (ok, state) = agree(Family::Ipv4, setup, &["-t"], input);
        assert!(!ok, "--test must check\n{input}");
        expect_rules(&state, &["-A INPUT -j DROP"]);
    }
}

/// `-v` names the chains flushed and deleted (the rules it echoes are
/// iptables' listing format, left out here and by iptkit).
#[test]
fn ipt_restore_0014_verbose_restore() {
    common::isolate();
    let dump = "*filter\n:foo - [0:0]\n:bar - [0:0]\n-A foo -j ACCEPT\nCOMMIT\n\
                *nat\n:natfoo - [0:0]\n:natbar - [0:0]\n-A natfoo -j ACCEPT\nCOMMIT\n\
                *raw\n:rawfoo - [0:0]\nCOMMIT\n*mangle\n:manglefoo - [0:0]\nCOMMIT\n\
                *security\n:secfoo - [0:0]\nCOMMIT\n";
    let mut expect = String::new();
    for (builtins, users) in [
        (&["INPUT", "FORWARD", "OUTPUT"][..], &["bar", "foo"][..]),
        (
            &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
            &["natbar", "natfoo"],
        ),
        (&["PREROUTING", "OUTPUT"], &["rawfoo"]),
        (
            &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
            &["manglefoo"],
        ),
        (&["INPUT", "FORWARD", "OUTPUT"], &["secfoo"]),
    ] {
        for c in builtins.iter().chain(users) {
            expect.push_str(&format!("Flushing chain `{c}'\n"));
        }
        for c in users {
            expect.push_str(&format!("Deleting chain `{c}'\n"));
        }
    }
    let noflush = "*filter\n:baz - [0:0]\n-F foo\n-X bar\n-A foo -j ACCEPT\nCOMMIT\n";
    let chains_only = |s: &str| -> String {
        s.lines()
            .filter(|l| l.ends_with("'") && l.contains(" chain `"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    for family in common::FAMILIES {
        let mut outs = Vec::new();
        for side in SIDES {
            outs.push(fresh(|| {
                assert!(restore(side, family, &[], dump).ok);
                let v = restore(side, family, &["-v"], dump);
                assert!(v.ok, "{side:?}: {v:?}");
                let n = restore(side, family, &["-v", "--noflush"], noflush);
                assert!(n.ok, "{side:?}: {n:?}");
                assert_eq!(n.stdout, "", "{side:?}: --noflush -v says nothing");
                let more = restore(
                    side,
                    family,
                    &["-v"],
                    "*filter\n:a - [0:0]\n:b - [0:0]\n-Z a\n-Z\n-F\n-X a\n-X\n-N c\nCOMMIT\n",
                );
                assert!(more.ok, "{side:?}: {more:?}");
                (
                    chains_only(&v.stdout),
                    chains_only(&more.stdout),
                    snapshot(family),
                )
            }));
        }
        assert_eq!(outs[0], outs[1], "{family:?}: -v (left real, right ours)");
        assert_eq!(outs[1].0, expect, "{family:?}");
        assert!(outs[1].1.starts_with(
            "Flushing chain `INPUT'\nFlushing chain `FORWARD'\nFlushing chain `OUTPUT'\n\
             Flushing chain `baz'\nFlushing chain `foo'\nDeleting chain `baz'\n\
             Deleting chain `foo'\nZeroing chain `a'\nZeroing chain `INPUT'\n"
        ));
    }
}

/// Two --noflush restores deleting and filling chains, ten times at once.
#[test]
fn ipt_restore_0016_concurrent_restores() {
    common::isolate();
    let mut rs = String::from(
        "*filter\n:INPUT ACCEPT [12024:3123388]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [12840:2144421]\n:FOO - [0:0]\n",
    );
    for i in 0..10 {
        rs.push_str(&format!(":BAR{i} - [0:0]\n"));
    }
    let block = |deleted: [u32; 3], jumps: &[u32]| {
        let mut s = rs.clone();
        for d in deleted {
            s.push_str(&format!("-X BAR{d}\n"));
        }
        for j in jumps {
            s.push_str(&format!("-A FOO -s 9.9.0.{j}/32 -j BAR{j}\n"));
        }
        s.push_str("COMMIT\n");
        s
    };
    let rs1 = block([3, 6, 9], &[1, 2, 4, 5, 7, 8]);
    let rs2 = block([2, 5, 7], &[1, 3, 4, 6, 8, 9]);
    // What each leaves when it runs last, by the real tool, one after the other.
    let alone = |first: &str, second: &str| {
        fresh(|| {
            for input in [first, second] {
                let r = restore(Side::Real, Family::Ipv4, &["--noflush", "-w"], input);
                assert!(r.ok, "{r:?}");
            }
            snapshot(Family::Ipv4)
        })
    };
    let rs2_last = alone(&rs1, &rs2);
    let rs1_last = alone(&rs2, &rs1);
    for side in SIDES {
        let end = fresh(|| {
            for round in 0..10 {
                let runs: Vec<Run> = std::thread::scope(|s| {
                    let a = s.spawn(|| restore(side, Family::Ipv4, &["--noflush", "-w"], &rs1));
                    let b = s.spawn(|| restore(side, Family::Ipv4, &["--noflush", "-w"], &rs2));
                    vec![a.join().unwrap(), b.join().unwrap()]
                });
                for r in runs {
                    assert!(r.ok, "{side:?} round {round}: {r:?}");
                }
            }
            snapshot(Family::Ipv4)
        });
        assert!(
            end == rs1_last || end == rs2_last,
            "{side:?}: the end state is one of the two restores':\n{end}"
        );
    }
}

/// A hundred rules of a match whose old revision the kernel lacks: restored
/// as the tool restores them (the shell test counts the tool's sockets with
/// strace, which is the tool's business).
#[test]
fn ipt_restore_0017_pointless_compat_checks() {
    common::isolate();
    let mut input = String::from("*filter\n");
    for _ in 0..100 {
        input.push_str("-A FORWARD -m conntrack --ctstate NEW\n");
    }
    input.push_str("COMMIT\n");
    let state = agree_ok(Family::Ipv4, "", &[], &input);
    let rules = rule_lines(&state);
    assert_eq!(rules.len(), 100);
    assert!(rules
        .iter()
        .all(|r| r == "-A FORWARD -m conntrack --ctstate NEW"));
}

// ---------------------------------------------------------------- ipt-save

/// Dumps restored and saved again print as they were (comments aside).
#[cfg(feature = "corpus")]
#[test]
fn ipt_save_0001load_dumps() {
    common::isolate();
    for name in ["ipt-save-filter.txt", "policy-drop.txt"] {
        let text = dump(name);
        let mut outs = Vec::new();
        for side in SIDES {
            outs.push(fresh(|| {
                let r = restore(side, Family::Ipv4, &[], &text);
                assert!(r.ok, "{side:?} {name}: {r:?}");
                let saved = run(side, Family::Ipv4, "-save", &[], "");
                assert!(saved.ok, "{side:?}: {saved:?}");
                without_comments(&saved.stdout)
            }));
        }
        assert_eq!(outs[1], without_comments(&text), "{name}");
        assert_eq!(outs[0], outs[1], "{name}");
    }
}

// ------------------------------------------------------------------- chain

fn autocommit(family: Family) -> Handle {
    let opts = common::legacy_options().autocommit(true);
    Handle::open_with(family, "filter", opts).expect("open filter")
}

/// `iptables -N c1` twice: the second fails (through the API).
#[test]
fn chain_0001duplicate_1() {
    common::isolate();
    for family in common::FAMILIES {
        let (real, real_state) = fresh(|| {
            common::ipt(family, "-t filter -N c1");
            let again = Command::new(tool(family, ""))
                .args(["-w", "-t", "filter", "-N", "c1"])
                .output()
                .unwrap();
            (again.status.success(), snapshot(family))
        });
        assert!(!real, "iptables -N c1 twice succeeded");
        let ours = fresh(|| {
            let mut h = autocommit(family);
            h.new_chain("c1").unwrap();
            let again = h.new_chain("c1");
            assert!(
                matches!(again, Err(Error::ChainExists(ref c)) if c == "c1"),
                "{again:?}"
            );
            snapshot(family)
        });
        assert_eq!(ours, real_state);
    }
}

/// `-N c1` twice in one restore: refused, nothing changed.
#[test]
fn chain_0002duplicate_0() {
    common::isolate();
    for family in common::FAMILIES {
        let setup = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n";
        let (ok, state) = agree(family, setup, &["-n"], "*filter\n-N c1\n-N c1\nCOMMIT\n");
        assert!(!ok);
        assert!(!state.contains(":c1 "), "{state}");
        // A chain declared twice, or declared after -N, without --noflush.
        for input in [
            "*filter\n:c1 - [0:0]\n:c1 - [0:0]\nCOMMIT\n",
            "*filter\n-N c1\n:c1 - [0:0]\nCOMMIT\n",
        ] {
            let (ok, state) = agree(family, setup, &[], input);
            assert!(!ok, "{input}");
            expect_rules(&state, &["-A INPUT -j ACCEPT"]);
        }
    }
}

/// `-N c1` in two restores, one after the other: the second fails.
#[test]
fn chain_0003duplicate_1() {
    common::isolate();
    for family in common::FAMILIES {
        let mut states = Vec::new();
        for side in SIDES {
            states.push(fresh(|| {
                let first = restore(side, family, &["-n"], "*filter\n-N c1\nCOMMIT\n");
                assert!(first.ok, "{side:?}: {first:?}");
                let second = restore(side, family, &["-n"], "*filter\n-N c1\nCOMMIT\n");
                assert!(!second.ok, "{side:?}: -N c1 again succeeded");
                snapshot(family)
            }));
        }
        assert_eq!(states[0], states[1]);
        assert!(states[1].contains(":c1 - [0:0]"));
    }
}

/// `-N c1`, `-N c2` in both families.
#[test]
fn chain_0004newchain_0() {
    common::isolate();
    let real = fresh(|| {
        for family in common::FAMILIES {
            common::ipt(family, "-N c1");
            common::ipt(family, "-N c2");
        }
        common::FAMILIES.map(snapshot)
    });
    let ours = fresh(|| {
        for family in common::FAMILIES {
            let mut h = autocommit(family);
            h.new_chain("c1").unwrap();
            h.new_chain("c2").unwrap();
        }
        common::FAMILIES.map(snapshot)
    });
    assert_eq!(ours, real);
    assert!(
        ours[1].contains(":c1 - [0:0]\n:c2 - [0:0]\n"),
        "{}",
        ours[1]
    );
}

/// `-N c1; -E c1 c2`.
#[test]
fn chain_0004rename_0() {
    common::isolate();
    let real = fresh(|| {
        common::ipt(Family::Ipv4, "-N c1");
        common::ipt(Family::Ipv4, "-A INPUT -j c1");
        common::ipt(Family::Ipv4, "-E c1 c2");
        snapshot(Family::Ipv4)
    });
    let ours = fresh(|| {
        let mut h = autocommit(Family::Ipv4);
        h.new_chain("c1").unwrap();
        h.append("INPUT", common::rule(Family::Ipv4, "-j c1"))
            .unwrap();
        h.rename_chain("c1", "c2").unwrap();
        snapshot(Family::Ipv4)
    });
    assert_eq!(ours, real);
    assert!(ours.contains(":c2 - [0:0]") && ours.contains("-A INPUT -j c2"));
    // The same through restore: `-E` in a block.
    agree_ok(
        Family::Ipv4,
        "",
        &["-n"],
        "*filter\n-N c1\n-A INPUT -j c1\n-E c1 c2\nCOMMIT\n",
    );
}

/// `-E c1 c2` when c2 exists fails.
#[test]
fn chain_0005rename_1() {
    common::isolate();
    let (real, real_state) = fresh(|| {
        common::ipt(Family::Ipv4, "-N c1");
        common::ipt(Family::Ipv4, "-N c2");
        let out = Command::new("iptables-legacy")
            .args(["-w", "-E", "c1", "c2"])
            .output()
            .unwrap();
        (out.status.success(), snapshot(Family::Ipv4))
    });
    assert!(!real);
    let ours = fresh(|| {
        let mut h = autocommit(Family::Ipv4);
        h.new_chain("c1").unwrap();
        h.new_chain("c2").unwrap();
        let r = h.rename_chain("c1", "c2");
        assert!(
            matches!(r, Err(Error::ChainExists(ref c)) if c == "c2"),
            "{r:?}"
        );
        snapshot(Family::Ipv4)
    });
    assert_eq!(ours, real_state);
    let (ok, _) = agree(
        Family::Ipv4,
        "",
        &["-n"],
        "*filter\n-N c1\n-N c2\n-E c1 c2\nCOMMIT\n",
    );
    assert!(!ok);
}

/// 81 chains restored, then the last by name renamed (a libiptc crash).
#[test]
fn chain_0006rename_segfault_0() {
    common::isolate();
    let names = "node-1 node-10 node-101 node-102 node-104 node-107 node-11 node-12 node-13 \
                 node-14 node-15 node-16 node-17 node-18 node-19 node-2 node-20 node-21 node-22 \
                 node-23 node-25 node-26 node-27 node-28 node-29 node-3 node-30 node-31 node-32 \
                 node-33 node-34 node-36 node-37 node-39 node-4 node-40 node-41 node-42 node-43 \
                 node-44 node-45 node-46 node-47 node-48 node-49 node-5 node-50 node-51 node-53 \
                 node-54 node-55 node-56 node-57 node-58 node-59 node-6 node-60 node-61 node-62 \
                 node-63 node-64 node-65 node-66 node-68 node-69 node-7 node-70 node-71 node-74 \
                 node-75 node-76 node-8 node-80 node-81 node-86 node-89 node-9 node-92 node-93 \
                 node-95 node-98-tmp";
    let mut input = String::from("*filter\n");
    for n in names.split_whitespace() {
        input.push_str(&format!(":{n} - [0:0]\n"));
    }
    input.push_str("COMMIT\n");
    let real = fresh(|| {
        assert!(restore(Side::Real, Family::Ipv4, &[], &input).ok);
        common::ipt(Family::Ipv4, "-E node-98-tmp node-98");
        snapshot(Family::Ipv4)
    });
    let ours = fresh(|| {
        let r = restore(Side::Ours, Family::Ipv4, &[], &input);
        assert!(r.ok, "{r:?}");
        autocommit(Family::Ipv4)
            .rename_chain("node-98-tmp", "node-98")
            .unwrap();
        snapshot(Family::Ipv4)
    });
    assert_eq!(ours, real);
    assert_eq!(ours.lines().filter(|l| l.starts_with(":node-")).count(), 81);
    assert!(ours.contains(":node-98 - [0:0]\n") && !ours.contains("node-98-tmp"));
}
