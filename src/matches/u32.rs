//! `-m u32`: tests on 32-bit words read at computed packet offsets
//! (`xt_u32.h`, `struct xt_u32`), written in iptables' test syntax:
//! `LOCATION=VALUES&&...`, a location being `NUMBER` followed by any of
//! `&N`, `<<N`, `>>N`, `@N`, and values `N` or `N:M` joined by `,`.

use iptkit_sys::ext::xt_u32::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{once, strtoul};

/// An operator of a location.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum U32Op {
    /// `&`: bitwise and.
    And,
    /// `<<`: shift left.
    Shl,
    /// `>>`: shift right.
    Shr,
    /// `@`: move forward by the value so far and read the word there.
    At,
}

/// One `LOCATION=VALUES` test.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct U32Test {
    /// The offset of the first word read.
    pub start: u32,
    /// Operators and their numbers applied in turn.
    pub ops: Vec<(U32Op, u32)>,
    /// Accepted inclusive ranges.
    pub values: Vec<(u32, u32)>,
}

/// `-m u32`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct U32 {
    /// `--u32 TESTS`: all must hold (required; at most 10 tests, each with at
    /// most 10 numbers and 10 ranges).
    pub tests: Vec<U32Test>,
    /// `! --u32`.
    pub invert: bool,
}

impl U32 {
    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> U32 {
        U32 {
            tests: Vec::new(),
            invert: false,
        }
    }
}

/// Most tests, location numbers and value ranges iptables takes.
const MAX: usize = XT_U32_MAXSIZE;

fn u32_err(pos: usize, what: &str) -> Error {
    Error::rule("--u32", format!("u32: at char {pos}: {what}"))
}

/// A number at `s[pos..]` (`parse_number`: leading blanks allowed).
fn number(s: &str, pos: &mut usize) -> Result<u32> {
    match strtoul(&s[*pos..]).filter(|(v, _)| *v <= u32::MAX.into()) {
        Some((v, rest)) => {
            *pos = s.len() - rest.len();
            Ok(v as u32)
        }
        None => Err(u32_err(*pos, "not a number or out of range")),
    }
}

/// Parses the test string as libxt_u32's `u32_parse` does.
fn parse_tests(s: &str) -> Result<Vec<U32Test>> {
    let b = s.as_bytes();
    let mut tests = Vec::new();
    let mut cur = U32Test {
        start: 0,
        ops: Vec::new(),
        values: Vec::new(),
    };
    let mut nnums = 0;
    let mut reading_values = false;
    let mut pos = 0;
    loop {
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos == b.len() {
            if !reading_values {
                return Err(u32_err(pos, "abrupt end of input after location specifier"));
            }
            if cur.values.is_empty() {
                return Err(u32_err(pos, "test ended with no value specified"));
            }
            tests.push(cur);
            if tests.len() > MAX {
                return Err(u32_err(pos, "too many \"&&\"s"));
            }
            return Ok(tests);
        }
        if !reading_values {
            if b[pos] == b'=' {
                if nnums == 0 {
                    return Err(u32_err(pos, "location spec missing"));
                }
                pos += 1;
                reading_values = true;
                continue;
            }
            let op = if nnums == 0 {
                None
            } else {
                let op = match b[pos] {
                    b'&' => U32Op::And,
                    b'<' | b'>' => {
                        let c = b[pos];
                        pos += 1;
                        if b.get(pos) != Some(&c) {
                            return Err(u32_err(pos, "a doubled '<' or '>' was expected"));
                        }
                        if c == b'<' {
                            U32Op::Shl
                        } else {
                            U32Op::Shr
                        }
                    }
                    b'@' => U32Op::At,
                    _ => return Err(u32_err(pos, "operator expected")),
                };
                pos += 1;
                Some(op)
            };
            let n = number(s, &mut pos)?;
            match op {
                None => cur.start = n,
                Some(op) => cur.ops.push((op, n)),
            }
            nnums += 1;
            if nnums > MAX {
                return Err(u32_err(pos, "too many operators"));
            }
        } else if b[pos] == b'&' {
            pos += 1;
            if b.get(pos) != Some(&b'&') {
                return Err(u32_err(pos, "a second '&' was expected"));
            }
            if cur.values.is_empty() {
                return Err(u32_err(pos, "value spec missing"));
            }
            tests.push(std::mem::replace(
                &mut cur,
                U32Test {
                    start: 0,
                    ops: Vec::new(),
                    values: Vec::new(),
                },
            ));
            if tests.len() > MAX {
                return Err(u32_err(pos, "too many \"&&\"s"));
            }
            pos += 1;
            reading_values = false;
            nnums = 0;
        } else {
            if !cur.values.is_empty() {
                if b[pos] != b',' {
                    return Err(u32_err(pos, "expected \",\" or \"&&\""));
                }
                pos += 1;
            }
            let min = number(s, &mut pos)?;
            while pos < b.len() && b[pos].is_ascii_whitespace() {
                pos += 1;
            }
            let max = if b.get(pos) == Some(&b':') {
                pos += 1;
                number(s, &mut pos)?
            } else {
                min
            };
            cur.values.push((min, max));
            if cur.values.len() > MAX {
                return Err(u32_err(pos, "too many \",\"s"));
            }
        }
    }
}

/// The tests as iptables-save prints them (numbers in hex).
fn dump(tests: &[U32Test]) -> String {
    let mut s = String::new();
    for (i, t) in tests.iter().enumerate() {
        if i > 0 {
            s.push_str("&&");
        }
        push_fmt!(s, "{:#x}", t.start);
        for (op, n) in &t.ops {
            s.push_str(match op {
                U32Op::And => "&",
                U32Op::Shl => "<<",
                U32Op::Shr => ">>",
                U32Op::At => "@",
            });
            push_fmt!(s, "{n:#x}");
        }
        s.push('=');
        for (j, (min, max)) in t.values.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            if min == max {
                push_fmt!(s, "{min:#x}");
            } else {
                push_fmt!(s, "{min:#x}:{max:#x}");
            }
        }
    }
    s
}

fn op_from_kernel(op: u8) -> Result<U32Op> {
    Ok(match op {
        XT_U32_AND => U32Op::And,
        XT_U32_LEFTSH => U32Op::Shl,
        XT_U32_RIGHTSH => U32Op::Shr,
        XT_U32_AT => U32Op::At,
        _ => return Err(Error::Malformed(format!("u32: operator {op}"))),
    })
}

fn op_to_kernel(op: U32Op) -> u8 {
    match op {
        U32Op::And => XT_U32_AND,
        U32Op::Shl => XT_U32_LEFTSH,
        U32Op::Shr => XT_U32_RIGHTSH,
        U32Op::At => XT_U32_AT,
    }
}

/// One kernel test, refusing what could not be written back the same
/// (counts past the arrays, bytes set beyond the counts).
fn test_from_kernel(t: &xt_u32_test) -> Result<U32Test> {
    let (nn, nv) = (usize::from(t.nnums), usize::from(t.nvalues));
    let bad = || Error::Malformed("u32: test not representable".into());
    if nn == 0 || nn > MAX + 1 || nv > MAX + 1 || t.location[0].nextop != 0 {
        return Err(bad());
    }
    let mut copy = xt_u32_test::zeroed();
    copy.location[..nn].copy_from_slice(&t.location[..nn]);
    copy.value[..nv].copy_from_slice(&t.value[..nv]);
    copy.nnums = t.nnums;
    copy.nvalues = t.nvalues;
    if copy != *t {
        return Err(bad());
    }
    Ok(U32Test {
        start: t.location[0].number,
        ops: t.location[1..nn]
            .iter()
            .map(|l| Ok((op_from_kernel(l.nextop)?, l.number)))
            .collect::<Result<_>>()?,
        values: t.value[..nv].iter().map(|v| (v.min, v.max)).collect(),
    })
}

impl Extension for U32 {
    const NAME: &'static str = "u32";

    fn example(_family: crate::addr::Family) -> Self {
        U32::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        U32::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_u32 = read_struct(Self::NAME, revision, data)?;
        let n = usize::from(k.ntests);
        if n > MAX + 1 || k.invert > 1 || k.tests[n..].iter().any(|t| *t != xt_u32_test::zeroed()) {
            return Err(Error::Malformed("u32: not representable".into()));
        }
        Ok(U32 {
            tests: k.tests[..n]
                .iter()
                .map(test_from_kernel)
                .collect::<Result<_>>()?,
            invert: k.invert != 0,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    /// Writes what fits the kernel's arrays (parsing never makes more).
    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_u32::zeroed();
        for (kt, t) in k.tests.iter_mut().zip(&self.tests) {
            kt.location[0].number = t.start;
            for (l, (op, n)) in kt.location[1..].iter_mut().zip(&t.ops) {
                l.nextop = op_to_kernel(*op);
                l.number = *n;
            }
            for (v, (min, max)) in kt.value.iter_mut().zip(&t.values) {
                v.min = *min;
                v.max = *max;
            }
            kt.nnums = (t.ops.len() + 1).min(MAX + 1) as u8;
            kt.nvalues = t.values.len().min(MAX + 1) as u8;
        }
        k.ntests = self.tests.len().min(MAX + 1) as u8;
        k.invert = self.invert.into();
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
        if option != "u32" {
            return Ok(false);
        }
        once(Self::NAME, option, !self.tests.is_empty())?;
        self.tests = parse_tests(args.value("--u32")?)?;
        self.invert = invert;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.tests.is_empty() {
            return Err(Error::rule("u32", "option \"--u32\" must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(if self.invert {
            " ! --u32 \""
        } else {
            " --u32 \""
        });
        out.push_str(&dump(&self.tests));
        out.push('"');
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
        let u: U32 = parse_opts(&ctx, &["!", "--u32", "0>>22&0x3C@12=1:2,5&&4=6"]).unwrap();
        let mut b = vec![0u8; 1984];
        // Test 0: location 0, >>22, &0x3c, @12; values 1:2, 5.
        let loc = [(0u32, 0u8), (22, 2), (0x3c, 0), (12, 3)];
        for (i, (n, op)) in loc.iter().enumerate() {
            b[i * 8..i * 8 + 4].copy_from_slice(&n.to_ne_bytes());
            b[i * 8 + 4] = *op;
        }
        for (i, (min, max)) in [(1u32, 2u32), (5, 5)].iter().enumerate() {
            b[88 + i * 8..92 + i * 8].copy_from_slice(&min.to_ne_bytes());
            b[92 + i * 8..96 + i * 8].copy_from_slice(&max.to_ne_bytes());
        }
        b[176] = 4;
        b[177] = 2;
        // Test 1: location 4; value 6.
        b[180..184].copy_from_slice(&4u32.to_ne_bytes());
        b[180 + 88..180 + 92].copy_from_slice(&6u32.to_ne_bytes());
        b[180 + 92..180 + 96].copy_from_slice(&6u32.to_ne_bytes());
        b[180 + 176] = 1;
        b[180 + 177] = 1;
        b[1980] = 2;
        b[1981] = 1;
        bytes_both_ways(&ctx, &u, &b);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv6, s);
        assert_eq!(
            r("-m u32 --u32 \"0x0=0x0&&0x0=0x1\"").unwrap(),
            " -m u32 --u32 \"0x0=0x0&&0x0=0x1\""
        );
        assert_eq!(
            r("-m u32 --u32 \"6&0xFF=1 && 4&0x3FFF=0 && 0>>22&0x3C@4>>16=0x50:0x51\"").unwrap(),
            " -m u32 --u32 \"0x6&0xff=0x1&&0x4&0x3fff=0x0&&0x0>>0x16&0x3c@0x4>>0x10=0x50:0x51\""
        );
        assert_eq!(
            r("-m u32 --u32 \" 0 = 1 \"").unwrap(),
            " -m u32 --u32 \"0x0=0x1\""
        );
        assert_eq!(
            r("-m u32 --u32 0=0x10,017").unwrap(),
            " -m u32 --u32 \"0x0=0x10,0xf\""
        );
        assert_eq!(
            r("-m u32 --u32 0<<3=1").unwrap(),
            " -m u32 --u32 \"0x0<<0x3=0x1\""
        );
        for bad in [
            "-m u32",
            "-m u32 --u32 \"\"",
            "-m u32 --u32 0=1&&",
            "-m u32 --u32 0",
            "-m u32 --u32 0=5:",
            "-m u32 --u32 =5",
            "-m u32 --u32 0=-1",
            "-m u32 --u32 0<3=1",
            "-m u32 --u32 0=1&2",
            "-m u32 --u32 0@1@2@3@4@5@6@7@8@9@10=1",
            "-m u32 --u32 0=1,2,3,4,5,6,7,8,9,10,11",
            "-m u32 --u32 0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1",
            "-m u32 --u32 0=1 --u32 0=1",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
        assert!(r("-m u32 --u32 0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1&&0=1").is_ok());
    }
}
