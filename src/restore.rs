//! A file of iptables-restore input applied whole: every table of it lands,
//! or none does.
//!
//! iptables-restore commits each table at its `COMMIT` line, so a file
//! whose second table is refused leaves the first one changed. [`apply`]
//! does not:
//!
//! 1. Every table the input names is read (legacy: under the xtables lock,
//!    held to the end, as iptables-legacy-restore holds it), every block is
//!    played onto its table ([`TableBlock::apply`]) and every table checked
//!    whole ([`Table::validate`]: jumps to missing chains, chains still
//!    referenced, loops, ...). The first error, naming the table and line
//!    ([`Error::InTable`]), stops everything before anything is sent.
//! 2. nf_tables: all tables go in one netlink batch, carrying the ruleset
//!    generation all reads were made at. The kernel applies a batch whole
//!    or not at all; when the ruleset moved on since the reads, everything
//!    is read and played again (as a [`Handle`] retries), and
//!    a batch the kernel accepted is never sent again nor reported failed.
//! 3. Legacy: SET_REPLACE swaps one table, so tables are committed one by
//!    one, after the library's own checks of every table (encoding,
//!    revisions, sets; [`Error::Refused`] for a missing revision). When the
//!    kernel refuses a later table, the tables committed before it are put
//!    back as they were, their counters as SET_REPLACE handed them back at
//!    the swap (with what they counted since, for rules the input kept),
//!    and the error says so ([`Error::RolledBack`]). If putting back fails
//!    too, the error names the tables left changed ([`Error::NotRolledBack`]).
//!
//! Memory: a restore holds each table as it is played and, while it is
//! committed, what is sent for it, never two whole copies of its rules.
//! [`apply_bytes`] parses each line as it plays it (parsed first, the
//! 50,000 rules of a big file would be a second copy), and the last
//! legacy table committed is given up to the encoder, each rule dropped
//! once its entry is written (the blob is about as big as the rules).
//! The input's text stays: a retry plays it again, and a refused rule is
//! named with its line by parsing it again.
//!
//! On nf_tables the tables and base chains are laid out as
//! iptables-nft-restore lays them out: a built-in chain the input names
//! (`:CHAIN POLICY`, `-P CHAIN`, `-F CHAIN`) is created even without
//! rules, and a flushing restore leaves no base chain the input neither
//! names nor fills (iptables-nft-restore deletes the table and makes it
//! anew). Unlike iptables-nft-restore, a flushing restore keeps the policy
//! of a built-in chain the input does not name (as iptables-legacy-restore
//! does): a chain with policy DROP stays.

use crate::addr::Family;
use crate::backend::{
    self, Backend, BaseChains, Chains, Committed, Driver, Loaded, State, TableCommit,
};
use crate::error::{Error, Result};
use crate::handle::{commit_lock, Handle, Options, COMMIT_ATTEMPTS};
use crate::ruleset::{builtin_chains, Chain, Table};
use crate::syntax::restore::{
    each_line_bytes, ChainDecl, Command, Line, Play, RestoreOptions, TableBlock,
};

/// What one block of the input did.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    /// The block's table.
    pub table: String,
    /// The table the block was played onto: as read from the kernel, or as
    /// an earlier block of the same table left it. `None` when it was not
    /// read (see [`apply`]).
    pub before: Option<Table>,
    /// The table after the block. After [`apply`], for the table's last
    /// block: what the kernel now holds (rules as a read gives them back,
    /// counters as the commit gave them). `None` when it was not read, or
    /// when its commit used it up (legacy: the last table committed, see
    /// the [module](self)).
    pub after: Option<Table>,
}

/// Applies the parsed blocks of one input ([`parse_with`]) to the tables of
/// `family`, through the backend and lock of `options`: all of it or
/// nothing (see the [module](self)). Returns what each block did, in input
/// order.
///
/// An input of one `--noflush` block that names no built-in chain goes
/// through a [`Handle`] as [`Handle::restore`] takes it (one table is
/// atomic by itself): appends and head inserts are then sent without
/// reading the table, and [`Played`] holds no table.
///
/// [`parse_with`]: crate::syntax::restore::parse_with
///
/// ```
/// use iptkit::syntax::restore::{parse, RestoreOptions};
/// use iptkit::{Error, Family, Handle, Options};
/// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
/// let (flags, options) = (RestoreOptions::default(), Options::default());
/// let input = "*filter\n-A INPUT -s 192.0.2.1/32 -j DROP\nCOMMIT\n\
///              *mangle\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n";
/// iptkit::restore::apply(Family::Ipv4, &parse(Family::Ipv4, input)?, &flags, &options)?;
/// assert_eq!(Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.len(), 1);
/// // The second table of this input jumps to a missing chain: nothing lands.
/// let bad = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*mangle\n-A INPUT -j nosuch\nCOMMIT\n";
/// let e = iptkit::restore::apply(Family::Ipv4, &parse(Family::Ipv4, bad)?, &flags, &options);
/// assert!(matches!(e, Err(Error::InTable { ref table, .. }) if table == "mangle"));
/// let rules = Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.to_vec();
/// assert_eq!(rules[0].to_string(), "-s 192.0.2.1/32 -j DROP"); // filter as it was
/// # Ok::<(), iptkit::Error>(())
/// ```
pub fn apply(
    family: Family,
    blocks: &[TableBlock],
    opts: &RestoreOptions,
    options: &Options,
) -> Result<Vec<Played>> {
    if let [block] = blocks {
        if opts.noflush && base_chains(blocks, &block.name, opts).named.is_empty() {
            let mut handle = Handle::open_with(family, &block.name, options.clone())?;
            // Held from the read to the commit, as iptables-restore holds
            // it for its whole run: the commit need not read again.
            handle.hold_lock()?;
            handle.restore(block.clone(), opts)?;
            handle.commit()?;
            return Ok(vec![Played {
                table: block.name.clone(),
                before: None,
                after: None,
            }]);
        }
    }
    run(family, Input::Blocks(blocks), opts, options, true)
}

/// Applies iptables-restore input as [`apply`] applies its parsed blocks,
/// parsing each line as it is played: the input is never held parsed
/// whole (a file of 50,000 rules would be as much again as the tables
/// made of it). The first line that fails, to parse or to play, stops
/// everything, as in iptables-restore; [`apply`] of
/// [`parse_bytes_with`]'s blocks reports a line that does not parse
/// before any other error. A `--noflush` input is parsed first (it may
/// go through a [`Handle`], see [`apply`]).
///
/// [`parse_bytes_with`]: crate::syntax::restore::parse_bytes_with
pub fn apply_bytes(
    family: Family,
    input: &[u8],
    opts: &RestoreOptions,
    options: &Options,
) -> Result<Vec<Played>> {
    if opts.noflush {
        let blocks = crate::syntax::restore::parse_bytes_with(family, input, opts)?;
        return apply(family, &blocks, opts, options);
    }
    run(family, Input::Text(input), opts, options, true)
}

/// Plays and checks the blocks as [`apply`] does, against what the kernel
/// holds, and commits nothing (iptables-restore's `--test`).
pub fn check(
    family: Family,
    blocks: &[TableBlock],
    opts: &RestoreOptions,
    options: &Options,
) -> Result<Vec<Played>> {
    run(family, Input::Blocks(blocks), opts, options, false)
}

/// [`check`] of iptables-restore input, parsed as it is played (see
/// [`apply_bytes`]).
pub fn check_bytes(
    family: Family,
    input: &[u8],
    opts: &RestoreOptions,
    options: &Options,
) -> Result<Vec<Played>> {
    run(family, Input::Text(input), opts, options, false)
}

/// Where the lines played come from.
#[derive(Clone, Copy)]
enum Input<'a> {
    /// Blocks parsed already.
    Blocks(&'a [TableBlock]),
    /// Text, parsed as it is played.
    Text(&'a [u8]),
}

impl<'a> Input<'a> {
    /// Hands each line to `each`, in input order; stops at the first error.
    fn each(
        self,
        family: Family,
        opts: &RestoreOptions,
        mut each: impl FnMut(Line) -> Result<()>,
    ) -> Result<()> {
        match self {
            Input::Text(text) => each_line_bytes(family, text, opts, each),
            Input::Blocks(blocks) => blocks.iter().try_for_each(|b| {
                let name = b.name.clone();
                each(Line::Table { name, line: b.line })?;
                b.lines().try_for_each(&mut each)?;
                each(Line::Commit)
            }),
        }
    }

    /// The input as blocks, to look something up (the input parsed again:
    /// only when a commit was refused).
    fn blocks(self, family: Family, opts: &RestoreOptions) -> std::borrow::Cow<'a, [TableBlock]> {
        match self {
            Input::Blocks(blocks) => blocks.into(),
            Input::Text(text) => crate::syntax::restore::parse_bytes_with(family, text, opts)
                .unwrap_or_default()
                .into(),
        }
    }
}

/// A rule refused at commit ([`Error::Refused`]) names its chain and rule;
/// this adds the line of the input that added it (`line_of(table, chain,
/// rule)`).
fn with_line(e: Error, line_of: &dyn Fn(&str, &str, &str) -> Option<usize>) -> Error {
    match e {
        Error::InTable { table, source } => Error::InTable {
            table,
            source: Box::new(with_line(*source, line_of)),
        },
        Error::RolledBack {
            table,
            source,
            restored,
        } => Error::RolledBack {
            table,
            source: Box::new(with_line(*source, line_of)),
            restored,
        },
        Error::NotRolledBack {
            table,
            source,
            put_back,
            changed,
            restored,
        } => Error::NotRolledBack {
            table,
            source: Box::new(with_line(*source, line_of)),
            put_back,
            changed,
            restored,
        },
        Error::Refused {
            ref table,
            ref chain,
            ref rule,
            ..
        } => match line_of(table, chain, rule) {
            Some(line) => e.at_line(line),
            None => e,
        },
        e => e,
    }
}

/// The line of `blocks` that adds `rule` to `chain` of `table`: the first
/// that adds a rule printing the same to that chain of that table.
fn line_of(blocks: &[TableBlock], table: &str, chain: &str, rule: &str) -> Option<usize> {
    let adds = |c: &str, r: &crate::Rule| c == chain && r.to_string() == rule;
    blocks
        .iter()
        .filter(|b| b.name == table)
        .flat_map(|b| &b.commands)
        .find_map(|(line, cmd)| {
            let found = match cmd {
                Command::Append {
                    chain: c, rules, ..
                }
                | Command::Insert {
                    chain: c, rules, ..
                } => rules.iter().any(|r| adds(c, r)),
                Command::Replace {
                    chain: c, rule: r, ..
                } => adds(c, r),
                _ => false,
            };
            found.then_some(*line)
        })
}

fn run(
    family: Family,
    input: Input,
    opts: &RestoreOptions,
    options: &Options,
    commit: bool,
) -> Result<Vec<Played>> {
    let result = attempts(options, |reads| once(reads, family, input, opts, commit));
    let line = |t: &str, c: &str, r: &str| line_of(&input.blocks(family, opts), t, c, r);
    result.map_err(|e| with_line(e, &line))
}

/// Runs `once` under the commit lock of `options`' backend until it does
/// not meet a table that changed since it read it
/// ([`Error::TableChanged`]), at most [`COMMIT_ATTEMPTS`] times: each
/// attempt reads anew through the [`Reads`] it is given. What a
/// declarative rule set ([`crate::declare`]) lands goes through here too.
pub(crate) fn attempts<T>(
    options: &Options,
    mut once: impl FnMut(Reads<'_>) -> Result<T>,
) -> Result<T> {
    let backend = options.backend.resolve().0;
    let mut driver = backend::driver(backend);
    let _lock = commit_lock(backend, options)?;
    let mut attempt = 1;
    loop {
        let reads = Reads {
            driver: &mut *driver,
            legacy: backend == Backend::Legacy,
            existing: Vec::new(),
        };
        match once(reads) {
            Err(Error::TableChanged { .. }) if attempt < COMMIT_ATTEMPTS => {
                backend::backoff(attempt);
                attempt += 1;
            }
            Err(Error::TableChanged { table, .. }) => {
                return Err(Error::TableChanged {
                    table,
                    attempts: attempt,
                })
            }
            result => return result,
        }
    }
}

/// How one attempt reads the tables it lands.
pub(crate) struct Reads<'d> {
    driver: &'d mut dyn Driver,
    /// A legacy table springs into existence when it is first read: one
    /// that does not exist yet is worked on as the empty table it will be,
    /// and read only once everything passed every check ([`land`]).
    legacy: bool,
    /// Legacy: the tables that exist, by family, listed on first need.
    existing: Vec<(Family, Vec<String>)>,
}

impl Reads<'_> {
    /// Table `name` as read, or the empty table it will be when it is
    /// read (`true`: not read yet).
    pub(crate) fn load(&mut self, family: Family, name: &str) -> Result<(Loaded, bool)> {
        if self.legacy {
            if !self.existing.iter().any(|(f, _)| *f == family) {
                let names = backend::existing_tables(Backend::Legacy, family)?;
                self.existing.push((family, names));
            }
            let exists = self
                .existing
                .iter()
                .any(|(f, names)| *f == family && names.iter().any(|n| n == name));
            if !exists {
                return unread(family, name);
            }
        }
        Ok((self.driver.load(family, name)?, false))
    }
}

/// The empty table a legacy table that does not exist yet will be when
/// it is read, not read yet.
fn unread(family: Family, name: &str) -> Result<(Loaded, bool)> {
    let loaded = Loaded {
        table: Table::new(family, name)?,
        state: State::Legacy(Default::default()),
        only: None,
    };
    Ok((loaded, true))
}

/// One table to land: as read, and as it must become.
pub(crate) struct Work {
    pub(crate) loaded: Loaded,
    /// `loaded` is the empty table it will be, not read yet.
    pub(crate) unread: bool,
    pub(crate) new: Table,
    /// Which built-in chains must exist (nf_tables).
    pub(crate) base: BaseChains,
}

impl Work {
    fn new((loaded, unread): (Loaded, bool), opts: &RestoreOptions) -> Work {
        Work {
            unread,
            // A flushing restore keeps no rule: copy none.
            new: match opts.noflush {
                true => loaded.table.clone(),
                false => cleared(&loaded.table),
            },
            loaded,
            base: BaseChains {
                named: Chains::new(),
                only_named: !opts.noflush,
            },
        }
    }

    /// Notes the built-in chains a line of a block names (see
    /// [`base_chains`]).
    fn note(&mut self, line: &Line) {
        match line {
            // Each block flushes what the ones before did.
            Line::Table { .. } if self.base.only_named => self.base.named.clear(),
            Line::Chain(d) => note_decl(&mut self.base, d),
            Line::Command(_, cmd) => note_command(&mut self.base, &self.loaded.table.name, cmd),
            _ => {}
        }
    }
}

/// The table cleared as [`Table::clear`] clears it, without copying rules.
fn cleared(t: &Table) -> Table {
    let builtins = t.chains.iter().filter(|c| c.is_builtin());
    Table {
        family: t.family,
        name: t.name.clone(),
        chains: builtins
            .map(|c| Chain {
                name: c.name.clone(),
                policy: c.policy,
                counters: c.counters,
                rules: Vec::new(),
            })
            .collect(),
    }
}

/// The built-in chains the blocks of `table` name (those of its last
/// block, when each block flushes the table).
fn base_chains(blocks: &[TableBlock], table: &str, opts: &RestoreOptions) -> BaseChains {
    let mut base = BaseChains {
        named: Chains::new(),
        only_named: !opts.noflush,
    };
    for b in blocks.iter().filter(|b| b.name == table) {
        if base.only_named {
            base.named.clear();
        }
        b.chains.iter().for_each(|d| note_decl(&mut base, d));
        for (_, cmd) in &b.commands {
            note_command(&mut base, table, cmd);
        }
    }
    base
}

/// A `:CHAIN POLICY` line names a built-in chain.
fn note_decl(base: &mut BaseChains, d: &ChainDecl) {
    if d.policy.is_some() {
        base.named.insert(d.name.clone());
    }
}

/// `-P CHAIN` and `-F CHAIN` name a chain of `table`, built-in or not.
fn note_command(base: &mut BaseChains, table: &str, cmd: &Command) {
    if let Command::Policy { chain, .. } | Command::Flush(Some(chain)) = cmd {
        if builtin_chains(table).is_some_and(|b| b.contains(&chain.as_str())) {
            base.named.insert(chain.clone());
        }
    }
}

pub(crate) fn in_table(table: &str, e: Error) -> Error {
    Error::InTable {
        table: table.into(),
        source: Box::new(e),
    }
}

/// Reads the tables of the input as its blocks come, plays each line onto
/// its table, checks the tables, and commits them when `commit`.
fn once(
    mut reads: Reads,
    family: Family,
    input: Input,
    opts: &RestoreOptions,
    commit: bool,
) -> Result<Vec<Played>> {
    let mut tables: Vec<Work> = Vec::new();
    // Per block: its table, and the table before and after it when
    // another block of the same table comes before or after (copies are
    // made only then: tables can be big).
    let mut played: Vec<(usize, Option<Table>, Option<Table>)> = Vec::new();
    let mut open: Option<Play> = None;
    input.each(family, opts, |line| {
        if let Line::Table { name, .. } = &line {
            let i = match tables.iter().position(|w| w.loaded.table.name == *name) {
                Some(i) => i,
                None => {
                    let loaded = reads.load(family, name).map_err(|e| in_table(name, e))?;
                    tables.push(Work::new(loaded, opts));
                    tables.len() - 1
                }
            };
            let w = &mut tables[i];
            // The table an earlier block of it left is this one's before,
            // and that one's after.
            let before = played.iter_mut().rev().find(|p| p.0 == i).map(|earlier| {
                earlier.2 = Some(w.new.clone());
                w.new.clone()
            });
            played.push((i, before, None));
            open = Some(Play::begin(&mut w.new, opts));
        }
        // The parser hands out no other line outside a block.
        let Some(&(i, ..)) = played.last() else {
            return Ok(());
        };
        let w = &mut tables[i];
        w.note(&line);
        let played = match line {
            Line::Commit => open.take().map_or(Ok(()), |p| p.finish(&mut w.new)),
            line => open.as_mut().map_or(Ok(()), |p| p.line(&mut w.new, line)),
        };
        played.map_err(|e| in_table(&w.loaded.table.name, e))
    })?;
    let outcomes = land(&mut reads, &mut tables, commit)?;
    // The table as it ends: as committed (as a read gives it back, with
    // the counters the commit gave), or as played.
    let mut ends: Vec<Option<Table>> = tables
        .iter_mut()
        .zip(outcomes)
        .map(|(w, o)| match o {
            Outcome::Kept => Some(std::mem::take(&mut w.new)),
            Outcome::Committed(c) => Some(c.into_loaded(std::mem::take(&mut w.new)).0.table),
            Outcome::Spent => None,
        })
        .collect();
    let mut firsts: Vec<Option<Table>> = tables.into_iter().map(|w| Some(w.loaded.table)).collect();
    let names: Vec<String> = firsts.iter().flatten().map(|t| t.name.clone()).collect();
    Ok(played
        .into_iter()
        .map(|(i, before, after)| Played {
            table: names[i].clone(),
            before: before.or_else(|| firsts[i].take()),
            after: after.or_else(|| ends[i].take()),
        })
        .collect())
}

/// Checks every table whole, reads the tables worked on unread (which
/// makes them; one somebody filled meanwhile is [`Error::TableChanged`]),
/// and commits them all or none when `commit` (else runs the backend's
/// checks and sends nothing). What became of each table, in order.
pub(crate) fn land(reads: &mut Reads, tables: &mut [Work], commit: bool) -> Result<Vec<Outcome>> {
    for w in tables.iter() {
        w.new.validate().map_err(|e| in_table(&w.new.name, e))?;
    }
    for w in tables.iter_mut().filter(|w| w.unread) {
        let loaded = reads
            .driver
            .load(w.new.family, &w.new.name)
            .map_err(|e| in_table(&w.new.name, e))?;
        if loaded.table != w.loaded.table {
            return Err(Error::TableChanged {
                table: w.new.name.clone(),
                attempts: 1,
            });
        }
        w.loaded = loaded;
        w.unread = false;
    }
    let driver = &mut *reads.driver;
    match commit {
        false => {
            for w in tables.iter() {
                driver
                    .check(&w.loaded, &w.new)
                    .map_err(|e| in_table(&w.new.name, e))?;
            }
            Ok(tables.iter().map(|_| Outcome::Kept).collect())
        }
        true => commit_all(driver, tables),
    }
}

/// What [`commit_all`] did with a table.
pub(crate) enum Outcome {
    /// Nothing: the table stays as it is.
    Kept,
    /// Committed (boxed: it holds the blob's bookkeeping).
    Committed(Box<Committed>),
    /// Committed, and the table used up on the way
    /// ([`Driver::commit_owned`]).
    Spent,
}

/// Commits every table: as one transaction where the backend has one,
/// else one by one, putting back the ones committed when a later one
/// fails.
fn commit_all(driver: &mut dyn Driver, tables: &mut [Work]) -> Result<Vec<Outcome>> {
    let commits: Vec<TableCommit<'_>> = tables
        .iter()
        .map(|w| TableCommit {
            loaded: &w.loaded,
            new: &w.new,
            base: w.base.clone(),
        })
        .collect();
    if let Some(done) = driver
        .commit_tables(&commits)
        .map_err(|e| name_table(e, tables))?
    {
        return Ok(done
            .into_iter()
            .map(|c| Outcome::Committed(Box::new(c)))
            .collect());
    }
    // One by one. A table that stays as it is is not sent.
    let changed: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].new != tables[i].loaded.table)
        .collect();
    // Everything the library can refuse is refused before the first
    // commit (the first table's own commit checks it before it sends).
    for &i in changed.iter().skip(1) {
        let w = &tables[i];
        driver
            .check(&w.loaded, &w.new)
            .map_err(|e| in_table(&w.new.name, e))?;
    }
    let mut done: Vec<(usize, Committed)> = Vec::new();
    for (k, &i) in changed.iter().enumerate() {
        // Nothing is put back after the last commit: it may use its table
        // up (a big table is then never held beside its blob).
        let last = k + 1 == changed.len();
        let w = &mut tables[i];
        let committed = match last {
            true => driver.commit_owned(&w.loaded, std::mem::take(&mut w.new)),
            false => driver.commit(&w.loaded, &w.new),
        };
        match committed {
            Ok(c) => done.push((i, c)),
            Err(e) if done.is_empty() => return Err(e),
            Err(e) => return Err(put_back(driver, tables, done, i, e)),
        }
    }
    // A table whose counters could not be restored is committed: say so
    // once everything landed.
    if let Some(e) = done.iter_mut().find_map(|(_, c)| c.error.take()) {
        return Err(e);
    }
    let mut out: Vec<Outcome> = (0..tables.len()).map(|_| Outcome::Kept).collect();
    for (i, c) in done {
        out[i] = match Some(i) == changed.last().copied() {
            true => Outcome::Spent,
            false => Outcome::Committed(Box::new(c)),
        };
    }
    Ok(out)
}

/// The nf_tables batch's refusal names the table in its purpose; a
/// generation that moved needs no name.
fn name_table(e: Error, tables: &[Work]) -> Error {
    match (e, tables) {
        (e @ Error::TableChanged { .. }, _) => e,
        (e, [only]) => in_table(&only.new.name, e),
        (e, _) => e,
    }
}

/// Puts the tables of `done` (committed, in order) back as they were read,
/// after table `failed` was refused with `cause`. The error to report:
/// `cause` itself when it was [`Error::TableChanged`] and everything is back
/// (the caller reads and tries again), else what happened to whom.
fn put_back(
    driver: &mut dyn Driver,
    tables: &[Work],
    done: Vec<(usize, Committed)>,
    failed: usize,
    cause: Error,
) -> Error {
    let (mut restored, mut changed, mut why) = (Vec::new(), Vec::new(), None);
    for (i, c) in done.into_iter().rev() {
        let w = &tables[i];
        let name = w.new.name.clone();
        // Counters as the swap handed them back: a rule the input kept
        // pairs with itself and keeps what it counted since.
        let mut back = w.loaded.table.clone();
        w.loaded.state.set_counters(&c.replaced, &mut back);
        let (now, _) = c.into_loaded(w.new.clone());
        match driver.commit(&now, &back) {
            Ok(c) => {
                restored.push(name);
                if let (None, Some(e)) = (&why, c.error) {
                    why = Some(e);
                }
            }
            Err(e) => {
                changed.push(name);
                why.get_or_insert(e);
            }
        }
    }
    restored.reverse();
    changed.reverse();
    let table = tables[failed].loaded.table.name.clone();
    match why {
        None if matches!(cause, Error::TableChanged { .. }) => cause,
        None => Error::RolledBack {
            table,
            source: Box::new(cause),
            restored,
        },
        Some(put_back) => Error::NotRolledBack {
            table,
            source: Box::new(cause),
            put_back: Box::new(put_back),
            changed,
            restored,
        },
    }
}
