//! iptables' own extension tests (`extensions/*.t` in the source of the
//! iptables installed here, which `.ci/setup` fetches) against iptkit, on
//! both backends, with the expected results taken from the real tools on
//! this machine at test time (not from the files' RESULT column, which can
//! be stale for the installed version).
//!
//! For each `.t` file, family and backend, in a fresh private network
//! namespace:
//!
//! 1. the real tool (`iptables-legacy-restore` / `iptables-nft-restore
//!    --noflush`) adds each case's rule to its chain, after a marker rule
//!    (`-m comment --comment iptkit-case-N`) in the same restore, so that one
//!    `*-save` afterwards tells which lines each case made. The whole file
//!    goes in one restore; when that fails, case by case, which says which
//!    ones the tool refuses. Cases are not flushed in between, as
//!    iptables-test.py's fast mode does;
//! 2. iptkit reads those tables and must print each case's lines exactly as
//!    the real `*-save` did (the reverse direction);
//! 3. in a new namespace, iptkit adds the same cases through the library
//!    (`parse_rule_spec`, `Handle::append`, `commit`, one commit per case
//!    with its marker): a case must be refused exactly when the real tool
//!    refused it, and the real `*-save` of what iptkit wrote must equal the
//!    real tool's own lines.
//!
//! `%` lines (commands such as the rate estimators of libxt_rateest.t) run
//! at their place in both namespaces, with the backend's real tool.
//!
//! Every mismatch is reported at once (file, line, chain, family, backend,
//! real against iptkit). [`KNOWN`] lists the few deviations not fixed yet;
//! each must still deviate, so that a fix prunes the list.
//!
//! iptables' shell tests (`iptables/tests/shell/testcases`) that are
//! restore input and an expected save are replayed too: see
//! [`shell_restores`] and `support::iptables_src::restore_scripts` for what
//! runs and what is left out (printed with `--nocapture`).
//!
//! Time: the whole file (4,205 cases per backend, both backends, and the
//! shell tests) takes 36 seconds in a debug build on the 2-core machine it
//! was written on, under a load of about 6 from other builds (2026-12-03).

mod common;
mod support {
    pub mod iptables_src;
}

use std::collections::HashMap;
use std::process::Command;

use iptkit::extension::Dialect;
use iptkit::syntax::parse_rule_spec;
use iptkit::{Backend, Family, Handle, Options};
use support::iptables_src::{self, Case, RestoreStep, Step, TFile};

/// Deviations not fixed yet: (file, rule as written in the file, what
/// differs — `accepted`, `written` or `read` —, the backend it concerns or
/// `None` for both, why). Each must still deviate on every backend it names.
type Known = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);
const KNOWN: &[Known] = &[];

#[test]
fn extension_tests_on_legacy() {
    run(Backend::Legacy);
}

#[cfg(feature = "nft")]
#[test]
fn extension_tests_on_nft() {
    run(Backend::Nft);
}

#[test]
fn shell_test_restores_on_legacy() {
    shell_restores(Backend::Legacy);
}

#[cfg(feature = "nft")]
#[test]
fn shell_test_restores_on_nft() {
    shell_restores(Backend::Nft);
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Legacy => "legacy",
        _ => "nft",
    }
}

/// The real tool of the backend: `iptables-legacy`, `ip6tables-nft-save`, ...
fn tool(b: Backend, family: Family, what: &str) -> String {
    match b {
        Backend::Legacy => common::tool(family, what),
        _ => common::nft_tool(family, what),
    }
}

/// Runs a program; its stdout, or its stderr when it fails.
fn exec(program: &str, args: &[String], stdin: &str) -> Result<String, String> {
    let out = common::run_with_input(Command::new(program).args(args), stdin);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err
            .lines()
            .next()
            .unwrap_or("(nothing on stderr)")
            .to_string())
    }
}

/// `*-restore --noflush` of the backend, with `text` as input.
fn real_restore(b: Backend, family: Family, text: &str) -> Result<(), String> {
    let mut args = vec!["--noflush".to_string()];
    if b == Backend::Legacy {
        args.push("-w".into());
    }
    exec(&tool(b, family, "-restore"), &args, text).map(drop)
}

/// `*-save -t TABLE` of the backend, without its comment lines.
fn real_save(b: Backend, family: Family, table: &str) -> String {
    match b {
        Backend::Legacy => common::save(family, table, false),
        _ => common::nft_save(family, Some(table), false),
    }
}

/// Runs a `%` line of a `.t` file with the backend's real tool.
fn real_command(b: Backend, words: &[String]) {
    let family = match words[0].as_str() {
        "iptables" => Family::Ipv4,
        "ip6tables" => Family::Ipv6,
        other => panic!("a `%` command this test does not know: {other}"),
    };
    let mut args = words[1..].to_vec();
    if b == Backend::Legacy {
        args.insert(0, "-w".into());
    }
    let program = tool(b, family, "");
    if let Err(e) = exec(&program, &args, "") {
        panic!("{program} {}: {e}", args.join(" "));
    }
}

/// The marker before case `n`'s lines.
fn marker(n: usize) -> String {
    format!("-m comment --comment iptkit-case-{n}")
}

/// A word as iptables-restore reads it back.
fn restore_word(w: &str) -> String {
    if !w.is_empty() && !w.contains([' ', '\t', '"', '\'', '\\']) {
        return w.to_string();
    }
    format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The restore lines of case `n`: its marker, then its rule.
fn restore_lines(n: usize, c: &Case) -> String {
    let words: Vec<String> = c.argv.iter().map(|w| restore_word(w)).collect();
    format!(
        "-A {chain} {}\n-A {chain} {}\n",
        marker(n),
        words.join(" "),
        chain = c.chain
    )
}

/// The `-A` lines of a save, by the case whose marker they follow. Lines
/// before the first marker of their chain (a `%` command's) belong to no case.
fn by_case(lines: impl Iterator<Item = String>) -> HashMap<usize, Vec<String>> {
    let mut out: HashMap<usize, Vec<String>> = HashMap::new();
    let mut current: Option<(String, usize)> = None;
    for l in lines.filter(|l| l.starts_with("-A ")) {
        let chain = l.split(' ').nth(1).unwrap_or("").to_string();
        let marked = l
            .strip_prefix(&format!("-A {chain} -m comment --comment iptkit-case-"))
            .and_then(|n| n.parse().ok());
        if let Some(n) = marked {
            out.entry(n).or_default();
            current = Some((chain, n));
            continue;
        }
        if let Some((c, n)) = &current {
            if *c == chain {
                out.get_mut(n).unwrap().push(l);
            }
        }
    }
    out
}

fn options(b: Backend) -> Options {
    Options::default().backend(b)
}

/// What one side did with each case (by number): accepted, or refused
/// with this message; and the lines of the accepted ones.
struct Outcome {
    accepted: Vec<Result<(), String>>,
    lines: HashMap<usize, Vec<String>>,
}

/// The cases of a file, numbered, with the steps between them.
fn numbered(file: &TFile) -> Vec<(Option<usize>, &Step)> {
    let mut n = 0;
    file.steps
        .iter()
        .map(|s| match s {
            Step::Case(_) => {
                n += 1;
                (Some(n - 1), s)
            }
            Step::Command(_) => (None, s),
        })
        .collect()
}

/// Step 1: the real tool adds every case, in this thread's namespace.
fn real_tool(b: Backend, family: Family, file: &TFile) -> Outcome {
    let mut accepted = Vec::new();
    let mut batch: Vec<(usize, &Case)> = Vec::new();
    let flush = |batch: &mut Vec<(usize, &Case)>, accepted: &mut Vec<Result<(), String>>| {
        let Some((_, first)) = batch.first() else {
            return;
        };
        let block = |cases: &[(usize, &Case)]| {
            let body: String = cases.iter().map(|(n, c)| restore_lines(*n, c)).collect();
            format!("*{}\n{body}COMMIT\n", first.table)
        };
        if real_restore(b, family, &block(batch)).is_ok() {
            accepted.extend(batch.iter().map(|_| Ok(())));
        } else {
            for one in batch.iter() {
                accepted.push(real_restore(b, family, &block(std::slice::from_ref(one))));
            }
        }
        batch.clear();
    };
    for (n, step) in numbered(file) {
        match step {
            Step::Command(words) => {
                flush(&mut batch, &mut accepted);
                real_command(b, words);
            }
            Step::Case(c) => {
                if batch.first().is_some_and(|(_, f)| f.table != c.table) {
                    flush(&mut batch, &mut accepted);
                }
                batch.push((n.unwrap(), c));
            }
        }
    }
    flush(&mut batch, &mut accepted);
    Outcome {
        accepted,
        lines: saved(b, family, file),
    }
}

/// The real save of every table of the file, by case.
fn saved(b: Backend, family: Family, file: &TFile) -> HashMap<usize, Vec<String>> {
    let text: String = file
        .tables()
        .iter()
        .map(|t| real_save(b, family, t))
        .collect();
    by_case(text.lines().map(String::from))
}

/// Step 2: iptkit reads what the real tool wrote; its lines by case, or
/// why it could not read a table.
fn iptkit_read(
    b: Backend,
    family: Family,
    file: &TFile,
) -> Result<HashMap<usize, Vec<String>>, String> {
    let dialect = match b {
        Backend::Legacy => Dialect::Legacy,
        _ => Dialect::Nft,
    };
    let mut lines = Vec::new();
    for t in file.tables() {
        let mut h = Handle::open_with(family, &t, options(b)).map_err(|e| format!("*{t}: {e}"))?;
        let table = h.table().map_err(|e| format!("*{t}: {e}"))?;
        for c in &table.chains {
            lines.extend(
                c.rules
                    .iter()
                    .map(|r| r.save_line_as(&c.name, false, dialect)),
            );
        }
    }
    Ok(by_case(lines.into_iter()))
}

/// Step 3: iptkit adds every case, in this thread's namespace.
fn iptkit_write(b: Backend, family: Family, file: &TFile) -> Outcome {
    let mut handles: HashMap<String, Handle> = HashMap::new();
    let mut accepted = Vec::new();
    for (n, step) in numbered(file) {
        match step {
            Step::Command(words) => {
                real_command(b, words);
                for h in handles.values_mut() {
                    h.refresh().unwrap();
                }
            }
            Step::Case(c) => {
                let h = match handles.entry(c.table.clone()) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        match Handle::open_with(family, &c.table, options(b)) {
                            Ok(h) => v.insert(h),
                            Err(e) => {
                                accepted.push(Err(format!("opening *{}: {e}", c.table)));
                                continue;
                            }
                        }
                    }
                };
                let mark = common::rule(family, &marker(n.unwrap()));
                let res = parse_rule_spec(family, &c.argv).and_then(|(rules, _)| {
                    h.append(&c.chain, mark)?;
                    for r in rules {
                        h.append(&c.chain, r)?;
                    }
                    h.commit()
                });
                if res.is_err() {
                    h.refresh().unwrap();
                }
                accepted.push(res.map_err(|e| e.to_string()));
            }
        }
    }
    Outcome {
        accepted,
        lines: saved(b, family, file),
    }
}

/// One difference between the real tool and iptkit.
struct Miss {
    file: String,
    case: Case,
    family: Family,
    backend: Backend,
    /// `accepted`, `written` or `read`.
    what: &'static str,
    detail: String,
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {} {:?} {} `{}` {}: {}",
            self.file,
            self.case.line,
            backend_name(self.backend),
            self.family,
            self.case.chain,
            self.case.rule,
            self.what,
            self.detail
        )
    }
}

fn verdict(r: &Result<(), String>) -> String {
    match r {
        Ok(()) => "accepted".into(),
        Err(e) => format!("refused ({e})"),
    }
}

/// Steps 1 to 3 for one file and family, each side in a fresh namespace.
/// Returns how many cases the real tool accepted.
fn compare(b: Backend, family: Family, file: &TFile, misses: &mut Vec<Miss>) -> usize {
    iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET)");
    let real = real_tool(b, family, file);
    let read = iptkit_read(b, family, file);
    iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET)");
    let ours = iptkit_write(b, family, file);
    let none = Vec::new();
    for (n, c) in file.cases().enumerate() {
        let mut miss = |what, detail| {
            misses.push(Miss {
                file: file.name.clone(),
                case: c.clone(),
                family,
                backend: b,
                what,
                detail,
            })
        };
        let (want, got) = (&real.accepted[n], &ours.accepted[n]);
        if want.is_ok() != got.is_ok() {
            miss(
                "accepted",
                format!("real {}, iptkit {}", verdict(want), verdict(got)),
            );
            continue;
        }
        if want.is_err() {
            continue;
        }
        let want = real.lines.get(&n).unwrap_or(&none);
        let got = ours.lines.get(&n).unwrap_or(&none);
        if want != got {
            miss("written", format!("real {want:?}, iptkit {got:?}"));
        }
        match &read {
            Ok(lines) => {
                let got = lines.get(&n).unwrap_or(&none);
                if want != got {
                    miss("read", format!("real {want:?}, iptkit {got:?}"));
                }
            }
            Err(e) => miss("read", e.clone()),
        }
    }
    real.accepted.iter().filter(|r| r.is_ok()).count()
}

fn run(b: Backend) {
    common::isolate();
    let name = backend_name(b);
    let files = iptables_src::t_files();
    let mut misses = Vec::new();
    let (mut cases, mut accepted) = (0, 0);
    for file in &files {
        for family in file.families() {
            cases += file.cases().count();
            accepted += compare(b, family, file, &mut misses);
        }
    }
    // The known deviations of this backend: each must still deviate.
    let known: Vec<&Known> = KNOWN
        .iter()
        .filter(|k| k.3.is_none_or(|only| only == name))
        .collect();
    let is_known = |m: &Miss, k: &Known| m.file == k.0 && m.case.rule == k.1 && m.what == k.2;
    let (expected, mut report): (Vec<&Miss>, Vec<&Miss>) = misses
        .iter()
        .partition(|m| known.iter().any(|k| is_known(m, k)));
    let mut report: Vec<String> = report.drain(..).map(|m| m.to_string()).collect();
    for k in &known {
        if !misses.iter().any(|m| is_known(m, k)) {
            report.push(format!(
                "{} `{}` {}: listed as a known deviation ({}) but it no longer deviates on {name}: take it off KNOWN",
                k.0, k.1, k.2, k.4
            ));
        }
    }
    println!(
        "iptables' extension tests ({name}): {} files, {cases} cases ({accepted} accepted by the real tools), {} mismatches ({} known)",
        files.len(),
        misses.len(),
        expected.len()
    );
    assert!(
        report.is_empty(),
        "{} mismatches between the real {name} tools and iptkit:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// What a restore run did, and the whole `*-save` of its family after it
/// (with counters when the run restored them).
type After = (Result<(), String>, String);

fn counted(step: &RestoreStep) -> bool {
    step.flags.iter().any(|f| f == "-c" || f == "--counters")
}

/// The whole `*-save [-c]` of a family, without its comment lines.
fn real_save_all(b: Backend, family: Family, counters: bool) -> String {
    let args: Vec<String> = if counters { vec!["-c".into()] } else { vec![] };
    let program = tool(b, family, "-save");
    let out = exec(&program, &args, "").unwrap_or_else(|e| panic!("{program}: {e}"));
    out.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A shell test's restore runs through the real tool; with each, what
/// iptkit's `save` example tool prints of the result (the reverse
/// direction: it must be the real `*-save`).
fn real_restores(b: Backend, steps: &[RestoreStep]) -> Vec<(After, String)> {
    let save = common::example("save");
    steps
        .iter()
        .map(|s| {
            let mut args = s.flags.clone();
            if b == Backend::Legacy && !args.iter().any(|f| f == "-w") {
                args.push("-w".into());
            }
            let res = exec(&tool(b, s.family, "-restore"), &args, &s.input).map(drop);
            let saved = real_save_all(b, s.family, counted(s));
            let mut args = iptkit_args(b, s.family);
            if counted(s) {
                args.push("-c".into());
            }
            let read = exec(save.to_str().unwrap(), &args, "")
                .unwrap_or_else(|e| format!("save failed: {e}\n"))
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            ((res, saved), read)
        })
        .collect()
}

/// The options of iptkit's example tools for a backend and family.
fn iptkit_args(b: Backend, family: Family) -> Vec<String> {
    let mut args = vec!["--backend".to_string(), backend_name(b).into()];
    if family == Family::Ipv6 {
        args.push("-6".into());
    }
    args
}

/// The same runs through iptkit's `restore` example tool.
fn iptkit_restores(b: Backend, steps: &[RestoreStep]) -> Vec<After> {
    let restore = common::example("restore");
    let program = restore.to_str().unwrap();
    steps
        .iter()
        .map(|s| {
            let mut args = iptkit_args(b, s.family);
            args.extend(s.flags.iter().cloned());
            let res = exec(program, &args, &s.input).map(drop);
            (res, real_save_all(b, s.family, counted(s)))
        })
        .collect()
}

/// iptables' shell tests that are restore input and an expected save:
/// each script's restore runs, through the real tool and through iptkit's
/// `restore` example tool, each side in a fresh namespace; after every run
/// both must agree on success and leave the same `*-save`, and iptkit's
/// `save` of the real tool's result must print that `*-save` too.
fn shell_restores(b: Backend) {
    common::isolate();
    let name = backend_name(b);
    let (scripts, left_out) = iptables_src::restore_scripts();
    let mut misses = Vec::new();
    let mut runs = 0;
    for steps in &scripts {
        iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET)");
        let real = real_restores(b, steps);
        iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET)");
        let ours = iptkit_restores(b, steps);
        runs += steps.len();
        for ((s, ((want_res, want), read)), (got_res, got)) in steps.iter().zip(&real).zip(&ours) {
            if want != read {
                misses.push(format!(
                    "{} {name}: iptkit's save of the real tool's result differs\n--- real\n{want}--- iptkit\n{read}",
                    s.source
                ));
            }
            if want_res.is_ok() != got_res.is_ok() {
                misses.push(format!(
                    "{} {name}: real {}, iptkit {}",
                    s.source,
                    verdict(want_res),
                    verdict(got_res)
                ));
                break;
            }
            if want != got {
                misses.push(format!(
                    "{} {name}: the save after it differs\n--- real\n{want}--- iptkit\n{got}",
                    s.source
                ));
                break;
            }
        }
    }
    println!(
        "iptables' shell tests ({name}): {} scripts and dumps, {runs} restore runs, {} mismatches; not replayed:\n  {}",
        scripts.len(),
        misses.len(),
        left_out.join("\n  ")
    );
    assert!(
        misses.is_empty(),
        "{} shell test runs where iptkit's restore differs from the real {name} tool:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
