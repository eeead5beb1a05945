//! Evaluation against tables written as iptables-restore text.

use super::*;
use crate::addr::Family;
use crate::rule::Rule;

fn table(family: Family, name: &str, text: &str) -> Table {
    let text = format!("*{name}\n{text}COMMIT\n");
    let mut t = Table::new(family, name).unwrap();
    crate::syntax::restore::parse(family, &text).unwrap()[0]
        .apply(&mut t, &Default::default())
        .unwrap();
    t
}

fn filter(text: &str) -> Table {
    table(Family::Ipv4, "filter", text)
}

fn pkt(src: &str, dst: &str) -> Packet {
    Packet::new(src.parse().unwrap(), dst.parse().unwrap())
}

fn ssh(src: &str) -> Packet {
    pkt(src, "198.51.100.1")
        .tcp(40000, 22)
        .in_iface("eth0")
        .state(ConnState::New)
}

fn verdict(t: &Table, chain: &str, p: &Packet) -> Verdict {
    evaluate(t, chain, p).unwrap().verdict
}

#[test]
fn policy_when_nothing_matches() {
    let t = filter(":INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\n");
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Drop);
    assert_eq!(e.path.len(), 2);
    assert_eq!(e.path[0].action, Action::NoMatch);
    assert_eq!(e.path[1].to_string(), "INPUT policy => DROP");
    assert_eq!(verdict(&t, "INPUT", &ssh("10.1.2.3")), Verdict::Accept);
    assert!(e.reasons.is_empty());
}

#[test]
fn jump_return_and_fall_through() {
    let t = filter(
        ":INPUT DROP [0:0]\n:a - [0:0]\n:b - [0:0]\n\
         -A INPUT -p tcp -j a\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n\
         -A a -s 192.0.2.1/32 -j RETURN\n-A a -j b\n-A a -j DROP\n\
         -A b -s 192.0.2.2/32 -j REJECT\n",
    );
    // RETURN from a: back to INPUT rule 1.
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Accept);
    let actions: Vec<_> = e.path.iter().map(|s| s.action.clone()).collect();
    assert_eq!(
        actions,
        [
            Action::Jump("a".into()),
            Action::Return,
            Action::Verdict(Verdict::Accept)
        ]
    );
    assert_eq!(e.path[2].index, Some(1));
    // a jumps to b, which rejects.
    assert_eq!(verdict(&t, "INPUT", &ssh("192.0.2.2")), Verdict::Reject);
    // b falls through back into a, which drops.
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.3")).unwrap();
    assert_eq!(e.verdict, Verdict::Drop);
    assert!(e
        .path
        .iter()
        .any(|s| s.chain == "b" && s.action == Action::End));
    assert_eq!(e.decided_by().unwrap().chain, "a");
}

#[test]
fn goto_does_not_come_back() {
    let t = filter(
        ":INPUT ACCEPT [0:0]\n:g - [0:0]\n:j - [0:0]\n\
         -A INPUT -j j\n-A INPUT -j DROP\n-A j -g g\n-A g -s 192.0.2.1/32 -j REJECT\n",
    );
    // g ends: back past j (goto pushed nothing) to INPUT rule 1.
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.9")).unwrap();
    assert_eq!(e.verdict, Verdict::Drop);
    assert_eq!(e.path[1].action, Action::Goto("g".into()));
    assert_eq!(e.decided_by().unwrap().index, Some(1));
    // A goto straight from the built-in chain: g's end is INPUT's policy.
    let t = filter(":INPUT DROP [0:0]\n:g - [0:0]\n-A INPUT -g g\n-A INPUT -j ACCEPT\n");
    assert_eq!(verdict(&t, "INPUT", &ssh("192.0.2.9")), Verdict::Drop);
}

#[test]
fn return_in_builtin_chain_is_policy_and_user_start_returns() {
    let t = filter(":INPUT DROP [0:0]\n:u - [0:0]\n-A INPUT -j RETURN\n-A INPUT -j ACCEPT\n-A u -s 192.0.2.1/32 -j ACCEPT\n");
    assert_eq!(verdict(&t, "INPUT", &ssh("192.0.2.9")), Verdict::Drop);
    assert_eq!(verdict(&t, "u", &ssh("192.0.2.1")), Verdict::Accept);
    assert_eq!(
        verdict(&t, "u", &ssh("192.0.2.9")),
        Verdict::Other("RETURN".into())
    );
}

#[test]
fn inversions() {
    let t = filter(
        ":INPUT ACCEPT [0:0]\n\
         -A INPUT ! -s 192.0.2.0/24 -p tcp -m tcp ! --dport 22 -j DROP\n\
         -A INPUT ! -i eth+ -j REJECT\n\
         -A INPUT ! -p tcp -j DROP\n",
    );
    assert_eq!(verdict(&t, "INPUT", &ssh("192.0.2.1")), Verdict::Accept);
    assert_eq!(verdict(&t, "INPUT", &ssh("203.0.113.1")), Verdict::Accept);
    assert_eq!(
        verdict(&t, "INPUT", &ssh("203.0.113.1").dport(80)),
        Verdict::Drop
    );
    assert_eq!(
        verdict(&t, "INPUT", &ssh("192.0.2.1").in_iface("wlan0")),
        Verdict::Reject
    );
    assert_eq!(
        verdict(&t, "INPUT", &ssh("192.0.2.1").in_iface("eth12")),
        Verdict::Accept
    );
    let udp = pkt("192.0.2.1", "198.51.100.1").udp(1, 53).in_iface("eth0");
    assert_eq!(verdict(&t, "INPUT", &udp), Verdict::Drop);
}

#[test]
fn interfaces_a_hook_does_not_have_are_none() {
    let t = filter(":INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -o eth0 -j DROP\n-A OUTPUT -i eth0 -j DROP\n-A OUTPUT -o eth+ -j REJECT\n");
    let p = pkt("192.0.2.1", "198.51.100.1").tcp(1, 22);
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Accept);
    // OUTPUT: no input interface; the output one is not given.
    let e = evaluate(&t, "OUTPUT", &p).unwrap();
    assert_eq!(e.verdict, Verdict::Undecided);
    assert_eq!(e.possible, [Verdict::Accept, Verdict::Reject]);
    assert_eq!(
        verdict(&t, "OUTPUT", &p.clone().out_iface("eth1")),
        Verdict::Reject
    );
}

#[test]
fn ports_multiport_flags_icmp() {
    let t = filter(
        ":INPUT DROP [0:0]\n\
         -A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN --dport 1000:2000 -j REJECT\n\
         -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT\n\
         -A INPUT -p udp -m multiport --ports 53 -j ACCEPT\n\
         -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n",
    );
    let web = |port| pkt("192.0.2.1", "198.51.100.1").tcp(50000, port);
    assert_eq!(verdict(&t, "INPUT", &web(443)), Verdict::Accept);
    assert_eq!(verdict(&t, "INPUT", &web(8042)), Verdict::Accept);
    assert_eq!(verdict(&t, "INPUT", &web(22)), Verdict::Drop);
    // Flags unknown on a port the first rule tests: undecided.
    assert_eq!(verdict(&t, "INPUT", &web(1500)), Verdict::Undecided);
    assert_eq!(
        verdict(&t, "INPUT", &web(1500).tcp_flags(0x02)),
        Verdict::Reject
    );
    assert_eq!(
        verdict(&t, "INPUT", &web(1500).tcp_flags(0x12)),
        Verdict::Drop
    );
    let dns = pkt("192.0.2.1", "198.51.100.1").udp(53, 40000);
    assert_eq!(verdict(&t, "INPUT", &dns), Verdict::Accept);
    let ping = pkt("192.0.2.1", "198.51.100.1").icmp(8, 0);
    assert_eq!(verdict(&t, "INPUT", &ping), Verdict::Accept);
    assert_eq!(
        verdict(&t, "INPUT", &ping.clone().icmp(0, 0)),
        Verdict::Drop
    );
}

#[test]
fn icmp6_and_v6_addresses() {
    let t = table(
        Family::Ipv6,
        "filter",
        ":INPUT DROP [0:0]\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT\n\
         -A INPUT -s 2001:db8::/32 -j ACCEPT\n",
    );
    let ns = pkt("fe80::1", "fe80::2").icmp(135, 0);
    assert_eq!(verdict(&t, "INPUT", &ns), Verdict::Accept);
    assert_eq!(
        verdict(&t, "INPUT", &pkt("2001:db8::9", "2001:db8::1").tcp(1, 22)),
        Verdict::Accept
    );
    assert_eq!(
        verdict(&t, "INPUT", &pkt("2001:db9::9", "2001:db8::1").tcp(1, 22)),
        Verdict::Drop
    );
    // A packet of the other family is an error.
    assert!(matches!(
        evaluate(&t, "INPUT", &ssh("192.0.2.1")),
        Err(Error::InvalidAddress(_))
    ));
}

#[test]
fn conntrack_and_state() {
    let t = filter(
        ":INPUT DROP [0:0]\n\
         -A INPUT -m conntrack --ctstate INVALID -j DROP\n\
         -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n\
         -A INPUT -p tcp -m conntrack --ctstate NEW --ctorigdstport 22 -j ACCEPT\n",
    );
    let p = ssh("192.0.2.1");
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Accept);
    assert_eq!(verdict(&t, "INPUT", &p.clone().dport(80)), Verdict::Drop);
    assert_eq!(
        verdict(
            &t,
            "INPUT",
            &p.clone().dport(80).state(ConnState::Established)
        ),
        Verdict::Accept
    );
    let mut unknown = p.clone();
    unknown.state = None;
    let e = evaluate(&t, "INPUT", &unknown).unwrap();
    assert_eq!(e.verdict, Verdict::Undecided);
    assert!(e.reasons[0].contains("connection state"), "{:?}", e.reasons);
    let t =
        filter(":INPUT ACCEPT [0:0]\n-A INPUT -m conntrack ! --ctstate NEW,ESTABLISHED -j DROP\n");
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Accept);
    assert_eq!(
        verdict(&t, "INPUT", &p.clone().state(ConnState::Invalid)),
        Verdict::Drop
    );
}

#[test]
fn mark_changes_are_seen_by_later_rules() {
    let t = table(
        Family::Ipv4,
        "mangle",
        ":PREROUTING ACCEPT [0:0]\n\
         -A PREROUTING -p tcp -m tcp --dport 22 -j MARK --set-xmark 0x10/0xff\n\
         -A PREROUTING -j CONNMARK --save-mark\n\
         -A PREROUTING -m mark --mark 0x10/0xf0 -j DROP\n\
         -A PREROUTING -m connmark ! --mark 0x10 -j REJECT\n",
    );
    let p = ssh("192.0.2.1");
    let e = evaluate(&t, "PREROUTING", &p).unwrap();
    assert_eq!(e.verdict, Verdict::Drop);
    assert_eq!(e.path[0].action, Action::Continue);
    // Mark 0 all the way: connmark 0 is not 0x10.
    assert_eq!(
        verdict(&t, "PREROUTING", &p.clone().dport(80)),
        Verdict::Reject
    );
    // A mark set by an earlier table.
    let t = filter(":INPUT ACCEPT [0:0]\n-A INPUT -m mark --mark 0x1 -j DROP\n");
    assert_eq!(verdict(&t, "INPUT", &p.clone().mark(1)), Verdict::Drop);
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Accept);
}

#[test]
fn comment_iprange_mac_pkttype() {
    let t = filter(
        ":INPUT ACCEPT [0:0]\n\
         -A INPUT -m comment --comment hi -m iprange --src-range 192.0.2.10-192.0.2.20 -j DROP\n\
         -A INPUT -m mac --mac-source 00:11:22:33:44:55 -j REJECT\n\
         -A INPUT -m pkttype --pkt-type broadcast -j DROP\n",
    );
    let p = ssh("192.0.2.15").mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Drop);
    let p = ssh("192.0.2.21").mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Reject);
    let p = ssh("192.0.2.21").mac([2; 6]);
    assert_eq!(verdict(&t, "INPUT", &p), Verdict::Undecided);
    use crate::matches::pkttype::PacketType;
    assert_eq!(
        verdict(&t, "INPUT", &p.clone().pkttype(PacketType::Unicast)),
        Verdict::Accept
    );
    assert_eq!(
        verdict(&t, "INPUT", &p.pkttype(PacketType::Broadcast)),
        Verdict::Drop
    );
}

#[test]
fn undecided_matches_and_when_they_do_not_matter() {
    // A rate-limited LOG does not change the verdict.
    let t = filter(
        ":INPUT DROP [0:0]\n\
         -A INPUT -m limit --limit 5/min -j LOG --log-prefix \"in: \"\n\
         -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n",
    );
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Accept);
    assert_eq!(e.reasons.len(), 1);
    assert!(matches!(e.path[0].action, Action::Undecided(_)));
    // A rate limit in front of an ACCEPT does.
    let t = filter(
        ":INPUT DROP [0:0]\n\
         -A INPUT -p tcp -m tcp --dport 22 -m recent --name ssh --rcheck -j DROP\n\
         -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n",
    );
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Undecided);
    assert_eq!(e.possible, [Verdict::Accept, Verdict::Drop]);
    assert!(e.reasons[0].contains("recent"), "{:?}", e.reasons);
    assert_eq!(
        e.path.last().unwrap().action,
        Action::Verdict(Verdict::Accept)
    );
    // But a rule that cannot match anyway is decided: a no wins.
    assert_eq!(
        verdict(&t, "INPUT", &ssh("192.0.2.1").dport(80)),
        Verdict::Drop
    );
}

#[test]
fn foreign_rules_and_unknown_targets_are_undecided() {
    let mut t = filter(":INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n");
    let mut foreign = Rule::new(Family::Ipv4);
    foreign.foreign = Some(Box::new(crate::rule::ForeignRule::new(
        "[ ct ]".into(),
        "ct expression".into(),
    )));
    t.chain_mut("INPUT").unwrap().rules.insert(0, foreign);
    let e = evaluate(&t, "INPUT", &ssh("192.0.2.1")).unwrap();
    // A foreign rule's target is Continue: either way DROP follows.
    assert_eq!(e.verdict, Verdict::Drop);
    assert!(e.reasons[0].contains("cannot read"), "{:?}", e.reasons);
}

#[test]
fn undecided_rules_that_change_nothing_do_not_fork() {
    // A thousand rate-limited LOGs: either way the packet goes on as it was.
    let mut text = String::from(":INPUT DROP [0:0]\n");
    for i in 0..1000 {
        text.push_str(&format!("-A INPUT -m limit --limit {}/sec -j LOG\n", i + 1));
    }
    text.push_str("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n");
    let e = evaluate(&filter(&text), "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Accept);
    assert_eq!(e.reasons.len(), 1000);
    assert_eq!(e.path.len(), 1001);
}

#[test]
fn many_undecided_rules_end_undecided_not_hung() {
    let mut text = String::from(":INPUT DROP [0:0]\n");
    for i in 0..40 {
        text.push_str(&format!(
            "-A INPUT -m limit --limit {}/sec -j MARK --set-mark {i}\n",
            i + 1
        ));
    }
    text.push_str("-A INPUT -m mark --mark 7 -j ACCEPT\n");
    let e = evaluate(&filter(&text), "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Undecided);
    assert_eq!(e.possible, [Verdict::Accept, Verdict::Drop]);
    // Every way followed (the marks make few distinct states), none cut short.
    assert!(
        !e.reasons.iter().any(|r| r.contains("too many")),
        "{:?}",
        e.reasons
    );
    // A chain of jumps, each undecided, into chains that change nothing.
    let mut text = String::from(":INPUT DROP [0:0]\n");
    for i in 0..3000 {
        text.push_str(&format!(
            ":c{i} - [0:0]\n-A INPUT -m limit --limit 1/sec -j c{i}\n-A c{i} -j LOG\n"
        ));
    }
    text.push_str("-A INPUT -j ACCEPT\n");
    let e = evaluate(&filter(&text), "INPUT", &ssh("192.0.2.1")).unwrap();
    assert_eq!(e.verdict, Verdict::Accept);
}

#[test]
fn missing_chains_and_loops_are_errors() {
    let t = filter(":INPUT ACCEPT [0:0]\n");
    assert!(matches!(
        evaluate(&t, "nosuch", &ssh("192.0.2.1")),
        Err(Error::NoSuchChain(_))
    ));
    let mut t = filter(":INPUT ACCEPT [0:0]\n:a - [0:0]\n-A INPUT -j a\n");
    // A loop cannot be built through Table's edits; through the field it can.
    t.chain_mut("a")
        .unwrap()
        .rules
        .push(Rule::new(Family::Ipv4).with_target(crate::Target::Jump("a".into())));
    assert!(matches!(
        evaluate(&t, "INPUT", &ssh("192.0.2.1")),
        Err(Error::Loop(_))
    ));
}

#[test]
fn nat_targets_are_verdicts() {
    let t = table(
        Family::Ipv4,
        "nat",
        ":PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n",
    );
    let p = pkt("192.0.2.1", "198.51.100.1").tcp(1, 80).in_iface("eth0");
    assert_eq!(verdict(&t, "PREROUTING", &p), Verdict::Other("DNAT".into()));
}
