//! TLS, authentication, allowed clients, the whitelist, refused requests
//! and the configuration checks, against the real `rfw` binary in a
//! private network namespace.

mod common;

use common::{isolate, Backend, Conn, Scratch, Server, PASSWORD, USER};

/// Every refused request leaves the managed chains empty.
fn assert_nothing_applied(backend: Backend) {
    for chain in [
        "rfw-drop-input",
        "rfw-accept-input",
        "rfw-drop-output",
        "rfw-drop-forward",
    ] {
        assert_eq!(backend.rules(chain), Vec::<String>::new(), "{chain}");
    }
}

#[test]
fn tls_handshake_with_the_generated_certificate() {
    isolate();
    let server = Server::start("tls", Backend::Legacy, "");
    let (status, body) = server.call("PUT", "/drop/input/any/198.51.100.7");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "added");
    // A client that trusts another certificate refuses the handshake.
    let other = Scratch::new("tls-other");
    let certs = common::gen_cert(&other.0);
    let wrong = common::client_config(&certs.join("cert.pem"));
    assert!(Conn::try_open(server.addr, Some(wrong), None).is_err());
    // Plain HTTP to a TLS server gets no answer that parses.
    let mut plain = Conn::open(server.addr, None, Some((USER, PASSWORD)));
    assert!(plain.request("GET", "/list/input").is_err());
}

#[test]
fn authentication_failures_are_401() {
    isolate();
    let server = Server::start("auth", Backend::Legacy, "");
    for auth in [
        None,
        Some((USER, "wrong")),
        Some(("root", PASSWORD)),
        Some((USER, "")),
    ] {
        let (status, body) = server
            .connect_as(auth)
            .request("PUT", "/drop/input/any/198.51.100.7")
            .unwrap();
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    assert_nothing_applied(Backend::Legacy);
    assert!(server.log_text().contains("authentication failed"));
}

#[test]
fn client_not_in_allowed_clients_is_403() {
    isolate();
    let server = Server::start(
        "allowed",
        Backend::Legacy,
        "allowed_clients = [\"192.0.2.0/24\", \"2001:db8::/32\"]\n",
    );
    let (status, body) = server.call("PUT", "/drop/input/any/198.51.100.7");
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("allowed_clients"),
        "{body}"
    );
    assert_nothing_applied(Backend::Legacy);
}

#[test]
fn whitelist_is_never_blocked() {
    for backend in [Backend::Legacy, Backend::Nft] {
        std::thread::spawn(move || {
            isolate();
            let server = Server::start(
                &format!("whitelist-{}", backend.word()),
                backend,
                "whitelist = [\"192.0.2.10\", \"2001:db8::/48\"]\n",
            );
            for path in [
                "/drop/input/any/192.0.2.10",
                "/drop/input/eth0/192.0.2.0/24",
                "/drop/output/any/192.0.0.0/8",
                "/drop/forward/any/2001:db8::5",
                "/drop/input/any/2001:db8::/16",
                // The clients themselves (allowed_clients: loopback by default).
                "/drop/input/any/127.0.0.1",
                "/drop/input/lo/::1",
                "/drop/input/any/0.0.0.0/0",
            ] {
                let (status, body) = server.call("PUT", path);
                assert_eq!(status, 403, "{path}: {body}");
                assert!(body["error"].as_str().unwrap().contains("may not be blocked"), "{body}");
            }
            assert_nothing_applied(backend);
            // Accepting a whitelisted address is fine, and so is blocking its neighbour.
            assert_eq!(server.call("PUT", "/accept/input/any/192.0.2.10").0, 200);
            assert_eq!(server.call("PUT", "/drop/input/any/192.0.2.11").0, 200);
            assert_eq!(
                backend.rules("rfw-drop-input"),
                ["-A rfw-drop-input -s 192.0.2.11/32 -m comment --comment \"iptkit: expires=never; user=admin client=127.0.0.1\" -j DROP"]
            );
        })
        .join()
        .unwrap();
    }
}

#[test]
fn bad_requests_are_4xx_json_and_apply_nothing() {
    isolate();
    let server = Server::start("bad", Backend::Nft, "");
    let mut conn = server.connect();
    for (method, path, want) in [
        ("PUT", "/drop/input/any/192.0.2.300", 400),
        ("PUT", "/drop/input/any/2001:db8::/129", 400),
        ("PUT", "/drop/input/any/not-an-address", 400),
        (
            "PUT",
            "/drop/input/a-name-too-long-for-linux/192.0.2.7",
            400,
        ),
        ("PUT", "/drop/input/any/192.0.2.7?wait=soon", 400),
        ("PUT", "/drop/input/any/192.0.2.7?colour=red", 400),
        ("PUT", "/reject/input/any/192.0.2.7", 404),
        ("PUT", "/drop/prerouting/any/192.0.2.7", 404),
        ("PUT", "/drop/input/any", 404),
        ("GET", "/list/nat", 404),
        ("POST", "/drop/input/any/192.0.2.7", 405),
    ] {
        // Errors keep the connection: the same one serves them all.
        let (status, body) = conn.request(method, path).unwrap();
        assert_eq!(status, want, "{method} {path}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    assert_nothing_applied(Backend::Nft);
    // Deleting what is not there changes nothing and says so.
    let (status, body) = conn.request("DELETE", "/drop/input/any/192.0.2.7").unwrap();
    assert_eq!((status, body["result"].as_str()), (200, Some("absent")));
}

#[test]
fn plain_http_only_when_configured_and_on_loopback() {
    isolate();
    let base =
        format!("backend = \"legacy\"\nauth_user = \"{USER}\"\nauth_password = \"{PASSWORD}\"\n");
    // Not loopback: refused at start, with a message that says why.
    let scratch = Scratch::new("plain-refused");
    let path = scratch.0.join("rfw.toml");
    std::fs::write(
        &path,
        format!("{base}plain_http = true\nlisten = \"0.0.0.0:7390\"\n"),
    )
    .unwrap();
    let out = common::rfw().arg("--config").arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("plain_http") && err.contains("loopback"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Neither TLS nor plain_http: refused too.
    std::fs::write(&path, &base).unwrap();
    let out = common::rfw().arg("--config").arg(&path).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls_cert"));
    // Loopback and configured: served.
    let server = Server::start_with(
        Scratch::new("plain"),
        &format!("{base}plain_http = true\nlisten = \"127.0.0.1:0\"\n"),
        None,
    );
    let (status, body) = server.call("PUT", "/drop/input/any/198.51.100.7");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        Backend::Legacy.rules("rfw-drop-input"),
        ["-A rfw-drop-input -s 198.51.100.7/32 -m comment --comment \"iptkit: expires=never; user=admin client=127.0.0.1\" -j DROP"]
    );
}
