//! `-m nfacct`: count the packet in an extended accounting object (made with
//! `nfacct add NAME`); always matches (`xt_nfacct.h`, `struct
//! xt_nfacct_match_info` and `_v1`, the same bytes on x86_64).

use iptkit_sys::ext::xt_nfacct::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, put_c_str, read_struct, Args, Ctx, Extension, EXAMPLE_NAME,
};
use crate::xtopt::{truncated, Seen};

/// `-m nfacct`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nfacct {
    /// `--nfacct-name NAME`: the accounting object (at most 31 bytes; iptables
    /// cuts longer names). The kernel refuses a name no object has.
    pub name: String,
    /// The revision the value was read as, or is written as (0 or 1).
    pub revision: u8,
}

impl Nfacct {
    /// `--nfacct-name name`: counts the packet in the accounting object
    /// `name` (revision 1). Refused when empty or longer than 31 bytes; the
    /// kernel refuses a name no object has.
    ///
    /// ```
    /// use iptkit::{matches::nfacct::Nfacct, Match};
    /// assert_eq!(Match::from(Nfacct::new("http")?).to_string(), "-m nfacct --nfacct-name  http");
    /// assert!(Nfacct::new("").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn new(name: &str) -> Result<Nfacct> {
        check_name("nfacct name", "--nfacct-name", name, NFACCT_NAME_MAX - 1)?;
        Ok(Nfacct {
            name: name.to_string(),
            revision: 1,
        })
    }
}

const O_NAME: u32 = 1;

impl Extension for Nfacct {
    const NAME: &'static str = "nfacct";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Nfacct::new(EXAMPLE_NAME).expect("a valid name")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Nfacct {
            name: String::new(),
            revision: 1,
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let name = match revision {
            0 => c_str(&read_struct::<xt_nfacct_match_info>(Self::NAME, revision, data)?.name),
            1 => c_str(&read_struct::<xt_nfacct_match_info_v1>(Self::NAME, revision, data)?.name),
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Nfacct { revision, name })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut name = [0; NFACCT_NAME_MAX];
        // A name set through the API may be too long: keep what fits, as iptables does.
        let _ = put_c_str(
            "nfacct name",
            truncated(&self.name, NFACCT_NAME_MAX),
            &mut name,
        );
        // Both revisions are the same bytes here.
        let mut k = xt_nfacct_match_info_v1::zeroed();
        k.name = name;
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
        if option != "nfacct-name" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, O_NAME, invert, false)?;
        let v = args.value("--nfacct-name")?;
        if v.is_empty() {
            return Err(Error::value(
                "--nfacct-name",
                v,
                "must have a minimum length of 1 character",
            ));
        }
        if v.contains('\n') {
            return Err(Error::value("--nfacct-name", v, "newlines not allowed"));
        }
        self.name = truncated(v, NFACCT_NAME_MAX).to_string();
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "nfacct-name", O_NAME)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // iptables 1.8.9 prints a space of its own before xtables_save_string's.
        out.push_str(" --nfacct-name ");
        crate::syntax::save_string(out, &self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Nfacct> {
        parse_as(Family::Ipv4, "nfacct", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `--nfacct-name "a b"` (after `nfacct add "a b"`), revision 1.
        let mut bytes = hex("61206200");
        bytes.resize(40, 0);
        let m = parse(&["--nfacct-name", "a b"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Nfacct::decode(&ctx, 1, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " --nfacct-name  \"a b\"");
        let old = Nfacct::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(old.revision(), 0);
        assert_eq!(encode_as(Family::Ipv4, &old), bytes);
    }

    #[test]
    fn refusals() {
        let long = "n".repeat(40);
        assert_eq!(parse(&["--nfacct-name", &long]).unwrap().name.len(), 31);
        assert!(parse(&[]).is_err());
        assert!(parse(&["--nfacct-name", ""]).is_err());
        assert!(parse(&["--nfacct-name", "a\nb"]).is_err());
        assert!(parse(&["!", "--nfacct-name", "a"]).is_err());
        assert!(parse(&["--nfacct-name", "a", "--nfacct-name", "b"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[(46, "-m nfacct", None)]);
    }
}
