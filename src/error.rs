//! The one error type of the crate.

use std::fmt;
use std::io;

use crate::addr::Family;

/// Shorthand for `Result<T, iptkit::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, from a user's input, a file or the kernel.
///
/// Kernel errors are mapped to their meaning where the operation makes it
/// clear (`EPERM` is [`Error::NotPermitted`], `ENOENT` on a table is
/// [`Error::NoSuchTable`]); anything else is [`Error::Kernel`] with the errno
/// and what was being done.
///
/// Match on the variants to act on what went wrong (the enum is
/// `#[non_exhaustive]`: keep a `_` arm); `Display` says it in words.
///
/// ```
/// use iptkit::{Error, Family, Rule, Table};
/// let mut t = Table::new(Family::Ipv4, "filter")?;
/// match t.append("ssh", Rule::new(Family::Ipv4)) {
///     Err(Error::NoSuchChain(chain)) => t.new_chain(&chain)?, // make it, then try again
///     Err(e) => return Err(e),
///     Ok(()) => {}
/// }
/// t.append("ssh", Rule::new(Family::Ipv4))?;
/// let e = Rule::parse(Family::Ipv4, "-m mac").unwrap_err();
/// assert!(matches!(e, Error::InvalidRule { .. }));
/// assert_eq!(e.to_string(), "mac: option \"--mac-source\" must be specified");
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller lacks CAP_NET_ADMIN (is not root, or not in the namespace's user namespace).
    #[error("{op}: permission denied (needs root or CAP_NET_ADMIN)")]
    NotPermitted {
        /// What was being done.
        op: String,
    },
    /// The kernel does not know the table (or the module is not available).
    #[error("table `{0}` does not exist (or its kernel module is not available)")]
    NoSuchTable(String),
    /// No chain of that name in the table.
    #[error("chain `{0}` does not exist")]
    NoSuchChain(String),
    /// No rule at that position or with that spec.
    #[error("no such rule in chain `{chain}`: {what}")]
    NoSuchRule {
        /// The chain searched.
        chain: String,
        /// Which rule was asked for (a position or a rule spec).
        what: String,
    },
    /// A rule names an ipset (`-m set --match-set NAME`) that does not exist
    /// in the network namespace it is committed to.
    #[error("set `{0}` does not exist")]
    NoSuchSet(String),
    /// A kernel set ([`crate::set::KernelSet`]) cannot be destroyed: a
    /// rule still matches it.
    #[error("set `{0}` is still used by a rule")]
    SetInUse(String),
    /// A kernel set of that name exists with other settings (type, family,
    /// timeout, size) than the ones asked for; it was left as it is.
    #[error("set `{name}` exists with other settings: {reason}")]
    SetMismatch {
        /// The set.
        name: String,
        /// How it differs.
        reason: String,
    },
    /// A chain of that name already exists.
    #[error("chain `{0}` already exists")]
    ChainExists(String),
    /// The chain is the target of jumps and cannot be deleted or renamed away.
    #[error("chain `{chain}` is still referenced by {references} rule(s)")]
    ChainInUse {
        /// The chain.
        chain: String,
        /// How many rules jump to it.
        references: usize,
    },
    /// A user chain must be empty before it is deleted.
    #[error("chain `{0}` is not empty")]
    ChainNotEmpty(String),
    /// The operation is not possible on a built-in chain (delete, rename) or
    /// only possible on one (policy).
    #[error("chain `{chain}`: {reason}")]
    BuiltinChain {
        /// The chain.
        chain: String,
        /// Why the operation is refused.
        reason: &'static str,
    },
    /// Jumps form a loop, or a chain is reached from a hook it may not be used in.
    #[error("jump loop: chain `{0}` can reach itself")]
    Loop(String),
    /// A name does not fit the kernel's fixed-size field.
    #[error("{what} `{name}` is too long (at most {max} characters)")]
    NameTooLong {
        /// What kind of name (chain, interface, table, ...).
        what: &'static str,
        /// The name given.
        name: String,
        /// The limit.
        max: usize,
    },
    /// A name contains characters the tools would not accept.
    #[error("invalid {what} name `{name}`: {reason}")]
    InvalidName {
        /// What kind of name.
        what: &'static str,
        /// The name given.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// An address or network that does not parse, or is of the wrong family.
    #[error("invalid address `{0}`")]
    InvalidAddress(String),
    /// A network that may never be blocked: it overlaps a protected one of a
    /// managed list ([`crate::lists::AddrList::protect`]). Nothing was changed.
    #[error("`{net}` overlaps the protected network `{protected}`: it is never blocked")]
    Protected {
        /// The network refused.
        net: String,
        /// The protected network it overlaps.
        protected: String,
    },
    /// An option nobody knows in this place.
    #[error("unknown option `{0}`")]
    UnknownOption(String),
    /// An option that needs a value got none.
    #[error("option `{0}` requires a value")]
    MissingValue(String),
    /// A value an option refuses.
    #[error("{option}: invalid value `{value}`: {reason}")]
    InvalidValue {
        /// The option (or extension and option).
        option: String,
        /// The value given.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// A combination of options the tools refuse (missing, conflicting, repeated).
    #[error("{context}: {reason}")]
    InvalidRule {
        /// The extension or part of the rule.
        context: String,
        /// What is wrong.
        reason: String,
    },
    /// `-m NAME` or `-j NAME` names an extension the crate cannot build from text.
    #[error("unknown extension `{0}`")]
    UnknownExtension(String),
    /// A line of iptables-restore input is wrong.
    #[error("line {line}: {source}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },
    /// Something in the lines of one table of iptables-restore input
    /// (usually an [`Error::Line`]): nothing of the input was committed.
    #[error("table `{table}`: {source}")]
    InTable {
        /// The table.
        table: String,
        /// What is wrong.
        #[source]
        source: Box<Error>,
    },
    /// A restore of several tables on a backend that commits them one at a
    /// time (legacy: one SET_REPLACE each): the kernel refused `table`
    /// after the tables before it were committed, and those were put back
    /// as they were, counters included. Nothing is changed.
    #[error(
        "table `{table}`: {source}; nothing changed: the table(s) committed before it ({}) were put back as they were",
        .restored.join(", ")
    )]
    RolledBack {
        /// The table refused.
        table: String,
        /// Why.
        #[source]
        source: Box<Error>,
        /// The tables committed before it and put back, in input order.
        restored: Vec<String>,
    },
    /// As [`Error::RolledBack`], but putting the earlier tables back failed
    /// too: the tables in `changed` hold what the input made of them.
    #[error(
        "table `{table}`: {source}; putting the tables committed before it back failed ({put_back}): left as the input made them: {}{}",
        if .changed.is_empty() { "none".to_string() } else { .changed.join(", ") },
        if .restored.is_empty() { String::new() } else { format!("; put back: {}", .restored.join(", ")) }
    )]
    NotRolledBack {
        /// The table refused.
        table: String,
        /// Why.
        #[source]
        source: Box<Error>,
        /// Why putting back failed (for the first table that failed).
        put_back: Box<Error>,
        /// Tables left changed, in input order.
        changed: Vec<String>,
        /// Tables put back as they were.
        restored: Vec<String>,
    },
    /// A syntax error in iptables-save/restore text.
    #[error("{0}")]
    Syntax(String),
    /// The kernel returned bytes this crate cannot make sense of.
    #[error("malformed data from the kernel: {0}")]
    Malformed(String),
    /// The kernel refused an operation.
    #[error("{op}: kernel refused: {errno} ({context})")]
    Kernel {
        /// What was being done.
        op: String,
        /// The errno.
        errno: Errno,
        /// What the errno most likely means here.
        context: String,
    },
    /// Another process held the xtables lock for longer than the caller would wait.
    #[error("timed out after {waited_ms} ms waiting for the xtables lock {path}")]
    LockTimeout {
        /// The lock file.
        path: String,
        /// How long we waited.
        waited_ms: u64,
    },
    /// The table changed between our read and our commit (the kernel answered
    /// `EAGAIN`: its entry count moved). A [`Handle`](crate::Handle) re-reads
    /// and retries the whole transaction itself; this reaches the caller only
    /// when the retries ran out.
    #[error(
        "table `{table}` kept changing under us ({attempts} attempt(s)); nothing was committed"
    )]
    TableChanged {
        /// The table.
        table: String,
        /// How many read-modify-commit attempts were made.
        attempts: usize,
    },
    /// The kernel refused a table because of one match or target of one
    /// rule: SET_REPLACE answered `errno`, and nothing was changed.
    ///
    /// The kernel itself only says "invalid argument" (its log says more).
    /// The culprit is found without side effects: the new and changed rules
    /// are tried in a scratch private network namespace, in the same table
    /// and hooks, until the refusal is repeated, and then without each of
    /// the rule's extensions in turn: the one whose removal makes the table
    /// pass is named. Making that namespace needs CAP_SYS_ADMIN; without
    /// it, or when the refusal cannot be repeated there, the error is the
    /// kernel's plain [`Error::Kernel`].
    ///
    /// A missing extension or revision (`errno` ENOENT,
    /// [`Refusal::Missing`]) is found by asking the kernel which revisions
    /// it has, and is also reported before anything is sent when a rule
    /// asks for a revision the kernel lacks.
    ///
    /// ```
    /// use iptkit::error::{Error, Refusal};
    /// use iptkit::{Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?; // a private namespace: the host's firewall is not touched
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-j SNAT --to-source 192.0.2.1")?)?;
    /// match h.commit() {
    ///     Err(Error::Refused { extension, reason, .. }) => {
    ///         assert_eq!(extension, "SNAT");
    ///         assert!(matches!(reason, Refusal::Hook { .. }));
    ///         assert_eq!(reason.tables(), ["nat"]); // SNAT belongs in the nat table
    ///     }
    ///     other => panic!("expected a refusal, got {other:?}"),
    /// }
    /// assert!(h.is_dirty()); // nothing was committed; the change is still pending
    /// h.refresh()?; // drop it
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[error(
        "{} table `{table}`, chain `{chain}`: the kernel refused {} `{extension}` (revision {revision}) in `{rule}`: {errno}: {}",
        .family.command(),
        if *.is_target { "target" } else { "match" },
        .reason.explain(*.errno)
    )]
    Refused {
        /// The family of the table.
        family: Family,
        /// The table.
        table: String,
        /// The chain the rule is in.
        chain: String,
        /// The rule, as iptables-save prints it after `-A CHAIN`.
        rule: String,
        /// The extension's name, as written after `-m` or `-j`.
        extension: String,
        /// True for a target (`-j`), false for a match (`-m`).
        is_target: bool,
        /// The revision of the extension the rule asked for.
        revision: u8,
        /// What the kernel answered.
        errno: Errno,
        /// Why the kernel most likely refused it.
        reason: Refusal,
    },
    /// The new table is in place, but the kernel refused to restore its
    /// counters afterwards (SET_ADD_COUNTERS): the change is committed, the
    /// counters restart from zero.
    #[error("table `{table}` was committed, but its counters could not be restored: {errno}")]
    CountersNotRestored {
        /// The table.
        table: String,
        /// The errno of SET_ADD_COUNTERS.
        errno: Errno,
    },
    /// An nf_tables table holds something iptables-nft would not have
    /// written (a rule with expressions iptkit cannot read, a base chain of
    /// another name), and the change asked for would have to rewrite it.
    /// Nothing was committed.
    #[error("table `{table}`: {reason}")]
    Incompatible {
        /// The table.
        table: String,
        /// What iptkit cannot keep or write.
        reason: String,
    },
    /// The lock-out guard ([`Handle::guard`](crate::Handle::guard))
    /// refused a commit: the table it would have committed drops or
    /// rejects a protected flow, or cannot be shown not to (undecided).
    /// Nothing was sent to the kernel; the changes stay pending.
    #[error("table `{table}`: commit refused by the lock-out guard: {verdict} for protected flow {flow}, at {at}")]
    LockedOut {
        /// The table.
        table: String,
        /// The protected flow (chain and packet).
        flow: String,
        /// What the table would do with it: `DROP`, `REJECT` or `UNDECIDED`.
        verdict: String,
        /// Where that was decided: `chain INPUT rule 3 (-s ... -j DROP)`,
        /// `chain INPUT policy DROP`, or why it is undecided.
        at: String,
    },
    /// A commit made with [`Handle::commit_confirmed`](crate::Handle::commit_confirmed)
    /// was not confirmed in time: the timeout (or the drop of its
    /// [`Pending`](crate::confirm::Pending)) came first. `outcome` says
    /// whether the previous rules were put back.
    #[error("table `{table}`: the commit was not confirmed in time; {outcome}")]
    NotConfirmed {
        /// The table.
        table: String,
        /// What became of the rules: put back, or why not.
        outcome: String,
    },
    /// A commit made with [`Handle::commit_confirmed`](crate::Handle::commit_confirmed)
    /// was not confirmed, but the table no longer holds what it committed:
    /// somebody changed it since. The previous rules were not put back, so
    /// as not to undo that change; the table is left as it is.
    #[error("table `{table}`: not put back: the table was changed by somebody else since the unconfirmed commit")]
    RollbackConflict {
        /// The table.
        table: String,
    },
    /// Any other I/O error (lock file, namespace files, /etc/services).
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: String,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// Why the kernel refused an extension ([`Error::Refused`]); its log
/// (`dmesg`) gives the exact reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The kernel has no such extension, or not this revision of it: its
    /// module is missing or older than the rule needs.
    Missing,
    /// The extension may not be used in this table, or in the hooks the
    /// rule's chain is reached from (the same rule is accepted in a chain
    /// no hook reaches): SNAT outside the nat table, REJECT in PREROUTING.
    Hook {
        /// The hook the rule is reached from and the extension may not be
        /// used in, when it is known: its number (`NF_INET_*`, as
        /// [`hook_of`](crate::ruleset::hook_of) gives it for its built-in
        /// chain; [`Refusal::hook_name`] names it).
        hook: Option<u8>,
        /// The only tables the extension may be used in, when this table
        /// is not one of them (nat for SNAT), a bit per table of
        /// [`Refusal::TABLES`] (see [`Refusal::tables`]); 0 otherwise.
        tables: u8,
    },
    /// The extension refused its values wherever it is used: a value out
    /// of range, a combination it does not take, a match it needs missing
    /// from the rule, or something it names that does not exist.
    Value,
}

impl Refusal {
    /// The tables, a bit each in [`Refusal::Hook`]'s `tables`.
    pub const TABLES: [&'static str; 5] = ["filter", "nat", "mangle", "raw", "security"];

    /// The bits of these tables, as [`Refusal::Hook`]'s `tables` holds them.
    pub fn table_bits(names: &[&str]) -> u8 {
        Self::TABLES
            .iter()
            .enumerate()
            .filter(|(_, t)| names.contains(t))
            .fold(0, |bits, (i, _)| bits | 1 << i)
    }

    /// The tables a [`Refusal::Hook`] says the extension may be used in.
    pub fn tables(self) -> Vec<&'static str> {
        let Refusal::Hook { tables, .. } = self else {
            return Vec::new();
        };
        Self::TABLES
            .iter()
            .enumerate()
            .filter(|(i, _)| tables & (1 << i) != 0)
            .map(|(_, t)| *t)
            .collect()
    }

    /// The name (its built-in chain's) of the hook a [`Refusal::Hook`]
    /// names.
    pub fn hook_name(self) -> Option<&'static str> {
        match self {
            Refusal::Hook { hook: Some(h), .. } => {
                crate::ruleset::HOOKS.get(usize::from(h)).copied()
            }
            _ => None,
        }
    }

    /// The usual reasons behind this refusal and `errno`, for messages.
    pub fn explain(self, errno: Errno) -> String {
        match (self, errno) {
            (Refusal::Missing, _) => {
                "the kernel lacks this extension or this revision of it (module missing or too old)"
                    .into()
            }
            (Refusal::Hook { tables, .. }, _) if tables != 0 => {
                format!("only valid in the {} table", self.tables().join(" or "))
            }
            (Refusal::Hook { hook: Some(_), .. }, _) => format!(
                "not allowed in hook {}, which this chain is reached from; \
                 the same rule is accepted in a chain no hook reaches",
                self.hook_name().unwrap_or("?")
            ),
            (Refusal::Hook { .. }, _) => "not allowed in the hooks this chain is reached from; \
                 the same rule is accepted in a chain no hook reaches"
                .into(),
            (Refusal::Value, Errno::ERANGE) => "a value is out of range".into(),
            (Refusal::Value, Errno::ENOENT) => {
                "something it names does not exist, or a module it needs is missing".into()
            }
            (Refusal::Value, _) => {
                "it refused its values: one out of range, a combination it does not take, \
                 or a match it needs missing from the rule (dmesg says which)"
                    .into()
            }
        }
    }
}

impl Error {
    /// An [`Error::InvalidValue`].
    pub(crate) fn value(
        option: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            option: option.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::InvalidRule`].
    pub(crate) fn rule(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidRule {
            context: context.into(),
            reason: reason.into(),
        }
    }

    /// Attaches a 1-based line number (kept when one is there already).
    pub fn at_line(self, line: usize) -> Self {
        match self {
            Error::Line { .. } => self,
            e => Error::Line {
                line,
                source: Box::new(e),
            },
        }
    }
}

/// An errno the kernel answered, as [`Error::Kernel`], [`Error::Refused`]
/// and [`Error::CountersNotRestored`] carry it.
///
/// The crate's own type, so that a new version of the `nix` crate it uses
/// inside changes nothing for its users. The constants name the errnos the
/// netfilter interfaces answer with; [`Errno::from_raw`] makes any other.
///
/// ```
/// use iptkit::error::Errno;
/// let e = Errno::from_raw(libc_enoent());
/// assert_eq!(e, Errno::ENOENT);
/// assert_eq!(e.to_string(), "ENOENT: No such file or directory");
/// # fn libc_enoent() -> i32 { 2 }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(i32);

macro_rules! errnos {
    ($($name:ident),* $(,)?) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                pub const $name: Errno = Errno(libc::$name);
            )*
        }
    };
}

errnos!(
    EPERM,
    ENOENT,
    EINTR,
    ENOMEM,
    EACCES,
    EFAULT,
    EBUSY,
    EEXIST,
    EINVAL,
    ENOSPC,
    ERANGE,
    EAGAIN,
    ELOOP,
    ENOPROTOOPT,
    EPROTONOSUPPORT,
    EOPNOTSUPP,
    ENOBUFS,
    EPROTO,
    EBADMSG,
    EMSGSIZE,
    ENFILE,
    EMFILE,
);

impl Errno {
    /// The errno of this number (`libc::ENOENT`, ...).
    pub const fn from_raw(errno: i32) -> Errno {
        Errno(errno)
    }

    /// Its number.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// What the C library says of it (`strerror`).
    pub fn desc(self) -> &'static str {
        nix::errno::Errno::from_raw(self.0).desc()
    }

    /// The same errno as `nix` spells it, for the crate's syscalls.
    pub(crate) const fn of(errno: nix::errno::Errno) -> Errno {
        Errno(errno as i32)
    }
}

impl fmt::Debug for Errno {
    /// Its C name (`ENOENT`), or the number when it has none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match nix::errno::Errno::from_raw(self.0) {
            nix::errno::Errno::UnknownErrno => write!(f, "Errno({})", self.0),
            e => write!(f, "{e:?}"),
        }
    }
}

impl fmt::Display for Errno {
    /// `ENOENT: No such file or directory`, as nix and the C tools say it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}: {}", self.desc())
    }
}

impl From<Errno> for io::Error {
    fn from(e: Errno) -> io::Error {
        io::Error::from_raw_os_error(e.0)
    }
}
