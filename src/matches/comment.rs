//! `-m comment`: a note on a rule that matches every packet (`xt_comment.h`,
//! `struct xt_comment_info`).

use iptkit_sys::ext::xt_comment::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::{cut, no_invert};

/// `-m comment`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Comment {
    /// `--comment`: at most 255 bytes are stored (iptables cuts longer ones,
    /// and so does [`Comment::new_text`]). `None` only while parsing.
    pub comment: Option<String>,
}

/// The longest comment the kernel field holds, in bytes.
const MAX: usize = XT_MAX_COMMENT_LEN - 1;

impl Comment {
    /// A comment match with `text`, cut to 255 bytes (at a character boundary).
    pub fn new_text(text: &str) -> Comment {
        Comment {
            comment: Some(truncate(text).to_string()),
        }
    }
}

/// `text` cut to what the field holds, as iptables' `strncpy` does (but never
/// inside a UTF-8 character).
fn truncate(text: &str) -> &str {
    cut(text, MAX)
}

impl Extension for Comment {
    const NAME: &'static str = "comment";

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Comment::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_comment_info = read_struct(Self::NAME, revision, data)?;
        Ok(Comment {
            comment: Some(c_str(&k.comment)),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_comment_info::zeroed();
        let text = truncate(self.comment.as_deref().unwrap_or(""));
        k.comment[..text.len()].copy_from_slice(text.as_bytes());
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<bool> {
        if option != "comment" {
            return Ok(false);
        }
        no_invert(Self::NAME, option, invert)?;
        let v = args.value("--comment")?;
        set_once(&mut self.comment, "--comment", truncate(v).to_string())?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx) -> Result<()> {
        if self.comment.is_none() {
            return Err(Error::rule(
                "comment",
                "option \"--comment\" must be specified",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(c) = &self.comment {
            out.push_str(" --comment");
            crate::syntax::save_string(out, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    fn round(spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(Family::Ipv6, &split_words(spec)?)?;
        Ok(save_rule_spec(&rules[0]))
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-m comment --comment foo`: 256 bytes, NUL-padded.
        let mut bytes = vec![0u8; 256];
        bytes[..3].copy_from_slice(b"foo");
        let c = Comment::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(c, Comment::new_text("foo"));
        let mut out = Vec::new();
        c.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        assert!(Comment::decode(&ctx, 0, &bytes[..100]).is_err());
        assert!(Comment::decode(&ctx, 1, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        assert_eq!(
            round("-p tcp -m comment --comment foo -m tcp --dport 22").unwrap(),
            " -p tcp -m comment --comment foo -m tcp --dport 22"
        );
        assert_eq!(
            round("-m comment --comment \"\"").unwrap(),
            " -m comment --comment \"\""
        );
        assert_eq!(
            round(r#"-m comment --comment "a b\"c""#).unwrap(),
            r#" -m comment --comment "a b\"c""#
        );
        // Longer comments are cut to 255 bytes, as iptables does.
        let long = "y".repeat(300);
        assert_eq!(
            round(&format!("-m comment --comment {long}")).unwrap(),
            format!(" -m comment --comment {}", &long[..255])
        );
        assert_eq!(
            Comment::new_text(&"é".repeat(200)).comment.unwrap().len(),
            254
        );
    }

    #[test]
    fn refusals() {
        assert!(round("-m comment").is_err());
        assert!(round("-m comment --comment").is_err());
        assert!(round("-m comment ! --comment x").is_err());
        assert!(round("-m comment --comment a --comment b").is_err());
    }
    /// Every case of extensions/libxt_comment.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m comment", None),
            (46, "-m comment --comment", None),
            (46, "-p tcp -m tcp --dport 22 -m comment --comment foo", Some(" -p tcp -m tcp --dport 22 -m comment --comment foo")),
            (46, "-p tcp -m comment --comment foo -m tcp --dport 22", Some(" -p tcp -m comment --comment foo -m tcp --dport 22")),
            (46, "-m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Some(" -m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")),
        ]);
    }
}
