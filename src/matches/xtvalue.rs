//! Test helpers of the matches of this area: options in, kernel bytes and
//! iptables-save text out.

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
