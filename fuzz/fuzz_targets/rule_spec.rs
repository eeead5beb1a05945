//! Any text as a rule spec: parse never panics, and what parses prints and
//! parses back to the same rules.
#![no_main]

use iptkit::syntax::{parse_rule_spec, save_rule_spec, split_words};
use iptkit::Family;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(words) = split_words(text) else { return };
    for family in [Family::Ipv4, Family::Ipv6] {
        if let Ok((rules, _)) = parse_rule_spec(family, &words) {
            for r in rules {
                let printed = save_rule_spec(&r);
                let again = split_words(&printed).expect("printed text splits");
                let (back, _) = parse_rule_spec(family, &again)
                    .unwrap_or_else(|e| panic!("`{printed}` does not parse back: {e}"));
                assert_eq!(save_rule_spec(&back[0]), printed);
            }
        }
    }
});
