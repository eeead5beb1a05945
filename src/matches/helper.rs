//! `-m helper`: the conntrack helper of the packet's connection (`ftp`,
//! `sip`, ...) (`xt_helper.h`, `struct xt_helper_info`).

use iptkit_sys::ext::xt_helper::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, c_str, put_c_str, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{bool_field, truncated, Seen};

/// `-m helper`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Helper {
    /// `[!] --helper NAME`: the helper's name (at most 29 bytes; iptables
    /// cuts longer ones), optionally with a port (`ftp-2121`).
    pub name: Inv<String>,
}

impl Helper {
    /// A match on helper `name`.
    pub fn with(name: Inv<String>) -> Self {
        Helper { name }
    }
}

const O_HELPER: u32 = 1;

impl Extension for Helper {
    const NAME: &'static str = "helper";

    fn example(_family: crate::addr::Family) -> Self {
        Helper::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Helper::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_helper_info = read_struct(Self::NAME, revision, data)?;
        let invert = bool_field(Self::NAME, "invert", k.invert as u32)?;
        Ok(Helper::with(Inv::new(c_str(&k.name), invert)))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_helper_info::zeroed();
        k.invert = i32::from(self.name.invert);
        // A name set through the API may be too long: keep what fits, as iptables does.
        let name = truncated(&self.name.value, k.name.len()).to_string();
        let _ = put_c_str("helper name", &name, &mut k.name);
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
        if option != "helper" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, O_HELPER, invert, true)?;
        let name = truncated(args.value("--helper")?, 30).to_string();
        self.name = Inv::new(name, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "helper", O_HELPER)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(self.name.bang());
        out.push_str(" --helper");
        crate::syntax::save_string(out, &self.name.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Helper> {
        parse_as(Family::Ipv4, "helper", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `! --helper ftp`
        let bytes = hex("010000006674700000000000000000000000000000000000000000000000000000000000");
        let m = parse(&["!", "--helper", "ftp"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Helper::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " ! --helper ftp");
        // `--helper 'a b"abcdefghijklmnopqrstuvwxyz0123'`: cut to 29 bytes.
        let bytes = hex("00000000612062226162636465666768696a6b6c6d6e6f70717273747576777879000000");
        let m = parse(&["--helper", "a b\"abcdefghijklmnopqrstuvwxyz0123"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Helper::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), r#" --helper "a b\"abcdefghijklmnopqrstuvwxy""#);
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(
            save_as(&parse(&["--helper", ""]).unwrap()),
            " --helper \"\""
        );
        assert!(parse(&[]).is_err());
        assert!(parse(&["--helper", "ftp", "--helper", "sip"]).is_err());
        assert!(parse(&["--helper"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (
                46,
                "-m helper --helper ftp",
                Some(" -m helper --helper ftp"),
            ),
            (46, "-m helper", None),
        ]);
    }
}
