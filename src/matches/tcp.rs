//! `-m tcp`: ports, flags and options of a TCP header (`xt_tcpudp.h`, `struct xt_tcp`).
//!
//! ```
//! use iptkit::matches::{port::PortRange, tcp::Tcp};
//! use iptkit::{Family, Inv, Rule, Target};
//! let rule = Rule::parse(Family::Ipv4, "-p tcp -m tcp --sport 1024:65535 --dport 22 -j ACCEPT")?;
//! let tcp = rule.find::<Tcp>().unwrap();
//! assert_eq!(tcp.sport, Some(Inv::is(PortRange::range(1024, 65535))));
//! // New connections to port 22: a constructor, the other fields set by hand.
//! let syn = Tcp { dport: Some(Inv::is(22.into())), ..Tcp::syn() };
//! let built = Rule::new(Family::Ipv4).with_match(syn).with_target(Target::Drop);
//! assert_eq!(built.to_string(), "-p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP");
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_tcpudp::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// TCP flag names in the order iptables prints them (`tcp_flag_names`).
const FLAG_NAMES: &[(&str, u8)] = &[
    ("FIN", 0x01),
    ("SYN", 0x02),
    ("RST", 0x04),
    ("PSH", 0x08),
    ("ACK", 0x10),
    ("URG", 0x20),
    ("ALL", 0x3f),
    ("NONE", 0),
];

/// TCP flags: which to examine (`mask`) and which of those must be set (`set`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpFlags {
    /// Flags examined.
    pub mask: u8,
    /// Flags that must be set, of those examined.
    pub set: u8,
}

impl TcpFlags {
    /// `--syn`: SYN set, RST, ACK and FIN clear.
    pub const SYN: TcpFlags = TcpFlags {
        mask: 0x17,
        set: 0x02,
    };
}

/// `-m tcp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tcp {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
    /// `--tcp-flags MASK SET` (`--syn`).
    pub flags: Option<Inv<TcpFlags>>,
    /// `--tcp-option KIND`.
    pub option: Option<Inv<u8>>,
}

fn parse_flags(option: &str, s: &str) -> Result<u8> {
    let mut v = 0;
    for name in s.split(',') {
        let f = FLAG_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::value(option, s, format!("unknown TCP flag `{name}'")))?;
        v |= f.1;
    }
    Ok(v)
}

fn print_flags(out: &mut String, mut flags: u8) {
    let mut first = true;
    while flags != 0 {
        let Some((name, bit)) = FLAG_NAMES.iter().find(|(_, b)| flags & b != 0) else {
            // Bits iptables has no name for (ECE, CWR): it would loop forever; print the number.
            push_fmt!(out, "{}0x{flags:02x}", if first { "" } else { "," });
            return;
        };
        if !first {
            out.push(',');
        }
        out.push_str(name);
        first = false;
        flags &= !bit;
    }
    if first {
        out.push_str("NONE");
    }
}

fn range_to_kernel(r: &Option<Inv<PortRange>>) -> [u16; 2] {
    let r = r.map(|r| r.value).unwrap_or(PortRange::ALL);
    [r.min, r.max]
}

fn range_from_kernel(p: [u16; 2], invert: bool) -> Option<Inv<PortRange>> {
    let r = PortRange {
        min: p[0],
        max: p[1],
    };
    (!r.is_all() || invert).then_some(Inv::new(r, invert))
}

/// Sets an option once; iptables refuses a second `--sport` and so on.
pub(crate) fn set_once<T>(slot: &mut Option<T>, option: &str, value: T) -> Result<()> {
    if slot.is_some() {
        return Err(Error::rule(option, "may be given only once"));
    }
    *slot = Some(value);
    Ok(())
}

/// Saves ` [!] --NAME RANGE` unless the range is every port.
pub(crate) fn save_range(out: &mut String, name: &str, r: &Option<Inv<PortRange>>) {
    if let Some(r) = r {
        if !r.value.is_all() {
            out.push_str(r.bang());
            out.push_str(" --");
            out.push_str(name);
            out.push(' ');
            r.value.write(out);
        }
    }
}

impl Tcp {
    /// `--dport PORTS`: a port or a range (`22`, `6000..=6010`).
    ///
    /// ```
    /// use iptkit::{matches::tcp::Tcp, Family, Rule, Target};
    /// let rule = Rule::new(Family::Ipv4).with_match(Tcp::dport(22)).with_target(Target::Accept);
    /// assert_eq!(rule.to_string(), "-p tcp -m tcp --dport 22 -j ACCEPT");
    /// ```
    pub fn dport(ports: impl Into<PortRange>) -> Tcp {
        Tcp {
            dport: Some(Inv::is(ports.into())),
            ..Tcp::default()
        }
    }

    /// `--sport PORTS`: a port or a range.
    pub fn sport(ports: impl Into<PortRange>) -> Tcp {
        Tcp {
            sport: Some(Inv::is(ports.into())),
            ..Tcp::default()
        }
    }

    /// `--syn`: only connection requests (SYN set; RST, ACK and FIN clear).
    pub fn syn() -> Tcp {
        Tcp {
            flags: Some(Inv::is(TcpFlags::SYN)),
            ..Tcp::default()
        }
    }
}

impl Extension for Tcp {
    const NAME: &'static str = "tcp";

    fn example(_family: crate::addr::Family) -> Self {
        Tcp::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Tcp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_tcp = read_struct(Self::NAME, revision, data)?;
        let inv = |bit| k.invflags & bit != 0;
        Ok(Tcp {
            sport: range_from_kernel(k.spts, inv(XT_TCP_INV_SRCPT)),
            dport: range_from_kernel(k.dpts, inv(XT_TCP_INV_DSTPT)),
            flags: (k.flg_mask != 0 || inv(XT_TCP_INV_FLAGS)).then_some(Inv::new(
                TcpFlags {
                    mask: k.flg_mask,
                    set: k.flg_cmp,
                },
                inv(XT_TCP_INV_FLAGS),
            )),
            option: (k.option != 0 || inv(XT_TCP_INV_OPTION))
                .then_some(Inv::new(k.option, inv(XT_TCP_INV_OPTION))),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_tcp::zeroed();
        k.spts = range_to_kernel(&self.sport);
        k.dpts = range_to_kernel(&self.dport);
        let mut inv = 0;
        if self.sport.is_some_and(|r| r.invert) {
            inv |= XT_TCP_INV_SRCPT;
        }
        if self.dport.is_some_and(|r| r.invert) {
            inv |= XT_TCP_INV_DSTPT;
        }
        if let Some(f) = self.flags {
            k.flg_mask = f.value.mask;
            k.flg_cmp = f.value.set;
            if f.invert {
                inv |= XT_TCP_INV_FLAGS;
            }
        }
        if let Some(o) = self.option {
            k.option = o.value;
            if o.invert {
                inv |= XT_TCP_INV_OPTION;
            }
        }
        k.invflags = inv;
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
        match option {
            "sport" | "source-port" => {
                let r = PortRange::parse("--sport", args.value("--sport")?, "tcp")?;
                set_once(&mut self.sport, "--sport", Inv::new(r, invert))?;
            }
            "dport" | "destination-port" => {
                let r = PortRange::parse("--dport", args.value("--dport")?, "tcp")?;
                set_once(&mut self.dport, "--dport", Inv::new(r, invert))?;
            }
            "syn" => set_once(&mut self.flags, "--syn", Inv::new(TcpFlags::SYN, invert))?,
            "tcp-flags" => {
                let mask = parse_flags("--tcp-flags", args.value("--tcp-flags")?)?;
                let set = parse_flags("--tcp-flags", args.value("--tcp-flags")?)?;
                set_once(
                    &mut self.flags,
                    "--tcp-flags",
                    Inv::new(TcpFlags { mask, set }, invert),
                )?;
            }
            "tcp-option" => {
                let v = args.value("--tcp-option")?;
                let kind = crate::names::parse_uint(v)
                    .filter(|&n| (1..=255).contains(&n))
                    .ok_or_else(|| Error::value("--tcp-option", v, "must be 1 to 255"))?;
                set_once(
                    &mut self.option,
                    "--tcp-option",
                    Inv::new(kind as u8, invert),
                )?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        save_range(out, "sport", &self.sport);
        save_range(out, "dport", &self.dport);
        if let Some(o) = self.option {
            push_fmt!(out, "{} --tcp-option {}", o.bang(), o.value);
        }
        if let Some(f) = self.flags {
            push_fmt!(out, "{} --tcp-flags ", f.bang());
            print_flags(out, f.value.mask);
            out.push(' ');
            print_flags(out, f.value.set);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::extension::Args;

    fn parse(words: &[&str]) -> Result<Tcp> {
        let ctx = Ctx {
            family: Family::Ipv4,
            proto: 6,
            proto_inv: false,
            dialect: crate::extension::Dialect::Legacy,
        };
        let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        let mut t = Tcp::start(&ctx, "tcp");
        let mut args = Args::new(&words);
        let mut seen = crate::xtopt::Seen::default();
        while let Some(w) = args.next() {
            let (invert, w) = if w == "!" {
                (true, args.next().unwrap())
            } else {
                (false, w)
            };
            assert!(t.parse_option(
                &ctx,
                w.trim_start_matches('-'),
                invert,
                &mut args,
                &mut seen
            )?);
        }
        t.finish(&ctx, seen)?;
        Ok(t)
    }

    fn save(t: &Tcp) -> String {
        let mut s = String::new();
        t.save(&Ctx::new(Family::Ipv4), &mut s);
        s
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // `-p tcp -m tcp ! --sport 1024:65535 --dport 22 --syn`, as the kernel holds it.
        let bytes = [0x00, 0x04, 0xff, 0xff, 22, 0, 22, 0, 0, 0x17, 0x02, 0x01];
        let t = parse(&["!", "--sport", "1024:", "--dport", "22", "--syn"]).unwrap();
        let mut out = Vec::new();
        t.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(out, bytes);
        assert_eq!(Tcp::decode(&Ctx::new(Family::Ipv4), 0, &bytes).unwrap(), t);
        assert_eq!(
            save(&t),
            " ! --sport 1024:65535 --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN"
        );
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(save(&parse(&["--sport", ":"]).unwrap()), "");
        assert_eq!(save(&parse(&["!", "--dport", ":"]).unwrap()), "");
        assert_eq!(save(&parse(&["--sport", "4:4"]).unwrap()), " --sport 4");
        assert_eq!(
            save(&parse(&["--tcp-flags", "FIN,SYN,RST,PSH,ACK,URG", "RST"]).unwrap()),
            " --tcp-flags FIN,SYN,RST,PSH,ACK,URG RST"
        );
        assert!(parse(&["--sport", "4:3"]).is_err());
        assert!(parse(&["--dport", "1", "--dport", "2"]).is_err());
        assert!(parse(&["--dport"]).is_err());
    }

    #[test]
    fn lossless_for_an_inverted_full_range() {
        let t = parse(&["!", "--sport", ":"]).unwrap();
        let mut out = Vec::new();
        t.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(Tcp::decode(&Ctx::new(Family::Ipv4), 0, &out).unwrap(), t);
    }
}
