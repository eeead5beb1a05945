//! `-m osf`: the operating system of a TCP SYN's sender, by passive
//! fingerprinting against fingerprints loaded with `nfnl_osf` (`xt_osf.h`,
//! `struct xt_osf_info`). IPv4 only; the kernel wants `-p tcp`.

use iptkit_sys::ext::xt_osf::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, put_c_str, read_struct, Args, Ctx, Extension,
};
use crate::inv::Inv;
use crate::xtopt::{truncated, uint_option, Seen};

/// `-m osf`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Osf {
    /// `[!] --genre NAME`: the OS genre (at most 31 bytes; iptables cuts
    /// longer ones).
    pub genre: Inv<String>,
    /// `--ttl MODE`: 0 compare the IP TTL with the fingerprint's, 1 accept a
    /// lower one, 2 do not check it.
    pub ttl: Option<u32>,
    /// `--log LEVEL`: log 0 every fingerprint matched or unknown, 1 only the
    /// first, 2 only known ones.
    pub log: Option<u32>,
}

impl Osf {
    /// `--genre genre`: the sender's OS is of `genre` (`Linux`). Refused
    /// when empty or longer than 31 bytes. The rule needs `-p tcp`, which
    /// [`Rule::with_match`](crate::Rule::with_match) sets.
    ///
    /// ```
    /// use iptkit::{matches::osf::Osf, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_match(Osf::new("Linux")?);
    /// assert_eq!(rule.to_string(), "-p tcp -m osf --genre Linux");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(genre: &str) -> Result<Osf> {
        check_name("osf genre", "--genre", genre, MAXGENRELEN - 1)?;
        Ok(Osf {
            genre: Inv::is(genre.to_string()),
            ttl: None,
            log: None,
        })
    }
}

const O_GENRE: u32 = 1;
const O_TTL: u32 = 2;
const O_LOG: u32 = 4;

/// A field that goes with a flag: iptables leaves it zero without the flag.
fn flagged(flags: u32, bit: u32, value: u32, what: &str) -> Result<Option<u32>> {
    match (flags & bit != 0, value) {
        (true, v) => Ok(Some(v)),
        (false, 0) => Ok(None),
        (false, v) => Err(Error::Malformed(format!(
            "osf: {what} {v} without its flag"
        ))),
    }
}

impl Extension for Osf {
    const NAME: &'static str = "osf";
    const FAMILIES: &'static [Family] = &[Family::Ipv4];

    fn example(_family: Family) -> Self {
        Osf::new("Linux").expect("a valid genre")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No genre until `--genre` gives one; `finish` insists on it.
        Osf {
            genre: Inv::is(String::new()),
            ttl: None,
            log: None,
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: nf_osf_info = read_struct(Self::NAME, revision, data)?;
        // iptables never sets NF_OSF_GENRE; such bytes are kept raw.
        if k.flags & !(NF_OSF_TTL | NF_OSF_LOG | NF_OSF_INVERT) != 0 {
            return Err(Error::Malformed(format!("osf: flags {:#x}", k.flags)));
        }
        let genre = c_str(&k.genre);
        if k.len as usize != genre.len() {
            return Err(Error::Malformed(format!(
                "osf: length {} for genre `{genre}'",
                k.len
            )));
        }
        Ok(Osf {
            genre: Inv::new(genre, k.flags & NF_OSF_INVERT != 0),
            ttl: flagged(k.flags, NF_OSF_TTL, k.ttl, "ttl")?,
            log: flagged(k.flags, NF_OSF_LOG, k.loglevel, "log level")?,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = nf_osf_info::zeroed();
        // A genre set through the API may be too long: keep what fits, as iptables does.
        let genre = truncated(&self.genre.value, MAXGENRELEN).to_string();
        let _ = put_c_str("osf genre", &genre, &mut k.genre);
        k.len = genre.len() as u32;
        if self.genre.invert {
            k.flags |= NF_OSF_INVERT;
        }
        if let Some(t) = self.ttl {
            k.flags |= NF_OSF_TTL;
            k.ttl = t;
        }
        if let Some(l) = self.log {
            k.flags |= NF_OSF_LOG;
            k.loglevel = l;
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
            "genre" => {
                seen.take(Self::NAME, option, O_GENRE, invert, true)?;
                let genre = truncated(args.value("--genre")?, MAXGENRELEN).to_string();
                self.genre = Inv::new(genre, invert);
            }
            "ttl" => {
                seen.take(Self::NAME, option, O_TTL, invert, false)?;
                self.ttl = Some(uint_option(Self::NAME, option, args.value(option)?, 0, 2)? as u32);
            }
            "log" => {
                seen.take(Self::NAME, option, O_LOG, invert, false)?;
                self.log = Some(uint_option(Self::NAME, option, args.value(option)?, 0, 2)? as u32);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "genre", O_GENRE)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // iptables prints the genre as it is, without quoting.
        push_fmt!(out, "{} --genre {}", self.genre.bang(), self.genre.value);
        if let Some(t) = self.ttl {
            push_fmt!(out, " --ttl {t}");
        }
        if let Some(l) = self.log {
            push_fmt!(out, " --log {l}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Osf> {
        parse_as(Family::Ipv4, "osf", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let genre = |s: &str| {
            let mut v = s.as_bytes().to_vec();
            v.resize(32, 0);
            v
        };
        // `! --genre Linux --log 2`
        let mut bytes = genre("Linux");
        bytes.extend(hex("050000000c0000000200000000000000"));
        let m = parse(&["!", "--genre", "Linux", "--log", "2"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Osf::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " ! --genre Linux --log 2");
        // `--log 1 --genre x --ttl 2`
        let mut bytes = genre("x");
        bytes.extend(hex("01000000060000000100000002000000"));
        let m = Osf::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(save_as(&m), " --genre x --ttl 2 --log 1");
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        let mut odd = genre("x");
        odd.extend(hex("01000000000000000100000000000000"));
        assert!(Osf::decode(&ctx, 0, &odd).is_err());
    }

    #[test]
    fn text_like_iptables() {
        assert_eq!(
            save_as(&parse(&["--genre", "a b", "--ttl", "1"]).unwrap()),
            " --genre a b --ttl 1"
        );
        let long = "0123456789".repeat(4);
        assert_eq!(parse(&["--genre", &long]).unwrap().genre.value.len(), 31);
        assert!(parse(&["--genre", "x", "--ttl", "3"]).is_err());
        assert!(parse(&["--genre", "x", "--ttl", "1", "--ttl", "2"]).is_err());
        assert!(parse(&["--genre", "x", "!", "--log", "1"]).is_err());
        assert!(parse(&["--ttl", "1"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (
                4,
                "-p tcp -m osf --genre linux --ttl 0 --log 0",
                Some(" -p tcp -m osf --genre linux --ttl 0 --log 0"),
            ),
            (46, "-p tcp -m osf --genre linux --ttl 3 --log 0", None),
            (6, "-m osf --genre linux --ttl 0 --log 0", None),
            (6, "-p tcp -m osf --genre linux --ttl 0 --log 0", None),
        ]);
    }
}
