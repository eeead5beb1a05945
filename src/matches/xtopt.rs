//! Test helpers of the match codecs.

/// Bytes from a hex string (test fixtures copied from kernel dumps).
#[cfg(test)]
pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Runs conformance cases: `(families, rule, saved)` where families is 4, 6
/// or 46, and `saved` is what iptables-legacy-save 1.8.9 printed after
/// `-A CHAIN`, or `None` when iptables' parser refused the rule.
#[cfg(test)]
pub(crate) fn check_cases(cases: &[(u32, &str, Option<&str>)]) {
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec};
    for &(families, rule, want) in cases {
        for (digit, family) in [('4', Family::Ipv4), ('6', Family::Ipv6)] {
            if !families.to_string().contains(digit) {
                continue;
            }
            let words: Vec<String> = rule.split_whitespace().map(String::from).collect();
            let got = parse_rule_spec(family, &words).map(|(rules, _)| {
                rules
                    .iter()
                    .map(save_rule_spec)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            match want {
                Some(w) => assert_eq!(got.as_deref().ok(), Some(w), "{family:?} {rule}: {got:?}"),
                None => assert!(got.is_err(), "{family:?} {rule} accepted: {got:?}"),
            }
            // What was parsed goes through the kernel bytes unchanged.
            if let Ok((rules, _)) = parse_rule_spec(family, &words) {
                let ctx = rules[0].ctx();
                for m in &rules[0].matches {
                    let mut bytes = Vec::new();
                    m.encode(&ctx, &mut bytes);
                    let back = crate::Match::decode(&ctx, m.name(), m.revision(), &bytes);
                    assert_eq!(&back, m, "{family:?} {rule}: bytes {bytes:02x?}");
                }
            }
        }
    }
}
