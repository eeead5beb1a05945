//! `-j CONNSECMARK`: copy security marks between packets and their
//! connections (`xt_CONNSECMARK.h`, `struct xt_connsecmark_target_info`).

use iptkit_sys::ext::xt_connsecmark::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

/// Which way the security mark is copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnsecmarkMode {
    /// `--save`: from the packet to its connection.
    #[default]
    Save,
    /// `--restore`: from the connection to the packet.
    Restore,
}

/// `-j CONNSECMARK --save` / `--restore`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Connsecmark {
    /// The direction of the copy.
    pub mode: ConnsecmarkMode,
}

impl Connsecmark {
    /// A CONNSECMARK target copying in direction `mode`.
    pub fn of(mode: ConnsecmarkMode) -> Connsecmark {
        Connsecmark { mode }
    }
}

const O_SAVE: usize = 0;
const O_RESTORE: usize = 1;
const OPTS: &[Opt] = &[
    Opt::new("save").excl(1 << O_RESTORE),
    Opt::new("restore").excl(1 << O_SAVE),
];

impl Extension for Connsecmark {
    const NAME: &'static str = "CONNSECMARK";

    fn example(_family: crate::addr::Family) -> Self {
        Connsecmark::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Connsecmark::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_connsecmark_target_info = read_struct(Self::NAME, revision, data)?;
        let mode = match k.mode {
            CONNSECMARK_SAVE => ConnsecmarkMode::Save,
            CONNSECMARK_RESTORE => ConnsecmarkMode::Restore,
            m => return Err(Error::Malformed(format!("CONNSECMARK: mode {m}"))),
        };
        Ok(Connsecmark::of(mode))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_connsecmark_target_info::zeroed();
        k.mode = match self.mode {
            ConnsecmarkMode::Save => CONNSECMARK_SAVE,
            ConnsecmarkMode::Restore => CONNSECMARK_RESTORE,
        };
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        _args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let (id, mode) = match option {
            "save" => (O_SAVE, ConnsecmarkMode::Save),
            "restore" => (O_RESTORE, ConnsecmarkMode::Restore),
            _ => return Ok(false),
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        self.mode = mode;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(Self::NAME, "--save or --restore is required"));
        }
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(match self.mode {
            ConnsecmarkMode::Save => " --save",
            ConnsecmarkMode::Restore => " --restore",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j CONNSECMARK --restore`, as the kernel holds it.
        both_ways(
            Ipv4,
            &Connsecmark::of(ConnsecmarkMode::Restore),
            &[2, 0, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv6,
            &Connsecmark::of(ConnsecmarkMode::Save),
            &[1, 0, 0, 0, 0, 0, 0, 0],
        );
        assert!(Connsecmark::decode(&Ctx::new(Ipv4), 0, &[0]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j CONNSECMARK --restore",
                Some("-j CONNSECMARK --restore"),
            ),
            (Ipv6, "-j CONNSECMARK --save", Some("-j CONNSECMARK --save")),
            (Ipv4, "-j CONNSECMARK", None),
            (Ipv6, "-j CONNSECMARK", None),
            (Ipv4, "-j CONNSECMARK --save --restore", None),
            (Ipv4, "-j CONNSECMARK --save --save", None),
            (Ipv4, "-j CONNSECMARK ! --save", None),
        ]);
    }
}
