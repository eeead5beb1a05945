//! `-m multiport`: up to 15 ports or ranges (`xt_multiport.h`,
//! `struct xt_multiport` revision 0 and `struct xt_multiport_v1` revision 1).

use iptkit_sys::ext::xt_multiport::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// Which port of the packet is compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `--sports`.
    #[default]
    Source,
    /// `--dports`.
    Destination,
    /// `--ports`: source or destination.
    Either,
}

impl Direction {
    fn to_kernel(self) -> u8 {
        match self {
            Direction::Source => XT_MULTIPORT_SOURCE,
            Direction::Destination => XT_MULTIPORT_DESTINATION,
            Direction::Either => XT_MULTIPORT_EITHER,
        }
    }

    fn from_kernel(flags: u8) -> Result<Direction> {
        match flags {
            XT_MULTIPORT_SOURCE => Ok(Direction::Source),
            XT_MULTIPORT_DESTINATION => Ok(Direction::Destination),
            XT_MULTIPORT_EITHER => Ok(Direction::Either),
            f => Err(Error::Malformed(format!("multiport: unknown flags {f}"))),
        }
    }

    /// The option iptables-save prints.
    fn option(self) -> &'static str {
        match self {
            Direction::Source => "--sports",
            Direction::Destination => "--dports",
            Direction::Either => "--ports",
        }
    }
}

/// `-m multiport`.
///
/// Revision 1 (what iptables writes, and the default) stores a range in two
/// of its 15 slots; revision 0 has single ports only and no `!`: encoding a
/// range as revision 0 keeps its first port. A range whose ends are equal
/// is written as one port.
///
/// ```
/// use iptkit::{matches::multiport::Multiport, matches::tcp::Tcp, Family, Rule};
/// let web = Multiport::dports([80.into(), 443.into(), (6000..=6010).into()])?;
/// let rule = Rule::new(Family::Ipv4).with_match(Tcp::default()).with_match(web);
/// assert_eq!(rule.to_string(), "-p tcp -m tcp -m multiport --dports 80,443,6000:6010");
/// assert!(Multiport::dports((1..=16).map(Into::into)).is_err()); // 15 slots
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Multiport {
    /// Kernel struct revision (0 or 1).
    pub revision: u8,
    /// Which port is compared.
    pub direction: Direction,
    /// The ports and ranges, in order; empty only while parsing.
    pub ports: Inv<Vec<PortRange>>,
}

impl Multiport {
    /// `--dports`: the packet's destination port is one of `ports`.
    pub fn dports(ports: impl IntoIterator<Item = PortRange>) -> Result<Multiport> {
        Multiport::of(Direction::Destination, ports)
    }

    /// `--sports`: the packet's source port is one of `ports`.
    pub fn sports(ports: impl IntoIterator<Item = PortRange>) -> Result<Multiport> {
        Multiport::of(Direction::Source, ports)
    }

    /// `--ports`: the source or the destination port is one of `ports`.
    pub fn ports(ports: impl IntoIterator<Item = PortRange>) -> Result<Multiport> {
        Multiport::of(Direction::Either, ports)
    }

    /// Revision 1 of `direction` with `ports`, refused as iptables refuses
    /// the list: none, more than 15 slots (a range takes two), or a range
    /// whose first port is not below its last.
    fn of(direction: Direction, ports: impl IntoIterator<Item = PortRange>) -> Result<Multiport> {
        let ports: Vec<PortRange> = ports.into_iter().collect();
        let option = direction.option();
        let text = || {
            ports
                .iter()
                .map(PortRange::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        if ports.is_empty() {
            return Err(Error::value(option, "", "no ports specified"));
        }
        if ports.iter().any(|r| r.min > r.max) {
            return Err(Error::value(option, text(), "invalid portrange specified"));
        }
        let slots: usize = ports
            .iter()
            .map(|r| if r.min == r.max { 1 } else { 2 })
            .sum();
        if slots > XT_MULTI_PORTS {
            return Err(Error::value(option, text(), "too many ports specified"));
        }
        Ok(Multiport {
            revision: 1,
            direction,
            ports: Inv::is(ports),
        })
    }
}

/// The protocol names multiport resolves services with (`proto_to_name`).
fn proto_name(proto: u8) -> Option<&'static str> {
    match proto {
        6 => Some("tcp"),
        17 => Some("udp"),
        136 => Some("udplite"),
        132 => Some("sctp"),
        33 => Some("dccp"),
        _ => None,
    }
}

/// The rule's protocol when multiport can work with it (`check_proto`).
fn check_proto(ctx: &Ctx) -> Result<&'static str> {
    const ONLY: &str = "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP";
    if ctx.proto_inv {
        return Err(Error::rule("multiport", ONLY));
    }
    match proto_name(ctx.proto) {
        Some(p) => Ok(p),
        None if ctx.proto == 0 => Err(Error::rule(
            "multiport",
            "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
        )),
        None => Err(Error::rule("multiport", ONLY)),
    }
}

/// Parses `P[,P|P:Q]...` as `parse_multi_ports_v1` does: at most 15 slots, a
/// range takes two and needs min < max. Revision 0 takes no ranges.
fn parse_ports(option: &str, s: &str, proto: &str, ranges: bool) -> Result<Vec<PortRange>> {
    let port = |p: &str| {
        crate::names::parse_port(p, proto)
            .ok_or_else(|| Error::value(option, s, format!("invalid port/service `{p}' specified")))
    };
    let too_many = || Error::value(option, s, "too many ports specified");
    let mut out = Vec::new();
    let mut slots = 0;
    for item in s.split(',') {
        if slots == XT_MULTI_PORTS {
            return Err(too_many());
        }
        let r = match item.split_once(':').filter(|_| ranges) {
            None => PortRange::port(port(item)?),
            Some((a, b)) => {
                if slots == XT_MULTI_PORTS - 1 {
                    return Err(too_many());
                }
                let r = PortRange::range(port(a)?, port(b)?);
                if r.min >= r.max {
                    return Err(Error::value(option, s, "invalid portrange specified"));
                }
                slots += 1;
                r
            }
        };
        slots += 1;
        out.push(r);
    }
    Ok(out)
}

impl Extension for Multiport {
    const NAME: &'static str = "multiport";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Multiport::dports([80.into(), 443.into()]).expect("two ports")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No port until an option gives them; `finish` insists on one.
        Multiport {
            revision: 1,
            direction: Direction::Source,
            ports: Inv::is(Vec::new()),
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        match revision {
            0 => {
                let k: xt_multiport = read_struct(Self::NAME, revision, data)?;
                let n = usize::from(k.count).min(XT_MULTI_PORTS);
                Ok(Multiport {
                    revision,
                    direction: Direction::from_kernel(k.flags)?,
                    ports: Inv::is(k.ports[..n].iter().map(|&p| PortRange::port(p)).collect()),
                })
            }
            1 => {
                let k: xt_multiport_v1 = read_struct(Self::NAME, revision, data)?;
                let n = usize::from(k.count).min(XT_MULTI_PORTS);
                let mut ports = Vec::new();
                let mut i = 0;
                while i < n {
                    if k.pflags[i] != 0 && i + 1 < XT_MULTI_PORTS {
                        ports.push(PortRange::range(k.ports[i], k.ports[i + 1]));
                        i += 2;
                    } else {
                        ports.push(PortRange::port(k.ports[i]));
                        i += 1;
                    }
                }
                Ok(Multiport {
                    revision,
                    direction: Direction::from_kernel(k.flags)?,
                    ports: Inv::new(ports, k.invert != 0),
                })
            }
            _ => Err(bad_revision(Self::NAME, revision)),
        }
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = xt_multiport::zeroed();
            k.flags = self.direction.to_kernel();
            for (slot, r) in k.ports.iter_mut().zip(&self.ports.value) {
                *slot = r.min;
                k.count += 1;
            }
            out.extend_from_slice(k.as_bytes());
            return;
        }
        let mut k = xt_multiport_v1::zeroed();
        k.flags = self.direction.to_kernel();
        k.invert = u8::from(self.ports.invert);
        let mut i = 0;
        for r in &self.ports.value {
            if r.min == r.max && i < XT_MULTI_PORTS {
                k.ports[i] = r.min;
                i += 1;
            } else if i + 1 < XT_MULTI_PORTS {
                k.ports[i] = r.min;
                k.pflags[i] = 1;
                k.ports[i + 1] = r.max;
                i += 2;
            }
        }
        k.count = i as u8;
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let direction = match option {
            "source-ports" | "sports" => Direction::Source,
            "destination-ports" | "dports" => Direction::Destination,
            "ports" => Direction::Either,
            _ => return Ok(false),
        };
        let name = direction.option();
        if !self.ports.value.is_empty() {
            return Err(Error::rule(
                "multiport",
                if direction == self.direction {
                    format!("option \"{name}\" can only be used once")
                } else {
                    format!(
                        "option \"{name}\" cannot be used together with \"{}\"",
                        self.direction.option()
                    )
                },
            ));
        }
        let value = args.value(name)?;
        let proto = check_proto(ctx)?;
        let ports = parse_ports(name, value, proto, self.revision != 0)?;
        if invert && self.revision == 0 {
            return Err(Error::rule(
                "multiport",
                "multiport.0 does not support invert",
            ));
        }
        self.direction = direction;
        self.ports = Inv::new(ports, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.ports.value.is_empty() {
            return Err(Error::rule("multiport", "multiport expects an option"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.revision != 0 {
            out.push_str(self.ports.bang());
        }
        out.push(' ');
        out.push_str(self.direction.option());
        for (i, r) in self.ports.value.iter().enumerate() {
            out.push(if i == 0 { ' ' } else { ',' });
            if self.revision == 0 || r.min == r.max {
                push_fmt!(out, "{}", r.min);
            } else {
                push_fmt!(out, "{}:{}", r.min, r.max);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::round;

    fn ctx() -> Ctx {
        Ctx::new(Family::Ipv4)
    }

    #[test]
    fn kernel_bytes_revision_1() {
        // `-p tcp -m multiport ! --dports 1,2:3,4`, as the kernel holds it.
        let bytes = hex(
            "0104010002000300040000000000000000000000000000000000000000000000
             00010000000000000000000000000001",
        );
        let m = Multiport::decode(&ctx(), 1, &bytes).unwrap();
        assert_eq!(
            m,
            Multiport {
                revision: 1,
                direction: Direction::Destination,
                ports: Inv::not(vec![
                    PortRange::port(1),
                    PortRange::range(2, 3),
                    PortRange::port(4)
                ]),
            }
        );
        let mut out = Vec::new();
        m.encode(&ctx(), &mut out);
        assert_eq!(out, bytes);
        let mut s = String::new();
        m.save(&ctx(), &mut s);
        assert_eq!(s, " ! --dports 1,2:3,4");
    }

    #[test]
    fn kernel_bytes_revision_0() {
        // An old `--sports 53,80`: flags 0, count 2, ports, zero slots.
        let mut bytes = vec![0u8; 32];
        bytes[1] = 2;
        bytes[2] = 53;
        bytes[4] = 80;
        let m = Multiport::decode(&ctx(), 0, &bytes).unwrap();
        assert_eq!(m.direction, Direction::Source);
        assert_eq!(
            m.ports,
            Inv::is(vec![PortRange::port(53), PortRange::port(80)])
        );
        let mut out = Vec::new();
        m.encode(&ctx(), &mut out);
        assert_eq!(out, bytes);
        let mut s = String::new();
        m.save(&ctx(), &mut s);
        assert_eq!(s, " --sports 53,80");
        assert!(Multiport::decode(&ctx(), 2, &bytes).is_err());
        assert!(Multiport::decode(&ctx(), 1, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |spec: &str, want: &str| {
            assert_eq!(round(Family::Ipv4, spec).unwrap(), want, "{spec}");
            assert_eq!(round(Family::Ipv6, spec).unwrap(), want, "{spec}");
        };
        ok(
            "-p tcp -m multiport --sports 53,1024:65535",
            " -p tcp -m multiport --sports 53,1024:65535",
        );
        ok(
            "-p udp -m multiport --ports 53,1024:65535",
            " -p udp -m multiport --ports 53,1024:65535",
        );
        ok(
            "-p tcp -m multiport --destination-ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15",
            " -p tcp -m multiport --dports 1,2,3,4,6,7,8,9,10,11,12,13,14,15",
        );
        ok(
            "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15",
            " -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15",
        );
        ok(
            "-p tcp -m multiport ! --source-ports 0x10",
            " -p tcp -m multiport ! --sports 16",
        );
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m multiport",
            "-p tcp -m multiport",
            "-m multiport --dports 1 -p tcp",
            "! -p tcp -m multiport --dports 1",
            "-p icmp -m multiport --dports 1",
            "-p tcp -m multiport --sports 1024:65536",
            "-p tcp -m multiport --dports 4:4",
            "-p tcp -m multiport --dports 5:4",
            "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
            "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16",
            "-p tcp -m multiport --dports 1,,2",
            "-p tcp -m multiport --dports 1,",
            "-p tcp -m multiport --ports 1:",
            "-p tcp -m multiport --ports 1:2:3",
            "-p tcp -m multiport --dports 1 --sports 2",
            "-p tcp -m multiport --dports 1 --dports 2",
            "-p tcp --multiport",
        ] {
            assert!(round(Family::Ipv4, spec).is_err(), "{spec}");
        }
    }
    /// Every case of extensions/libxt_multiport.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-p tcp -m multiport --sports 53,1024:65535", Some(" -p tcp -m multiport --sports 53,1024:65535")),
            (46, "-p tcp -m multiport --dports 53,1024:65535", Some(" -p tcp -m multiport --dports 53,1024:65535")),
            (46, "-p udp -m multiport --sports 53,1024:65535", Some(" -p udp -m multiport --sports 53,1024:65535")),
            (46, "-p udp -m multiport --dports 53,1024:65535", Some(" -p udp -m multiport --dports 53,1024:65535")),
            (46, "-p udp -m multiport --ports 53,1024:65535", Some(" -p udp -m multiport --ports 53,1024:65535")),
            (46, "-p sctp -m multiport --sports 53,1024:65535", Some(" -p sctp -m multiport --sports 53,1024:65535")),
            (46, "-p sctp -m multiport --dports 53,1024:65535", Some(" -p sctp -m multiport --dports 53,1024:65535")),
            (46, "-p dccp -m multiport --sports 53,1024:65535", Some(" -p dccp -m multiport --sports 53,1024:65535")),
            (46, "-p dccp -m multiport --dports 53,1024:65535", Some(" -p dccp -m multiport --dports 53,1024:65535")),
            (46, "-p udplite -m multiport --sports 53,1024:65535", Some(" -p udplite -m multiport --sports 53,1024:65535")),
            (46, "-p udplite -m multiport --dports 53,1024:65535", Some(" -p udplite -m multiport --dports 53,1024:65535")),
            (46, "-p tcp -m multiport --sports 1024:65536", None),
            (46, "-p udp -m multiport --sports 1024:65536", None),
            (46, "-p tcp -m multiport --ports 1024:65536", None),
            (46, "-p udp -m multiport --ports 1024:65536", None),
            (46, "-p tcp -m multiport --ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15", Some(" -p tcp -m multiport --ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15")),
            (46, "-p tcp --multiport", None),
            (46, "-m multiport", None),
        ]);
    }
}
