//! The netlink socket: dumps, the generation id, and batches sent in one
//! `sendto` with their replies drained afterwards.
//!
//! The kernel handles a batch inside the `sendto` call, so every reply it
//! has for it is queued before the call returns; reading until the socket
//! is empty collects them all. Only errors are asked back (and an
//! acknowledgement of the batch's last message, which says the batch was
//! applied), never one per message: ten thousand acknowledgements would
//! overflow the receive buffer (ENOBUFS).

use std::collections::HashMap;
use std::os::raw::c_void;

use crate::error::Errno;
use iptkit_sys::nftables::*;

use super::{ffi, wire};
use crate::error::{Error, Result};

use crate::backend::netlink_msg::{
    error_code, Header, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST,
};
pub(crate) use crate::backend::netlink_msg::{NLM_F_ACK, NLM_F_ECHO};

/// Receive buffer size: a dump fills as much of it as it can per read.
const RECV: usize = 256 * 1024;

/// A netfilter netlink socket in the namespace of the thread that opened it.
pub(crate) struct Socket {
    sock: mnl::Socket,
    seq: u32,
    buf: Vec<u64>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("seq", &self.seq).finish()
    }
}

// SAFETY: the socket is a file descriptor wrapped by libmnl, used by one
// thread at a time (`&mut self`); nothing in it is tied to a thread.
unsafe impl Send for Socket {}

fn io_error(op: &str, e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EPERM) => Error::NotPermitted { op: op.into() },
        Some(n) => Error::Kernel {
            op: op.into(),
            errno: Errno::from_raw(n),
            context: "netlink".into(),
        },
        None => Error::Io {
            op: op.into(),
            source: e,
        },
    }
}

impl Socket {
    /// Opens and binds a socket.
    pub fn open() -> Result<Socket> {
        let sock = mnl::Socket::new(mnl::Bus::Netfilter)
            .map_err(|e| io_error("opening a netfilter netlink socket", e))?;
        let mut s = Socket {
            sock,
            seq: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as u32)
                .unwrap_or(1),
            buf: vec![0u64; RECV / 8],
        };
        // Room for the errors of a large batch; a failure here only makes
        // the buffer smaller.
        s.set_buffer(libc::SO_RCVBUFFORCE, 4 << 20);
        Ok(s)
    }

    fn fd(&self) -> i32 {
        // SAFETY: the socket is live.
        unsafe { mnl::mnl_sys::mnl_socket_get_fd(self.sock.as_raw_socket()) }
    }

    fn set_buffer(&mut self, opt: i32, size: usize) {
        let v = size.min(i32::MAX as usize) as i32;
        // SAFETY: setsockopt with a valid int.
        unsafe {
            libc::setsockopt(
                self.fd(),
                libc::SOL_SOCKET,
                opt,
                (&v as *const i32).cast::<c_void>(),
                std::mem::size_of::<i32>() as u32,
            );
        }
    }

    /// The next sequence number.
    pub fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn send(&mut self, bytes: &[u8], op: &str) -> Result<()> {
        let n = self.sock.send(bytes).map_err(|e| io_error(op, e))?;
        if n != bytes.len() {
            return Err(Error::Malformed(format!(
                "{op}: sent {n} of {} bytes",
                bytes.len()
            )));
        }
        Ok(())
    }

    /// Sends the pieces as one datagram of `size` bytes, without first
    /// copying them into one buffer: a batch of 50,000 rules is some 20 MB.
    fn send_parts(&mut self, parts: &[&[u8]], size: usize, op: &str) -> Result<()> {
        let iov: Vec<libc::iovec> = parts
            .iter()
            .map(|p| libc::iovec {
                iov_base: p.as_ptr() as *mut c_void,
                iov_len: p.len(),
            })
            .collect();
        // SAFETY: an all-zero sockaddr_nl is valid; the fields are set below.
        let mut to: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        to.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: an all-zero msghdr is valid (no name, no control data).
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&mut to as *mut libc::sockaddr_nl).cast::<c_void>();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as u32;
        msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
        msg.msg_iovlen = iov.len();
        loop {
            // SAFETY: msg points at `to` and at iovecs over `parts`, all
            // live for the call; the kernel only reads them.
            let n = unsafe { libc::sendmsg(self.fd(), &msg, 0) };
            if n >= 0 {
                if n as usize != size {
                    return Err(Error::Malformed(format!("{op}: sent {n} of {size} bytes")));
                }
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINTR) {
                return Err(io_error(op, e));
            }
        }
    }

    /// Reads one datagram (blocking, or not) into the buffer; returns its
    /// length, 0 when nothing is queued (non-blocking only).
    fn recv(&mut self, block: bool, op: &str) -> Result<usize> {
        loop {
            match self.recv_or_overrun(block, op)? {
                Some(n) => return Ok(n),
                // Replies were lost before this read (see below); those
                // still queued are read on.
                None => continue,
            }
        }
    }

    /// [`Socket::recv`], but `None` when the kernel says (ENOBUFS) that the
    /// receive buffer overflowed and replies were dropped since the last
    /// read. The error is reported once; what is still queued stays.
    fn recv_or_overrun(&mut self, block: bool, op: &str) -> Result<Option<usize>> {
        let flags = if block { 0 } else { libc::MSG_DONTWAIT };
        loop {
            // SAFETY: recv into our own buffer of its size.
            let n = unsafe {
                libc::recv(
                    self.fd(),
                    self.buf.as_mut_ptr().cast::<c_void>(),
                    self.buf.len() * 8,
                    flags,
                )
            };
            if n >= 0 {
                return Ok(Some(n as usize));
            }
            let err = std::io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) if !block => return Ok(Some(0)),
                Some(libc::ENOBUFS) => return Ok(None),
                _ => return Err(io_error(op, err)),
            }
        }
    }

    /// Reads and drops whatever is queued: replies to earlier requests
    /// nobody waits for any more. A request sent while they fill the
    /// receive buffer would have its own reply dropped, and a blocking
    /// read would then wait for it for ever.
    fn drop_stale(&mut self, op: &str) -> Result<()> {
        while self.recv(false, op)? > 0 {}
        Ok(())
    }

    /// Sends a dump request (filtered by table, and for rules by chain,
    /// when given) and hands every reply message to `each`.
    pub fn dump(
        &mut self,
        msg_type: u16,
        family: u16,
        (table, chain): (Option<&str>, Option<&str>),
        mut each: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let op = format!("nf_tables dump (message {msg_type})");
        let seq = self.next_seq();
        let mut req = Vec::new();
        wire::request(
            (msg_type, family, NLM_F_REQUEST | NLM_F_DUMP, seq),
            table,
            chain,
            &mut req,
        )?;
        self.drop_stale(&op)?;
        self.send(&req, &op)?;
        self.drain_dump(seq, &op, &mut each)
    }

    /// Reads the answers to dump request `seq` until its end.
    fn drain_dump(
        &mut self,
        seq: u32,
        op: &str,
        each: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        loop {
            let n = self.recv(true, op)?;
            let mut done = false;
            for_each_message(&self.buf, n, |h, msg| {
                if h.seq != seq {
                    return Ok(());
                }
                match h.kind {
                    NLMSG_DONE => done = true,
                    NLMSG_ERROR => {
                        let errno = error_code(msg);
                        if errno != 0 {
                            return Err(kernel(op, errno, "dump refused"));
                        }
                        done = true;
                    }
                    _ => each(msg)?,
                }
                Ok(())
            })?;
            if done {
                return Ok(());
            }
        }
    }

    /// The ruleset's generation id.
    pub fn genid(&mut self) -> Result<u32> {
        let op = "reading the nf_tables generation id";
        let seq = self.next_seq();
        let mut req = Vec::new();
        wire::request(
            (NFT_MSG_GETGEN, 0, NLM_F_REQUEST | NLM_F_ACK, seq),
            None,
            None,
            &mut req,
        )?;
        self.drop_stale(op)?;
        self.send(&req, op)?;
        let mut id = None;
        let mut acked = false;
        while !acked {
            let n = self.recv(true, op)?;
            for_each_message(&self.buf, n, |h, msg| {
                if h.seq != seq {
                    return Ok(());
                }
                if h.kind == NLMSG_ERROR {
                    let errno = error_code(msg);
                    if errno != 0 {
                        return Err(kernel(op, errno, "GETGEN refused"));
                    }
                    acked = true;
                } else if h.kind == (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN {
                    id = Some(ffi::parse_gen(msg)?);
                }
                Ok(())
            })?;
        }
        id.ok_or_else(|| Error::Malformed("no generation id in the reply".into()))
    }

    /// Sends `messages` (pieces of whole messages, built with sequence
    /// numbers from [`Socket::next_seq`], the last one with NLM_F_ACK) as
    /// one batch, applied only while the ruleset is at generation `genid`
    /// when given. `ours` says which sequence numbers are the messages'
    /// (an error on another is the batch's). The kernel's echo of the new
    /// generation id, and of each rule message sent with NLM_F_ECHO, come
    /// back in the answer.
    ///
    /// Once the kernel acknowledged the batch, nothing after it turns the
    /// answer into a failure: the batch landed.
    pub fn batch(
        &mut self,
        genid: Option<u32>,
        messages: &[&[u8]],
        last_seq: u32,
        ours: &dyn Fn(u32) -> bool,
    ) -> Result<BatchReply> {
        let op = "nf_tables batch";
        let begin_seq = self.next_seq();
        let end_seq = self.next_seq();
        let (mut begin, mut end) = (Vec::new(), Vec::new());
        batch_msg(&mut begin, NFNL_MSG_BATCH_BEGIN, begin_seq, genid);
        batch_msg(&mut end, NFNL_MSG_BATCH_END, end_seq, None);
        let mut parts = Vec::with_capacity(messages.len() + 2);
        parts.push(begin.as_slice());
        parts.extend_from_slice(messages);
        parts.push(end.as_slice());
        // A batch must go in one datagram, and a datagram may not exceed
        // the send buffer.
        let size: usize = parts.iter().map(|p| p.len()).sum();
        self.set_buffer(libc::SO_SNDBUFFORCE, size + (64 << 10));
        self.drop_stale(op)?;
        self.send_parts(&parts, size, op)?;
        let mut errors = Vec::new();
        let mut acked = false;
        let mut reply = BatchReply {
            result: BatchResult::Applied,
            genid: None,
            handles: HashMap::new(),
        };
        let new_rule = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;
        let new_gen = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
        // Read until the socket is empty, even past an overrun: a refused
        // batch of thousands of messages answers an error for each, more
        // than the buffer holds, and what stays queued would fill it for the
        // next request. The first errors are kept (the kernel drops the
        // ones that no longer fit), and any error means nothing landed.
        let mut overrun = false;
        loop {
            let n = match self.recv_or_overrun(false, op)? {
                Some(n) => n,
                None => {
                    overrun = true;
                    continue;
                }
            };
            if n == 0 {
                break;
            }
            for_each_message(&self.buf, n, |h, msg| {
                match h.kind {
                    NLMSG_ERROR => {
                        let errno = error_code(msg);
                        if errno == 0 {
                            if h.seq == last_seq {
                                acked = true;
                            }
                        } else {
                            errors.push((h.seq, errno));
                        }
                    }
                    k if k == new_rule => {
                        if let Some(handle) = rule_handle(msg) {
                            reply.handles.insert(h.seq, handle);
                        }
                    }
                    k if k == new_gen => {
                        if let Ok(id) = ffi::parse_gen(msg) {
                            reply.genid = Some(id);
                        }
                    }
                    _ => {}
                }
                Ok(())
            })?;
        }
        if errors.iter().any(|&(s, e)| s == begin_seq && e == ERESTART) {
            reply.result = BatchResult::GenerationMoved;
            return Ok(reply);
        }
        if let Some(&(seq, errno)) = errors.first() {
            if errno == libc::EPERM || !ours(seq) {
                return Err(kernel(op, errno, "the batch"));
            }
            reply.result = BatchResult::Refused {
                seq,
                errno: Errno::from_raw(errno),
            };
            return Ok(reply);
        }
        if !acked {
            let why = if overrun {
                "its replies overflowed the receive buffer"
            } else {
                "nothing was reported back"
            };
            return Err(Error::Malformed(format!(
                "the kernel did not acknowledge the batch ({why})"
            )));
        }
        Ok(reply)
    }
}

/// The kernel's answer to a batch.
#[derive(Debug)]
pub(crate) struct BatchReply {
    pub result: BatchResult,
    /// The generation the batch made, when the kernel echoed it.
    pub genid: Option<u32>,
    /// The handle of each rule the batch added with NLM_F_ECHO, by the
    /// sequence number of its message.
    pub handles: HashMap<u32, u64>,
}

/// NFTA_RULE_HANDLE of a rule message, read without libnftnl (an echo
/// needs nothing else).
pub(crate) fn rule_handle(msg: &[u8]) -> Option<u64> {
    const NFGENMSG_LEN: usize = 4;
    const NFTA_RULE_HANDLE: u16 = 3;
    let mut off = NLMSG_HDRLEN + NFGENMSG_LEN;
    while off + 4 <= msg.len() {
        let len = u16::from_ne_bytes([msg[off], msg[off + 1]]) as usize;
        let kind = u16::from_ne_bytes([msg[off + 2], msg[off + 3]]) & 0x3fff;
        if len < 4 || off + len > msg.len() {
            return None;
        }
        if kind == NFTA_RULE_HANDLE && len == 12 {
            let b: [u8; 8] = msg[off + 4..off + 12].try_into().ok()?;
            return Some(u64::from_be_bytes(b));
        }
        off += (len + 3) & !3;
    }
    None
}

/// How a batch went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchResult {
    /// Applied, all of it.
    Applied,
    /// The ruleset changed since the generation the batch was computed
    /// from: nothing was applied.
    GenerationMoved,
    /// The kernel refused the message of sequence number `seq` (the
    /// first it refused): nothing was applied.
    Refused {
        /// The message.
        seq: u32,
        /// The kernel's answer.
        errno: Errno,
    },
}

impl BatchResult {
    /// The error of a refused batch: the kernel's errno and what the
    /// refused message was for (`None`: the batch).
    pub fn refusal(self, what: Option<&str>) -> Option<Error> {
        let BatchResult::Refused { errno, .. } = self else {
            return None;
        };
        Some(kernel(
            "nf_tables batch",
            errno.raw(),
            what.unwrap_or("the batch"),
        ))
    }
}

fn kernel(op: &str, errno: i32, what: &str) -> Error {
    if errno == libc::EPERM {
        return Error::NotPermitted { op: op.into() };
    }
    Error::Kernel {
        op: op.into(),
        errno: Errno::from_raw(errno),
        context: what.into(),
    }
}

/// Walks the messages in the first `n` bytes of `buf`.
fn for_each_message(
    buf: &[u64],
    n: usize,
    f: impl FnMut(&Header, &[u8]) -> Result<()>,
) -> Result<()> {
    // SAFETY: a u64 buffer viewed as bytes; n <= its length (recv said so).
    let bytes =
        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n.min(buf.len() * 8)) };
    crate::backend::netlink_msg::for_each_message(bytes, f)
}

/// Appends a batch begin or end message (nfnetlink header for the
/// nf_tables subsystem), with the generation id attribute when given.
fn batch_msg(out: &mut Vec<u8>, kind: u16, seq: u32, genid: Option<u32>) {
    let len = NLMSG_HDRLEN + 4 + if genid.is_some() { 8 } else { 0 };
    out.extend_from_slice(&(len as u32).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    // nfgenmsg: AF_UNSPEC, NFNETLINK_V0, res_id = the subsystem (big endian).
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&NFNL_SUBSYS_NFTABLES.to_be_bytes());
    if let Some(g) = genid {
        out.extend_from_slice(&8u16.to_ne_bytes());
        out.extend_from_slice(&NFNL_BATCH_GENID.to_ne_bytes());
        out.extend_from_slice(&g.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule message as the kernel echoes it: header, nfgenmsg, then
    /// NFTA_RULE_TABLE "filter", NFTA_RULE_CHAIN "INPUT", NFTA_RULE_HANDLE.
    fn echoed_rule(handle: u64) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&[2, 0, 0, 0]); // nfgenmsg: ipv4, v0, res_id 0
        let mut attr = |kind: u16, data: &[u8]| {
            body.extend_from_slice(&((4 + data.len()) as u16).to_ne_bytes());
            body.extend_from_slice(&kind.to_ne_bytes());
            body.extend_from_slice(data);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        };
        attr(1, b"filter\0");
        attr(2, b"INPUT\0");
        attr(3, &handle.to_be_bytes());
        let mut msg = Vec::new();
        msg.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        msg.extend_from_slice(&((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE).to_ne_bytes());
        msg.extend_from_slice(&0u16.to_ne_bytes());
        msg.extend_from_slice(&7u32.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(&body);
        msg
    }

    #[test]
    fn the_handle_of_an_echoed_rule() {
        assert_eq!(
            rule_handle(&echoed_rule(0x0102_0304_0506)),
            Some(0x0102_0304_0506)
        );
        // Cut anywhere, it is found whole or not at all.
        let whole = echoed_rule(42);
        for n in 0..whole.len() {
            assert!(matches!(rule_handle(&whole[..n]), None | Some(42)), "{n}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_a_panic(bytes: Vec<u8>) {
            let _ = rule_handle(&bytes);
            let words: Vec<u64> = bytes
                .chunks(8)
                .map(|c| {
                    let mut w = [0u8; 8];
                    w[..c.len()].copy_from_slice(c);
                    u64::from_ne_bytes(w)
                })
                .collect();
            let _ = for_each_message(&words, bytes.len(), |_, _| Ok(()));
            let _ = error_code(&bytes);
        }
    }
}
