//! The source of the iptables installed on this machine, which `.ci/setup`
//! fetches with `apt-get source` into `.ci/cache/iptables-src` (or set
//! `IPTKIT_IPTABLES_SRC` to another unpacked copy), and the test files in it:
//! `extensions/*.t`, in the format `iptables-test.py` reads.

#![allow(dead_code)]

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
