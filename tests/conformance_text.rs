//! The shared corpus, text only: every case whose extensions are all typed
//! parses and prints exactly as iptables-legacy-save printed it, and every
//! case the iptables parser refused is refused by ours.
// Needs the shared corpus, outside this repository (see the `corpus`
// feature in Cargo.toml).
#![cfg(feature = "corpus")]

mod support {
    pub mod cases;
}

use iptkit::syntax::{parse_rule_spec, save_rule_spec};
use support::cases;

#[test]
fn typed_cases_print_like_iptables_legacy_save() {
    let all = cases::load();
    let (mut printed, mut refused, mut out_of_scope) = (0, 0, 0);
    let mut misses = Vec::new();
    for c in &all {
        if !cases::typed(c) {
            out_of_scope += 1;
            continue;
        }
        let parsed = parse_rule_spec(c.family, &c.argv);
        let want = &c.legacy;
        match (&parsed, want.accepted, want.stage.as_deref()) {
            (Ok((rules, _)), true, _) => {
                let got: Vec<String> = rules
                    .iter()
                    .map(|r| format!("-A {}{}", c.chain, save_rule_spec(r)))
                    .collect();
                if got == want.save {
                    printed += 1;
                } else {
                    misses.push(format!(
                        "{}: `{}`\n   want {:?}\n   got  {:?}",
                        c.source, c.rule, want.save, got
                    ));
                }
            }
            (Err(e), true, _) => misses.push(format!("{}: `{}` refused: {e}", c.source, c.rule)),
            (Err(_), false, Some("userspace")) => refused += 1,
            // iptables looks sets up while parsing; iptkit resolves them at
            // commit, so tests/legacy_ipset.rs checks these against the kernel.
            (Ok(_), false, Some("userspace"))
                if want
                    .error
                    .as_deref()
                    .is_some_and(|e| e.contains("doesn't exist")) => {}
            (Ok(_), false, Some("userspace")) => misses.push(format!(
                "{}: `{}` accepted, iptables said: {:?}",
                c.source, c.rule, want.error
            )),
            // Refused by the kernel: checked against the kernel in conformance_kernel.rs.
            (_, false, _) => {}
        }
    }
    misses.dedup();
    println!(
        "conformance (text, legacy): {printed} printed exactly, {refused} refused as iptables refuses, \
         {out_of_scope} of {} cases name extensions not typed yet, {} misses",
        all.len(),
        misses.len()
    );
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
