//! The option bookkeeping of libxtables for the matches of this area, and a
//! check that decoded kernel bytes encode back to themselves.

use crate::error::{Error, Result};
use crate::extension::{Ctx, Extension};
use std::hash::{Hash, Hasher};

/// Which options of an extension were given, for the checks
/// `xtables_option_parse` makes (an option only once, `!` only where
/// allowed) and the final "requires" checks. Parsing bookkeeping only: it
/// never makes two values unequal.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen(u32);

impl PartialEq for Seen {
    fn eq(&self, _: &Seen) -> bool {
        true
    }
}

impl Eq for Seen {}

impl Hash for Seen {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl Seen {
    /// Takes `--option` (option number `id`, below 32) that may be given once.
    pub fn once(&mut self, option: &str, id: u32, invert: bool, invertible: bool) -> Result<()> {
        if self.has(id) {
            return Err(Error::rule(format!("--{option}"), "can only be used once"));
        }
        self.multi(option, id, invert, invertible)
    }

    /// Takes `--option` that may be given any number of times.
    pub fn multi(&mut self, option: &str, id: u32, invert: bool, invertible: bool) -> Result<()> {
        if invert && !invertible {
            return Err(Error::rule(format!("--{option}"), "cannot be inverted"));
        }
        self.0 |= 1 << id;
        Ok(())
    }

    /// True when option `id` was given.
    pub fn has(&self, id: u32) -> bool {
        self.0 & (1 << id) != 0
    }
}

/// Values an extension collects while its options are parsed and turns
/// into its fields in `finish` (iptables writes some options into shared
/// struct fields whatever their order). Like [`Seen`], it never makes two
/// values unequal.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scratch<T>(pub T);

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _: &Scratch<T>) -> bool {
        true
    }
}

impl<T> Eq for Scratch<T> {}

impl<T> Hash for Scratch<T> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// Returns `value` only when it encodes back to `data` exactly (the struct,
/// then zero padding). Kernel bytes that iptables would never write (stray
/// flags, data in unused slots) are refused, so that the caller keeps them as
/// an unknown blob instead of silently dropping them.
pub(crate) fn exact<E: Extension>(ctx: &Ctx, data: &[u8], value: E) -> Result<E> {
    let mut out = Vec::new();
    value.encode(ctx, &mut out);
    let n = out.len();
    if data.len() >= n && data[..n] == out[..] && data[n..].iter().all(|&b| b == 0) {
        Ok(value)
    } else {
        Err(Error::Malformed(format!(
            "{}: bytes iptables would not write",
            E::NAME
        )))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::addr::Family;
    use crate::extension::{Args, Ctx, Extension};
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
    use crate::Result;

    /// A context of `family` without a protocol.
    pub fn ctx(family: Family) -> Ctx {
        Ctx::new(family)
    }

    /// Parses the options of one extension (`--dir in --pol ipsec`) as the
    /// rule parser hands them over, then runs `finish`.
    pub fn parse<E: Extension>(ctx: &Ctx, options: &str) -> Result<E> {
        let words = split_words(options)?;
        let mut v = E::new(ctx, E::NAME);
        let mut args = Args::new(&words);
        while let Some(w) = args.next() {
            let (invert, w) = match w {
                "!" => (true, args.next().expect("an option after !")),
                w => (false, w),
            };
            let known = v.parse_option(ctx, w.trim_start_matches('-'), invert, &mut args)?;
            assert!(known, "{w} is not an option of {}", E::NAME);
        }
        v.finish(ctx)?;
        Ok(v)
    }

    /// The iptables-save text of a value.
    pub fn save<E: Extension>(ctx: &Ctx, v: &E) -> String {
        let mut s = String::new();
        v.save(ctx, &mut s);
        s
    }

    /// Checks a fixture taken from the kernel (`xtdump.py`: the match data,
    /// padding included): `options` encode to exactly `hex` at `revision`,
    /// and `hex` decodes to the same value.
    pub fn kernel_fixture<E: Extension>(ctx: &Ctx, options: &str, revision: u8, hex: &str) {
        let v: E = parse(ctx, options).unwrap();
        assert_eq!(v.revision(), revision, "revision of `{options}`");
        let mut out = Vec::new();
        v.encode(ctx, &mut out);
        out.resize(iptkit_sys::xt_align(out.len()), 0);
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(out, bytes, "bytes of `{options}`");
        assert_eq!(
            E::decode(ctx, revision, &bytes).unwrap(),
            v,
            "decode of `{options}`"
        );
    }

    /// Runs conformance cases through the rule parser and printer: each
    /// `(rule, Some(save))` must print `-A CHAIN` + `save` exactly as
    /// iptables-legacy-save did, each `(rule, None)` must be refused, and
    /// `(rule, Some("?"))` (refused only by the kernel) must parse.
    pub fn conformance(family: Family, cases: &[(&str, Option<&str>)]) {
        let mut misses = Vec::new();
        for (rule, want) in cases {
            let got = split_words(rule).and_then(|w| parse_rule_spec(family, &w));
            match (got, want) {
                (Ok(_), Some("?")) => {}
                (Ok((rules, _)), Some(want)) => {
                    let got: Vec<String> = rules.iter().map(save_rule_spec).collect();
                    if got != [format!(" {want}")] {
                        misses.push(format!("`{rule}`: want ` {want}`, got {got:?}"));
                    }
                }
                (Err(e), Some(_)) => misses.push(format!("`{rule}` refused: {e}")),
                (Ok(_), None) => misses.push(format!("`{rule}` accepted")),
                (Err(_), None) => {}
            }
        }
        assert!(misses.is_empty(), "{}", misses.join("\n"));
    }
}
