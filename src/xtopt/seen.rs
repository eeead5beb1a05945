//! The option bookkeeping of `xtables_option_parse` and
//! `xtables_options_fcheck`: an option only once, `!` only where the option
//! allows it, mandatory options, options that exclude each other.
//!
//! The rule parser keeps a [`Seen`] per extension and hands it to the
//! codec's `parse_option`/`finish`; a codec names its options by bits
//! (`const O_MARK: u32 = 1 << 0`), or lists them in a table of [`Opt`]
//! (`struct xt_option_entry`) indexed by small numbers.

use crate::error::{Error, Result};

/// `option` without its leading dashes.
fn bare(option: &str) -> &str {
    option.trim_start_matches('-')
}

/// Which options an extension took while parsing, as bits: the rule
/// parser's bookkeeping for one match or target, kept beside the value (not
/// in it), so that extension values are plain data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    bits: u32,
    /// Numbers an extension carries from its options to its `finish`
    /// (iptables' `udata`; hashlimit: the seconds in the rate's unit, which
    /// set defaults; statistic: options that land in one field whatever
    /// their order).
    pub(crate) aux: [u32; 4],
}

impl Seen {
    /// Takes option `--option` (bit `bit`) of extension `ext`, as
    /// `xtables_option_parse` does: refuses a second use, then a `!` unless
    /// the option is `invertible`.
    pub(crate) fn take(
        &mut self,
        ext: &str,
        option: &str,
        bit: u32,
        invert: bool,
        invertible: bool,
    ) -> Result<()> {
        once(ext, option, self.has(bit))?;
        self.take_multi(ext, option, bit, invert, invertible)
    }

    /// [`Seen::take`] for an option that may be given any number of times
    /// (`XTOPT_MULTI`).
    pub(crate) fn take_multi(
        &mut self,
        ext: &str,
        option: &str,
        bit: u32,
        invert: bool,
        invertible: bool,
    ) -> Result<()> {
        if !invertible {
            no_invert(ext, option, invert)?;
        }
        self.bits |= bit;
        Ok(())
    }

    /// Records `bit` as taken without any check (for options that set what
    /// another option sets).
    pub(crate) fn mark(&mut self, bit: u32) {
        self.bits |= bit;
    }

    /// True when any option of `bits` was taken.
    pub(crate) fn has(self, bits: u32) -> bool {
        self.bits & bits != 0
    }

    /// True when no option was taken.
    pub(crate) fn none(self) -> bool {
        self.bits == 0
    }

    /// Refuses a missing mandatory option (`XTOPT_MAND`).
    pub(crate) fn require(self, ext: &str, option: &str, bit: u32) -> Result<()> {
        if !self.has(bit) {
            return Err(Error::rule(
                ext,
                format!("option \"--{}\" must be specified", bare(option)),
            ));
        }
        Ok(())
    }

    /// Refuses two options that exclude each other (`.excl`).
    pub(crate) fn exclude(self, ext: &str, a: (&str, u32), b: (&str, u32)) -> Result<()> {
        if self.has(a.1) && self.has(b.1) {
            return Err(Error::rule(
                ext,
                format!(
                    "option \"--{}\" cannot be used together with \"--{}\"",
                    bare(a.0),
                    bare(b.0)
                ),
            ));
        }
        Ok(())
    }

    /// Takes option `table[id]` of an extension whose options cannot be
    /// inverted (no target option can): [`Seen::take`] of bit `1 << id`.
    pub(crate) fn take_opt(
        &mut self,
        ext: &str,
        table: &[Opt],
        id: usize,
        invert: bool,
    ) -> Result<()> {
        self.take(ext, table[id].name, 1 << id, invert, false)
    }

    /// True when option `table[id]` was taken.
    pub(crate) fn has_opt(self, id: usize) -> bool {
        self.has(1 << id)
    }

    /// Records option `table[id]` as taken, without checks.
    pub(crate) fn mark_opt(&mut self, id: usize) {
        self.mark(1 << id);
    }

    /// The final checks of `xtables_options_fcheck`, in table order:
    /// mandatory options given, exclusive options not combined.
    pub(crate) fn fcheck(self, ext: &str, table: &[Opt]) -> Result<()> {
        for (id, opt) in table.iter().enumerate() {
            if opt.mand {
                self.require(ext, opt.name, 1 << id)?;
            }
            if !self.has_opt(id) {
                continue;
            }
            for (other_id, other) in table.iter().enumerate() {
                if other_id != id && opt.excl & (1 << other_id) != 0 {
                    self.exclude(ext, (opt.name, 1 << id), (other.name, 1 << other_id))?;
                }
            }
        }
        Ok(())
    }
}

/// One option of an extension's table (`struct xt_option_entry`).
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

/// Refuses a `!` before `--option` of `ext`, which cannot be inverted.
pub(crate) fn no_invert(ext: &str, option: &str, invert: bool) -> Result<()> {
    if invert {
        return Err(Error::rule(
            ext,
            format!("option \"--{}\" cannot be inverted", bare(option)),
        ));
    }
    Ok(())
}

/// Refuses `--option` of `ext` given twice (`already` says it was seen).
pub(crate) fn once(ext: &str, option: &str, already: bool) -> Result<()> {
    if already {
        return Err(Error::rule(
            ext,
            format!("option \"--{}\" can only be used once", bare(option)),
        ));
    }
    Ok(())
}

/// Takes a flag option (`XTTYPE_NONE`) `--option` of `ext` into `slot`, as
/// [`Seen::take`] would: refuses a second use and a `!`.
pub(crate) fn take_flag(ext: &str, option: &str, slot: &mut bool, invert: bool) -> Result<()> {
    once(ext, option, *slot)?;
    no_invert(ext, option, invert)?;
    *slot = true;
    Ok(())
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
        assert!(s.none());
        assert!(s.fcheck("X", OPTS).is_err());
        s.take_opt("X", OPTS, 0, false).unwrap();
        assert!(s.take_opt("X", OPTS, 0, false).is_err());
        assert!(s.take_opt("X", OPTS, 1, true).is_err());
        s.fcheck("X", OPTS).unwrap();
        s.take_opt("X", OPTS, 1, false).unwrap();
        s.take_opt("X", OPTS, 2, false).unwrap();
        let e = s.fcheck("X", OPTS).unwrap_err().to_string();
        assert!(
            e.contains("\"--b\" cannot be used together with \"--c\""),
            "{e}"
        );
    }

    #[test]
    fn bits() {
        let mut s = Seen::default();
        s.take("x", "--a", 1, true, true).unwrap();
        let e = s.take("x", "a", 1, false, true).unwrap_err().to_string();
        assert_eq!(e, "x: option \"--a\" can only be used once");
        let e = s.take("x", "b", 2, true, false).unwrap_err().to_string();
        assert_eq!(e, "x: option \"--b\" cannot be inverted");
        s.take_multi("x", "c", 4, false, false).unwrap();
        s.take_multi("x", "c", 4, false, false).unwrap();
        assert!(s.has(1 | 2) && !s.has(2) && s.has(4));
        assert!(s.require("x", "b", 2).is_err());
        assert!(s.exclude("x", ("a", 1), ("c", 4)).is_err());
        assert_ne!(Seen::default(), s);
    }
}
