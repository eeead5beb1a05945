//! Any text as iptables-restore input: parse and apply never panic.
#![no_main]

use iptkit::syntax::restore::{parse, RestoreOptions};
use iptkit::{Family, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(blocks) = parse(Family::Ipv4, text) {
        for b in blocks {
            let mut t = Table::new(Family::Ipv4, &b.name).expect("parse checked the table name");
            let _ = b.apply(&mut t, &RestoreOptions { noflush: true, counters: true, table: None });
        }
    }
});
