//! Kernel sets (`iptkit::set`): ipsets made and changed through ipset's
//! netlink protocol, checked with the real `ipset` tool, and matched by a
//! rule on both backends, checked with `iptables-legacy-save` and
//! `iptables-nft-save`. Each test runs in its own private network namespace.

mod common;

use std::net::{IpAddr, UdpSocket};

use common::*;
use iptkit::set::{Dir, Entry, KernelSet, SetOptions};
use iptkit::{Backend, Error, Family, Rule, Target};

/// The member lines of `ipset list NAME` (after "Members:").
fn members(name: &str) -> Vec<String> {
    let text = ipset(&format!("list {name}"));
    let at = text.find("Members:\n").expect("ipset list prints Members:") + 9;
    text[at..]
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A set's header line `KEY: value` from `ipset list -t NAME`.
fn header(name: &str, key: &str) -> String {
    ipset(&format!("list -t {name}"))
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")).map(String::from))
        .unwrap_or_else(|| panic!("no `{key}` in ipset list -t {name}"))
}

fn net(s: &str) -> Entry {
    s.parse().unwrap()
}

fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Sample networks of each family.
fn samples(f: Family) -> [&'static str; 3] {
    match f {
        Family::Ipv4 => ["192.0.2.0/24", "198.51.100.7", "10.0.0.0/8"],
        Family::Ipv6 => ["2001:db8::/32", "2001:db8:1::7", "fd00::/8"],
    }
}

#[test]
fn create_add_contains_list_remove_flush_destroy() {
    isolate();
    for f in FAMILIES {
        let name = format!("s{}", f.bits());
        let [a, b, c] = samples(f);
        let mut set = KernelSet::create(&name, f, &SetOptions::default()).unwrap();
        assert_eq!(
            (set.name(), set.family(), set.timeout()),
            (&name[..], f, None)
        );
        let family = if f == Family::Ipv4 { "inet" } else { "inet6" };
        assert!(header(&name, "Header")
            .starts_with(&format!("family {family} hashsize 1024 maxelem 1048576")));
        assert_eq!(header(&name, "Type"), "hash:net");

        set.add(net(a)).unwrap();
        set.add_many([net(b), net(c)]).unwrap();
        set.add(net(a)).unwrap(); // twice: a no-op
        let mut want: Vec<String> = [a, b, c].iter().map(|s| net(s).to_string()).collect();
        want.sort();
        let mut got = members(&name);
        got.sort();
        assert_eq!(got, want);
        let mut listed: Vec<String> = set.list().unwrap().iter().map(Entry::to_string).collect();
        listed.sort();
        assert_eq!(listed, want);
        assert_eq!(set.len().unwrap(), 3);

        // An address inside a network is matched; a network only as an entry.
        let inside = match f {
            Family::Ipv4 => "192.0.2.200",
            Family::Ipv6 => "2001:db8:ffff::1",
        };
        assert!(set.contains(addr(inside)).unwrap());
        assert!(set.contains(net(a)).unwrap());
        let outside = match f {
            Family::Ipv4 => "203.0.113.1",
            Family::Ipv6 => "2001:db9::1",
        };
        assert!(!set.contains(addr(outside)).unwrap());

        assert!(set.remove(net(a)).unwrap());
        assert!(!set.remove(net(a)).unwrap(), "removing twice finds nothing");
        assert!(!set.contains(addr(inside)).unwrap());
        assert_eq!(members(&name).len(), 2);

        // Opened by name, it is the same set.
        let mut again = KernelSet::open(&name).unwrap();
        assert_eq!(again.family(), f);
        assert_eq!(again.len().unwrap(), 2);

        ipset("create notours hash:ip");
        assert_eq!(KernelSet::names().unwrap(), std::slice::from_ref(&name));
        ipset("destroy notours");

        set.flush().unwrap();
        assert!(members(&name).is_empty());
        assert!(again.is_empty().unwrap());
        set.destroy().unwrap();
        assert!(matches!(KernelSet::open(&name), Err(Error::NoSuchSet(n)) if n == name));
        assert!(!ipset("list -n").lines().any(|l| l == name));
        assert!(KernelSet::names().unwrap().is_empty());
    }
}

/// 100,000 entries of the family: /32 hosts (IPv4) or /64 networks (IPv6).
fn many(f: Family, n: u32) -> Vec<Entry> {
    (0..n)
        .map(|i| match f {
            Family::Ipv4 => Entry::from(IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i))),
            Family::Ipv6 => Entry::new(
                ipnet::IpNet::new(
                    IpAddr::from(std::net::Ipv6Addr::from(
                        0x2001_0db8_u128 << 96 | u128::from(i) << 64,
                    )),
                    64,
                )
                .unwrap(),
            ),
        })
        .collect()
}

#[test]
fn add_many_100k_counted_by_ipset() {
    isolate();
    for f in FAMILIES {
        let name = format!("big{}", f.bits());
        let mut set = KernelSet::create(&name, f, &SetOptions::default()).unwrap();
        set.add_many(many(f, 100_000)).unwrap();
        assert_eq!(header(&name, "Number of entries"), "100000");
        assert_eq!(members(&name).len(), 100_000);
        assert_eq!(set.list().unwrap().len(), 100_000);
        // One more, then the same again: still one more.
        let extra = match f {
            Family::Ipv4 => net("192.0.2.1"),
            Family::Ipv6 => net("2001:db8:ffff::/48"),
        };
        set.add(extra).unwrap();
        set.add(extra).unwrap();
        assert_eq!(header(&name, "Number of entries"), "100001");
        set.destroy().unwrap();
    }
}

#[test]
fn timeouts_per_entry() {
    isolate();
    for f in FAMILIES {
        let name = format!("t{}", f.bits());
        let [a, b, c] = samples(f);
        let mut set =
            KernelSet::create(&name, f, &SetOptions::default().with_timeout(600)).unwrap();
        assert_eq!(set.timeout(), Some(600));
        assert!(header(&name, "Header").contains(" timeout 600"));
        set.add(net(a)).unwrap(); // the set's default
        set.add(net(b).with_timeout(100)).unwrap();
        set.add(net(c).with_timeout(0)).unwrap(); // for good
        let mut got = members(&name);
        got.sort();
        // ipset prints the seconds left: at most what was given.
        for l in &got {
            let (entry, left) = l
                .split_once(" timeout ")
                .expect("every entry has a timeout");
            let left: u32 = left.parse().unwrap();
            let given = [(a, 600), (b, 100), (c, 0)]
                .into_iter()
                .find(|(s, _)| net(s).to_string() == entry)
                .map(|(_, t)| t)
                .unwrap_or_else(|| panic!("unexpected entry {l}"));
            assert!(left <= given && (given == 0) == (left == 0), "{l}");
        }
        let listed = set.list().unwrap();
        assert_eq!(listed.len(), 3);
        for e in &listed {
            let t = e
                .timeout
                .expect("a set with timeouts lists each entry's timeout");
            assert!(t <= 600, "{e}");
        }
        assert_eq!(
            listed.iter().find(|e| e.net == net(c).net).unwrap().timeout,
            Some(0)
        );
        set.destroy().unwrap();
    }
}

fn backends() -> Vec<Backend> {
    vec![
        Backend::Legacy,
        #[cfg(feature = "nft")]
        Backend::Nft,
    ]
}

/// Sends one UDP datagram from the loopback to `to`: false when the
/// firewall dropped it on the way out (EPERM).
fn sends(to: IpAddr) -> bool {
    let bind: IpAddr = if to.is_ipv4() {
        addr("127.0.0.1")
    } else {
        addr("::1")
    };
    let sock = UdpSocket::bind((bind, 0)).unwrap();
    match sock.send_to(b"x", (to, 9)) {
        Ok(_) => true,
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => false,
        Err(e) => panic!("sending to {to}: {e}"),
    }
}

#[test]
fn a_rule_matching_the_set_drops_what_is_in_it_on_both_backends() {
    for b in backends() {
        isolate_with_loopback();
        for f in FAMILIES {
            let name = format!("drop{}", f.bits());
            let (inside, outside) = match f {
                Family::Ipv4 => ("127.0.0.2", "127.0.0.3"),
                Family::Ipv6 => ("::1", "::1"),
            };
            let mut set = KernelSet::create(&name, f, &SetOptions::default()).unwrap();
            let mut h = open_filter(b, f);
            let rule = Rule::new(f)
                .with_match(set.matching(Dir::Dst).unwrap())
                .with_target(Target::Drop);
            h.append("OUTPUT", rule).unwrap();
            h.commit().unwrap();
            let want = format!("-A OUTPUT -m set --match-set {name} dst -j DROP");
            assert_eq!(filter_rules(b, f), std::slice::from_ref(&want), "{b:?}");
            // iptkit reads it back by name.
            let mut reader = open_filter(b, f);
            let back = reader.rules("OUTPUT").unwrap();
            assert_eq!(format!("-A OUTPUT {}", back[0]), want);

            assert!(sends(addr(inside)), "{b:?} {f:?}: nothing in the set yet");
            set.add(addr(inside)).unwrap();
            assert!(!sends(addr(inside)), "{b:?} {f:?}: in the set, dropped");
            if inside != outside {
                assert!(sends(addr(outside)), "{b:?} {f:?}: not in the set");
            }
            set.remove(addr(inside)).unwrap();
            assert!(sends(addr(inside)), "{b:?} {f:?}: removed, passes again");

            // A set a rule uses cannot go.
            let again = KernelSet::open(&name).unwrap();
            assert!(matches!(again.destroy(), Err(Error::SetInUse(n)) if n == name));
            h.flush("OUTPUT").unwrap();
            h.commit().unwrap();
            set.destroy().unwrap_or_else(|e| panic!("{b:?}: {e}"));
        }
    }
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    isolate();
    let opts = SetOptions::default();
    assert!(matches!(
        KernelSet::create("", Family::Ipv4, &opts),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        KernelSet::create(&"n".repeat(32), Family::Ipv4, &opts),
        Err(Error::NameTooLong { .. })
    ));
    assert!(matches!(
        KernelSet::create("a b", Family::Ipv4, &opts),
        Err(Error::InvalidName { .. })
    ));
    assert!(matches!(
        KernelSet::open("nothere"),
        Err(Error::NoSuchSet(_))
    ));
    assert!(matches!(
        KernelSet::create("t", Family::Ipv4, &opts.clone().with_timeout(u32::MAX)),
        Err(Error::InvalidValue { .. })
    ));

    let mut v4 = KernelSet::create("v4", Family::Ipv4, &opts.clone().with_max_entries(4)).unwrap();
    // Wrong family, /0, a timeout on a set without timeouts: nothing sent.
    assert!(matches!(
        v4.add(net("2001:db8::1")),
        Err(Error::InvalidAddress(_))
    ));
    assert!(matches!(
        v4.add_many([net("192.0.2.1"), net("2001:db8::1")]),
        Err(Error::InvalidAddress(_))
    ));
    assert!(matches!(
        v4.add(net("0.0.0.0/0")),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        v4.add(net("192.0.2.1").with_timeout(5)),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        v4.contains(net("::1")),
        Err(Error::InvalidAddress(_))
    ));
    assert!(
        members("v4").is_empty(),
        "nothing of a refused call was added"
    );
    // No room for five: none of them added.
    let five: Vec<Entry> = (1..=5).map(|i| net(&format!("192.0.2.{i}"))).collect();
    assert!(matches!(
        v4.add_many(five.clone()),
        Err(Error::InvalidValue { .. })
    ));
    assert!(members("v4").is_empty());
    // Four fit, and re-adding them takes no room.
    v4.add_many(five[..4].to_vec()).unwrap();
    v4.add_many(five[..4].to_vec()).unwrap();
    assert_eq!(members("v4").len(), 4);

    // The same name with other settings: left as it is.
    let e = KernelSet::create("v4", Family::Ipv6, &opts).unwrap_err();
    assert!(matches!(e, Error::SetMismatch { .. }), "{e}");
    assert_eq!(members("v4").len(), 4);
    // Another type of set of that name.
    ipset("create other hash:ip");
    assert!(matches!(
        KernelSet::open("other"),
        Err(Error::SetMismatch { .. })
    ));

    // An IPv6 rule cannot use an IPv4 set: refused at commit, nothing committed.
    for b in backends() {
        let mut h = open_filter(b, Family::Ipv6);
        h.append(
            "INPUT",
            Rule::new(Family::Ipv6)
                .with_match(v4.matching(Dir::Src).unwrap())
                .with_target(Target::Drop),
        )
        .unwrap();
        assert!(h.commit().is_err(), "{b:?}");
        assert!(filter_rules(b, Family::Ipv6).is_empty(), "{b:?}");
    }
}

/// Why the set is an ipset on nf_tables too (see the `set` module): an
/// nf_tables set matched with a `lookup` in an iptables-nft chain is
/// printed by `iptables-nft-save` 1.8.9 as a rule without its match. This
/// test holds that measurement (it fails, and says so, the day a newer
/// iptables prints it right), and checks that iptkit does not read such a
/// rule as a plain rule: it is foreign, kept as it is.
#[cfg(feature = "nft")]
#[test]
fn an_nft_lookup_in_an_iptables_chain_is_not_shown_honestly_by_iptables_nft_save() {
    isolate();
    nft_ipt(Family::Ipv4, "-A INPUT -s 192.0.2.1/32 -j ACCEPT");
    for cmd in [
        "add set ip filter blk { type ipv4_addr; flags interval; }",
        "add element ip filter blk { 10.0.0.0/8 }",
        "add rule ip filter INPUT ip saddr @blk drop",
    ] {
        nft(cmd);
    }
    assert_eq!(
        nft_rules(Family::Ipv4, "filter"),
        ["-A INPUT -s 192.0.2.1/32 -j ACCEPT", "-A INPUT -j DROP"],
        "iptables-nft-save no longer drops the lookup: the set module's reasoning needs a new look"
    );
    let mut h = open_filter(Backend::Nft, Family::Ipv4);
    let rules = h.rules("INPUT").unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules[0].foreign.is_none());
    let foreign = rules[1]
        .foreign
        .as_ref()
        .expect("the lookup rule is foreign to iptkit");
    assert!(foreign.exprs().contains("lookup"), "{}", foreign.exprs());
}

#[test]
fn replace_all_swaps_the_whole_content_under_a_live_rule() {
    for b in backends() {
        isolate_with_loopback();
        let f = Family::Ipv4;
        let mut set = KernelSet::create("live", f, &SetOptions::default().with_timeout(0)).unwrap();
        set.add_many([net("127.0.0.2"), net("192.0.2.0/24")])
            .unwrap();
        let mut h = open_filter(b, f);
        h.append(
            "OUTPUT",
            Rule::new(f)
                .with_match(set.matching(Dir::Dst).unwrap())
                .with_target(Target::Drop),
        )
        .unwrap();
        h.commit().unwrap();
        let before = filter_rules(b, f);
        assert!(!sends(addr("127.0.0.2")));
        assert!(sends(addr("127.0.0.3")));

        set.replace_all([net("127.0.0.3"), net("198.51.100.0/24").with_timeout(50)])
            .unwrap();
        let mut got = members("live");
        got.sort();
        assert_eq!(got[0], "127.0.0.3 timeout 0");
        assert!(got[1].starts_with("198.51.100.0/24 timeout "), "{got:?}");
        assert_eq!(got.len(), 2);
        assert_eq!(
            ipset("list -n").lines().collect::<Vec<_>>(),
            ["live"],
            "no scratch set left"
        );
        assert_eq!(filter_rules(b, f), before, "{b:?}: the rule is untouched");
        assert!(sends(addr("127.0.0.2")), "{b:?}: the old entry is gone");
        assert!(!sends(addr("127.0.0.3")), "{b:?}: the new one is matched");

        // Bad input: nothing changes.
        assert!(matches!(
            set.replace_all([net("::1")]),
            Err(Error::InvalidAddress(_))
        ));
        assert_eq!(members("live").len(), 2);
        set.replace_all(Vec::<Entry>::new()).unwrap();
        assert!(members("live").is_empty());
    }
}

#[test]
fn a_rule_accepting_the_set_before_a_drop_lets_only_its_entries_through() {
    for b in backends() {
        isolate_with_loopback();
        let f = Family::Ipv4;
        let mut set = KernelSet::create("allowed", f, &SetOptions::default()).unwrap();
        set.add(net("127.0.0.0/30")).unwrap();
        let mut h = open_filter(b, f);
        h.append(
            "OUTPUT",
            Rule::new(f)
                .with_match(set.matching(Dir::Dst).unwrap())
                .with_target(Target::Accept),
        )
        .unwrap();
        h.append("OUTPUT", Rule::new(f).with_target(Target::Drop))
            .unwrap();
        h.commit().unwrap();
        assert_eq!(
            filter_rules(b, f),
            [
                "-A OUTPUT -m set --match-set allowed dst -j ACCEPT",
                "-A OUTPUT -j DROP"
            ],
            "{b:?}"
        );
        assert!(sends(addr("127.0.0.2")), "{b:?}: in the set: accepted");
        assert!(!sends(addr("127.0.0.9")), "{b:?}: not in the set: dropped");
        set.add(addr("127.0.0.9")).unwrap();
        assert!(sends(addr("127.0.0.9")), "{b:?}: added: accepted");
    }
}
