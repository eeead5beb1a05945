//! Netlink message framing shared by the nf_tables and ipset sockets: the
//! header's flags and types (`linux/netlink.h`), a walk over the messages
//! of one datagram, and the error number of an acknowledgement.

use crate::error::{Error, Result};

/// Length of `struct nlmsghdr`.
pub(crate) const NLMSG_HDRLEN: usize = 16;
pub(crate) const NLMSG_ERROR: u16 = 2;
pub(crate) const NLMSG_DONE: u16 = 3;
pub(crate) const NLM_F_REQUEST: u16 = 1;
pub(crate) const NLM_F_ACK: u16 = 4;
/// Asks the kernel to send back what a message did (a new rule with its
/// handle; on the batch's begin message, the new generation id).
pub(crate) const NLM_F_ECHO: u16 = 8;
pub(crate) const NLM_F_REPLACE: u16 = 0x100;
pub(crate) const NLM_F_EXCL: u16 = 0x200;
pub(crate) const NLM_F_CREATE: u16 = 0x400;
pub(crate) const NLM_F_APPEND: u16 = 0x800;
pub(crate) const NLM_F_DUMP: u16 = 0x300;

/// The fields of a netlink header that matter here.
pub(crate) struct Header {
    pub kind: u16,
    pub seq: u32,
}

/// Walks the netlink messages of one datagram, handing each its header and
/// its bytes (header included). A length that does not fit is an error.
pub(crate) fn for_each_message(
    bytes: &[u8],
    mut f: impl FnMut(&Header, &[u8]) -> Result<()>,
) -> Result<()> {
    let mut off = 0;
    while off + NLMSG_HDRLEN <= bytes.len() {
        let b = &bytes[off..];
        let len = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if len < NLMSG_HDRLEN || len > b.len() {
            return Err(Error::Malformed(format!(
                "netlink message of length {len} in {} bytes",
                b.len()
            )));
        }
        let h = Header {
            kind: u16::from_ne_bytes([b[4], b[5]]),
            seq: u32::from_ne_bytes([b[8], b[9], b[10], b[11]]),
        };
        f(&h, &b[..len])?;
        off += len.next_multiple_of(4);
    }
    Ok(())
}

/// The (positive) error number of an NLMSG_ERROR message; 0 for an
/// acknowledgement; EPROTO for one too short to say.
pub(crate) fn error_code(msg: &[u8]) -> i32 {
    match msg.get(NLMSG_HDRLEN..NLMSG_HDRLEN + 4) {
        Some(b) => -i32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
        None => libc::EPROTO,
    }
}
