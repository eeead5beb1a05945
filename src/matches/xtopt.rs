//! Addresses read the way libxtables' option types read them
//! (`xtoptions.c`): `inet_aton`.

/// An IPv4 address as glibc's `inet_aton` reads it (what `getaddrinfo`
/// accepts for numbers): one to four parts, each decimal, `0x` hex or `0`
/// octal; the last part fills the remaining bytes (`10.1` is 10.0.0.1).
pub(crate) fn inet_aton(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::with_capacity(4);
    for p in &parts {
        let (radix, digits) = match p.as_bytes() {
            [b'0', b'x' | b'X', ..] => (16, &p[2..]),
            [b'0', _, ..] => (8, &p[1..]),
            [] => return None,
            _ => (10, *p),
        };
        let v = if digits.is_empty() {
            0
        } else if digits.chars().all(|c| c.is_digit(radix)) {
            u32::from_str_radix(digits, radix).ok()?
        } else {
            return None;
        };
        vals.push(v);
    }
    let (last, head) = vals.split_last()?;
    if head.iter().any(|&v| v > 0xff) {
        return None;
    }
    let shift = 8 * (4 - head.len() as u32);
    if shift < 32 && *last >> shift != 0 {
        return None;
    }
    let mut v = *last;
    for (i, &h) in head.iter().enumerate() {
        v |= h << (24 - 8 * i as u32);
    }
    Some(v.into())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_like_glibc() {
        let a = |s| inet_aton(s).map(|a| a.to_string());
        assert_eq!(a("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(a("33").as_deref(), Some("0.0.0.33"));
        assert_eq!(a("10.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(a("10.1.0x102").as_deref(), Some("10.1.1.2"));
        assert_eq!(a("0x8").as_deref(), Some("0.0.0.8"));
        assert_eq!(a("010.0.0.1").as_deref(), Some("8.0.0.1"));
        assert_eq!(a("4294967295").as_deref(), Some("255.255.255.255"));
        assert_eq!(a("08"), None);
        assert_eq!(a("1.2.3.256"), None);
        assert_eq!(a("1.256.3"), None);
        assert_eq!(a("1.2.3.4.5"), None);
        assert_eq!(a("1..2"), None);
        assert_eq!(a(" 1.2.3.4"), None);
        assert_eq!(a("-1"), None);
        assert_eq!(a(""), None);
    }
}
