//! `-m connlabel`: one of the 128 label bits of a connection
//! (`xt_connlabel.h`, `struct xt_connlabel_mtinfo`).
//!
//! Labels have names in `/etc/xtables/connlabel.conf` (`BIT NAME` lines, as
//! libnetfilter_conntrack reads them); without that file they are numbers.
//! The file is read each time a name is needed, as each iptables run does.

use iptkit_sys::ext::xt_connlabel::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{c_strtoul, Seen};

/// Where libnetfilter_conntrack reads label names.
const CONNLABEL_CONF: &str = "/etc/xtables/connlabel.conf";

/// The highest bit a name may have in the file (`MAX_BITS - 1`).
const MAX_FILE_BIT: u64 = 1023;

/// `-m connlabel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Connlabel {
    /// `[!] --label`: the label's bit number (the kernel takes 0 to 127).
    pub label: Inv<u16>,
    /// `--set`: set the label on the connection as well.
    pub set: bool,
}

impl Connlabel {
    /// A match on label bit `label`.
    pub fn with(label: Inv<u16>, set: bool) -> Self {
        Connlabel { label, set }
    }
}

const O_LABEL: u32 = 1;
const O_SET: u32 = 2;

/// The labels of a `connlabel.conf` text, as `nfct_labelmap_new` keeps them:
/// `BIT NAME` lines (bit in base 0, below 1024; the name trimmed, of
/// letters, digits, blanks and `-`); comment lines start with `#`; the first
/// line for a bit and the first for a name win.
fn parse_labelmap(text: &str) -> Vec<(u16, String)> {
    let mut map: Vec<(u16, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let n = c_strtoul(line, 0);
        if n.end == 0 || n.value > MAX_FILE_BIT {
            continue;
        }
        let (bit, rest) = (n.value as u16, &line[n.end..]);
        let name = rest.trim_matches([' ', '\t', '\r', '\x0b', '\x0c']);
        let sane = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if name.is_empty() || !sane || map.iter().any(|(b, n)| *b == bit || n == name) {
            continue;
        }
        map.push((bit, name.to_string()));
    }
    map
}

/// The label names, or `None` when the file cannot be read (iptables then
/// warns and takes numbers only).
fn labelmap() -> Option<Vec<(u16, String)>> {
    std::fs::read_to_string(CONNLABEL_CONF)
        .ok()
        .map(|t| parse_labelmap(&t))
}

/// A label as `connlabel_value_parse` reads a number: all of `s` through C's
/// `strtoul`, kept when it is a non-negative `int`, then cut to 16 bits.
fn label_number(s: &str) -> Option<u16> {
    let n = c_strtoul(s, 0);
    (n.end > 0 && n.end == s.len() && (n.value as u32 as i32) >= 0).then_some(n.value as u16)
}

/// `--label`: a number first, else a name from the file.
fn parse_label(s: &str, map: impl FnOnce() -> Option<Vec<(u16, String)>>) -> Result<u16> {
    if s.is_empty() {
        return Err(Error::value(
            "--label",
            s,
            "must have a minimum length of 1 character",
        ));
    }
    if let Some(bit) = label_number(s) {
        return Ok(bit);
    }
    let map = map().ok_or_else(|| {
        Error::value(
            "--label",
            s,
            format!("not a number, and {CONNLABEL_CONF} cannot be read"),
        )
    })?;
    if map.is_empty() {
        return Err(Error::value(
            "--label",
            s,
            format!("{CONNLABEL_CONF}: no labels found"),
        ));
    }
    map.iter()
        .find(|(_, n)| n == s)
        .map(|(b, _)| *b)
        .ok_or_else(|| Error::value("--label", s, "label not found or invalid value"))
}

impl Connlabel {
    fn save_with(&self, map: Option<Vec<(u16, String)>>, out: &mut String) {
        let name = map
            .unwrap_or_default()
            .into_iter()
            .find(|(b, _)| *b == self.label.value)
            .map(|(_, n)| n);
        match name {
            Some(n) => push_fmt!(out, "{} --label \"{n}\"", self.label.bang()),
            None => push_fmt!(
                out,
                "{} --label \"{}\"",
                self.label.bang(),
                self.label.value
            ),
        }
        if self.set {
            out.push_str(" --set");
        }
    }
}

impl Extension for Connlabel {
    const NAME: &'static str = "connlabel";

    fn example(_family: crate::addr::Family) -> Self {
        Connlabel::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Connlabel::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_connlabel_mtinfo = read_struct(Self::NAME, revision, data)?;
        if k.options & !(XT_CONNLABEL_OP_INVERT | XT_CONNLABEL_OP_SET) != 0 {
            return Err(Error::Malformed(format!(
                "connlabel: unknown options {:#x}",
                k.options
            )));
        }
        Ok(Connlabel::with(
            Inv::new(k.bit, k.options & XT_CONNLABEL_OP_INVERT != 0),
            k.options & XT_CONNLABEL_OP_SET != 0,
        ))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_connlabel_mtinfo::zeroed();
        k.bit = self.label.value;
        if self.label.invert {
            k.options |= XT_CONNLABEL_OP_INVERT;
        }
        if self.set {
            k.options |= XT_CONNLABEL_OP_SET;
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
        match option {
            "label" => {
                seen.take(Self::NAME, option, O_LABEL, invert, true)?;
                let bit = parse_label(args.value("--label")?, labelmap)?;
                self.label = Inv::new(bit, invert);
            }
            "set" => {
                seen.take(Self::NAME, option, O_SET, invert, false)?;
                self.set = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "label", O_LABEL)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        self.save_with(labelmap(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as};

    fn parse(words: &[&str]) -> Result<Connlabel> {
        parse_as(Family::Ipv4, "connlabel", words)
    }

    fn save(m: &Connlabel) -> String {
        let mut s = String::new();
        m.save_with(None, &mut s);
        s
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `! --label 41 --set`
        let bytes = hex("29000300");
        let m = parse(&["!", "--label", "41", "--set"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Connlabel::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save(&m), " ! --label \"41\" --set");
        // `--label 2`
        let m = Connlabel::decode(&ctx, 0, &hex("02000000")).unwrap();
        assert_eq!(save(&m), " --label \"2\"");
        assert!(Connlabel::decode(&ctx, 0, &hex("02000400")).is_err());
    }

    #[test]
    fn numbers_as_iptables_reads_them() {
        let bit = |s: &str| parse(&["--label", s]).map(|m| m.label.value);
        assert_eq!(bit(" 3").unwrap(), 3);
        assert_eq!(bit("0x10").unwrap(), 16);
        assert_eq!(bit("2048").unwrap(), 2048); // the kernel refuses it
        assert_eq!(bit("65537").unwrap(), 1);
        assert_eq!(bit("-4294967295").unwrap(), 1);
        assert!(bit("2147483648").is_err());
        assert!(bit("").is_err());
        assert!(parse(&["--set"]).is_err());
        assert!(parse(&["--label", "1", "--label", "2"]).is_err());
        assert!(parse(&["--label", "1", "!", "--set"]).is_err());
    }

    #[test]
    fn names_from_connlabel_conf() {
        let map = parse_labelmap(
            "40 bit40\n  41   my label  \n#42 x\n40 dup\n43 bit40\n0x2c hexy\n1024 big\n7 a;b\n",
        );
        assert_eq!(
            map,
            vec![
                (40, "bit40".to_string()),
                (41, "my label".to_string()),
                (44, "hexy".to_string())
            ]
        );
        let p = |s| parse_label(s, || Some(map.clone()));
        assert_eq!(p("my label").unwrap(), 41);
        assert_eq!(p("40").unwrap(), 40);
        assert!(p("dup").is_err());
        assert!(parse_label("x", || None).is_err());
        assert!(parse_label("x", || Some(Vec::new())).is_err());
        let mut s = String::new();
        Connlabel::with(Inv::not(44), false).save_with(Some(map), &mut s);
        assert_eq!(s, " ! --label \"hexy\"");
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        // The cases were taken on a machine without label names.
        if std::path::Path::new(CONNLABEL_CONF).exists() {
            return;
        }
        crate::testutil::check_cases(&[
            (
                46,
                "-m connlabel --label 40",
                Some(" -m connlabel --label \"40\""),
            ),
            (
                46,
                "-m connlabel ! --label 40",
                Some(" -m connlabel ! --label \"40\""),
            ),
            (
                46,
                "-m connlabel --label 41 --set",
                Some(" -m connlabel --label \"41\" --set"),
            ),
            (
                46,
                "-m connlabel ! --label 41 --set",
                Some(" -m connlabel ! --label \"41\" --set"),
            ),
            (46, "-m connlabel --label foobar_not_there", None),
        ]);
    }
}
