//! `-m dccp`: ports, packet types and an option of a DCCP header
//! (`xt_dccp.h`, `struct xt_dccp_info`).

use iptkit_sys::ext::xt_dccp::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::port_range;
use crate::xtopt::uint_option;
use crate::xtopt::Seen;

/// DCCP packet type names by bit number (`dccp_pkt_types` in libxt_dccp.c).
const TYPE_NAMES: [&str; 11] = [
    "REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC",
    "SYNCACK", "INVALID",
];

/// `-m dccp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dccp {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
    /// `--dccp-types`: bit `1 << n` for packet type `n` (REQUEST is 0).
    pub types: Option<Inv<u16>>,
    /// `--dccp-option N` (1 to 255).
    pub option: Option<Inv<u8>>,
}

fn parse_types(s: &str) -> Result<u16> {
    let mut mask = 0;
    for t in s.split(',').filter(|t| !t.is_empty()) {
        let bit = TYPE_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(t))
            .ok_or_else(|| Error::value("--dccp-types", s, format!("Unknown DCCP type `{t}'")))?;
        // INVALID stands for every reserved type, 10 to 15, as iptables stores it.
        mask |= if bit == INVALID {
            INVALID_MASK
        } else {
            1 << bit
        };
    }
    Ok(mask)
}

/// Index of `INVALID` in [`TYPE_NAMES`].
const INVALID: usize = 10;
/// The types `INVALID` stands for.
const INVALID_MASK: u16 = 0xffff << INVALID;

/// The names of the types, with every reserved type as one `INVALID`, as
/// iptables prints them.
fn print_types(out: &mut String, mask: u16) {
    let mut names: Vec<&str> = (0..INVALID)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| TYPE_NAMES[i])
        .collect();
    if mask & INVALID_MASK != 0 {
        names.push(TYPE_NAMES[INVALID]);
    }
    out.push(' ');
    out.push_str(&names.join(","));
}

/// A flagged part of the struct: present when its flag is set.
fn part<T>(flags: u16, invflags: u16, bit: u16, value: T) -> Option<Inv<T>> {
    (flags & bit != 0).then(|| Inv::new(value, invflags & bit != 0))
}

impl Extension for Dccp {
    const NAME: &'static str = "dccp";

    fn example(_family: crate::addr::Family) -> Self {
        Dccp::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Dccp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_dccp_info = read_struct(Self::NAME, revision, data)?;
        let (f, i) = (k.flags, k.invflags);
        // Fields of absent parts are zero when iptables writes them; anything
        // else could not be written back the same, so it stays raw.
        let stray = (f & !XT_DCCP_VALID_FLAGS != 0)
            || (i & !f != 0)
            || (f & XT_DCCP_SRC_PORTS == 0 && k.spts != [0, 0])
            || (f & XT_DCCP_DEST_PORTS == 0 && k.dpts != [0, 0])
            || (f & XT_DCCP_TYPE == 0 && k.typemask != 0)
            || (f & XT_DCCP_OPTION == 0 && k.option != 0);
        if stray {
            return Err(Error::Malformed("dccp: flags and fields disagree".into()));
        }
        Ok(Dccp {
            sport: part(
                f,
                i,
                XT_DCCP_SRC_PORTS,
                PortRange::range(k.spts[0], k.spts[1]),
            ),
            dport: part(
                f,
                i,
                XT_DCCP_DEST_PORTS,
                PortRange::range(k.dpts[0], k.dpts[1]),
            ),
            types: part(f, i, XT_DCCP_TYPE, k.typemask),
            option: part(f, i, XT_DCCP_OPTION, k.option),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_dccp_info::zeroed();
        let mut mark = |bit: u16, invert: bool| {
            k.flags |= bit;
            if invert {
                k.invflags |= bit;
            }
        };
        if let Some(p) = self.sport {
            mark(XT_DCCP_SRC_PORTS, p.invert);
        }
        if let Some(p) = self.dport {
            mark(XT_DCCP_DEST_PORTS, p.invert);
        }
        if let Some(t) = self.types {
            mark(XT_DCCP_TYPE, t.invert);
        }
        if let Some(o) = self.option {
            mark(XT_DCCP_OPTION, o.invert);
        }
        if let Some(p) = self.sport {
            k.spts = [p.value.min, p.value.max];
        }
        if let Some(p) = self.dport {
            k.dpts = [p.value.min, p.value.max];
        }
        k.typemask = self.types.map_or(0, |t| t.value);
        k.option = self.option.map_or(0, |o| o.value);
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
                let r = port_range("dccp", "--source-port", args.value("--sport")?)?;
                set_once(&mut self.sport, "--source-port", Inv::new(r, invert))?;
            }
            "dport" | "destination-port" => {
                let r = port_range("dccp", "--destination-port", args.value("--dport")?)?;
                set_once(&mut self.dport, "--destination-port", Inv::new(r, invert))?;
            }
            "dccp-types" => {
                let t = parse_types(args.value("--dccp-types")?)?;
                set_once(&mut self.types, "--dccp-types", Inv::new(t, invert))?;
            }
            "dccp-option" => {
                let v = args.value("--dccp-option")?;
                let n = uint_option("dccp", "--dccp-option", v, 1, 255)?;
                set_once(&mut self.option, "--dccp-option", Inv::new(n as u8, invert))?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Ports print even when they are every port (`--sport 0:65535`), as
    /// iptables prints whatever was given.
    fn save(&self, _ctx: &Ctx, out: &mut String) {
        for (name, r) in [("sport", &self.sport), ("dport", &self.dport)] {
            if let Some(r) = r {
                push_fmt!(out, "{} --{name} {}", r.bang(), r.value);
            }
        }
        if let Some(t) = self.types {
            push_fmt!(out, "{} --dccp-types", t.bang());
            print_types(out, t.value);
        }
        if let Some(o) = self.option {
            push_fmt!(out, "{} --dccp-option {}", o.bang(), o.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-p dccp -m dccp ! --sport 1 --dport 4:3 --dccp-types REQUEST,DATA ! --dccp-option 5`.
        let d: Dccp = parse_opts(
            &ctx,
            &[
                "!",
                "--sport",
                "1",
                "--dport",
                "4:3",
                "--dccp-types",
                "request,DATA",
                "!",
                "--dccp-option",
                "5",
            ],
        )
        .unwrap();
        bytes_both_ways(
            &ctx,
            &d,
            &[4, 0, 3, 0, 1, 0, 1, 0, 0x0f, 0, 0x09, 0, 0x05, 0, 5, 0],
        );
        let d: Dccp = parse_opts(&ctx, &[]).unwrap();
        bytes_both_ways(&ctx, &d, &[0; 16]);
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = Family::Ipv4;
        let r = |s| round(v4, s).unwrap();
        assert_eq!(
            r("-p dccp -m dccp --sport :"),
            " -p dccp -m dccp --sport 0:65535"
        );
        assert_eq!(r("-p dccp --dport 4:3"), " -p dccp -m dccp --dport 4:3");
        assert_eq!(r("-p dccp --dport ssh"), " -p dccp -m dccp --dport 22");
        assert_eq!(
            r("-p dccp --dccp-types \"\""),
            " -p dccp -m dccp --dccp-types "
        );
        assert_eq!(
            r("-p dccp ! --dccp-types DATA,request"),
            " -p dccp -m dccp ! --dccp-types REQUEST,DATA"
        );
        for bad in [
            "-p dccp --sport -1",
            "-p dccp --sport 1:2:3",
            "-p dccp --dccp-option 0",
            "-p dccp --dccp-option 256",
            "-p dccp --dccp-types 5",
            "-p dccp --sport 5 --sport 6",
        ] {
            assert!(round(v4, bad).is_err(), "{bad}");
        }
    }
}
