//! `-m socket`: the packet belongs to a local socket (`xt_socket.h`;
//! revision 0 has no data, revisions 1 to 3 one flags byte each).

use iptkit_sys::ext::xt_socket::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{exact, take_flag};

/// `-m socket`. Each revision knows the options of the one before and one
/// more; iptables 1.8.9 writes revision 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Socket {
    /// The revision: 0 (IPv4 only, no options), 1 (`--transparent`), 2
    /// (`--nowildcard`) or 3 (`--restore-skmark`). A flag the revision does
    /// not know is refused by the kernel.
    pub revision: u8,
    /// `--transparent`: only transparent sockets.
    pub transparent: bool,
    /// `--nowildcard`: also listening sockets bound to the any address.
    pub nowildcard: bool,
    /// `--restore-skmark`: set the packet mark from the socket mark.
    pub restore_skmark: bool,
}

impl Default for Socket {
    fn default() -> Self {
        Socket {
            revision: 3,
            transparent: false,
            nowildcard: false,
            restore_skmark: false,
        }
    }
}

impl Socket {
    fn flags(&self) -> u8 {
        let mut f = 0;
        if self.transparent {
            f |= XT_SOCKET_TRANSPARENT;
        }
        if self.nowildcard {
            f |= XT_SOCKET_NOWILDCARD;
        }
        if self.restore_skmark {
            f |= XT_SOCKET_RESTORESKMARK;
        }
        f
    }

    /// The flag of `--option` when this revision has the option.
    fn option_slot(&mut self, option: &str) -> Option<&mut bool> {
        match option {
            "transparent" if self.revision >= 1 => Some(&mut self.transparent),
            "nowildcard" if self.revision >= 2 => Some(&mut self.nowildcard),
            "restore-skmark" if self.revision >= 3 => Some(&mut self.restore_skmark),
            _ => None,
        }
    }
}

impl Extension for Socket {
    const NAME: &'static str = "socket";
    const REVISIONS: &'static [u8] = &[0, 1, 2, 3];

    fn example(_family: crate::addr::Family) -> Self {
        Socket::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Socket::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let flags = match revision {
            0 => 0,
            1 => read_struct::<xt_socket_mtinfo1>(Self::NAME, revision, data)?.flags,
            2 => read_struct::<xt_socket_mtinfo2>(Self::NAME, revision, data)?.flags,
            3 => read_struct::<xt_socket_mtinfo3>(Self::NAME, revision, data)?.flags,
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        let v = Socket {
            revision,
            transparent: flags & XT_SOCKET_TRANSPARENT != 0,
            nowildcard: flags & XT_SOCKET_NOWILDCARD != 0,
            restore_skmark: flags & XT_SOCKET_RESTORESKMARK != 0,
        };
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let flags = self.flags();
        match self.revision {
            0 => {}
            1 => out.extend_from_slice(xt_socket_mtinfo1 { flags }.as_bytes()),
            2 => out.extend_from_slice(xt_socket_mtinfo2 { flags }.as_bytes()),
            _ => out.extend_from_slice(xt_socket_mtinfo3 { flags }.as_bytes()),
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        _args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let Some(slot) = self.option_slot(option) else {
            return Ok(false);
        };
        take_flag(Self::NAME, option, slot, invert)?;
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // Each revision prints only the options it knows.
        if self.revision >= 1 && self.transparent {
            out.push_str(" --transparent");
        }
        if self.revision >= 2 && self.nowildcard {
            out.push_str(" --nowildcard");
        }
        if self.revision >= 3 && self.restore_skmark {
            out.push_str(" --restore-skmark");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = ctx(Family::Ipv4);
        let all = "--transparent --nowildcard --restore-skmark";
        kernel_fixture::<Socket>(&v4, all, 3, "0700000000000000");
        kernel_fixture::<Socket>(&v4, "--transparent", 3, "0100000000000000");
        for revision in 0..=2 {
            let v = Socket {
                revision,
                transparent: revision > 0,
                ..Socket::default()
            };
            let mut out = Vec::new();
            v.encode(&v4, &mut out);
            assert_eq!(out.len(), usize::from(revision > 0));
            out.resize(iptkit_sys::xt_align(out.len()), 0);
            assert_eq!(Socket::decode(&v4, revision, &out).unwrap(), v);
        }
        assert!(Socket::decode(&v4, 4, &[0; 8]).is_err());
    }

    #[test]
    fn text_and_refusals() {
        let v4 = ctx(Family::Ipv4);
        assert!(parse::<Socket>(&v4, "! --transparent").is_err());
        assert!(parse::<Socket>(&v4, "--nowildcard --nowildcard").is_err());
        let v1 = Socket {
            revision: 1,
            transparent: true,
            nowildcard: true,
            restore_skmark: false,
        };
        assert_eq!(save(&v4, &v1), " --transparent");
    }

    #[test]
    fn conformance_cases() {
        let cases = [
            ("-m socket", Some("-m socket")),
            (
                "-m socket --transparent --nowildcard",
                Some("-m socket --transparent --nowildcard"),
            ),
            (
                "-m socket --transparent --nowildcard --restore-skmark",
                Some("-m socket --transparent --nowildcard --restore-skmark"),
            ),
            (
                "-m socket --transparent --restore-skmark",
                Some("-m socket --transparent --restore-skmark"),
            ),
            (
                "-m socket --nowildcard --restore-skmark",
                Some("-m socket --nowildcard --restore-skmark"),
            ),
            (
                "-m socket --restore-skmark",
                Some("-m socket --restore-skmark"),
            ),
            (
                "-m socket --restore-skmark --transparent",
                Some("-m socket --transparent --restore-skmark"),
            ),
        ];
        conformance(Family::Ipv4, &cases);
        conformance(Family::Ipv6, &cases);
    }
}
