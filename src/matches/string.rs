//! `-m string`: a byte pattern searched in the packet with a kernel text
//! search algorithm (`xt_string.h`, `struct xt_string_info`, revision 1 —
//! the only one the kernel registers).

use iptkit_sys::ext::xt_string::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, check_name, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{no_invert, once, truncated, uint_option};

/// `-m string`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StringMatch {
    /// `--string TEXT` or `--hex-string |HEX|...` (required), at most 128 bytes.
    pub pattern: Option<Vec<u8>>,
    /// `!` before the pattern: match packets without it.
    pub invert: bool,
    /// `--algo NAME` (required): `bm` or `kmp`; iptables keeps 15 bytes.
    pub algo: Option<String>,
    /// `--from OFFSET`: where the search starts; `None` is 0.
    pub from: Option<u16>,
    /// `--to OFFSET`: where it ends; `None` is 65535.
    pub to: Option<u16>,
    /// `--icase`: ignore case.
    pub icase: bool,
}

/// libxt_string.c's `parse_hex_string`: plain bytes, `\x` for a literal
/// `x`, and hex pairs between `|`s (blanks allowed after a pair or an
/// opening `|`).
fn parse_hex_string(s: &str) -> Result<Vec<u8>> {
    let s = s.as_bytes();
    let bad = |why: &str| Error::value("--hex-string", String::from_utf8_lossy(s), why.to_string());
    if s.is_empty() {
        return Err(bad("STRING must contain at least one char"));
    }
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let (mut out, mut i, mut hex, mut literal) = (Vec::new(), 0, false, false);
    while i < s.len() {
        if s[i] == b'\\' && !hex {
            literal = true;
        } else if s[i] == b'\\' {
            return Err(bad("Cannot include literals in hex data"));
        } else if s[i] == b'|' {
            if hex {
                hex = false;
            } else {
                hex = true;
                while at(i + 1) == b' ' {
                    i += 1;
                }
            }
            if i + 1 >= s.len() {
                break;
            }
            i += 1;
        }
        if literal {
            if i + 1 >= s.len() {
                return Err(bad("Bad literal placement at end of string"));
            }
            out.push(s[i + 1]);
            i += 2;
            literal = false;
        } else if hex {
            if i + 1 >= s.len() {
                return Err(bad("Odd number of hex digits"));
            }
            if i + 2 >= s.len() {
                return Err(bad("Invalid hex block"));
            }
            let digit = |c: u8| {
                (c as char)
                    .to_digit(16)
                    .ok_or_else(|| bad(&format!("Invalid hex char '{}'", c as char)))
            };
            out.push((digit(s[i])? * 16 + digit(s[i + 1])?) as u8);
            i += if s[i + 2] == b' ' { 3 } else { 2 };
        } else {
            out.push(s[i]);
            i += 1;
        }
        if out.len() > XT_STRING_MAX_PATTERN_SIZE {
            return Err(bad("STRING too long"));
        }
    }
    Ok(out)
}

/// iptables prints a pattern in hex when it has a byte outside printable
/// ASCII, or ends with a backslash (`is_hex_string`).
fn needs_hex(p: &[u8]) -> bool {
    p.iter().any(|b| !(0x20..=0x7e).contains(b)) || p.last() == Some(&b'\\')
}

impl StringMatch {
    /// `--string pattern --algo algo`: the packet holds `pattern` (1 to
    /// 128 bytes, any bytes), searched for by the kernel's text search
    /// `algo`, `bm` (Boyer-Moore) or `kmp` (Knuth-Pratt-Morris).
    ///
    /// ```
    /// use iptkit::{matches::string::StringMatch, Match};
    /// let m = Match::from(StringMatch::new(b"GET /", "bm")?);
    /// assert_eq!(m.to_string(), r#"-m string --string "GET /" --algo bm"#);
    /// assert!(StringMatch::new(b"", "bm").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(pattern: &[u8], algo: &str) -> Result<StringMatch> {
        if pattern.is_empty() || pattern.len() > XT_STRING_MAX_PATTERN_SIZE {
            return Err(Error::value(
                "--string",
                String::from_utf8_lossy(pattern),
                format!("a pattern has 1 to {XT_STRING_MAX_PATTERN_SIZE} bytes"),
            ));
        }
        check_name(
            "string algorithm",
            "--algo",
            algo,
            XT_STRING_MAX_ALGO_NAME_SIZE - 1,
        )?;
        Ok(StringMatch {
            pattern: Some(pattern.to_vec()),
            algo: Some(algo.to_string()),
            ..StringMatch::empty()
        })
    }

    /// No pattern yet (not valid alone): what parsing starts from.
    fn empty() -> StringMatch {
        StringMatch {
            pattern: None,
            invert: false,
            algo: None,
            from: None,
            to: None,
            icase: false,
        }
    }
}

impl Extension for StringMatch {
    const NAME: &'static str = "string";
    const REVISIONS: &'static [u8] = &[1];

    fn example(_family: crate::addr::Family) -> Self {
        StringMatch::new(b"example", "bm").expect("a valid pattern")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        StringMatch::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_string_info = read_struct(Self::NAME, revision, data)?;
        let len = usize::from(k.patlen);
        let algo = c_str(&k.algo);
        let mut canon = xt_string_info::zeroed();
        canon.algo[..algo.len().min(15)].copy_from_slice(&k.algo[..algo.len().min(15)]);
        canon.pattern[..len.min(XT_STRING_MAX_PATTERN_SIZE)]
            .copy_from_slice(&k.pattern[..len.min(XT_STRING_MAX_PATTERN_SIZE)]);
        // Bytes past the pattern and the name are zero when iptables writes
        // them, and only the two known flags exist.
        if len > XT_STRING_MAX_PATTERN_SIZE
            || k.u & !(XT_STRING_FLAG_INVERT | XT_STRING_FLAG_IGNORECASE) != 0
            || canon.algo != k.algo
            || canon.pattern != k.pattern
            || k.config != 0
            || k.__pad != [0; 2]
        {
            return Err(Error::Malformed("string: not representable".into()));
        }
        Ok(StringMatch {
            pattern: Some(k.pattern[..len].to_vec()),
            invert: k.u & XT_STRING_FLAG_INVERT != 0,
            algo: Some(algo),
            from: (k.from_offset != 0).then_some(k.from_offset),
            to: (k.to_offset != u16::MAX).then_some(k.to_offset),
            icase: k.u & XT_STRING_FLAG_IGNORECASE != 0,
        })
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_string_info::zeroed();
        k.from_offset = self.from.unwrap_or(0);
        k.to_offset = self.to.unwrap_or(u16::MAX);
        let algo = self.algo.as_deref().unwrap_or("").as_bytes();
        let n = algo.len().min(XT_STRING_MAX_ALGO_NAME_SIZE - 1);
        k.algo[..n].copy_from_slice(&algo[..n]);
        let p = self.pattern.as_deref().unwrap_or(&[]);
        let n = p.len().min(XT_STRING_MAX_PATTERN_SIZE);
        k.pattern[..n].copy_from_slice(&p[..n]);
        k.patlen = n as u8;
        if self.invert {
            k.u |= XT_STRING_FLAG_INVERT;
        }
        if self.icase {
            k.u |= XT_STRING_FLAG_IGNORECASE;
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
            "string" | "hex-string" => {
                let name = format!("--{option}");
                if self.pattern.is_some() {
                    return Err(Error::rule(
                        &name,
                        "string: only one of --string and --hex-string, once",
                    ));
                }
                let v = args.value(&name)?;
                let p = if option == "string" {
                    if v.len() > XT_STRING_MAX_PATTERN_SIZE {
                        return Err(Error::value(&name, v, "STRING too long"));
                    }
                    v.as_bytes().to_vec()
                } else {
                    parse_hex_string(v)?
                };
                self.pattern = Some(p);
                self.invert = invert;
            }
            "algo" => {
                no_invert("string", "--algo", invert)?;
                once("string", "--algo", self.algo.is_some())?;
                let v = args.value("--algo")?;
                // XTTYPE_STRING into a 16-byte field: cut to 15 bytes.
                self.algo = Some(truncated(v, XT_STRING_MAX_ALGO_NAME_SIZE).to_string());
            }
            "from" | "to" => {
                let name = format!("--{option}");
                no_invert("string", &name, invert)?;
                let v = args.value(&name)?;
                let n = uint_option("string", &name, v, 0, u16::MAX.into())? as u16;
                let slot = if option == "from" {
                    &mut self.from
                } else {
                    &mut self.to
                };
                set_once(slot, &name, n)?;
            }
            "icase" => {
                no_invert("string", "--icase", invert)?;
                once("string", "--icase", self.icase)?;
                self.icase = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.pattern.is_none() {
            return Err(Error::rule(
                "string",
                "STRING match: You must specify `--string' or `--hex-string'",
            ));
        }
        if self.algo.is_none() {
            return Err(Error::rule("string", "option \"--algo\" must be specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let p = self.pattern.as_deref().unwrap_or(&[]);
        let bang = if self.invert { " !" } else { "" };
        if needs_hex(p) {
            push_fmt!(out, "{bang} --hex-string \"|");
            for b in p {
                push_fmt!(out, "{b:02x}");
            }
            out.push_str("|\"");
        } else {
            push_fmt!(out, "{bang} --string \"");
            for &b in p {
                if b == b'"' || b == b'\\' {
                    out.push('\\');
                }
                out.push(b as char);
            }
            out.push('"');
        }
        push_fmt!(out, " --algo {}", self.algo.as_deref().unwrap_or(""));
        if let Some(f) = self.from.filter(|&f| f != 0) {
            push_fmt!(out, " --from {f}");
        }
        if let Some(t) = self.to.filter(|&t| t != u16::MAX) {
            push_fmt!(out, " --to {t}");
        }
        if self.icase {
            out.push_str(" --icase");
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
        // `-m string ! --string test --algo kmp --from 5 --icase`.
        let s: StringMatch = parse_opts(
            &ctx,
            &[
                "!", "--string", "test", "--algo", "kmp", "--from", "5", "--icase",
            ],
        )
        .unwrap();
        let mut b = vec![0u8; 160];
        b[0] = 5;
        b[2..4].copy_from_slice(&[0xff, 0xff]);
        b[4..7].copy_from_slice(b"kmp");
        b[20..24].copy_from_slice(b"test");
        b[148] = 4;
        b[149] = 3;
        bytes_both_ways(&ctx, &s, &b);
        let plain: StringMatch = parse_opts(&ctx, &["--string", "x", "--algo", "bm"]).unwrap();
        let mut b = vec![0u8; 160];
        b[2..4].copy_from_slice(&[0xff, 0xff]);
        b[4..6].copy_from_slice(b"bm");
        b[20] = b'x';
        b[148] = 1;
        bytes_both_ways(&ctx, &plain, &b);
    }

    #[test]
    fn hex_strings_like_libxt_string() {
        let h = |s| parse_hex_string(s).ok();
        assert_eq!(h("a\\|b|41|").as_deref(), Some(&b"a|bA"[..]));
        assert_eq!(h("|41|\\|").as_deref(), Some(&b"A\\"[..]));
        assert_eq!(h("|41 42 |x").as_deref(), Some(&b"ABx"[..]));
        assert_eq!(h("|  41|").as_deref(), Some(&b"A"[..]));
        assert_eq!(h("x|").as_deref(), Some(&b"x"[..]));
        for bad in ["", "|4|", "|4g|", "ab\\", "|41", "|4142", "||", "|41\\|"] {
            assert_eq!(h(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv4, s);
        for (i, o) in [
            (
                "--algo bm --from 0 --to 65535 --string test",
                "--string \"test\" --algo bm",
            ),
            (
                "! --string test --algo kmp",
                "! --string \"test\" --algo kmp",
            ),
            (
                "--hex-string \"|0a0a0a0a|\" --algo bm",
                "--hex-string \"|0a0a0a0a|\" --algo bm",
            ),
            ("--string \"a b\" --algo bm", "--string \"a b\" --algo bm"),
            (
                "--string \"a\\\"b\\\\c\" --algo bm",
                "--string \"a\\\"b\\\\c\" --algo bm",
            ),
            (
                "--string \"ab\\\\\" --algo bm",
                "--hex-string \"|61625c|\" --algo bm",
            ),
            ("--string é --algo bm", "--hex-string \"|c3a9|\" --algo bm"),
            (
                "--string x --algo bm --icase --to 10 --from 5",
                "--string \"x\" --algo bm --from 5 --to 10 --icase",
            ),
            (
                "--string x --algo bm --to 0",
                "--string \"x\" --algo bm --to 0",
            ),
            ("! --hex-string a~ --algo bm", "! --string \"a~\" --algo bm"),
        ] {
            assert_eq!(
                r(&format!("-m string {i}")).unwrap(),
                format!(" -m string {o}"),
                "{i}"
            );
        }
        let long = "x".repeat(128);
        assert!(r(&format!("-m string --string {long} --algo bm")).is_ok());
        for bad in [
            "",
            "--algo bm",
            "--algo wrong",
            "--string x",
            "--string x --hex-string y --algo bm",
            "--string x --algo bm --from 70000",
            "--string x --algo bm --algo kmp",
            "--string x --algo bm ! --icase",
            "--hex-string \"\" --algo bm",
            &format!("--string {long}x --algo bm"),
        ] {
            assert!(r(&format!("-m string {bad}")).is_err(), "{bad}");
        }
    }
}
