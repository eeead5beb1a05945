//! The typed API a user builds rules with: constructors, lookups, `Display`
//! and the values' equality. No kernel.

use std::collections::HashSet;

use iptkit::matches::comment::Comment;
use iptkit::matches::conntrack::{Conntrack, CtState};
use iptkit::matches::hashlimit::Hashlimit;
use iptkit::matches::multiport::Multiport;
use iptkit::matches::port::PortRange;
use iptkit::matches::tcp::Tcp;
use iptkit::matches::udp::Udp;
use iptkit::targets::reject::Reject;
use iptkit::{Family, Inv, Match, Net, Rule, Target};

#[test]
fn a_protocol_match_sets_the_protocol() {
    let r = Rule::new(Family::Ipv4).with_match(Udp::dport(53));
    assert_eq!(r.to_string(), "-p udp -m udp --dport 53");
    // An explicit protocol stays.
    let r = Rule::new(Family::Ipv4)
        .protocol(6)
        .with_match(Tcp::syn())
        .with_target(Target::Drop);
    assert_eq!(
        r.to_string(),
        "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP"
    );
    // Matches of no protocol leave it alone.
    let r = Rule::new(Family::Ipv4).with_match(Comment::new("x"));
    assert_eq!(r.proto, None);
}

#[test]
fn built_values_equal_parsed_ones() {
    let built = Rule::new(Family::Ipv4)
        .with_match(Tcp::dport(22))
        .with_match(Conntrack::state(CtState::NEW))
        .with_target(Target::Accept);
    let parsed = Rule::parse(
        Family::Ipv4,
        "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
    )
    .unwrap();
    assert_eq!(built, parsed);
    let mut set = HashSet::new();
    set.insert(built);
    assert!(set.contains(&parsed));
}

#[test]
fn defaults_are_the_revisions_iptables_writes() {
    assert_eq!(Multiport::dports([22.into()]).unwrap().revision, 1);
    assert_eq!(Conntrack::state(CtState::NEW).revision, 3);
    // No value iptables refuses can be built empty: these have no Default.
    assert!(Rule::parse(Family::Ipv4, "-m conntrack").is_err());
    // A range survives (revision 0 would keep 6000 only).
    let m = Multiport::dports([22.into(), (6000..=6010).into()]).unwrap();
    let r = Rule::new(Family::Ipv4).protocol(6).with_match(m);
    assert_eq!(r.to_string(), "-p tcp -m multiport --dports 22,6000:6010");
    assert!(Multiport::dports([]).is_err());
    assert!(Multiport::dports([PortRange::range(10, 5)]).is_err());
}

#[test]
fn hashlimit_from_a_rate_has_iptables_defaults() {
    let h = Hashlimit::upto(Family::Ipv4, "50/sec", "ssh").unwrap();
    assert_eq!(
        h.expire, 1000,
        "expiry follows the rate's unit, as in iptables"
    );
    assert_eq!(h.burst, 5);
    assert_eq!(h.srcmask, 32);
    let h = Hashlimit::above(Family::Ipv6, "3/minute", "scan").unwrap();
    assert!(h.above);
    assert_eq!((h.expire, h.srcmask), (60_000, 128));
    assert_eq!(
        h,
        Rule::parse(
            Family::Ipv6,
            "-m hashlimit --hashlimit-above 3/min --hashlimit-name scan"
        )
        .unwrap()
        .find::<Hashlimit>()
        .unwrap()
        .clone()
    );
    assert!(Hashlimit::upto(Family::Ipv4, "0/sec", "x").is_err());
    assert!(Hashlimit::upto(Family::Ipv4, "5/sec", "").is_err());
}

#[test]
fn typed_lookups() {
    let r = Rule::parse(
        Family::Ipv4,
        "-p tcp -m tcp --dport 22 -m comment --comment one -m comment --comment two \
         -j REJECT --reject-with tcp-reset",
    )
    .unwrap();
    assert_eq!(r.find::<Tcp>(), Some(&Tcp::dport(22)));
    assert_eq!(r.find::<Udp>(), None);
    assert_eq!(r.comment(), Some("one"));
    let all: Vec<_> = r.find_all::<Comment>().map(|c| c.to_str()).collect();
    assert_eq!(all, [Some("one"), Some("two")]);
    assert!(r.target_as::<Reject>().is_some());
}

#[test]
fn display_prints_iptables_text() {
    let m: Match = Tcp::dport(22).into();
    assert_eq!(m.to_string(), "-m tcp --dport 22");
    let r = Rule::parse(Family::Ipv4, "-j REJECT --reject-with tcp-reset").unwrap();
    assert_eq!(r.target.to_string(), "-j REJECT --reject-with tcp-reset");
    assert_eq!(Target::Goto("x".into()).to_string(), "-g x");
    assert_eq!(Target::Continue.to_string(), "");
    let net: Net = "10.0.0.0/8".parse().unwrap();
    assert_eq!(Inv::not(net).to_string(), "! 10.0.0.0/8");
    assert_eq!(Inv::is(net).to_string(), "10.0.0.0/8");
    let table = iptkit::syntax::restore::parse(Family::Ipv4, "*filter\n-A INPUT -j DROP\nCOMMIT\n")
        .unwrap()
        .remove(0);
    let mut t = iptkit::Table::new(Family::Ipv4, "filter").unwrap();
    table.apply(&mut t, &Default::default()).unwrap();
    let text = t.to_string();
    assert!(text.starts_with("*filter\n:INPUT ACCEPT [0:0]\n"), "{text}");
    assert!(text.contains("\n-A INPUT -j DROP\nCOMMIT\n"), "{text}");
}

#[test]
fn addresses_and_ports() {
    let net: Net = "10.0.0.0/8".parse().unwrap();
    assert!(net.contains("10.255.0.1".parse().unwrap()));
    assert!(!net.contains("::1".parse().unwrap()));
    // A mask that is not contiguous: the second octet is not tested.
    let odd: Net = "10.0.0.1/255.0.255.255".parse().unwrap();
    assert!(odd.contains("10.77.0.1".parse().unwrap()));
    assert!(!odd.contains("10.77.0.2".parse().unwrap()));
    assert!(odd.overlaps(&"10.77.0.0/16".parse().unwrap()));
    assert!(!odd.overlaps(&"10.77.1.0/24".parse().unwrap()));
    assert!(!net.overlaps(&"::/0".parse().unwrap()));
    assert!(PortRange::range(1, 1023).contains(1023));
    assert!(!PortRange::range(1, 1023).contains(0));
}

#[test]
fn an_address_is_a_host_network() {
    let r = Rule::new(Family::Ipv4).source(std::net::Ipv4Addr::new(192, 0, 2, 1));
    assert_eq!(r.to_string(), "-s 192.0.2.1/32");
    let r = Rule::new(Family::Ipv6).destination(std::net::Ipv6Addr::LOCALHOST);
    assert_eq!(r.to_string(), "-d ::1/128");
}
