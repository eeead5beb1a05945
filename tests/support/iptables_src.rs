//! The source of the iptables installed on this machine, which `.ci/setup`
//! fetches with `apt-get source` into `.ci/cache/iptables-src` (or set
//! `IPTKIT_IPTABLES_SRC` to another unpacked copy), and the test files in it:
//! `extensions/*.t`, in the format `iptables-test.py` reads.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use iptkit::Family;

/// The unpacked source. A missing source fails the test: it never skips.
pub fn dir() -> PathBuf {
    let dir = match std::env::var_os("IPTKIT_IPTABLES_SRC") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/cache/iptables-src"),
    };
    assert!(
        dir.join("iptables-test.py").is_file() && dir.join("extensions").is_dir(),
        "run .ci/setup: the iptables source is missing at {}",
        dir.display()
    );
    dir
}

/// One step of a `.t` file, in order.
#[derive(Clone, Debug)]
pub enum Step {
    /// A `%` line: a command to run as it is (`%iptables -I INPUT ...`),
    /// already split into words.
    Command(Vec<String>),
    /// A case line, for one of the chains of the `:CHAIN,CHAIN` line above it.
    Case(Case),
}

/// A rule appended to a chain, as `iptables -t TABLE -A CHAIN RULE` (the
/// `.t` file's own RESULT column is not kept: the real tools on this
/// machine say what the result is).
#[derive(Clone, Debug)]
pub struct Case {
    /// The line in the file, from 1.
    pub line: usize,
    pub table: String,
    pub chain: String,
    /// The rule as written in the file.
    pub rule: String,
    /// The rule split as `/bin/sh` splits it (iptables-test.py runs it
    /// through the shell).
    pub argv: Vec<String>,
}

/// One `extensions/*.t` file.
#[derive(Clone, Debug)]
pub struct TFile {
    /// The file name, such as `libxt_tcp.t`.
    pub name: String,
    pub steps: Vec<Step>,
}

impl TFile {
    /// The families the file is run for, from its name as iptables-test.py
    /// decides: `libipt_` IPv4, `libip6t_` IPv6; `libxt_` both here
    /// (iptables-test.py runs those with `iptables` only), and anything else
    /// (`iptables.t`) IPv4.
    pub fn families(&self) -> Vec<Family> {
        if self.name.starts_with("libip6t_") {
            vec![Family::Ipv6]
        } else if self.name.starts_with("libxt_") {
            vec![Family::Ipv4, Family::Ipv6]
        } else {
            vec![Family::Ipv4]
        }
    }

    /// The cases, in order.
    pub fn cases(&self) -> impl Iterator<Item = &Case> {
        self.steps.iter().filter_map(|s| match s {
            Step::Case(c) => Some(c),
            Step::Command(_) => None,
        })
    }

    /// The tables the cases use, each once.
    pub fn tables(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.cases() {
            if !out.contains(&c.table) {
                out.push(c.table.clone());
            }
        }
        out
    }
}

/// The `.t` files iptkit can run: iptables and ip6tables ones. The
/// `libebt_*` (ebtables) and `libarpt_*` (arptables) files are out of
/// scope: iptkit handles the IPv4 and IPv6 tables only.
pub fn t_files() -> Vec<TFile> {
    let ext = dir().join("extensions");
    let mut names: Vec<String> = std::fs::read_dir(&ext)
        .unwrap_or_else(|e| panic!("reading {}: {e}", ext.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".t") && !n.starts_with("libebt_") && !n.starts_with("libarpt_"))
        .collect();
    names.sort();
    names.iter().map(|n| parse_t_file(&ext.join(n))).collect()
}

/// Reads a `.t` file as iptables-test.py does: `#` comments, `*table`,
/// `:CHAIN,CHAIN`, `%command` (run as is) and `@command` lines, and case
/// lines `RULE;RESULT;OUTPUT[;VARIANT[;ALT]]`.
///
/// `@` lines call conntrack-tools' `nfct` and `nfacct` to make timeout
/// policies, helpers and accounting objects, which this setup does not
/// install. They are left out: both sides of the comparison then see the
/// same kernel state (no such objects), so the comparison stays fair.
pub fn parse_t_file(path: &Path) -> TFile {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut table = "filter".to_string();
    let mut chains: Vec<String> = Vec::new();
    let mut steps = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        if let Some(t) = line.strip_prefix('*') {
            table = t.to_string();
        } else if let Some(c) = line.strip_prefix(':') {
            chains = c.split(',').map(String::from).collect();
        } else if let Some(cmd) = line.strip_prefix('%') {
            steps.push(Step::Command(shell_words(cmd)));
        } else {
            let rule = line.split(';').next().unwrap().to_string();
            assert!(
                !chains.is_empty(),
                "{name}:{}: a case before any :CHAIN line",
                i + 1
            );
            for chain in &chains {
                steps.push(Step::Case(Case {
                    line: i + 1,
                    table: table.clone(),
                    chain: chain.clone(),
                    argv: shell_words(&rule),
                    rule: rule.clone(),
                }));
            }
        }
    }
    TFile { name, steps }
}

/// Splits a line into words as `/bin/sh` does for plain words: white space
/// separates, `'...'` and `"..."` quote, a backslash escapes the next
/// character (no expansions: the test files have none).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref().take_while(|&c| c != '\'') {
                    w.push(c);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// One iptables-restore run of a shell test: the family, its options and
/// its input.
#[derive(Clone, Debug)]
pub struct RestoreStep {
    /// Where it is: `ipt-restore/0003-restore-ordering_0:15`, or the dump file.
    pub source: String,
    pub family: Family,
    /// The options, as the script gives them (`--noflush`, `-c`, `-w`, ...).
    pub flags: Vec<String>,
    pub input: String,
}

/// The restore runs of the shell tests (`iptables/tests/shell/testcases`)
/// that this test can replay: per script, in order, the `iptables-restore`
/// and `ip6tables-restore` runs fed a literal here-document or here-string,
/// and each `dumps/` file as a run of its own (`--counters`, as
/// ipt-save/0002load-fedora27-firewalld_0 loads them). The other lines of
/// a script (its `iptables -N ...`, its greps of the expected output) are
/// not replayed: both sides get the same restore runs and the real tool's
/// result is the expected one.
///
/// Returns the scripts' runs, and what was left out and why. The
/// arptables and ebtables scripts are out of scope (see [`t_files`]).
pub fn restore_scripts() -> (Vec<Vec<RestoreStep>>, Vec<String>) {
    let root = dir().join("iptables/tests/shell/testcases");
    let mut scripts = Vec::new();
    let mut left_out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let group = d.file_name().unwrap().to_string_lossy().into_owned();
        if group == "arptables" || group == "ebtables" {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            let name = format!("{group}/{}", f.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let steps = script_restores(&name, &text, &mut left_out);
            if !steps.is_empty() {
                scripts.push(steps);
            }
        }
        let dumps = d.join("dumps");
        if let Ok(entries) = std::fs::read_dir(&dumps) {
            let mut dumps: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
            dumps.sort();
            for f in dumps {
                let name = format!("{group}/dumps/{}", f.file_name().unwrap().to_string_lossy());
                if name.ends_with(".xml") {
                    continue; // iptables-xml output, not restore input
                }
                let v6 = name.contains("ip6");
                scripts.push(vec![RestoreStep {
                    source: name,
                    family: if v6 { Family::Ipv6 } else { Family::Ipv4 },
                    flags: vec!["--counters".into()],
                    input: std::fs::read_to_string(&f).unwrap(),
                }]);
            }
        }
    }
    (scripts, left_out)
}

/// The restore options a replayed run may carry.
const RESTORE_FLAGS: [&str; 5] = ["-w", "-n", "--noflush", "-c", "--counters"];

/// The literal restore runs of one script, in order; the others go to
/// `left_out` with the reason.
fn script_restores(name: &str, text: &str, left_out: &mut Vec<String>) -> Vec<RestoreStep> {
    let lines: Vec<&str> = text.lines().collect();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let at = format!("{name}:{}", i + 1);
        i += 1;
        // VAR="... (a literal, possibly over several lines)
        if let Some((var, rest)) = line.split_once("=\"") {
            if !var.is_empty()
                && var
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                let mut value = rest.to_string();
                while !value.ends_with('"') && i < lines.len() {
                    value.push('\n');
                    value.push_str(lines[i]);
                    i += 1;
                }
                let value = value.trim_end_matches('"');
                if !value.contains(['$', '`', '\\', '"']) {
                    vars.insert(var.to_string(), value.to_string());
                }
                continue;
            }
        }
        if !line.contains("tables-restore") || !line.contains("$XT_MULTI") {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(pos) = words.iter().position(|w| *w == "$XT_MULTI") else {
            left_out.push(format!(
                "{at}: `{}` (not a plain restore command)",
                line.trim()
            ));
            continue;
        };
        let family = match words.get(pos + 1) {
            Some(&"iptables-restore") => Family::Ipv4,
            Some(&"ip6tables-restore") => Family::Ipv6,
            _ => {
                left_out.push(format!("{at}: `{}` (the command is computed)", line.trim()));
                continue;
            }
        };
        let rest = &words[pos + 2..];
        let flags: Vec<String> = rest
            .iter()
            .take_while(|w| !w.starts_with(['<', '|', '&', ')', '>']))
            .map(|w| w.to_string())
            .collect();
        let after = &rest[flags.len()..];
        let input =
            if line.trim_start().starts_with("cat <<EOF |") || after.first() == Some(&"<<EOF") {
                let body: Vec<&str> = lines[i..]
                    .iter()
                    .take_while(|l| **l != "EOF")
                    .copied()
                    .collect();
                i += body.len() + 1;
                Some(body.iter().map(|l| format!("{l}\n")).collect::<String>())
            } else if after.first() == Some(&"<<<") {
                let var = after
                    .get(1)
                    .map(|v| v.trim_matches('"').trim_start_matches('$'));
                var.and_then(|v| vars.get(v)).map(|v| format!("{v}\n"))
            } else {
                None
            };
        let Some(input) = input else {
            let why = match line.contains("dump") {
                true => "a dumps/ file: those run on their own",
                false => "no literal input",
            };
            left_out.push(format!("{at}: `{}` ({why})", line.trim()));
            continue;
        };
        if input.contains(['$', '`']) {
            left_out.push(format!(
                "{at}: `{}` (the input has shell expansions)",
                line.trim()
            ));
            continue;
        }
        if let Some(f) = flags.iter().find(|f| !RESTORE_FLAGS.contains(&f.as_str())) {
            left_out.push(format!("{at}: `{}` (option {f})", line.trim()));
            continue;
        }
        steps.push(RestoreStep {
            source: at,
            family,
            flags,
            input,
        });
    }
    steps
}
