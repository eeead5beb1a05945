//! [`Rule`]: one iptables rule as plain data.

use std::fmt;
use std::str::FromStr;

use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::extension::Ctx;
use crate::extension::Member;
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::Match;
use crate::targets::{Target, TargetExt};

/// Packet and byte counters of a rule or a policy.
///
/// ```
/// use iptkit::{Counters, Family, Rule};
/// let rule = Rule::parse(Family::Ipv4, "-j ACCEPT -c 10 840")?; // `iptables -c PACKETS BYTES`
/// assert_eq!(rule.counters, Counters::new(10, 840));
/// assert_eq!(rule.counters.to_string(), "[10:840]");
/// assert_eq!(rule.save_line("INPUT", true), "[10:840] -A INPUT -j ACCEPT");
/// # Ok::<(), iptkit::Error>(())
/// ```
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
    /// Set when the kernel holds a rule here that iptkit cannot read: an
    /// nf_tables rule whose expressions iptables-nft would not have written
    /// (added with `nft`, say). Its matches are empty and its target
    /// [`Target::Continue`]; [`ForeignRule`] says what it is. Such a rule
    /// is kept as it is where it is and can be deleted, but never written
    /// anew (a commit that would have to is refused with
    /// [`Error::Incompatible`]).
    pub foreign: Option<Box<ForeignRule>>,
}

/// A rule of the kernel's that iptkit cannot read ([`Rule::foreign`]):
/// what it is, in nftables' words. Only a read makes one.
///
/// `iptables-nft` refuses to list a table holding one (`table `filter' is
/// incompatible, use 'nft' tool`); iptkit reads the rest of the table and
/// keeps this rule where it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForeignRule {
    exprs: String,
    reason: String,
}

impl ForeignRule {
    pub(crate) fn new(exprs: String, reason: String) -> ForeignRule {
        ForeignRule { exprs, reason }
    }

    /// The rule's expressions, in the bracketed form of
    /// `nft --debug=netlink` (`[ ct ] [ bitwise reg 1 = ( reg 1 & 0x02000000 ) ^ 0x00000000 ] ...`),
    /// counter values left out.
    pub fn exprs(&self) -> &str {
        &self.exprs
    }

    /// Why iptkit cannot read it (the first expression iptables-nft would
    /// not have written, or `it carries user data`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl Rule {
    /// An empty rule (matches everything, no target) of a family: the
    /// start of a rule built with the methods below.
    ///
    /// ```
    /// use iptkit::{matches::tcp::Tcp, Family, Net, Rule, Target};
    /// let rule = Rule::new(Family::Ipv4)
    ///     .source("192.0.2.0/24".parse::<Net>()?)
    ///     .with_match(Tcp::dport(22)) // sets `-p tcp` too
    ///     .with_target(Target::Accept);
    /// assert_eq!(rule.to_string(), "-s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT");
    /// assert_eq!(Rule::new(Family::Ipv4).to_string(), "");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(family: Family) -> Rule {
        Rule {
            family,
            ..Rule::default()
        }
    }

    /// Parses one rule spec in iptables syntax (what follows `-A CHAIN`).
    ///
    /// A spec with several addresses (`-s a,b`) makes several rules; use
    /// [`crate::syntax::parse_rule_spec`] for those. The text is read as
    /// iptables reads it (`-p tcp --dport 22` loads `-m tcp`, names and
    /// prefixes of options are taken), and refused as iptables refuses it.
    ///
    /// ```
    /// use iptkit::{Error, Family, Rule};
    /// let rule = Rule::parse(Family::Ipv6, "-s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT")?;
    /// assert_eq!(rule.to_string(), "-s 2001:db8::/32 -p tcp -m tcp --dport 22 -j ACCEPT");
    /// assert!(matches!(Rule::parse(Family::Ipv4, "--bogus"), Err(Error::UnknownOption(_))));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
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

    /// Sets `-s`: a network, or one address (a `/32` or `/128`).
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// use iptkit::{Family, Net, Rule};
    /// let host = Rule::new(Family::Ipv4).source(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
    /// assert_eq!(host.to_string(), "-s 192.0.2.1/32");
    /// let net = Rule::new(Family::Ipv4).source(Net::parse(Family::Ipv4, "10.0.0.0/8")?);
    /// assert_eq!(net.to_string(), "-s 10.0.0.0/8");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
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
    ///
    /// ```
    /// use iptkit::{Family, Rule};
    /// assert_eq!(Rule::new(Family::Ipv4).protocol(17).to_string(), "-p udp");
    /// ```
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

    /// Appends a match. A match that exists for one protocol only (`tcp`,
    /// `udp`, `icmp`, `sctp`, ...) sets the rule's `-p` to it when the rule
    /// has none, as iptables requires it: `Rule::new(f).with_match(tcp)` is
    /// `-p tcp -m tcp`.
    ///
    /// ```
    /// use iptkit::matches::{comment::Comment, udp::Udp};
    /// use iptkit::{Family, Rule};
    /// let rule = Rule::new(Family::Ipv4)
    ///     .with_match(Udp::dport(53))
    ///     .with_match(Comment::new("dns"));
    /// assert_eq!(rule.to_string(), "-p udp -m udp --dport 53 -m comment --comment dns");
    /// ```
    pub fn with_match(mut self, m: impl Into<Match>) -> Rule {
        let m = m.into();
        if self.proto.is_none() {
            self.proto = protocol_of(&m, self.family).map(Inv::is);
        }
        self.matches.push(m);
        self
    }

    /// The first match of type `T`, if the rule has one.
    ///
    /// ```
    /// use iptkit::{matches::tcp::Tcp, Rule};
    /// let rule: Rule = "-p tcp -m tcp --dport 22 -j ACCEPT".parse()?;
    /// let tcp = rule.find::<Tcp>().expect("a tcp match");
    /// assert_eq!(tcp.dport.map(|p| p.value.min), Some(22));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    #[doc(alias = "get_match")]
    pub fn find<T: Member<Match>>(&self) -> Option<&T> {
        self.matches.iter().find_map(T::from_ref)
    }

    /// Every match of type `T`, in order.
    pub fn find_all<T: Member<Match> + 'static>(&self) -> impl Iterator<Item = &T> {
        self.matches.iter().filter_map(T::from_ref)
    }

    /// The target extension when it is of type `T` (`-j REJECT ...`).
    ///
    /// ```
    /// use iptkit::{targets::reject::Reject, Rule};
    /// let rule: Rule = "-j REJECT --reject-with tcp-reset".parse()?;
    /// assert!(rule.target_as::<Reject>().is_some());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn target_as<T: Member<TargetExt>>(&self) -> Option<&T> {
        match &self.target {
            Target::Ext(t) => T::from_ref(t),
            _ => None,
        }
    }

    /// The text of the rule's first `-m comment`, when it has one and the
    /// comment is UTF-8 (a comment is bytes; [`Rule::find`] with
    /// [`Comment`](crate::matches::comment::Comment) gives them all).
    ///
    /// ```
    /// use iptkit::Rule;
    /// let rule: Rule = "-m comment --comment \"ssh in\" -j ACCEPT".parse()?;
    /// assert_eq!(rule.comment(), Some("ssh in"));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn comment(&self) -> Option<&str> {
        self.find::<crate::matches::comment::Comment>()?.to_str()
    }

    /// Sets the target: a verdict, a jump, or a target extension.
    ///
    /// ```
    /// use iptkit::targets::reject::{Reject, RejectWith};
    /// use iptkit::{Family, Rule, Target};
    /// let jump = Rule::new(Family::Ipv4).with_target(Target::Jump("ssh".into()));
    /// assert_eq!(jump.to_string(), "-j ssh");
    /// let reject = Rule::new(Family::Ipv4).protocol(6).with_target(Reject::new(RejectWith::TcpReset));
    /// assert_eq!(reject.to_string(), "-p tcp -j REJECT --reject-with tcp-reset");
    /// ```
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
            foreign,
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
            && *foreign == other.foreign
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
        self.save_line_as(chain, counters, crate::extension::Dialect::Legacy)
    }

    /// [`Rule::save_line`] as the given tool prints it (iptables-legacy-save
    /// or iptables-nft-save).
    pub fn save_line_as(
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

/// The protocol a match exists for alone, whose kernel module refuses a
/// rule without that `-p` (the `.proto` of its `xt_match`).
fn protocol_of(m: &Match, family: Family) -> Option<u8> {
    Some(match m {
        Match::Tcp(_) | Match::Tcpmss(_) | Match::Osf(_) => 6,
        Match::Esp(_) => 50,
        Match::Ah(_) if family == Family::Ipv4 => 51,
        Match::Ipcomp(_) => 108,
        Match::Udp(_) => 17,
        Match::Udplite(_) => 136,
        Match::Icmp(_) if family == Family::Ipv4 => 1,
        Match::Icmp6(_) if family == Family::Ipv6 => 58,
        Match::Sctp(_) => 132,
        Match::Dccp(_) => 33,
        Match::Mh(_) if family == Family::Ipv6 => 135,
        _ => return None,
    })
}

impl fmt::Display for Rule {
    /// The rule spec without the chain: `-s 10.0.0.0/8 -j ACCEPT`, exactly
    /// as iptables-legacy-save prints it after `-A CHAIN`.
    ///
    /// ```
    /// use iptkit::Rule;
    /// let rule: Rule = "-p tcp --dport 22 -s 10.1.2.3/8 -j ACCEPT".parse()?;
    /// assert_eq!(rule.to_string(), "-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT");
    /// assert_eq!(format!("-A INPUT {rule}"), rule.save_line("INPUT", false));
    /// # Ok::<(), iptkit::Error>(())
    /// ```
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
