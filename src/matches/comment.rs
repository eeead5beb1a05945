//! `-m comment`: a note on a rule that matches every packet (`xt_comment.h`,
//! `struct xt_comment_info`).
//!
//! ```
//! use iptkit::matches::comment::Comment;
//! use iptkit::{Family, Rule, Target};
//! let rule = Rule::new(Family::Ipv4).with_match(Comment::new("allow ssh")).with_target(Target::Accept);
//! assert_eq!(rule.to_string(), "-m comment --comment \"allow ssh\" -j ACCEPT");
//! assert_eq!(rule.comment(), Some("allow ssh"));
//! assert_eq!(Rule::parse(Family::Ipv4, "-m comment --comment \"allow ssh\" -j ACCEPT")?, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_comment::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{cut, no_invert, once};

/// `-m comment`.
///
/// A comment is bytes, as the kernel and iptables keep it: usually UTF-8
/// text ([`Comment::to_str`]), but any bytes but NUL that iptables was
/// given (`iptables-restore` reads bytes, and so does [`parse_bytes`]) are
/// kept and written back as they are ([`Comment::as_bytes`]). At most 255 bytes are stored: iptables cuts
/// a longer comment there, even inside a UTF-8 character, and so does the
/// parser; [`Comment::new`] cuts at a character boundary.
///
/// iptables-save text made as a `String` ([`save_rule_spec`],
/// [`save_table`]) cannot hold bytes that are not UTF-8 and shows them as
/// U+FFFD; [`save_table_bytes`] prints them as iptables-save does.
///
/// [`save_rule_spec`]: crate::syntax::save_rule_spec
/// [`save_table`]: crate::syntax::restore::save_table
/// [`save_table_bytes`]: crate::syntax::restore::save_table_bytes
/// [`parse_bytes`]: crate::syntax::restore::parse_bytes
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment {
    // `None` only while parsing.
    text: Option<Box<[u8]>>,
}

/// The longest comment the kernel field holds, in bytes.
const MAX: usize = XT_MAX_COMMENT_LEN - 1;

impl Comment {
    /// A comment match with `text`, cut to 255 bytes (at a character boundary).
    pub fn new(text: &str) -> Comment {
        Comment::from_bytes(cut(text, MAX).as_bytes())
    }

    /// A comment match with `bytes` up to the first NUL, cut to 255 bytes,
    /// as iptables would store them.
    pub fn from_bytes(bytes: &[u8]) -> Comment {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        Comment {
            text: Some(bytes[..end.min(MAX)].into()),
        }
    }

    /// The comment's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.text.as_deref().unwrap_or_default()
    }

    /// The comment as text; `None` when its bytes are not UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// Appends ` --comment VALUE` as iptables-save prints it, byte for byte.
    pub(crate) fn save_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b" --comment");
        crate::syntax::save_string_bytes(out, self.as_bytes());
    }
}

impl Extension for Comment {
    const NAME: &'static str = "comment";

    fn example(_family: crate::addr::Family) -> Self {
        Comment::new("example")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Comment { text: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_comment_info = read_struct(Self::NAME, revision, data)?;
        Ok(Comment::from_bytes(&k.comment))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_comment_info::zeroed();
        let text = self.as_bytes();
        let text = &text[..text.len().min(MAX)];
        k.comment[..text.len()].copy_from_slice(text);
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
        if option != "comment" {
            return Ok(false);
        }
        no_invert(Self::NAME, option, invert)?;
        once(Self::NAME, "--comment", self.text.is_some())?;
        // Cut as iptables' strncpy cuts, at byte 255.
        *self = Comment::from_bytes(&args.value_bytes("--comment")?);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.text.is_none() {
            return Err(Error::rule(
                "comment",
                "option \"--comment\" must be specified",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.text.is_some() {
            out.push_str(" --comment");
            crate::syntax::save_string(out, &String::from_utf8_lossy(self.as_bytes()));
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
        assert_eq!(c, Comment::new("foo"));
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
        assert_eq!(Comment::new(&"é".repeat(200)).as_bytes().len(), 254);
        // The parser cuts as iptables does, inside the last character.
        let spec = format!("-m comment --comment {}é", "a".repeat(254));
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(&spec).unwrap()).unwrap();
        let crate::matches::Match::Comment(c) = &rules[0].matches[0] else {
            panic!("{rules:?}")
        };
        assert_eq!(c.as_bytes(), [&[b'a'; 254][..], &[0xc3]].concat());
        assert_eq!(c.to_str(), None);
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
