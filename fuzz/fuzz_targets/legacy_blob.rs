//! Any bytes as a legacy table (GET_INFO's hook layout, then GET_ENTRIES'
//! entries): decoding never panics, and what decodes survives an encode and a
//! decode unchanged (`decode_entries` checks that and says so as an error).
#![no_main]

use iptkit::fuzz::legacy_entries as decode_entries;
use iptkit::Family;
use iptkit_sys::xtables::ipt_getinfo;
use iptkit_sys::Pod;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // 44 bytes of header: valid_hooks, 5 hook_entry, 5 underflow, num_entries.
    if data.len() < 45 {
        return;
    }
    let word = |i: usize| u32::from_le_bytes(data[i * 4..i * 4 + 4].try_into().unwrap());
    let mut info = ipt_getinfo::zeroed();
    info.valid_hooks = word(0) & 0x1f;
    for h in 0..5 {
        info.hook_entry[h] = word(1 + h) % 4096;
        info.underflow[h] = word(6 + h) % 4096;
    }
    let family = if data[44] & 1 == 0 { Family::Ipv4 } else { Family::Ipv6 };
    let entries = &data[45..];
    info.num_entries = word(0) >> 5 & 0xff;
    info.size = entries.len() as u32;
    if let Err(iptkit::Error::Malformed(m)) = decode_entries(family, &info, entries) {
        assert!(!m.contains("does not survive"), "{m}");
    }
});
