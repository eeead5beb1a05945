//! Match extensions (`-m NAME`), one file each, and the [`Match`] enum.
//!
//! To add one: write `NAME.rs` implementing `Extension`
//! with its byte and text fixtures, declare it below and add its line to the registry.

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

// Typed in issue 3; placeholders until their codecs land.
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
