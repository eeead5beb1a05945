//! `-j TCPOPTSTRIP`: remove options from TCP headers (`xt_TCPOPTSTRIP.h`,
//! `struct xt_tcpoptstrip_target_info`).

use std::collections::BTreeSet;

use iptkit_sys::ext::xt_tcpoptstrip::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{uint, Opt, Seen};

/// The option names iptables knows, with their kinds (`tcp_optionmap`).
pub const TCP_OPTION_NAMES: &[(&str, u8)] = &[
    ("wscale", 3),
    ("mss", 2),
    ("sack-permitted", 4),
    ("sack", 5),
    ("timestamp", 8),
    ("md5", 19),
];

/// `-j TCPOPTSTRIP [--strip-options KIND,...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tcpoptstrip {
    /// The TCP option kinds to remove (iptables takes 2 to 255, by number or
    /// by a name of [`TCP_OPTION_NAMES`]); empty strips nothing.
    pub strip: BTreeSet<u8>,
}

impl Tcpoptstrip {
    /// A target stripping the option kinds `kinds`.
    pub fn kinds(kinds: impl IntoIterator<Item = u8>) -> Tcpoptstrip {
        Tcpoptstrip {
            strip: kinds.into_iter().collect(),
        }
    }
}

const O_STRIP: usize = 0;
const OPTS: &[Opt] = &[Opt::new("strip-options")];

/// `KIND[,KIND...]` as libxt_TCPOPTSTRIP's `parse_list` reads it.
fn parse_list(s: &str) -> Result<BTreeSet<u8>> {
    let bad = |reason: String| Error::value("TCPOPTSTRIP --strip-options", s, reason);
    let mut set = BTreeSet::new();
    for word in s.split(',') {
        let kind = match TCP_OPTION_NAMES.iter().find(|(n, _)| *n == word) {
            Some(&(_, k)) => k,
            None => uint(word, 0, 255)
                .ok_or_else(|| bad(format!("bad TCP option value `{word}'")))?
                as u8,
        };
        if kind < 2 {
            return Err(bad("option value may not be 0 or 1".into()));
        }
        if !set.insert(kind) {
            return Err(bad(format!("option `{word}' already specified")));
        }
    }
    Ok(set)
}

impl Extension for Tcpoptstrip {
    const NAME: &'static str = "TCPOPTSTRIP";

    fn example(_family: crate::addr::Family) -> Self {
        Tcpoptstrip::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Tcpoptstrip::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tcpoptstrip_target_info = read_struct(Self::NAME, revision, data)?;
        Ok(Tcpoptstrip::kinds((0..=255u8).filter(|&i| {
            k.strip_bmap[usize::from(i >> 5)] & (1 << (i & 31)) != 0
        })))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tcpoptstrip_target_info::zeroed();
        for &i in &self.strip {
            k.strip_bmap[usize::from(i >> 5)] |= 1 << (i & 31);
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "strip-options" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_STRIP, invert)?;
        self.strip = parse_list(args.value("--strip-options")?)?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // iptables-save prints the kinds as numbers, and nothing for none.
        if self.strip.is_empty() {
            return;
        }
        let kinds: Vec<String> = self.strip.iter().map(u8::to_string).collect();
        out.push_str(" --strip-options ");
        out.push_str(&kinds.join(","));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--strip-options wscale,mss,sack-permitted,sack,timestamp,md5` and
        // `--strip-options 255,2`, as the kernel holds them.
        let mut bytes = vec![0u8; 32];
        bytes[..3].copy_from_slice(&[0x3c, 0x01, 0x08]);
        both_ways(Ipv4, &Tcpoptstrip::kinds([2, 3, 4, 5, 8, 19]), &bytes);
        let mut bytes = vec![0u8; 32];
        bytes[0] = 4;
        bytes[31] = 0x80;
        both_ways(Ipv6, &Tcpoptstrip::kinds([2, 255]), &bytes);
        both_ways(Ipv6, &Tcpoptstrip::default(), &[0; 32]);
    }

    #[test]
    fn text_like_iptables() {
        let all = "-p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,6,7";
        conformance_each(&[
            (Ipv4, "-j TCPOPTSTRIP", Some("-j TCPOPTSTRIP")),
            (Ipv4, "-p tcp -j TCPOPTSTRIP", Some("-p tcp -j TCPOPTSTRIP")),
            (Ipv4, all, Some(all)),
            (Ipv6, all, Some(all)),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options 0", None),
            (Ipv6, "-p tcp -j TCPOPTSTRIP --strip-options 1", None),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options 1,2", None),
            (
                Ipv4,
                "-p tcp -j TCPOPTSTRIP --strip-options wscale,mss,sack-permitted,sack,timestamp,md5",
                Some("-p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,8,19"),
            ),
            (
                Ipv4,
                "-p tcp -j TCPOPTSTRIP --strip-options 0x10,010",
                Some("-p tcp -j TCPOPTSTRIP --strip-options 8,16"),
            ),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options WSCALE", None),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options 2,mss", None),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options 2,", None),
            (Ipv4, "-p tcp -j TCPOPTSTRIP --strip-options 256", None),
            (
                Ipv4,
                "-p tcp -j TCPOPTSTRIP --strip-options 2 --strip-options 3",
                None,
            ),
        ]);
    }
}
