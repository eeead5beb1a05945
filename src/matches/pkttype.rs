//! `-m pkttype`: the link-layer packet type (`xt_pkttype.h`,
//! `struct xt_pkttype_info`).

use iptkit_sys::ext::xt_pkttype::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::once;
use crate::xtopt::Seen;

/// A link-layer packet type (`PACKET_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `unicast` (also `host`): addressed to this host.
    Unicast,
    /// `broadcast` (also `bcast`).
    Broadcast,
    /// `multicast` (also `mcast`).
    Multicast,
    /// `otherhost`: addressed to another host.
    OtherHost,
    /// A `PACKET_*` value without a name in iptables (printed as a number).
    Other(i32),
}

/// Names iptables accepts (case ignored); the first name of a type is the
/// one it prints.
const NAMES: &[(&str, PacketType)] = &[
    ("unicast", PacketType::Unicast),
    ("broadcast", PacketType::Broadcast),
    ("multicast", PacketType::Multicast),
    ("otherhost", PacketType::OtherHost),
    ("bcast", PacketType::Broadcast),
    ("mcast", PacketType::Multicast),
    ("host", PacketType::Unicast),
];

impl PacketType {
    fn from_kernel(v: i32) -> PacketType {
        match v {
            PACKET_HOST => PacketType::Unicast,
            PACKET_BROADCAST => PacketType::Broadcast,
            PACKET_MULTICAST => PacketType::Multicast,
            PACKET_OTHERHOST => PacketType::OtherHost,
            v => PacketType::Other(v),
        }
    }

    fn to_kernel(self) -> i32 {
        match self {
            PacketType::Unicast => PACKET_HOST,
            PacketType::Broadcast => PACKET_BROADCAST,
            PacketType::Multicast => PACKET_MULTICAST,
            PacketType::OtherHost => PACKET_OTHERHOST,
            PacketType::Other(v) => v,
        }
    }

    /// The name iptables-save prints, or the number.
    pub fn name(self) -> String {
        NAMES
            .iter()
            .find(|(_, t)| *t == self)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| self.to_kernel().to_string())
    }
}

/// `-m pkttype`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pkttype {
    /// `[!] --pkt-type TYPE` (required).
    pub pkt_type: Option<Inv<PacketType>>,
}

impl Pkttype {
    /// `--pkt-type pkt_type`: the link-layer packet type.
    ///
    /// ```
    /// use iptkit::{matches::pkttype::{PacketType, Pkttype}, Match};
    /// let m = Match::from(Pkttype::new(PacketType::Broadcast));
    /// assert_eq!(m.to_string(), "-m pkttype --pkt-type broadcast");
    /// ```
    pub fn new(pkt_type: PacketType) -> Pkttype {
        Pkttype {
            pkt_type: Some(Inv::is(pkt_type)),
        }
    }
}

impl Extension for Pkttype {
    const NAME: &'static str = "pkttype";

    fn example(_family: crate::addr::Family) -> Self {
        Pkttype::new(PacketType::Unicast)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Pkttype { pkt_type: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_pkttype_info = read_struct(Self::NAME, revision, data)?;
        if !(0..=1).contains(&k.invert) {
            return Err(Error::Malformed(format!("pkttype: invert {}", k.invert)));
        }
        Ok(Pkttype {
            pkt_type: Some(Inv::new(PacketType::from_kernel(k.pkttype), k.invert != 0)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_pkttype_info::zeroed();
        if let Some(t) = self.pkt_type {
            k.pkttype = t.value.to_kernel();
            k.invert = t.invert.into();
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        if option != "pkt-type" {
            return Ok(false);
        }
        once(Self::NAME, option, self.pkt_type.is_some())?;
        let v = args.value("--pkt-type")?;
        let t = NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(v))
            .map(|(_, t)| *t)
            .ok_or_else(|| Error::value("--pkt-type", v, "bad packet type"))?;
        self.pkt_type = Some(Inv::new(t, invert));
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.pkt_type.is_none() {
            return Err(Error::rule(
                "pkttype",
                "option --pkt-type must be specified",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.pkt_type {
            push_fmt!(out, "{} --pkt-type {}", t.bang(), t.value.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn round(spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(Family::Ipv6, &split_words(spec).unwrap())?;
        Ok(save_rule_spec(&rules[0]))
    }

    #[test]
    fn kernel_bytes() {
        let c = Ctx::new(Family::Ipv4);
        // From the kernel.
        for (spec, bytes, text) in [
            (
                "! --pkt-type BCAST",
                [1, 0, 0, 0, 1, 0, 0, 0],
                " ! --pkt-type broadcast",
            ),
            ("--pkt-type host", [0; 8], " --pkt-type unicast"),
            (
                "--pkt-type otherhost",
                [3, 0, 0, 0, 0, 0, 0, 0],
                " --pkt-type otherhost",
            ),
        ] {
            let m = Pkttype::decode(&c, 0, &bytes).unwrap();
            let mut s = String::new();
            m.save(&c, &mut s);
            assert_eq!(s, text);
            assert_eq!(
                round(&format!("-m pkttype {spec}")).unwrap(),
                format!(" -m pkttype{text}")
            );
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes);
        }
        // PACKET_OUTGOING has no name in iptables: printed as a number.
        let m = Pkttype::decode(&c, 0, &[4, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        let mut s = String::new();
        m.save(&c, &mut s);
        assert_eq!(s, " --pkt-type 4");
        assert!(Pkttype::decode(&c, 0, &[0, 0, 0, 0, 2, 0, 0, 0]).is_err());
        assert!(Pkttype::decode(&c, 1, &[0; 8]).is_err());
    }

    #[test]
    fn refusals() {
        assert!(round("-m pkttype").is_err());
        assert!(round("-m pkttype --pkt-type wrong").is_err());
        assert!(round("-m pkttype --pkt-type outgoing").is_err());
        assert!(round("-m pkttype --pkt-type unicast --pkt-type unicast").is_err());
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (
            Family::Ipv4,
            &["-m", "pkttype", "--pkt-type", "unicast"],
            Some(" -m pkttype --pkt-type unicast"),
        ),
        (
            Family::Ipv6,
            &["-m", "pkttype", "--pkt-type", "unicast"],
            Some(" -m pkttype --pkt-type unicast"),
        ),
        (
            Family::Ipv4,
            &["-m", "pkttype", "--pkt-type", "broadcast"],
            Some(" -m pkttype --pkt-type broadcast"),
        ),
        (
            Family::Ipv6,
            &["-m", "pkttype", "--pkt-type", "broadcast"],
            Some(" -m pkttype --pkt-type broadcast"),
        ),
        (
            Family::Ipv4,
            &["-m", "pkttype", "--pkt-type", "multicast"],
            Some(" -m pkttype --pkt-type multicast"),
        ),
        (
            Family::Ipv6,
            &["-m", "pkttype", "--pkt-type", "multicast"],
            Some(" -m pkttype --pkt-type multicast"),
        ),
        (
            Family::Ipv4,
            &["-m", "pkttype", "--pkt-type", "wrong"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "pkttype", "--pkt-type", "wrong"],
            None,
        ),
        (Family::Ipv4, &["-m", "pkttype"], None),
        (Family::Ipv6, &["-m", "pkttype"], None),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
