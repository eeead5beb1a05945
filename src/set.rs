//! Kernel sets for big address lists: an ipset of IPv4 or IPv6 networks
//! (`hash:net`), optionally with a timeout per entry, and the match a rule
//! uses to test a packet's source or destination against it.
//!
//! A chain of 100,000 `-s ADDR -j DROP` rules is walked rule by rule for
//! every packet and rewritten whole on legacy; a set is one hash lookup and
//! takes entries one message at a time. [`KernelSet`] creates, opens,
//! fills, tests, lists and destroys one; [`KernelSet::matching`] gives the
//! `-m set --match-set NAME src` match for the one rule that uses it.
//!
//! ```
//! use iptkit::set::{Dir, Entry, KernelSet, SetOptions};
//! use iptkit::{Family, Handle, Rule, Target};
//! # fn main() -> iptkit::Result<()> {
//! iptkit::netns::unshare_net()?; // a private network namespace: the host is not touched
//! let mut set = KernelSet::create("blocked", Family::Ipv4, &SetOptions::default())?;
//! set.add_many(["192.0.2.0/24".parse::<Entry>()?, "198.51.100.7".parse()?])?;
//! assert!(set.contains("192.0.2.9".parse::<std::net::IpAddr>().unwrap())?);
//! let mut filter = Handle::open(Family::Ipv4, "filter")?;
//! let rule = Rule::new(Family::Ipv4)
//!     .with_match(set.matching(Dir::Src)?)
//!     .with_target(Target::Drop);
//! filter.append("INPUT", rule)?;
//! filter.commit()?;
//! assert_eq!(filter.rules("INPUT")?[0].to_string(), "-m set --match-set blocked src -j DROP");
//! # Ok(())
//! # }
//! ```
//!
//! # Where the set lives, on either backend
//!
//! The set is an ipset on both backends, made and changed through ipset's
//! own netlink protocol (`NFNL_SUBSYS_IPSET`, what the `ipset` tool
//! speaks; no process, no libipset), and the rule matching it is the xt
//! `set` match on both: on nf_tables as an xt compat expression, the way
//! `iptables-nft -m set` writes it.
//!
//! An nf_tables set would need the rule to match it with a `lookup`
//! expression, and `iptables-nft-save` 1.8.9 cannot show one: for
//! `ip saddr @blk drop` in chain INPUT of `ip filter` it prints
//! `-A INPUT -j DROP` (tried in a private namespace: `nft add rule ip
//! filter INPUT ip saddr @blk counter drop`, then `iptables-nft-save`), a
//! rule that drops everything — a wrong rule, with no "incompatible"
//! warning. A set and its lookup rule in a table of iptkit's own would keep
//! the iptables view honest, but such a rule sits in its own base chain
//! and cannot be jumped to from an iptables chain, nor can its `accept`
//! end a packet's way through the iptables chains; a list's one rule could
//! not keep its place among the others. The xt `set` match keeps the rule
//! where the caller puts it, prints exactly in both `iptables-legacy-save`
//! and `iptables-nft-save`, and behaves the same on both backends.
//!
//! The trade-off: on the nf_tables backend the set is not an nf_tables
//! object (`nft list ruleset` shows the rule as `xt match "set"`, and the
//! set only through `ipset list`), and the kernel needs the `ip_set` and
//! `xt_set` modules. iptkit's own reader reads such rules back by set name
//! on both backends.
//!
//! # What is atomic
//!
//! Each call is one request to the kernel, but ipset has no transactions:
//! [`KernelSet::add_many`] checks every entry (family, prefix, timeout)
//! and that the set has room for them before it sends anything, so bad
//! input changes nothing; a refusal only the kernel can see (out of
//! memory, the set destroyed meanwhile) may leave part of them added, and
//! says so as an error. To have all or nothing, use
//! [`KernelSet::replace_all`]: it swaps a whole new content in at once (a
//! scratch set filled, then `IPSET_CMD_SWAP`): the set holds all the old
//! entries or all the new.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::addr::Family;
use crate::backend::ipset_nl::{self, wire, wire::Elem, Conn};
use crate::error::{Error, Result};
use crate::matches::set::{Set, SetRef};
use crate::matches::Match;

pub use crate::matches::set::Dir;

/// The longest timeout ipset takes, in seconds (`IPSET_MAX_TIMEOUT`).
pub const MAX_TIMEOUT: u32 = (u32::MAX >> 1) / 1000;

/// One entry of a set: a network (a host is a /32 or /128) and, in a set
/// with timeouts, how many seconds it stays (0: for good; `None`: the
/// set's default).
///
/// ```
/// use iptkit::set::Entry;
/// let e: Entry = "10.1.2.3/8".parse()?;
/// assert_eq!(e.to_string(), "10.0.0.0/8"); // the network, as ipset keeps it
/// let e = Entry::from("2001:db8::1".parse::<std::net::IpAddr>().unwrap()).with_timeout(60);
/// assert_eq!(e.to_string(), "2001:db8::1 timeout 60");
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The network (its host bits cleared).
    pub net: IpNet,
    /// Seconds to live; `None`: the set's default timeout. When read back
    /// from a set with timeouts: the seconds left.
    pub timeout: Option<u32>,
}

impl Entry {
    /// The entry for `net` (host bits cleared), with the set's default timeout.
    pub fn new(net: IpNet) -> Entry {
        Entry {
            net: net.trunc(),
            timeout: None,
        }
    }

    /// The same entry, living `secs` seconds (0: for good).
    pub fn with_timeout(self, secs: u32) -> Entry {
        Entry {
            timeout: Some(secs),
            ..self
        }
    }

    fn family(&self) -> Family {
        Family::of(&self.net.addr())
    }
}

impl From<IpNet> for Entry {
    fn from(net: IpNet) -> Entry {
        Entry::new(net)
    }
}

impl From<IpAddr> for Entry {
    fn from(addr: IpAddr) -> Entry {
        Entry::new(IpNet::from(addr))
    }
}

impl FromStr for Entry {
    type Err = Error;
    /// An address or a network in CIDR notation (`192.0.2.0/24`).
    fn from_str(s: &str) -> Result<Entry> {
        net_of(s).map(Entry::new)
    }
}

fn net_of(s: &str) -> Result<IpNet> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| Error::InvalidAddress(s.to_string()))
}

impl fmt::Display for Entry {
    /// As `ipset list` prints it: a host without its prefix length, then
    /// ` timeout N` when given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.net.prefix_len() == self.net.max_prefix_len() {
            write!(f, "{}", self.net.addr())?;
        } else {
            write!(f, "{}", self.net)?;
        }
        if let Some(t) = self.timeout {
            write!(f, " timeout {t}")?;
        }
        Ok(())
    }
}

/// How a set is made ([`KernelSet::create`]). Built from its `Default`
/// with the `with_` methods.
///
/// ```
/// use iptkit::set::SetOptions;
/// let o = SetOptions::default().with_timeout(3600).with_max_entries(200_000);
/// assert_eq!((o.timeout, o.max_entries), (Some(3600), 200_000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SetOptions {
    /// `timeout N`: the set takes a timeout per entry, N seconds by default
    /// (0: entries stay unless given one). `None`: no timeouts.
    pub timeout: Option<u32>,
    /// `maxelem`: the most entries the set holds (default 1,048,576;
    /// memory grows with the entries, not with this).
    pub max_entries: u32,
    /// `hashsize`: the initial size of the hash (default 1024, as ipset;
    /// the kernel grows it).
    pub hash_size: u32,
}

impl Default for SetOptions {
    fn default() -> SetOptions {
        SetOptions {
            timeout: None,
            max_entries: 1 << 20,
            hash_size: 1024,
        }
    }
}

impl SetOptions {
    /// With timeouts, `secs` seconds by default (0: for good).
    pub fn with_timeout(self, secs: u32) -> SetOptions {
        SetOptions {
            timeout: Some(secs),
            ..self
        }
    }

    /// Room for `n` entries.
    pub fn with_max_entries(self, n: u32) -> SetOptions {
        SetOptions {
            max_entries: n,
            ..self
        }
    }

    /// An initial hash size of `n` buckets.
    pub fn with_hash_size(self, n: u32) -> SetOptions {
        SetOptions {
            hash_size: n,
            ..self
        }
    }
}

/// A kernel set (an ipset of type `hash:net`) in the network namespace of
/// the thread that opened it. See the [module](self) for where it lives
/// and what a rule matching it looks like.
#[derive(Debug)]
pub struct KernelSet {
    name: String,
    family: Family,
    timeout: Option<u32>,
    max_entries: u32,
    hash_size: u32,
    conn: Conn,
}

/// Refuses a name ipset or iptables would not take back: empty, over 31
/// bytes, or with a space or a control character (`ipset save` and
/// `iptables-save` print it as a bare word).
fn check_name(name: &str) -> Result<()> {
    SetRef::new(name)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::InvalidName {
            what: "set",
            name: name.to_string(),
            reason: "a set name holds no spaces or control characters",
        });
    }
    Ok(())
}

impl KernelSet {
    /// Creates the set `name` of `family` with `options`, or opens it when
    /// one with the same settings exists ([`Error::SetMismatch`] when one
    /// with other settings does; it is left as it is).
    ///
    /// ```
    /// use iptkit::set::{KernelSet, SetOptions};
    /// use iptkit::{Error, Family};
    /// # iptkit::netns::unshare_net()?;
    /// let set = KernelSet::create("web", Family::Ipv6, &SetOptions::default().with_timeout(600))?;
    /// assert_eq!(set.timeout(), Some(600));
    /// let again = KernelSet::create("web", Family::Ipv6, &SetOptions::default().with_timeout(600))?;
    /// let other = KernelSet::create("web", Family::Ipv4, &SetOptions::default());
    /// assert!(matches!(other, Err(Error::SetMismatch { .. })));
    /// assert!(matches!(KernelSet::create("a b", Family::Ipv4, &SetOptions::default()),
    ///                  Err(Error::InvalidName { .. })));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn create(name: &str, family: Family, options: &SetOptions) -> Result<KernelSet> {
        check_name(name)?;
        if let Some(t) = options.timeout {
            check_timeout(t)?;
        }
        if options.max_entries == 0 || options.hash_size == 0 {
            return Err(Error::value(
                "set size",
                "0",
                "a set's maximal entries and hash size are at least 1".to_string(),
            ));
        }
        let mut conn = Conn::open()?;
        let op = format!("creating set `{name}`");
        match conn.create(
            name,
            family,
            options.timeout,
            options.hash_size,
            options.max_entries,
        )? {
            Ok(()) => {}
            Err(libc::EEXIST) => {
                let have = KernelSet::open_on(conn, name)?;
                return Err(mismatch(&have, family, options));
            }
            Err(e) => return Err(ipset_nl::error(&op, name, e)),
        }
        // The kernel may round the sizes: read what it made.
        KernelSet::open_on(conn, name)
    }

    /// Opens the existing set `name` ([`Error::NoSuchSet`] when there is
    /// none; [`Error::SetMismatch`] when it is not a `hash:net` set).
    pub fn open(name: &str) -> Result<KernelSet> {
        check_name(name)?;
        KernelSet::open_on(Conn::open()?, name)
    }

    /// The names of the sets a [`KernelSet`] can open (`hash:net` sets of
    /// IPv4 or IPv6), in the kernel's order; other ipsets are left out.
    ///
    /// ```
    /// use iptkit::set::{KernelSet, SetOptions};
    /// use iptkit::Family;
    /// # iptkit::netns::unshare_net()?;
    /// KernelSet::create("a", Family::Ipv4, &SetOptions::default())?;
    /// KernelSet::create("b", Family::Ipv6, &SetOptions::default())?;
    /// assert_eq!(KernelSet::names()?, ["a", "b"]);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn names() -> Result<Vec<String>> {
        let sets = Conn::open()?
            .names()?
            .map_err(|e| ipset_nl::error("listing the ipsets", "", e))?;
        Ok(sets
            .into_iter()
            .filter(|s| s.typename == ipset_nl::TYPENAME && matches!(s.family, 2 | 10))
            .map(|s| s.name)
            .collect())
    }

    fn open_on(mut conn: Conn, name: &str) -> Result<KernelSet> {
        let header = conn
            .list(name, false)?
            .map_err(|e| ipset_nl::error(&format!("opening set `{name}`"), name, e))?;
        let family = match header.family {
            2 => Family::Ipv4,
            10 => Family::Ipv6,
            _ => {
                return Err(Error::SetMismatch {
                    name: name.into(),
                    reason: "it is not a set of IPv4 or IPv6 addresses".into(),
                })
            }
        };
        if header.typename != ipset_nl::TYPENAME {
            return Err(Error::SetMismatch {
                name: name.into(),
                reason: format!(
                    "it is a {} set, and a KernelSet is a {} set",
                    header.typename,
                    ipset_nl::TYPENAME
                ),
            });
        }
        Ok(KernelSet {
            name: name.to_string(),
            family,
            timeout: header.timeout,
            max_entries: header.maxelem,
            hash_size: header.hashsize,
            conn,
        })
    }

    /// Destroys the set ([`Error::SetInUse`] while a rule matches it).
    ///
    /// nf_tables lets go of a deleted rule's matches after its commit has
    /// returned (in a kernel worker), so a set whose last rule was just
    /// deleted there may still be held for a moment: a refusal as busy is
    /// retried for about half a second before it is reported.
    pub fn destroy(mut self) -> Result<()> {
        let op = format!("destroying set `{}`", self.name);
        let mut wait = std::time::Duration::from_millis(1);
        loop {
            match self.conn.named(wire::CMD_DESTROY, &self.name)? {
                Ok(()) => return Ok(()),
                Err(ipset_nl::ERR_BUSY) if wait.as_millis() <= 256 => {
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                Err(e) => return Err(ipset_nl::error(&op, &self.name, e)),
            }
        }
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The family of its addresses.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Its default timeout in seconds; `None`: it takes no timeouts.
    pub fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    /// The most entries it holds.
    pub fn max_entries(&self) -> u32 {
        self.max_entries
    }

    /// The match of a rule on this set: `-m set --match-set NAME src` (or
    /// `dst`). The rule must be of the set's family; the set must exist in
    /// the namespace the rule is committed to.
    pub fn matching(&self, dir: Dir) -> Result<Match> {
        Ok(Match::from(Set::new(&self.name, &[dir])?))
    }

    /// Adds one entry (one message); an entry already there stays, with
    /// its timeout set anew.
    pub fn add(&mut self, entry: impl Into<Entry>) -> Result<()> {
        self.add_many([entry.into()])
    }

    /// Adds many entries at once: all checked first (nothing is sent when
    /// one is wrong or the set has no room for them), then sent as a few
    /// large messages in one write. Entries already there stay, with their
    /// timeouts set anew.
    pub fn add_many<E: Into<Entry>>(&mut self, entries: impl IntoIterator<Item = E>) -> Result<()> {
        let elems = entries
            .into_iter()
            .map(|e| self.elem(e.into()))
            .collect::<Result<Vec<Elem>>>()?;
        // One entry is all or nothing by itself (a full set refuses it):
        // no question first, so that adding one is one message.
        if elems.len() > 1 {
            self.check_room(&elems)?;
        }
        let op = format!("adding to set `{}`", self.name);
        self.conn
            .add_many(&self.name, &elems)?
            .map_err(|e| ipset_nl::error(&op, &self.name, e))
    }

    /// Makes `entries` the set's whole content at once: a packet sees the
    /// old entries or the new ones, never a mix, and rules matching the set
    /// keep matching it. The entries are checked first, then loaded into a
    /// scratch set of the same settings (named after this one, with `~`
    /// and the process id), which the kernel swaps with this one
    /// (`IPSET_CMD_SWAP`); the scratch set, holding the old entries, is
    /// destroyed. When anything fails before the swap, the set is as it was.
    pub fn replace_all<E: Into<Entry>>(
        &mut self,
        entries: impl IntoIterator<Item = E>,
    ) -> Result<()> {
        let elems = entries
            .into_iter()
            .map(|e| self.elem(e.into()))
            .collect::<Result<Vec<Elem>>>()?;
        let distinct: std::collections::HashSet<IpNet> = elems.iter().map(|e| e.net).collect();
        if distinct.len() > self.max_entries as usize {
            return Err(Error::value(
                "set entries",
                distinct.len().to_string(),
                format!(
                    "set `{}` holds at most {} entries",
                    self.name, self.max_entries
                ),
            ));
        }
        let scratch = scratch_name(&self.name);
        let op = format!("replacing the entries of set `{}`", self.name);
        // A scratch set a crashed run left behind goes first.
        match self.conn.named(wire::CMD_DESTROY, &scratch)? {
            Ok(()) | Err(libc::ENOENT) => {}
            Err(e) => return Err(ipset_nl::error(&op, &scratch, e)),
        }
        let made = self.conn.create(
            &scratch,
            self.family,
            self.timeout,
            self.hash_size,
            self.max_entries,
        )?;
        made.map_err(|e| ipset_nl::error(&op, &scratch, e))?;
        let filled = match self.conn.add_many(&scratch, &elems)? {
            Ok(()) => self.conn.swap(&self.name, &scratch)?,
            Err(e) => Err(e),
        };
        // The scratch set holds the old entries now, or the new ones when
        // the swap did not happen: either way it goes.
        let dropped = self.conn.named(wire::CMD_DESTROY, &scratch)?;
        filled.map_err(|e| ipset_nl::error(&op, &self.name, e))?;
        dropped.map_err(|e| ipset_nl::error(&op, &scratch, e))
    }

    /// Removes the entry for `net` (exactly that network); false when it
    /// was not there.
    pub fn remove(&mut self, net: impl Into<Entry>) -> Result<bool> {
        let e = self.elem(net.into().without_timeout())?;
        let op = format!("removing from set `{}`", self.name);
        match self.conn.one(wire::CMD_DEL, &self.name, &e, true)? {
            Ok(()) => Ok(true),
            Err(ipset_nl::ERR_EXIST) => Ok(false),
            Err(code) => Err(ipset_nl::error(&op, &self.name, code)),
        }
    }

    /// For an address: whether the set matches it (it is in one of the
    /// networks), as a rule would test a packet. For a network: whether
    /// that very network is an entry.
    pub fn contains(&mut self, net: impl Into<Entry>) -> Result<bool> {
        let e = self.elem(net.into().without_timeout())?;
        let op = format!("testing set `{}`", self.name);
        match self.conn.one(wire::CMD_TEST, &self.name, &e, false)? {
            Ok(()) => Ok(true),
            Err(ipset_nl::ERR_EXIST) => Ok(false),
            Err(code) => Err(ipset_nl::error(&op, &self.name, code)),
        }
    }

    /// Every entry, with the seconds it has left in a set with timeouts.
    pub fn list(&mut self) -> Result<Vec<Entry>> {
        let op = format!("listing set `{}`", self.name);
        let listing = self
            .conn
            .list(&self.name, true)?
            .map_err(|e| ipset_nl::error(&op, &self.name, e))?;
        Ok(listing
            .entries
            .into_iter()
            .map(|e| Entry {
                net: e.net,
                timeout: e.timeout,
            })
            .collect())
    }

    /// How many entries it holds (the kernel's count, without listing them).
    pub fn len(&mut self) -> Result<usize> {
        let op = format!("reading set `{}`", self.name);
        let header = self
            .conn
            .list(&self.name, false)?
            .map_err(|e| ipset_nl::error(&op, &self.name, e))?;
        Ok(header.elements as usize)
    }

    /// True when it holds no entry.
    pub fn is_empty(&mut self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Removes every entry.
    pub fn flush(&mut self) -> Result<()> {
        let op = format!("flushing set `{}`", self.name);
        self.conn
            .named(wire::CMD_FLUSH, &self.name)?
            .map_err(|e| ipset_nl::error(&op, &self.name, e))
    }

    /// The entry as the kernel takes it, checked against the set.
    fn elem(&self, e: Entry) -> Result<Elem> {
        if e.family() != self.family {
            return Err(Error::InvalidAddress(format!(
                "{}: not an {} address, as set `{}` holds",
                e.net,
                match self.family {
                    Family::Ipv4 => "IPv4",
                    Family::Ipv6 => "IPv6",
                },
                self.name
            )));
        }
        if e.net.prefix_len() == 0 {
            return Err(Error::value(
                "set entry",
                e.net.to_string(),
                "a hash:net set takes no /0 network".to_string(),
            ));
        }
        if let Some(t) = e.timeout {
            if self.timeout.is_none() {
                return Err(Error::value(
                    "timeout",
                    t.to_string(),
                    format!("set `{}` was made without timeouts", self.name),
                ));
            }
            check_timeout(t)?;
        }
        Ok(Elem {
            net: e.net.trunc(),
            timeout: e.timeout,
        })
    }

    /// Refuses entries the set has no room for, before anything is sent.
    fn check_room(&mut self, elems: &[Elem]) -> Result<()> {
        let max = self.max_entries as usize;
        let have = self.len()?;
        if have + elems.len() <= max {
            return Ok(());
        }
        // Entries already there, or given twice, take no room: count exactly.
        let mut all: std::collections::HashSet<IpNet> =
            self.list()?.into_iter().map(|e| e.net).collect();
        all.extend(elems.iter().map(|e| e.net));
        if all.len() <= max {
            return Ok(());
        }
        Err(Error::value(
            "set entries",
            elems.len().to_string(),
            format!(
                "set `{}` holds {have} of at most {max} entries: no room for {} more",
                self.name,
                all.len() - have
            ),
        ))
    }
}

/// The name of the scratch set of [`KernelSet::replace_all`]: the set's
/// name (cut to fit), `~`, the process id in hex; at most 31 bytes.
fn scratch_name(name: &str) -> String {
    let pid = format!("~{:x}", std::process::id());
    let mut keep = name.len().min(31 - pid.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}{pid}", &name[..keep])
}

impl Entry {
    fn without_timeout(self) -> Entry {
        Entry {
            timeout: None,
            ..self
        }
    }
}

fn check_timeout(t: u32) -> Result<()> {
    if t > MAX_TIMEOUT {
        return Err(Error::value(
            "timeout",
            t.to_string(),
            format!("ipset takes at most {MAX_TIMEOUT} seconds"),
        ));
    }
    Ok(())
}

/// How the existing set differs from the one asked for.
fn mismatch(have: &KernelSet, family: Family, o: &SetOptions) -> Error {
    let mut diffs = Vec::new();
    if have.family != family {
        diffs.push(format!("its family is {:?}, not {family:?}", have.family));
    }
    if have.timeout != o.timeout {
        diffs.push(format!(
            "its timeout is {:?}, not {:?}",
            have.timeout, o.timeout
        ));
    }
    if have.max_entries != o.max_entries {
        diffs.push(format!(
            "it holds at most {} entries, not {}",
            have.max_entries, o.max_entries
        ));
    }
    if diffs.is_empty() {
        diffs.push("its hash size or revision differs".into());
    }
    Error::SetMismatch {
        name: have.name.clone(),
        reason: diffs.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_and_print_as_ipset_does() {
        for (text, shown) in [
            ("192.0.2.1", "192.0.2.1"),
            ("192.0.2.1/32", "192.0.2.1"),
            ("192.0.2.77/24", "192.0.2.0/24"),
            ("2001:db8::1/48", "2001:db8::/48"),
            ("::1", "::1"),
        ] {
            assert_eq!(text.parse::<Entry>().unwrap().to_string(), shown, "{text}");
        }
        for bad in ["", "1.2.3", "1.2.3.4/33", "x", "10.0.0.0/8 timeout 5"] {
            assert!(
                matches!(bad.parse::<Entry>(), Err(Error::InvalidAddress(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn names_ipset_would_not_take_back_are_refused() {
        assert!(check_name("blocked-v4_1.x").is_ok());
        assert!(matches!(check_name(""), Err(Error::InvalidValue { .. })));
        assert!(matches!(
            check_name(&"a".repeat(32)),
            Err(Error::NameTooLong { .. })
        ));
        assert!(check_name(&"a".repeat(31)).is_ok());
        assert!(matches!(check_name("a b"), Err(Error::InvalidName { .. })));
        assert!(matches!(check_name("a\nb"), Err(Error::InvalidName { .. })));
    }

    #[test]
    fn scratch_names_fit() {
        for name in ["a", &"b".repeat(31), &"é".repeat(15)] {
            let s = scratch_name(name);
            assert!(s.len() <= 31 && s.contains('~'), "{s}");
            assert!(check_name(&s).is_ok());
        }
    }
}
