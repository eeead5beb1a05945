//! `-j SET`: add the packet's addresses/ports to an ipset, delete them, or
//! copy an element's data to the packet (`xt_set.h`, target revisions 0 to 3).
//!
//! Sets are named in text and numbered in the kernel: like the `set` match,
//! each set is a [`SetRef`] that the backend resolves (see
//! [`crate::matches::set`]). A parsed rule has names without indexes; kernel
//! bytes give indexes without names.

use iptkit_sys::ext::xt_set::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension, EXAMPLE_NAME};
use crate::matches::set::{parse_name_dirs, Dir, SetRef};
use crate::xtopt::Seen;
use crate::xtopt::{same_bytes, uint};

/// One set of the target and the packet fields its elements are made of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetSpec {
    /// The set.
    pub set: SetRef,
    /// `src`/`dst` for each dimension of the element, 1 to 6 (5 at revision 0).
    pub dirs: Vec<Dir>,
}

impl SetSpec {
    /// The set named `set` with the packet fields `dirs`; refused as
    /// [`SetRef::new`] refuses the name, and without a direction or with
    /// more than 6.
    pub fn new(set: &str, dirs: &[Dir]) -> Result<SetSpec> {
        let set = SetRef::new(set)?;
        if dirs.is_empty() || dirs.len() > IPSET_DIM_MAX {
            return Err(Error::value(
                "--match-set",
                format!("{dirs:?}"),
                format!("1 to {IPSET_DIM_MAX} of src and dst"),
            ));
        }
        Ok(SetSpec {
            set,
            dirs: dirs.to_vec(),
        })
    }
}

/// `-j SET --add-set NAME DIRS [--exist] [--timeout N] --del-set NAME DIRS
/// --map-set NAME DIRS [--map-mark] [--map-prio] [--map-queue]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetTarget {
    /// The kernel struct revision: 3 (what iptables 1.8.9 writes), 2, 1, or
    /// 0 (IPv4). Older revisions cannot hold the options of newer ones;
    /// encoding leaves those out.
    pub revision: u8,
    /// `--add-set`.
    pub add: Option<SetSpec>,
    /// `--del-set`.
    pub del: Option<SetSpec>,
    /// `--map-set` (revision 3).
    pub map: Option<SetSpec>,
    /// `--exist`: refresh an element that is there already (revision 2+).
    pub exist: bool,
    /// `--timeout`: seconds until added elements expire; `None` for the
    /// set's default (revision 2+).
    pub timeout: Option<u32>,
    /// `--map-mark`: set the packet mark from the element (revision 3).
    pub map_mark: bool,
    /// `--map-prio`: set the priority from the element (revision 3).
    pub map_prio: bool,
    /// `--map-queue`: set the queue from the element (revision 3).
    pub map_queue: bool,
}

impl SetTarget {
    /// `--add-set`: adds the packet's element to `spec`'s set, at revision 3.
    ///
    /// ```
    /// use iptkit::targets::set::{SetSpec, SetTarget};
    /// use iptkit::{matches::set::Dir, Family, Rule};
    /// let add = SetTarget::add(SetSpec::new("seen", &[Dir::Src])?);
    /// let rule = Rule::new(Family::Ipv4).with_target(add);
    /// assert_eq!(rule.to_string(), "-j SET --add-set seen src");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn add(spec: SetSpec) -> SetTarget {
        SetTarget {
            add: Some(spec),
            ..SetTarget::empty()
        }
    }

    /// `--del-set`: deletes the packet's element from `spec`'s set, at
    /// revision 3.
    pub fn del(spec: SetSpec) -> SetTarget {
        SetTarget {
            del: Some(spec),
            ..SetTarget::empty()
        }
    }

    /// No set yet, at revision 3: what parsing starts from.
    fn empty() -> SetTarget {
        SetTarget {
            revision: 3,
            add: None,
            del: None,
            map: None,
            exist: false,
            timeout: None,
            map_mark: false,
            map_prio: false,
            map_queue: false,
        }
    }
}

/// `xt_set_info` of a spec (revisions 1+): an unresolved set is
/// `IPSET_INVALID_ID` with its dimensions, no spec is all "invalid".
fn info(spec: &Option<SetSpec>) -> xt_set_info {
    let mut k = xt_set_info {
        index: IPSET_INVALID_ID,
        ..xt_set_info::zeroed()
    };
    if let Some(s) = spec {
        k.index = s.set.index.unwrap_or(IPSET_INVALID_ID);
        k.dim = s.dirs.len().min(IPSET_DIM_MAX) as u8;
        for (i, d) in s.dirs.iter().take(IPSET_DIM_MAX).enumerate() {
            if *d == Dir::Src {
                k.flags |= 1 << (i + 1);
            }
        }
    }
    k
}

fn from_info(k: &xt_set_info) -> Option<SetSpec> {
    if k.index == IPSET_INVALID_ID && k.dim == 0 {
        return None;
    }
    let dirs = (1..=k.dim.min(IPSET_DIM_MAX as u8))
        .map(|i| {
            if k.flags & (1 << i) != 0 {
                Dir::Src
            } else {
                Dir::Dst
            }
        })
        .collect();
    Some(SetSpec {
        set: SetRef {
            name: String::new(),
            index: (k.index != IPSET_INVALID_ID).then_some(k.index),
        },
        dirs,
    })
}

/// `xt_set_info_v0` of a spec (revision 0): a word per dimension, five at
/// most; the last word is the kernel's (`u.compat`) and stays zero.
fn info_v0(spec: &Option<SetSpec>) -> xt_set_info_v0 {
    let mut k = xt_set_info_v0 {
        index: IPSET_INVALID_ID,
        ..xt_set_info_v0::zeroed()
    };
    if let Some(s) = spec {
        k.index = s.set.index.unwrap_or(IPSET_INVALID_ID);
        for (w, d) in k
            .flags
            .iter_mut()
            .zip(s.dirs.iter().take(IPSET_DIM_MAX - 1))
        {
            *w = if *d == Dir::Src { IPSET_SRC } else { IPSET_DST };
        }
    }
    k
}

fn from_info_v0(k: &xt_set_info_v0) -> Option<SetSpec> {
    let words = &k.flags[..IPSET_DIM_MAX - 1];
    let dim = words.iter().position(|&w| w == 0).unwrap_or(words.len());
    if k.index == IPSET_INVALID_ID && dim == 0 {
        return None;
    }
    let dirs = words[..dim]
        .iter()
        .map(|&w| {
            if w & IPSET_SRC != 0 {
                Dir::Src
            } else {
                Dir::Dst
            }
        })
        .collect();
    Some(SetSpec {
        set: SetRef {
            name: String::new(),
            index: (k.index != IPSET_INVALID_ID).then_some(k.index),
        },
        dirs,
    })
}

/// `NAME DIRS` of `--add-set`/`--del-set`/`--map-set`, as libxt_SET reads
/// them (`parse_target`, then the set match's [`parse_name_dirs`]).
fn parse_spec(slot: &mut Option<SetSpec>, option: &str, args: &mut Args) -> Result<()> {
    if slot.is_some() {
        return Err(Error::rule(
            "SET",
            format!("{option} can be specified only once"),
        ));
    }
    let (name, dirs) = parse_name_dirs(option, args)?;
    *slot = Some(SetSpec {
        set: SetRef { name, index: None },
        dirs,
    });
    Ok(())
}

/// ` --add-set NAME src,dst` (an unresolved set prints its index).
fn save_spec(out: &mut String, option: &str, spec: &Option<SetSpec>) {
    let Some(s) = spec else { return };
    push_fmt!(out, " --{option} ");
    match s.set.index {
        Some(i) if s.set.name.is_empty() => out.push_str(&i.to_string()),
        _ => out.push_str(&s.set.name),
    }
    for (i, d) in s.dirs.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { "," });
        out.push_str(match d {
            Dir::Src => "src",
            Dir::Dst => "dst",
        });
    }
}

impl SetTarget {
    fn flags(&self) -> u32 {
        let mut f = 0;
        for (on, bit) in [
            (self.exist, IPSET_FLAG_EXIST),
            (self.map_mark, IPSET_FLAG_MAP_SKBMARK),
            (self.map_prio, IPSET_FLAG_MAP_SKBPRIO),
            (self.map_queue, IPSET_FLAG_MAP_SKBQUEUE),
        ] {
            if on {
                f |= bit;
            }
        }
        f
    }

    fn read_flags(&mut self, flags: u32, timeout: u32) {
        self.exist = flags & IPSET_FLAG_EXIST != 0;
        self.map_mark = flags & IPSET_FLAG_MAP_SKBMARK != 0;
        self.map_prio = flags & IPSET_FLAG_MAP_SKBPRIO != 0;
        self.map_queue = flags & IPSET_FLAG_MAP_SKBQUEUE != 0;
        self.timeout = (timeout != u32::MAX).then_some(timeout);
    }
}

impl Extension for SetTarget {
    const NAME: &'static str = "SET";
    const REVISIONS: &'static [u8] = &[0, 1, 2, 3];

    fn example(_family: crate::addr::Family) -> Self {
        SetTarget::add(SetSpec::new(EXAMPLE_NAME, &[Dir::Src]).expect("a valid set name"))
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        SetTarget::empty()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let mut t = SetTarget {
            revision,
            ..SetTarget::empty()
        };
        match revision {
            0 => {
                let k: xt_set_info_target_v0 = read_struct(Self::NAME, revision, data)?;
                t.add = from_info_v0(&k.add_set);
                t.del = from_info_v0(&k.del_set);
                // Each set's last word is the kernel's: compare the rest.
                let size = std::mem::size_of::<xt_set_info_v0>();
                let mut again = Vec::new();
                t.encode(ctx, &mut again);
                for at in [0, size] {
                    same_bytes(Self::NAME, &again[at..], &data[at..], size - 4)?;
                }
                return Ok(t);
            }
            1 => {
                let k: xt_set_info_target_v1 = read_struct(Self::NAME, revision, data)?;
                t.add = from_info(&k.add_set);
                t.del = from_info(&k.del_set);
            }
            2 => {
                let k: xt_set_info_target_v2 = read_struct(Self::NAME, revision, data)?;
                t.add = from_info(&k.add_set);
                t.del = from_info(&k.del_set);
                t.read_flags(k.flags, k.timeout);
            }
            3 => {
                let k: xt_set_info_target_v3 = read_struct(Self::NAME, revision, data)?;
                t.add = from_info(&k.add_set);
                t.del = from_info(&k.del_set);
                t.map = from_info(&k.map_set);
                t.read_flags(k.flags, k.timeout);
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        }
        // Flags the type has no field for, and such, stay raw.
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(Self::NAME, &again, data, again.len())?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let timeout = self.timeout.unwrap_or(u32::MAX);
        match self.revision {
            0 => {
                let k = xt_set_info_target_v0 {
                    add_set: info_v0(&self.add),
                    del_set: info_v0(&self.del),
                };
                out.extend_from_slice(k.as_bytes());
            }
            1 => {
                let k = xt_set_info_target_v1 {
                    add_set: info(&self.add),
                    del_set: info(&self.del),
                };
                out.extend_from_slice(k.as_bytes());
            }
            2 => {
                let k = xt_set_info_target_v2 {
                    add_set: info(&self.add),
                    del_set: info(&self.del),
                    flags: self.flags() & IPSET_FLAG_EXIST,
                    timeout,
                };
                out.extend_from_slice(k.as_bytes());
            }
            _ => {
                let k = xt_set_info_target_v3 {
                    add_set: info(&self.add),
                    del_set: info(&self.del),
                    map_set: info(&self.map),
                    flags: self.flags(),
                    timeout,
                };
                out.extend_from_slice(k.as_bytes());
            }
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        _invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        // libxt_SET parses the old way and ignores a `!` before its options.
        match option {
            "add-set" => parse_spec(&mut self.add, "--add-set", args)?,
            "del-set" => parse_spec(&mut self.del, "--del-set", args)?,
            "map-set" => parse_spec(&mut self.map, "--map-set", args)?,
            "exist" => self.exist = true,
            "timeout" => {
                let v = args.value("--timeout")?;
                let max = u64::from(u32::MAX - 1);
                self.timeout = Some(uint(v, 0, max).ok_or_else(|| {
                    Error::value(
                        "SET --timeout",
                        v,
                        format!("invalid value or out of range 0-{max}"),
                    )
                })? as u32);
            }
            "map-mark" => self.map_mark = true,
            "map-prio" => self.map_prio = true,
            "map-queue" => self.map_queue = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        let refuse = |what: &str| Err(Error::rule(Self::NAME, what.to_string()));
        if self.add.is_none() && self.del.is_none() && self.map.is_none() {
            return refuse("you must specify either `--add-set' or `--del-set' or `--map-set'");
        }
        if self.add.is_none() && self.exist {
            return refuse("flag `--exist' can be used with `--add-set' only");
        }
        if self.add.is_none() && self.timeout.is_some() {
            return refuse("option `--timeout' can be used with `--add-set' only");
        }
        let map_flags = self.map_mark || self.map_prio || self.map_queue;
        if self.map.is_none() && map_flags {
            return refuse("flags `--map-mark', `--map-prio' and `--map-queue' can be used with `--map-set' only");
        }
        if self.map.is_some() && !map_flags {
            return refuse("you must specify flags `--map-mark' or `--map-prio' or `--map-queue'");
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        save_spec(out, "add-set", &self.add);
        if self.revision >= 2 {
            if self.exist {
                out.push_str(" --exist");
            }
            if let Some(t) = self.timeout {
                push_fmt!(out, " --timeout {t}");
            }
        }
        save_spec(out, "del-set", &self.del);
        if self.revision >= 3 {
            save_spec(out, "map-set", &self.map);
            for (on, name) in [
                (self.map_mark, " --map-mark"),
                (self.map_prio, " --map-prio"),
                (self.map_queue, " --map-queue"),
            ] {
                if on {
                    out.push_str(name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each, hex};

    fn spec(name: &str, index: u16, dirs: &[Dir]) -> Option<SetSpec> {
        Some(SetSpec {
            set: SetRef {
                name: name.into(),
                index: Some(index),
            },
            dirs: dirs.to_vec(),
        })
    }

    /// The value read back from the kernel: indexes, no names.
    fn unnamed(mut t: SetTarget) -> SetTarget {
        for s in [&mut t.add, &mut t.del, &mut t.map].into_iter().flatten() {
            s.set.name.clear();
        }
        t
    }

    #[test]
    fn kernel_bytes_revision_3() {
        use Dir::{Dst, Src};
        // With `ipset create foo hash:ip` (index 0), `bar hash:ip,port` (1)
        // and `m hash:ip skbinfo` (0 in its own namespace), as the kernel holds:
        // `-j SET --add-set foo src`,
        let t = SetTarget {
            add: spec("foo", 0, &[Src]),
            ..SetTarget::empty()
        };
        both_ways(
            Ipv4,
            &unnamed(t),
            &hex("00000102ffff0000ffff000000000000ffffffff00000000"),
        );
        // `--add-set bar src,dst --exist --timeout 5 --del-set foo dst`,
        let t = SetTarget {
            add: spec("bar", 1, &[Src, Dst]),
            del: spec("foo", 0, &[Dst]),
            exist: true,
            timeout: Some(5),
            ..SetTarget::empty()
        };
        both_ways(
            Ipv6,
            &unnamed(t),
            &hex("0100020200000100ffff0000010000000500000000000000"),
        );
        // `--del-set m src --map-set m src,dst --map-mark --map-prio --map-queue`.
        let t = SetTarget {
            del: spec("m", 0, &[Src]),
            map: spec("m", 0, &[Src, Dst]),
            map_mark: true,
            map_prio: true,
            map_queue: true,
            ..SetTarget::empty()
        };
        both_ways(
            Ipv4,
            &unnamed(t.clone()),
            &hex("ffff0000000001020000020200070000ffffffff00000000"),
        );
        let mut s = String::new();
        t.save(&Ctx::new(Ipv4), &mut s);
        assert_eq!(
            s,
            " --del-set m src --map-set m src,dst --map-mark --map-prio --map-queue"
        );
    }

    #[test]
    fn older_revisions_by_the_header() {
        use Dir::{Dst, Src};
        let t = SetTarget {
            add: spec("", 3, &[Src, Dst, Src]),
            del: spec("", 1, &[Dst]),
            exist: true,
            timeout: Some(7),
            ..SetTarget::empty()
        };
        // Revision 2: two sets, flags, timeout.
        let t2 = SetTarget {
            revision: 2,
            ..t.clone()
        };
        both_ways(Ipv4, &t2, &hex("0300030a010001000100000007000000"));
        // Revision 1: two sets.
        let t1 = SetTarget {
            revision: 1,
            exist: false,
            timeout: None,
            ..t.clone()
        };
        both_ways(Ipv4, &t1, &hex("0300030a01000100"));
        // Revision 0: a word per dimension; the kernel's last word is ignored.
        let t0 = SetTarget {
            revision: 0,
            exist: false,
            timeout: None,
            ..t
        };
        let mut b = hex(concat!(
            "0300000001000000020000000100000000000000000000000000000000000000",
            "0100000002000000000000000000000000000000000000000000000000000000"
        ));
        both_ways(Ipv4, &t0, &b);
        b[28..32].copy_from_slice(&[0, 0, 3, 5]);
        assert_eq!(SetTarget::decode(&Ctx::new(Ipv4), 0, &b).unwrap(), t0);
    }

    #[test]
    fn parsed_sets_are_unresolved() {
        let ctx = Ctx::new(Ipv4);
        let words: Vec<String> = ["foo", "src,dst"].iter().map(|s| s.to_string()).collect();
        let mut t = SetTarget::empty();
        let mut seen = crate::xtopt::Seen::default();
        t.parse_option(&ctx, "add-set", false, &mut Args::new(&words), &mut seen)
            .unwrap();
        t.finish(&ctx, seen).unwrap();
        let mut b = Vec::new();
        t.encode(&ctx, &mut b);
        assert_eq!(b, hex("ffff0202ffff0000ffff000000000000ffffffff"));
        let back = SetTarget::decode(&ctx, 3, &b).unwrap();
        assert_eq!(back.add.as_ref().unwrap().set.index, None);
        assert_eq!(back.add.as_ref().unwrap().dirs, t.add.unwrap().dirs);
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            // iptables looks the set up while parsing (`Set foo doesn't
            // exist`); iptkit resolves names at commit.
            (
                Ipv4,
                "-j SET --add-set foo src,dst",
                Some("-j SET --add-set foo src,dst"),
            ),
            (
                Ipv6,
                "-j SET --add-set bar src,dst --exist --timeout 5 --del-set foo dst",
                Some("-j SET --add-set bar src,dst --exist --timeout 5 --del-set foo dst"),
            ),
            (
                Ipv4,
                "-j SET ! --add-set foo src",
                Some("-j SET --add-set foo src"),
            ),
            (
                Ipv4,
                "-j SET --map-set m src,dst --map-mark --map-prio --map-queue --del-set m src",
                Some(
                    "-j SET --del-set m src --map-set m src,dst --map-mark --map-prio --map-queue",
                ),
            ),
            (
                Ipv4,
                "-j SET --add-set foo srcfoo",
                Some("-j SET --add-set foo src"),
            ),
            (Ipv4, "-j SET", None),
            (Ipv4, "-j SET --add-set foo", None),
            (Ipv4, "-j SET --add-set foo src --add-set foo dst", None),
            (Ipv4, "-j SET --del-set foo src --exist", None),
            (Ipv4, "-j SET --del-set foo src --timeout 1", None),
            (Ipv4, "-j SET --map-set m src", None),
            (Ipv4, "-j SET --add-set foo src --map-mark", None),
            (
                Ipv4,
                "-j SET --add-set foo src,dst,src,dst,src,dst,src",
                None,
            ),
            (Ipv4, "-j SET --add-set foo sr", None),
            (Ipv6, "-j SET --add-set foo src --timeout 4294967295", None),
            (
                Ipv4,
                "-j SET --add-set 0123456789012345678901234567890123 src",
                None,
            ),
        ]);
    }
}
