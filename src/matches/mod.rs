//! Match extensions (`-m NAME`), one file each, and the [`Match`] enum.
//!
//! To add one: write `NAME.rs` implementing [`Extension`](crate::extension::Extension)
//! with its byte and text fixtures, declare it below and add its line to the registry.

pub mod port;
mod xtopt;

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
pub mod recent;
pub mod set;
pub mod state;
pub mod tcp;
pub mod udp;

crate::extension::registry! {
    /// One `-m` match of a rule, typed; anything else is kept as [`Match::Unknown`].
    pub enum Match {
        Tcp(tcp::Tcp),
        Udp(udp::Udp),
        Icmp(icmp::Icmp),
        Icmp6(icmp6::Icmp6),
        Multiport(multiport::Multiport),
        Conntrack(conntrack::Conntrack),
        State(state::State),
        Comment(comment::Comment),
        Limit(limit::Limit),
        Mark(mark::Mark),
        Mac(mac::Mac),
        IpRange(iprange::IpRange),
        AddrType(addrtype::AddrType),
        Set(set::Set),
        Recent(recent::Recent),
        HashLimit(hashlimit::HashLimit),
        Owner(owner::Owner),
        Length(length::Length),
        PktType(pkttype::PktType),
    }
}
