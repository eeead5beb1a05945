//! `storage = "set"`: entries on any interface go to kernel sets (one
//! `-m set` rule per list and family), entries on one interface stay rules;
//! checked with the real save tools and `ipset list`, on both backends.

mod common;

use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::{isolate, Backend, Server};

/// `ipset list -o save NAME`'s `add` lines (without timeouts).
fn members(set: &str) -> Vec<String> {
    let out = Command::new("ipset")
        .args(["list", "-o", "save", set])
        .output()
        .expect("the ipset tool is missing: run .ci/setup");
    assert!(
        out.status.success(),
        "ipset list {set}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut adds: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("add "))
        .map(|l| l.split_whitespace().nth(2).unwrap().to_string())
        .collect();
    adds.sort();
    adds
}

fn sets(backend: Backend) {
    isolate();
    let server = Server::start(
        &format!("sets-{}", backend.word()),
        backend,
        "storage = \"set\"\n",
    );
    for (path, want) in [
        ("/drop/input/any/198.51.100.7", "added"),
        ("/drop/input/any/198.51.100.7", "unchanged"),
        ("/drop/input/any/198.51.100.0/24?wait=1", "added"),
        ("/drop/input/any/2001:db8::/64?wait=1h", "added"),
        ("/drop/input/any/2001:db8::/64?wait=2h", "extended"),
        ("/drop/input/eth0/203.0.113.9", "added"),
        ("/accept/output/any/192.0.2.77", "added"),
    ] {
        let (status, body) = server.call("PUT", path);
        assert_eq!(
            (status, body["result"].as_str()),
            (200, Some(want)),
            "{path}: {body}"
        );
    }
    assert_eq!(server.call("PUT", "/drop/input/any/127.0.0.1").0, 403);
    // A set entry's timeout has a limit (about 24 days): refused, nothing applied.
    let (status, body) = server.call("PUT", "/drop/input/any/198.51.100.99?wait=30d");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        backend.rules("rfw-drop-input"),
        [
            "-A rfw-drop-input -m set --match-set rfw-drop-input-4 src -j DROP",
            "-A rfw-drop-input -s 203.0.113.9/32 -i eth0 -m comment --comment \"iptkit: expires=never; user=admin client=127.0.0.1\" -j DROP",
            "-A rfw-drop-input -m set --match-set rfw-drop-input-6 src -j DROP",
        ]
    );
    assert!(backend.rules("rfw-accept-output").contains(
        &"-A rfw-accept-output -m set --match-set rfw-accept-output-4 dst -j ACCEPT".to_string()
    ));
    assert_eq!(
        members("rfw-drop-input-4"),
        ["198.51.100.0/24", "198.51.100.7"]
    );
    assert_eq!(members("rfw-drop-input-6"), ["2001:db8::/64"]);
    assert_eq!(members("rfw-accept-output-4"), ["192.0.2.77"]);

    let (_, list) = server.call("GET", "/list/input");
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{list}");
    assert_eq!(
        entries.iter().filter(|e| e["storage"] == "set").count(),
        3,
        "{list}"
    );

    // The kernel lets the one-second entry run out; the index follows.
    let start = Instant::now();
    while members("rfw-drop-input-4").len() != 1 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the set entry never expired"
        );
        thread::sleep(Duration::from_millis(100));
    }
    let (_, body) = server.call("PUT", "/drop/input/any/198.51.100.0/24");
    assert_eq!(body["result"], "added", "{body}");

    for (path, want) in [
        ("/drop/input/any/198.51.100.7", "deleted"),
        ("/drop/input/any/198.51.100.7", "absent"),
        ("/drop/input/eth0/203.0.113.9", "deleted"),
    ] {
        let (_, body) = server.call("DELETE", path);
        assert_eq!(body["result"], want, "{path}: {body}");
    }
    assert_eq!(members("rfw-drop-input-4"), ["198.51.100.0/24"]);
    assert_eq!(backend.rules("rfw-drop-input").len(), 2);
}

#[test]
fn set_storage_legacy() {
    sets(Backend::Legacy);
}

#[test]
fn set_storage_nft() {
    sets(Backend::Nft);
}
