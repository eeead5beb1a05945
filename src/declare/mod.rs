//! Declarative rule sets: whole tables of both families built as one value
//! ([`Ruleset`]), rendered as iptables-restore text, compared with what the
//! kernel holds ([`RulesetDiff`]), and landed all or nothing
//! ([`Ruleset::apply`], [`Ruleset::reconcile`]).
//!
//! A [`Ruleset`] is plain data, built without root: the tables it names,
//! each with its built-in chains and their policies, user chains and
//! rules ([`Table`]s). Rules are plain [`Rule`] values, so a rule serves as
//! a template by cloning it and extending the copy with the builder
//! methods ([`Rule::source`], [`Rule::with_target`], ...). Each rule
//! remembers where it was defined ([`Origin`]: the line of the program
//! that added it, or the line of a text it came from), which
//! [`Ruleset::render_with`] can print as a comment above it.
//!
//! ```
//! use iptkit::declare::Ruleset;
//! use iptkit::matches::tcp::Tcp;
//! use iptkit::{Family, Net, Policy, Rule, Target};
//!
//! let mut rs = Ruleset::new();
//! for family in [Family::Ipv4, Family::Ipv6] {
//!     rs.set_policy(family, "filter", "INPUT", Policy::Drop)?;
//! }
//! // A template: SSH in, extended with a source for each admin network.
//! let ssh = Rule::new(Family::Ipv4).with_match(Tcp::dport(22));
//! for net in ["192.0.2.0/24", "198.51.100.7"] {
//!     let rule = ssh.clone().source(Net::parse(Family::Ipv4, net)?).with_target(Target::Accept);
//!     rs.append("filter", "INPUT", rule)?;
//! }
//! assert_eq!(
//!     rs.render(Family::Ipv4),
//!     "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
//!      -A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n\
//!      -A INPUT -s 198.51.100.7/32 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n"
//! );
//! assert!(rs.render(Family::Ipv6).starts_with("*filter\n:INPUT DROP [0:0]\n"));
//! # Ok::<(), iptkit::Error>(())
//! ```

mod diff;
mod land;

pub use diff::{ChainDiff, RuleChange, RulesetDiff, TableDiff};

use std::collections::HashMap;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::Dialect;
use crate::pairing::pair;
use crate::rule::Rule;
use crate::ruleset::{builtin_chains, Policy, Table};
use crate::syntax::restore::{parse_with, Command, RestoreOptions};

/// Where a rule of a [`Ruleset`] was defined.
///
/// ```
/// use iptkit::declare::{Origin, Ruleset};
/// use iptkit::{Family, Rule};
/// let mut rs = Ruleset::new();
/// rs.append("filter", "INPUT", Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?;
/// let origin = rs.origin(Family::Ipv4, "filter", "INPUT", 0).unwrap();
/// assert!(matches!(origin, Origin::Code(at) if at.file().ends_with(".rs")));
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The line of the program that added it (the caller of a
    /// `#[track_caller]` method of [`Ruleset`]).
    Code(&'static Location<'static>),
    /// A line of a text: the name given for the text, and the 1-based line.
    Text {
        /// The text's name (a file name, say).
        source: Arc<str>,
        /// 1-based line.
        line: usize,
    },
}

impl fmt::Display for Origin {
    /// `file:line:column` for code, `name:line` for a text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Code(at) => write!(f, "{}:{}:{}", at.file(), at.line(), at.column()),
            Origin::Text { source, line } => write!(f, "{source}:{line}"),
        }
    }
}

/// How [`Ruleset::render_with`] prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Whose save text: iptables-legacy-save's (the default) or
    /// iptables-nft-save's (they differ for a few extensions).
    pub dialect: Dialect,
    /// A comment line (`# defined at ...`) above each rule whose
    /// [`Origin`] is known. iptables-restore skips comment lines.
    pub origins: bool,
    /// `[packets:bytes]` counters, as `iptables-save -c`.
    pub counters: bool,
}

/// The order iptables-nft-save prints the tables of a family in; a
/// [`Ruleset`] keeps its tables in it.
const TABLE_ORDER: [&str; 5] = ["mangle", "security", "raw", "filter", "nat"];

/// Where a table goes in a ruleset: IPv4 first, then [`TABLE_ORDER`].
fn table_rank(family: Family, name: &str) -> (u8, usize) {
    let f = match family {
        Family::Ipv4 => 0,
        Family::Ipv6 => 1,
    };
    (f, TABLE_ORDER.iter().position(|t| *t == name).unwrap_or(5))
}

/// Each chain's rules' origins, by chain name: parallel to the chain's
/// rules. A chain whose list does not have as many entries as the chain
/// has rules (its table was changed from outside) shows none.
type Origins = HashMap<String, Vec<Option<Origin>>>;

/// Whole tables of one or both families, as a value: see the
/// [module](self).
///
/// Only the tables it holds count: apply, diff and reconcile leave every
/// other table alone. A table is added with its built-in chains (policies
/// ACCEPT) the first time something names it.
#[derive(Clone, Debug, Default)]
pub struct Ruleset {
    /// IPv4 tables, then IPv6, each family's in [`TABLE_ORDER`].
    tables: Vec<Table>,
    /// Parallel to `tables`.
    origins: Vec<Origins>,
}

impl PartialEq for Ruleset {
    /// The same tables (origins aside).
    fn eq(&self, other: &Ruleset) -> bool {
        self.tables == other.tables
    }
}

impl Ruleset {
    /// An empty rule set: no tables.
    pub fn new() -> Ruleset {
        Ruleset::default()
    }

    /// The tables, IPv4 first, each family's in the order
    /// iptables-nft-save prints them (mangle, security, raw, filter, nat).
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// The table of that family and name, if the rule set holds it.
    pub fn table(&self, family: Family, name: &str) -> Option<&Table> {
        self.index(family, name).map(|i| &self.tables[i])
    }

    /// The families that have a table here.
    pub fn families(&self) -> Vec<Family> {
        let mut out: Vec<Family> = Vec::new();
        for t in &self.tables {
            if !out.contains(&t.family) {
                out.push(t.family);
            }
        }
        out
    }

    fn index(&self, family: Family, name: &str) -> Option<usize> {
        self.tables
            .iter()
            .position(|t| t.family == family && t.name == name)
    }

    /// The index of the table, added (empty, policies ACCEPT) if missing;
    /// [`Error::NoSuchTable`] for a name iptables does not have.
    fn index_or_add(&mut self, family: Family, name: &str) -> Result<usize> {
        if let Some(i) = self.index(family, name) {
            return Ok(i);
        }
        let table = Table::new(family, name)?;
        let rank = table_rank(family, name);
        let at = self
            .tables
            .iter()
            .position(|t| table_rank(t.family, &t.name) > rank)
            .unwrap_or(self.tables.len());
        self.tables.insert(at, table);
        self.origins.insert(at, Origins::new());
        Ok(at)
    }

    /// Adds the table (empty, its built-in chains with policy ACCEPT) if
    /// the rule set does not hold it yet: a table named here, even empty,
    /// is one that apply makes exactly so.
    pub fn add_table(&mut self, family: Family, name: &str) -> Result<()> {
        self.index_or_add(family, name).map(drop)
    }

    /// Puts `table` in, in place of the one of the same family and name
    /// (checked whole first: [`Table::validate`]). Its rules' origins are
    /// the caller's line.
    #[track_caller]
    pub fn set_table(&mut self, table: Table) -> Result<()> {
        table.validate()?;
        let at = Origin::Code(Location::caller());
        let i = self.index_or_add(table.family, &table.name)?;
        self.origins[i] = table
            .chains
            .iter()
            .map(|c| (c.name.clone(), vec![Some(at.clone()); c.rules.len()]))
            .collect();
        self.tables[i] = table;
        Ok(())
    }

    /// Sets a built-in chain's policy (`:INPUT DROP`).
    pub fn set_policy(
        &mut self,
        family: Family,
        table: &str,
        chain: &str,
        policy: Policy,
    ) -> Result<()> {
        let i = self.index_or_add(family, table)?;
        self.tables[i].set_policy(chain, policy)
    }

    /// Creates an empty user chain (`-N`).
    pub fn new_chain(&mut self, family: Family, table: &str, chain: &str) -> Result<()> {
        let i = self.index_or_add(family, table)?;
        self.tables[i].new_chain(chain)
    }

    /// Appends a rule to a chain of the table of the rule's family (`-A`),
    /// noting the caller's line as its [`Origin`].
    #[track_caller]
    pub fn append(&mut self, table: &str, chain: &str, rule: Rule) -> Result<()> {
        self.append_from(table, chain, rule, Origin::Code(Location::caller()))
    }

    /// [`Ruleset::append`] with the origin given.
    pub fn append_from(
        &mut self,
        table: &str,
        chain: &str,
        rule: Rule,
        origin: Origin,
    ) -> Result<()> {
        let i = self.index_or_add(rule.family, table)?;
        let t = &mut self.tables[i];
        t.append(chain, rule)?;
        let len = t.chain(chain).map_or(0, |c| c.rules.len());
        let origins = self.origins[i].entry(chain.to_string()).or_default();
        // Out of step (the table was set whole without them): pad.
        origins.resize(len - 1, None);
        origins.push(Some(origin));
        Ok(())
    }

    /// Changes a table (added first if missing) with `f`, which gets the
    /// table to edit as [`Table`]'s methods edit it. All or nothing: when
    /// `f` fails, or leaves a table that does not validate, the rule set
    /// is as it was. Rules `f` adds get the caller's line as origin; rules
    /// it keeps keep theirs.
    ///
    /// ```
    /// use iptkit::declare::Ruleset;
    /// use iptkit::{Family, Rule};
    /// let mut rs = Ruleset::new();
    /// rs.edit(Family::Ipv6, "filter", |t| {
    ///     t.new_chain("web")?;
    ///     t.append("INPUT", Rule::parse(Family::Ipv6, "-p tcp --dport 443 -j web")?)?;
    ///     t.append("web", Rule::parse(Family::Ipv6, "-j ACCEPT")?)
    /// })?;
    /// assert_eq!(rs.table(Family::Ipv6, "filter").unwrap().chain("web").unwrap().rules.len(), 1);
    /// // A jump to a chain that is not there: refused, nothing changed.
    /// assert!(rs.edit(Family::Ipv6, "filter", |t| {
    ///     t.chain_mut("INPUT").unwrap().rules.push(Rule::parse(Family::Ipv6, "-j nosuch")?);
    ///     Ok(())
    /// }).is_err());
    /// assert_eq!(rs.table(Family::Ipv6, "filter").unwrap().chain("INPUT").unwrap().rules.len(), 1);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[track_caller]
    pub fn edit(
        &mut self,
        family: Family,
        table: &str,
        f: impl FnOnce(&mut Table) -> Result<()>,
    ) -> Result<()> {
        let at = Origin::Code(Location::caller());
        self.edit_from(family, table, f, |_, _| Some(at.clone()))
    }

    /// Edits a table with `f`, all or nothing, then gives every rule it
    /// added the origin `new_origin(chain, rule)` says.
    fn edit_from(
        &mut self,
        family: Family,
        table: &str,
        f: impl FnOnce(&mut Table) -> Result<()>,
        mut new_origin: impl FnMut(&str, &Rule) -> Option<Origin>,
    ) -> Result<()> {
        let had = self.index(family, table).is_some();
        let i = self.index_or_add(family, table)?;
        let mut next = self.tables[i].clone();
        let done = f(&mut next).and_then(|()| next.validate());
        if let Err(e) = done {
            if !had {
                self.tables.remove(i);
                self.origins.remove(i);
            }
            return Err(e);
        }
        let before = std::mem::replace(&mut self.tables[i], next);
        let mut origins = Origins::new();
        for c in &self.tables[i].chains {
            let old = before.chain(&c.name);
            let old_rules = old.map_or(&[][..], |o| &o.rules[..]);
            let old_origins = self.origins[i]
                .get(&c.name)
                .filter(|o| o.len() == old_rules.len());
            // Rules that stay keep their origin: paired as a commit pairs
            // them, so that a rule inserted or deleted moves nothing else.
            let kept = pair(old_rules, &c.rules);
            let list = kept
                .iter()
                .zip(&c.rules)
                .map(|(k, r)| match k {
                    Some(j) => old_origins.and_then(|o| o[*j].clone()),
                    None => new_origin(&c.name, r),
                })
                .collect();
            origins.insert(c.name.clone(), list);
        }
        self.origins[i] = origins;
        Ok(())
    }

    /// Plays iptables-restore input onto the tables of `family`, on top of
    /// what they hold (as `iptables-restore --noflush`: `-A` appends, `-I`
    /// inserts, `:CHAIN POLICY` sets a policy, `-N` or `:chain -` makes a
    /// chain). All or nothing. Each rule it adds gets its line of `text`
    /// as origin, under the name `source`.
    ///
    /// ```
    /// use iptkit::declare::Ruleset;
    /// use iptkit::Family;
    /// let mut rs = Ruleset::new();
    /// rs.restore(Family::Ipv4, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n", "base.rules")?;
    /// assert_eq!(rs.origin(Family::Ipv4, "filter", "INPUT", 0).unwrap().to_string(), "base.rules:3");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn restore(&mut self, family: Family, text: &str, source: &str) -> Result<()> {
        self.restore_shifted(family, text, source, 0)
    }

    /// [`Ruleset::restore`], origins `shift` lines before the lines of
    /// `text`.
    fn restore_shifted(
        &mut self,
        family: Family,
        text: &str,
        source: &str,
        shift: usize,
    ) -> Result<()> {
        let opts = RestoreOptions {
            noflush: true,
            ..RestoreOptions::default()
        };
        let blocks = parse_with(family, text, &opts)?;
        let source: Arc<str> = source.into();
        let mut next = self.clone();
        for block in &blocks {
            // The lines that add rules, by chain and rule text, in order:
            // each rule added takes the first line that adds one printing
            // the same.
            let mut lines: HashMap<(String, String), Vec<usize>> = HashMap::new();
            for (line, cmd) in block.commands.iter().rev() {
                if let Command::Append { chain, rules, .. } | Command::Insert { chain, rules, .. } =
                    cmd
                {
                    for r in rules {
                        let key = (chain.clone(), r.clone().normalized().to_string());
                        lines.entry(key).or_default().push(*line);
                    }
                }
            }
            let new_origin = |chain: &str, r: &Rule| {
                let line = lines.get_mut(&(chain.to_string(), r.to_string()))?.pop()?;
                Some(Origin::Text {
                    source: source.clone(),
                    line: line - shift,
                })
            };
            next.edit_from(family, &block.name, |t| block.apply(t, &opts), new_origin)?;
        }
        *self = next;
        Ok(())
    }

    /// Plays rule lines in iptables-restore syntax (`-A INPUT ...`, `-I`,
    /// `-N`, `-P`, `:chain - [0:0]`, comments) onto one table of `family`,
    /// as [`Ruleset::restore`] plays a `*table` block of them: the text
    /// has no `*table` and no `COMMIT` line. Origins and errors give the
    /// lines of `text`.
    ///
    /// ```
    /// use iptkit::declare::Ruleset;
    /// use iptkit::Family;
    /// let mut rs = Ruleset::new();
    /// let fragment = "# web\n-A INPUT -p tcp --dport 80 -j ACCEPT\n";
    /// rs.restore_rules(Family::Ipv4, "filter", fragment, "10-web.rules")?;
    /// assert_eq!(rs.origin(Family::Ipv4, "filter", "INPUT", 0).unwrap().to_string(), "10-web.rules:2");
    /// let e = rs.restore_rules(Family::Ipv4, "filter", "\n-A INPUT --bogus\n", "x").unwrap_err();
    /// assert!(matches!(e, iptkit::Error::Line { line: 2, .. }), "{e}");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn restore_rules(
        &mut self,
        family: Family,
        table: &str,
        text: &str,
        source: &str,
    ) -> Result<()> {
        empty_table(family, table)?;
        // One line in front of the text: every line number is one more.
        let block = format!("*{table}\n{text}\nCOMMIT\n");
        self.restore_shifted(family, &block, source, 1)
            .map_err(|e| shift_line(e, 1))
    }

    /// The rule set iptables-restore input makes of empty tables (each
    /// `*table` block of `text` played onto its table as it comes, as
    /// [`Ruleset::restore`] does): what a file of `iptables-save` output
    /// stands for. Origins are the lines of `text`, named `source`.
    pub fn parse(family: Family, text: &str, source: &str) -> Result<Ruleset> {
        let mut rs = Ruleset::new();
        rs.restore(family, text, source)?;
        Ok(rs)
    }

    /// Where rule `pos` of a chain was defined, when known.
    pub fn origin(&self, family: Family, table: &str, chain: &str, pos: usize) -> Option<&Origin> {
        let i = self.index(family, table)?;
        let len = self.tables[i].chain(chain)?.rules.len();
        let list = self.origins[i].get(chain).filter(|o| o.len() == len)?;
        list.get(pos)?.as_ref()
    }

    /// The tables of `family` as iptables-legacy-save prints them (no
    /// counters, no comment lines): iptables-restore input that makes
    /// exactly these tables.
    pub fn render(&self, family: Family) -> String {
        self.render_with(family, &RenderOptions::default())
    }

    /// The tables of `family` as iptables-restore input, printed as `how`
    /// says; with [`RenderOptions::origins`], each rule whose origin is
    /// known has a `# defined at ORIGIN` line above it.
    ///
    /// ```
    /// use iptkit::declare::{RenderOptions, Ruleset};
    /// use iptkit::{Family, Rule};
    /// let mut rs = Ruleset::new();
    /// rs.append("raw", "PREROUTING", Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?;
    /// let text = rs.render_with(Family::Ipv4, &RenderOptions { origins: true, ..Default::default() });
    /// let lines: Vec<&str> = text.lines().collect();
    /// assert!(lines[3].starts_with("# defined at ") && lines[3].contains(".rs:"));
    /// assert_eq!(lines[4], "-A PREROUTING -i lo -j ACCEPT");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn render_with(&self, family: Family, how: &RenderOptions) -> String {
        let mut out = String::new();
        for (t, origins) in self.tables.iter().zip(&self.origins) {
            if t.family != family {
                continue;
            }
            if !how.origins {
                out.push_str(&crate::syntax::restore::save_table_as(
                    t,
                    how.counters,
                    how.dialect,
                ));
                continue;
            }
            out.push_str(&head(t, how.counters));
            for c in &t.chains {
                let list = origins.get(&c.name).filter(|o| o.len() == c.rules.len());
                for (k, r) in c.rules.iter().enumerate() {
                    if let Some(o) = list.and_then(|l| l[k].as_ref()) {
                        out.push_str(&format!("# defined at {o}\n"));
                    }
                    out.push_str(&r.save_line_as(&c.name, how.counters, how.dialect));
                    out.push('\n');
                }
            }
            out.push_str("COMMIT\n");
        }
        out
    }
}

/// The error, its line number `by` lines back.
fn shift_line(e: Error, by: usize) -> Error {
    match e {
        Error::Line { line, source } => Error::Line {
            line: line.saturating_sub(by),
            source,
        },
        Error::InTable { table, source } => Error::InTable {
            table,
            source: Box::new(shift_line(*source, by)),
        },
        e => e,
    }
}

/// The `*table` line and the chain lines of a table, as a save prints
/// them.
fn head(t: &Table, counters: bool) -> String {
    // The chains without their rules (which are not copied).
    let chains = t.chains.iter().map(|c| crate::Chain {
        rules: Vec::new(),
        name: c.name.clone(),
        ..*c
    });
    let empty = Table {
        family: t.family,
        name: t.name.clone(),
        chains: chains.collect(),
    };
    let text = crate::syntax::restore::save_table(&empty, counters);
    text.strip_suffix("COMMIT\n").unwrap_or(&text).to_string()
}

impl fmt::Display for Ruleset {
    /// Every family's tables as [`Ruleset::render`] prints them, each
    /// family under a comment line naming it (`# ipv4` / `# ipv6`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for family in self.families() {
            writeln!(f, "# {}", family_name(family))?;
            f.write_str(&self.render(family))?;
        }
        Ok(())
    }
}

/// `ipv4` or `ipv6`.
pub(crate) fn family_name(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

/// The table an absent one stands for: empty, its built-in chains with
/// policy ACCEPT (what the kernel makes when it first makes it).
pub(crate) fn empty_table(family: Family, name: &str) -> Result<Table> {
    if builtin_chains(name).is_none() {
        return Err(Error::NoSuchTable(name.into()));
    }
    Table::new(family, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(f: Family, s: &str) -> Rule {
        Rule::parse(f, s).unwrap()
    }

    #[test]
    fn tables_keep_the_order_nft_save_prints() {
        let mut rs = Ruleset::new();
        rs.add_table(Family::Ipv6, "nat").unwrap();
        rs.add_table(Family::Ipv4, "filter").unwrap();
        rs.add_table(Family::Ipv4, "mangle").unwrap();
        rs.add_table(Family::Ipv6, "raw").unwrap();
        let names: Vec<(Family, &str)> = rs
            .tables()
            .iter()
            .map(|t| (t.family, t.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (Family::Ipv4, "mangle"),
                (Family::Ipv4, "filter"),
                (Family::Ipv6, "raw"),
                (Family::Ipv6, "nat")
            ]
        );
        assert!(matches!(
            rs.add_table(Family::Ipv4, "nosuch"),
            Err(Error::NoSuchTable(_))
        ));
    }

    #[test]
    fn origins_follow_rules_through_edits_and_restores() {
        let f = Family::Ipv4;
        let mut rs = Ruleset::new();
        rs.append("filter", "INPUT", rule(f, "-s 192.0.2.1 -j DROP"))
            .unwrap();
        let first = rs.origin(f, "filter", "INPUT", 0).cloned().unwrap();
        rs.restore(
            f,
            "*filter\n-I INPUT -s 192.0.2.2 -j DROP\n-A INPUT -s 192.0.2.3 -j DROP\nCOMMIT\n",
            "frag",
        )
        .unwrap();
        let at = |rs: &Ruleset, i| rs.origin(f, "filter", "INPUT", i).unwrap().to_string();
        assert_eq!(at(&rs, 0), "frag:2");
        assert_eq!(at(&rs, 1), first.to_string());
        assert_eq!(at(&rs, 2), "frag:3");
        // A failed restore changes nothing.
        let before = rs.clone();
        assert!(rs
            .restore(
                f,
                "*filter\n-A INPUT -j DROP\n-A INPUT -j nosuch\nCOMMIT\n",
                "bad"
            )
            .is_err());
        assert_eq!(rs, before);
        assert_eq!(at(&rs, 2), "frag:3");
        let text = rs.render_with(
            f,
            &RenderOptions {
                origins: true,
                ..RenderOptions::default()
            },
        );
        assert!(text.contains("# defined at frag:2\n-A INPUT -s 192.0.2.2/32 -j DROP\n"));
        // Comment lines are what iptables-restore skips: the text reads back.
        let back = Ruleset::parse(f, &text, "rendered").unwrap();
        assert_eq!(back, rs);
    }

    #[test]
    fn a_template_rule_is_extended_by_cloning() {
        use crate::matches::tcp::Tcp;
        use crate::{Net, Target};
        let ssh = Rule::new(Family::Ipv6).with_match(Tcp::dport(22));
        let mut rs = Ruleset::new();
        rs.new_chain(Family::Ipv6, "filter", "admins").unwrap();
        let from = |n: &str| Net::parse(Family::Ipv6, n).unwrap();
        rs.append(
            "filter",
            "INPUT",
            ssh.clone()
                .source(from("2001:db8::/32"))
                .with_target(Target::Jump("admins".into())),
        )
        .unwrap();
        rs.append("filter", "INPUT", ssh.clone().with_target(Target::Drop))
            .unwrap();
        assert_eq!(
            rs.render(Family::Ipv6),
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
             :admins - [0:0]\n-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22 -j admins\n\
             -A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n"
        );
        assert_eq!(rs.render(Family::Ipv4), "");
    }
}
