//! `-m addrtype`: the routing type of the source and/or destination address
//! (`xt_addrtype.h`, `struct xt_addrtype_info` revision 0, IPv4 only, and
//! `struct xt_addrtype_info_v1` revision 1).

use iptkit_sys::ext::xt_addrtype::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

bitflags::bitflags! {
    /// Address types (`1 << RTN_*`), as `--src-type`/`--dst-type` name them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct AddrTypes: u16 {
        /// `UNSPEC`.
        const UNSPEC = XT_ADDRTYPE_UNSPEC;
        /// `UNICAST`.
        const UNICAST = XT_ADDRTYPE_UNICAST;
        /// `LOCAL`: an address of this host.
        const LOCAL = XT_ADDRTYPE_LOCAL;
        /// `BROADCAST`.
        const BROADCAST = XT_ADDRTYPE_BROADCAST;
        /// `ANYCAST`.
        const ANYCAST = XT_ADDRTYPE_ANYCAST;
        /// `MULTICAST`.
        const MULTICAST = XT_ADDRTYPE_MULTICAST;
        /// `BLACKHOLE`.
        const BLACKHOLE = XT_ADDRTYPE_BLACKHOLE;
        /// `UNREACHABLE`.
        const UNREACHABLE = XT_ADDRTYPE_UNREACHABLE;
        /// `PROHIBIT`.
        const PROHIBIT = XT_ADDRTYPE_PROHIBIT;
        /// `THROW`.
        const THROW = XT_ADDRTYPE_THROW;
        /// `NAT`.
        const NAT = XT_ADDRTYPE_NAT;
        /// `XRESOLVE`.
        const XRESOLVE = XT_ADDRTYPE_XRESOLVE;
    }
}

/// Type names in bit order (`rtn_names` of libxt_addrtype).
const TYPE_NAMES: &[&str] = &[
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE",
];

impl AddrTypes {
    /// Parses `TYPE[,TYPE...]` as iptables does: case-insensitive, and a
    /// prefix names the first type it starts (`LOC` is `LOCAL`, `U` is `UNSPEC`).
    pub fn parse(option: &str, s: &str) -> Result<AddrTypes> {
        let mut v = AddrTypes::empty();
        for name in s.split(',') {
            let bit = TYPE_NAMES
                .iter()
                .position(|t| {
                    !name.is_empty()
                        && name.len() <= t.len()
                        && t[..name.len()].eq_ignore_ascii_case(name)
                })
                .ok_or_else(|| Error::value(option, s, format!("bad address type `{name}'")))?;
            v |= AddrTypes::from_bits_retain(1 << bit);
        }
        Ok(v)
    }

    /// The names iptables-save prints, comma-separated; bits without a name
    /// are not printed (iptables ignores them too).
    pub fn names(self) -> String {
        TYPE_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bits() & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Which interface the address lookup is limited to (revision 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitIface {
    /// `--limit-iface-in`: the packet's incoming interface.
    In,
    /// `--limit-iface-out`: the packet's outgoing interface.
    Out,
}

/// `-m addrtype`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Addrtype {
    /// The kernel struct revision: 1 (what iptables writes), or 0 (IPv4 only,
    /// no interface limit; `limit_iface` is not encoded there).
    pub revision: u8,
    /// `[!] --src-type TYPES`.
    pub src: Option<Inv<AddrTypes>>,
    /// `[!] --dst-type TYPES`.
    pub dst: Option<Inv<AddrTypes>>,
    /// `--limit-iface-in` / `--limit-iface-out`.
    pub limit_iface: Option<LimitIface>,
}

impl Addrtype {
    /// `--src-type TYPES`: the source address is of one of these types.
    ///
    /// ```
    /// use iptkit::{matches::addrtype::{Addrtype, AddrTypes}, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_match(Addrtype::dst(AddrTypes::LOCAL));
    /// assert_eq!(rule.to_string(), "-m addrtype --dst-type LOCAL");
    /// ```
    pub fn src(types: AddrTypes) -> Addrtype {
        Addrtype {
            src: Some(Inv::is(types)),
            ..Addrtype::empty()
        }
    }

    /// `--dst-type TYPES`: the destination address is of one of these types.
    pub fn dst(types: AddrTypes) -> Addrtype {
        Addrtype {
            dst: Some(Inv::is(types)),
            ..Addrtype::empty()
        }
    }

    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Addrtype {
        Addrtype {
            revision: 1,
            src: None,
            dst: None,
            limit_iface: None,
        }
    }
}

/// A type test from the kernel's mask and invert flag: absent when neither is set.
fn types_from_kernel(mask: u16, invert: bool) -> Option<Inv<AddrTypes>> {
    (mask != 0 || invert).then(|| Inv::new(AddrTypes::from_bits_retain(mask), invert))
}

fn types_to_kernel(t: &Option<Inv<AddrTypes>>) -> (u16, bool) {
    t.map_or((0, false), |t| (t.value.bits(), t.invert))
}

impl Extension for Addrtype {
    const NAME: &'static str = "addrtype";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Addrtype::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Addrtype::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        match revision {
            0 => {
                let k: xt_addrtype_info = read_struct(Self::NAME, revision, data)?;
                Ok(Addrtype {
                    revision,
                    src: types_from_kernel(k.source, k.invert_source != 0),
                    dst: types_from_kernel(k.dest, k.invert_dest != 0),
                    limit_iface: None,
                })
            }
            1 => {
                let k: xt_addrtype_info_v1 = read_struct(Self::NAME, revision, data)?;
                let limit_iface = match (
                    k.flags & XT_ADDRTYPE_LIMIT_IFACE_IN != 0,
                    k.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT != 0,
                ) {
                    (false, false) => None,
                    (true, false) => Some(LimitIface::In),
                    (false, true) => Some(LimitIface::Out),
                    (true, true) => {
                        return Err(Error::Malformed(
                            "addrtype: both interface limits set".into(),
                        ))
                    }
                };
                Ok(Addrtype {
                    revision,
                    src: types_from_kernel(k.source, k.flags & XT_ADDRTYPE_INVERT_SOURCE != 0),
                    dst: types_from_kernel(k.dest, k.flags & XT_ADDRTYPE_INVERT_DEST != 0),
                    limit_iface,
                })
            }
            _ => Err(bad_revision(Self::NAME, revision)),
        }
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let (source, src_inv) = types_to_kernel(&self.src);
        let (dest, dst_inv) = types_to_kernel(&self.dst);
        if self.revision == 0 {
            let mut k = xt_addrtype_info::zeroed();
            k.source = source;
            k.dest = dest;
            k.invert_source = src_inv.into();
            k.invert_dest = dst_inv.into();
            out.extend_from_slice(k.as_bytes());
            return;
        }
        let mut k = xt_addrtype_info_v1::zeroed();
        k.source = source;
        k.dest = dest;
        if src_inv {
            k.flags |= XT_ADDRTYPE_INVERT_SOURCE;
        }
        if dst_inv {
            k.flags |= XT_ADDRTYPE_INVERT_DEST;
        }
        k.flags |= match self.limit_iface {
            None => 0,
            Some(LimitIface::In) => XT_ADDRTYPE_LIMIT_IFACE_IN,
            Some(LimitIface::Out) => XT_ADDRTYPE_LIMIT_IFACE_OUT,
        };
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
        let (slot, name) = match option {
            "src-type" => (&mut self.src, "--src-type"),
            "dst-type" => (&mut self.dst, "--dst-type"),
            "limit-iface-in" | "limit-iface-out" => {
                let (this, other, limit) = if option == "limit-iface-in" {
                    ("--limit-iface-in", "--limit-iface-out", LimitIface::In)
                } else {
                    ("--limit-iface-out", "--limit-iface-in", LimitIface::Out)
                };
                if invert {
                    return Err(Error::rule(this, "cannot be inverted"));
                }
                match self.limit_iface {
                    None => self.limit_iface = Some(limit),
                    Some(l) if l == limit => {
                        return Err(Error::rule(this, "may be given only once"))
                    }
                    Some(_) => {
                        return Err(Error::rule(
                            this,
                            format!("cannot be used together with {other}"),
                        ))
                    }
                }
                return Ok(true);
            }
            _ => return Ok(false),
        };
        let types = AddrTypes::parse(name, args.value(name)?)?;
        set_once(slot, name, Inv::new(types, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.src.is_none() && self.dst.is_none() {
            return Err(Error::rule(
                "addrtype",
                "you must specify --src-type or --dst-type",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        for (name, t) in [("src-type", &self.src), ("dst-type", &self.dst)] {
            if let Some(t) = t.filter(|t| !t.value.is_empty()) {
                push_fmt!(out, "{} --{name} {}", t.bang(), t.value.names());
            }
        }
        match self.limit_iface {
            Some(LimitIface::In) => out.push_str(" --limit-iface-in"),
            Some(LimitIface::Out) => out.push_str(" --limit-iface-out"),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn round(family: Family, spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap())?;
        Ok(rules.iter().map(save_rule_spec).collect())
    }

    fn parsed(spec: &str) -> Addrtype {
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec).unwrap()).unwrap();
        match &rules[0].matches[0] {
            crate::Match::Addrtype(m) => m.clone(),
            m => panic!("{m:?}"),
        }
    }

    fn save(m: &Addrtype) -> String {
        let mut s = String::new();
        m.save(&Ctx::new(Family::Ipv4), &mut s);
        s
    }

    #[test]
    fn kernel_bytes_revision_1() {
        let c = Ctx::new(Family::Ipv4);
        // From the kernel, for the two rules below (8-byte struct, no padding).
        let cases: [(&str, [u8; 8], &str); 2] = [
            (
                "-m addrtype ! --src-type LOCAL,unicast,BLACK --dst-type MULTICAST --limit-iface-in",
                [0x46, 0x00, 0x20, 0x00, 0x05, 0x00, 0x00, 0x00],
                " ! --src-type UNICAST,LOCAL,BLACKHOLE --dst-type MULTICAST --limit-iface-in",
            ),
            (
                "-m addrtype --dst-type loc --limit-iface-out",
                [0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00],
                " --dst-type LOCAL --limit-iface-out",
            ),
        ];
        for (spec, bytes, text) in cases {
            let m = parsed(spec);
            assert_eq!(m.revision, 1);
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes);
            assert_eq!(Addrtype::decode(&c, 1, &bytes).unwrap(), m);
            assert_eq!(save(&m), text);
        }
    }

    #[test]
    fn kernel_bytes_revision_0() {
        // Built from the header (iptables 1.8.9 writes revision 1 on this
        // kernel): `! --src-type LOCAL --dst-type BROADCAST,MULTICAST`.
        let bytes = [
            0x04, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        let c = Ctx::new(Family::Ipv4);
        let m = Addrtype::decode(&c, 0, &bytes).unwrap();
        assert_eq!(m.revision, 0);
        assert_eq!(
            save(&m),
            " ! --src-type LOCAL --dst-type BROADCAST,MULTICAST"
        );
        let mut out = Vec::new();
        m.encode(&c, &mut out);
        assert_eq!(out, bytes);
        assert!(Addrtype::decode(&c, 0, &bytes[..8]).is_err());
        assert!(Addrtype::decode(&c, 2, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let v6 = |s| round(Family::Ipv6, s).unwrap();
        assert_eq!(
            v6("-m addrtype --src-type LOCAL --dst-type LOCAL"),
            " -m addrtype --src-type LOCAL --dst-type LOCAL"
        );
        assert_eq!(
            v6("-m addrtype --dst-type xres,u"),
            " -m addrtype --dst-type UNSPEC,XRESOLVE"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s| round(Family::Ipv4, s).is_err();
        assert!(bad("-m addrtype"));
        assert!(bad("-m addrtype --limit-iface-in"));
        assert!(bad("-m addrtype --src-type wrong"));
        assert!(bad("-m addrtype --src-type LOCAL,"));
        assert!(bad("-m addrtype --src-type ,LOCAL"));
        assert!(bad("-m addrtype --src-type LOCALE"));
        assert!(bad("-m addrtype --src-type LOCAL --src-type LOCAL"));
        assert!(bad(
            "-m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out"
        ));
        assert!(bad("-m addrtype --src-type LOCAL ! --limit-iface-in"));
        assert!(bad(
            "-m addrtype --src-type LOCAL --limit-iface-in --limit-iface-in"
        ));
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (Family::Ipv4, &["-m", "addrtype"], None),
        (Family::Ipv6, &["-m", "addrtype"], None),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--src-type", "wrong"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--src-type", "wrong"],
            None,
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--src-type", "UNSPEC"],
            Some(" -m addrtype --src-type UNSPEC"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--src-type", "UNSPEC"],
            Some(" -m addrtype --src-type UNSPEC"),
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--dst-type", "UNSPEC"],
            Some(" -m addrtype --dst-type UNSPEC"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--dst-type", "UNSPEC"],
            Some(" -m addrtype --dst-type UNSPEC"),
        ),
        (
            Family::Ipv4,
            &[
                "-m",
                "addrtype",
                "--src-type",
                "LOCAL",
                "--dst-type",
                "LOCAL",
            ],
            Some(" -m addrtype --src-type LOCAL --dst-type LOCAL"),
        ),
        (
            Family::Ipv6,
            &[
                "-m",
                "addrtype",
                "--src-type",
                "LOCAL",
                "--dst-type",
                "LOCAL",
            ],
            Some(" -m addrtype --src-type LOCAL --dst-type LOCAL"),
        ),
        (Family::Ipv4, &["-m", "addrtype", "--limit-iface-in"], None),
        (Family::Ipv6, &["-m", "addrtype", "--limit-iface-in"], None),
        (Family::Ipv4, &["-m", "addrtype", "--limit-iface-out"], None),
        (Family::Ipv6, &["-m", "addrtype", "--limit-iface-out"], None),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--limit-iface-in", "--limit-iface-out"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--limit-iface-in", "--limit-iface-out"],
            None,
        ),
        (
            Family::Ipv4,
            &[
                "-m",
                "addrtype",
                "--src-type",
                "LOCAL",
                "--limit-iface-in",
                "--limit-iface-out",
            ],
            None,
        ),
        (
            Family::Ipv6,
            &[
                "-m",
                "addrtype",
                "--src-type",
                "LOCAL",
                "--limit-iface-in",
                "--limit-iface-out",
            ],
            None,
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--src-type", "LOCAL", "--limit-iface-in"],
            Some(" -m addrtype --src-type LOCAL --limit-iface-in"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--src-type", "LOCAL", "--limit-iface-in"],
            Some(" -m addrtype --src-type LOCAL --limit-iface-in"),
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--dst-type", "LOCAL", "--limit-iface-in"],
            Some(" -m addrtype --dst-type LOCAL --limit-iface-in"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--dst-type", "LOCAL", "--limit-iface-in"],
            Some(" -m addrtype --dst-type LOCAL --limit-iface-in"),
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--src-type", "LOCAL", "--limit-iface-out"],
            Some(" -m addrtype --src-type LOCAL --limit-iface-out"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--src-type", "LOCAL", "--limit-iface-out"],
            Some(" -m addrtype --src-type LOCAL --limit-iface-out"),
        ),
        (
            Family::Ipv4,
            &["-m", "addrtype", "--dst-type", "LOCAL", "--limit-iface-out"],
            Some(" -m addrtype --dst-type LOCAL --limit-iface-out"),
        ),
        (
            Family::Ipv6,
            &["-m", "addrtype", "--dst-type", "LOCAL", "--limit-iface-out"],
            Some(" -m addrtype --dst-type LOCAL --limit-iface-out"),
        ),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
