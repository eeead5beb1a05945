//! [`Packet`]: what a what-if evaluation knows about a packet, and
//! [`Flow`]: a packet and the chain it enters.

use std::fmt;
use std::net::IpAddr;

use crate::addr::Family;
use crate::matches::pkttype::PacketType;

/// The connection-tracking state of a packet (`--ctstate` / `--state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnState {
    /// Starts a new connection.
    New,
    /// Part of a connection seen both ways.
    Established,
    /// Starts a connection related to another one.
    Related,
    /// Belongs to no known connection.
    Invalid,
    /// Not tracked (`-j CT --notrack`).
    Untracked,
}

impl ConnState {
    /// The state by its iptables name (`NEW`, `ESTABLISHED`, ..., any case).
    pub fn parse(name: &str) -> crate::Result<ConnState> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "NEW" => ConnState::New,
            "ESTABLISHED" => ConnState::Established,
            "RELATED" => ConnState::Related,
            "INVALID" => ConnState::Invalid,
            "UNTRACKED" => ConnState::Untracked,
            _ => {
                return Err(crate::Error::value(
                    "connection state",
                    name,
                    "one of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED",
                ))
            }
        })
    }

    /// The iptables name.
    pub fn name(self) -> &'static str {
        match self {
            ConnState::New => "NEW",
            ConnState::Established => "ESTABLISHED",
            ConnState::Related => "RELATED",
            ConnState::Invalid => "INVALID",
            ConnState::Untracked => "UNTRACKED",
        }
    }
}

impl fmt::Display for ConnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A packet to evaluate, built step by step. Every field left unset is
/// unknown: a rule that tests it is undecided (see [`crate::whatif`]),
/// except the marks, which start at 0 as on a packet that no earlier table
/// marked, and the fragment flag (a first or only fragment).
///
/// ```
/// use iptkit::whatif::{ConnState, Packet};
/// let ssh = Packet::new("192.0.2.7".parse()?, "198.51.100.1".parse()?)
///     .tcp(40000, 22)
///     .in_iface("eth0")
///     .state(ConnState::New);
/// assert_eq!(ssh.to_string(), "tcp 192.0.2.7:40000 -> 198.51.100.1:22 in eth0 NEW");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Packet {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Layer-4 protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp).
    pub proto: Option<u8>,
    /// Source port (tcp, udp, sctp, dccp, udplite).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20).
    pub tcp_flags: Option<u8>,
    /// ICMP or ICMPv6 type and code.
    pub icmp: Option<(u8, u8)>,
    /// Input interface; left unset it is known to be none on the hooks that
    /// have none (OUTPUT, POSTROUTING).
    pub in_iface: Option<String>,
    /// Output interface; left unset it is known to be none on PREROUTING and INPUT.
    pub out_iface: Option<String>,
    /// Connection-tracking state.
    pub state: Option<ConnState>,
    /// Packet mark (`-m mark`, `-j MARK`); 0 unless set.
    pub mark: Option<u32>,
    /// Connection mark (`-m connmark`, `-j CONNMARK`); 0 unless set.
    pub ctmark: Option<u32>,
    /// Source MAC address (`-m mac`).
    pub mac: Option<[u8; 6]>,
    /// Link-layer packet type (`-m pkttype`).
    pub pkttype: Option<PacketType>,
    /// True for a second or later IPv4 fragment (`-f`).
    pub fragment: bool,
}

impl Packet {
    /// A packet from `src` to `dst`, nothing else known.
    pub fn new(src: IpAddr, dst: IpAddr) -> Packet {
        Packet {
            src,
            dst,
            proto: None,
            sport: None,
            dport: None,
            tcp_flags: None,
            icmp: None,
            in_iface: None,
            out_iface: None,
            state: None,
            mark: Some(0),
            ctmark: Some(0),
            mac: None,
            pkttype: None,
            fragment: false,
        }
    }

    /// The family of the source address.
    pub fn family(&self) -> Family {
        Family::of(&self.src)
    }

    /// Sets the protocol by number.
    pub fn proto(mut self, proto: u8) -> Packet {
        self.proto = Some(proto);
        self
    }

    /// TCP with these ports.
    pub fn tcp(self, sport: u16, dport: u16) -> Packet {
        self.proto(6).sport(sport).dport(dport)
    }

    /// UDP with these ports.
    pub fn udp(self, sport: u16, dport: u16) -> Packet {
        self.proto(17).sport(sport).dport(dport)
    }

    /// ICMP (IPv4) or ICMPv6 (IPv6) of this type and code.
    pub fn icmp(mut self, type_: u8, code: u8) -> Packet {
        self.proto = Some(match self.family() {
            Family::Ipv4 => 1,
            Family::Ipv6 => 58,
        });
        self.icmp = Some((type_, code));
        self
    }

    /// Sets the source port.
    pub fn sport(mut self, port: u16) -> Packet {
        self.sport = Some(port);
        self
    }

    /// Sets the destination port.
    pub fn dport(mut self, port: u16) -> Packet {
        self.dport = Some(port);
        self
    }

    /// Sets the TCP flags byte (`0x02` for a SYN).
    pub fn tcp_flags(mut self, flags: u8) -> Packet {
        self.tcp_flags = Some(flags);
        self
    }

    /// Sets the input interface.
    pub fn in_iface(mut self, name: &str) -> Packet {
        self.in_iface = Some(name.into());
        self
    }

    /// Sets the output interface.
    pub fn out_iface(mut self, name: &str) -> Packet {
        self.out_iface = Some(name.into());
        self
    }

    /// Sets the connection-tracking state.
    pub fn state(mut self, state: ConnState) -> Packet {
        self.state = Some(state);
        self
    }

    /// Sets the packet mark.
    pub fn mark(mut self, mark: u32) -> Packet {
        self.mark = Some(mark);
        self
    }

    /// Sets the connection mark.
    pub fn ctmark(mut self, mark: u32) -> Packet {
        self.ctmark = Some(mark);
        self
    }

    /// Sets the source MAC address.
    pub fn mac(mut self, mac: [u8; 6]) -> Packet {
        self.mac = Some(mac);
        self
    }

    /// Sets the link-layer packet type.
    pub fn pkttype(mut self, t: PacketType) -> Packet {
        self.pkttype = Some(t);
        self
    }
}

impl fmt::Display for Packet {
    /// `tcp 192.0.2.7:40000 -> 198.51.100.1:22 in eth0 NEW`: what is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = match self.proto {
            Some(p) => crate::names::protocol_name(p)
                .map(str::to_string)
                .unwrap_or_else(|| p.to_string()),
            None => "ip".into(),
        };
        let end = |addr: &IpAddr, port: Option<u16>| match (addr, port) {
            (IpAddr::V6(a), Some(p)) => format!("[{a}]:{p}"),
            (a, Some(p)) => format!("{a}:{p}"),
            (a, None) => a.to_string(),
        };
        write!(
            f,
            "{proto} {} -> {}",
            end(&self.src, self.sport),
            end(&self.dst, self.dport)
        )?;
        if let Some((t, c)) = self.icmp {
            write!(f, " type {t}/{c}")?;
        }
        if let Some(i) = &self.in_iface {
            write!(f, " in {i}")?;
        }
        if let Some(o) = &self.out_iface {
            write!(f, " out {o}")?;
        }
        if let Some(s) = self.state {
            write!(f, " {s}")?;
        }
        match self.mark {
            Some(0) => {}
            Some(m) => write!(f, " mark {m:#x}")?,
            None => f.write_str(" mark ?")?,
        }
        Ok(())
    }
}

/// A packet and the chain it enters: what the lock-out guard protects
/// ([`Handle::guard`](crate::Handle::guard)).
///
/// ```
/// use iptkit::whatif::{Flow, Packet};
/// let admin = Flow::input(Packet::new("192.0.2.7".parse()?, "198.51.100.1".parse()?).tcp(40000, 22));
/// assert_eq!(admin.to_string(), "INPUT tcp 192.0.2.7:40000 -> 198.51.100.1:22");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The built-in chain the packet enters (`INPUT`, `FORWARD`, ...).
    pub chain: String,
    /// The packet.
    pub packet: Packet,
}

impl Flow {
    /// A packet entering `chain`.
    pub fn new(chain: &str, packet: Packet) -> Flow {
        Flow {
            chain: chain.into(),
            packet,
        }
    }

    /// A packet to this host (`INPUT`).
    pub fn input(packet: Packet) -> Flow {
        Flow::new("INPUT", packet)
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.chain, self.packet)
    }
}
