//! The kernel benches, the same for each backend (`legacy.rs` and `nft.rs`
//! include this file with `#[path]`): the library side of the workloads of
//! `benches/compare.py`, through the public API only.
//!
//! Every change a bench times is undone untimed before the next one, so
//! each step starts from the same table. A step takes from a millisecond to
//! seconds: flat sampling and ten samples keep a group to a few seconds per
//! bench (criterion says so when a slow step needs more).

use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{black_box, BenchmarkGroup, Criterion, SamplingMode};
use iptkit::syntax::restore::{parse, RestoreOptions};
use iptkit::{Backend, Family, Handle, Options, Rule, Table};

use crate::ruleset::{big_ruleset, rule_spec, CHAIN};
use crate::timing::timed;

/// Rules of the table the single changes, the flush and the bulk delete
/// work on.
const BIG: usize = 10_000;
/// Rules of the table the read bench reads.
const HUGE: usize = 50_000;
/// Rules appended in one commit by the bulk benches.
const BULK: [usize; 3] = [1_000, 10_000, 50_000];

/// Runs the kernel benches of `backend` as criterion group `name`, in a
/// private network namespace (needs root).
pub fn benches(c: &mut Criterion, backend: Backend, name: &str) {
    // Criterion runs every routine on this thread: after this, nothing the
    // benches do can reach the machine's own firewall.
    iptkit::netns::unshare_net()
        .expect("the kernel benches run as root: they need a private network namespace");
    let k = Kernel {
        backend,
        lock: std::env::temp_dir().join(format!("iptkit-bench-{name}-{}.lock", std::process::id())),
    };
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    k.bulk(&mut g);
    k.single(&mut g);
    k.delete_many(&mut g);
    k.read(&mut g);
    g.finish();
    let _ = std::fs::remove_file(&k.lock);
}

struct Kernel {
    backend: Backend,
    /// A private xtables lock: tests running elsewhere on the machine
    /// neither block nor skew the benches.
    lock: PathBuf,
}

impl Kernel {
    fn options(&self, autocommit: bool) -> Options {
        Options::default()
            .backend(self.backend)
            .lock_path(self.lock.clone())
            .autocommit(autocommit)
    }

    fn open(&self) -> Handle {
        Handle::open_with(Family::Ipv4, "filter", self.options(false)).expect("opening filter")
    }

    /// Replaces the filter table with `n` rules of [`big_ruleset`].
    fn load(&self, n: usize) {
        let blocks = parse(Family::Ipv4, &big_ruleset(n)).expect("the generated rules parse");
        let mut table = Table::new(Family::Ipv4, "filter").expect("a filter table");
        blocks[0]
            .apply(&mut table, &RestoreOptions::default())
            .expect("the generated rules apply");
        let mut h = self.open();
        h.replace_table(table).expect("replace_table");
        h.commit().expect("loading the table");
    }

    /// Appends of 1k, 10k and 50k rules to an empty chain, one commit each.
    fn bulk(&self, g: &mut BenchmarkGroup<WallTime>) {
        self.load(0);
        for n in BULK {
            let rules: Vec<Rule> = (0..n).map(rule).collect();
            g.bench_function(format!("append {}k rules, one commit", n / 1000), |b| {
                b.iter_custom(|iters| {
                    timed(
                        iters,
                        || {
                            let mut h = self.open();
                            for r in &rules {
                                h.append(CHAIN, r.clone()).expect("append");
                            }
                            h.commit().expect("commit");
                        },
                        || self.change(|h| h.flush(CHAIN)),
                    )
                })
            });
        }
    }

    /// One insert at the head and one delete in the middle of a 10k-rule
    /// chain: with a new handle each time (as one `iptables` run), and with
    /// one autocommit handle kept open (as a daemon would).
    fn single(&self, g: &mut BenchmarkGroup<WallTime>) {
        self.load(BIG);
        let new = rule(BIG);
        let middle = BIG / 2;
        g.bench_function("insert at head of 10k, new handle", |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || self.change(|h| h.insert(CHAIN, 0, new.clone())),
                    || self.change(|h| h.delete(CHAIN, 0).map(drop)),
                )
            })
        });
        g.bench_function("delete one of 10k, new handle", |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || self.change(|h| h.delete(CHAIN, middle).map(drop)),
                    || self.change(|h| h.insert(CHAIN, middle, rule(middle))),
                )
            })
        });
        // The undo goes through the kept handle too: a change made by
        // another handle would make its next commit read the table again.
        let kept = RefCell::new(
            Handle::open_with(Family::Ipv4, "filter", self.options(true)).expect("opening filter"),
        );
        g.bench_function("insert at head of 10k, kept handle", |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        kept.borrow_mut()
                            .insert(CHAIN, 0, new.clone())
                            .expect("insert")
                    },
                    || drop(kept.borrow_mut().delete(CHAIN, 0).expect("delete")),
                )
            })
        });
        g.bench_function("delete one of 10k, kept handle", |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || drop(kept.borrow_mut().delete(CHAIN, middle).expect("delete")),
                    || {
                        let mut h = kept.borrow_mut();
                        h.insert(CHAIN, middle, rule(middle)).expect("insert")
                    },
                )
            })
        });
    }

    /// A flush of the 10k-rule chain, and 1,000 of its rules deleted by
    /// their specs (`-D CHAIN RULE`, as the `-D` lines of compare.py's
    /// delete workload), each in one commit.
    fn delete_many(&self, g: &mut BenchmarkGroup<WallTime>) {
        self.load(BIG);
        g.bench_function("flush a 10k-rule chain", |b| {
            b.iter_custom(|iters| {
                timed(iters, || self.change(|h| h.flush(CHAIN)), || self.load(BIG))
            })
        });
        let doomed: Vec<Rule> = (0..BIG).step_by(10).map(rule).collect();
        g.bench_function("delete 1k of 10k by spec, one commit", |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let mut h = self.open();
                        for r in &doomed {
                            h.delete_rule(CHAIN, r).expect("delete_rule");
                        }
                        h.commit().expect("commit");
                    },
                    || self.load(BIG),
                )
            })
        });
    }

    /// A new handle on a 50k-rule table, asked for the rules of the big
    /// chain: the whole table read and decoded (asking for rules is what
    /// makes a handle read, whether it reads when it opens or on demand).
    fn read(&self, g: &mut BenchmarkGroup<WallTime>) {
        self.load(HUGE);
        g.bench_function("read a 50k-rule table", |b| {
            b.iter(|| {
                // `&mut`: reading methods take `&self` or `&mut self`
                // depending on whether the handle reads on demand.
                let h = &mut self.open();
                black_box(h.rules(CHAIN).expect("rules").len())
            })
        });
        self.load(0);
    }

    /// One change through a new handle, committed.
    fn change(&self, f: impl FnOnce(&mut Handle) -> iptkit::Result<()>) {
        let mut h = self.open();
        f(&mut h).expect("change");
        h.commit().expect("commit");
    }
}

fn rule(i: usize) -> Rule {
    Rule::parse(Family::Ipv4, &rule_spec(i)).expect("a generated rule parses")
}
