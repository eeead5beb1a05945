//! The raw socket libiptc talks through, and its six socket options:
//! GET_INFO, GET_ENTRIES, SET_REPLACE, SET_ADD_COUNTERS and the two
//! GET_REVISION queries. Everything else in the legacy backend is plain data.

use std::mem::size_of;
use std::os::fd::{AsRawFd, OwnedFd};

use iptkit_sys::xtables::*;
use iptkit_sys::Pod;
use nix::errno::Errno;
use nix::sys::socket::{AddressFamily, SockFlag, SockProtocol, SockType};

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::put_c_str;

use super::aligned::AlignedBuf;

/// How often a read is retried when the table's size changes between
/// GET_INFO and GET_ENTRIES (somebody committed in between).
const READ_ATTEMPTS: usize = 10;

/// A table as the kernel handed it out: its hook layout and its entries.
pub(crate) struct RawTable {
    /// GET_INFO's answer; `size` equals `entries().len()`.
    pub info: ipt_getinfo,
    /// GET_ENTRIES' whole answer, kept as the kernel filled it: copying the
    /// entries out would double the memory a large table takes.
    buf: AlignedBuf,
}

impl RawTable {
    /// The entries, exactly as GET_ENTRIES returned them.
    pub fn entries(&self) -> &[u8] {
        self.buf
            .bytes()
            .get(size_of::<ipt_get_entries>()..)
            .unwrap_or_default()
    }
}

/// What SET_REPLACE needs besides the entries.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReplaceHeader {
    /// Must equal the table's `valid_hooks`.
    pub valid_hooks: u32,
    /// Entries in the new table.
    pub num_entries: u32,
    /// Offset of each hook's first rule.
    pub hook_entry: [u32; NF_INET_NUMHOOKS],
    /// Offset of each hook's policy entry.
    pub underflow: [u32; NF_INET_NUMHOOKS],
    /// Entries in the table as we read it; the kernel answers EAGAIN when
    /// the live table has another count.
    pub num_counters: u32,
}

/// A table's entries as written for SET_REPLACE, with room in front for its
/// header (`ipt_replace`), so that the kernel reads them where they were
/// written. Derefs to the entries alone.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Entries {
    buf: Vec<u8>,
}

impl Entries {
    /// Bytes kept in front for the header.
    pub const HEADER: usize = size_of::<ipt_replace>();

    /// No entries yet, room for `capacity` bytes of them.
    pub fn with_capacity(capacity: usize) -> Entries {
        let mut buf = Vec::with_capacity(Self::HEADER + capacity);
        buf.resize(Self::HEADER, 0);
        Entries { buf }
    }

    /// The buffer, header room included: entry offset `o` is at
    /// `HEADER + o`. Writers must leave the header room alone.
    pub fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

impl Default for Entries {
    fn default() -> Entries {
        Entries::with_capacity(0)
    }
}

impl std::ops::Deref for Entries {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.buf.get(Self::HEADER..).unwrap_or_default()
    }
}

impl std::ops::DerefMut for Entries {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(Self::HEADER..).unwrap_or_default()
    }
}

impl PartialEq<Vec<u8>> for Entries {
    fn eq(&self, other: &Vec<u8>) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entries({} bytes)", self.len())
    }
}

/// SET_ADD_COUNTERS' argument, made before SET_REPLACE so that little is
/// left to do between the two: the header, then one counter pair per entry
/// of the new table, zero until set.
pub(crate) struct AddCounters {
    buf: AlignedBuf,
    len: usize,
}

/// Words of the `xt_counters_info` header.
const ADD_HEADER_WORDS: usize = size_of::<xt_counters_info>() / 8;
const _: () = assert!(size_of::<xt_counters_info>() % 8 == 0);
const _: () = assert!(size_of::<xt_counters>() == 16);

impl AddCounters {
    /// Zero counters for the `len` entries of table `table`.
    pub fn new(table: &str, len: usize) -> Result<AddCounters> {
        let mut head = xt_counters_info::zeroed();
        put_c_str("table name", table, &mut head.name)?;
        head.num_counters = u32::try_from(len)
            .map_err(|_| Error::rule(table, "more entries than the kernel counts"))?;
        let hlen = size_of::<xt_counters_info>();
        let mut buf = AlignedBuf::new(hlen + len * size_of::<xt_counters>());
        buf.bytes_mut()[..hlen].copy_from_slice(head.as_bytes());
        Ok(AddCounters { buf, len })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Sets the counters of entry `i`.
    pub fn set(&mut self, i: usize, c: xt_counters) {
        let at = ADD_HEADER_WORDS + 2 * i;
        if let Some(w) = self.buf.words_mut().get_mut(at..at + 2) {
            w[0] = c.pcnt;
            w[1] = c.bcnt;
        }
    }

    /// The counters of entry `i`.
    pub fn get(&self, i: usize) -> xt_counters {
        let at = ADD_HEADER_WORDS + 2 * i;
        match self.buf.words().get(at..at + 2) {
            Some(&[pcnt, bcnt]) => xt_counters { pcnt, bcnt },
            _ => xt_counters::default(),
        }
    }
}

/// The socket calls, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Info,
    Entries,
    Replace,
    Revision,
}

/// A raw IPv4 or IPv6 socket in the namespace it was opened in.
#[derive(Debug)]
pub(crate) struct Socket {
    fd: OwnedFd,
    family: Family,
}

impl Socket {
    /// Opens `socket(AF_INET or AF_INET6, SOCK_RAW, IPPROTO_RAW)` in the
    /// calling thread's network namespace; it stays bound to that namespace.
    pub fn open(family: Family) -> Result<Socket> {
        let af = match family {
            Family::Ipv4 => AddressFamily::Inet,
            Family::Ipv6 => AddressFamily::Inet6,
        };
        let fd =
            nix::sys::socket::socket(af, SockType::Raw, SockFlag::SOCK_CLOEXEC, SockProtocol::Raw)
                .map_err(|errno| {
                    let op = format!("opening a raw {} socket", family.command());
                    match errno {
                        Errno::EPERM | Errno::EACCES => Error::NotPermitted { op },
                        errno => Error::Kernel {
                            op,
                            errno: crate::error::Errno::of(errno),
                            context: "raw sockets of this family are not available".into(),
                        },
                    }
                })?;
        Ok(Socket { fd, family })
    }

    fn level(&self) -> libc::c_int {
        match self.family {
            Family::Ipv4 => libc::IPPROTO_IP,
            Family::Ipv6 => libc::IPPROTO_IPV6,
        }
    }

    /// `getsockopt` at the socket's IP level with a buffer that is both
    /// input and output. Returns the length the kernel reports.
    pub(super) fn get(
        &self,
        opt: libc::c_int,
        buf: &mut [u8],
    ) -> std::result::Result<usize, Errno> {
        let mut len = buf.len() as libc::socklen_t;
        // SAFETY: `buf` is valid for writes of `len` bytes for the duration of
        // the call, `len` is a valid socklen_t we own, and the fd is open.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                self.level(),
                opt,
                buf.as_mut_ptr() as *mut libc::c_void,
                &mut len,
            )
        };
        if rc < 0 {
            Err(Errno::last())
        } else {
            Ok(len as usize)
        }
    }

    fn set(&self, opt: libc::c_int, buf: &[u8]) -> std::result::Result<(), Errno> {
        // The kernel also writes through the user pointer a SET_REPLACE
        // header carries; that buffer's validity is the caller's (`replace`).
        // SAFETY: `buf` is valid for reads of its length during the call.
        let rc = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                self.level(),
                opt,
                buf.as_ptr() as *const libc::c_void,
                buf.len() as libc::socklen_t,
            )
        };
        if rc < 0 {
            Err(Errno::last())
        } else {
            Ok(())
        }
    }

    /// GET_INFO: the table's hooks, entry count and size. The option length
    /// must be exactly the struct's size.
    pub fn info(&self, table: &str) -> Result<ipt_getinfo> {
        let mut info = ipt_getinfo::zeroed();
        put_c_str("table name", table, &mut info.name)?;
        let mut buf = AlignedBuf::new(size_of::<ipt_getinfo>());
        let mut attempts = 0;
        loop {
            buf.bytes_mut().copy_from_slice(info.as_bytes());
            match self.get(IPT_SO_GET_INFO, buf.bytes_mut()) {
                Ok(_) => break,
                // The first question about a table creates it; two asked at
                // once in a new namespace, one of them hears EEXIST from the
                // table's registration (reads take no lock, as in
                // iptables-save). The table is there now: ask again.
                Err(Errno::EEXIST) if attempts < 50 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Err(e) => return Err(self.error(Op::Info, table, e)),
            }
        }
        ipt_getinfo::read_from(buf.bytes())
            .ok_or_else(|| Error::Malformed("short GET_INFO answer".into()))
    }

    /// GET_ENTRIES of the table GET_INFO described as `info`; `None` when
    /// the table no longer has that size.
    pub fn entries(&self, table: &str, info: ipt_getinfo) -> Result<Option<RawTable>> {
        Ok(self
            .entries_buf(table, info.size)?
            .map(|buf| RawTable { info, buf }))
    }

    /// GET_ENTRIES of a table of `size` bytes; `None` when the table no
    /// longer has that size.
    fn entries_buf(&self, table: &str, size: u32) -> Result<Option<AlignedBuf>> {
        let mut head = ipt_get_entries::zeroed();
        put_c_str("table name", table, &mut head.name)?;
        head.size = size;
        let hlen = size_of::<ipt_get_entries>();
        let mut buf = AlignedBuf::new(hlen + size as usize);
        buf.bytes_mut()[..hlen].copy_from_slice(head.as_bytes());
        match self.get(IPT_SO_GET_ENTRIES, buf.bytes_mut()) {
            Ok(_) => Ok(Some(buf)),
            // The kernel says EAGAIN when `size` is not the table's size.
            Err(Errno::EAGAIN) => Ok(None),
            Err(e) => Err(self.error(Op::Entries, table, e)),
        }
    }

    /// Reads a whole table, retrying when it changes between the two calls.
    pub fn read(&self, table: &str) -> Result<RawTable> {
        for _ in 0..READ_ATTEMPTS {
            let info = self.info(table)?;
            if let Some(raw) = self.entries(table, info)? {
                return Ok(raw);
            }
        }
        Err(Error::TableChanged {
            table: table.to_string(),
            attempts: READ_ATTEMPTS,
        })
    }

    /// SET_REPLACE: swaps in the new entries atomically. Returns the counters
    /// of the replaced table's entries at the moment of the swap. The header
    /// goes into the room `entries` keeps for it: the kernel reads the
    /// entries where they were written.
    pub fn replace(
        &self,
        table: &str,
        head: &ReplaceHeader,
        entries: &mut Entries,
    ) -> Result<Vec<xt_counters>> {
        let mut old = vec![xt_counters::default(); head.num_counters as usize];
        let mut r = ipt_replace::zeroed();
        put_c_str("table name", table, &mut r.name)?;
        r.valid_hooks = head.valid_hooks;
        r.num_entries = head.num_entries;
        r.size = u32::try_from(entries.len())
            .map_err(|_| Error::rule(table, "the table does not fit the kernel's 32-bit size"))?;
        r.hook_entry = head.hook_entry;
        r.underflow = head.underflow;
        r.num_counters = head.num_counters;
        // The kernel writes num_counters counters here; `old` has exactly
        // that many and outlives the call below.
        r.counters = old.as_mut_ptr() as usize;
        entries.buf[..Entries::HEADER].copy_from_slice(r.as_bytes());
        self.set(IPT_SO_SET_REPLACE, &entries.buf)
            .map_err(|e| self.error(Op::Replace, table, e))?;
        Ok(old)
    }

    /// SET_ADD_COUNTERS: adds one counter pair to each entry of the table,
    /// by entry index. The errno is returned raw: the caller decides what a
    /// failure after a successful replace means.
    pub fn add_counters(&self, counters: &AddCounters) -> std::result::Result<(), Errno> {
        self.set(IPT_SO_SET_ADD_COUNTERS, counters.buf.bytes())
    }

    /// GET_REVISION_MATCH / GET_REVISION_TARGET: does the kernel have this
    /// revision of this extension (loading its module if it can)?
    pub fn revision_supported(&self, name: &str, revision: u8, target: bool) -> Result<bool> {
        let mut q = xt_get_revision::zeroed();
        put_c_str("extension name", name, &mut q.name)?;
        q.revision = revision;
        let opt = match (self.family, target) {
            (Family::Ipv4, false) => IPT_SO_GET_REVISION_MATCH,
            (Family::Ipv4, true) => IPT_SO_GET_REVISION_TARGET,
            (Family::Ipv6, false) => IP6T_SO_GET_REVISION_MATCH,
            (Family::Ipv6, true) => IP6T_SO_GET_REVISION_TARGET,
        };
        let mut buf = AlignedBuf::new(size_of::<xt_get_revision>());
        buf.bytes_mut().copy_from_slice(q.as_bytes());
        match self.get(opt, buf.bytes_mut()) {
            Ok(_) => Ok(true),
            // EPROTONOSUPPORT: the extension exists, only older revisions do.
            Err(Errno::ENOENT | Errno::EPROTONOSUPPORT) => Ok(false),
            Err(e) => Err(self.error(Op::Revision, name, e)),
        }
    }

    /// Maps an errno to what it means for this operation.
    fn error(&self, what: Op, table: &str, errno: Errno) -> Error {
        let op = match what {
            Op::Info => "reading the table's size (GET_INFO)",
            Op::Entries => "reading the table's entries (GET_ENTRIES)",
            Op::Replace => "replacing the table (SET_REPLACE)",
            Op::Revision => "asking for an extension's revision",
        };
        let op = format!("{} `{table}`: {op}", self.family.command());
        let context = match errno {
            Errno::EPERM | Errno::EACCES => return Error::NotPermitted { op },
            Errno::EAGAIN => {
                return Error::TableChanged {
                    table: table.to_string(),
                    attempts: 1,
                }
            }
            Errno::ELOOP => {
                return Error::Loop(format!("(a chain of table `{table}`, found by the kernel)"))
            }
            // SET_REPLACE checks every extension before it looks the table
            // up, and we read the table a moment ago: the extension is missing.
            Errno::ENOENT if what == Op::Replace => {
                "a match or target, or this revision of it, is not available in the kernel"
            }
            Errno::ENOENT => return Error::NoSuchTable(table.to_string()),
            Errno::ENOPROTOOPT => {
                "this kernel has no legacy xtables support (ip_tables / ip6_tables)"
            }
            Errno::EINVAL => {
                "the kernel refused the data: an extension refused its values, or a size, \
                 revision or hook layout is wrong (the kernel log may say more)"
            }
            Errno::ENOMEM => "the kernel is out of memory for the table",
            Errno::EFAULT => "the kernel could not copy the data",
            _ => "unexpected answer from the kernel",
        };
        Error::Kernel {
            op,
            errno: crate::error::Errno::of(errno),
            context: context.to_string(),
        }
    }
}

/// Does the kernel of the calling thread's namespace have this revision of a
/// match (`target == false`) or target extension? Loads the module if it can.
/// (The backends ask through their open socket; this one is for tests.)
#[cfg(test)]
pub(crate) fn revision_supported(
    family: Family,
    name: &str,
    revision: u8,
    target: bool,
) -> Result<bool> {
    Socket::open(family)?.revision_supported(name, revision, target)
}
