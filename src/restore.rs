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
use crate::syntax::restore::{Command, RestoreOptions, TableBlock};

/// What one block of the input did.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    /// The table the block was played onto: as read from the kernel, or as
    /// an earlier block of the same table left it. `None` when it was not
    /// read (see [`apply`]).
    pub before: Option<Table>,
    /// The table after the block. After [`apply`], for the table's last
    /// block: what the kernel now holds (rules as a read gives them back,
    /// counters as the commit gave them). `None` when it was not read.
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
                before: None,
                after: None,
            }]);
        }
    }
    run(family, blocks, opts, options, true).map_err(|e| with_line(blocks, e))
}

/// Plays and checks the blocks as [`apply`] does, against what the kernel
/// holds, and commits nothing (iptables-restore's `--test`).
pub fn check(
    family: Family,
    blocks: &[TableBlock],
    opts: &RestoreOptions,
    options: &Options,
) -> Result<Vec<Played>> {
    run(family, blocks, opts, options, false).map_err(|e| with_line(blocks, e))
}

/// A rule refused at commit ([`Error::Refused`]) names its chain and rule;
/// this adds the line of the input that added it (the first that adds a
/// rule printing the same to that chain of that table).
fn with_line(blocks: &[TableBlock], e: Error) -> Error {
    match e {
        Error::InTable { table, source } => Error::InTable {
            table,
            source: Box::new(with_line(blocks, *source)),
        },
        Error::RolledBack {
            table,
            source,
            restored,
        } => Error::RolledBack {
            table,
            source: Box::new(with_line(blocks, *source)),
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
            source: Box::new(with_line(blocks, *source)),
            put_back,
            changed,
            restored,
        },
        Error::Refused {
            ref table,
            ref chain,
            ref rule,
            ..
        } => match line_of(blocks, table, chain, rule) {
            Some(line) => e.at_line(line),
            None => e,
        },
        e => e,
    }
}

/// The line of `blocks` that adds `rule` to `chain` of `table`.
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
    blocks: &[TableBlock],
    opts: &RestoreOptions,
    options: &Options,
    commit: bool,
) -> Result<Vec<Played>> {
    let backend = options.backend.resolve().0;
    let mut driver = backend::driver(backend);
    let _lock = commit_lock(backend, options)?;
    let mut names: Vec<&str> = Vec::new();
    for b in blocks {
        if !names.contains(&b.name.as_str()) {
            names.push(&b.name);
        }
    }
    let mut attempt = 1;
    loop {
        // A legacy table springs into existence when it is first read: one
        // that does not exist yet is played onto as the empty table it will
        // be, and read only once the input passed every check.
        let legacy = backend == Backend::Legacy;
        let existing = match legacy {
            true => backend::existing_tables(backend, family)?,
            false => Vec::new(),
        };
        let tables = names
            .iter()
            .map(|n| {
                let loaded = match legacy && !existing.iter().any(|e| e == n) {
                    true => unread(family, n),
                    false => driver.load(family, n).map(|l| (l, false)),
                };
                loaded
                    .map_err(|e| in_table(n, e))
                    .map(|(loaded, unread)| Work::new(loaded, unread, blocks, opts))
            })
            .collect::<Result<Vec<_>>>()?;
        match once(&mut *driver, tables, blocks, opts, commit) {
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

/// One table of the input: as read, and as the blocks make it.
struct Work {
    loaded: Loaded,
    /// `loaded` is the empty table it will be, not read yet.
    unread: bool,
    new: Table,
    base: BaseChains,
}

impl Work {
    fn new(loaded: Loaded, unread: bool, blocks: &[TableBlock], opts: &RestoreOptions) -> Work {
        let name = loaded.table.name.clone();
        Work {
            unread,
            // A flushing restore keeps no rule: copy none.
            new: match opts.noflush {
                true => loaded.table.clone(),
                false => cleared(&loaded.table),
            },
            loaded,
            base: base_chains(blocks, &name, opts),
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
    let builtin = builtin_chains(table).unwrap_or(&[]);
    let mut named = Chains::new();
    for b in blocks.iter().filter(|b| b.name == table) {
        if !opts.noflush {
            named.clear();
        }
        let declared = b.chains.iter().filter(|d| d.policy.is_some());
        named.extend(declared.map(|d| d.name.clone()));
        for (_, cmd) in &b.commands {
            if let Command::Policy { chain, .. } | Command::Flush(Some(chain)) = cmd {
                if builtin.contains(&chain.as_str()) {
                    named.insert(chain.clone());
                }
            }
        }
    }
    BaseChains {
        named,
        only_named: !opts.noflush,
    }
}

fn in_table(table: &str, e: Error) -> Error {
    Error::InTable {
        table: table.into(),
        source: Box::new(e),
    }
}

/// Plays the blocks onto the tables read, checks them, and commits them
/// when `commit`.
fn once(
    driver: &mut dyn Driver,
    mut tables: Vec<Work>,
    blocks: &[TableBlock],
    opts: &RestoreOptions,
    commit: bool,
) -> Result<Vec<Played>> {
    // Per block: its table, and the table before and after it when
    // another block of the same table comes before or after (copies are
    // made only then: tables can be big).
    let mut played = Vec::with_capacity(blocks.len());
    for (k, block) in blocks.iter().enumerate() {
        let same = |b: &TableBlock| b.name == block.name;
        let i = tables
            .iter()
            .position(|w| w.new.name == block.name)
            .ok_or_else(|| Error::NoSuchTable(block.name.clone()))?;
        let w = &mut tables[i];
        let before = blocks[..k].iter().any(same).then(|| w.new.clone());
        block
            .apply(&mut w.new, opts)
            .map_err(|e| in_table(&block.name, e))?;
        let after = blocks[k + 1..].iter().any(same).then(|| w.new.clone());
        played.push((i, before, after));
    }
    for w in &tables {
        w.new.validate().map_err(|e| in_table(&w.new.name, e))?;
    }
    // Tables played onto as they would be: read them now (which makes
    // them); one somebody filled meanwhile is played onto again.
    for w in tables.iter_mut().filter(|w| w.unread) {
        let loaded = driver
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
    let committed = match commit {
        false => {
            for w in &tables {
                driver
                    .check(&w.loaded, &w.new)
                    .map_err(|e| in_table(&w.new.name, e))?;
            }
            tables.iter().map(|_| None).collect()
        }
        true => commit_all(driver, &tables)?,
    };
    // The table as it ends: as committed (as a read gives it back, with
    // the counters the commit gave), or as played.
    let mut ends: Vec<Table> = tables
        .iter_mut()
        .zip(committed)
        .map(|(w, c)| match c {
            Some(c) => c.into_loaded(std::mem::take(&mut w.new)).0.table,
            None => std::mem::take(&mut w.new),
        })
        .collect();
    let mut firsts: Vec<Option<Table>> = tables.into_iter().map(|w| Some(w.loaded.table)).collect();
    Ok(played
        .into_iter()
        .map(|(i, before, after)| Played {
            before: before.or_else(|| firsts[i].take()),
            after: Some(after.unwrap_or_else(|| std::mem::take(&mut ends[i]))),
        })
        .collect())
}

/// Commits every table: as one transaction where the backend has one,
/// else one by one, putting back the ones committed when a later one
/// fails. `None` for a table left as it was.
fn commit_all(driver: &mut dyn Driver, tables: &[Work]) -> Result<Vec<Option<Committed>>> {
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
        return Ok(done.into_iter().map(Some).collect());
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
    for &i in &changed {
        let w = &tables[i];
        match driver.commit(&w.loaded, &w.new) {
            Ok(c) => done.push((i, c)),
            Err(e) if done.is_empty() => return Err(e),
            Err(e) => return Err(put_back(driver, tables, done, i, e)),
        }
    }
    // A table whose counters could not be restored is committed: say so
    // once everything landed.
    if let Some(pos) = done.iter().position(|(_, c)| c.error.is_some()) {
        let (i, c) = done.swap_remove(pos);
        return Err(c
            .into_loaded(tables[i].new.clone())
            .1
            .unwrap_or_else(|| Error::Malformed("a counters error vanished".into())));
    }
    let mut out: Vec<Option<Committed>> = (0..tables.len()).map(|_| None).collect();
    for (i, c) in done {
        out[i] = Some(c);
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
    let table = tables[failed].new.name.clone();
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
