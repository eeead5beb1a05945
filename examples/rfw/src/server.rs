//! The HTTP/1.1 server: one thread per connection (up to
//! [`MAX_CONNECTIONS`] at once; more wait in the listen queue), keep-alive, TLS or plain, each request checked
//! (client address, auth, path) before it is handed to the worker.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};
use serde_json::{json, Value};

use crate::api::{self, Action, Request};
use crate::auth;
use crate::config::{unmap, Config};
use crate::log;
use crate::worker::Job;

/// Connections served at once; more wait in the kernel's listen queue
/// until one ends (none is refused).
pub const MAX_CONNECTIONS: usize = 2048;
/// A connection thread's stack: parsing and TLS need little.
const STACK: usize = 256 * 1024;
/// The longest request head.
const MAX_HEAD: usize = 16 * 1024;
/// The longest request body (the API takes none; a small one is read and ignored).
const MAX_BODY: usize = 64 * 1024;
/// A connection idle this long is closed.
const IDLE: Duration = Duration::from_secs(30);

/// What every connection thread shares.
struct Shared {
    config: Config,
    tls: Option<Arc<ServerConfig>>,
    jobs: Sender<Job>,
    active: AtomicUsize,
}

/// Binds, says `listening on ADDR` on stdout, and serves until the process ends.
pub fn serve(config: Config, tls: Option<Arc<ServerConfig>>, jobs: Sender<Job>) -> io::Result<()> {
    let listener = TcpListener::bind(config.listen)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        config,
        tls,
        jobs,
        active: AtomicUsize::new(0),
    });
    {
        let mut out = io::stdout().lock();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
    }
    raise_fd_limit();
    loop {
        // At the limit, accept nothing more until a connection ends: the
        // clients wait, none is dropped.
        while shared.active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            thread::sleep(Duration::from_millis(1));
        }
        let stream = match listener.accept().map(|(s, _)| s) {
            Ok(s) => s,
            // A client gone before accept, or no file descriptors left for a
            // moment: the listener itself is fine.
            Err(e) => {
                log(&format!("accept: {e}"));
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        shared.active.fetch_add(1, Ordering::SeqCst);
        let mine = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("rfw-conn".into())
            .stack_size(STACK)
            .spawn(move || {
                if let Err(e) = connection(&mine, stream) {
                    if !quiet(&e) {
                        log(&format!("connection: {e}"));
                    }
                }
                mine.active.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            // The stream went with the closure: the connection is closed.
            shared.active.fetch_sub(1, Ordering::SeqCst);
            log(&format!("spawning a connection thread: {e}"));
        }
    }
}

/// Lets the process hold a file descriptor per connection: raises the soft
/// limit of open files to the hard one (many systems start at 1,024).
fn raise_fd_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let want = (MAX_CONNECTIONS as u64) * 2 + 64;
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < want {
            let new = want.min(hard);
            if setrlimit(Resource::RLIMIT_NOFILE, new, hard).is_err() || new < want {
                log(&format!(
                    "open files limited to {}: fewer connections may be served at once",
                    new.max(soft)
                ));
            }
        }
    }
}

/// Errors that only mean the client went away.
fn quiet(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
    )
}

fn connection(shared: &Shared, stream: TcpStream) -> io::Result<()> {
    let peer = stream.peer_addr()?;
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_write_timeout(Some(IDLE))?;
    stream.set_nodelay(true)?;
    match &shared.tls {
        Some(tls) => {
            let conn = ServerConnection::new(Arc::clone(tls)).map_err(io::Error::other)?;
            let mut s = StreamOwned::new(conn, stream);
            let done = requests(shared, peer, &mut s);
            s.conn.send_close_notify();
            let _ = s.flush();
            done
        }
        None => {
            let mut s = stream;
            requests(shared, peer, &mut s)
        }
    }
}

/// One parsed request head.
struct Head {
    method: String,
    target: String,
    authorization: Option<Vec<u8>>,
    keep_alive: bool,
    body: usize,
}

/// Serves the requests of one connection, one after another.
fn requests(shared: &Shared, peer: SocketAddr, s: &mut dyn ReadWrite) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let (head, used) = loop {
            match parse_head(&buf) {
                Ok(Some(parsed)) => break parsed,
                Ok(None) if buf.len() > MAX_HEAD => {
                    return respond(
                        s,
                        431,
                        &json!({"error": "request head too large"}),
                        false,
                        &[],
                    );
                }
                Ok(None) => {}
                Err(message) => return respond(s, 400, &json!({ "error": message }), false, &[]),
            }
            let mut chunk = [0u8; 4096];
            let n = s.read(&mut chunk)?;
            if n == 0 {
                return Ok(()); // closed between requests
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        if head.body > MAX_BODY {
            return respond(
                s,
                413,
                &json!({"error": "request body too large"}),
                false,
                &[],
            );
        }
        while buf.len() < used + head.body {
            let mut chunk = [0u8; 4096];
            let n = s.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..used + head.body);
        let (status, body, keep) = answer(shared, peer, &head);
        let headers: &[(&str, &str)] = if status == 401 {
            &[("WWW-Authenticate", "Basic realm=\"rfw\"")]
        } else {
            &[]
        };
        let keep_alive = head.keep_alive && keep;
        respond(s, status, &body, keep_alive, headers)?;
        if !keep_alive {
            return Ok(());
        }
    }
}

/// A complete head and its length, `None` when more bytes are needed.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let used = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("bad request: {e}")),
    };
    let mut head = Head {
        method: req.method.unwrap_or_default().to_string(),
        target: req.path.unwrap_or_default().to_string(),
        authorization: None,
        // HTTP/1.1 keeps the connection unless told; 1.0 closes it.
        keep_alive: req.version == Some(1),
        body: 0,
    };
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("authorization") {
            head.authorization = Some(h.value.to_vec());
        } else if h.name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            if v.contains("close") {
                head.keep_alive = false;
            } else if v.contains("keep-alive") {
                head.keep_alive = true;
            }
        } else if h.name.eq_ignore_ascii_case("content-length") {
            head.body = value
                .trim()
                .parse()
                .map_err(|_| format!("bad Content-Length {value:?}"))?;
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("request bodies are not taken (Transfer-Encoding)".into());
        }
    }
    Ok(Some((head, used)))
}

/// The status and JSON answer to a request, and whether the connection
/// may stay open.
fn answer(shared: &Shared, peer: SocketAddr, head: &Head) -> (u16, Value, bool) {
    let config = &shared.config;
    let client = unmap(peer.ip());
    if !config.allows(client) {
        log(&format!("client={peer} refused: not in allowed_clients"));
        return (
            403,
            json!({"error": format!("client {client} is not in allowed_clients")}),
            false,
        );
    }
    let Some(user) = auth::check(
        head.authorization.as_deref(),
        &config.user,
        &config.password,
    ) else {
        log(&format!(
            "client={peer} {} {}: authentication failed",
            head.method, head.target
        ));
        return (
            401,
            json!({"error": "authentication required (HTTP basic auth)"}),
            true,
        );
    };
    let request = match api::parse(&head.method, &head.target) {
        Ok(r) => r,
        Err(refusal) => return (refusal.status, json!({"error": refusal.message}), true),
    };
    if let Request::Put(key, _) = &request {
        if key.action == Action::Drop {
            if let Some(p) = config.protecting(&key.net) {
                log(&format!(
                    "client={peer} user={user} PUT {key}: refused, {p} is protected"
                ));
                return (
                    403,
                    json!({"error": format!("{} may not be blocked: it covers {p}, which is whitelisted or an allowed client", key.net)}),
                    true,
                );
            }
        }
    }
    let (tx, rx) = mpsc::channel();
    let job = Job {
        request,
        who: format!("client={peer} user={user}"),
        note: note(&user, client),
        reply: tx,
    };
    if shared.jobs.send(job).is_err() {
        return (
            500,
            json!({"error": "the firewall worker has stopped"}),
            false,
        );
    }
    match rx.recv() {
        Ok((status, body)) => (status, body, true),
        Err(_) => (
            500,
            json!({"error": "the firewall worker has stopped"}),
            false,
        ),
    }
}

/// `user=NAME client=IP`, cut to what a list entry's note holds.
fn note(user: &str, client: std::net::IpAddr) -> String {
    let mut note = format!("user={user} client={client}");
    let mut end = note.len().min(iptkit::lists::MAX_NOTE);
    while !note.is_char_boundary(end) {
        end -= 1;
    }
    note.truncate(end);
    note
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

fn respond(
    s: &mut dyn ReadWrite,
    status: u16,
    body: &Value,
    keep_alive: bool,
    headers: &[(&str, &str)],
) -> io::Result<()> {
    let mut body = body.to_string();
    body.push('\n');
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {}\r\n",
        reason(status),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    s.write_all(out.as_bytes())?;
    s.flush()
}

/// A connection, TLS or plain.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}
