//! Any bytes as an ipset list reply: the reader of kernel sets never
//! panics and never reads past the message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iptkit::fuzz::ipset_list_message(data);
});
