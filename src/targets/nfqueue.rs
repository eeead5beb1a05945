//! `-j NFQUEUE`: hand the packet to a user-space program through
//! nfnetlink_queue (`xt_NFQUEUE.h`, `struct xt_NFQ_info` revisions 0 to 3;
//! both families).

use iptkit_sys::ext::xt_nfqueue::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{strtoul, uint_option, Seen};

/// `-j NFQUEUE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nfqueue {
    /// `--queue-num`, or the first queue of `--queue-balance`.
    pub queue: u16,
    /// How many queues, from `queue` on, flows are spread over (revision 1
    /// on; 1 is just `queue`). iptables stores `last - first + 1` in 16
    /// bits, so `0:65535` becomes 0, which the kernel refuses.
    pub total: u16,
    /// `--queue-bypass`: accept packets when no program listens (revision 2 on).
    pub bypass: bool,
    /// `--queue-cpu-fanout`: pick the queue by CPU (revision 3).
    pub cpu_fanout: bool,
    /// The kernel struct's revision, 0 to 3 (iptables writes 3).
    pub revision: u8,
}

impl Default for Nfqueue {
    /// Queue 0, at revision 3.
    fn default() -> Nfqueue {
        Nfqueue {
            queue: 0,
            total: 1,
            bypass: false,
            cpu_fanout: false,
            revision: 3,
        }
    }
}

const O_NUM: u32 = 1;
const O_BALANCE: u32 = 2;
const O_BYPASS: u32 = 4;
const O_CPU_FANOUT: u32 = 8;

/// Parses `--queue-balance FIRST:LAST` as `xtopt_parse_mint` does for a
/// 16-bit range (an empty side is 0 or 65535), then checks FIRST < LAST.
fn parse_balance(s: &str) -> Result<(u16, u16)> {
    let bad = |why: &str| Error::value("--queue-balance", s, why);
    let mut vals = Vec::new();
    let mut rest = s;
    loop {
        if vals.len() == 2 {
            return Err(bad("too many components (max: 2)"));
        }
        let (v, after) = if rest.is_empty() || rest.starts_with(':') {
            (if vals.len() == 1 { 65535 } else { 0 }, rest)
        } else {
            let (v, after) = strtoul(rest)
                .filter(|&(v, _)| v <= 65535)
                .ok_or_else(|| bad("bad value, or out of range (0-65535)"))?;
            if !after.is_empty() && !after.starts_with(':') {
                return Err(bad("unexpected characters"));
            }
            (v as u16, after)
        };
        vals.push(v);
        match after.strip_prefix(':') {
            Some(next) => rest = next,
            None => break,
        }
    }
    let [first, last] = vals[..] else {
        return Err(bad("bad range"));
    };
    if first >= last {
        return Err(bad("the first queue must be less than the last"));
    }
    Ok((first, last))
}

impl Extension for Nfqueue {
    const NAME: &'static str = "NFQUEUE";
    const REVISIONS: &'static [u8] = &[0, 1, 2, 3];

    fn example(_family: crate::addr::Family) -> Self {
        Nfqueue::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Nfqueue::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let bad_flags = |f: u16| Error::Malformed(format!("NFQUEUE: flags {f:#x}"));
        let (queue, total, flags) = match revision {
            0 => {
                let k: xt_NFQ_info = read_struct(Self::NAME, revision, data)?;
                (k.queuenum, 1, 0)
            }
            1 => {
                let k: xt_NFQ_info_v1 = read_struct(Self::NAME, revision, data)?;
                (k.queuenum, k.queues_total, 0)
            }
            2 => {
                let k: xt_NFQ_info_v2 = read_struct(Self::NAME, revision, data)?;
                if k.bypass & !NFQ_FLAG_BYPASS != 0 {
                    return Err(bad_flags(k.bypass));
                }
                (k.queuenum, k.queues_total, k.bypass)
            }
            3 => {
                let k: xt_NFQ_info_v3 = read_struct(Self::NAME, revision, data)?;
                if k.flags & !NFQ_FLAG_MASK != 0 {
                    return Err(bad_flags(k.flags));
                }
                (k.queuenum, k.queues_total, k.flags)
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Nfqueue {
            queue,
            total,
            bypass: flags & NFQ_FLAG_BYPASS != 0,
            cpu_fanout: flags & NFQ_FLAG_CPU_FANOUT != 0,
            revision,
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let bypass = if self.bypass { NFQ_FLAG_BYPASS } else { 0 };
        let fanout = if self.cpu_fanout {
            NFQ_FLAG_CPU_FANOUT
        } else {
            0
        };
        let (queuenum, queues_total) = (self.queue, self.total);
        match self.revision {
            0 => out.extend_from_slice(xt_NFQ_info { queuenum }.as_bytes()),
            1 => out.extend_from_slice(
                xt_NFQ_info_v1 {
                    queuenum,
                    queues_total,
                }
                .as_bytes(),
            ),
            2 => out.extend_from_slice(
                xt_NFQ_info_v2 {
                    queuenum,
                    queues_total,
                    bypass,
                }
                .as_bytes(),
            ),
            _ => out.extend_from_slice(
                xt_NFQ_info_v3 {
                    queuenum,
                    queues_total,
                    flags: bypass | fanout,
                }
                .as_bytes(),
            ),
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
        let bit = match option {
            "queue-num" => O_NUM,
            "queue-balance" => O_BALANCE,
            "queue-bypass" => O_BYPASS,
            "queue-cpu-fanout" => O_CPU_FANOUT,
            _ => return Ok(false),
        };
        seen.take(Self::NAME, option, bit, invert, false)?;
        seen.exclude(
            Self::NAME,
            ("queue-num", O_NUM),
            ("queue-balance", O_BALANCE),
        )?;
        match bit {
            O_NUM => {
                let v = args.value("--queue-num")?;
                self.queue = uint_option(Self::NAME, option, v, 0, u16::MAX.into())? as u16;
            }
            O_BALANCE => {
                let (first, last) = parse_balance(args.value("--queue-balance")?)?;
                self.queue = first;
                self.total = (last - first).wrapping_add(1);
            }
            O_BYPASS => self.bypass = true,
            _ => self.cpu_fanout = true,
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if seen.has(O_CPU_FANOUT) && !seen.has(O_BALANCE) {
            return Err(Error::rule(
                Self::NAME,
                "--queue-cpu-fanout also requires --queue-balance",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.revision >= 1 && self.total > 1 {
            let last = u32::from(self.queue) + u32::from(self.total) - 1;
            push_fmt!(out, " --queue-balance {}:{last}", self.queue);
        } else {
            push_fmt!(out, " --queue-num {}", self.queue);
        }
        if self.revision >= 2 && self.bypass {
            out.push_str(" --queue-bypass");
        }
        if self.revision >= 3 && self.cpu_fanout {
            out.push_str(" --queue-cpu-fanout");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn nfq(spec: &str) -> Nfqueue {
        match target(Family::Ipv4, spec) {
            TargetExt::Nfqueue(t) => t,
            t => panic!("not NFQUEUE: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // Revision 3, from the kernel (iptables-legacy 1.8.9).
        for (spec, bytes) in [
            ("-j NFQUEUE", "0000010000000000"),
            (
                "-j NFQUEUE --queue-balance 0:6 --queue-cpu-fanout --queue-bypass",
                "0000070003000000",
            ),
            ("-j NFQUEUE --queue-balance 3:", "0300fdff00000000"),
            (
                "-j NFQUEUE --queue-num 7 --queue-bypass",
                "0700010001000000",
            ),
        ] {
            let t = nfq(spec);
            assert_eq!(t.revision, 3);
            both_ways(&ctx, &t, &hex(bytes));
        }
        // Older revisions carry less.
        let mut t = nfq("-j NFQUEUE --queue-balance 2:5 --queue-bypass");
        t.revision = 2;
        both_ways(&ctx, &t, &hex("0200040001000000"));
        t.bypass = false;
        t.revision = 1;
        both_ways(&ctx, &t, &hex("0200040000000000"));
        let t = nfq("-j NFQUEUE --queue-num 9");
        let t = Nfqueue { revision: 0, ..t };
        both_ways(&ctx, &t, &hex("0900000000000000"));
        let mut s = String::new();
        t.save(&ctx, &mut s);
        assert_eq!(s, " --queue-num 9");
        // Unknown flags stay raw.
        assert!(Nfqueue::decode(&ctx, 3, &hex("0000010004000000")).is_err());
        assert!(Nfqueue::decode(&ctx, 2, &hex("0000010002000000")).is_err());
        assert!(Nfqueue::decode(&ctx, 4, &hex("0000010000000000")).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_NFQUEUE.t).
            for (spec, saved) in [
                ("", "--queue-num 0"),
                ("--queue-num 0", "--queue-num 0"),
                ("--queue-num 65535", "--queue-num 65535"),
                ("--queue-balance 0:65534", "--queue-balance 0:65534"),
                ("--queue-balance :4", "--queue-balance 0:4"),
                ("--queue-balance 4:", "--queue-balance 4:65535"),
                ("--queue-balance 3:4", "--queue-balance 3:4"),
                (
                    "--queue-num 10 --queue-bypass",
                    "--queue-num 10 --queue-bypass",
                ),
                (
                    "--queue-balance 0:6 --queue-cpu-fanout --queue-bypass",
                    "--queue-balance 0:6 --queue-bypass --queue-cpu-fanout",
                ),
                (
                    "--queue-bypass --queue-balance 0:6 --queue-cpu-fanout",
                    "--queue-balance 0:6 --queue-bypass --queue-cpu-fanout",
                ),
                (
                    "--queue-balance 0:6 --queue-bypass",
                    "--queue-balance 0:6 --queue-bypass",
                ),
                ("--queue-bypass", "--queue-num 0 --queue-bypass"),
            ] {
                assert_eq!(
                    r(&format!("-j NFQUEUE {spec}")),
                    format!(" -j NFQUEUE {saved}")
                );
            }
            // The kernel refuses these (queues_total wraps to 0); the parser does not.
            assert!(round(family, "-j NFQUEUE --queue-balance 0:65535").is_ok());
            assert!(round(family, "-j NFQUEUE --queue-balance :").is_ok());
        }
    }

    #[test]
    fn refusals() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad("-j NFQUEUE --queue-num 65536"));
            assert!(bad("-j NFQUEUE --queue-num -1"));
            assert!(bad("-j NFQUEUE --queue-balance 0:65536"));
            assert!(bad("-j NFQUEUE --queue-balance -1:65535"));
            assert!(bad("-j NFQUEUE --queue-balance 4"));
            assert!(bad("-j NFQUEUE --queue-balance 4:4"));
            assert!(bad("-j NFQUEUE --queue-balance 4:3"));
            // Checked with iptables 1.8.9.
            assert!(bad("-j NFQUEUE --queue-cpu-fanout"));
            assert!(bad("-j NFQUEUE --queue-num 5 --queue-balance 1:2"));
            assert!(bad("-j NFQUEUE --queue-balance 1:2:3"));
            assert!(bad("-j NFQUEUE --queue-balance \"\""));
            assert!(bad("-j NFQUEUE --queue-balance 1x:2"));
            assert!(bad("-j NFQUEUE --queue-bypass --queue-bypass"));
            assert!(bad("-j NFQUEUE ! --queue-num 1"));
        }
    }
}
