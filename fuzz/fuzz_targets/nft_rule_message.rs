//! Any bytes as an nf_tables rule message from a dump: the attribute
//! reader never panics and never reads past the message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iptkit::fuzz::nft_rule_message(data);
});
