//! Any bytes as iptables-restore input: parse, apply and save as bytes
//! never panic.
#![no_main]

use iptkit::syntax::restore::{parse_bytes, save_table_bytes, RestoreOptions};
use iptkit::{Family, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(blocks) = parse_bytes(Family::Ipv4, data) {
        for b in blocks {
            let mut t = Table::new(Family::Ipv4, &b.name).expect("parse checked the table name");
            let _ = b.apply(&mut t, &RestoreOptions { noflush: true, counters: true, table: None });
            let _ = save_table_bytes(&t, true);
        }
    }
});
