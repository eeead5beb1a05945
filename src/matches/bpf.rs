//! `-m bpf`: a classic BPF program run on the packet (`xt_bpf.h`,
//! `struct xt_bpf_info` revision 0 and `struct xt_bpf_info_v1` revision 1).
//!
//! `--bytecode` is fully supported. `--object-pinned PATH` needs the `bpf(2)`
//! syscall to open the pinned eBPF object and hand its descriptor to the
//! kernel; iptkit does not do that, so the option is refused when parsing.
//! Rules that already hold a pinned object decode, save and encode as they are.

use iptkit_sys::ext::xt_bpf::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{c_strtoul, no_invert};

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BpfInsn {
    /// Opcode.
    pub code: u16,
    /// Jump offset when true.
    pub jt: u8,
    /// Jump offset when false.
    pub jf: u8,
    /// Generic field.
    pub k: u32,
}

/// What the match runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BpfProgram {
    /// `--bytecode "N,CODE JT JF K,..."`: at most 64 instructions.
    Bytecode(Vec<BpfInsn>),
    /// `--object-pinned PATH` (revision 1): an eBPF object pinned in the bpf
    /// file system, with the descriptor number the rule was committed with.
    Pinned {
        /// The pinned path.
        path: String,
        /// The file descriptor stored in the rule.
        fd: i32,
    },
}

/// `-m bpf`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bpf {
    /// The program.
    pub program: BpfProgram,
    /// Kernel struct revision: 1 (what iptables 1.8.9 writes) or 0.
    pub revision: u8,
}

// The option id of `--bytecode` for the parser's `Seen`.
const O_PROGRAM: u32 = 1;

impl Bpf {
    /// `--bytecode`: runs `program` (1 to 64 instructions, refused
    /// otherwise) on each packet, at revision 1; it matches where the
    /// program returns nonzero.
    ///
    /// ```
    /// use iptkit::{matches::bpf::{Bpf, BpfInsn}, Match};
    /// let ret = BpfInsn { code: 0x06, jt: 0, jf: 0, k: 1 }; // `ret #1`
    /// let bpf = Match::from(Bpf::bytecode([ret])?);
    /// assert_eq!(bpf.to_string(), r#"-m bpf --bytecode "1,6 0 0 1""#);
    /// assert!(Bpf::bytecode([]).is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn bytecode(program: impl IntoIterator<Item = BpfInsn>) -> Result<Bpf> {
        let program: Vec<BpfInsn> = program.into_iter().collect();
        if program.is_empty() || program.len() > XT_BPF_MAX_NUM_INSTR {
            return Err(Error::value(
                "--bytecode",
                program.len().to_string(),
                format!("bpf: a program has 1 to {XT_BPF_MAX_NUM_INSTR} instructions"),
            ));
        }
        Ok(Bpf {
            program: BpfProgram::Bytecode(program),
            revision: 1,
        })
    }
}

/// Reads an unsigned decimal the way `sscanf`'s `%u` family does (C
/// `strtoul` in base 10: blanks and a sign allowed, wrapping); returns it and
/// the rest.
fn scan_u(s: &str) -> Option<(u64, &str)> {
    let n = c_strtoul(s, 10);
    (n.end > 0).then(|| (n.value, &s[n.end..]))
}

/// `bpf_parse_string` of libxt_bpf.c: `LEN,` then LEN instructions of four
/// numbers each, after successive commas.
fn parse_bytecode(s: &str) -> Result<Vec<BpfInsn>> {
    let bad = |why: String| Error::value("--bytecode", s, format!("bpf: {why}"));
    let len = match scan_u(s) {
        Some((v, rest)) if rest.starts_with(',') => v as u16,
        _ => return Err(bad("error parsing program length".into())),
    };
    if len == 0 {
        return Err(bad("illegal zero length program".into()));
    }
    if usize::from(len) > XT_BPF_MAX_NUM_INSTR {
        return Err(bad("number of instructions exceeds maximum".into()));
    }
    let mut prog = Vec::new();
    let mut token = s;
    while let Some(i) = token.find(',') {
        token = &token[i + 1..];
        if token.is_empty() {
            break;
        }
        if prog.len() >= usize::from(len) {
            return Err(bad(
                "real program length exceeds the encoded length parameter".into(),
            ));
        }
        let insn = (|| {
            let (code, r) = scan_u(token)?;
            let (jt, r) = scan_u(r)?;
            let (jf, r) = scan_u(r)?;
            let (k, _) = scan_u(r)?;
            Some(BpfInsn {
                code: code as u16,
                jt: jt as u8,
                jf: jf as u8,
                k: k as u32,
            })
        })()
        .ok_or_else(|| bad(format!("error at instr {}", prog.len())))?;
        prog.push(insn);
    }
    if prog.len() != usize::from(len) {
        return Err(bad(
            "parsed program length is less than the encoded length parameter".into(),
        ));
    }
    Ok(prog)
}

fn insns_from_kernel(n: u16, prog: &[sock_filter; XT_BPF_MAX_NUM_INSTR]) -> Result<Vec<BpfInsn>> {
    let n = usize::from(n);
    if n > XT_BPF_MAX_NUM_INSTR || prog[n..].iter().any(|f| *f != sock_filter::default()) {
        return Err(Error::Malformed("bpf: program not representable".into()));
    }
    Ok(prog[..n]
        .iter()
        .map(|f| BpfInsn {
            code: f.code,
            jt: f.jt,
            jf: f.jf,
            k: f.k,
        })
        .collect())
}

fn insns_to_kernel(insns: &[BpfInsn], prog: &mut [sock_filter; XT_BPF_MAX_NUM_INSTR]) -> u16 {
    for (f, i) in prog.iter_mut().zip(insns) {
        *f = sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        };
    }
    insns.len().min(XT_BPF_MAX_NUM_INSTR) as u16
}

impl Extension for Bpf {
    const NAME: &'static str = "bpf";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        // `ret #1`: every packet matches.
        let ret = BpfInsn {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 1,
        };
        Bpf::bytecode([ret]).expect("one instruction")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No program until `--bytecode` gives one; `finish` insists on it.
        Bpf {
            program: BpfProgram::Bytecode(Vec::new()),
            revision: 1,
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let bad = || Error::Malformed("bpf: not representable".into());
        let program = match revision {
            0 => {
                let k: xt_bpf_info = read_struct(Self::NAME, revision, data)?;
                if k.__pad0 != [0; 2] || k.__pad1 != [0; 4] || k.filter != 0 {
                    return Err(bad());
                }
                BpfProgram::Bytecode(insns_from_kernel(k.bpf_program_num_elem, &k.bpf_program)?)
            }
            1 => {
                let k: xt_bpf_info_v1 = read_struct(Self::NAME, revision, data)?;
                if k.filter != 0 {
                    return Err(bad());
                }
                match k.mode {
                    XT_BPF_MODE_BYTECODE if k.fd == 0 => BpfProgram::Bytecode(insns_from_kernel(
                        k.bpf_program_num_elem,
                        &k.bpf_program,
                    )?),
                    XT_BPF_MODE_FD_PINNED if k.bpf_program_num_elem == 0 => {
                        let raw = &k.as_bytes()[8..8 + XT_BPF_PATH_MAX];
                        let path = c_str(raw);
                        if path.is_empty() || raw[path.len()..].iter().any(|&b| b != 0) {
                            return Err(bad());
                        }
                        BpfProgram::Pinned { path, fd: k.fd }
                    }
                    _ => return Err(bad()),
                }
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Bpf { program, revision })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    /// Revision 0 can only hold bytecode: a pinned object is written empty there.
    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = xt_bpf_info::zeroed();
            if let BpfProgram::Bytecode(p) = &self.program {
                k.bpf_program_num_elem = insns_to_kernel(p, &mut k.bpf_program);
            }
            out.extend_from_slice(k.as_bytes());
            return;
        }
        let mut k = xt_bpf_info_v1::zeroed();
        match &self.program {
            BpfProgram::Bytecode(p) => {
                k.mode = XT_BPF_MODE_BYTECODE;
                k.bpf_program_num_elem = insns_to_kernel(p, &mut k.bpf_program);
                out.extend_from_slice(k.as_bytes());
            }
            BpfProgram::Pinned { path, fd } => {
                k.mode = XT_BPF_MODE_FD_PINNED;
                k.fd = *fd;
                let mut bytes = k.as_bytes().to_vec();
                // The path shares the program's bytes (the C union); keep its NUL.
                let n = path.len().min(XT_BPF_PATH_MAX - 1);
                bytes[8..8 + n].copy_from_slice(&path.as_bytes()[..n]);
                out.extend_from_slice(&bytes);
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
            "bytecode" => {
                no_invert("bpf", "--bytecode", invert)?;
                if seen.has(O_PROGRAM) {
                    return Err(Error::rule(
                        "--bytecode",
                        "bpf: only one of --bytecode and --object-pinned, once",
                    ));
                }
                let p = parse_bytecode(args.value("--bytecode")?)?;
                self.program = BpfProgram::Bytecode(p);
                seen.mark(O_PROGRAM);
            }
            "object-pinned" => {
                no_invert("bpf", "--object-pinned", invert)?;
                let path = args.value("--object-pinned")?;
                return Err(Error::value(
                    "--object-pinned",
                    path,
                    "bpf: opening a pinned eBPF object needs the bpf(2) syscall, which iptkit does not make; use --bytecode",
                ));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_PROGRAM) {
            return Err(Error::rule(
                "bpf",
                "bpf: one of --bytecode or --pinned is required",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        match &self.program {
            BpfProgram::Bytecode(p) => {
                let insns: Vec<String> = p
                    .iter()
                    .map(|i| format!("{} {} {} {}", i.code, i.jt, i.jf, i.k))
                    .collect();
                push_fmt!(out, " --bytecode \"{},{}\"", p.len(), insns.join(","));
            }
            BpfProgram::Pinned { path, .. } => {
                push_fmt!(out, " --object-pinned {path}");
            }
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
        // `-m bpf --bytecode "1,6 0 0 4294967295"`, revision 1 as the kernel holds it.
        let b: Bpf = parse_opts(&ctx, &["--bytecode", "1,6 0 0 -1"]).unwrap();
        let mut k = vec![0u8; 528];
        k[2] = 1;
        k[8] = 6;
        k[12..16].copy_from_slice(&[0xff; 4]);
        bytes_both_ways(&ctx, &b, &k);
        // Revision 0 has the program at offset 4.
        let b0 = Bpf {
            revision: 0,
            ..b.clone()
        };
        let mut k0 = vec![0u8; 528];
        k0[0] = 1;
        k0[4] = 6;
        k0[8..12].copy_from_slice(&[0xff; 4]);
        bytes_both_ways(&ctx, &b0, &k0);
        // A pinned object, as a rule written by another tool would hold it.
        let pinned = Bpf {
            program: BpfProgram::Pinned {
                path: "/sys/fs/bpf/p".into(),
                fd: 3,
            },
            revision: 1,
        };
        let mut kp = vec![0u8; 528];
        kp[0] = 1;
        kp[4] = 3;
        kp[8..21].copy_from_slice(b"/sys/fs/bpf/p");
        bytes_both_ways(&ctx, &pinned, &kp);
        let mut s = String::new();
        pinned.save(&ctx, &mut s);
        assert_eq!(s, " --object-pinned /sys/fs/bpf/p");
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv6, s);
        for (i, o) in [
            (
                "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0",
                "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0",
            ),
            ("1,6 0 0 0,", "1,6 0 0 0"),
            ("1, 6 0 0 7", "1,6 0 0 7"),
            ("1,6 0 0 0x10", "1,6 0 0 0"),
            ("1,6 0 0 5 junk", "1,6 0 0 5"),
        ] {
            assert_eq!(
                r(&format!("-m bpf --bytecode \"{i}\"")).unwrap(),
                format!(" -m bpf --bytecode \"{o}\""),
                "{i}"
            );
        }
        for bad in [
            "-m bpf",
            "-m bpf ! --bytecode \"1,6 0 0 0\"",
            "-m bpf --bytecode \"2,6 0 0 0\"",
            "-m bpf --bytecode \"1,6 0 0 0,6 0 0 0\"",
            "-m bpf --bytecode 0",
            "-m bpf --bytecode \"0,\"",
            "-m bpf --bytecode \"1,6 0 0\"",
            "-m bpf --bytecode \"1;6 0 0 3\"",
            "-m bpf --bytecode \"1,6 0 0 3\" --bytecode \"1,6 0 0 3\"",
            "-m bpf --object-pinned /sys/fs/bpf/x",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
