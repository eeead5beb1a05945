//! The legacy xtables backend: whole tables read with GET_ENTRIES and
//! swapped with SET_REPLACE, counters carried over with SET_ADD_COUNTERS,
//! exactly as libiptc does it.

mod blob;
mod counters;
mod ip;
pub(crate) mod ipset;
pub(crate) mod socket;

pub use socket::revision_supported;

use crate::addr::Family;
use crate::backend::{Driver, Loaded, State};
use crate::error::{Error, Result};
use crate::ruleset::Table;
use crate::targets::Target;
use blob::EntryMap;
use socket::{ReplaceHeader, Socket};

/// The legacy tables that exist in the calling thread's network namespace,
/// in the order the kernel lists them (`/proc/net/ip_tables_names`), which is
/// the order iptables-save prints them in. Reading this list creates nothing,
/// unlike opening a table.
pub fn existing_tables(family: Family) -> Result<Vec<String>> {
    // thread-self, not self: after unshare only this thread is in the new namespace.
    let path = match family {
        Family::Ipv4 => "/proc/thread-self/net/ip_tables_names",
        Family::Ipv6 => "/proc/thread-self/net/ip6_tables_names",
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()),
        // No file: the module is not loaded, so no table exists yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(Error::Io {
            op: format!("reading {path}"),
            source,
        }),
    }
}

/// What a commit needs to know about the read it is based on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    valid_hooks: u32,
    num_entries: u32,
    map: EntryMap,
}

/// The legacy driver: one raw socket per family, opened on first use.
#[derive(Debug, Default)]
pub(crate) struct Legacy {
    v4: Option<Socket>,
    v6: Option<Socket>,
}

impl Legacy {
    fn socket(&mut self, family: Family) -> Result<&Socket> {
        let slot = match family {
            Family::Ipv4 => &mut self.v4,
            Family::Ipv6 => &mut self.v6,
        };
        if slot.is_none() {
            *slot = Some(Socket::open(family)?);
        }
        slot.as_ref()
            .ok_or_else(|| Error::Malformed("socket vanished".into()))
    }

    /// The socket for ipset lookups: ipset answers on IPv4 sockets only,
    /// for rules of both families.
    fn ipset_socket(&mut self) -> Result<&Socket> {
        self.socket(Family::Ipv4)
    }
}

impl Driver for Legacy {
    fn load(&mut self, family: Family, table: &str) -> Result<Loaded> {
        if family == Family::Ipv6 {
            // Open the ipset socket now, so that set lookups later go to
            // this namespace too. Failing here is not fatal: a lookup that
            // needs it reports the error.
            let _ = self.ipset_socket();
        }
        // GET_INFO and GET_ENTRIES are two calls: a commit in between that
        // kept the size but not the entry count shows up here. Read again.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let raw = self.socket(family)?.read(table)?;
            let (mut t, map) = blob::decode(family, table, &raw.info, raw.entries())?;
            let counted = map.values().map(|c| c.rules.len() + 1).sum::<usize>()
                + map.values().filter(|c| c.policy.is_none()).count()
                + 1;
            if counted == raw.info.num_entries as usize {
                if ipset::has_unnamed(&t) {
                    ipset::name(self.ipset_socket()?, &mut t)?;
                }
                return Ok(Loaded {
                    table: t,
                    state: State::Legacy(Snapshot {
                        valid_hooks: raw.info.valid_hooks,
                        num_entries: raw.info.num_entries,
                        map,
                    }),
                });
            }
            if attempts == 3 {
                return Err(Error::Malformed(format!(
                    "GET_INFO says {} entries, the blob holds {counted}",
                    raw.info.num_entries
                )));
            }
        }
    }

    fn commit(&mut self, loaded: &Loaded, new: &Table) -> Result<()> {
        #[allow(irrefutable_let_patterns)]
        let State::Legacy(snap) = &loaded.state
        else {
            return Err(Error::Malformed(
                "a legacy commit of a table read by another backend".into(),
            ));
        };
        if blob::valid_hooks(new) != snap.valid_hooks || new.family != loaded.table.family {
            return Err(Error::rule(
                format!("table `{}`", new.name),
                "the built-in chains (or the family) differ from the kernel's table",
            ));
        }
        // Sets are looked up by name before anything is sent; the counter
        // map below pairs rules of `new` itself (a SetRef compares by name).
        let resolved = if ipset::has_unresolved(new) {
            Some(ipset::resolve(self.ipset_socket()?, new)?)
        } else {
            None
        };
        let enc = blob::encode(resolved.as_ref().unwrap_or(new))?;
        let head = ReplaceHeader {
            valid_hooks: enc.valid_hooks,
            num_entries: enc.num_entries as u32,
            hook_entry: enc.hook_entry,
            underflow: enc.underflow,
            num_counters: snap.num_entries,
        };
        let sock = self.socket(new.family)?;
        let returned = match sock.replace(&new.name, &head, &enc.entries) {
            Ok(r) => r,
            Err(Error::Kernel {
                op,
                errno: nix::errno::Errno::ENOENT,
                context,
            }) => {
                let context = missing_extension(sock, new).unwrap_or(context);
                return Err(Error::Kernel {
                    op,
                    errno: nix::errno::Errno::ENOENT,
                    context,
                });
            }
            Err(e) => return Err(e),
        };
        let add = counters::restore(
            &loaded.table,
            &snap.map,
            new,
            &enc.map,
            &returned,
            enc.num_entries,
        );
        sock.add_counters(&new.name, &add)
            .map_err(|errno| Error::CountersNotRestored {
                table: new.name.clone(),
                errno,
            })
    }
}

/// Names the first match or target revision the kernel does not have, to
/// explain an ENOENT from SET_REPLACE.
fn missing_extension(sock: &Socket, table: &Table) -> Option<String> {
    for rule in table.chains.iter().flat_map(|c| &c.rules) {
        for m in &rule.matches {
            if !sock
                .revision_supported(m.name(), m.revision(), false)
                .unwrap_or(true)
            {
                return Some(format!(
                    "match `{}` revision {} is not available in the kernel",
                    m.name(),
                    m.revision()
                ));
            }
        }
        if let Target::Ext(t) = &rule.target {
            if !sock
                .revision_supported(t.name(), t.revision(), true)
                .unwrap_or(true)
            {
                return Some(format!(
                    "target `{}` revision {} is not available in the kernel",
                    t.name(),
                    t.revision()
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod kernel_tests;

/// Decodes a table from the bytes GET_ENTRIES returns, laid out as GET_INFO
/// describes, and checks that encoding it gives the same entries back.
///
/// Not a stable API: it exists so that the decoder can be fuzzed and tested
/// without a kernel. Any input gives a table or an error, never a panic.
#[doc(hidden)]
pub fn decode_entries(
    family: Family,
    info: &iptkit_sys::xtables::ipt_getinfo,
    entries: &[u8],
) -> Result<Table> {
    let (table, _) = blob::decode(family, "fuzz", info, entries)?;
    let again = blob::encode(&table)?;
    let (back, _) = blob::decode(family, "fuzz", &getinfo_of(&again), &again.entries)?;
    // Counters are not part of the entries we write: the kernel zeroes them
    // and SET_ADD_COUNTERS brings them back.
    let (mut a, mut b) = (table.clone(), back);
    a.zero_all();
    b.zero_all();
    if a != b {
        return Err(Error::Malformed(
            "the table does not survive an encode and decode".into(),
        ));
    }
    Ok(table)
}

/// The GET_INFO answer that describes an encoded table.
fn getinfo_of(e: &blob::Encoded) -> iptkit_sys::xtables::ipt_getinfo {
    use iptkit_sys::Pod;
    let mut info = iptkit_sys::xtables::ipt_getinfo::zeroed();
    info.valid_hooks = e.valid_hooks;
    info.hook_entry = e.hook_entry;
    info.underflow = e.underflow;
    info.num_entries = e.num_entries as u32;
    info.size = e.entries.len() as u32;
    info
}
