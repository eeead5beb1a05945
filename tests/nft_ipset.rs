//! `-m set` through the nf_tables backend: set names resolved to indexes on
//! the way in (the compat match carries the same xt_set struct as a legacy
//! table), indexes named on the way out, a missing set refused before
//! anything is sent. The sets are made with the real `ipset` tool inside
//! each test's private namespace.
#![cfg(feature = "nft")]

mod common;

use common::*;
use iptkit::{Error, Family};

#[test]
fn sets_by_name_both_ways() {
    isolate();
    ipset("create first hash:net");
    for (f, name, kind) in [
        (Family::Ipv4, "foo", "hash:ip"),
        (Family::Ipv6, "foo6", "hash:ip family inet6"),
    ] {
        ipset(&format!("create {name} {kind}"));
        let mut h = nft_handle(f, "filter");
        h.append(
            "INPUT",
            rule(f, &format!("-m set --match-set {name} src -j DROP")),
        )
        .unwrap();
        h.commit().unwrap();
        let want = format!("-A INPUT -m set --match-set {name} src -j DROP");
        assert_eq!(nft_rules(f, "filter"), std::slice::from_ref(&want));
        // Written by iptables-nft, read by name.
        nft_ipt(
            f,
            &format!("-A FORWARD -m set --match-set {name} src,dst -j ACCEPT"),
        );
        // A save names the sets too (through a full read: see Driver::save).
        let saved = nft_handle(f, "filter").save(false).unwrap();
        assert_eq!(
            String::from_utf8(saved).unwrap(),
            nft_save(f, Some("filter"), false)
        );
        let mut h = nft_handle(f, "filter");
        let got = common::handle_nft_lines(&mut h);
        assert_eq!(
            got,
            [
                want,
                format!("-A FORWARD -m set --match-set {name} src,dst -j ACCEPT")
            ]
        );
        // A missing set: refused, nothing sent.
        let mut h = nft_handle(f, "filter");
        h.append("OUTPUT", rule(f, "-m set --match-set nosuch src -j DROP"))
            .unwrap();
        assert!(matches!(h.commit(), Err(Error::NoSuchSet(_))));
        assert_eq!(nft_rules(f, "filter").len(), 2);
    }
}
