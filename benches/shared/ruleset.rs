//! Rule sets in the shapes real ones use, shared by the benches (each
//! includes this file with `#[path]`). `benches/compare.py` writes the same
//! shapes in Python: change both together.

#![allow(dead_code)]

/// The chain the numbered rules of [`big_ruleset`] go to.
pub const CHAIN: &str = "allow";

/// Rule `i` of a large allow list, without `-A CHAIN`: one of three shapes
/// (a source network and a TCP port, a host on an interface, a UDP reply),
/// all different.
pub fn rule_spec(i: usize) -> String {
    let (a, b) = (i / 256 % 256, i % 256);
    match i % 3 {
        0 => format!("-s 10.{a}.{b}.0/24 -p tcp -m tcp --dport 22 -j ACCEPT"),
        1 => format!("-s 172.16.{a}.{b}/32 -i eth0 -j ACCEPT"),
        _ => format!("-d 192.168.{a}.{b}/32 -p udp -m udp --sport 53 -j DROP"),
    }
}

/// A filter table of `n` rules (plus two in INPUT) as iptables-restore input.
pub fn big_ruleset(n: usize) -> String {
    let mut s = String::from(
        "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:allow - [0:0]\n",
    );
    s.push_str(
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -j allow\n",
    );
    for i in 0..n {
        s.push_str(&format!("-A {CHAIN} {}\n", rule_spec(i)));
    }
    s.push_str("COMMIT\n");
    s
}
