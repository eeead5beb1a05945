//! Text speed: parsing iptables-restore input and printing iptables-save
//! output of a 10k- and a 50k-rule table. No kernel, no root.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{Family, Table};

#[path = "shared/ruleset.rs"]
mod ruleset;
use ruleset::big_ruleset;

fn text(c: &mut Criterion) {
    let mut g = c.benchmark_group("text");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [10_000, 50_000] {
        let input = big_ruleset(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("parse {}k restore lines", n / 1000), |b| {
            b.iter(|| parse(Family::Ipv4, black_box(&input)).unwrap())
        });
        let blocks = parse(Family::Ipv4, &input).unwrap();
        let mut table = Table::new(Family::Ipv4, "filter").unwrap();
        blocks[0]
            .apply(&mut table, &RestoreOptions::default())
            .unwrap();
        g.bench_function(format!("print {}k rules", n / 1000), |b| {
            b.iter(|| save_table(black_box(&table), false))
        });
    }
    g.finish();
}

criterion_group!(benches, text);
criterion_main!(benches);
