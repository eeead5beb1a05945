//! Legacy backend speed on a large table: read it, append one rule (with a
//! fresh handle, and with one kept open), insert 1,000 rules in one commit,
//! delete one rule.
//!
//! Needs root: the bench first moves its thread into a private network
//! namespace (criterion runs every routine on this thread), so the machine's
//! own firewall is never touched. The xtables lock is a private file, so
//! tests running elsewhere on the machine do not skew the numbers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode};
use iptkit::syntax::restore::{parse, RestoreOptions};
use iptkit::{Family, Handle, Options, Rule, Table};

#[path = "shared/ruleset.rs"]
mod ruleset;
use ruleset::{big_ruleset, rule_spec, CHAIN};

/// Rules in the big table.
const BIG: usize = 10_000;
/// Rules inserted by the bulk bench.
const BULK: usize = 1_000;

fn lock_file() -> PathBuf {
    std::env::temp_dir().join(format!("iptkit-bench-{}.lock", std::process::id()))
}

fn options() -> Options {
    Options {
        lock_path: Some(lock_file()),
        ..Options::default()
    }
}

fn open() -> Handle {
    Handle::open_with(Family::Ipv4, "filter", options()).expect("opening filter")
}

/// Replaces the filter table with `n` rules of [`big_ruleset`].
fn load(n: usize) {
    let blocks = parse(Family::Ipv4, &big_ruleset(n)).expect("the generated rules parse");
    let mut table = Table::new(Family::Ipv4, "filter").expect("a filter table");
    blocks[0]
        .apply(&mut table, &RestoreOptions::default())
        .expect("the generated rules apply");
    let mut h = open();
    h.replace_table(table).expect("replace_table");
    h.commit().expect("loading the big table");
}

fn rule(i: usize) -> Rule {
    Rule::parse(Family::Ipv4, &rule_spec(i)).expect("a generated rule parses")
}

/// Times `step` only; `undo` runs after each step, untimed, to put the table
/// back as it was.
fn timed(iters: u64, mut step: impl FnMut(), mut undo: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        step();
        total += start.elapsed();
        undo();
    }
    total
}

fn legacy(c: &mut Criterion) {
    iptkit::netns::unshare_net()
        .expect("the legacy benches run as root: they need a private network namespace");
    let mut g = c.benchmark_group("legacy");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    load(BIG);
    g.bench_function("read a 10k-rule table", |b| b.iter(|| black_box(open())));

    // A commit on the big table takes tens of milliseconds, and each is
    // undone untimed: flat sampling keeps the run near the measurement time.
    g.sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(6));

    g.bench_function(
        "append one rule to a 10k-rule table (open+append+commit)",
        |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let mut h = open();
                        h.append(CHAIN, rule(BIG)).expect("append");
                        h.commit().expect("commit");
                    },
                    || {
                        let mut h = open();
                        h.delete_rule(CHAIN, &rule(BIG)).expect("delete");
                        h.commit().expect("commit");
                    },
                )
            })
        },
    );

    // A handle kept open: after its first commit it holds the table it
    // committed, so each further commit only checks that the kernel still
    // holds it (one GET_ENTRIES, no decode) before sending the new one.
    let kept = std::cell::RefCell::new(open());
    g.bench_function(
        "append one rule to a 10k-rule table, handle kept open (append+commit)",
        |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let mut h = kept.borrow_mut();
                        h.append(CHAIN, rule(BIG)).expect("append");
                        h.commit().expect("commit");
                    },
                    || {
                        let mut h = kept.borrow_mut();
                        h.delete_rule(CHAIN, &rule(BIG)).expect("delete");
                        h.commit().expect("commit");
                    },
                )
            })
        },
    );
    drop(kept);

    g.bench_function(
        "delete one rule from a 10k-rule table (open+delete+commit)",
        |b| {
            let middle = BIG / 2;
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let mut h = open();
                        h.delete(CHAIN, middle).expect("delete");
                        h.commit().expect("commit");
                    },
                    || {
                        let mut h = open();
                        h.insert(CHAIN, middle, rule(middle)).expect("insert");
                        h.commit().expect("commit");
                    },
                )
            })
        },
    );

    load(0);
    g.sampling_mode(SamplingMode::Auto)
        .measurement_time(Duration::from_secs(5));
    let bulk: Vec<Rule> = (0..BULK).map(rule).collect();
    g.bench_function("insert 1k rules in one commit (open+insert+commit)", |b| {
        b.iter_custom(|iters| {
            timed(
                iters,
                || {
                    let mut h = open();
                    for r in &bulk {
                        h.insert(CHAIN, 0, r.clone()).expect("insert");
                    }
                    h.commit().expect("commit");
                },
                || {
                    let mut h = open();
                    h.flush(CHAIN).expect("flush");
                    h.commit().expect("commit");
                },
            )
        })
    });
    g.finish();
    let _ = std::fs::remove_file(lock_file());
}

criterion_group!(benches, legacy);
criterion_main!(benches);
