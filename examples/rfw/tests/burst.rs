//! A burst of 1,000 concurrent requests from several clients: nothing is
//! lost, nothing doubled, repeats change nothing; the kernel's rules are
//! checked with the real `iptables-legacy-save` / `iptables-nft-save`.

mod common;

use std::collections::BTreeSet;
use std::thread;

use common::{isolate, Backend, Server};

const CLIENTS: usize = 10;
const PER_CLIENT: usize = 100;

/// The path of request `i`: IPv4 and IPv6 addresses, all three directions.
fn path(i: usize) -> (String, String) {
    let direction = ["input", "output", "forward"][i % 3];
    let addr = if i % 4 == 0 {
        format!("2001:db8::{:x}", i + 1)
    } else {
        format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)
    };
    (
        direction.to_string(),
        format!("/drop/{direction}/any/{addr}"),
    )
}

/// Sends every request once, `CLIENTS` threads at a time, each on its own
/// TLS connection (a new one every 25 requests); returns each result word.
fn burst(server: &Server, method: &'static str) -> Vec<String> {
    thread::scope(|s| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|c| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    let mut conn = server.connect();
                    for n in 0..PER_CLIENT {
                        if n % 25 == 24 {
                            conn = server.connect();
                        }
                        let (_, p) = path(c * PER_CLIENT + n);
                        let (status, body) = conn.request(method, &p).unwrap();
                        assert_eq!(status, 200, "{method} {p}: {body}");
                        out.push(body["result"].as_str().unwrap().to_string());
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// The managed DROP rules the save tool shows, as `chain addr` pairs.
fn in_kernel(backend: Backend) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for direction in ["input", "output", "forward"] {
        let chain = format!("rfw-drop-{direction}");
        for line in backend.rules(&chain) {
            let addr = line.split_whitespace().nth(3).unwrap().to_string();
            assert!(all.insert(format!("{direction} {addr}")), "twice: {line}");
        }
    }
    all
}

fn run(backend: Backend) {
    isolate();
    let server = Server::start(&format!("burst-{}", backend.word()), backend, "");
    let total = CLIENTS * PER_CLIENT;
    let want: BTreeSet<String> = (0..total)
        .map(|i| {
            let (direction, p) = path(i);
            let addr = p.rsplit('/').next().unwrap();
            let host = if addr.contains(':') { "/128" } else { "/32" };
            format!("{direction} {addr}{host}")
        })
        .collect();

    let results = burst(&server, "PUT");
    assert_eq!(results.len(), total);
    assert!(results.iter().all(|r| r == "added"), "not all added");
    assert_eq!(in_kernel(backend), want);

    // The same burst again: every request a no-op that still answers 200.
    let results = burst(&server, "PUT");
    assert!(
        results.iter().all(|r| r == "unchanged"),
        "a repeat changed something"
    );
    assert_eq!(in_kernel(backend), want);
    let (status, list) = server.call("GET", "/list/output");
    assert_eq!(status, 200);
    assert_eq!(list["entries"].as_array().unwrap().len(), total / 3);

    let results = burst(&server, "DELETE");
    assert!(results.iter().all(|r| r == "deleted"));
    assert!(in_kernel(backend).is_empty());
    // The jumps and chains stay, as iptables-save shows them.
    let saved = backend.save(false);
    for line in [
        "-A INPUT -j rfw-accept-input",
        "-A INPUT -j rfw-drop-input",
        "-A FORWARD -j rfw-drop-forward",
    ] {
        assert!(saved.contains(line), "{line} missing in:\n{saved}");
    }
}

#[test]
fn burst_legacy() {
    run(Backend::Legacy);
}

#[test]
fn burst_nft() {
    run(Backend::Nft);
}
