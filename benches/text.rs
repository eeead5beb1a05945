//! Text speed: parsing and printing iptables-restore input of a large table.
//! No kernel, no root.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{Family, Table};

/// A filter table of `n` rules in the shapes real rule sets use.
pub fn big_ruleset(n: usize) -> String {
    let mut s = String::from(
        "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:allow - [0:0]\n",
    );
    s.push_str(
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -j allow\n",
    );
    for i in 0..n {
        let (a, b) = (i / 256 % 256, i % 256);
        match i % 3 {
            0 => s.push_str(&format!(
                "-A allow -s 10.{a}.{b}.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n"
            )),
            1 => s.push_str(&format!(
                "-A allow -s 172.16.{a}.{b}/32 -i eth0 -j ACCEPT\n"
            )),
            _ => s.push_str(&format!(
                "-A allow -d 192.168.{a}.{b}/32 -p udp -m udp --sport 53 -j DROP\n"
            )),
        }
    }
    s.push_str("COMMIT\n");
    s
}

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
