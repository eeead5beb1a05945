//! `-m realm`: the routing realm of the packet's route (`xt_realm.h`,
//! `struct xt_realm_info`). IPv4 only. Realm names come from
//! `/etc/iproute2/rt_realms`, read (not executed) the way libxtables'
//! `xtables_lmap_init` reads it.

use std::sync::OnceLock;

use iptkit_sys::ext::xt_realm::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{parse_lmap, strtoul};

/// Where iptables reads realm names.
const REALMS_FILE: &str = "/etc/iproute2/rt_realms";

/// A realm id and the bits of the route's realm compared with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RealmMask {
    /// The realm.
    pub id: u32,
    /// The bits compared (`0xffffffff` for all).
    pub mask: u32,
}

/// `-m realm` (IPv4 only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Realm {
    /// `[!] --realm VALUE[/MASK]` or a realm name (required).
    pub realm: Option<Inv<RealmMask>>,
}

/// The realm names of this machine (empty when the file is missing).
fn realms() -> &'static [(u32, String)] {
    static MAP: OnceLock<Vec<(u32, String)>> = OnceLock::new();
    MAP.get_or_init(|| {
        std::fs::read_to_string(REALMS_FILE)
            .map(|t| parse_lmap(&t))
            .unwrap_or_default()
    })
}

/// `xtables_parse_val_mask` with a name table: `N`, `N/M`, or a name.
fn parse_realm(s: &str, names: &[(u32, String)]) -> Result<RealmMask> {
    let bad = |why: &str| Error::value("--realm", s, format!("realm: {why}"));
    let by_name = || {
        names
            .iter()
            .find(|(_, n)| n == s)
            .map(|&(id, _)| RealmMask { id, mask: u32::MAX })
            .ok_or_else(|| bad("could not map name to an integer value"))
    };
    let Some((id, rest)) = strtoul(s).filter(|(v, _)| *v <= u32::MAX.into()) else {
        return by_name();
    };
    if rest.is_empty() {
        return Ok(RealmMask {
            id: id as u32,
            mask: u32::MAX,
        });
    }
    let Some(m) = rest.strip_prefix('/') else {
        return by_name();
    };
    match strtoul(m) {
        Some((mask, "")) if mask <= u32::MAX.into() => Ok(RealmMask {
            id: id as u32,
            mask: mask as u32,
        }),
        Some((mask, _)) if mask <= u32::MAX.into() => Err(bad("trailing garbage after value")),
        _ => Err(bad("bad integer value, or out of range")),
    }
}

/// ` 0xID/0xMASK`, or the name (or ` 0xID`) for a full mask.
fn print_realm(out: &mut String, r: RealmMask, names: &[(u32, String)]) {
    if r.mask != u32::MAX {
        push_fmt!(out, " {:#x}/{:#x}", r.id, r.mask);
    } else if let Some((_, n)) = names.iter().find(|(id, _)| *id == r.id) {
        push_fmt!(out, " {n}");
    } else {
        push_fmt!(out, " {:#x}", r.id);
    }
}

impl Realm {
    /// `--realm id/mask`: the routing realm, of the bits in `mask`, is `id`.
    ///
    /// ```
    /// use iptkit::{matches::realm::Realm, Match};
    /// assert_eq!(Match::from(Realm::new(1, 0xff)).to_string(), "-m realm --realm 0x1/0xff");
    /// ```
    pub fn new(id: u32, mask: u32) -> Realm {
        Realm {
            realm: Some(Inv::is(RealmMask { id, mask })),
        }
    }
}

impl Extension for Realm {
    const NAME: &'static str = "realm";
    const FAMILIES: &'static [Family] = &[Family::Ipv4];

    fn example(_family: Family) -> Self {
        Realm::new(1, 0xffff_ffff)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Realm { realm: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_realm_info = read_struct(Self::NAME, revision, data)?;
        if k.invert > 1 {
            return Err(Error::Malformed(format!("realm: invert {}", k.invert)));
        }
        let r = RealmMask {
            id: k.id,
            mask: k.mask,
        };
        Ok(Realm {
            realm: Some(Inv::new(r, k.invert != 0)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_realm_info::zeroed();
        if let Some(r) = self.realm {
            k.id = r.value.id;
            k.mask = r.value.mask;
            k.invert = r.invert.into();
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
        if option != "realm" {
            return Ok(false);
        }
        let r = parse_realm(args.value("--realm")?, realms())?;
        set_once(&mut self.realm, "--realm", Inv::new(r, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.realm.is_none() {
            return Err(Error::rule("realm", "option \"--realm\" must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(r) = self.realm {
            push_fmt!(out, "{} --realm", r.bang());
            print_realm(out, r.value, realms());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let r: Realm = parse_opts(&ctx, &["!", "--realm", "0x1/0x2a"]).unwrap();
        bytes_both_ways(&ctx, &r, &[1, 0, 0, 0, 0x2a, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn names_like_xtables_lmap() {
        let names = parse_lmap("#\n0\tcosmos\n 0x10 sixteen # c\n300 big\n7x bad\n#1 inr.ac\n9\n");
        assert_eq!(
            names,
            [(0, "cosmos".to_string()), (16, "sixteen".to_string())]
        );
        let p = |s| parse_realm(s, &names);
        assert_eq!(
            p("cosmos").unwrap(),
            RealmMask {
                id: 0,
                mask: u32::MAX
            }
        );
        assert_eq!(
            p("5").unwrap(),
            RealmMask {
                id: 5,
                mask: u32::MAX
            }
        );
        assert_eq!(p("0/0").unwrap(), RealmMask { id: 0, mask: 0 });
        assert!(p("4294967296").is_err());
        assert!(p("1/").is_err());
        assert!(p("1/2x").is_err());
        assert!(p("nosuch").is_err());
        let mut s = String::new();
        print_realm(
            &mut s,
            RealmMask {
                id: 16,
                mask: u32::MAX,
            },
            &names,
        );
        print_realm(
            &mut s,
            RealmMask {
                id: 5,
                mask: u32::MAX,
            },
            &names,
        );
        print_realm(&mut s, RealmMask { id: 0, mask: 0 }, &names);
        assert_eq!(s, " sixteen 0x5 0x0/0x0");
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        assert_eq!(
            r("-m realm --realm 0x1/0x2a").unwrap(),
            " -m realm --realm 0x1/0x2a"
        );
        assert_eq!(
            r("-m realm ! --realm 0x5/0xff").unwrap(),
            " -m realm ! --realm 0x5/0xff"
        );
        assert!(r("-m realm").is_err());
        assert!(r("-m realm --realm 1 --realm 2").is_err());
        assert!(round(Family::Ipv6, "-m realm --realm 1").is_err());
    }
}
