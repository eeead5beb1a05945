//! Whole iptables-restore files, and the text iptables-save prints.
//!
//! [`parse`] reads restore input into [`TableBlock`]s (one per `*table` ...
//! `COMMIT`), checking the syntax of every line; [`TableBlock::apply`] plays a
//! block onto a [`Table`] with iptables-restore's semantics; [`save_table`]
//! prints a table exactly as `iptables-save` does (without its `#` lines).

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::names::parse_uint;
use crate::rule::{Counters, Rule};
use crate::ruleset::{builtin_chains, check_chain_name, Policy, Table};

use super::{parse_rule_spec, split_words};

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
    /// The policy, or `None` for `-` (a user chain).
    pub policy: Option<Policy>,
    /// The `[p:b]` given, if any.
    pub counters: Option<Counters>,
    /// 1-based line number.
    pub line: usize,
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
    },
    /// `-I CHAIN [N] SPEC`.
    Insert {
        /// Chain.
        chain: String,
        /// 0-based position.
        pos: usize,
        /// The rules.
        rules: Vec<Rule>,
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
        /// The new rule.
        rule: Rule,
    },
    /// `-C CHAIN SPEC`: fails unless such a rule exists.
    Check {
        /// Chain.
        chain: String,
        /// The rule.
        rule: Rule,
    },
    /// `-N CHAIN`.
    NewChain(String),
    /// `-X [CHAIN]`.
    DeleteChain(Option<String>),
    /// `-F [CHAIN]`.
    Flush(Option<String>),
    /// `-Z [CHAIN]`.
    Zero(Option<String>),
    /// `-P CHAIN POLICY`.
    Policy(String, Policy),
    /// `-E OLD NEW`.
    Rename(String, String),
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
pub fn parse(family: Family, text: &str) -> Result<Vec<TableBlock>> {
    let mut blocks = Vec::new();
    let mut cur: Option<TableBlock> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let res = (|| -> Result<()> {
            if let Some(name) = line.strip_prefix('*') {
                if let Some(open) = &cur {
                    return Err(Error::Syntax(format!(
                        "table `{}` (line {}) has no COMMIT",
                        open.name, open.line
                    )));
                }
                let name = name.trim();
                if builtin_chains(name).is_none() {
                    return Err(Error::NoSuchTable(name.to_string()));
                }
                cur = Some(TableBlock {
                    name: name.into(),
                    line: n,
                    chains: vec![],
                    commands: vec![],
                });
                return Ok(());
            }
            let block = cur
                .as_mut()
                .ok_or_else(|| Error::Syntax("no table specified (a `*table` line)".into()))?;
            if line == "COMMIT" {
                blocks.push(cur.take().expect("block is open"));
                return Ok(());
            }
            if let Some(decl) = line.strip_prefix(':') {
                block.chains.push(parse_chain_decl(&block.name, decl, n)?);
                return Ok(());
            }
            block.commands.push((n, parse_command(family, line)?));
            Ok(())
        })();
        res.map_err(|e| e.at_line(n))?;
    }
    if let Some(open) = cur {
        return Err(Error::Syntax(format!(
            "COMMIT expected for table `{}` (line {})",
            open.name, open.line
        )));
    }
    Ok(blocks)
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
        Some("-") if builtin => {
            return Err(Error::Syntax(format!(
                "can't set policy `-' on built-in chain `{name}`"
            )));
        }
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

/// Parses one command line (`[p:b] -A CHAIN SPEC`, `-N CHAIN`, ...).
pub fn parse_command(family: Family, line: &str) -> Result<Command> {
    let mut words = split_words(line)?;
    // `[p:b]` in front of a rule: counters, used when restoring with -c.
    let mut counters = None;
    if words.first().is_some_and(|w| w.starts_with('[')) {
        counters = Some(parse_counters(&words.remove(0))?);
    }
    if words.is_empty() {
        return Err(Error::Syntax("empty command".into()));
    }
    let cmd = words.remove(0);
    let mut rest = words.as_slice();
    let mut take = |what: &str| -> Result<String> {
        let (w, r) = rest
            .split_first()
            .ok_or_else(|| Error::MissingValue(format!("{cmd} {what}")))?;
        rest = r;
        Ok(w.clone())
    };
    let with_counters = |mut rules: Vec<Rule>| {
        if let Some(c) = counters {
            for r in &mut rules {
                r.counters = c;
            }
        }
        rules
    };
    let command = match cmd.as_str() {
        "-A" | "--append" => {
            let chain = take("CHAIN")?;
            Command::Append {
                chain,
                rules: with_counters(parse_rule_spec(family, rest)?.0),
            }
        }
        "-I" | "--insert" => {
            let chain = take("CHAIN")?;
            let pos = match rest.first().and_then(|w| parse_uint(w)) {
                Some(n) => {
                    rest = &rest[1..];
                    rule_index(n)?
                }
                None => 0,
            };
            Command::Insert {
                chain,
                pos,
                rules: with_counters(parse_rule_spec(family, rest)?.0),
            }
        }
        "-D" | "--delete" => {
            let chain = take("CHAIN")?;
            let what = match (rest.len(), rest.first().and_then(|w| parse_uint(w))) {
                (1, Some(n)) => DeleteWhat::Position(rule_index(n)?),
                _ => DeleteWhat::Spec(parse_rule_spec(family, rest)?.0),
            };
            Command::Delete { chain, what }
        }
        "-R" | "--replace" => {
            let chain = take("CHAIN")?;
            let n = take("RULENUM")?;
            let pos = rule_index(
                parse_uint(&n)
                    .ok_or_else(|| Error::value("-R", n.as_str(), "not a rule number"))?,
            )?;
            let rule = single(with_counters(parse_rule_spec(family, rest)?.0), "-R")?;
            Command::Replace { chain, pos, rule }
        }
        "-C" | "--check" => {
            let chain = take("CHAIN")?;
            Command::Check {
                chain,
                rule: single(parse_rule_spec(family, rest)?.0, "-C")?,
            }
        }
        "-N" | "--new-chain" => Command::NewChain(take("CHAIN")?),
        "-X" | "--delete-chain" => Command::DeleteChain(optional(&mut rest)),
        "-F" | "--flush" => Command::Flush(optional(&mut rest)),
        "-Z" | "--zero" => Command::Zero(optional(&mut rest)),
        "-P" | "--policy" => {
            let chain = take("CHAIN")?;
            Command::Policy(chain, take("POLICY")?.parse()?)
        }
        "-E" | "--rename-chain" => {
            let old = take("OLD")?;
            Command::Rename(old, take("NEW")?)
        }
        "-t" | "--table" => {
            return Err(Error::Syntax(
                "the -t option cannot be used in restore input".into(),
            ))
        }
        other => return Err(Error::Syntax(format!("unknown command `{other}`"))),
    };
    if !rest.is_empty()
        && !matches!(
            command,
            Command::Append { .. }
                | Command::Insert { .. }
                | Command::Delete { .. }
                | Command::Replace { .. }
                | Command::Check { .. }
        )
    {
        return Err(Error::Syntax(format!(
            "unexpected `{}` after {cmd}",
            rest[0]
        )));
    }
    Ok(command)
}

fn optional(rest: &mut &[String]) -> Option<String> {
    let (w, r) = rest.split_first()?;
    *rest = r;
    Some(w.clone())
}

fn rule_index(n: u64) -> Result<usize> {
    if n == 0 {
        return Err(Error::value("rule number", "0", "rule numbers start at 1"));
    }
    usize::try_from(n - 1).map_err(|_| Error::value("rule number", n.to_string(), "too large"))
}

fn single(mut rules: Vec<Rule>, cmd: &str) -> Result<Rule> {
    if rules.len() != 1 {
        return Err(Error::rule(
            cmd,
            "the rule must name a single source and destination address",
        ));
    }
    Ok(rules.remove(0))
}

impl TableBlock {
    /// Plays the block onto `table` as iptables-restore does: without
    /// `noflush` the table is cleared first; `:` lines set policies and create
    /// user chains (with `noflush`, an existing user chain is flushed); then
    /// the commands run in order. Counters from the input are kept only with
    /// `opts.counters`. Errors carry the line number; on error `table` may be
    /// half-changed, so apply to a copy (the API's transactions do).
    pub fn apply(&self, table: &mut Table, opts: &RestoreOptions) -> Result<()> {
        if !opts.noflush {
            table.clear();
        }
        for d in &self.chains {
            let res = match d.policy {
                Some(p) => table.set_policy(&d.name, p).map(|()| {
                    if let (true, Some(c)) = (opts.counters, d.counters) {
                        if let Some(ch) = table.chain_mut(&d.name) {
                            ch.counters = c;
                        }
                    }
                }),
                None if table.chain(&d.name).is_some() => table.flush(&d.name),
                None => table.new_chain(&d.name),
            };
            res.map_err(|e| e.at_line(d.line))?;
        }
        for (line, cmd) in &self.commands {
            apply_command(table, cmd, opts.counters).map_err(|e| e.at_line(*line))?;
        }
        Ok(())
    }
}

/// Runs one command on a table.
pub fn apply_command(table: &mut Table, cmd: &Command, keep_counters: bool) -> Result<()> {
    let prepare = |r: &Rule| {
        let mut r = r.clone();
        if !keep_counters {
            r.counters = Counters::default();
        }
        r
    };
    match cmd {
        Command::Append { chain, rules } => {
            for r in rules {
                table.append(chain, prepare(r))?;
            }
        }
        Command::Insert { chain, pos, rules } => {
            for r in rules {
                table.insert(chain, *pos, prepare(r))?;
            }
        }
        Command::Delete {
            chain,
            what: DeleteWhat::Position(p),
        } => {
            table.delete(chain, *p)?;
        }
        Command::Delete {
            chain,
            what: DeleteWhat::Spec(rules),
        } => {
            for r in rules {
                table.delete_rule(chain, r)?;
            }
        }
        Command::Replace { chain, pos, rule } => table.replace(chain, *pos, prepare(rule))?,
        Command::Check { chain, rule } => {
            if !table.contains_rule(chain, rule)? {
                return Err(Error::NoSuchRule {
                    chain: chain.clone(),
                    what: format!("no rule `{rule}`"),
                });
            }
        }
        Command::NewChain(c) => table.new_chain(c)?,
        Command::DeleteChain(Some(c)) => table.delete_chain(c)?,
        Command::DeleteChain(None) => {
            table.delete_user_chains()?;
        }
        Command::Flush(Some(c)) => table.flush(c)?,
        Command::Flush(None) => table.flush_all(),
        Command::Zero(Some(c)) => table.zero(c)?,
        Command::Zero(None) => table.zero_all(),
        Command::Policy(c, p) => table.set_policy(c, *p)?,
        Command::Rename(o, n) => table.rename_chain(o, n)?,
    }
    Ok(())
}

/// The table as iptables-save prints it, from `*table` to `COMMIT` (the
/// `# Generated`/`# Completed` comment lines are the caller's): policies always
/// with their counters, rules with `[p:b]` in front when `counters` is set.
pub fn save_table(table: &Table, counters: bool) -> String {
    let mut out = format!("*{}\n", table.name);
    for c in &table.chains {
        match c.policy {
            Some(p) => out.push_str(&format!(":{} {} {}\n", c.name, p, c.counters)),
            None => out.push_str(&format!(":{} - [0:0]\n", c.name)),
        }
    }
    for c in &table.chains {
        for r in &c.rules {
            out.push_str(&r.save_line(&c.name, counters));
            out.push('\n');
        }
    }
    out.push_str("COMMIT\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "# Generated by iptables-save v1.8.9\n*filter\n:INPUT DROP [1:2]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:block - [0:0]\n[3:4] -A INPUT -i lo -j ACCEPT\n-A INPUT -j block\n-A block -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n";

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

    #[test]
    fn errors_carry_line_numbers_and_nothing_half_parsed() {
        let e = parse(Family::Ipv4, "*filter\n-A INPUT --bogus\nCOMMIT\n").unwrap_err();
        assert!(matches!(e, Error::Line { line: 2, .. }), "{e}");
        assert!(parse(Family::Ipv4, "*filter\n-A INPUT -j ACCEPT\n").is_err());
        assert!(parse(Family::Ipv4, "-A INPUT -j ACCEPT\n").is_err());
        assert!(parse(Family::Ipv4, "*nosuch\nCOMMIT\n").is_err());
        assert!(parse(Family::Ipv4, "*filter\n:INPUT - [0:0]\nCOMMIT\n").is_err());
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
}
