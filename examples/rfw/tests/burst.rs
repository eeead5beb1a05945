//! Bursts of 1,000 concurrent requests from several clients (10 threads
//! sending 100 each, then 1,000 in flight at once on 1,000 connections):
//! nothing is lost, nothing doubled, repeats change nothing; the kernel's rules are
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

/// Requests `offset..offset + 1,000`, all in flight at once: each client
/// thread opens `PER_CLIENT` TLS connections, sends one request on each,
/// and only then reads the answers.
fn at_once(server: &Server, method: &'static str, offset: usize) -> Vec<String> {
    thread::scope(|s| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|c| {
                s.spawn(move || {
                    let mut conns: Vec<_> = (0..PER_CLIENT).map(|_| server.connect()).collect();
                    let paths: Vec<String> = (0..PER_CLIENT)
                        .map(|n| path(offset + c * PER_CLIENT + n).1)
                        .collect();
                    for (conn, p) in conns.iter_mut().zip(&paths) {
                        conn.send(method, p).unwrap();
                    }
                    conns
                        .iter_mut()
                        .zip(&paths)
                        .map(|(conn, p)| {
                            let (status, body) = conn.receive().unwrap();
                            assert_eq!(status, 200, "{method} {p}: {body}");
                            body["result"].as_str().unwrap().to_string()
                        })
                        .collect::<Vec<_>>()
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

/// How the save tool shows request `i`'s rule: `direction addr/len`.
fn expected(i: usize) -> String {
    let (direction, p) = path(i);
    let addr = p.rsplit('/').next().unwrap();
    let host = if addr.contains(':') { "/128" } else { "/32" };
    format!("{direction} {addr}{host}")
}

fn run(backend: Backend) {
    isolate();
    common::raise_fd_limit();
    let server = Server::start(&format!("burst-{}", backend.word()), backend, "");
    let total = CLIENTS * PER_CLIENT;
    let want: BTreeSet<String> = (0..total).map(expected).collect();

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

    // 1,000 more, all in flight at once.
    let results = at_once(&server, "PUT", total);
    assert!(results.iter().all(|r| r == "added"), "not all added");
    let want_all: BTreeSet<String> = want
        .iter()
        .cloned()
        .chain((total..2 * total).map(expected))
        .collect();
    assert_eq!(in_kernel(backend), want_all);

    let results = burst(&server, "DELETE");
    assert!(results.iter().all(|r| r == "deleted"));
    let results = at_once(&server, "DELETE", total);
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
