//! nf_tables backend speed (iptables-nft's layout), the same benches as
//! `legacy.rs`: appends of 1k, 10k and 50k rules in one commit; one insert
//! and one delete on a 10k-rule chain, with a new handle and with one kept
//! open; a flush and 1,000 deletes on it; reading a 50k-rule table.
//!
//! Needs root and the `nft` feature: the bench first moves its thread into a
//! private network namespace, so the machine's own firewall is never touched
//! (see `shared/kernel.rs`).

use criterion::{criterion_group, criterion_main, Criterion};
use iptkit::Backend;

#[path = "shared/kernel.rs"]
mod kernel;
#[path = "shared/ruleset.rs"]
mod ruleset;
#[path = "shared/timing.rs"]
mod timing;

fn nft(c: &mut Criterion) {
    kernel::benches(c, Backend::Nft, "nft");
}

criterion_group!(benches, nft);
criterion_main!(benches);
