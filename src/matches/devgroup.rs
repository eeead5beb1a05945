//! `-m devgroup`: the group of the incoming or outgoing network device
//! (`xt_devgroup.h`, `struct xt_devgroup_info`).
//!
//! Groups have names in `/etc/iproute2/group`, read each time one is needed,
//! as each iptables run does.

use iptkit_sys::ext::xt_devgroup::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{lmap_id, lmap_name, read_lmap, save_val_mask, val_mask, Seen};

/// Where iproute2 (and iptables) read device group names.
const GROUP_FILE: &str = "/etc/iproute2/group";

/// A device group compared under a mask: matches when `group & mask == group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupMask {
    /// The group the masked device group must equal.
    pub group: u32,
    /// The bits compared (`0xffffffff`: all of them).
    pub mask: u32,
}

/// `-m devgroup`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Devgroup {
    /// `[!] --src-group GROUP[/MASK]`: the incoming device's group.
    pub src: Option<Inv<GroupMask>>,
    /// `[!] --dst-group GROUP[/MASK]`: the outgoing device's group.
    pub dst: Option<Inv<GroupMask>>,
}

impl Devgroup {
    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Devgroup {
        Devgroup {
            src: None,
            dst: None,
        }
    }
}

impl Devgroup {
    /// A devgroup match.
    pub fn with(src: Option<Inv<GroupMask>>, dst: Option<Inv<GroupMask>>) -> Self {
        Devgroup { src, dst }
    }

    fn save_with(&self, names: &[(u32, String)], out: &mut String) {
        let name = |v| lmap_name(names, v);
        for (option, g) in [("src-group", &self.src), ("dst-group", &self.dst)] {
            if let Some(g) = g {
                push_fmt!(out, "{} --{option}", g.bang());
                save_val_mask(out, g.value.group, g.value.mask, Some(&name));
            }
        }
    }
}

const O_SRC: u32 = 1;
const O_DST: u32 = 2;

/// One side of the kernel struct: its match and invert flags, group, mask.
fn side(flags: u32, bits: (u32, u32), group: u32, mask: u32) -> Result<Option<Inv<GroupMask>>> {
    let (matched, inverted) = (flags & bits.0 != 0, flags & bits.1 != 0);
    if !matched {
        // iptables leaves an unused side all zero; anything else is kept raw.
        if inverted || group != 0 || mask != 0 {
            return Err(Error::Malformed("devgroup: data for an unused side".into()));
        }
        return Ok(None);
    }
    Ok(Some(Inv::new(GroupMask { group, mask }, inverted)))
}

impl Extension for Devgroup {
    const NAME: &'static str = "devgroup";

    fn example(_family: crate::addr::Family) -> Self {
        Devgroup::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Devgroup::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_devgroup_info = read_struct(Self::NAME, revision, data)?;
        let all = XT_DEVGROUP_MATCH_SRC
            | XT_DEVGROUP_INVERT_SRC
            | XT_DEVGROUP_MATCH_DST
            | XT_DEVGROUP_INVERT_DST;
        if k.flags & !all != 0 {
            return Err(Error::Malformed(format!(
                "devgroup: unknown flags {:#x}",
                k.flags
            )));
        }
        let src_bits = (XT_DEVGROUP_MATCH_SRC, XT_DEVGROUP_INVERT_SRC);
        let dst_bits = (XT_DEVGROUP_MATCH_DST, XT_DEVGROUP_INVERT_DST);
        Ok(Devgroup::with(
            side(k.flags, src_bits, k.src_group, k.src_mask)?,
            side(k.flags, dst_bits, k.dst_group, k.dst_mask)?,
        ))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_devgroup_info::zeroed();
        if let Some(g) = self.src {
            k.flags |= XT_DEVGROUP_MATCH_SRC;
            if g.invert {
                k.flags |= XT_DEVGROUP_INVERT_SRC;
            }
            (k.src_group, k.src_mask) = (g.value.group, g.value.mask);
        }
        if let Some(g) = self.dst {
            k.flags |= XT_DEVGROUP_MATCH_DST;
            if g.invert {
                k.flags |= XT_DEVGROUP_INVERT_DST;
            }
            (k.dst_group, k.dst_mask) = (g.value.group, g.value.mask);
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let bit = match option {
            "src-group" => O_SRC,
            "dst-group" => O_DST,
            _ => return Ok(false),
        };
        seen.take(Self::NAME, option, bit, invert, true)?;
        let v = args.value(option)?;
        // Without the file no name maps (xtables_lmap_init gave NULL).
        let (group, mask) = match read_lmap(GROUP_FILE) {
            Some(names) => val_mask(Self::NAME, option, v, Some(&|s| lmap_id(&names, s)))?,
            None => val_mask(Self::NAME, option, v, None)?,
        };
        let g = Some(Inv::new(GroupMask { group, mask }, invert));
        if bit == O_SRC {
            self.src = g;
        } else {
            self.dst = g;
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_SRC | O_DST) {
            return Err(Error::rule(
                Self::NAME,
                "you must specify either '--src-group' or '--dst-group'",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        self.save_with(&read_lmap(GROUP_FILE).unwrap_or_default(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as};

    fn parse(words: &[&str]) -> Result<Devgroup> {
        parse_as(Family::Ipv4, "devgroup", words)
    }

    fn save(m: &Devgroup) -> String {
        let mut s = String::new();
        m.save_with(&[(0, "default".into()), (7, "lan".into())], &mut s);
        s
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `! --src-group 0 --dst-group 5/0xf`
        let bytes = hex("0700000000000000ffffffff050000000f000000");
        let m = parse(&["!", "--src-group", "0", "--dst-group", "5/0xf"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Devgroup::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save(&m), " ! --src-group default --dst-group 0x5/0xf");
        // `--dst-group 0x10`
        let bytes = hex("04000000000000000000000010000000ffffffff");
        let m = Devgroup::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(save(&m), " --dst-group 0x10");
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert!(
            Devgroup::decode(&ctx, 0, &hex("06000000000000000000000010000000ffffffff")).is_err()
        );
    }

    #[test]
    fn refusals() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--src-group", "1", "--src-group", "2"]).is_err());
        assert!(parse(&["--src-group", "1/"]).is_err());
        assert!(parse(&["--src-group", "0x100000000"]).is_err());
        assert!(parse(&["--src-group", "no-such-group-name"]).is_err());
    }
}
