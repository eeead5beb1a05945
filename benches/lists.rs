//! Managed lists (`iptkit::lists`): what one block costs on a busy host, on
//! each backend. The filter table holds 10,000 rules (`shared/ruleset.rs`)
//! and a block list of 1,000 entries; each step adds one entry with an
//! expiry (one commit) and is undone untimed by removing it:
//!
//! - with one handle kept open, as a service answering requests does;
//! - with a new handle each time, as one run of a command-line tool (the
//!   handle reads what it needs: on nf_tables the list's chain, on legacy
//!   the table).
//!
//! Then the expiry of 100 due entries of the 1,000, in one commit; and the
//! same block on a list kept in a kernel set of 100,000 entries
//! (`Storage::Set`), on the same 10,000-rule table.
//!
//! Needs root (and the `nft` feature for the nf_tables half): the bench
//! first moves its thread into a private network namespace, so the
//! machine's own firewall is never touched.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use iptkit::lists::{AddrList, Direction, Entry, Storage};
use iptkit::syntax::restore::{parse, RestoreOptions};
use iptkit::{Backend, Family, Handle, Net, Options, Table};

#[path = "shared/ruleset.rs"]
mod ruleset;
#[path = "shared/timing.rs"]
mod timing;

use timing::timed;

/// Rules of the table besides the list.
const BIG: usize = 10_000;
/// Entries of the list.
const ENTRIES: usize = 1_000;
/// Of which due at [`due_at`] in the expiry bench.
const DUE: usize = 100;
/// The list's chain.
const LIST: &str = "blocked";
/// Entries of the list kept in a set.
const SET_ENTRIES: usize = 100_000;

fn lists(c: &mut Criterion) {
    iptkit::netns::unshare_net()
        .expect("the list benches run as root: they need a private network namespace");
    let mut g = c.benchmark_group("lists");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (backend, name) in [(Backend::Legacy, "legacy"), (Backend::Nft, "nft")] {
        let k = Kernel {
            backend,
            lock: std::env::temp_dir()
                .join(format!("iptkit-bench-lists-{}.lock", std::process::id())),
            list: AddrList::blocklist(LIST, Direction::Input).expect("a valid chain name"),
        };
        k.bench(&mut g, name);
        k.bench_set(&mut g, name);
        let _ = std::fs::remove_file(&k.lock);
    }
    g.finish();
}

struct Kernel {
    backend: Backend,
    /// A private xtables lock: tests running elsewhere on the machine
    /// neither block nor skew the benches.
    lock: PathBuf,
    list: AddrList,
}

/// Entry `i` of the list: a /32 in 100.64.0.0/10, expiring at `T + i`.
fn entry(i: usize) -> Entry {
    let net: Net = format!("100.{}.{}.{}", 64 + i / 65536, i / 256 % 256, i % 256)
        .parse()
        .expect("a host address");
    Entry::new(net)
        .expires_at(UNIX_EPOCH + Duration::from_secs(2_000_000_000 + i as u64))
        .with_comment("bench")
}

fn due_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(2_000_000_000 + DUE as u64 - 1)
}

impl Kernel {
    fn open(&self) -> Handle {
        let options = Options::default()
            .backend(self.backend)
            .lock_path(self.lock.clone());
        Handle::open_with(Family::Ipv4, "filter", options).expect("opening filter")
    }

    /// The 10,000-rule table, then the list of 1,000 entries.
    fn load(&self) {
        let blocks =
            parse(Family::Ipv4, &ruleset::big_ruleset(BIG)).expect("the generated rules parse");
        let mut table = Table::new(Family::Ipv4, "filter").expect("a filter table");
        blocks[0]
            .apply(&mut table, &RestoreOptions::default())
            .expect("the generated rules apply");
        let mut h = self.open();
        h.replace_table(table).expect("replace_table");
        h.commit().expect("loading the table");
        self.list
            .add_entries(&mut h, (0..ENTRIES).map(entry))
            .expect("loading the list");
    }

    fn bench(&self, g: &mut BenchmarkGroup<WallTime>, name: &str) {
        self.load();
        let new = entry(ENTRIES);
        let kept = std::cell::RefCell::new(self.open());
        g.bench_function(format!("{name}: block one, kept handle"), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let h = &mut kept.borrow_mut();
                        self.list.add_entry(h, new.clone()).expect("add");
                    },
                    || {
                        let h = &mut kept.borrow_mut();
                        drop(self.list.remove(h, new.net, None).expect("remove"))
                    },
                )
            })
        });
        g.bench_function(format!("{name}: block one, new handle"), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let h = &mut self.open();
                        self.list.add_entry(h, new.clone()).expect("add");
                    },
                    || {
                        drop(
                            self.list
                                .remove(&mut self.open(), new.net, None)
                                .expect("remove"),
                        )
                    },
                )
            })
        });
        g.bench_function(format!("{name}: expire 100 of 1,000, new handle"), |b| {
            b.iter_custom(|iters| {
                timed(
                    iters,
                    || {
                        let gone = self
                            .list
                            .expire(&mut self.open(), due_at())
                            .expect("expire");
                        assert_eq!(gone.len(), DUE);
                    },
                    || {
                        let back = (0..DUE).map(entry);
                        drop(self.list.add_entries(&mut self.open(), back).expect("add"))
                    },
                )
            })
        });
    }
}

impl Kernel {
    /// One block on a list of 100,000 entries kept in a set.
    fn bench_set(&self, g: &mut BenchmarkGroup<WallTime>, name: &str) {
        let list = AddrList::blocklist("bigset", Direction::Input)
            .expect("a valid chain name")
            .storage(Storage::Set);
        let permanent = |i| Entry {
            expires: None,
            comment: String::new(),
            ..entry(i)
        };
        list.add_entries(&mut self.open(), (0..SET_ENTRIES).map(permanent))
            .expect("loading the set");
        let new = permanent(SET_ENTRIES);
        let kept = std::cell::RefCell::new(self.open());
        g.bench_function(
            format!("{name}: block one in a 100k set, kept handle"),
            |b| {
                b.iter_custom(|iters| {
                    timed(
                        iters,
                        || {
                            let h = &mut kept.borrow_mut();
                            list.add_entry(h, new.clone()).expect("add");
                        },
                        || {
                            let h = &mut kept.borrow_mut();
                            drop(list.remove(h, new.net, None).expect("remove"))
                        },
                    )
                })
            },
        );
        g.bench_function(
            format!("{name}: block one in a 100k set, new handle"),
            |b| {
                b.iter_custom(|iters| {
                    timed(
                        iters,
                        || {
                            list.add_entry(&mut self.open(), new.clone()).expect("add");
                        },
                        || {
                            drop(
                                list.remove(&mut self.open(), new.net, None)
                                    .expect("remove"),
                            )
                        },
                    )
                })
            },
        );
        list.uninstall(&mut self.open()).expect("removing the set");
    }
}

criterion_group!(benches, lists);
criterion_main!(benches);
