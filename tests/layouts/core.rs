//! Layout entries for the core xtables structs and tcp/udp.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "sys/socket.h",
    "netinet/in.h",
    "net/if.h",
    "linux/netfilter/x_tables.h",
    "linux/netfilter_ipv4/ip_tables.h",
    "linux/netfilter_ipv6/ip6_tables.h",
    "linux/netfilter/xt_tcpudp.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(xt_counters, "struct xt_counters", pcnt, bcnt),
        layout!(
            xt_entry_match,
            "struct xt_entry_match",
            match_size => "u.user.match_size",
            name => "u.user.name",
            revision => "u.user.revision"
        ),
        layout!(
            xt_entry_target,
            "struct xt_entry_target",
            target_size => "u.user.target_size",
            name => "u.user.name",
            revision => "u.user.revision"
        ),
        layout!(
            xt_standard_target,
            "struct xt_standard_target",
            target,
            verdict
        ),
        layout!(xt_error_target, "struct xt_error_target", target, errorname),
        layout!(xt_get_revision, "struct xt_get_revision", name, revision),
        layout!(
            xt_counters_info,
            "struct xt_counters_info",
            name,
            num_counters
        ),
        layout!(
            ipt_ip,
            "struct ipt_ip",
            src,
            dst,
            smsk,
            dmsk,
            iniface,
            outiface,
            iniface_mask,
            outiface_mask,
            proto,
            flags,
            invflags
        ),
        layout!(
            ipt_entry,
            "struct ipt_entry",
            ip,
            nfcache,
            target_offset,
            next_offset,
            comefrom,
            counters
        ),
        layout!(
            ip6t_ip6,
            "struct ip6t_ip6",
            src,
            dst,
            smsk,
            dmsk,
            iniface,
            outiface,
            iniface_mask,
            outiface_mask,
            proto,
            tos,
            flags,
            invflags
        ),
        layout!(
            ip6t_entry,
            "struct ip6t_entry",
            ipv6,
            nfcache,
            target_offset,
            next_offset,
            comefrom,
            counters
        ),
        layout!(
            ipt_getinfo,
            "struct ipt_getinfo",
            name,
            valid_hooks,
            hook_entry,
            underflow,
            num_entries,
            size
        ),
        layout!(ipt_get_entries, "struct ipt_get_entries", name, size),
        layout!(
            ipt_replace,
            "struct ipt_replace",
            name,
            valid_hooks,
            num_entries,
            size,
            hook_entry,
            underflow,
            num_counters,
            counters
        ),
        layout!(
            ipt_getinfo,
            "struct ip6t_getinfo",
            name,
            valid_hooks,
            hook_entry,
            underflow,
            num_entries,
            size
        ),
        layout!(
            ipt_replace,
            "struct ip6t_replace",
            name,
            valid_hooks,
            num_entries,
            size,
            hook_entry,
            underflow,
            num_counters,
            counters
        ),
        layout!(ipt_get_entries, "struct ip6t_get_entries", name, size),
        layout!(
            xt_tcpudp::xt_tcp,
            "struct xt_tcp",
            spts,
            dpts,
            option,
            flg_mask,
            flg_cmp,
            invflags
        ),
        layout!(xt_tcpudp::xt_udp, "struct xt_udp", spts, dpts, invflags),
    ]
}
