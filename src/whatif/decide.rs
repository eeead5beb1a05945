//! Whether one rule's tests hold for a packet: yes, no, or cannot be said
//! offline (and why).

use std::net::IpAddr;

use super::packet::{ConnState, Packet};
use crate::iface::Iface;
use crate::inv::Inv;
use crate::matches::conntrack::{Conntrack, CtState};
use crate::matches::multiport::Direction;
use crate::matches::port::PortRange;
use crate::matches::state::StateMask;
use crate::matches::Match;
use crate::rule::Rule;

/// A test's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tri {
    Yes,
    No,
    /// Cannot be decided offline; the reason.
    Unknown(String),
}

impl Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// The answer of a test written with `!`.
    fn invert(self, invert: bool) -> Tri {
        match (self, invert) {
            (Tri::Yes, true) => Tri::No,
            (Tri::No, true) => Tri::Yes,
            (t, _) => t,
        }
    }

    /// Both tests must hold: a "no" decides whatever the other is.
    fn and(self, other: impl FnOnce() -> Tri) -> Tri {
        match self {
            Tri::No => Tri::No,
            Tri::Yes => other(),
            Tri::Unknown(why) => match other() {
                Tri::No => Tri::No,
                _ => Tri::Unknown(why),
            },
        }
    }
}

/// What a packet's interfaces are on the hook it is evaluated at: the
/// packet's own, or known to be none where the hook has none.
pub(crate) struct Ifaces<'a> {
    pub input: Option<&'a str>,
    pub output: Option<&'a str>,
}

/// Whether `rule`'s tests all hold for `p`. A foreign rule is undecided.
pub(crate) fn rule(rule: &Rule, p: &Packet, ifaces: &Ifaces<'_>) -> Tri {
    if let Some(f) = &rule.foreign {
        return Tri::Unknown(format!("a rule iptkit cannot read ({})", f.reason()));
    }
    let mut answer = Tri::Yes;
    let mut test = |t: &dyn Fn() -> Tri| {
        let prev = std::mem::replace(&mut answer, Tri::No);
        answer = prev.and(t);
    };
    if let Some(net) = rule.src {
        test(&|| Tri::from(net.value.contains(p.src)).invert(net.invert));
    }
    if let Some(net) = rule.dst {
        test(&|| Tri::from(net.value.contains(p.dst)).invert(net.invert));
    }
    if let Some(i) = &rule.in_iface {
        test(&|| iface(i, ifaces.input, "input interface"));
    }
    if let Some(i) = &rule.out_iface {
        test(&|| iface(i, ifaces.output, "output interface"));
    }
    if let Some(proto) = rule.proto {
        test(&|| protocol(proto, p));
    }
    if let Some(frag) = rule.fragment {
        test(&|| Tri::from(p.fragment == frag));
    }
    for m in &rule.matches {
        test(&|| one_match(m, p));
    }
    answer
}

/// `-i` / `-o`: a name, or a prefix with `+`.
fn iface(rule: &Inv<Iface>, packet: Option<&str>, what: &str) -> Tri {
    let Some(name) = packet else {
        return Tri::Unknown(format!("the packet's {what} is not given"));
    };
    let want = rule.value.name();
    let hit = match want.strip_suffix('+') {
        Some(prefix) => name.starts_with(prefix),
        None => name == want,
    };
    Tri::from(hit).invert(rule.invert)
}

/// `-p`: 0 (`all`) matches every packet, as in the kernel.
fn protocol(rule: Inv<u8>, p: &Packet) -> Tri {
    if rule.value == 0 {
        return Tri::Yes;
    }
    match p.proto {
        Some(proto) => Tri::from(proto == rule.value).invert(rule.invert),
        None => Tri::Unknown("the packet's protocol is not given".into()),
    }
}

fn port(rule: &Option<Inv<PortRange>>, port: Option<u16>, what: &str) -> Tri {
    let Some(r) = rule else { return Tri::Yes };
    match port {
        Some(n) => Tri::from(r.value.min <= n && n <= r.value.max).invert(r.invert),
        None => Tri::Unknown(format!("the packet's {what} is not given")),
    }
}

fn ports(sport: &Option<Inv<PortRange>>, dport: &Option<Inv<PortRange>>, p: &Packet) -> Tri {
    port(sport, p.sport, "source port").and(|| port(dport, p.dport, "destination port"))
}

/// The matches decided offline; every other one is undecided, named.
fn one_match(m: &Match, p: &Packet) -> Tri {
    match m {
        Match::Comment(_) => Tri::Yes,
        Match::Tcp(t) => {
            let flags = match t.flags {
                None => Tri::Yes,
                Some(f) => match p.tcp_flags {
                    Some(have) => Tri::from(have & f.value.mask == f.value.set).invert(f.invert),
                    None => Tri::Unknown("the packet's TCP flags are not given".into()),
                },
            };
            let option = match t.option {
                None => Tri::Yes,
                Some(_) => Tri::Unknown("--tcp-option depends on the packet's TCP options".into()),
            };
            ports(&t.sport, &t.dport, p).and(|| flags).and(|| option)
        }
        Match::Udp(u) => ports(&u.sport, &u.dport, p),
        Match::Multiport(mp) => {
            let hit = |port: Option<u16>, what: &str| match port {
                Some(n) => Tri::from(mp.ports.value.iter().any(|r| r.min <= n && n <= r.max)),
                None => Tri::Unknown(format!("the packet's {what} is not given")),
            };
            let any = match mp.direction {
                Direction::Source => hit(p.sport, "source port"),
                Direction::Destination => hit(p.dport, "destination port"),
                Direction::Either => match (
                    hit(p.sport, "source port"),
                    hit(p.dport, "destination port"),
                ) {
                    (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
                    (Tri::No, Tri::No) => Tri::No,
                    (Tri::Unknown(w), _) | (_, Tri::Unknown(w)) => Tri::Unknown(w),
                },
            };
            any.invert(mp.ports.invert)
        }
        Match::Icmp(i) => icmp(i.icmp_type, p, true),
        Match::Icmp6(i) => icmp(i.icmp_type, p, false),
        Match::State(s) => match p.state {
            Some(st) => Tri::from(s.states.bits() & state_bit(st) != 0),
            None => Tri::Unknown("the packet's connection state is not given".into()),
        },
        Match::Conntrack(c) => conntrack(c, p),
        Match::Mark(mk) => match p.mark {
            Some(mark) => {
                Tri::from(mark & mk.mark.value.mask == mk.mark.value.mark).invert(mk.mark.invert)
            }
            None => Tri::Unknown("the packet's mark is not known".into()),
        },
        Match::Connmark(c) => match p.ctmark {
            Some(mark) => {
                Tri::from(mark & c.mark.value.mask == c.mark.value.mark).invert(c.mark.invert)
            }
            None => Tri::Unknown("the connection's mark is not known".into()),
        },
        Match::Iprange(r) => {
            let within =
                |range: &Option<Inv<crate::matches::iprange::AddrRange>>, a: IpAddr| match range {
                    None => Tri::Yes,
                    Some(r) => Tri::from(r.value.min <= a && a <= r.value.max).invert(r.invert),
                };
            within(&r.src, p.src).and(|| within(&r.dst, p.dst))
        }
        Match::Mac(m) => match p.mac {
            Some(have) => Tri::from(m.source.value == have).invert(m.source.invert),
            None => Tri::Unknown("the packet's source MAC address is not given".into()),
        },
        Match::Pkttype(t) => match (t.pkt_type, p.pkttype) {
            (None, _) => Tri::Yes,
            (Some(want), Some(have)) => Tri::from(want.value == have).invert(want.invert),
            (Some(_), None) => Tri::Unknown("the packet's link-layer type is not given".into()),
        },
        Match::Limit(_) | Match::Hashlimit(_) => Tri::Unknown(format!(
            "-m {}: depends on the rate of packets seen",
            m.name()
        )),
        Match::Recent(_) | Match::Connlimit(_) | Match::Quota(_) | Match::Statistic(_) => {
            Tri::Unknown(format!("-m {}: depends on packets seen before", m.name()))
        }
        Match::Set(_) => Tri::Unknown("-m set: depends on the ipset's contents".into()),
        Match::Unknown(u) => {
            Tri::Unknown(format!("-m {}: an extension iptkit cannot read", u.name))
        }
        other => Tri::Unknown(format!("-m {}: not decided offline", other.name())),
    }
}

/// `-m icmp` (IPv4: type 0xFF is `any`) and `-m icmp6`.
fn icmp(r: Inv<crate::matches::icmp::IcmpType>, p: &Packet, v4: bool) -> Tri {
    if v4 && r.value.type_ == 0xFF {
        return Tri::from(true).invert(r.invert);
    }
    match p.icmp {
        Some((t, c)) => {
            Tri::from(t == r.value.type_ && r.value.code_min <= c && c <= r.value.code_max)
                .invert(r.invert)
        }
        None => Tri::Unknown("the packet's ICMP type is not given".into()),
    }
}

/// The `XT_STATE_*` bit of a state (the same bits as conntrack's).
fn state_bit(s: ConnState) -> u32 {
    match s {
        ConnState::New => StateMask::NEW.bits(),
        ConnState::Established => StateMask::ESTABLISHED.bits(),
        ConnState::Related => StateMask::RELATED.bits(),
        ConnState::Invalid => StateMask::INVALID.bits(),
        ConnState::Untracked => StateMask::UNTRACKED.bits(),
    }
}

/// `-m conntrack`: state and protocol are decided; the connection's
/// addresses, status and expiry are not (a NEW packet's original tuple is
/// its own, and is decided too).
fn conntrack(c: &Conntrack, p: &Packet) -> Tri {
    let mut answer = match c.state {
        None => Tri::Yes,
        Some(s) => match p.state {
            None => Tri::Unknown("the packet's connection state is not given".into()),
            // The packet's state bit decides alone; SNAT and DNAT bits
            // depend on the connection's NAT, which is not known.
            Some(st) if u32::from(s.value.bits()) & state_bit(st) != 0 => Tri::Yes.invert(s.invert),
            Some(_) if s.value.intersects(CtState::SNAT | CtState::DNAT) => {
                Tri::Unknown("--ctstate SNAT/DNAT depends on the connection's NAT".into())
            }
            Some(_) => Tri::No.invert(s.invert),
        },
    };
    if let Some(proto) = c.proto {
        answer = answer.and(|| match p.proto {
            Some(n) => Tri::from(u16::from(n) == proto.value).invert(proto.invert),
            None => Tri::Unknown("the packet's protocol is not given".into()),
        });
    }
    let new = p.state == Some(ConnState::New);
    let addr =
        |rule: &Option<Inv<crate::matches::conntrack::CtAddr>>, a: IpAddr, what: &str| match rule {
            None => Tri::Yes,
            Some(r) if new => match crate::addr::Net::new(r.value.addr, ct_mask(&r.value, a)) {
                Ok(net) => Tri::from(net.contains(a)).invert(r.invert),
                Err(_) => Tri::Unknown(format!("--{what}: a mask of another family")),
            },
            Some(_) => Tri::Unknown(format!(
                "--{what}: the connection's tuple is known for NEW packets only"
            )),
        };
    let orig_port = |rule: &Option<Inv<PortRange>>, port: Option<u16>, what: &str| match rule {
        None => Tri::Yes,
        Some(_) if new => self::port(rule, port, what),
        Some(_) => Tri::Unknown(format!(
            "--{what}: the connection's tuple is known for NEW packets only"
        )),
    };
    answer = answer
        .and(|| addr(&c.orig_src, p.src, "ctorigsrc"))
        .and(|| addr(&c.orig_dst, p.dst, "ctorigdst"))
        .and(|| orig_port(&c.orig_src_port, p.sport, "source port"))
        .and(|| orig_port(&c.orig_dst_port, p.dport, "destination port"));
    if let Some(d) = c.direction {
        answer = answer.and(|| match (new, d) {
            (true, crate::matches::conntrack::CtDirection::Original) => Tri::Yes,
            (true, _) => Tri::No,
            (false, _) => {
                Tri::Unknown("--ctdir: the packet's direction is known for NEW packets only".into())
            }
        });
    }
    let unknown = [
        (c.repl_src.is_some(), "ctreplsrc"),
        (c.repl_dst.is_some(), "ctrepldst"),
        (c.repl_src_port.is_some(), "ctreplsrcport"),
        (c.repl_dst_port.is_some(), "ctrepldstport"),
        (c.status.is_some(), "ctstatus"),
        (c.expires.is_some(), "ctexpire"),
    ];
    for (given, what) in unknown {
        if given {
            answer = answer.and(|| Tri::Unknown(format!("--{what}: depends on the connection")));
        }
    }
    answer
}

/// The mask of a conntrack address test, as an address of `like`'s family.
fn ct_mask(a: &crate::matches::conntrack::CtAddr, like: IpAddr) -> IpAddr {
    use crate::matches::conntrack::CtMask;
    let family = crate::addr::Family::of(&like);
    match a.mask {
        CtMask::Host => family.mask(family.bits()),
        CtMask::Prefix(n) => family.mask(n),
        CtMask::Mask(m) => m,
    }
}
