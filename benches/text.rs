//! Text speed: parsing and printing iptables-restore input of a large table.
//! No kernel, no root.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{Family, Table};

#[path = "shared/ruleset.rs"]
mod ruleset;
use ruleset::big_ruleset;

fn text(c: &mut Criterion) {
    let input = big_ruleset(10_000);
    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("parse 10k-rule restore input", |b| {
        b.iter(|| parse(Family::Ipv4, black_box(&input)).unwrap())
    });
    let blocks = parse(Family::Ipv4, &input).unwrap();
    let mut table = Table::new(Family::Ipv4, "filter").unwrap();
    blocks[0]
        .apply(&mut table, &RestoreOptions::default())
        .unwrap();
    g.bench_function("print 10k-rule table", |b| {
        b.iter(|| save_table(black_box(&table), false))
    });
    g.finish();
}

criterion_group!(benches, text);
criterion_main!(benches);
