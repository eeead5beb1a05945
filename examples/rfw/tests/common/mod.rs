//! What the rfw tests share: a private network namespace per test, the
//! `rfw` binary started in it, an HTTP/1.1 client (TLS or plain), and the
//! real iptables save tools as the oracle.
#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use serde_json::Value;

/// The backends every kernel test runs on, with the save tools that check them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `backend = "legacy"`, checked with `iptables-legacy-save`.
    Legacy,
    /// `backend = "nft"`, checked with `iptables-nft-save`.
    Nft,
}

impl Backend {
    /// The config word.
    pub fn word(self) -> &'static str {
        match self {
            Backend::Legacy => "legacy",
            Backend::Nft => "nft",
        }
    }

    /// `iptables-legacy-save` or `ip6tables-nft-save`, ...
    pub fn save_tool(self, v6: bool) -> String {
        format!(
            "{}-{}-save",
            if v6 { "ip6tables" } else { "iptables" },
            self.word()
        )
    }

    /// What the save tool prints for the filter table, comment lines left out.
    pub fn save(self, v6: bool) -> String {
        let tool = self.save_tool(v6);
        let out = Command::new(&tool)
            .args(["-t", "filter"])
            .output()
            .unwrap_or_else(|e| panic!("{tool} is missing (run .ci/setup): {e}"));
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    /// The `-A CHAIN ...` lines of the filter table of both families.
    pub fn rules(self, chain: &str) -> Vec<String> {
        let prefix = format!("-A {chain} ");
        [false, true]
            .iter()
            .flat_map(|&v6| {
                self.save(v6)
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|l| l.starts_with(&prefix))
            .collect()
    }
}

/// Moves this test's thread into a fresh network namespace with loopback
/// up: the machine's firewall is never touched. Processes started from
/// this thread afterwards (the server, the save tools) are in it too.
pub fn isolate() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the rfw tests must run as root (they unshare a network namespace and change its firewall)"
    );
    iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET) failed");
    let out = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .output()
        .expect("`ip` (iproute2) is missing: run .ci/setup");
    assert!(
        out.status.success(),
        "ip link set lo up: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Lets this process hold many connections: the soft limit of open files
/// raised to the hard one (a test with 1,000 connections at once).
pub fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    assert!(
        soft >= 2100,
        "this test needs 2,100 open files; the hard limit is {hard}"
    );
}

/// The user and password every test server takes.
pub const USER: &str = "admin";
/// See [`USER`].
pub const PASSWORD: &str = "correct horse";

/// A scratch directory, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after the test.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rfw-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `rfw` binary of this package.
pub fn rfw() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rfw"))
}

/// Runs `rfw gen-cert --host 127.0.0.1 --out DIR/certs`; returns the directory.
pub fn gen_cert(dir: &Path) -> PathBuf {
    let out = dir.join("certs");
    let status = rfw()
        .args(["gen-cert", "--host", "127.0.0.1", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "rfw gen-cert failed");
    out
}

/// A running `rfw --config FILE`, killed on drop.
pub struct Server {
    child: Child,
    /// Where it listens (from its `listening on ADDR` line).
    pub addr: SocketAddr,
    /// Its stderr log.
    pub log: PathBuf,
    /// TLS trust for its certificate, when it serves TLS.
    pub tls: Option<Arc<ClientConfig>>,
    scratch: Option<Scratch>,
}

/// The config of a TLS test server on 127.0.0.1 (`extra` is appended).
pub fn tls_config(backend: Backend, certs: &Path, extra: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\nbackend = \"{}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\nauth_user = \"{USER}\"\nauth_password = \"{PASSWORD}\"\n{extra}",
        backend.word(),
        certs.join("cert.pem").display(),
        certs.join("key.pem").display(),
    )
}

impl Server {
    /// Makes a certificate, writes the config (`tls_config` with `extra`)
    /// and starts the server; returns once it listens.
    pub fn start(name: &str, backend: Backend, extra: &str) -> Server {
        let scratch = Scratch::new(name);
        let certs = gen_cert(&scratch.0);
        let config = tls_config(backend, &certs, extra);
        let tls = client_config(&certs.join("cert.pem"));
        Server::start_with(scratch, &config, Some(tls))
    }

    /// Starts the server with this config text in `scratch`.
    pub fn start_with(scratch: Scratch, config: &str, tls: Option<Arc<ClientConfig>>) -> Server {
        let path = scratch.0.join("rfw.toml");
        std::fs::write(&path, config).unwrap();
        let log = scratch.0.join("rfw.log");
        let mut child = rfw()
            .arg("--config")
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.wait();
            panic!(
                "rfw did not start: stdout {line:?}, log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Server {
            addr: addr.parse().unwrap(),
            child,
            log,
            tls,
            scratch: Some(scratch),
        }
    }

    /// A new connection, authenticated as `USER`.
    pub fn connect(&self) -> Conn {
        self.connect_as(Some((USER, PASSWORD)))
    }

    /// A new connection with these credentials (or none).
    pub fn connect_as(&self, auth: Option<(&str, &str)>) -> Conn {
        Conn::open(self.addr, self.tls.clone(), auth)
    }

    /// One request on a new connection, as `USER`.
    pub fn call(&self, method: &str, path: &str) -> (u16, Value) {
        self.connect().request(method, path).unwrap()
    }

    /// The server's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the server (it can be started again on the same chains).
    pub fn stop(mut self) -> Scratch {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.scratch.take().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Trusts exactly the certificate at `cert` (self-signed by `rfw gen-cert`).
pub fn client_config(cert: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    stream: Box<dyn ReadWrite>,
    auth: Option<String>,
    buf: Vec<u8>,
}

impl Conn {
    /// Connects (and shakes hands, with TLS).
    pub fn open(
        addr: SocketAddr,
        tls: Option<Arc<ClientConfig>>,
        auth: Option<(&str, &str)>,
    ) -> Conn {
        Conn::try_open(addr, tls, auth).unwrap()
    }

    /// Connects; with TLS the handshake completes before this returns.
    pub fn try_open(
        addr: SocketAddr,
        tls: Option<Arc<ClientConfig>>,
        auth: Option<(&str, &str)>,
    ) -> io::Result<Conn> {
        let tcp = TcpStream::connect(addr)?;
        tcp.set_nodelay(true)?;
        let stream: Box<dyn ReadWrite> = match tls {
            Some(config) => {
                let name = ServerName::IpAddress(addr.ip().into());
                let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
                let mut s = StreamOwned::new(conn, tcp);
                while s.conn.is_handshaking() {
                    s.conn.complete_io(&mut s.sock)?;
                }
                Box::new(s)
            }
            None => Box::new(tcp),
        };
        let auth = auth.map(|(u, p)| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        });
        Ok(Conn {
            stream,
            auth,
            buf: Vec::new(),
        })
    }

    /// Sends a request and reads the answer: status and JSON body.
    pub fn request(&mut self, method: &str, path: &str) -> io::Result<(u16, Value)> {
        self.send(method, path)?;
        self.receive()
    }

    /// Sends a request without waiting for the answer.
    pub fn send(&mut self, method: &str, path: &str) -> io::Result<()> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: rfw\r\n");
        if let Some(a) = &self.auth {
            req.push_str(&format!("Authorization: {a}\r\n"));
        }
        req.push_str("\r\n");
        self.stream.write_all(req.as_bytes())?;
        self.stream.flush()
    }

    /// Reads the next answer: status and JSON body.
    pub fn receive(&mut self) -> io::Result<(u16, Value)> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut resp = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(used) =
                resp.parse(&self.buf).map_err(io::Error::other)?
            {
                let status = resp.code.unwrap();
                let len: usize = resp
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                    .expect("a Content-Length");
                while self.buf.len() < used + len {
                    self.fill()?;
                }
                let body: Value = serde_json::from_slice(&self.buf[used..used + len])
                    .map_err(io::Error::other)?;
                self.buf.drain(..used + len);
                return Ok((status, body));
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}
