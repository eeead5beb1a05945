//! Targets: what a rule does with a packet that passes its matches. The
//! [`Target`] of a rule is a verdict (`-j ACCEPT`, `DROP`, `QUEUE`,
//! `RETURN`), a jump or goto to a user chain (`-j CHAIN`, `-g CHAIN`),
//! nothing ([`Target::Continue`]: count the packet and go on), or a target
//! extension (`-j REJECT`, `-j LOG`, `-j SNAT`, ...): [`Target::Ext`]
//! holding a [`TargetExt`]. Each target extension is a plain struct in its
//! own module below, a field per option, and a variant of [`TargetExt`]; a
//! target read from the kernel that the crate has no type for is kept as
//! [`TargetExt::Unknown`] and committed as it was.
//!
//! # Building one
//!
//! As a match: a constructor ([`Reject::new`](reject::Reject::new),
//! [`MarkTarget::set_mark`](mark::MarkTarget::set_mark),
//! [`Ct::notrack_alias`](ct::Ct::notrack_alias), ...), a struct literal
//! (the fields you leave out from a constructor or `Default`), or text.
//! [`Rule::with_target`](crate::Rule::with_target) takes a [`Target`] or
//! any extension type.
//!
//! ```
//! use iptkit::targets::log::Log;
//! use iptkit::targets::reject::{Reject, RejectWith};
//! use iptkit::{Family, Rule, Target};
//! let reset = Rule::new(Family::Ipv4).protocol(6).with_target(Reject::new(RejectWith::TcpReset));
//! assert_eq!(reset.to_string(), "-p tcp -j REJECT --reject-with tcp-reset");
//! let log = Log { prefix: Some("in: ".into()), ..Log::default() };
//! assert_eq!(Rule::new(Family::Ipv4).with_target(log).to_string(), "-j LOG --log-prefix \"in: \"");
//! let parsed = Rule::parse(Family::Ipv4, "-j LOG --log-prefix \"in: \"")?;
//! assert_eq!(parsed.target.to_string(), "-j LOG --log-prefix \"in: \"");
//! assert_eq!(Rule::new(Family::Ipv4).with_target(Target::Accept).to_string(), "-j ACCEPT");
//! # Ok::<(), iptkit::Error>(())
//! ```
//!
//! # Finding one in a rule
//!
//! [`Rule::target_as`](crate::Rule::target_as) gives the target extension
//! when it is of a type; or match on [`Target`] and [`TargetExt`]
//! ([`TargetExt`] is `#[non_exhaustive]`: keep a `_` arm).
//!
//! ```
//! use iptkit::targets::reject::{Reject, RejectWith};
//! use iptkit::{Rule, Target, TargetExt};
//! let rule: Rule = "-p tcp -j REJECT --reject-with tcp-reset".parse()?;
//! assert_eq!(rule.target_as::<Reject>().map(|r| r.with), Some(RejectWith::TcpReset));
//! match &rule.target {
//!     Target::Ext(TargetExt::Reject(r)) => assert_eq!(r.with, RejectWith::TcpReset),
//!     Target::Jump(chain) | Target::Goto(chain) => println!("on to chain {chain}"),
//!     other => println!("{other}"), // -j ACCEPT, -j LOG ..., ...
//! }
//! # Ok::<(), iptkit::Error>(())
//! ```
//!
//! # The target extensions
//!
//! Every target the kernel offers has a type, in a module of its own (its
//! options, kernel struct and revisions). Those marked IPv4 or IPv6 exist
//! in that family only. Some may be used only in some tables or chains
//! (SNAT only in the `nat` table, REJECT only in the `filter` table's
//! INPUT, FORWARD and OUTPUT): a commit that puts them elsewhere fails
//! with [`Error::Refused`](crate::Error::Refused), which says so.
//!
//! | `-j` | type | does |
//! |---|---|---|
//! | `AUDIT` | [`Audit`](audit::Audit) | record the packet in the audit log |
//! | `CHECKSUM` | [`Checksum`](checksum::Checksum) | fill in a missing checksum |
//! | `CLASSIFY` | [`Classify`](classify::Classify) | set the traffic control class |
//! | `CLUSTERIP` | [`Clusterip`](clusterip::Clusterip) | share an address among cluster nodes (IPv4) |
//! | `CONNMARK` | [`ConnmarkTarget`](connmark::ConnmarkTarget) | set the connection mark, or copy it to or from the packet |
//! | `CONNSECMARK` | [`Connsecmark`](connsecmark::Connsecmark) | copy security marks between packet and connection |
//! | `CT` | [`Ct`](ct::Ct) | connection tracking setup: `--notrack`, helper, zone, events |
//! | `DNAT` | [`Dnat`](dnat::Dnat) | rewrite the destination address and port |
//! | `DNPT` | [`Dnpt`](dnpt::Dnpt) | IPv6 prefix translation of destinations (IPv6) |
//! | `DSCP` | [`DscpTarget`](dscp::DscpTarget) | set the DSCP field |
//! | `ECN` | [`EcnTarget`](ecn::EcnTarget) | set or clear ECN bits (IPv4) |
//! | `HL` | [`HlTarget`](hl::HlTarget) | change the hop limit (IPv6) |
//! | `HMARK` | [`Hmark`](hmark::Hmark) | set the mark from a hash of the packet |
//! | `IDLETIMER` | [`Idletimer`](idletimer::Idletimer) | a timer that tells user space when traffic stops |
//! | `LED` | [`Led`](led::Led) | flash a LED |
//! | `LOG` | [`Log`](log::Log) | log the packet to the kernel log |
//! | `MARK` | [`MarkTarget`](mark::MarkTarget) | change the packet mark |
//! | `MASQUERADE` | [`Masquerade`](masquerade::Masquerade) | source NAT to the outgoing interface's address |
//! | `NETMAP` | [`Netmap`](netmap::Netmap) | map a network onto another |
//! | `NFLOG` | [`Nflog`](nflog::Nflog) | send the packet to user space (nfnetlink_log) |
//! | `NFQUEUE` | [`Nfqueue`](nfqueue::Nfqueue) | hand the packet to a user-space program for a verdict |
//! | `NOTRACK` | [`Ct`](ct::Ct) | `-j NOTRACK` is a CT target, as iptables 1.8.9 writes it; [`Notrack`](notrack::Notrack) is the old kernel target, read from tables only |
//! | `RATEEST` | [`RateestTarget`](rateest::RateestTarget) | feed a rate estimator |
//! | `REDIRECT` | [`Redirect`](redirect::Redirect) | destination NAT to the local machine |
//! | `REJECT` | [`Reject`](reject::Reject) | drop and answer with an ICMP error or a TCP reset |
//! | `SECMARK` | [`Secmark`](secmark::Secmark) | set the security mark |
//! | `SET` | [`SetTarget`](set::SetTarget) | add to or delete from an ipset |
//! | `SNAT` | [`Snat`](snat::Snat) | rewrite the source address and port |
//! | `SNPT` | [`Snpt`](snpt::Snpt) | IPv6 prefix translation of sources (IPv6) |
//! | `SYNPROXY` | [`Synproxy`](synproxy::Synproxy) | answer TCP handshakes with SYN cookies |
//! | `TCPMSS` | [`TcpmssTarget`](tcpmss::TcpmssTarget) | rewrite the MSS option |
//! | `TCPOPTSTRIP` | [`Tcpoptstrip`](tcpoptstrip::Tcpoptstrip) | remove TCP options |
//! | `TEE` | [`Tee`](tee::Tee) | send a copy to another host |
//! | `TOS` | [`TosTarget`](tos::TosTarget) | change the TOS byte |
//! | `TPROXY` | [`Tproxy`](tproxy::Tproxy) | hand the packet to a local socket, unchanged |
//! | `TRACE` | [`Trace`](trace::Trace) | log every rule the packet passes |
//! | `TTL` | [`TtlTarget`](ttl::TtlTarget) | change the TTL (IPv4) |
//!
//! The module [`standard`] holds [`Target`]. Adding an extension: see
//! `CONTRIBUTING.md` at the repository root.

pub mod connmark;
pub mod ct;

pub mod audit;
pub mod checksum;
pub mod classify;
pub mod clusterip;
pub mod connsecmark;
pub mod dnat;
pub mod dnpt;
pub mod dscp;
pub mod ecn;
pub mod hl;
pub mod hmark;
pub mod idletimer;
pub mod led;
pub mod log;
pub mod mark;
pub mod masquerade;
pub mod netmap;
pub mod nflog;
pub mod nfqueue;
pub mod notrack;
pub mod rateest;
pub mod redirect;
pub mod reject;
pub mod secmark;
pub mod set;
pub mod snat;
pub mod snpt;
pub mod synproxy;
pub mod tcpmss;
pub mod tcpoptstrip;
pub mod tee;
pub mod tos;
pub mod tproxy;
pub mod trace;
pub mod ttl;

mod nat_range;
pub mod standard;
pub use standard::Target;

crate::extension::registry! {
    /// A target extension (`-j REJECT`, `-j LOG`, ...), typed; anything else is
    /// kept as [`TargetExt::Unknown`].
    /// See the [module](self) for how to build and find one.
    ///
    /// ```
    /// use iptkit::targets::mark::MarkTarget;
    /// use iptkit::{Target, TargetExt};
    /// let t: TargetExt = MarkTarget::set_mark(0x10, 0xff).into();
    /// assert_eq!(t.name(), "MARK");
    /// assert_eq!(t.to_string(), "-j MARK --set-xmark 0x10/0xff");
    /// let target: Target = t.into(); // Target::Ext, what Rule::target holds
    /// assert!(matches!(target, Target::Ext(TargetExt::Mark(_))));
    /// ```
    ///
    /// Targets larger than 56 bytes are boxed: a rule's target is inline,
    /// and NAT, LOG, MARK, REJECT and the other common ones stay so.
    pub enum TargetExt {
        Reject(reject::Reject),
        Log(log::Log),
        Mark(mark::MarkTarget),
        Connmark(connmark::ConnmarkTarget),
        Snat(snat::Snat),
        Dnat(dnat::Dnat),
        Masquerade(masquerade::Masquerade),
        Redirect(redirect::Redirect),
        Nflog(nflog::Nflog),
        Nfqueue(nfqueue::Nfqueue),
        Ct(ct::Ct) boxed,
        Audit(audit::Audit),
        Checksum(checksum::Checksum),
        Classify(classify::Classify),
        Connsecmark(connsecmark::Connsecmark),
        Dscp(dscp::DscpTarget),
        Ecn(ecn::EcnTarget),
        Hmark(hmark::Hmark) boxed,
        Idletimer(idletimer::Idletimer),
        Netmap(netmap::Netmap),
        Notrack(notrack::Notrack),
        Rateest(rateest::RateestTarget),
        Secmark(secmark::Secmark),
        Set(set::SetTarget) boxed,
        Synproxy(synproxy::Synproxy),
        Tcpmss(tcpmss::TcpmssTarget),
        Tcpoptstrip(tcpoptstrip::Tcpoptstrip),
        Tee(tee::Tee),
        Tos(tos::TosTarget),
        Tproxy(tproxy::Tproxy),
        Trace(trace::Trace),
        Ttl(ttl::TtlTarget),
        Dnpt(dnpt::Dnpt),
        Snpt(snpt::Snpt),
        Hl(hl::HlTarget),
        Led(led::Led),
        Clusterip(clusterip::Clusterip),
    }
}
