//! [`Rule`]: one iptables rule as plain data.

use std::fmt;
use std::str::FromStr;

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::extension::Ctx;
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::Match;
use crate::targets::Target;

/// Packet and byte counters of a rule or a policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counters {
    /// Packets matched.
    pub packets: u64,
    /// Bytes matched.
    pub bytes: u64,
}

impl Counters {
    /// Counters with these values.
    pub fn new(packets: u64, bytes: u64) -> Counters {
        Counters { packets, bytes }
    }
}

impl fmt::Display for Counters {
    /// `[packets:bytes]`, as iptables-save -c prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}:{}]", self.packets, self.bytes)
    }
}

/// One rule: the fixed IP header tests, a list of matches, a target, counters.
///
/// A plain value: build it, compare it, print it, without root. Equality
/// ignores nothing (counters included); use [`Rule::same_spec`] to compare
/// what rules do.
///
/// ```
/// use iptkit::{Family, Rule};
/// let r = Rule::parse(Family::Ipv4, "-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT").unwrap();
/// assert_eq!(r.to_string(), "-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rule {
    /// IPv4 or IPv6: decides how addresses and some extensions are encoded.
    pub family: Family,
    /// `-s`: source network.
    pub src: Option<Inv<Net>>,
    /// `-d`: destination network.
    pub dst: Option<Inv<Net>>,
    /// `-i`: input interface.
    pub in_iface: Option<Inv<Iface>>,
    /// `-o`: output interface.
    pub out_iface: Option<Inv<Iface>>,
    /// `-p`: protocol number (0 is `all`).
    pub proto: Option<Inv<u8>>,
    /// `-f` (`Some(true)`) or `! -f` (`Some(false)`): IPv4 fragments only.
    pub fragment: Option<bool>,
    /// `-m ...` matches, in order.
    pub matches: Vec<Match>,
    /// `-j` / `-g`, or [`Target::Continue`] when there is none.
    pub target: Target,
    /// Packets and bytes this rule has matched.
    pub counters: Counters,
}

impl Rule {
    /// An empty rule (matches everything, no target) of a family.
    pub fn new(family: Family) -> Rule {
        Rule {
            family,
            ..Rule::default()
        }
    }

    /// Parses one rule spec in iptables syntax (what follows `-A CHAIN`).
    ///
    /// A spec with several addresses (`-s a,b`) makes several rules; use
    /// [`crate::syntax::parse_rule_spec`] for those.
    pub fn parse(family: Family, spec: &str) -> Result<Rule> {
        let words = crate::syntax::split_words(spec)?;
        let (mut rules, counters) = crate::syntax::parse_rule_spec(family, &words)?;
        if rules.len() != 1 {
            return Err(Error::Syntax(format!(
                "`{spec}` makes {} rules (several addresses); parse it with syntax::parse_rule_spec",
                rules.len()
            )));
        }
        let mut r = rules.remove(0);
        if let Some(c) = counters {
            r.counters = c;
        }
        Ok(r)
    }

    /// The context extensions see: family and protocol.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            family: self.family,
            proto: self.proto.map(|p| p.value).unwrap_or(0),
            proto_inv: self.proto.is_some_and(|p| p.invert),
            dialect: crate::extension::Dialect::Legacy,
        }
    }

    /// Sets `-s`.
    pub fn source(mut self, net: impl Into<Net>) -> Rule {
        self.src = Some(Inv::is(net.into()));
        self
    }

    /// Sets `-d`.
    pub fn destination(mut self, net: impl Into<Net>) -> Rule {
        self.dst = Some(Inv::is(net.into()));
        self
    }

    /// Sets `-p` by number (6 for tcp).
    pub fn protocol(mut self, proto: u8) -> Rule {
        self.proto = Some(Inv::is(proto));
        self
    }

    /// Sets `-i`.
    pub fn in_interface(mut self, iface: Iface) -> Rule {
        self.in_iface = Some(Inv::is(iface));
        self
    }

    /// Sets `-o`.
    pub fn out_interface(mut self, iface: Iface) -> Rule {
        self.out_iface = Some(Inv::is(iface));
        self
    }

    /// Appends a match.
    pub fn with_match(mut self, m: impl Into<Match>) -> Rule {
        self.matches.push(m.into());
        self
    }

    /// Sets the target.
    pub fn with_target(mut self, t: impl Into<Target>) -> Rule {
        self.target = t.into();
        self
    }

    /// True when both rules test and do the same, whatever their counters.
    pub fn same_spec(&self, other: &Rule) -> bool {
        // Field by field rather than on copies with the counters zeroed: a
        // commit compares every rule of the table this way. The destructuring
        // names every field, so a new one cannot be forgotten here.
        let Rule {
            family,
            src,
            dst,
            in_iface,
            out_iface,
            proto,
            fragment,
            matches,
            target,
            counters: _,
        } = self;
        *family == other.family
            && *src == other.src
            && *dst == other.dst
            && *in_iface == other.in_iface
            && *out_iface == other.out_iface
            && *proto == other.proto
            && *fragment == other.fragment
            && *matches == other.matches
            && *target == other.target
    }

    /// The rule in the form the kernel hands it back, so that
    /// [`Rule::same_spec`] compares what the kernel compares: IPv4 `-p all`
    /// is no protocol, `-s 0.0.0.0/0` no address, an empty interface none.
    pub fn normalized(mut self) -> Rule {
        if self.family == Family::Ipv4 && self.proto == Some(Inv::is(0)) {
            self.proto = None;
        }
        for net in [&mut self.src, &mut self.dst] {
            if net.is_some_and(|n| !n.invert && n.value.is_any() && n.value.addr().is_unspecified())
            {
                *net = None;
            }
        }
        for iface in [&mut self.in_iface, &mut self.out_iface] {
            if iface
                .as_ref()
                .is_some_and(|i| !i.invert && i.value.name().is_empty())
            {
                *iface = None;
            }
        }
        self
    }

    /// The rule as iptables-save prints it after `-A CHAIN`, with a leading
    /// space for every part (empty for an empty rule).
    pub fn save_spec(&self) -> String {
        crate::syntax::save_rule_spec(self)
    }

    /// The whole line iptables-save prints: `-A CHAIN ...`, with `[p:b] ` in
    /// front when `counters` is set (`iptables-save -c`).
    pub fn save_line(&self, chain: &str, counters: bool) -> String {
        self.save_line_in(chain, counters, crate::extension::Dialect::Legacy)
    }

    /// [`Rule::save_line`] as the given tool prints it (iptables-legacy-save
    /// or iptables-nft-save).
    pub fn save_line_in(
        &self,
        chain: &str,
        counters: bool,
        dialect: crate::extension::Dialect,
    ) -> String {
        let mut out = String::new();
        crate::syntax::write_rule_line(&mut out, self, chain, counters, dialect);
        out
    }
}

impl fmt::Display for Rule {
    /// The rule spec without the chain: `-s 10.0.0.0/8 -j ACCEPT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.save_spec();
        f.write_str(s.strip_prefix(' ').unwrap_or(&s))
    }
}

impl FromStr for Rule {
    type Err = Error;

    /// Parses a rule spec. The family is IPv6 when an address contains `:` or
    /// the spec uses `icmp6`/`ipv6-icmp`, IPv4 otherwise; use [`Rule::parse`] to
    /// say it.
    fn from_str(s: &str) -> Result<Rule> {
        let words = crate::syntax::split_words(s)?;
        let v6 = words.windows(2).any(|w| {
            matches!(
                w[0].as_str(),
                "-s" | "-d" | "--source" | "--destination" | "--src" | "--dst"
            ) && w[1].contains(':')
        }) || words
            .iter()
            .any(|w| w == "icmp6" || w == "ipv6-icmp" || w == "icmpv6");
        Rule::parse(if v6 { Family::Ipv6 } else { Family::Ipv4 }, s)
    }
}
