//! Layout entries for matches udp..mac (udp, icmp, icmp6, multiport, conntrack, state, comment, limit, mark, mac).

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &["linux/netfilter/xt_multiport.h"];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(ipt_icmp::ipt_icmp, "struct ipt_icmp", type_ => "type", code, invflags),
        layout!(ipt_icmp::ip6t_icmp, "struct ip6t_icmp", type_ => "type", code, invflags),
        layout!(
            xt_multiport::xt_multiport,
            "struct xt_multiport",
            flags,
            count,
            ports
        ),
        layout!(
            xt_multiport::xt_multiport_v1,
            "struct xt_multiport_v1",
            flags,
            count,
            ports,
            pflags,
            invert
        ),
    ]
}
