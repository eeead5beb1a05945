//! Match extensions: the `-m NAME ...` parts of a rule, one typed value
//! per extension, and the [`Match`] enum that holds any of them.
//!
//! A match is a test on the packet beyond the fixed fields of a rule (`-s`,
//! `-d`, `-i`, `-o`, `-p`): `-m tcp --dport 22`, `-m conntrack --ctstate
//! NEW`, `-m comment --comment "..."`. A rule holds its matches in order
//! ([`Rule::matches`](crate::Rule::matches)) and applies its target to a
//! packet that passes all of them. Each extension is a plain struct in its
//! own module below, a field per option, and a variant of [`Match`]. A
//! match read from the kernel that the crate has no type for (or that its
//! type could not write back byte for byte) is kept as [`Match::Unknown`]
//! and committed as it was.
//!
//! # Building one
//!
//! Three ways, which give equal values:
//!
//! - a constructor for the common cases: [`Tcp::dport`](tcp::Tcp::dport),
//!   [`Udp::dport`](udp::Udp::dport), [`Tcp::syn`](tcp::Tcp::syn),
//!   [`Multiport::dports`](multiport::Multiport::dports),
//!   [`Conntrack::state`](conntrack::Conntrack::state),
//!   [`Comment::new`](comment::Comment::new), [`Limit::new`](limit::Limit::new),
//!   [`Hashlimit::upto`](hashlimit::Hashlimit::upto), ...;
//! - a struct literal, the fields you leave out taken from a constructor
//!   or from `Default`. An extension has a `Default` only where that value
//!   is valid alone (the revision iptables writes); one that needs a
//!   value (a set, a name, a port list) has constructors that take it
//!   instead, and refuse what the kernel would ([`Set::new`](set::Set::new),
//!   [`Dscp::new`](dscp::Dscp::new), ...);
//! - parsing iptables text ([`Rule::parse`](crate::Rule::parse)), which
//!   takes every option iptables takes and refuses what iptables refuses.
//!   Extensions whose values are long or need care to build (`set`,
//!   `recent`, `string`, `u32`, ...) are easiest built this way.
//!
//! ```
//! use iptkit::matches::{port::PortRange, tcp::Tcp};
//! use iptkit::{Family, Inv, Rule};
//! let built = Rule::new(Family::Ipv4).with_match(Tcp::dport(22));
//! let literal = Rule::new(Family::Ipv4).with_match(Tcp {
//!     dport: Some(Inv::is(PortRange::port(22))),
//!     ..Tcp::default()
//! });
//! let parsed = Rule::parse(Family::Ipv4, "-p tcp -m tcp --dport 22")?;
//! assert!(built == literal && literal == parsed);
//! # Ok::<(), iptkit::Error>(())
//! ```
//!
//! [`Rule::with_match`](crate::Rule::with_match) takes any extension type
//! (or a [`Match`]); for a match that exists for one protocol only (`tcp`,
//! `udp`, `icmp`, `sctp`, ...) it also sets the rule's `-p`, which the
//! kernel requires. A value prints as iptables-save prints it (`Display`:
//! `-m tcp --dport 22`), and [`Match::name`] is the name after `-m`.
//!
//! # Finding one in a rule
//!
//! [`Rule::find`](crate::Rule::find) gives the first match of a type,
//! [`Rule::find_all`](crate::Rule::find_all) every one; or go through
//! [`Rule::matches`](crate::Rule::matches) and match on the enum (it is
//! `#[non_exhaustive]`: keep a `_` arm).
//!
//! ```
//! use iptkit::matches::conntrack::{Conntrack, CtState};
//! use iptkit::matches::tcp::Tcp;
//! use iptkit::{Match, Rule};
//! let rule: Rule = "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT".parse()?;
//! assert_eq!(rule.find::<Tcp>(), Some(&Tcp::dport(22)));
//! assert_eq!(rule.find::<Conntrack>().and_then(|c| c.state), Some(CtState::NEW.into()));
//! for m in &rule.matches {
//!     match m {
//!         Match::Tcp(tcp) => assert!(tcp.dport.is_some()),
//!         Match::Unknown(raw) => println!("-m {}: {} bytes kept as they are", raw.name, raw.data.len()),
//!         other => println!("{other}"), // -m conntrack --ctstate NEW
//!     }
//! }
//! # Ok::<(), iptkit::Error>(())
//! ```
//!
//! # The extensions
//!
//! Every match the kernel offers has a type, in a module of its own (its
//! options, kernel struct and revisions). Those marked IPv4 or IPv6 exist
//! in that family only: `-m` names them in the other as an unknown
//! extension, as iptables does.
//!
//! | `-m` | type | tests |
//! |---|---|---|
//! | `addrtype` | [`Addrtype`](addrtype::Addrtype) | routing type of the source or destination address (`LOCAL`, `BROADCAST`, ...) |
//! | `ah` | [`Ah`](ah::Ah) | SPI of an IPsec Authentication Header |
//! | `bpf` | [`Bpf`](bpf::Bpf) | a classic BPF program, or a pinned eBPF one |
//! | `cgroup` | [`Cgroup`](cgroup::Cgroup) | control group of the sending socket |
//! | `cluster` | [`Cluster`](cluster::Cluster) | a cluster node's share of the connections |
//! | `comment` | [`Comment`](comment::Comment) | nothing: a note on the rule |
//! | `connbytes` | [`Connbytes`](connbytes::Connbytes) | packets or bytes a connection has carried |
//! | `connlabel` | [`Connlabel`](connlabel::Connlabel) | a label bit of the connection |
//! | `connlimit` | [`Connlimit`](connlimit::Connlimit) | connections per address or network |
//! | `connmark` | [`Connmark`](connmark::Connmark) | the connection's mark |
//! | `conntrack` | [`Conntrack`](conntrack::Conntrack) | the connection tracking entry (`--ctstate`, addresses, status, ...) |
//! | `cpu` | [`Cpu`](cpu::Cpu) | the CPU handling the packet |
//! | `dccp` | [`Dccp`](dccp::Dccp) | DCCP ports, packet types, option |
//! | `devgroup` | [`Devgroup`](devgroup::Devgroup) | group of the input or output device |
//! | `dscp` | [`Dscp`](dscp::Dscp) | DSCP field |
//! | `dst` | [`Dst`](dst::Dst) | IPv6 destination options header (IPv6) |
//! | `ecn` | [`Ecn`](ecn::Ecn) | ECN bits of the IP and TCP headers |
//! | `esp` | [`Esp`](esp::Esp) | SPI of an IPsec ESP header |
//! | `eui64` | [`Eui64`](eui64::Eui64) | IPv6 address made from the MAC address (IPv6) |
//! | `frag` | [`Frag`](frag::Frag) | IPv6 fragment header (IPv6) |
//! | `hashlimit` | [`Hashlimit`](hashlimit::Hashlimit) | a rate limit per source, destination or flow |
//! | `hbh` | [`Hbh`](hbh::Hbh) | IPv6 hop-by-hop options header (IPv6) |
//! | `helper` | [`Helper`](helper::Helper) | the connection's conntrack helper |
//! | `hl` | [`Hl`](hl::Hl) | IPv6 hop limit (IPv6) |
//! | `icmp` | [`Icmp`](icmp::Icmp) | ICMP type and code (IPv4) |
//! | `icmp6` | [`Icmp6`](icmp6::Icmp6) | ICMPv6 type and code (IPv6; also `icmpv6`, `ipv6-icmp`) |
//! | `ipcomp` | [`Ipcomp`](ipcomp::Ipcomp) | CPI of an IPComp header |
//! | `iprange` | [`Iprange`](iprange::Iprange) | source or destination address in a range |
//! | `ipv6header` | [`Ipv6header`](ipv6header::Ipv6header) | which IPv6 extension headers are present (IPv6) |
//! | `ipvs` | [`Ipvs`](ipvs::Ipvs) | IPVS (load balancer) connection properties |
//! | `l2tp` | [`L2tp`](l2tp::L2tp) | L2TP tunnel and session ids |
//! | `length` | [`Length`](length::Length) | packet length |
//! | `limit` | [`Limit`](limit::Limit) | a rate limit over all packets (token bucket) |
//! | `mac` | [`Mac`](mac::Mac) | source MAC address |
//! | `mark` | [`Mark`](mark::Mark) | the packet's mark |
//! | `mh` | [`Mh`](mh::Mh) | IPv6 mobility header type (IPv6) |
//! | `multiport` | [`Multiport`](multiport::Multiport) | up to 15 ports or ranges |
//! | `nfacct` | [`Nfacct`](nfacct::Nfacct) | nothing: counts in an accounting object |
//! | `osf` | [`Osf`](osf::Osf) | operating system of a TCP SYN's sender (IPv4) |
//! | `owner` | [`Owner`](owner::Owner) | UID, GID or socket of the local sender |
//! | `physdev` | [`Physdev`](physdev::Physdev) | bridge ports of a bridged packet |
//! | `pkttype` | [`Pkttype`](pkttype::Pkttype) | unicast, broadcast or multicast |
//! | `policy` | [`PolicyMatch`](policy::PolicyMatch) | IPsec policy of the packet |
//! | `quota` | [`Quota`](quota::Quota) | until a number of bytes has passed |
//! | `rateest` | [`Rateest`](rateest::Rateest) | a rate measured by a `RATEEST` estimator |
//! | `realm` | [`Realm`](realm::Realm) | routing realm (IPv4) |
//! | `recent` | [`Recent`](recent::Recent) | lists of recently seen addresses |
//! | `rpfilter` | [`Rpfilter`](rpfilter::Rpfilter) | reverse path filter |
//! | `rt` | [`Rt`](rt::Rt) | IPv6 routing header (IPv6) |
//! | `sctp` | [`Sctp`](sctp::Sctp) | SCTP ports and chunk types |
//! | `set` | [`Set`](set::Set) | membership in an ipset |
//! | `socket` | [`Socket`](socket::Socket) | a local socket exists for the packet |
//! | `srh` | [`Srh`](srh::Srh) | IPv6 segment routing header (IPv6) |
//! | `state` | [`Conntrack`](conntrack::Conntrack) | `-m state --state ...` is a conntrack match, as iptables 1.8.9 writes it; [`State`](state::State) is the old kernel `state` match, read from tables only |
//! | `statistic` | [`Statistic`](statistic::Statistic) | at random, or every nth packet |
//! | `string` | [`StringMatch`](string::StringMatch) | a byte pattern in the packet |
//! | `tcp` | [`Tcp`](tcp::Tcp) | TCP ports, flags, option |
//! | `tcpmss` | [`Tcpmss`](tcpmss::Tcpmss) | MSS option of TCP SYN packets |
//! | `time` | [`Time`](time::Time) | date, time of day, weekday |
//! | `tos` | [`Tos`](tos::Tos) | TOS byte |
//! | `ttl` | [`Ttl`](ttl::Ttl) | IPv4 TTL (IPv4) |
//! | `u32` | [`U32`](u32::U32) | 32-bit words at computed offsets |
//! | `udp` | [`Udp`](udp::Udp) | UDP ports |
//! | `udplite` | [`Udplite`](udplite::Udplite) | UDP-Lite ports |
//!
//! The modules [`port`], [`spi`] and [`ip6opts`] hold value types several
//! matches share (port ranges, SPI ranges, IPv6 options headers).
//!
//! Adding an extension: see `CONTRIBUTING.md` at the repository root.

pub mod port;
pub mod spi;
// The options-header value shared by dst and hbh (area matches-g).
pub mod ip6opts;

pub mod addrtype;
pub mod comment;
pub mod conntrack;
pub mod hashlimit;
pub mod icmp;
pub mod icmp6;
pub mod iprange;
pub mod length;
pub mod limit;
pub mod mac;
pub mod mark;
pub mod multiport;
pub mod owner;
pub mod pkttype;

pub mod ah;
pub mod bpf;
pub mod cgroup;
pub mod cluster;
pub mod connbytes;
pub mod connlabel;
pub mod connlimit;
pub mod connmark;
pub mod cpu;
pub mod dccp;
pub mod devgroup;
pub mod dscp;
pub mod dst;
pub mod ecn;
pub mod esp;
pub mod eui64;
pub mod frag;
pub mod hbh;
pub mod helper;
pub mod hl;
pub mod ipcomp;
pub mod ipv6header;
pub mod ipvs;
pub mod l2tp;
pub mod mh;
pub mod nfacct;
pub mod osf;
pub mod physdev;
pub mod policy;
pub mod quota;
pub mod rateest;
pub mod realm;
pub mod recent;
pub mod rpfilter;
pub mod rt;
pub mod sctp;
pub mod set;
pub mod socket;
pub mod srh;
pub mod state;
pub mod statistic;
pub mod string;
pub mod tcp;
pub mod tcpmss;
pub mod time;
pub mod tos;
pub mod ttl;
pub mod u32;
pub mod udp;
pub mod udplite;

crate::extension::registry! {
    /// One `-m` match of a rule, typed; anything else is kept as [`Match::Unknown`].
    /// See the [module](self) for how to build and find one.
    ///
    /// ```
    /// use iptkit::matches::comment::Comment;
    /// use iptkit::Match;
    /// let m: Match = Comment::new("web").into();
    /// assert_eq!(m.name(), "comment");
    /// assert_eq!(m.to_string(), "-m comment --comment web");
    /// assert!(matches!(&m, Match::Comment(c) if c.to_str() == Some("web")));
    /// ```
    ///
    /// Matches larger than 40 bytes are boxed, so that the common small
    /// ones (`tcp`, `udp`, `multiport`, `comment`, ...) cost a table little.
    pub enum Match {
        Tcp(tcp::Tcp),
        Udp(udp::Udp),
        Icmp(icmp::Icmp),
        Icmp6(icmp6::Icmp6),
        Multiport(multiport::Multiport),
        Conntrack(conntrack::Conntrack) boxed,
        State(state::State),
        Comment(comment::Comment),
        Limit(limit::Limit),
        Mark(mark::Mark),
        Mac(mac::Mac),
        Iprange(iprange::Iprange) boxed,
        Addrtype(addrtype::Addrtype),
        Set(set::Set) boxed,
        Recent(recent::Recent) boxed,
        Hashlimit(hashlimit::Hashlimit) boxed,
        Owner(owner::Owner),
        Length(length::Length),
        Pkttype(pkttype::Pkttype),
        Ah(ah::Ah),
        Bpf(bpf::Bpf),
        Cgroup(cgroup::Cgroup) boxed,
        Cluster(cluster::Cluster),
        Connbytes(connbytes::Connbytes),
        Connlabel(connlabel::Connlabel),
        Connlimit(connlimit::Connlimit),
        Connmark(connmark::Connmark),
        Cpu(cpu::Cpu),
        Dccp(dccp::Dccp),
        Devgroup(devgroup::Devgroup),
        Dscp(dscp::Dscp),
        Ecn(ecn::Ecn),
        Esp(esp::Esp),
        Helper(helper::Helper),
        Ipcomp(ipcomp::Ipcomp),
        Ipvs(ipvs::Ipvs) boxed,
        L2tp(l2tp::L2tp),
        Nfacct(nfacct::Nfacct),
        Osf(osf::Osf) boxed,
        Physdev(physdev::Physdev) boxed,
        Policy(policy::PolicyMatch),
        Quota(quota::Quota),
        Rateest(rateest::Rateest) boxed,
        Realm(realm::Realm),
        Rpfilter(rpfilter::Rpfilter),
        Sctp(sctp::Sctp) boxed,
        Socket(socket::Socket),
        Statistic(statistic::Statistic),
        String(string::StringMatch) boxed,
        Tcpmss(tcpmss::Tcpmss),
        Time(time::Time),
        Tos(tos::Tos),
        Ttl(ttl::Ttl),
        U32(u32::U32),
        Udplite(udplite::Udplite),
        Dst(dst::Dst),
        Eui64(eui64::Eui64),
        Frag(frag::Frag),
        Hbh(hbh::Hbh),
        Hl(hl::Hl),
        Ipv6header(ipv6header::Ipv6header),
        Mh(mh::Mh),
        Rt(rt::Rt) boxed,
        Srh(srh::Srh) boxed,
    }
}

impl std::fmt::Display for Match {
    /// The match as iptables-save prints it inside a rule:
    /// `-m tcp --dport 22`. Options whose text depends on the rule (the
    /// family, `-p`) are printed as in an IPv4 rule without `-p` (an IPv6
    /// rule for IPv6-only matches); [`Rule`](crate::Rule)'s own `Display`
    /// prints them in context.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        crate::syntax::write_match(
            &mut out,
            self,
            &crate::extension::Ctx::new(self.home_family()),
        );
        f.write_str(out.trim_start())
    }
}
