//! Test helpers of the target codecs.

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
