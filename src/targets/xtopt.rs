//! What the target codecs of this folder share with libxtables' option
//! parser (`xtoptions.c`): the option-table checks of `xtables_option_parse`
//! and `xtables_options_fcheck` (used once, not inverted, mandatory, mutually
//! exclusive); the numbers are [`crate::xtopt`]'s.
//!
//! A target lists its options in a table of [`Opt`], indexed by a small
//! constant per option, and keeps a [`Seen`] in its value.

use crate::error::{Error, Result};
use std::hash::{Hash, Hasher};

/// One option of a target's table (`struct xt_option_entry`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opt {
    /// The long name, without dashes.
    pub name: &'static str,
    /// `XTOPT_MAND`: the rule must give it.
    pub mand: bool,
    /// `.excl`: bits (table indexes) of options it cannot be combined with.
    pub excl: u32,
}

impl Opt {
    /// An optional option, excluding nothing. (No target option can be
    /// inverted, so there is no `XTOPT_INVERT`.)
    pub const fn new(name: &'static str) -> Opt {
        Opt {
            name,
            mand: false,
            excl: 0,
        }
    }

    /// The same option, mandatory.
    pub const fn mand(self) -> Opt {
        Opt { mand: true, ..self }
    }

    /// The same option, excluding the options of bits `excl`.
    pub const fn excl(self, excl: u32) -> Opt {
        Opt { excl, ..self }
    }
}

/// Which options of its table a target took while parsing.
///
/// This is bookkeeping for [`crate::extension::Extension::parse_option`] and
/// `finish`, not part of the value: every `Seen` equals every other, so a
/// parsed value equals the same value decoded from the kernel.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen(u32);

impl PartialEq for Seen {
    fn eq(&self, _other: &Seen) -> bool {
        true
    }
}

impl Eq for Seen {}

impl Hash for Seen {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl Seen {
    /// Takes option `table[id]` of target `ext`: refuses a second use and a
    /// `!`, as `xtables_option_parse` does.
    pub(crate) fn take(&mut self, ext: &str, table: &[Opt], id: usize, invert: bool) -> Result<()> {
        let opt = &table[id];
        if self.has(id) {
            return Err(Error::rule(
                ext,
                format!("option \"--{}\" can only be used once", opt.name),
            ));
        }
        if invert {
            return Err(Error::rule(
                ext,
                format!("option \"--{}\" cannot be inverted", opt.name),
            ));
        }
        self.0 |= 1 << id;
        Ok(())
    }

    /// Records option `id` as taken without the checks of [`Seen::take`]
    /// (for options that set what another option sets).
    pub(crate) fn mark(&mut self, id: usize) {
        self.0 |= 1 << id;
    }

    /// True when option `id` was taken.
    pub(crate) fn has(self, id: usize) -> bool {
        self.0 & (1 << id) != 0
    }

    /// True when no option was taken.
    pub(crate) fn none(self) -> bool {
        self.0 == 0
    }

    /// The final checks of `xtables_options_fcheck`, in table order:
    /// mandatory options given, exclusive options not combined.
    pub(crate) fn fcheck(self, ext: &str, table: &[Opt]) -> Result<()> {
        for (id, opt) in table.iter().enumerate() {
            if opt.mand && !self.has(id) {
                return Err(Error::rule(
                    ext,
                    format!("option \"--{}\" must be specified", opt.name),
                ));
            }
            if !self.has(id) {
                continue;
            }
            for (other_id, other) in table.iter().enumerate() {
                if other_id != id && opt.excl & (1 << other_id) != 0 && self.has(other_id) {
                    return Err(Error::rule(
                        ext,
                        format!(
                            "option \"--{}\" cannot be used together with \"--{}\"",
                            opt.name, other.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Parser state an extension keeps between `parse_option` and `finish`
/// (iptables' `udata`). Like [`Seen`], not part of the value: every
/// `Scratch` equals every other.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scratch<T>(pub T);

impl<T> PartialEq for Scratch<T> {
    fn eq(&self, _other: &Scratch<T>) -> bool {
        true
    }
}

impl<T> Eq for Scratch<T> {}

impl<T> Hash for Scratch<T> {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

/// Checks that a decoded value encodes back to the bytes it came from, up
/// to `upto` (where the kernel-private fields start), so that values this
/// crate cannot write back (stray bytes after a NUL, bits without their
/// flag) stay raw.
pub(crate) fn same_bytes(ext: &str, encoded: &[u8], data: &[u8], upto: usize) -> Result<()> {
    if encoded.get(..upto) == data.get(..upto) {
        Ok(())
    } else {
        Err(Error::Malformed(format!(
            "{ext}: bytes this codec would not write back"
        )))
    }
}

/// `s` cut to fit a C string field of `n` bytes with its NUL, as
/// `XTTYPE_STRING` options cut it (`strncpy`; here at a character boundary).
pub(crate) fn truncated(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Copies `s` into a C string field of `N` bytes, cut as [`truncated`] cuts it.
pub(crate) fn put_truncated<const N: usize>(s: &str, field: &mut [u8; N]) {
    let s = truncated(s, N);
    field.fill(0);
    field[..s.len()].copy_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[
        Opt::new("a").mand(),
        Opt::new("b").excl(1 << 2),
        Opt::new("c"),
    ];

    #[test]
    fn option_table_checks() {
        let mut s = Seen::default();
        assert!(s.fcheck("X", OPTS).is_err());
        s.take("X", OPTS, 0, false).unwrap();
        assert!(s.take("X", OPTS, 0, false).is_err());
        assert!(s.take("X", OPTS, 1, true).is_err());
        s.fcheck("X", OPTS).unwrap();
        s.take("X", OPTS, 1, false).unwrap();
        s.take("X", OPTS, 2, false).unwrap();
        let e = s.fcheck("X", OPTS).unwrap_err().to_string();
        assert!(
            e.contains("\"--b\" cannot be used together with \"--c\""),
            "{e}"
        );
    }
}

/// Helpers for the tests of the target codecs in this folder.
#[cfg(test)]
pub(crate) mod testing {
    use crate::addr::Family;
    use crate::extension::{Ctx, Extension};
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};

    pub(crate) use crate::targets::reject::testing::hex;

    /// `value` encodes to `bytes` (the kernel's data, alignment padding
    /// included) and `bytes` decode to `value`, in a rule of `family`.
    pub(crate) fn both_ways<T: Extension>(family: Family, value: &T, bytes: &[u8]) {
        crate::targets::reject::testing::both_ways(&Ctx::new(family), value, bytes);
    }

    /// Runs rule specs through the rule parser and printer: `Some(save)` is
    /// what iptables-legacy-save printed after `-A CHAIN`, `None` a rule the
    /// iptables parser refused.
    pub(crate) fn conformance(cases: &[(Family, &str, Option<&str>)]) {
        for (family, rule, want) in cases {
            let argv = split_words(rule).unwrap();
            let got = parse_rule_spec(*family, &argv);
            match (got, want) {
                (Ok((rules, _)), Some(want)) => {
                    let saved: Vec<String> = rules
                        .iter()
                        .map(|r| save_rule_spec(r).trim_start().to_string())
                        .collect();
                    assert_eq!(saved, [want.to_string()], "{family:?} `{rule}`");
                }
                (Err(e), Some(_)) => panic!("{family:?} `{rule}` refused: {e}"),
                (Ok((rules, _)), None) => panic!(
                    "{family:?} `{rule}` accepted as {:?}, iptables refuses it",
                    save_rule_spec(&rules[0])
                ),
                (Err(_), None) => {}
            }
        }
    }
}
