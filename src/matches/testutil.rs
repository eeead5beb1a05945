//! Test helpers shared by the match codecs' unit tests.

use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

/// Parses `words` (options with their `!`) into a fresh `E`, then `finish`.
pub(crate) fn parse_opts<E: Extension>(ctx: &Ctx, words: &[&str]) -> Result<E> {
    let words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    let mut e = E::new(ctx, E::NAME);
    let mut args = Args::new(&words);
    while let Some(w) = args.next() {
        let (invert, w) = if w == "!" {
            (true, args.next().expect("an option after !"))
        } else {
            (false, w)
        };
        assert!(
            e.parse_option(ctx, w.trim_start_matches('-'), invert, &mut args)?,
            "{w} is not an option of {}",
            E::NAME
        );
    }
    e.finish(ctx)?;
    Ok(e)
}

/// `value` encodes to `bytes` and `bytes` decode to `value`.
pub(crate) fn bytes_both_ways<E: Extension>(ctx: &Ctx, value: &E, bytes: &[u8]) {
    let mut out = Vec::new();
    value.encode(ctx, &mut out);
    assert_eq!(out, bytes, "encode");
    assert_eq!(
        &E::decode(ctx, value.revision(), bytes).expect("decode"),
        value,
        "decode"
    );
}

/// A rule spec (iptables-restore quoting) parsed and saved as
/// iptables-legacy-save prints it after `-A CHAIN`.
pub(crate) fn round(family: Family, spec: &str) -> Result<String> {
    let (rules, _) = parse_rule_spec(family, &split_words(spec)?)?;
    Ok(rules
        .iter()
        .map(save_rule_spec)
        .collect::<Vec<_>>()
        .join("\n"))
}
