//! `-m sctp`: ports and chunk types (with chunk flags) of an SCTP packet
//! (`xt_sctp.h`, `struct xt_sctp_info`).

use std::collections::BTreeSet;

use iptkit_sys::ext::xt_sctp::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// libxt_sctp.c's chunk table in its order: name, chunk type, and the flag
/// letters of bits 7..0 (`-` for none).
const CHUNKS: [(&str, u8, &str); 22] = [
    ("DATA", 0, "----IUBE"),
    ("INIT", 1, "--------"),
    ("INIT_ACK", 2, "--------"),
    ("SACK", 3, "--------"),
    ("HEARTBEAT", 4, "--------"),
    ("HEARTBEAT_ACK", 5, "--------"),
    ("ABORT", 6, "-------T"),
    ("SHUTDOWN", 7, "--------"),
    ("SHUTDOWN_ACK", 8, "--------"),
    ("ERROR", 9, "--------"),
    ("COOKIE_ECHO", 10, "--------"),
    ("COOKIE_ACK", 11, "--------"),
    ("ECN_ECNE", 12, "--------"),
    ("ECN_CWR", 13, "--------"),
    ("SHUTDOWN_COMPLETE", 14, "-------T"),
    ("I_DATA", 64, "----IUBE"),
    ("RE_CONFIG", 130, "--------"),
    ("PAD", 132, "--------"),
    ("ASCONF", 193, "--------"),
    ("ASCONF_ACK", 128, "--------"),
    ("FORWARD_TSN", 192, "--------"),
    ("I_FORWARD_TSN", 194, "--------"),
];

/// How the listed chunk types must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChunkMatch {
    /// `any`: at least one of them.
    Any,
    /// `all`: every one of them.
    All,
    /// `only`: no other types.
    Only,
}

/// The chunk types of `--chunk-types`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChunkSet {
    /// `ALL`: every bit of the kernel's map set.
    All,
    /// These chunk types (none for `NONE`).
    Types(BTreeSet<u8>),
}

/// Flags one chunk type must carry: of the bits in `mask`, those in `flags`
/// set and the others clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChunkFlags {
    /// The chunk type the kernel tests. iptables 1.8.9 stores the position
    /// of the name in its table here, which is the type for all chunks with
    /// flags except `I_DATA` (stored as 15); text parsing does the same so
    /// that the bytes are iptables' own.
    pub chunk: u8,
    /// Flag values.
    pub flags: u8,
    /// Flags examined.
    pub mask: u8,
}

/// `--chunk-types HOW CHUNKS`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SctpChunks {
    /// `any`, `all` or `only`.
    pub how: ChunkMatch,
    /// The chunk types.
    pub chunks: ChunkSet,
    /// Flag tests, in the order given, at most 4.
    pub flags: Vec<ChunkFlags>,
}

/// `-m sctp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sctp {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
    /// `--chunk-types`.
    pub chunks: Option<Inv<SctpChunks>>,
}

/// A chunk type's name, or `""` for types iptables has no name for (it
/// prints nothing for them).
fn chunk_name(t: u8) -> &'static str {
    CHUNKS.iter().find(|c| c.1 == t).map_or("", |c| c.0)
}

fn parse_how(s: &str) -> Result<ChunkMatch> {
    match s.to_ascii_uppercase().as_str() {
        "ANY" => Ok(ChunkMatch::Any),
        "ALL" => Ok(ChunkMatch::All),
        "ONLY" => Ok(ChunkMatch::Only),
        _ => Err(Error::value(
            "--chunk-types",
            s,
            "Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"",
        )),
    }
}

/// Records flag bit `bit` for `chunk`, merging with an earlier test of the
/// same chunk (`save_chunk_flag_info`).
fn add_flag(flags: &mut Vec<ChunkFlags>, chunk: u8, bit: u8, set: bool) -> Result<()> {
    let i = match flags.iter().position(|f| f.chunk == chunk) {
        Some(i) => i,
        None => {
            if flags.len() == XT_NUM_SCTP_FLAGS {
                return Err(Error::rule(
                    "--chunk-types",
                    "Number of chunk types with flags exceeds currently allowed limit",
                ));
            }
            flags.push(ChunkFlags {
                chunk,
                flags: 0,
                mask: 0,
            });
            flags.len() - 1
        }
    };
    flags[i].mask |= 1 << bit;
    if set {
        flags[i].flags |= 1 << bit;
    }
    Ok(())
}

/// `parse_sctp_chunk`: `ALL`, `NONE`, or `NAME[:FLAGS],...`.
fn parse_chunks(s: &str) -> Result<(ChunkSet, Vec<ChunkFlags>)> {
    if s.eq_ignore_ascii_case("ALL") {
        return Ok((ChunkSet::All, Vec::new()));
    }
    let mut types = BTreeSet::new();
    let mut flags = Vec::new();
    if s.eq_ignore_ascii_case("NONE") {
        return Ok((ChunkSet::Types(types), flags));
    }
    for tok in s.split(',').filter(|t| !t.is_empty()) {
        let (name, fl) = match tok.split_once(':') {
            Some((n, f)) => (n, Some(f)),
            None => (tok, None),
        };
        let index = CHUNKS
            .iter()
            .position(|c| c.0.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::value("--chunk-types", s, format!("Unknown sctp chunk `{name}'"))
            })?;
        let (_, ty, letters) = CHUNKS[index];
        types.insert(ty);
        for c in fl.unwrap_or("").chars() {
            // strchr on the letters: `-` finds the first `-`, as in iptables.
            let pos = letters.find(c.to_ascii_uppercase()).ok_or_else(|| {
                Error::value(
                    "--chunk-types",
                    s,
                    format!("Invalid flags for chunk type {index}"),
                )
            })?;
            add_flag(
                &mut flags,
                index as u8,
                7 - pos as u8,
                c.is_ascii_uppercase(),
            )?;
        }
    }
    Ok((ChunkSet::Types(types), flags))
}

/// The flag letters of bits 7..0 for printing chunk `t` (iptables indexes its
/// table by the type here).
fn flag_letters(t: u8) -> &'static str {
    CHUNKS.get(usize::from(t)).map_or("????????", |c| c.2)
}

fn print_chunks(out: &mut String, c: &SctpChunks) {
    out.push_str(match c.how {
        ChunkMatch::Any => " any",
        ChunkMatch::All => " all",
        ChunkMatch::Only => " only",
    });
    let types = match &c.chunks {
        ChunkSet::All => return out.push_str(" ALL"),
        ChunkSet::Types(t) if t.is_empty() => return out.push_str(" NONE"),
        ChunkSet::Types(t) => t,
    };
    for (n, &t) in types.iter().enumerate() {
        out.push(if n == 0 { ' ' } else { ',' });
        out.push_str(chunk_name(t));
        for f in c.flags.iter().filter(|f| f.chunk == t) {
            if f.mask != 0 {
                out.push(':');
            }
            let letters = flag_letters(t).as_bytes();
            for bit in (0..8).rev() {
                if f.mask & (1 << bit) != 0 {
                    let l = letters[7 - bit] as char;
                    out.push(if f.flags & (1 << bit) != 0 {
                        l
                    } else {
                        l.to_ascii_lowercase()
                    });
                }
            }
        }
    }
}

/// What iptables leaves in an unused flag slot (`sctp_init`).
const UNUSED_FLAG: xt_sctp_flag_info = xt_sctp_flag_info {
    chunktype: 0xff,
    flag: 0,
    flag_mask: 0,
};

fn chunks_from_kernel(k: &xt_sctp_info) -> Result<SctpChunks> {
    let bad = || Error::Malformed("sctp: chunk test not representable".into());
    let how = match k.chunk_match_type {
        SCTP_CHUNK_MATCH_ANY => ChunkMatch::Any,
        SCTP_CHUNK_MATCH_ALL => ChunkMatch::All,
        SCTP_CHUNK_MATCH_ONLY => ChunkMatch::Only,
        _ => return Err(bad()),
    };
    let chunks = if k.chunkmap.iter().all(|&w| w == u32::MAX) {
        ChunkSet::All
    } else if k.chunkmap[8..].iter().any(|&w| w != 0) {
        return Err(bad());
    } else {
        ChunkSet::Types(
            (0..=255u8)
                .filter(|&t| k.chunkmap[usize::from(t / 32)] & (1 << (t % 32)) != 0)
                .collect(),
        )
    };
    let n = usize::try_from(k.flag_count).map_err(|_| bad())?;
    if n > XT_NUM_SCTP_FLAGS || k.flag_info[n..].iter().any(|f| *f != UNUSED_FLAG) {
        return Err(bad());
    }
    let flags = k.flag_info[..n]
        .iter()
        .map(|f| ChunkFlags {
            chunk: f.chunktype,
            flags: f.flag,
            mask: f.flag_mask,
        })
        .collect();
    Ok(SctpChunks { how, chunks, flags })
}

impl Extension for Sctp {
    const NAME: &'static str = "sctp";

    fn example(_family: crate::addr::Family) -> Self {
        Sctp::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Sctp::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_sctp_info = read_struct(Self::NAME, revision, data)?;
        let (f, i) = (k.flags, k.invflags);
        let ports = |bit: u32, p: [u16; 2]| -> Result<Option<Inv<PortRange>>> {
            if f & bit != 0 {
                Ok(Some(Inv::new(PortRange::range(p[0], p[1]), i & bit != 0)))
            } else if p != [0, 0] {
                Err(Error::Malformed("sctp: ports without their flag".into()))
            } else {
                Ok(None)
            }
        };
        if f & !XT_SCTP_VALID_FLAGS != 0 || i & !f != 0 {
            return Err(Error::Malformed(format!("sctp: flags {f:#x}/{i:#x}")));
        }
        let chunks = if f & XT_SCTP_CHUNK_TYPES != 0 {
            Some(Inv::new(
                chunks_from_kernel(&k)?,
                i & XT_SCTP_CHUNK_TYPES != 0,
            ))
        } else {
            let mut empty = xt_sctp_info::zeroed();
            empty.flag_info = [UNUSED_FLAG; XT_NUM_SCTP_FLAGS];
            if k.chunkmap != empty.chunkmap
                || k.chunk_match_type != 0
                || k.flag_count != 0
                || k.flag_info != empty.flag_info
            {
                return Err(Error::Malformed("sctp: chunk data without its flag".into()));
            }
            None
        };
        Ok(Sctp {
            sport: ports(XT_SCTP_SRC_PORTS, k.spts)?,
            dport: ports(XT_SCTP_DEST_PORTS, k.dpts)?,
            chunks,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_sctp_info::zeroed();
        k.flag_info = [UNUSED_FLAG; XT_NUM_SCTP_FLAGS];
        for (bit, r, slot) in [
            (XT_SCTP_SRC_PORTS, &self.sport, &mut k.spts),
            (XT_SCTP_DEST_PORTS, &self.dport, &mut k.dpts),
        ] {
            if let Some(r) = r {
                *slot = [r.value.min, r.value.max];
                k.flags |= bit;
                if r.invert {
                    k.invflags |= bit;
                }
            }
        }
        if let Some(c) = &self.chunks {
            k.flags |= XT_SCTP_CHUNK_TYPES;
            if c.invert {
                k.invflags |= XT_SCTP_CHUNK_TYPES;
            }
            k.chunk_match_type = match c.value.how {
                ChunkMatch::Any => SCTP_CHUNK_MATCH_ANY,
                ChunkMatch::All => SCTP_CHUNK_MATCH_ALL,
                ChunkMatch::Only => SCTP_CHUNK_MATCH_ONLY,
            };
            match &c.value.chunks {
                ChunkSet::All => k.chunkmap = [u32::MAX; 64],
                ChunkSet::Types(t) => {
                    for &t in t {
                        k.chunkmap[usize::from(t / 32)] |= 1 << (t % 32);
                    }
                }
            }
            // At most 4 flag tests fit; parsing never makes more.
            for (slot, f) in k.flag_info.iter_mut().zip(&c.value.flags) {
                *slot = xt_sctp_flag_info {
                    chunktype: f.chunk,
                    flag: f.flags,
                    flag_mask: f.mask,
                };
            }
            k.flag_count = c.value.flags.len().min(XT_NUM_SCTP_FLAGS) as i32;
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
        match option {
            "sport" | "source-port" => {
                let r = PortRange::parse("--sport", args.value("--sport")?, "sctp")?;
                set_once(&mut self.sport, "--source-port", Inv::new(r, invert))?;
            }
            "dport" | "destination-port" => {
                let r = PortRange::parse("--dport", args.value("--dport")?, "sctp")?;
                set_once(&mut self.dport, "--destination-port", Inv::new(r, invert))?;
            }
            "chunk-types" => {
                if self.chunks.is_some() {
                    return Err(Error::rule(
                        "--chunk-types",
                        "Only one `--chunk-types' allowed",
                    ));
                }
                let how = args.value("--chunk-types")?;
                let list = match args.peek() {
                    Some(w) if !w.starts_with('-') && !w.starts_with('!') => w,
                    _ => {
                        return Err(Error::rule(
                            "--chunk-types",
                            "--chunk-types requires two args",
                        ))
                    }
                };
                let how = parse_how(how)?;
                let (chunks, flags) = parse_chunks(list)?;
                args.next();
                self.chunks = Some(Inv::new(SctpChunks { how, chunks, flags }, invert));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Ports print even when they are every port, as iptables prints
    /// whatever was given.
    fn save(&self, _ctx: &Ctx, out: &mut String) {
        for (name, r) in [("sport", &self.sport), ("dport", &self.dport)] {
            if let Some(r) = r {
                push_fmt!(out, "{} --{name} {}", r.bang(), r.value);
            }
        }
        if let Some(c) = &self.chunks {
            push_fmt!(out, "{} --chunk-types", c.bang());
            print_chunks(out, &c.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    /// `-p sctp -m sctp --chunk-types any DATA:Ie,I_DATA:B` as the kernel holds it.
    fn kernel_any_data_idata() -> Vec<u8> {
        let mut b = vec![0u8; 292];
        b[8] = 0x01; // DATA (type 0)
        b[8 + 8] = 0x01; // I_DATA (type 64): word 2, bit 0
        b[264] = 1; // any
        b[268..280].copy_from_slice(&[0, 0x08, 0x09, 15, 0x02, 0x02, 0xff, 0, 0, 0xff, 0, 0]);
        b[280] = 2; // flag_count
        b[284] = 4; // XT_SCTP_CHUNK_TYPES
        b
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let s: Sctp = parse_opts(&ctx, &["--chunk-types", "any", "DATA:Ie,I_DATA:B"]).unwrap();
        bytes_both_ways(&ctx, &s, &kernel_any_data_idata());
        let s: Sctp =
            parse_opts(&ctx, &["!", "--sport", "5", "--chunk-types", "all", "ALL"]).unwrap();
        let mut b = vec![0u8; 292];
        b[4..8].copy_from_slice(&[5, 0, 5, 0]);
        b[8..264].fill(0xff);
        b[264] = 2;
        b[268..280].copy_from_slice(&[0xff, 0, 0, 0xff, 0, 0, 0xff, 0, 0, 0xff, 0, 0]);
        b[284] = 5;
        b[288] = 1;
        bytes_both_ways(&ctx, &s, &b);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        for (i, o) in [
            ("--sport :", "--sport 0:65535"),
            ("! --sport 5 ! --dport 6", "! --sport 5 ! --dport 6"),
            (
                "--chunk-types only DATA:Be,ABORT:T",
                "--chunk-types only DATA:Be,ABORT:T",
            ),
            ("! --chunk-types all data:ie", "! --chunk-types all DATA:ie"),
            ("--chunk-types all NONE", "--chunk-types all NONE"),
            ("--chunk-types all \"\"", "--chunk-types all NONE"),
            ("--chunk-types ANY ,DATA", "--chunk-types any DATA"),
            (
                "--chunk-types all DATA:IbeU,SHUTDOWN_COMPLETE:t",
                "--chunk-types all DATA:IUbe,SHUTDOWN_COMPLETE:t",
            ),
            (
                "--chunk-types any DATA:I,DATA:e",
                "--chunk-types any DATA:Ie",
            ),
            (
                "--chunk-types any DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:b,INIT",
                "--chunk-types any DATA:I,INIT,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA",
            ),
            (
                "--chunk-types all I_FORWARD_TSN",
                "--chunk-types all I_FORWARD_TSN",
            ),
        ] {
            assert_eq!(
                r(&format!("-p sctp {i}")).unwrap(),
                format!(" -p sctp -m sctp {o}"),
                "{i}"
            );
        }
        for bad in [
            "--sport 4:3",
            "--dport ssh",
            "--sport 1:2:3",
            "--sport 65536",
            "--chunk-types foo DATA",
            "--chunk-types all DATA:x",
            "--chunk-types all INIT:b",
            "--chunk-types all ALL,DATA",
            "--chunk-types all",
            "--chunk-types all -j ACCEPT",
            "--chunk-types all DATA:i,INIT:b",
            "--chunk-types any DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:b,DATA_:e",
            "--chunk-types all DATA --chunk-types all DATA",
        ] {
            assert!(r(&format!("-p sctp {bad}")).is_err(), "{bad}");
        }
    }
}
