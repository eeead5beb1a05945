//! What if: the verdict a table gives a packet, found offline, with the
//! path of rules the packet passes.
//!
//! [`evaluate`] walks a [`Table`] (in memory: built, parsed, or read
//! through a [`Handle`](crate::Handle)) the way the kernel walks it: rule
//! by rule from a chain; `-j CHAIN` jumps and comes back, `-g CHAIN` goes
//! without coming back, `RETURN` and the end of a user chain return, a
//! built-in chain ends in its policy. Targets that do not decide (LOG,
//! NFLOG, CT, ...) let the packet go on; `-j MARK` and `-j CONNMARK`
//! change the marks later rules see.
//!
//! Decided offline: addresses and masks, interfaces (with `+`), `-p`,
//! `-f`, tcp/udp ports and TCP flags, multiport, icmp and icmp6,
//! conntrack (state, protocol; the original tuple and direction of a NEW
//! packet) and state, mark and connmark, comment, iprange, mac and
//! pkttype — each with its `!`. A test of something the [`Packet`] does
//! not say (no ports given), a match that depends on what happened before
//! (limit, hashlimit, recent, quota, statistic, connlimit), on other state
//! (set, string, u32, owner, addrtype, ...), a rule iptkit cannot read
//! ([`Rule::foreign`](crate::Rule::foreign)) and a target of unknown
//! meaning are **undecided**.
//!
//! An undecided rule does not stop the evaluation: both ways are followed
//! (as if it matched, and as if it did not). When every way ends in the
//! same verdict, that is the verdict (`-m limit ... -j LOG` before a DROP
//! does not matter); otherwise it is [`Verdict::Undecided`], and
//! [`Evaluation::possible`] lists the verdicts the ways reach and
//! [`Evaluation::reasons`] why. The recorded [`Evaluation::path`] is the
//! way where no undecided rule matched.
//!
//! ```
//! use iptkit::whatif::{evaluate, ConnState, Packet, Verdict};
//! use iptkit::{Family, Table};
//! let text = "*filter\n:INPUT DROP [0:0]\n:ssh - [0:0]\n\
//!     -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
//!     -A INPUT -p tcp -m tcp --dport 22 -j ssh\n\
//!     -A ssh -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n";
//! let mut table = Table::new(Family::Ipv4, "filter")?;
//! iptkit::syntax::restore::parse(Family::Ipv4, text)?[0].apply(&mut table, &Default::default())?;
//! let packet = |src: &str| Packet::new(src.parse().unwrap(), "198.51.100.1".parse().unwrap())
//!     .tcp(40000, 22)
//!     .state(ConnState::New);
//! let admin = evaluate(&table, "INPUT", &packet("192.0.2.7"))?;
//! assert_eq!(admin.verdict, Verdict::Accept);
//! assert_eq!(admin.path.len(), 3); // no match, jump to ssh, ACCEPT
//! assert_eq!(admin.path[2].to_string(), "ssh 0: -s 192.0.2.0/24 -j ACCEPT => ACCEPT");
//! let other = evaluate(&table, "INPUT", &packet("203.0.113.9"))?;
//! assert_eq!(other.verdict, Verdict::Drop); // back from ssh, INPUT's policy
//! # Ok::<(), iptkit::Error>(())
//! ```

mod decide;
mod packet;
mod walk;

use std::fmt;

pub use packet::{ConnState, Flow, Packet};

use crate::error::{Error, Result};
use crate::ruleset::Table;

/// What a table does with a packet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// `ACCEPT` (a rule's, or the policy).
    Accept,
    /// `DROP` (a rule's, or the policy).
    Drop,
    /// `-j REJECT`.
    Reject,
    /// Another target that ends the walk (`QUEUE`, `NFQUEUE`, `DNAT`,
    /// `SNAT`, ...), or `RETURN` when the walk started in a user chain and
    /// returned from it.
    Other(String),
    /// It depends on something not known offline (see
    /// [`Evaluation::reasons`]).
    Undecided,
}

impl fmt::Display for Verdict {
    /// `ACCEPT`, `DROP`, `REJECT`, the target's name, or `UNDECIDED`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Accept => "ACCEPT",
            Verdict::Drop => "DROP",
            Verdict::Reject => "REJECT",
            Verdict::Other(name) => name,
            Verdict::Undecided => "UNDECIDED",
        })
    }
}

/// What happened at one step of the path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The rule does not match; on to the next.
    NoMatch,
    /// The rule matched; its target does not decide (LOG, MARK, no
    /// target): on to the next.
    Continue,
    /// The rule matched and its target decided.
    Verdict(Verdict),
    /// The rule matched: `-j CHAIN`.
    Jump(String),
    /// The rule matched: `-g CHAIN`.
    Goto(String),
    /// The rule matched: `-j RETURN`.
    Return,
    /// Whether the rule matches cannot be said offline: why. The path goes
    /// on as if it did not match.
    Undecided(String),
    /// The end of a built-in chain (or a return to it): its policy decided.
    Policy(Verdict),
    /// The end of a user chain: back to the rule after the jump.
    End,
}

/// One step of the path: a rule passed, or a chain's end.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// The chain.
    pub chain: String,
    /// The rule's position in the chain (0-based); `None` for the chain's
    /// end (its policy, or the return of a user chain).
    pub index: Option<usize>,
    /// The rule as iptables-save prints it after `-A CHAIN` (empty for a
    /// chain's end).
    pub rule: String,
    /// What happened.
    pub action: Action,
}

impl fmt::Display for Step {
    /// `INPUT 2: -p tcp -m tcp --dport 22 -j ACCEPT => ACCEPT`, or
    /// `INPUT policy => DROP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match &self.action {
            Action::NoMatch => "no match".to_string(),
            Action::Continue => "matched, continue".to_string(),
            Action::Verdict(v) => v.to_string(),
            Action::Jump(c) => format!("jump to {c}"),
            Action::Goto(c) => format!("goto {c}"),
            Action::Return => "return".to_string(),
            Action::Undecided(why) => format!("undecided ({why}), continue"),
            Action::Policy(v) => v.to_string(),
            Action::End => "return".to_string(),
        };
        match (self.index, &self.action) {
            (Some(i), _) => write!(f, "{} {i}: {} => {action}", self.chain, self.rule),
            (None, Action::Policy(_)) => write!(f, "{} policy => {action}", self.chain),
            (None, _) => write!(f, "{} end => {action}", self.chain),
        }
    }
}

/// The answer of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evaluation {
    /// The verdict: the one every way through the table reaches, or
    /// [`Verdict::Undecided`].
    pub verdict: Verdict,
    /// The rules the packet passed, in order (the way where no undecided
    /// rule matched).
    pub path: Vec<Step>,
    /// Every verdict some way reaches, sorted; one unless undecided.
    pub possible: Vec<Verdict>,
    /// Why rules could not be decided (`CHAIN rule N: why`), in the order
    /// met; empty when every rule was decided.
    pub reasons: Vec<String>,
}

impl Evaluation {
    /// The step that decided (a verdict, a policy), on the recorded path.
    pub fn decided_by(&self) -> Option<&Step> {
        self.path
            .iter()
            .rev()
            .find(|s| matches!(s.action, Action::Verdict(_) | Action::Policy(_)))
    }
}

/// The verdict `table` gives `packet` entering `chain` (a built-in chain
/// such as `INPUT`, or a user chain), and the path to it.
///
/// Fails with [`Error::NoSuchChain`] when `chain` (or a jump's target) is
/// not in the table, with [`Error::InvalidAddress`] when the packet's
/// addresses are not of the table's family, and with [`Error::Loop`] when
/// jumps loop. See the [module](self) for what is decided.
pub fn evaluate(table: &Table, chain: &str, packet: &Packet) -> Result<Evaluation> {
    if crate::addr::Family::of(&packet.dst) != packet.family() || packet.family() != table.family {
        return Err(Error::InvalidAddress(format!(
            "packet {} -> {} in a {} table",
            packet.src,
            packet.dst,
            table.family.command()
        )));
    }
    let mut walk = walk::Walk::new(table, chain, packet)?;
    let mut path = Vec::new();
    walk.run(packet, &mut path)?;
    let possible: Vec<Verdict> = walk.outcomes.into_iter().collect();
    let verdict = match possible.as_slice() {
        [one] => one.clone(),
        _ => Verdict::Undecided,
    };
    Ok(Evaluation {
        verdict,
        path,
        possible,
        reasons: walk.reasons,
    })
}

/// [`evaluate`] of a flow: its packet from its chain.
pub fn evaluate_flow(table: &Table, flow: &Flow) -> Result<Evaluation> {
    evaluate(table, &flow.chain, &flow.packet)
}

#[cfg(test)]
mod tests;
