//! Entries with `?wait=` are removed when their time comes, by the server's
//! own timer; the expiry lives in the kernel (the rule's comment), so a
//! restarted server keeps it. Checked with the real save tools.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{isolate, Backend, Server};

/// Polls until `done` holds; fails after a minute (a guard against a hang,
/// not a timing assertion: the expiries here are one or two seconds).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never happened: {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

fn expiry(backend: Backend) {
    isolate();
    let server = Server::start(&format!("expiry-{}", backend.word()), backend, "");
    for path in [
        "/drop/input/any/198.51.100.1?wait=1",
        "/drop/input/eth0/2001:db8::1?wait=1s",
        "/accept/output/any/198.51.100.2/31?wait=2",
        "/drop/input/any/198.51.100.3",
        "/drop/forward/any/198.51.100.4?wait=1h",
    ] {
        let (status, body) = server.call("PUT", path);
        assert_eq!(
            (status, body["result"].as_str()),
            (200, Some("added")),
            "{path}: {body}"
        );
    }
    let (_, list) = server.call("GET", "/list/input");
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{list}");
    assert!(
        entries
            .iter()
            .all(|e| e["packets"].is_u64() && e["bytes"].is_u64()),
        "{list}"
    );
    let hour = server.call("GET", "/list/forward").1["entries"][0]["expires_in"]
        .as_u64()
        .unwrap();
    assert!((60..=3601).contains(&hour), "{hour}");

    eventually("the short entries expire", || {
        backend.rules("rfw-drop-input").len() == 1 && backend.rules("rfw-accept-output").is_empty()
    });
    assert_eq!(
        backend.rules("rfw-drop-input"),
        ["-A rfw-drop-input -s 198.51.100.3/32 -m comment --comment \"iptkit: expires=never; user=admin client=127.0.0.1\" -j DROP"]
    );
    assert_eq!(backend.rules("rfw-drop-forward").len(), 1);
    let (_, list) = server.call("GET", "/list");
    assert_eq!(list["entries"].as_array().unwrap().len(), 2, "{list}");
    // A later expiry extends an entry (no expiry is the latest); an earlier
    // one changes nothing.
    let (_, body) = server.call("PUT", "/drop/forward/any/198.51.100.4?wait=1m");
    assert_eq!(body["result"], "unchanged", "{body}");
    let (_, body) = server.call("PUT", "/drop/forward/any/198.51.100.4");
    assert_eq!(
        (body["result"].as_str(), &body["entry"]["expires"]),
        (Some("extended"), &serde_json::Value::Null),
        "{body}"
    );
    assert_eq!(backend.rules("rfw-drop-forward").len(), 1);
    assert!(server
        .log_text()
        .contains("expired drop input any 198.51.100.1/32"));
}

#[test]
fn expiry_legacy() {
    expiry(Backend::Legacy);
}

#[test]
fn expiry_nft() {
    expiry(Backend::Nft);
}

#[test]
fn a_restarted_server_keeps_entries_and_expiries() {
    for backend in [Backend::Legacy, Backend::Nft] {
        thread::spawn(move || {
            isolate();
            let server = Server::start(&format!("restart-{}", backend.word()), backend, "");
            assert_eq!(
                server.call("PUT", "/drop/input/any/198.51.100.9?wait=1h").0,
                200
            );
            assert_eq!(
                server.call("PUT", "/drop/input/any/2001:db8::9?wait=2").0,
                200
            );
            let before = server.call("GET", "/list/input").1;
            let tls = server.tls.clone();
            let scratch = server.stop();
            let config = std::fs::read_to_string(scratch.0.join("rfw.toml")).unwrap();
            let server = Server::start_with(scratch, &config, tls);
            let after = server.call("GET", "/list/input").1;
            let expires = |v: &serde_json::Value| -> Vec<serde_json::Value> {
                v["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["expires"].clone())
                    .collect()
            };
            assert_eq!(expires(&before), expires(&after));
            // Known again: a repeat is a no-op, and the short one still expires.
            let (_, again) = server.call("PUT", "/drop/input/any/198.51.100.9?wait=5m");
            assert_eq!(again["result"], "unchanged");
            eventually("the IPv6 entry expires after the restart", || {
                backend.rules("rfw-drop-input").len() == 1
            });
            // The jumps were not doubled by the second start.
            let saved = backend.save(true);
            assert_eq!(
                saved.matches("-A INPUT -j rfw-drop-input").count(),
                1,
                "{saved}"
            );
        })
        .join()
        .unwrap();
    }
}
