//! Any bytes as any extension's kernel data: decode never panics, and a value
//! that decodes encodes to bytes that decode to the same value.
#![no_main]

use iptkit::extension::Ctx;
use iptkit::{Family, Match, TargetExt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let family = if data[0] & 1 == 0 { Family::Ipv4 } else { Family::Ipv6 };
    let ctx = Ctx { proto: data[1], ..Ctx::new(family) };
    let revision = data[2] & 7;
    let body = &data[3..];
    let matches = Match::known_names();
    let targets = TargetExt::known_names();
    let pick = data[0] as usize >> 1;
    if pick % 2 == 0 {
        let name = matches[(pick / 2) % matches.len()];
        let m = Match::decode(&ctx, name, revision, body);
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        let mut s = String::new();
        m.save(&ctx, &mut s);
        let again = Match::decode(&ctx, name, m.revision(), &out);
        assert_eq!(again, m, "{name} rev {revision}");
    } else {
        let name = targets[(pick / 2) % targets.len()];
        let t = TargetExt::decode(&ctx, name, revision, body);
        let mut out = Vec::new();
        t.encode(&ctx, &mut out);
        let mut s = String::new();
        t.save(&ctx, &mut s);
        let again = TargetExt::decode(&ctx, name, t.revision(), &out);
        assert_eq!(again, t, "{name} rev {revision}");
    }
});
