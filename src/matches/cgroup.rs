//! `-m cgroup`: the control group of the socket a packet belongs to, by
//! cgroup2 path or net_cls classid (`xt_cgroup.h`, `struct
//! xt_cgroup_info_v0/v1/v2`).
//!
//! Revision 2 (what iptables 1.8.9 writes) keeps the path and the classid in
//! one union, so only one of them can be given (the kernel refuses both);
//! revision 1 has room for a 4095-byte path; revision 0 knows only classids.

use iptkit_sys::ext::xt_cgroup::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, put_c_str, read_struct, Args, Ctx, Extension,
};
use crate::inv::Inv;
use crate::xtopt::{bool_field, truncated, uint_option, Seen};

/// `-m cgroup`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cgroup {
    /// `[!] --path PATH`: a cgroup2 path, relative to the cgroup2 root; the
    /// socket's cgroup must be it or below it (revisions 1 and 2).
    pub path: Option<Inv<String>>,
    /// `[!] --cgroup CLASSID`: the net_cls classid (always there in revision 0).
    pub classid: Option<Inv<u32>>,
    /// The revision the value was read as, or is written as (0, 1 or 2).
    pub revision: u8,
}

impl Cgroup {
    /// `--path path`: the socket's cgroup2 is `path` or below it (revision
    /// 2). Refused when empty or longer than the kernel's 511 bytes; the
    /// kernel refuses a path that does not exist.
    ///
    /// ```
    /// use iptkit::{matches::cgroup::Cgroup, Match};
    /// let m = Match::from(Cgroup::path("system.slice")?);
    /// assert_eq!(m.to_string(), r#"-m cgroup --path "system.slice""#);
    /// assert!(Cgroup::path("").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn path(path: &str) -> Result<Cgroup> {
        check_name("cgroup path", "--path", path, XT_CGROUP_PATH_MAX - 1)?;
        Ok(Cgroup {
            path: Some(Inv::is(path.to_string())),
            classid: None,
            revision: 2,
        })
    }

    /// `--cgroup classid`: the socket's net_cls classid (revision 2).
    pub fn classid(classid: u32) -> Cgroup {
        Cgroup {
            path: None,
            classid: Some(Inv::is(classid)),
            revision: 2,
        }
    }
}

const O_CLASSID: u32 = 1;
const O_PATH: u32 = 2;

/// `has`/`invert` byte pairs to an optional inverted value.
fn field<T>(has: u8, invert: u8, what: &str, value: impl FnOnce() -> T) -> Result<Option<Inv<T>>> {
    let invert = bool_field("cgroup", what, invert.into())?;
    Ok(bool_field("cgroup", what, has.into())?.then(|| Inv::new(value(), invert)))
}

impl Cgroup {
    /// The size of the path field of this value's revision.
    fn path_size(&self) -> usize {
        if self.revision == 1 {
            PATH_MAX
        } else {
            XT_CGROUP_PATH_MAX
        }
    }
}

impl Extension for Cgroup {
    const NAME: &'static str = "cgroup";
    const REVISIONS: &'static [u8] = &[0, 1, 2];

    fn example(_family: crate::addr::Family) -> Self {
        Cgroup::classid(1)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Cgroup {
            path: None,
            classid: None,
            revision: 2,
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (path, classid) = match revision {
            0 => {
                let k: xt_cgroup_info_v0 = read_struct(Self::NAME, revision, data)?;
                let invert = bool_field(Self::NAME, "invert", k.invert)?;
                (None, Some(Inv::new(k.id, invert)))
            }
            1 => {
                let k: xt_cgroup_info_v1 = read_struct(Self::NAME, revision, data)?;
                (
                    field(k.has_path, k.invert_path, "path", || c_str(&k.path))?,
                    field(k.has_classid, k.invert_classid, "classid", || k.classid)?,
                )
            }
            2 => {
                let k: xt_cgroup_info_v2 = read_struct(Self::NAME, revision, data)?;
                if k.has_path != 0 && k.has_classid != 0 {
                    return Err(Error::Malformed(
                        "cgroup: path and classid share their bytes in revision 2".into(),
                    ));
                }
                let classid = || u32::from_ne_bytes([k.path[0], k.path[1], k.path[2], k.path[3]]);
                (
                    field(k.has_path, k.invert_path, "path", || c_str(&k.path))?,
                    field(k.has_classid, k.invert_classid, "classid", classid)?,
                )
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Cgroup {
            path,
            classid,
            revision,
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let has = |o: bool| u8::from(o);
        let (has_path, invert_path) = (
            has(self.path.is_some()),
            has(self.path.as_ref().is_some_and(|p| p.invert)),
        );
        let (has_classid, invert_classid) = (
            has(self.classid.is_some()),
            has(self.classid.is_some_and(|c| c.invert)),
        );
        let path = self
            .path
            .as_ref()
            .map(|p| truncated(&p.value, self.path_size()).to_string())
            .unwrap_or_default();
        let classid = self.classid.map_or(0, |c| c.value);
        match self.revision {
            0 => {
                let mut k = xt_cgroup_info_v0::zeroed();
                k.id = classid;
                k.invert = invert_classid.into();
                out.extend_from_slice(k.as_bytes());
            }
            1 => {
                let mut k = xt_cgroup_info_v1::zeroed();
                (k.has_path, k.invert_path) = (has_path, invert_path);
                (k.has_classid, k.invert_classid) = (has_classid, invert_classid);
                let _ = put_c_str("cgroup path", &path, &mut k.path);
                k.classid = classid;
                out.extend_from_slice(k.as_bytes());
            }
            _ => {
                let mut k = xt_cgroup_info_v2::zeroed();
                (k.has_path, k.invert_path) = (has_path, invert_path);
                (k.has_classid, k.invert_classid) = (has_classid, invert_classid);
                // With both (which the kernel refuses) the classid wins the union.
                let _ = put_c_str("cgroup path", &path, &mut k.path);
                if self.classid.is_some() {
                    k.path[..4].copy_from_slice(&classid.to_ne_bytes());
                }
                out.extend_from_slice(k.as_bytes());
            }
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        match option {
            "cgroup" => {
                seen.take(Self::NAME, option, O_CLASSID, invert, true)?;
                let v = args.value("--cgroup")?;
                let id = uint_option(Self::NAME, option, v, 0, u64::from(u32::MAX))? as u32;
                self.classid = Some(Inv::new(id, invert));
            }
            "path" if self.revision >= 1 => {
                seen.take(Self::NAME, option, O_PATH, invert, true)?;
                let path = truncated(args.value("--path")?, self.path_size()).to_string();
                self.path = Some(Inv::new(path, invert));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        // Revision 0 needs a classid; later ones leave "neither" to the kernel.
        if self.revision == 0 {
            seen.require(Self::NAME, "cgroup", O_CLASSID)?;
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(p) = &self.path {
            out.push_str(p.bang());
            out.push_str(" --path");
            crate::syntax::save_string(out, &p.value);
        }
        if let Some(c) = self.classid {
            push_fmt!(out, "{} --cgroup {}", c.bang(), c.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Cgroup> {
        parse_as(Family::Ipv4, "cgroup", words)
    }

    /// `head` followed by zeros up to `len` bytes.
    fn padded(head: &str, len: usize) -> Vec<u8> {
        let mut v = hex(head);
        v.resize(len, 0);
        v
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `! --cgroup 7` and `! --path "/"`, revision 2 (528 bytes).
        for (words, head, text) in [
            (&["!", "--cgroup", "7"][..], "0001000107", " ! --cgroup 7"),
            (&["!", "--path", "/"][..], "010001002f", " ! --path \"/\""),
        ] {
            let bytes = padded(head, 528);
            let m = parse(words).unwrap();
            assert_eq!(encode_as(Family::Ipv4, &m), bytes);
            assert_eq!(Cgroup::decode(&ctx, 2, &bytes).unwrap(), m);
            assert_eq!(save_as(&m), text);
        }
        assert!(Cgroup::decode(&ctx, 2, &padded("0101000007", 528)).is_err());
    }

    #[test]
    fn older_revisions_read_and_write_unchanged() {
        let ctx = Ctx::new(Family::Ipv4);
        let v0 = hex("0500000001000000");
        let m = Cgroup::decode(&ctx, 0, &v0).unwrap();
        assert_eq!(save_as(&m), " ! --cgroup 5");
        assert_eq!(encode_as(Family::Ipv4, &m), v0);
        let mut v1 = padded("0101000061", 4112);
        v1[4100] = 9;
        let m = Cgroup::decode(&ctx, 1, &v1).unwrap();
        assert_eq!(save_as(&m), " --path a --cgroup 9");
        assert_eq!(encode_as(Family::Ipv4, &m), v1);
        assert!(Cgroup::decode(&ctx, 0, &hex("0500000002000000")).is_err());
    }

    #[test]
    fn text_like_iptables() {
        assert_eq!(save_as(&parse(&[]).unwrap()), "");
        assert_eq!(
            save_as(&parse(&["--cgroup", "1", "--path", "/"]).unwrap()),
            " --path \"/\" --cgroup 1"
        );
        let long = "x".repeat(600);
        let m = parse(&["--path", &long]).unwrap();
        assert_eq!(m.path.unwrap().value.len(), 511);
        assert!(parse(&["--cgroup", "4294967296"]).is_err());
        assert!(parse(&["--cgroup", "1", "--cgroup", "1"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m cgroup --cgroup 1", Some(" -m cgroup --cgroup 1")),
            (
                46,
                "-m cgroup ! --cgroup 1",
                Some(" -m cgroup ! --cgroup 1"),
            ),
            (46, "-m cgroup --path /", Some(" -m cgroup --path \"/\"")),
            (
                46,
                "-m cgroup ! --path /",
                Some(" -m cgroup ! --path \"/\""),
            ),
        ]);
    }
}
