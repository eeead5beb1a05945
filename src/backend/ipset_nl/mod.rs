//! ipsets through ipset's own netlink protocol (`NFNL_SUBSYS_IPSET`), as
//! the `ipset` tool talks to the kernel, without libipset and without a
//! process: create, destroy, flush, add, del, test and list of `hash:net`
//! sets. [`crate::set`] is the public face.
//!
//! Each request is one netlink message answered with an acknowledgement
//! (or an error). Many entries go as `IPSET_ATTR_ADT` lists of up to 64
//! KiB each, and all those messages in one datagram: the kernel handles
//! every message of it inside the one `sendmsg` call.

pub(crate) mod wire;

use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::socket::{
    bind, recv, send, setsockopt, socket, sockopt, AddressFamily, MsgFlags, NetlinkAddr, SockFlag,
    SockProtocol, SockType,
};

use crate::addr::Family;
use crate::error::{Errno, Error, Result};
use wire::{Elem, Listing, Msg};

use crate::backend::netlink_msg::{
    error_code, for_each_message, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_EXCL,
};

/// ipset's own error numbers (`ip_set.h`, `ip_set_hash.h`), beyond errno.
pub(crate) const ERR_PROTOCOL: i32 = 4097;
pub(crate) const ERR_FIND_TYPE: i32 = 4098;
pub(crate) const ERR_MAX_SETS: i32 = 4099;
/// The set is in use (by a rule, or a list:set): it cannot be destroyed.
pub(crate) const ERR_BUSY: i32 = 4100;
pub(crate) const ERR_EXIST: i32 = 4103;
pub(crate) const ERR_INVALID_CIDR: i32 = 4104;
pub(crate) const ERR_INVALID_FAMILY: i32 = 4106;
pub(crate) const ERR_TIMEOUT: i32 = 4107;
pub(crate) const ERR_REFERENCED: i32 = 4108;
pub(crate) const ERR_HASH_FULL: i32 = 4352;

/// The type every set here is.
pub(crate) const TYPENAME: &str = "hash:net";
/// The newest `hash:net` revision this code knows (7: bucket size).
const NEWEST_REVISION: u8 = 7;

/// A netfilter netlink socket in the namespace of the thread that opened it.
#[derive(Debug)]
pub(crate) struct Conn {
    fd: OwnedFd,
    seq: u32,
    buf: Vec<u8>,
}

/// The kernel's answer to a request: done, or refused with an errno
/// (an ipset number above 4096, or a plain errno).
type Answer = std::result::Result<(), i32>;

fn io(op: &str, e: nix::errno::Errno) -> Error {
    match e {
        nix::errno::Errno::EPERM | nix::errno::Errno::EACCES => {
            Error::NotPermitted { op: op.into() }
        }
        e => Error::Kernel {
            op: op.into(),
            errno: Errno::of(e),
            context: "ipset netlink socket".into(),
        },
    }
}

impl Conn {
    /// Opens and binds a socket.
    pub fn open() -> Result<Conn> {
        let op = "opening an ipset netlink socket";
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkNetFilter,
        )
        .map_err(|e| io(op, e))?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(|e| io(op, e))?;
        // Room for the acknowledgements of a large add; a failure only
        // leaves the default.
        let _ = setsockopt(&fd, sockopt::RcvBufForce, &(4 << 20));
        let seq = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Ok(Conn {
            fd,
            seq,
            buf: vec![0; 256 * 1024],
        })
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends the messages (each with NLM_F_ACK) as one datagram and waits
    /// for every answer; the first refusal, in message order.
    fn exchange(&mut self, msgs: Vec<Msg>, seqs: &[u32], op: &str) -> Result<Answer> {
        let mut bytes = Vec::new();
        for m in msgs {
            bytes.extend_from_slice(&m.finish());
        }
        // A datagram may not exceed the send buffer.
        let _ = setsockopt(&self.fd, sockopt::SndBufForce, &(bytes.len() + (64 << 10)));
        let n = send(self.fd.as_raw_fd(), &bytes, MsgFlags::empty()).map_err(|e| io(op, e))?;
        if n != bytes.len() {
            return Err(Error::Malformed(format!(
                "{op}: sent {n} of {} bytes",
                bytes.len()
            )));
        }
        let mut pending: Vec<Option<Answer>> = vec![None; seqs.len()];
        let mut left = seqs.len();
        while left > 0 {
            let n = self.recv(op)?;
            for_each_message(&self.buf[..n], |h, msg| {
                let (kind, seq) = (h.kind, h.seq);
                if kind != NLMSG_ERROR {
                    return Ok(());
                }
                if let Some(i) = seqs.iter().position(|&s| s == seq) {
                    if pending[i].is_none() {
                        pending[i] = Some(match error_code(msg) {
                            0 => Ok(()),
                            e => Err(e),
                        });
                        left -= 1;
                    }
                }
                Ok(())
            })?;
        }
        Ok(pending
            .into_iter()
            .flatten()
            .find(|a| a.is_err())
            .unwrap_or(Ok(())))
    }

    fn recv(&mut self, op: &str) -> Result<usize> {
        loop {
            match recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::empty()) {
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(io(op, e)),
                Ok(n) => return Ok(n),
            }
        }
    }

    /// One request, answered by an acknowledgement or an error.
    fn request(
        &mut self,
        cmd: u8,
        flags: u16,
        op: &str,
        fill: impl FnOnce(&mut Msg) -> Result<()>,
    ) -> Result<Answer> {
        let seq = self.next_seq();
        let mut m = Msg::new(cmd, NLM_F_ACK | flags, seq);
        fill(&mut m)?;
        self.exchange(vec![m], &[seq], op)
    }

    /// A dump request: `each` gets every reply message until the end.
    fn dump(
        &mut self,
        cmd: u8,
        op: &str,
        fill: impl FnOnce(&mut Msg),
        mut each: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<Answer> {
        let seq = self.next_seq();
        let mut m = Msg::new(cmd, NLM_F_DUMP | NLM_F_ACK, seq);
        fill(&mut m);
        let bytes = m.finish();
        send(self.fd.as_raw_fd(), &bytes, MsgFlags::empty()).map_err(|e| io(op, e))?;
        let mut answer = None;
        while answer.is_none() {
            let n = self.recv(op)?;
            let buf = std::mem::take(&mut self.buf);
            let walked = for_each_message(&buf[..n], |h, msg| {
                let (kind, s) = (h.kind, h.seq);
                if s != seq || answer.is_some() {
                    return Ok(());
                }
                match kind {
                    NLMSG_DONE => answer = Some(Ok(())),
                    NLMSG_ERROR => {
                        answer = Some(match error_code(msg) {
                            0 => Ok(()),
                            e => Err(e),
                        })
                    }
                    _ => each(msg)?,
                }
                Ok(())
            });
            self.buf = buf;
            walked?;
        }
        // A dump ends with NLMSG_DONE; the acknowledgement asked for may
        // follow it: drop what is left.
        while let Ok(n) = recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::MSG_DONTWAIT) {
            if n == 0 {
                break;
            }
        }
        Ok(answer.unwrap_or(Ok(())))
    }

    /// The `hash:net` revision to create: the kernel's newest, or ours if older.
    pub fn revision(&mut self, family: Family) -> Result<u8> {
        let op = "asking the kernel for the hash:net set type";
        let seq = self.next_seq();
        let mut m = Msg::new(wire::CMD_TYPE, NLM_F_ACK, seq);
        m.typename(TYPENAME, None, family);
        let bytes = m.finish();
        send(self.fd.as_raw_fd(), &bytes, MsgFlags::empty()).map_err(|e| io(op, e))?;
        let (mut rev, mut answer) = (None, None);
        while answer.is_none() {
            let n = self.recv(op)?;
            for_each_message(&self.buf[..n], |h, msg| {
                let (kind, s) = (h.kind, h.seq);
                if s != seq {
                    return Ok(());
                }
                if kind == NLMSG_ERROR {
                    answer = Some(error_code(msg));
                } else {
                    rev = Some(wire::read_type_revision(msg)?);
                }
                Ok(())
            })?;
        }
        match (answer, rev) {
            (Some(0), Some(r)) => Ok(r.min(NEWEST_REVISION)),
            (Some(0), None) => Err(Error::Malformed("no revision in the set type reply".into())),
            (Some(e), _) => Err(error(op, "", e)),
            (None, _) => unreachable!("the loop ends with an answer"),
        }
    }

    /// Creates the set, or leaves it when one of the same settings exists.
    pub fn create(
        &mut self,
        name: &str,
        family: Family,
        timeout: Option<u32>,
        hashsize: u32,
        maxelem: u32,
    ) -> Result<Answer> {
        let revision = self.revision(family)?;
        self.request(wire::CMD_CREATE, 0, "creating an ipset", |m| {
            m.setname(name);
            m.typename(TYPENAME, Some(revision), family);
            m.create_data(timeout, hashsize, maxelem)
        })
    }

    /// The set's header (no entries), or its entries too.
    pub fn list(&mut self, name: &str, entries: bool) -> Result<std::result::Result<Listing, i32>> {
        let mut out = Listing::default();
        let answer = self.dump(
            wire::CMD_LIST,
            "listing an ipset",
            |m| {
                m.setname(name);
                if !entries {
                    m.flags(wire::FLAG_LIST_HEADER);
                }
            },
            |msg| wire::read_list(msg, &mut out),
        )?;
        Ok(answer.map(|()| out))
    }

    /// The header of every set of the namespace, in the kernel's order
    /// (`ipset list -t`; `ipset list -n` would give the names without
    /// their types).
    pub fn names(&mut self) -> Result<std::result::Result<Vec<Listing>, i32>> {
        let mut out = Vec::new();
        let answer = self.dump(
            wire::CMD_LIST,
            "listing the ipsets",
            |m| m.flags(wire::FLAG_LIST_HEADER),
            |msg| {
                let mut one = Listing::default();
                wire::read_list(msg, &mut one)?;
                out.push(one);
                Ok(())
            },
        )?;
        Ok(answer.map(|()| out))
    }

    /// DESTROY or FLUSH of one set.
    pub fn named(&mut self, cmd: u8, name: &str) -> Result<Answer> {
        self.request(cmd, 0, "changing an ipset", |m| {
            m.setname(name);
            Ok(())
        })
    }

    /// Swaps the contents (and types) of two sets; rules keep matching
    /// the set by its name, which now holds what the other held.
    pub fn swap(&mut self, a: &str, b: &str) -> Result<Answer> {
        self.request(wire::CMD_SWAP, 0, "swapping ipsets", |m| {
            m.setname(a);
            m.setname2(b);
            Ok(())
        })
    }

    /// DEL or TEST of one entry, or ADD of one; `exclusive`: NLM_F_EXCL
    /// (an absent entry to delete is an error, not a no-op).
    pub fn one(&mut self, cmd: u8, name: &str, e: &Elem, exclusive: bool) -> Result<Answer> {
        let flags = if exclusive { NLM_F_EXCL } else { 0 };
        self.request(cmd, flags, "changing an ipset", |m| {
            m.setname(name);
            m.data(e)
        })
    }

    /// Adds the entries, in messages of up to 64 KiB of entries, all sent
    /// at once. Adding an entry that is there is no error (its timeout is
    /// set anew), as `ipset add -exist`.
    pub fn add_many(&mut self, name: &str, entries: &[Elem]) -> Result<Answer> {
        if let [one] = entries {
            return self.one(wire::CMD_ADD, name, one, false);
        }
        let per = (u16::MAX as usize - 8) / wire::ENTRY_MAX;
        let mut msgs = Vec::new();
        let mut seqs = Vec::new();
        for chunk in entries.chunks(per) {
            let seq = self.next_seq();
            let mut m = Msg::new(wire::CMD_ADD, NLM_F_ACK, seq);
            m.setname(name);
            m.adt(chunk)?;
            msgs.push(m);
            seqs.push(seq);
        }
        if msgs.is_empty() {
            return Ok(Ok(()));
        }
        self.exchange(msgs, &seqs, "adding to an ipset")
    }
}

/// The error for a refusal `code` of `op` on set `name`.
pub(crate) fn error(op: &str, name: &str, code: i32) -> Error {
    let context = match code {
        libc::EPERM => return Error::NotPermitted { op: op.into() },
        libc::ENOENT if !name.is_empty() => return Error::NoSuchSet(name.to_string()),
        ERR_BUSY | ERR_REFERENCED => return Error::SetInUse(name.to_string()),
        ERR_PROTOCOL => "the kernel's ipset protocol is not one this code speaks",
        ERR_FIND_TYPE => {
            "the kernel has no hash:net set type of this revision (module ip_set_hash_net)"
        }
        ERR_MAX_SETS => "the kernel's maximal number of sets is reached (ip_set max_sets)",
        ERR_EXIST => "the entry is not in the set",
        ERR_INVALID_CIDR => "the prefix length is not one the set takes",
        ERR_INVALID_FAMILY => "the address is not of the set's family",
        ERR_TIMEOUT => "the set has no timeout support",
        ERR_HASH_FULL => "the set is full (its maximal number of entries is reached)",
        libc::EPROTONOSUPPORT | libc::ENOPROTOOPT => {
            "the kernel has no ipset support (module ip_set)"
        }
        _ => "refused by ipset",
    };
    Error::Kernel {
        op: op.into(),
        errno: Errno::from_raw(code),
        context: context.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgements_and_errors_are_told_apart() {
        let mut ack = vec![0u8; 36];
        ack[..4].copy_from_slice(&36u32.to_ne_bytes());
        ack[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        ack[8..12].copy_from_slice(&9u32.to_ne_bytes());
        let mut seen = Vec::new();
        for_each_message(&ack, |h, m| {
            let (k, s) = (h.kind, h.seq);
            seen.push((k, s, error_code(m)));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [(NLMSG_ERROR, 9, 0)]);
        ack[16..20].copy_from_slice(&(-ERR_EXIST).to_ne_bytes());
        assert_eq!(error_code(&ack), ERR_EXIST);
        assert_eq!(error_code(&ack[..18]), libc::EPROTO);
        assert!(for_each_message(&ack[..20], |_, _| Ok(())).is_err());
    }
}
