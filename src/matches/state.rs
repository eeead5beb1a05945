//! `-m state` as old iptables wrote it: the kernel's `state` match revision 0
//! (`xt_state.h`, `struct xt_state_info`). iptables 1.8.9 parses `-m state`
//! into a [`Conntrack`](super::conntrack::Conntrack) match instead, so text
//! never builds this type; it is read from the kernel, written back and saved.
//!
//! ```
//! use iptkit::matches::{conntrack::Conntrack, state::State};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-m state --state NEW -j ACCEPT")?;
//! assert!(rule.find::<State>().is_none()); // text makes a Conntrack
//! assert!(rule.find::<Conntrack>().is_some_and(|c| c.state_alias));
//! # Ok::<(), iptkit::Error>(())
//! ```

use bitflags::bitflags;
use iptkit_sys::ext::xt_state::*;
use iptkit_sys::Pod;

use super::conntrack::{parse_name_list, print_names};
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;

bitflags! {
    /// The `XT_STATE_*` bits of a `state` match.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct StateMask: u32 {
        /// The packet belongs to no known connection.
        const INVALID = XT_STATE_INVALID;
        /// Part of a connection seen both ways.
        const ESTABLISHED = XT_STATE_ESTABLISHED;
        /// Starts a connection related to another one.
        const RELATED = XT_STATE_RELATED;
        /// Starts a new connection.
        const NEW = XT_STATE_NEW;
        /// The packet is not tracked.
        const UNTRACKED = XT_STATE_UNTRACKED;
        // Bits without a name are kept (`!` stores the complement).
        const _ = !0;
    }
}

/// Names as `--state` tries them (prefixes match).
const NAMES: &[(&str, StateMask)] = &[
    ("INVALID", StateMask::INVALID),
    ("NEW", StateMask::NEW),
    ("ESTABLISHED", StateMask::ESTABLISHED),
    ("RELATED", StateMask::RELATED),
    ("UNTRACKED", StateMask::UNTRACKED),
];

/// The order iptables prints them in.
const PRINT: &[(&str, StateMask)] = &[
    ("INVALID", StateMask::INVALID),
    ("NEW", StateMask::NEW),
    ("RELATED", StateMask::RELATED),
    ("ESTABLISHED", StateMask::ESTABLISHED),
    ("UNTRACKED", StateMask::UNTRACKED),
];

/// `-m state` (kernel revision 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// The states that match; `! --state X` is stored as the complement of X,
    /// as iptables did.
    pub states: StateMask,
}

impl State {
    /// `--state`: the packet's connection is in one of `states`.
    ///
    /// ```
    /// use iptkit::{matches::state::{State, StateMask}, Match};
    /// let m = Match::from(State::new(StateMask::ESTABLISHED | StateMask::RELATED));
    /// assert_eq!(m.to_string(), "-m state --state RELATED,ESTABLISHED");
    /// ```
    pub fn new(states: StateMask) -> State {
        State { states }
    }
}

impl Extension for State {
    const NAME: &'static str = "state";
    // `-m state` builds a conntrack match (see the registry): no aliases here.
    const ALIASES: &'static [&'static str] = &[];

    fn example(_family: crate::addr::Family) -> Self {
        State::new(StateMask::ESTABLISHED)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        State {
            states: StateMask::empty(),
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_state_info = read_struct(Self::NAME, revision, data)?;
        Ok(State {
            states: StateMask::from_bits_retain(k.statemask),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_state_info::zeroed();
        k.statemask = self.states.bits();
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
        if option != "state" {
            return Ok(false);
        }
        seen.take(Self::NAME, "--state", 1, invert, true)?;
        let v = args.value("--state")?;
        let s = parse_name_list("--state", "state", NAMES, StateMask::empty(), v)?;
        self.states = if invert { !s } else { s };
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "--state", 1)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let s = self.states;
        out.push_str(" --state");
        let start = out.len();
        print_names(out, PRINT, StateMask::empty(), s);
        if out.len() == start {
            // iptables prints "--state " and then no name at all.
            out.push(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;

    fn ctx() -> Ctx {
        Ctx::new(Family::Ipv4)
    }

    fn save(s: &State) -> String {
        let mut out = String::new();
        s.save(&ctx(), &mut out);
        out
    }

    fn parse(words: &[&str], invert: bool) -> Result<State> {
        let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let mut s = State::start(&ctx(), "state");
        let mut args = Args::new(&words);
        let mut seen = Seen::default();
        assert!(s.parse_option(&ctx(), "state", invert, &mut args, &mut seen)?);
        s.finish(&ctx(), seen)?;
        Ok(s)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // `--state ESTABLISHED,RELATED` as the kernel holds it (padded to 8).
        let bytes = [0x06, 0, 0, 0, 0, 0, 0, 0];
        let s = State::decode(&ctx(), 0, &bytes).unwrap();
        assert_eq!(s.states, StateMask::ESTABLISHED | StateMask::RELATED);
        let mut out = Vec::new();
        s.encode(&ctx(), &mut out);
        assert_eq!(out, bytes[..4]);
        assert_eq!(save(&s), " --state RELATED,ESTABLISHED");
        assert_eq!(s, parse(&["rel,EST"], false).unwrap());
        // UNTRACKED is bit 6 here, not the conntrack match's bit 8.
        let s = State::decode(&ctx(), 0, &[0x40, 0, 0, 0]).unwrap();
        assert_eq!(save(&s), " --state UNTRACKED");
        assert!(State::decode(&ctx(), 1, &bytes).is_err());
        assert!(State::decode(&ctx(), 0, &bytes[..2]).is_err());
    }

    #[test]
    fn inversion_is_the_complement() {
        let s = parse(&["NEW"], true).unwrap();
        assert_eq!(s.states.bits(), !XT_STATE_NEW);
        assert_eq!(save(&s), " --state INVALID,RELATED,ESTABLISHED,UNTRACKED");
        let s = State {
            states: StateMask::empty(),
        };
        assert_eq!(save(&s), " --state ");
    }

    #[test]
    fn refusals() {
        assert!(parse(&["wrong"], false).is_err());
        assert!(parse(&["SNAT"], false).is_err());
        assert!(parse(&["NEW,"], false).is_err());
        assert!(parse(&[], false).is_err());
        assert!(State::start(&ctx(), "state")
            .finish(&ctx(), Seen::default())
            .is_err());
    }
}
