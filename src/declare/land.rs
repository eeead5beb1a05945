//! A [`Ruleset`] and the kernel: read what is live, compare, and land a
//! rule set whole, through the machinery [`crate::restore`] lands a file
//! of several tables with (one nf_tables batch; legacy table by table,
//! the earlier tables put back when a later one is refused).

use super::{empty_table, Ruleset, RulesetDiff};
use crate::addr::Family;
use crate::backend::{existing_tables, BaseChains, Chains};
use crate::error::Result;
use crate::handle::{Handle, Options};
use crate::pairing::pair;
use crate::restore::{attempts, in_table, land, Reads, Work};
use crate::ruleset::{builtin_chains, Table};

impl Ruleset {
    /// Reads every table of `families` that exists, through the backend
    /// of `options`, without making any (a legacy table springs into
    /// existence when it is first read: those that do not exist are not
    /// read). Origins are unknown.
    pub fn read(families: &[Family], options: &Options) -> Result<Ruleset> {
        let mut rs = Ruleset::new();
        for &family in families {
            for name in existing_tables(options.backend, family)? {
                rs.read_table(family, &name, options)?;
            }
        }
        Ok(rs)
    }

    /// Reads the live tables this rule set holds (those that do not exist
    /// are empty, and not made).
    pub fn read_live(&self, options: &Options) -> Result<Ruleset> {
        let mut live = Ruleset::new();
        let mut existing: Vec<(Family, Vec<String>)> = Vec::new();
        for t in self.tables() {
            if !existing.iter().any(|(f, _)| *f == t.family) {
                existing.push((t.family, existing_tables(options.backend, t.family)?));
            }
            let there = existing
                .iter()
                .any(|(f, names)| *f == t.family && names.contains(&t.name));
            match there {
                true => live.read_table(t.family, &t.name, options)?,
                false => live.add_table(t.family, &t.name)?,
            }
        }
        Ok(live)
    }

    fn read_table(&mut self, family: Family, name: &str, options: &Options) -> Result<()> {
        let mut h = Handle::open_with(family, name, options.clone())?;
        let table = h.table()?.clone();
        let i = self.index_or_add(family, name)?;
        self.tables[i] = table;
        Ok(())
    }

    /// What turns the live tables into this rule set
    /// ([`RulesetDiff::new`] of [`Ruleset::read_live`] and `self`):
    /// empty when the kernel holds what this rule set says, counters aside.
    pub fn diff_live(&self, options: &Options) -> Result<RulesetDiff> {
        Ok(RulesetDiff::new(&self.read_live(options)?, self))
    }

    /// Makes the kernel's tables exactly the tables of this rule set, all
    /// of them or none, as `iptables-restore` of [`Ruleset::render`] would
    /// for each family, but at once: every table is read and checked
    /// before anything is sent; on nf_tables every table of both families
    /// goes in one batch (which the kernel applies whole or not at all);
    /// on legacy (one SET_REPLACE per table) a table the kernel refuses
    /// puts the tables committed before it back as they were, and the
    /// error says so ([`Error::RolledBack`], or [`Error::NotRolledBack`]
    /// naming the tables left changed). Tables the rule set does not hold
    /// are not touched.
    ///
    /// Rules get the counters they carry (zero, unless set), as
    /// iptables-restore without `-c` gives them; on nf_tables, a rule that
    /// stays where it is with the counters it has is not touched. To keep
    /// the counters of every rule that stays, [`Ruleset::reconcile`].
    ///
    /// [`Error::RolledBack`]: crate::Error::RolledBack
    /// [`Error::NotRolledBack`]: crate::Error::NotRolledBack
    ///
    /// ```
    /// use iptkit::declare::Ruleset;
    /// use iptkit::{Family, Handle, Options, Policy, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut rs = Ruleset::new();
    /// for f in [Family::Ipv4, Family::Ipv6] {
    ///     rs.set_policy(f, "filter", "INPUT", Policy::Drop)?;
    ///     rs.append("filter", "INPUT", Rule::parse(f, "-i lo -j ACCEPT")?)?;
    /// }
    /// rs.apply(&Options::default())?;
    /// assert_eq!(Handle::open(Family::Ipv6, "filter")?.policy("INPUT")?, Some(Policy::Drop));
    /// assert!(rs.diff_live(&Options::default())?.is_empty());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn apply(&self, options: &Options) -> Result<()> {
        attempts(options, |mut reads| {
            let mut works = Vec::new();
            for t in self.tables() {
                let (loaded, unread) = read(&mut reads, t)?;
                works.push(work(loaded, unread, t.clone()));
            }
            land(&mut reads, &mut works, true).map(drop)
        })
    }

    /// Sends only what differs between the live tables and this rule set
    /// ([`Ruleset::diff_live`]), all or nothing as [`Ruleset::apply`]
    /// does, and returns the difference it sent (empty: nothing was sent).
    /// Every rule and policy that stays keeps its counters.
    ///
    /// On nf_tables the difference goes as one batch for all tables of
    /// both families, holding a message for each rule added, removed or
    /// changed (inserted before, or deleted and replaced by, its
    /// neighbour's handle), each chain made or deleted and each policy
    /// set: the rules that stay are not touched (same handles, counters
    /// counting on). On legacy each table that differs is replaced once
    /// (SET_REPLACE), the rules that stay keeping their counters; tables
    /// that do not differ are not sent.
    ///
    /// ```
    /// use iptkit::declare::Ruleset;
    /// use iptkit::{Family, Options, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let options = Options::default();
    /// let mut rs = Ruleset::new();
    /// rs.append("filter", "INPUT", Rule::parse(Family::Ipv4, "-i lo -j ACCEPT")?)?;
    /// assert_eq!(rs.reconcile(&options)?.counts(), (1, 0, 0)); // one rule added
    /// rs.append("filter", "INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?;
    /// let sent = rs.reconcile(&options)?;
    /// assert_eq!(sent.to_string(), "# ipv4\n*filter\n+-A INPUT -s 192.0.2.1/32 -j DROP\n");
    /// assert!(rs.reconcile(&options)?.is_empty()); // nothing left to do
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn reconcile(&self, options: &Options) -> Result<RulesetDiff> {
        attempts(options, |mut reads| {
            let mut works = Vec::new();
            let mut live = Ruleset::new();
            for t in self.tables() {
                let (loaded, unread) = read(&mut reads, t)?;
                live.set_read(loaded.table.clone())?;
                let diff = super::diff::table_diff(&loaded.table, t);
                if diff.chains.is_empty() {
                    continue;
                }
                let new = keep_counters(&loaded.table, t);
                works.push(work(loaded, unread, new));
            }
            land(&mut reads, &mut works, true)?;
            Ok(RulesetDiff::new(&live, self))
        })
    }

    /// Puts a table as read in (no origins).
    fn set_read(&mut self, table: Table) -> Result<()> {
        let i = self.index_or_add(table.family, &table.name)?;
        self.tables[i] = table;
        Ok(())
    }
}

/// The table `t` names, as read in this attempt (or the empty table it
/// will be when it is read, `true`).
fn read(reads: &mut Reads<'_>, t: &Table) -> Result<(crate::backend::Loaded, bool)> {
    empty_table(t.family, &t.name).map_err(|e| in_table(&t.name, e))?;
    reads
        .load(t.family, &t.name)
        .map_err(|e| in_table(&t.name, e))
}

/// One table to land: `new` in place of what was read. Every built-in
/// chain exists afterwards (on nf_tables, a base chain is made only where
/// something names it: here the rule set names them all, as a rendered
/// `:CHAIN POLICY` line does for iptables-nft-restore).
fn work(loaded: crate::backend::Loaded, unread: bool, new: Table) -> Work {
    let named: Chains = builtin_chains(&new.name)
        .unwrap_or_default()
        .iter()
        .map(|c| c.to_string())
        .collect();
    Work {
        loaded,
        unread,
        new,
        base: BaseChains {
            named,
            only_named: true,
        },
    }
}

/// `want`, with the counters of `live`'s rules and policies where they
/// stay (rules paired as a commit pairs them): a commit then leaves them
/// as they are.
fn keep_counters(live: &Table, want: &Table) -> Table {
    let mut out = want.clone();
    for c in &mut out.chains {
        let Some(old) = live.chain(&c.name) else {
            continue;
        };
        if c.policy.is_some() {
            c.counters = old.counters;
        }
        for (j, k) in pair(&old.rules, &c.rules).into_iter().enumerate() {
            if let Some(i) = k {
                c.rules[j].counters = old.rules[i].counters;
            }
        }
    }
    out
}
