//! Whole iptables-restore files, and the text iptables-save prints.
//!
//! [`parse`] reads restore input into [`TableBlock`]s (one per `*table` ...
//! `COMMIT`), checking the syntax of every line; [`TableBlock::apply`] plays a
//! block onto a [`Table`] with iptables-restore's semantics; [`save_table`]
//! prints a table exactly as `iptables-save` does (without its `#` lines).
//!
//! Where this reading differs from `iptables-legacy-restore` on purpose:
//!
//! - The whole input is parsed before anything is applied, and a caller
//!   commits nothing when a line fails; iptables-restore commits each table
//!   at its `COMMIT` line, so a bad line in a later table leaves the earlier
//!   tables changed. [`crate::restore::apply`] commits a whole input all or
//!   nothing.
//! - The counters after `:CHAIN POLICY` must read `[packets:bytes]` even
//!   without `--counters`, as iptables 1.8.10 and later require (1.8.9
//!   ignores anything there).
//! - A policy line without `--counters` keeps the policy's counters: libiptc
//!   zeroes every policy counter on each commit, iptkit keeps them.
//! - A `[p:b]` prefix before a command that takes no counters (`-N`, `-D`,
//!   ...) is refused with `--counters` only when parsing with
//!   [`parse_with`]; [`parse`] reads it and [`TableBlock::apply`] ignores it.
//! - A line marked for the other family (`-6` in IPv4 input) is skipped
//!   whole. iptables-restore stops reading the line at the flag, but still
//!   runs a `-F`, `-X`, `-Z`, `-N`, `-E`, `-P` or `-D N` whose words came
//!   before it (`-F INPUT -6` flushes INPUT in iptables-restore).
//! - Options must follow the command (`-A CHAIN ...`), as iptables-save
//!   writes them; iptables also takes them before it.

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::names::parse_uint;
use crate::rule::{Counters, Rule};
use crate::ruleset::{builtin_chains, check_chain_name, Chain, Policy, Table};

use std::borrow::Cow;
use std::fmt::Write;

use super::bytes::{escape, has_bytes, unescape};
use super::getopt::{resolve, LongOption};
use super::rule::{
    family_flag, parse_rule_spec_or_skip, push_counters, write_rule_line, write_rule_line_bytes,
};
use super::words::split_words_into;
use crate::extension::{Args, Dialect};

/// How to play restore input, as iptables-restore's options say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// `-n`/`--noflush`: keep what the table holds and apply the lines on top.
    pub noflush: bool,
    /// `-c`/`--counters`: take `[p:b]` counters of rules and policies from the input.
    pub counters: bool,
    /// `-T`/`--table`: restore only this table.
    pub table: Option<String>,
}

/// `:CHAIN POLICY [p:b]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainDecl {
    /// Chain name.
    pub name: String,
    /// The policy, or `None` for `-`: a user chain, or a built-in chain
    /// whose policy stays as it is.
    pub policy: Option<Policy>,
    /// The `[p:b]` given, if any.
    pub counters: Option<Counters>,
    /// 1-based line number.
    pub line: usize,
}

/// The counters a rule or policy line gives, in its two spellings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCounters {
    /// `[packets:bytes]` in front of the line (what `iptables-save -c`
    /// prints): used only when restoring with `--counters`.
    pub prefix: Option<Counters>,
    /// `-c PACKETS BYTES` in the line: used always, as `iptables -A ... -c`.
    pub set: Option<Counters>,
}

impl LineCounters {
    /// The counters the line sets, if any. Both spellings at once are
    /// refused when the prefix counts (iptables-restore turns the prefix
    /// into a second `-c`).
    pub fn resolve(&self, restore_counters: bool) -> Result<Option<Counters>> {
        match (self.prefix.filter(|_| restore_counters), self.set) {
            (Some(_), Some(_)) => Err(Error::Syntax(
                "multiple -c flags not allowed (`[packets:bytes]` and -c)".into(),
            )),
            (prefix, set) => Ok(prefix.or(set)),
        }
    }
}

/// What `-D` deletes.
#[derive(Clone, Debug, PartialEq)]
pub enum DeleteWhat {
    /// `-D CHAIN N`: by 0-based position.
    Position(usize),
    /// `-D CHAIN SPEC`: the first rule doing the same, for each rule of the spec.
    Spec(Vec<Rule>),
}

/// One command line of restore input.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `-A CHAIN SPEC`.
    Append {
        /// Chain.
        chain: String,
        /// The rules (several when the spec has several addresses).
        rules: Vec<Rule>,
        /// Counters for every rule of the line.
        counters: LineCounters,
    },
    /// `-I CHAIN [N] SPEC`.
    Insert {
        /// Chain.
        chain: String,
        /// 0-based position.
        pos: usize,
        /// The rules.
        rules: Vec<Rule>,
        /// Counters for every rule of the line.
        counters: LineCounters,
    },
    /// `-D CHAIN (N | SPEC)`.
    Delete {
        /// Chain.
        chain: String,
        /// Which rule(s).
        what: DeleteWhat,
    },
    /// `-R CHAIN N SPEC`.
    Replace {
        /// Chain.
        chain: String,
        /// 0-based position.
        pos: usize,
        /// The new rule (boxed: a block holds a command for each line, and
        /// most are `-A`).
        rule: Box<Rule>,
        /// Counters for the new rule.
        counters: LineCounters,
    },
    /// `-C CHAIN SPEC`: fails unless such a rule exists.
    Check {
        /// Chain.
        chain: String,
        /// The rule (boxed, as for `Replace`).
        rule: Box<Rule>,
    },
    /// `-N CHAIN`.
    NewChain(String),
    /// `-X [CHAIN]`.
    DeleteChain(Option<String>),
    /// `-F [CHAIN]`.
    Flush(Option<String>),
    /// `-Z [CHAIN]`.
    Zero(Option<String>),
    /// `-P CHAIN POLICY [-c P B]`.
    Policy {
        /// A built-in chain.
        chain: String,
        /// The policy.
        policy: Policy,
        /// Counters for the policy.
        counters: LineCounters,
    },
    /// `-E OLD NEW`.
    Rename(String, String),
    /// A line marked for the other family (`-6 ...` in iptables-restore
    /// input, `-4 ...` in ip6tables-restore input): skipped, as the tools
    /// skip it, so one file can serve both.
    OtherFamily,
}

/// One `*table` ... `COMMIT` block.
#[derive(Clone, Debug, PartialEq)]
pub struct TableBlock {
    /// Table name.
    pub name: String,
    /// 1-based line of `*table`.
    pub line: usize,
    /// The `:CHAIN` lines, in order.
    pub chains: Vec<ChainDecl>,
    /// The command lines with their line numbers, in order.
    pub commands: Vec<(usize, Command)>,
}

/// Parses iptables-restore input. Every line is checked before anything is
/// applied; errors carry the 1-based line number.
///
/// ```
/// use iptkit::syntax::restore::{parse, Command};
/// use iptkit::{Error, Family, Policy};
/// let blocks = parse(Family::Ipv4, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n")?;
/// assert_eq!(blocks[0].name, "filter");
/// assert_eq!(blocks[0].chains[0].policy, Some(Policy::Drop));
/// assert!(matches!(&blocks[0].commands[0], (3, Command::Append { chain, .. }) if chain == "INPUT"));
/// let bad = parse(Family::Ipv4, "*filter\n-A INPUT --bogus\nCOMMIT\n");
/// assert!(matches!(bad, Err(Error::Line { line: 2, .. })));
/// # Ok::<(), iptkit::Error>(())
/// ```
pub fn parse(family: Family, text: &str) -> Result<Vec<TableBlock>> {
    parse_with(family, text, &RestoreOptions::default())
}

/// [`parse`] of input as iptables-restore reads it: bytes. A comment may be
/// any bytes (see [`Comment`](crate::matches::comment::Comment)); anything
/// else must be UTF-8.
pub fn parse_bytes(family: Family, input: &[u8]) -> Result<Vec<TableBlock>> {
    parse_bytes_with(family, input, &RestoreOptions::default())
}

/// [`parse_with`] of bytes, as [`parse_bytes`].
pub fn parse_bytes_with(
    family: Family,
    input: &[u8],
    opts: &RestoreOptions,
) -> Result<Vec<TableBlock>> {
    let mut blocks = Vec::new();
    each_line_bytes(family, input, opts, |line| {
        collect(&mut blocks, line);
        Ok(())
    })?;
    Ok(blocks)
}

/// Parses iptables-restore input as iptables-restore reads it with these
/// options. With `table`, only that table's blocks are returned, and the
/// lines of other tables are not read at all (a block of another table
/// only needs its `COMMIT`, or the end of the input). With `counters`, a
/// policy line needs its `[p:b]`, and a `[p:b]` prefix is refused on
/// commands that take no counters.
pub fn parse_with(family: Family, text: &str, opts: &RestoreOptions) -> Result<Vec<TableBlock>> {
    let mut blocks = Vec::new();
    each_line_of(family, text.lines().map(Ok), opts, |line| {
        collect(&mut blocks, line);
        Ok(())
    })?;
    Ok(blocks)
}

/// Adds a line to the blocks parsed so far.
fn collect(blocks: &mut Vec<TableBlock>, line: Line) {
    if let Line::Table { name, line } = line {
        blocks.push(TableBlock {
            name,
            line,
            chains: vec![],
            commands: vec![],
        });
        return;
    }
    // The parser hands out no other line outside a block.
    let Some(block) = blocks.last_mut() else {
        return;
    };
    match line {
        Line::Chain(decl) => block.chains.push(decl),
        Line::Command(n, command) => block.commands.push((n, command)),
        Line::Commit => block.commands.shrink_to_fit(),
        Line::Table { .. } => {}
    }
}

/// What a line of iptables-restore input says, as [`each_line_bytes`]
/// hands it out (comments and blank lines say nothing).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Line {
    /// `*table`, at 1-based line `line`.
    Table {
        /// The table.
        name: String,
        /// Its line.
        line: usize,
    },
    /// `:CHAIN POLICY [p:b]`.
    Chain(ChainDecl),
    /// A command, with its 1-based line.
    Command(usize, Command),
    /// `COMMIT`.
    Commit,
}

/// Parses iptables-restore input line by line, as [`parse_bytes_with`]
/// does, handing each line to `each` as soon as it is read: input played
/// as it is read is never held parsed whole. Stops at the first error, the
/// parser's (with its line) or `each`'s (as it is).
pub(crate) fn each_line_bytes(
    family: Family,
    input: &[u8],
    opts: &RestoreOptions,
    each: impl FnMut(Line) -> Result<()>,
) -> Result<()> {
    match std::str::from_utf8(input) {
        Ok(text) => each_line_of(family, text.lines().map(Ok), opts, each),
        Err(_) => {
            let lines = input.split(|&b| b == b'\n').map(|l| {
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                std::str::from_utf8(l).map_err(|_| l)
            });
            each_line_of(family, lines, opts, each)
        }
    }
}

/// [`each_line_bytes`] of the input's lines, each text or, when it is not
/// UTF-8, bytes.
fn each_line_of<'t>(
    family: Family,
    lines: impl Iterator<Item = std::result::Result<&'t str, &'t [u8]>>,
    opts: &RestoreOptions,
    mut each: impl FnMut(Line) -> Result<()>,
) -> Result<()> {
    // The block open: its table and line.
    let mut cur: Option<(String, usize)> = None;
    // A block of a table other than `opts.table` (name, line): not read.
    let mut skipped: Option<(String, usize)> = None;
    // The words of each line in turn, borrowed from `text` where they can be.
    let mut words = Vec::new();
    for (i, raw) in lines.enumerate() {
        let n = i + 1;
        // A line that is not UTF-8, as text standing for its bytes.
        let escaped = raw.err().map(escape);
        let text_line = raw.unwrap_or_default().trim();
        let line = escaped.as_deref().map_or(text_line, str::trim);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let res = (|| -> Result<Option<Line>> {
            if escaped.is_some() && line.starts_with(['*', ':']) {
                return Err(Error::Syntax(
                    "the line is not valid UTF-8 (only a comment may be)".into(),
                ));
            }
            if let Some(name) = line.strip_prefix('*') {
                if let Some((open, at)) = cur.as_ref().or(skipped.as_ref()) {
                    return Err(Error::Syntax(format!(
                        "table `{open}` (line {at}) has no COMMIT"
                    )));
                }
                let name = name.trim();
                if opts.table.as_deref().is_some_and(|t| t != name) {
                    skipped = Some((name.to_string(), n));
                    return Ok(None);
                }
                if builtin_chains(name).is_none() {
                    return Err(Error::NoSuchTable(name.to_string()));
                }
                cur = Some((name.to_string(), n));
                return Ok(Some(Line::Table {
                    name: name.into(),
                    line: n,
                }));
            }
            if skipped.is_some() {
                if line == "COMMIT" {
                    skipped = None;
                }
                return Ok(None);
            }
            let Some((table, _)) = cur.as_ref() else {
                return Err(Error::Syntax("no table specified (a `*table` line)".into()));
            };
            if line == "COMMIT" {
                cur = None;
                return Ok(Some(Line::Commit));
            }
            if let Some(decl) = line.strip_prefix(':') {
                let decl = parse_chain_decl(table, decl, n)?;
                check_policy_counters(&decl, opts.counters)?;
                return Ok(Some(Line::Chain(decl)));
            }
            let command = match &escaped {
                None => parse_line(family, text_line, opts.counters, &mut words, false)?,
                Some(_) => parse_line(family, line, opts.counters, &mut Vec::new(), true)?,
            };
            Ok(Some(Line::Command(n, command)))
        })();
        // Errors of `each` are its own: only the parser's get this line.
        if let Some(line) = res.map_err(|e| e.at_line(n))? {
            each(line)?;
        }
    }
    if let Some((table, line)) = cur {
        return Err(Error::Syntax(format!(
            "COMMIT expected for table `{table}` (line {line})"
        )));
    }
    Ok(())
}

fn parse_counters(s: &str) -> Result<Counters> {
    let bad = || Error::Syntax(format!("bad counters `{s}`, expected [packets:bytes]"));
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(bad)?;
    let (p, b) = inner.split_once(':').ok_or_else(bad)?;
    Ok(Counters::new(
        parse_uint(p).ok_or_else(bad)?,
        parse_uint(b).ok_or_else(bad)?,
    ))
}

fn parse_chain_decl(table: &str, decl: &str, line: usize) -> Result<ChainDecl> {
    let words: Vec<&str> = decl.split_whitespace().collect();
    let name = *words
        .first()
        .ok_or_else(|| Error::Syntax("`:` without a chain name".into()))?;
    let builtin = builtin_chains(table).is_some_and(|b| b.contains(&name));
    if !builtin {
        check_chain_name(name)?;
    }
    let policy = match words.get(1).copied() {
        None => return Err(Error::Syntax(format!("chain `{name}` has no policy"))),
        // On a built-in chain `-` leaves the policy as it is (both
        // iptables-restore and iptables-nft-restore take it).
        Some("-") => None,
        Some(p) if builtin => Some(p.parse::<Policy>()?),
        Some(p) => {
            return Err(Error::Syntax(format!(
                "user chain `{name}` can't have policy `{p}`"
            )))
        }
    };
    let counters = words.get(2).map(|c| parse_counters(c)).transpose()?;
    Ok(ChainDecl {
        name: name.to_string(),
        policy,
        counters,
        line,
    })
}

/// With `--counters`, a policy line must give its counters.
fn check_policy_counters(decl: &ChainDecl, restore_counters: bool) -> Result<()> {
    if restore_counters && decl.policy.is_some() && decl.counters.is_none() {
        return Err(Error::Syntax(format!(
            "invalid policy counters for chain `{}` (restoring with counters needs [packets:bytes])",
            decl.name
        )));
    }
    Ok(())
}

/// Parses one command line (`[p:b] -A CHAIN SPEC`, `-N CHAIN`, ...).
pub fn parse_command(family: Family, line: &str) -> Result<Command> {
    parse_line(family, line, false, &mut Vec::new(), false)
}

/// One command line; `restore_counters` refuses a `[p:b]` prefix on commands
/// that take no counters, as iptables-restore `--counters` does. `words`
/// is room for the line's words, reused from line to line. `bytes` when the
/// line was not UTF-8 and stands for bytes ([`super::bytes`]): only a
/// comment may hold them.
fn parse_line<'t>(
    family: Family,
    line: &'t str,
    restore_counters: bool,
    words: &mut Vec<Cow<'t, str>>,
    bytes: bool,
) -> Result<Command> {
    split_words_into(line, words)?;
    let mut words = &words[..];
    // `[p:b]` in front of a rule: counters, used when restoring with -c.
    let mut prefix = None;
    if let Some((first, rest)) = words.split_first() {
        if first.starts_with('[') {
            prefix = Some(parse_counters(first)?);
            words = rest;
        }
    }
    while let Some(f) = words.first().and_then(|w| family_flag(w)) {
        if f != family {
            return Ok(Command::OtherFamily);
        }
        words = &words[1..];
    }
    let Some((cmd, words)) = words.split_first() else {
        return Err(Error::Syntax("no command specified".into()));
    };
    // A long command may be abbreviated as getopt allows (`--app`).
    let cmd: &str = match cmd
        .strip_prefix("--")
        .and_then(|l| resolve(family, l, 0, |_| &[]))
    {
        Some(LongOption::Main(short)) => short,
        _ => cmd,
    };
    let no_counters = |set: Option<Counters>| -> Result<()> {
        if set.is_some() || (restore_counters && prefix.is_some()) {
            return Err(Error::Syntax(format!(
                "counters (-c or [packets:bytes]) are not allowed with {cmd}"
            )));
        }
        Ok(())
    };
    let spec = |words| parse_rule_spec_or_skip(family, Args::split(words, bytes));
    let (chain, rest) = match words.split_first() {
        Some((c, r)) => (c.as_ref(), r),
        None => ("", &[][..]),
    };
    // Names are text: of a line that is not UTF-8, only a comment may be
    // bytes, and the values of a rule are checked as they are read
    // (`Args::value`).
    let text = |w: &str| -> Result<()> {
        if bytes && has_bytes(w) {
            return Err(Error::Syntax(format!(
                "`{}` is not valid UTF-8 (only a comment may be)",
                String::from_utf8_lossy(&unescape(w))
            )));
        }
        Ok(())
    };
    text(chain)?;
    let chain = || chain.to_string();
    let need_chain = |what: &str| -> Result<()> {
        if words.is_empty() {
            return Err(Error::MissingValue(format!("{cmd} {what}")));
        }
        Ok(())
    };
    let command = match cmd {
        "-A" => {
            need_chain("CHAIN")?;
            let Some((rules, set)) = spec(rest)? else {
                return Ok(Command::OtherFamily);
            };
            line_counters(prefix, set, restore_counters).map(|counters| Command::Append {
                chain: chain(),
                rules,
                counters,
            })?
        }
        "-I" => {
            need_chain("CHAIN")?;
            let (pos, rest) = match rest.first().and_then(|w| parse_uint(w)) {
                Some(n) => (rule_index(n)?, &rest[1..]),
                None => (0, rest),
            };
            let Some((rules, set)) = spec(rest)? else {
                return Ok(Command::OtherFamily);
            };
            let counters = line_counters(prefix, set, restore_counters)?;
            Command::Insert {
                chain: chain(),
                pos,
                rules,
                counters,
            }
        }
        "-D" => {
            need_chain("CHAIN")?;
            match rest.first().and_then(|w| parse_uint(w)) {
                Some(n) => {
                    let Some(extra) = plain_args(family, &rest[1..]) else {
                        return Ok(Command::OtherFamily);
                    };
                    if let Some(w) = extra.first() {
                        return Err(Error::Syntax(format!(
                            "unexpected `{w}` after -D {} {n}",
                            chain()
                        )));
                    }
                    no_counters(None)?;
                    Command::Delete {
                        chain: chain(),
                        what: DeleteWhat::Position(rule_index(n)?),
                    }
                }
                None => {
                    let Some((rules, set)) = spec(rest)? else {
                        return Ok(Command::OtherFamily);
                    };
                    no_counters(set)?;
                    Command::Delete {
                        chain: chain(),
                        what: DeleteWhat::Spec(rules),
                    }
                }
            }
        }
        "-R" => {
            need_chain("CHAIN")?;
            let (n, rest) = rest
                .split_first()
                .ok_or_else(|| Error::MissingValue(format!("{cmd} RULENUM")))?;
            let pos = rule_index(
                parse_uint(n).ok_or_else(|| Error::value("-R", n.as_ref(), "not a rule number"))?,
            )?;
            let Some((rules, set)) = spec(rest)? else {
                return Ok(Command::OtherFamily);
            };
            let counters = line_counters(prefix, set, restore_counters)?;
            Command::Replace {
                chain: chain(),
                pos,
                rule: single(rules, "-R")?,
                counters,
            }
        }
        "-C" => {
            need_chain("CHAIN")?;
            let Some((rules, set)) = spec(rest)? else {
                return Ok(Command::OtherFamily);
            };
            no_counters(set)?;
            Command::Check {
                chain: chain(),
                rule: single(rules, "-C")?,
            }
        }
        "-t" => {
            return Err(Error::Syntax(
                "the -t option cannot be used in restore input".into(),
            ))
        }
        _ => {
            // Commands without a rule spec: their words are plain names.
            let Some(args) = plain_args(family, words) else {
                return Ok(Command::OtherFamily);
            };
            args.iter().try_for_each(|w| text(w))?;
            return plain_command(cmd, &args, prefix, restore_counters);
        }
    };
    Ok(command)
}

fn plain_command(
    cmd: &str,
    args: &[&str],
    prefix: Option<Counters>,
    restore_counters: bool,
) -> Result<Command> {
    let unexpected = |w: &str| Error::Syntax(format!("unexpected `{w}` after {cmd}"));
    let missing = |what: &str| Error::MissingValue(format!("{cmd} {what}"));
    let at_most_one = || -> Result<Option<String>> {
        match args {
            [] => Ok(None),
            [c] => Ok(Some(c.to_string())),
            [_, w, ..] => Err(unexpected(w)),
        }
    };
    if cmd != "-P" && cmd != "--policy" && restore_counters && prefix.is_some() {
        return Err(Error::Syntax(format!(
            "counters (-c or [packets:bytes]) are not allowed with {cmd}"
        )));
    }
    Ok(match cmd {
        "-N" => match args {
            [c] => Command::NewChain(c.to_string()),
            [] => return Err(missing("CHAIN")),
            [_, w, ..] => return Err(unexpected(w)),
        },
        "-X" => Command::DeleteChain(at_most_one()?),
        "-F" => Command::Flush(at_most_one()?),
        "-Z" => Command::Zero(at_most_one()?),
        "-P" => {
            let (chain, policy, set) = match args {
                [c, p] => (c, p, None),
                [c, p, flag, pkts, bytes] if *flag == "-c" || *flag == "--set-counters" => {
                    let num = |s: &str, what: &str| {
                        parse_uint(s).ok_or_else(|| {
                            Error::Syntax(format!("-c {what} counter `{s}` not numeric"))
                        })
                    };
                    (
                        c,
                        p,
                        Some(Counters::new(num(pkts, "packet")?, num(bytes, "byte")?)),
                    )
                }
                [] => return Err(missing("CHAIN")),
                [_] => return Err(missing("POLICY")),
                [_, _, w, ..] => return Err(unexpected(w)),
            };
            Command::Policy {
                chain: chain.to_string(),
                policy: policy.parse()?,
                counters: line_counters(prefix, set, restore_counters)?,
            }
        }
        "-E" => match args {
            [old, new] => Command::Rename(old.to_string(), new.to_string()),
            [] => return Err(missing("OLD")),
            [_] => return Err(missing("NEW")),
            [_, _, w, ..] => return Err(unexpected(w)),
        },
        other => return Err(Error::Syntax(format!("unknown command `{other}`"))),
    })
}

/// The words of a command without a rule spec, `-4`/`-6` of the family
/// dropped; `None` when the other family's flag is among them.
fn plain_args<'a>(family: Family, words: &'a [Cow<str>]) -> Option<Vec<&'a str>> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match family_flag(w) {
            Some(f) if f == family => {}
            Some(_) => return None,
            None => out.push(w.as_ref()),
        }
    }
    Some(out)
}

fn line_counters(
    prefix: Option<Counters>,
    set: Option<Counters>,
    restore_counters: bool,
) -> Result<LineCounters> {
    let counters = LineCounters { prefix, set };
    counters.resolve(restore_counters)?;
    Ok(counters)
}

fn rule_index(n: u64) -> Result<usize> {
    if n == 0 {
        return Err(Error::value("rule number", "0", "rule numbers start at 1"));
    }
    usize::try_from(n - 1).map_err(|_| Error::value("rule number", n.to_string(), "too large"))
}

fn single(mut rules: Vec<Rule>, cmd: &str) -> Result<Box<Rule>> {
    if rules.len() != 1 {
        return Err(Error::rule(
            cmd,
            "the rule must name a single source and destination address",
        ));
    }
    Ok(Box::new(rules.remove(0)))
}

impl TableBlock {
    /// Plays the block onto `table` as iptables-restore does: without
    /// `noflush` the table is cleared first (user chains go, policies
    /// stay); then the `:` lines and the commands run in the order of the
    /// input. A `:` line sets a built-in chain's policy (`-` leaves it), or creates a user
    /// chain; with `noflush` it flushes a user chain that exists already,
    /// without it an existing chain is an error (declared twice, or made by
    /// `-N` earlier). `[p:b]` counters count only with `opts.counters`,
    /// `-c P B` always. Errors carry the line number; on error `table` may
    /// be half-changed, so apply to a copy (the API's transactions do).
    ///
    /// ```
    /// use iptkit::syntax::restore::{parse, RestoreOptions};
    /// use iptkit::{Family, Table};
    /// let mut t = Table::new(Family::Ipv4, "filter")?;
    /// let blocks = parse(Family::Ipv4, "*filter\n:ssh - [0:0]\n-A INPUT -j ssh\nCOMMIT\n")?;
    /// blocks[0].apply(&mut t, &RestoreOptions::default())?;
    /// assert_eq!(t.chain("INPUT").unwrap().rules[0].to_string(), "-j ssh");
    /// // --noflush: on top of what the table holds.
    /// let more = parse(Family::Ipv4, "*filter\n-A INPUT -j DROP\nCOMMIT\n")?;
    /// more[0].apply(&mut t, &RestoreOptions { noflush: true, ..RestoreOptions::default() })?;
    /// assert_eq!(t.chain("INPUT").unwrap().rules.len(), 2);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn apply(&self, table: &mut Table, opts: &RestoreOptions) -> Result<()> {
        let mut play = Play::begin(table, opts);
        for line in self.lines() {
            play.line(table, line)?;
        }
        play.finish(table)
    }

    /// The block's `:` lines and commands, in input order, as the parser
    /// handed them out.
    pub(crate) fn lines(&self) -> impl Iterator<Item = Line> + '_ {
        let mut decls = self.chains.iter().peekable();
        let mut commands = self.commands.iter().peekable();
        std::iter::from_fn(move || {
            let decl_first = match (decls.peek(), commands.peek()) {
                (Some(d), Some((line, _))) => d.line < *line,
                (d, _) => d.is_some(),
            };
            match decl_first {
                true => decls.next().cloned().map(Line::Chain),
                false => commands
                    .next()
                    .map(|(line, cmd)| Line::Command(*line, cmd.clone())),
            }
        })
    }
}

/// Plays the lines of one block onto a table as they come, as
/// [`TableBlock::apply`] plays a whole block: begun at `*table`
/// ([`Play::begin`]), then each `:` line and command ([`Play::line`]),
/// ended at `COMMIT` ([`Play::finish`]). A run of `-D CHAIN SPEC` lines on
/// one chain waits, to go in one pass ([`Table::delete_rules`]): 1,000 of
/// them on a 10,000-rule chain would search and shift it 1,000 times.
#[derive(Debug)]
pub(crate) struct Play {
    noflush: bool,
    counters: bool,
    /// The run of `-D CHAIN SPEC` lines waiting: the chain, and each rule
    /// with its line.
    deletes: Option<(String, Vec<(usize, Rule)>)>,
}

impl Play {
    /// Begins a block: without `noflush` the table is cleared.
    pub fn begin(table: &mut Table, opts: &RestoreOptions) -> Play {
        if !opts.noflush {
            table.clear();
        }
        Play {
            noflush: opts.noflush,
            counters: opts.counters,
            deletes: None,
        }
    }

    /// Plays a `:` line or a command (the other lines are the caller's).
    pub fn line(&mut self, table: &mut Table, line: Line) -> Result<()> {
        match line {
            Line::Command(
                n,
                Command::Delete {
                    chain,
                    what: DeleteWhat::Spec(rules),
                },
            ) => {
                if self.deletes.as_ref().is_some_and(|(c, _)| *c != chain) {
                    self.flush(table)?;
                }
                let (_, run) = self.deletes.get_or_insert_with(|| (chain, Vec::new()));
                run.extend(rules.into_iter().map(|r| (n, r)));
                Ok(())
            }
            Line::Command(n, cmd) => {
                self.flush(table)?;
                play_command(table, cmd, self.counters).map_err(|e| e.at_line(n))
            }
            Line::Chain(d) => {
                self.flush(table)?;
                declare(table, &d, self.noflush, self.counters).map_err(|e| e.at_line(d.line))
            }
            Line::Table { .. } | Line::Commit => Ok(()),
        }
    }

    /// Ends the block.
    pub fn finish(mut self, table: &mut Table) -> Result<()> {
        self.flush(table)
    }

    /// Plays the run of `-D` lines waiting, if any; an error names the
    /// line of the rule with no match.
    fn flush(&mut self, table: &mut Table) -> Result<()> {
        let Some((chain, run)) = self.deletes.take() else {
            return Ok(());
        };
        if let [(line, rule)] = &run[..] {
            return table
                .delete_rule(&chain, rule)
                .map_err(|e| e.at_line(*line));
        }
        let rules: Vec<&Rule> = run.iter().map(|(_, r)| r).collect();
        table
            .delete_rules(&chain, &rules)
            .map_err(|(i, e)| e.at_line(run.get(i).map_or(0, |(line, _)| *line)))
    }
}

/// Plays one `:CHAIN POLICY [p:b]` line (`noflush` and `counters` as in
/// [`RestoreOptions`]).
fn declare(table: &mut Table, d: &ChainDecl, noflush: bool, counters: bool) -> Result<()> {
    match d.policy {
        Some(p) => {
            check_policy_counters(d, counters)?;
            table.set_policy(&d.name, p)?;
            if let (true, Some(c)) = (counters, d.counters) {
                table.get_mut(&d.name)?.counters = c;
            }
            Ok(())
        }
        None if builtin_chains(&table.name).is_some_and(|b| b.contains(&d.name.as_str())) => Ok(()),
        None if noflush && table.chain(&d.name).is_some() => table.flush(&d.name),
        None => table.new_chain(&d.name),
    }
}

/// Runs one command on a table. `keep_counters` is restore's `--counters`:
/// a line's `[p:b]` counts only with it; without it, rules of a line that
/// gives no `-c` start from zero.
pub fn apply_command(table: &mut Table, cmd: &Command, keep_counters: bool) -> Result<()> {
    play_command(table, cmd.clone(), keep_counters)
}

/// [`apply_command`] of a command given up: its rules go into the table
/// as they are.
fn play_command(table: &mut Table, cmd: Command, keep_counters: bool) -> Result<()> {
    // A line's rule for the table, with the counters it starts from.
    let counted = |mut r: Rule, given: Option<Counters>| -> Rule {
        r.counters = match given {
            Some(c) => c,
            None if keep_counters => r.counters,
            None => Counters::default(),
        };
        r
    };
    match cmd {
        Command::Append {
            chain,
            rules,
            counters,
        } => {
            let given = counters.resolve(keep_counters)?;
            for r in rules {
                table.append(&chain, counted(r, given))?;
            }
        }
        Command::Insert {
            chain,
            pos,
            rules,
            counters,
        } => {
            let given = counters.resolve(keep_counters)?;
            for r in rules {
                table.insert(&chain, pos, counted(r, given))?;
            }
        }
        Command::Delete {
            chain,
            what: DeleteWhat::Position(p),
        } => {
            table.delete(&chain, p)?;
        }
        Command::Delete {
            chain,
            what: DeleteWhat::Spec(rules),
        } => {
            for r in &rules {
                table.delete_rule(&chain, r)?;
            }
        }
        Command::Replace {
            chain,
            pos,
            rule,
            counters,
        } => {
            let given = counters.resolve(keep_counters)?;
            table.replace(&chain, pos, counted(*rule, given))?
        }
        Command::Check { chain, rule } => {
            if !table.contains_rule(&chain, &rule)? {
                return Err(Error::NoSuchRule {
                    chain,
                    what: format!("no rule `{rule}`"),
                });
            }
        }
        Command::NewChain(c) => table.new_chain(&c)?,
        Command::DeleteChain(Some(c)) => table.delete_chain(&c)?,
        Command::DeleteChain(None) => {
            table.delete_user_chains()?;
        }
        Command::Flush(Some(c)) => table.flush(&c)?,
        Command::Flush(None) => table.flush_all(),
        Command::Zero(Some(c)) => table.zero(&c)?,
        Command::Zero(None) => table.zero_all(),
        Command::Policy {
            chain,
            policy,
            counters,
        } => {
            let given = counters.resolve(keep_counters)?;
            table.set_policy(&chain, policy)?;
            if let Some(c) = given {
                table.get_mut(&chain)?.counters = c;
            }
        }
        Command::Rename(o, n) => table.rename_chain(&o, &n)?,
        Command::OtherFamily => {}
    }
    Ok(())
}

/// The table as iptables-save prints it, from `*table` to `COMMIT` (the
/// `# Generated`/`# Completed` comment lines are the caller's): policies always
/// with their counters, rules with `[p:b]` in front when `counters` is set.
///
/// ```
/// use iptkit::syntax::restore::save_table;
/// use iptkit::{Family, Rule, Table};
/// let mut t = Table::new(Family::Ipv4, "raw")?;
/// t.append("OUTPUT", Rule::parse(Family::Ipv4, "-o lo -j ACCEPT -c 3 180")?)?;
/// assert_eq!(
///     save_table(&t, true),
///     "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[3:180] -A OUTPUT -o lo -j ACCEPT\nCOMMIT\n"
/// );
/// assert!(!save_table(&t, false).contains("[3:180]"));
/// # Ok::<(), iptkit::Error>(())
/// ```
pub fn save_table(table: &Table, counters: bool) -> String {
    save_table_as(table, counters, Dialect::Legacy)
}

/// [`save_table`] as the given tool prints it (iptables-legacy-save or
/// iptables-nft-save).
pub fn save_table_as(table: &Table, counters: bool, dialect: Dialect) -> String {
    write_table(table, |out, r, chain| {
        write_rule_line(out, r, chain, counters, dialect)
    })
}

/// [`save_table`] byte for byte: a comment that is not UTF-8 keeps its
/// bytes (a `String` cannot hold them, see
/// [`Comment`](crate::matches::comment::Comment)).
pub fn save_table_bytes(table: &Table, counters: bool) -> Vec<u8> {
    save_table_bytes_as(table, counters, Dialect::Legacy)
}

/// [`save_table_bytes`] as the given tool prints it. A table holding a
/// [`ForeignRule`](crate::rule::ForeignRule) is printed by iptables-nft-save
/// as one comment line saying it is incompatible, and so here.
pub fn save_table_bytes_as(table: &Table, counters: bool, dialect: Dialect) -> Vec<u8> {
    if dialect == Dialect::Nft
        && table
            .chains
            .iter()
            .any(|c| c.rules.iter().any(|r| r.foreign.is_some()))
    {
        // As iptables-nft-save: nothing of a table it cannot print whole.
        return format!(
            "# Table `{}' is incompatible, use 'nft' tool.\n",
            table.name
        )
        .into_bytes();
    }
    let rules = table.chains.iter().map(|c| c.rules.len()).sum();
    let mut out = SaveText::new(&table.name, &table.chains, rules, counters, dialect);
    for c in &table.chains {
        for r in &c.rules {
            out.rule(r, &c.name);
        }
    }
    out.finish()
}

/// The text [`save_table_bytes_as`] prints, written a piece at a time: the
/// head (`*table` and the chain lines) first, then each rule line, chain
/// by chain in the order of the head. A reader that prints each rule as it
/// decodes it (a save) writes the same bytes without ever holding the
/// table's rules.
pub(crate) struct SaveText {
    /// Everything before `text`: the lines up to a comment that is not
    /// UTF-8, with that comment (see [`write_rule_line_bytes`]).
    bytes: Vec<u8>,
    /// The text since.
    text: String,
    counters: bool,
    dialect: Dialect,
}

impl SaveText {
    /// Writes the head of `table` with the chain lines of `chains` (their
    /// rules are not printed: see [`SaveText::rule`]), with room for about
    /// `rules` rule lines.
    pub(crate) fn new(
        table: &str,
        chains: &[Chain],
        rules: usize,
        counters: bool,
        dialect: Dialect,
    ) -> SaveText {
        // Room for lines of the usual length, so that most tables print
        // without growing the String.
        let mut text = String::with_capacity(32 * (2 + chains.len()) + 64 * rules);
        write_head(&mut text, table, chains);
        SaveText {
            bytes: Vec::new(),
            text,
            counters,
            dialect,
        }
    }

    /// No head: rule lines alone, to be added to a [`SaveText::new`] with
    /// [`SaveText::extend`] (a reader that gets rules in another order
    /// than the chains print in writes each chain's lines apart).
    pub(crate) fn rules_only(counters: bool, dialect: Dialect) -> SaveText {
        SaveText {
            bytes: Vec::new(),
            text: String::new(),
            counters,
            dialect,
        }
    }

    /// Appends the lines of `pieces` (each made by [`SaveText::rules_only`]),
    /// in order.
    pub(crate) fn extend(&mut self, pieces: Vec<SaveText>) {
        let more = pieces.iter().map(|p| p.bytes.len() + p.text.len()).sum();
        self.text.reserve(more);
        for p in pieces {
            if !p.bytes.is_empty() {
                self.bytes.extend_from_slice(self.text.as_bytes());
                self.text.clear();
                self.bytes.extend_from_slice(&p.bytes);
            }
            self.text.push_str(&p.text);
        }
    }

    /// Writes the line of rule `r` of `chain`.
    pub(crate) fn rule(&mut self, r: &Rule, chain: &str) {
        let (bytes, text) = (&mut self.bytes, &mut self.text);
        write_rule_line_bytes(bytes, text, r, chain, self.counters, self.dialect);
        text.push('\n');
    }

    /// Bytes printed and not written yet.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len() + self.text.len()
    }

    /// Writes what is printed so far to `out` and goes on with empty
    /// buffers: a reader that prints rules as it decodes them can send a
    /// long table out in pieces, and hold no more than one.
    pub(crate) fn write_to(&mut self, out: &mut dyn std::io::Write) -> Result<()> {
        write_saved(out, &self.bytes)?;
        write_saved(out, self.text.as_bytes())?;
        self.bytes.clear();
        self.text.clear();
        Ok(())
    }

    /// Ends the table (`COMMIT`): the whole text (what
    /// [`SaveText::write_to`] has not taken).
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.text.push_str("COMMIT\n");
        if self.bytes.is_empty() {
            return self.text.into_bytes();
        }
        self.bytes.extend_from_slice(self.text.as_bytes());
        self.bytes
    }
}

/// Writes saved text to `out`.
pub(crate) fn write_saved(out: &mut dyn std::io::Write, text: &[u8]) -> Result<()> {
    out.write_all(text).map_err(|source| Error::Io {
        op: "writing the saved table".into(),
        source,
    })
}

/// The table from `*table` to `COMMIT`, each rule line (without its
/// newline) by `rule_line`.
fn write_table(table: &Table, mut rule_line: impl FnMut(&mut String, &Rule, &str)) -> String {
    let rules: usize = table.chains.iter().map(|c| c.rules.len()).sum();
    // As in SaveText::new.
    let mut out = String::with_capacity(32 * (2 + table.chains.len()) + 64 * rules);
    write_head(&mut out, &table.name, &table.chains);
    for c in &table.chains {
        for r in &c.rules {
            rule_line(&mut out, r, &c.name);
            out.push('\n');
        }
    }
    out.push_str("COMMIT\n");
    out
}

/// `*table` and a line for each chain: its policy and the policy's
/// counters, or `-` for a user chain.
fn write_head(out: &mut String, table: &str, chains: &[Chain]) {
    out.push('*');
    out.push_str(table);
    out.push('\n');
    for c in chains {
        out.push(':');
        out.push_str(&c.name);
        match c.policy {
            Some(p) => {
                // Writing to a String cannot fail.
                let _ = write!(out, " {p} ");
                push_counters(out, c.counters);
            }
            None => out.push_str(" - [0:0]"),
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "# Generated by iptables-save v1.8.9\n*filter\n:INPUT DROP [1:2]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:block - [0:0]\n[3:4] -A INPUT -i lo -j ACCEPT\n-A INPUT -j block\n-A block -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n";

    /// A run of `-D` lines goes in one pass and does what the lines one by
    /// one do: each deletes the first rule left that does the same
    /// (duplicates one per line), and a line with nothing to delete is
    /// refused with its number.
    #[test]
    fn delete_lines_in_one_pass_delete_first_matches_in_turn() {
        let setup = "*filter\n-A INPUT -s 10.0.0.1/32 -j DROP\n-A INPUT -s 10.0.0.2/32 -j DROP\n\
                     -A INPUT -s 10.0.0.1/32 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n\
                     -A INPUT -s 10.0.0.1/32 -j DROP\nCOMMIT\n";
        let mut base = Table::new(Family::Ipv4, "filter").unwrap();
        let opts = RestoreOptions {
            noflush: true,
            ..RestoreOptions::default()
        };
        parse(Family::Ipv4, setup).unwrap()[0]
            .apply(&mut base, &opts)
            .unwrap();
        let deletes =
            "*filter\n-D INPUT -s 10.0.0.1/32 -j DROP\n-D INPUT -p tcp --dport 22 -j ACCEPT\n\
                       -D INPUT -s 10.0.0.1/32 -j DROP\nCOMMIT\n";
        let block = &parse(Family::Ipv4, deletes).unwrap()[0];
        let (mut batch, mut single) = (base.clone(), base.clone());
        block.apply(&mut batch, &opts).unwrap();
        for (_, cmd) in &block.commands {
            apply_command(&mut single, cmd, false).unwrap();
        }
        assert_eq!(batch, single);
        let left: Vec<String> = batch
            .get("INPUT")
            .unwrap()
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(left, ["-s 10.0.0.2/32 -j DROP", "-s 10.0.0.1/32 -j DROP"]);
        // A fourth delete of 10.0.0.1 after three finds one; a fifth none.
        let too_many =
            "*filter\n-D INPUT -s 10.0.0.1/32 -j DROP\n-D INPUT -s 10.0.0.1/32 -j DROP\n\
                        -D INPUT -s 10.0.0.1/32 -j DROP\n-D INPUT -s 10.0.0.1/32 -j DROP\nCOMMIT\n";
        let mut t = base.clone();
        let e = parse(Family::Ipv4, too_many).unwrap()[0]
            .apply(&mut t, &opts)
            .unwrap_err();
        assert!(e.to_string().contains("line 5"), "{e}");
    }

    #[test]
    fn restore_then_save_round_trips() {
        let blocks = parse(Family::Ipv4, DUMP).unwrap();
        assert_eq!(blocks.len(), 1);
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        blocks[0]
            .apply(
                &mut t,
                &RestoreOptions {
                    counters: true,
                    ..Default::default()
                },
            )
            .unwrap();
        let body: String = DUMP.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert_eq!(save_table(&t, false), body.replace("[3:4] ", ""));
        assert!(save_table(&t, true)
            .contains("[3:4] -A INPUT -i lo -j ACCEPT\n[0:0] -A INPUT -j block\n"));
        let mut t2 = Table::new(Family::Ipv4, "filter").unwrap();
        blocks[0]
            .apply(&mut t2, &RestoreOptions::default())
            .unwrap();
        assert!(save_table(&t2, true).contains("[0:0] -A INPUT -i lo -j ACCEPT"));
        assert!(save_table(&t2, false).contains(":INPUT DROP [0:0]"));
    }

    #[test]
    fn noflush_keeps_and_flushes_declared_user_chains() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        let first = "*filter\n:a - [0:0]\n:b - [0:0]\n-A a -j ACCEPT\n-A b -j DROP\n-A INPUT -j a\nCOMMIT\n";
        parse(Family::Ipv4, first).unwrap()[0]
            .apply(&mut t, &RestoreOptions::default())
            .unwrap();
        let second = "*filter\n:b - [0:0]\n:c - [0:0]\n-I INPUT 2 -j c\n-R a 1 -j RETURN\nCOMMIT\n";
        let opts = RestoreOptions {
            noflush: true,
            ..Default::default()
        };
        parse(Family::Ipv4, second).unwrap()[0]
            .apply(&mut t, &opts)
            .unwrap();
        let s = save_table(&t, false);
        assert!(
            s.contains("-A INPUT -j a\n-A INPUT -j c\n-A a -j RETURN\nCOMMIT"),
            "{s}"
        );
        assert!(!s.contains("-A b"));
    }

    /// `:INPUT -` leaves a built-in chain's policy as it is, as both
    /// iptables-restore and iptables-nft-restore do (iptables' shell test
    /// nft-only/0008-basechain-policy_0).
    #[test]
    fn dash_policy_on_a_built_in_chain_leaves_it() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.set_policy("INPUT", Policy::Drop).unwrap();
        for noflush in [false, true] {
            let opts = RestoreOptions {
                noflush,
                ..Default::default()
            };
            parse(
                Family::Ipv4,
                "*filter\n:INPUT - [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n",
            )
            .unwrap()[0]
                .apply(&mut t, &opts)
                .unwrap();
            assert_eq!(t.chain("INPUT").unwrap().policy, Some(Policy::Drop));
        }
    }

    #[test]
    fn errors_carry_line_numbers_and_nothing_half_parsed() {
        let e = parse(Family::Ipv4, "*filter\n-A INPUT --bogus\nCOMMIT\n").unwrap_err();
        assert!(matches!(e, Error::Line { line: 2, .. }), "{e}");
        assert!(parse(Family::Ipv4, "*filter\n-A INPUT -j ACCEPT\n").is_err());
        assert!(parse(Family::Ipv4, "-A INPUT -j ACCEPT\n").is_err());
        assert!(parse(Family::Ipv4, "*nosuch\nCOMMIT\n").is_err());
        assert!(parse(Family::Ipv4, "*filter\n:foo ACCEPT [0:0]\nCOMMIT\n").is_err());
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        let b = parse(
            Family::Ipv4,
            "*filter\n-A INPUT -j ACCEPT\n-D INPUT 5\nCOMMIT\n",
        )
        .unwrap();
        let e = b[0].apply(&mut t, &RestoreOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Line { line: 3, .. }), "{e}");
    }

    fn play(text: &str, opts: &RestoreOptions) -> Result<String> {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.new_chain("old").unwrap();
        t.append("old", Rule::parse(Family::Ipv4, "-j ACCEPT").unwrap())
            .unwrap();
        for b in parse_with(Family::Ipv4, text, opts)? {
            b.apply(&mut t, opts)?;
        }
        Ok(save_table(&t, true))
    }

    #[test]
    fn chain_lines_and_commands_run_in_input_order() {
        let noflush = RestoreOptions {
            noflush: true,
            ..Default::default()
        };
        let text = "*filter\n:old - [0:0]\n-A old -j DROP\n:old - [0:0]\n-A old -j RETURN\n\
                    :old - [0:0]\n-X old\n:old - [0:0]\n-A old -j ACCEPT\nCOMMIT\n";
        let s = play(text, &noflush).unwrap();
        assert!(s.contains("[0:0] -A old -j ACCEPT\nCOMMIT"), "{s}");
        // Without --noflush a chain must not exist when it is declared.
        let e = play(
            "*filter\n:a - [0:0]\n:a - [0:0]\nCOMMIT\n",
            &RestoreOptions::default(),
        );
        assert!(matches!(e, Err(Error::Line { line: 3, .. })), "{e:?}");
        let e = play(
            "*filter\n-N a\n:a - [0:0]\nCOMMIT\n",
            &RestoreOptions::default(),
        );
        assert!(matches!(e, Err(Error::Line { line: 3, .. })), "{e:?}");
    }

    #[test]
    fn counters_of_a_line() {
        let with = RestoreOptions {
            counters: true,
            ..Default::default()
        };
        let text = "*filter\n[1:2] -A INPUT -j ACCEPT\n-A INPUT -c 3 4 -j DROP\n\
                    [9:9] -P FORWARD DROP\n-P OUTPUT DROP -c 5 6\nCOMMIT\n";
        let s = play(text, &RestoreOptions::default()).unwrap();
        assert!(
            s.contains("[0:0] -A INPUT -j ACCEPT\n[3:4] -A INPUT -j DROP"),
            "{s}"
        );
        assert!(s.contains(":FORWARD DROP [0:0]\n:OUTPUT DROP [5:6]"), "{s}");
        let s = play(text, &with).unwrap();
        assert!(
            s.contains("[1:2] -A INPUT -j ACCEPT\n[3:4] -A INPUT -j DROP"),
            "{s}"
        );
        assert!(s.contains(":FORWARD DROP [9:9]\n:OUTPUT DROP [5:6]"), "{s}");
        // Both spellings at once count twice only with --counters.
        let both = "*filter\n[1:2] -A INPUT -c 3 4 -j DROP\nCOMMIT\n";
        assert!(play(both, &RestoreOptions::default()).is_ok());
        assert!(play(both, &with).is_err());
        let blocks = parse(Family::Ipv4, both).unwrap();
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        assert!(blocks[0].apply(&mut t, &with).is_err());
        // Commands that take no counters.
        for line in ["-D INPUT -c 1 2 -j ACCEPT", "-C INPUT -c 1 2 -j ACCEPT"] {
            assert!(parse_command(Family::Ipv4, line).is_err(), "{line}");
        }
        for line in ["[1:2] -N x", "[1:2] -F", "[1:2] -D INPUT 1"] {
            assert!(parse_command(Family::Ipv4, line).is_ok(), "{line}");
            let text = format!("*filter\n{line}\nCOMMIT\n");
            assert!(parse_with(Family::Ipv4, &text, &with).is_err(), "{line}");
        }
        assert!(play("*filter\n:INPUT DROP\nCOMMIT\n", &with).is_err());
    }

    /// A comment may be any bytes, as iptables-restore reads bytes; the
    /// saved table prints them back byte for byte.
    #[test]
    fn comments_keep_bytes_that_are_not_utf8() {
        let input: &[u8] =
            b"*filter\n-A INPUT -m comment --comment \"caf\xe9 \xff\\\"\" -j ACCEPT\n\
            -A INPUT -m comment --comment \xf4\x8f\xbd\x81\xc3\r\nCOMMIT\n";
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        for b in parse_bytes(Family::Ipv4, input).unwrap() {
            b.apply(&mut t, &RestoreOptions::default()).unwrap();
        }
        let saved = save_table_bytes(&t, false);
        let rules: &[u8] = b"-A INPUT -m comment --comment \"caf\xe9 \xff\\\"\" -j ACCEPT\n\
            -A INPUT -m comment --comment \"\xf4\x8f\xbd\x81\xc3\"\nCOMMIT\n";
        assert!(saved.ends_with(rules), "{}", saved.escape_ascii());
        // Read back, the same table.
        let mut again = Table::new(Family::Ipv4, "filter").unwrap();
        for b in parse_bytes(Family::Ipv4, &saved).unwrap() {
            b.apply(&mut again, &RestoreOptions::default()).unwrap();
        }
        assert_eq!(again, t);
        // A String cannot hold them.
        assert!(save_table(&t, false).contains("--comment \"caf\u{fffd} \u{fffd}\\\"\""));
        // Valid UTF-8 prints the same both ways.
        let t = play(
            "*filter\n-A INPUT -m comment --comment café\nCOMMIT\n",
            &Default::default(),
        )
        .unwrap();
        assert!(t.contains("--comment \"café\""), "{t}");
    }

    /// Every short comment of awkward bytes reads, saves and reads back to
    /// the same table; nothing panics.
    #[test]
    fn every_short_byte_comment_round_trips() {
        let alphabet = [b'a', b' ', b'"', b'\\', 0xc3, 0xa9, 0xff, 0xf4, b'\''];
        let read = |input: &[u8]| -> Option<Table> {
            let mut t = Table::new(Family::Ipv4, "filter").unwrap();
            for b in parse_bytes(Family::Ipv4, input).ok()? {
                b.apply(&mut t, &RestoreOptions::default()).unwrap();
            }
            Some(t)
        };
        for n in 0..=4u32 {
            for mut k in 0..alphabet.len().pow(n) {
                let mut input = b"*filter\n-A INPUT -m comment --comment ".to_vec();
                for _ in 0..n {
                    input.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                input.extend_from_slice(b"\nCOMMIT\n");
                let Some(t) = read(&input) else { continue };
                let saved = save_table_bytes(&t, false);
                assert_eq!(read(&saved).as_ref(), Some(&t), "{}", input.escape_ascii());
            }
        }
    }

    /// Only a comment may be bytes: names and other values are text.
    #[test]
    fn refuses_bytes_that_are_not_utf8_elsewhere() {
        for (line, at) in [
            (&b"*filter\n-A IN\xff -j ACCEPT\nCOMMIT\n"[..], 2),
            (b"*filter\n-N \xff\nCOMMIT\n", 2),
            (b"*filter\n:X\xff - [0:0]\nCOMMIT\n", 2),
            (b"*fil\xffter\nCOMMIT\n", 1),
            (b"*filter\n-A INPUT -j LOG --log-prefix \xff\nCOMMIT\n", 2),
            (
                b"*filter\n-A INPUT -m comment --comment x -j \xff\nCOMMIT\n",
                2,
            ),
            (
                b"*filter\n-A INPUT -m comment --comment x \xff\nCOMMIT\n",
                2,
            ),
        ] {
            let e = parse_bytes(Family::Ipv4, line).unwrap_err().to_string();
            assert!(
                e.contains(&format!("line {at}")),
                "{}: {e}",
                line.escape_ascii()
            );
        }
    }

    #[test]
    fn long_commands_may_be_abbreviated() {
        let s = play(
            "*filter\n:X - [0:0]\n--app INPUT --proto tcp --dpor 22 -j ACCEPT\n--ins INPUT 1 -j X\n--fl X\nCOMMIT\n",
            &RestoreOptions::default(),
        )
        .unwrap();
        assert!(
            s.contains("-A INPUT -j X\n[0:0] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT"),
            "{s}"
        );
        assert!(
            parse_command(Family::Ipv4, "--de INPUT 1").is_err(),
            "delete, delete-chain"
        );
    }

    #[test]
    fn lines_for_the_other_family_are_skipped() {
        let c = |l: &str| parse_command(Family::Ipv4, l).unwrap();
        assert_eq!(c("-6 -A nosuch --bogus"), Command::OtherFamily);
        assert_eq!(c("-A INPUT -s ::1 -6"), Command::OtherFamily);
        assert_eq!(c("-F INPUT --ipv6"), Command::OtherFamily);
        assert_eq!(c("-D INPUT 2 -6"), Command::OtherFamily);
        assert_eq!(c("-4 -F INPUT -4"), Command::Flush(Some("INPUT".into())));
        assert!(parse_command(Family::Ipv4, "-A INPUT --bogus -6").is_err());
        assert!(matches!(
            c("-A INPUT -m comment --comment -6 -j ACCEPT"),
            Command::Append { .. }
        ));
        assert_eq!(
            parse_command(Family::Ipv6, "-4 -A INPUT -s 10.0.0.1").unwrap(),
            Command::OtherFamily
        );
        let s = play(
            "*filter\n-4 -A INPUT -j ACCEPT\n-6 -A INPUT -j DROP\nCOMMIT\n",
            &RestoreOptions::default(),
        )
        .unwrap();
        assert!(s.contains("-A INPUT -j ACCEPT\nCOMMIT"), "{s}");
    }

    #[test]
    fn only_the_chosen_table_is_read() {
        let nat = RestoreOptions {
            table: Some("nat".into()),
            ..Default::default()
        };
        let text = "*filter\n-A INPUT --bogus\nCOMMIT\n*bogus\n:x BAD\nCOMMIT\n\
                    *nat\n-A POSTROUTING -j ACCEPT\nCOMMIT\n*raw\n-A nonsense\n";
        let blocks = parse_with(Family::Ipv4, text, &nat).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].name, "nat");
        assert!(parse(Family::Ipv4, text).is_err());
        // The structure still counts: a table inside a skipped one.
        assert!(parse_with(Family::Ipv4, "*filter\n*nat\nCOMMIT\n", &nat).is_err());
    }
}
