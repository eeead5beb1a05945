//! Measures the latency of rfw requests on a busy host, in a private
//! network namespace: loads `--rules` rules into the filter table (a user
//! chain jumped to from INPUT for all but loopback traffic) through iptkit, starts the `rfw` binary
//! (plain HTTP on 127.0.0.1, so that TLS does not hide the firewall's
//! cost), and times `--requests` blocks (`PUT /drop/input/any/ADDR`) and
//! as many unblocks (`DELETE`), one at a time on one keep-alive
//! connection, from the request's first byte to the answer's last.
//!
//! ```sh
//! cargo build --release -p iptkit-rfw --bins --examples
//! sudo target/release/examples/latency --backend legacy --rules 10000
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use std::net::{IpAddr, Ipv4Addr};

use iptkit::set::{KernelSet, SetOptions};
use iptkit::{Backend, Family, Handle, Options, Rule};

#[derive(Parser)]
struct Args {
    /// legacy or nft.
    #[arg(long, default_value = "legacy")]
    backend: String,
    /// Rules already in the filter table.
    #[arg(long, default_value_t = 10_000)]
    rules: usize,
    /// Blocks timed (and as many unblocks).
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Then a burst: this many clients at once, each sending
    /// `--requests` blocks on its own connection (0: no burst).
    #[arg(long, default_value_t = 10)]
    clients: usize,
    /// `storage = "set"`, with this many entries already in the IPv4
    /// input drop set (0: `storage = "rules"`).
    #[arg(long, default_value_t = 0)]
    set_entries: usize,
    /// The rfw binary (default: `rfw` beside this program's directory).
    #[arg(long)]
    rfw: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let backend = match args.backend.as_str() {
        "legacy" => Backend::Legacy,
        "nft" => Backend::Nft,
        other => return Err(format!("--backend {other}: legacy or nft").into()),
    };
    iptkit::netns::unshare_net()?;
    let up = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()?;
    assert!(up.success(), "ip link set lo up failed");

    // The busy host.
    let mut h = Handle::open_with(Family::Ipv4, "filter", Options::default().backend(backend))?;
    h.new_chain("busy")?;
    // Loopback traffic (this program's requests) does not walk the busy
    // rules, as on most hosts: the time measured is the request's, not
    // that of its packets through 10,000 rules.
    h.append("INPUT", Rule::parse(Family::Ipv4, "! -i lo -j busy")?)?;
    for i in 0..args.rules {
        let rule = Rule::parse(
            Family::Ipv4,
            &format!(
                "-s 172.16.{}.{} -p tcp -m tcp --dport {} -j ACCEPT",
                i / 256 % 256,
                i % 256,
                1 + i % 60000
            ),
        )?;
        h.append("busy", rule)?;
    }
    h.commit()?;
    drop(h);
    if args.set_entries > 0 {
        // The set rfw will use, filled beforehand (as rfw makes it: entries
        // stay unless given a timeout).
        let mut set = KernelSet::create(
            "rfw-drop-input-4",
            Family::Ipv4,
            &SetOptions::default().with_timeout(0),
        )?;
        let entries: Vec<IpAddr> = (0..args.set_entries as u32)
            .map(|i| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)))
            .collect();
        set.add_many(entries)?;
    }

    let dir = std::env::temp_dir().join(format!("rfw-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("rfw.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nplain_http = true\nbackend = \"{}\"\nauth_user = \"u\"\nauth_password = \"p\"\nstorage = \"{}\"\n",
            args.backend,
            if args.set_entries > 0 { "set" } else { "rules" }
        ),
    )?;
    let rfw = args.rfw.unwrap_or_else(|| {
        let me = std::env::current_exe().expect("current_exe");
        me.parent()
            .and_then(|d| d.parent())
            .expect("a target directory")
            .join("rfw")
    });
    let mut child = Command::new(&rfw)
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", rfw.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or("rfw did not start")?
        .to_string();
    let mut conn = TcpStream::connect(&addr)?;
    conn.set_nodelay(true)?;

    let mut put = Vec::new();
    let mut delete = Vec::new();
    for (method, times) in [("PUT", &mut put), ("DELETE", &mut delete)] {
        for i in 0..args.requests {
            let path = format!(
                "/drop/input/any/198.{}.{}.{}",
                18 + i / 65536,
                i / 256 % 256,
                i % 256
            );
            let start = Instant::now();
            let status = request(&mut conn, method, &path)?;
            times.push(start.elapsed());
            assert_eq!(status, 200, "{method} {path}");
        }
    }
    // The burst: every client at once, as a central box pushing a list.
    let burst = if args.clients > 0 {
        let start = Instant::now();
        std::thread::scope(|s| {
            for c in 0..args.clients {
                let addr = addr.clone();
                let n = args.requests;
                s.spawn(move || {
                    let mut conn = TcpStream::connect(&addr).unwrap();
                    conn.set_nodelay(true).unwrap();
                    for i in 0..n {
                        let path = format!(
                            "/drop/input/any/198.{}.{}.{}",
                            100 + c / 256,
                            c % 256,
                            i % 256
                        );
                        assert_eq!(request(&mut conn, "PUT", &path).unwrap(), 200, "{path}");
                    }
                });
            }
        });
        Some(start.elapsed())
    } else {
        None
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    if args.set_entries > 0 {
        println!(
            "storage = \"set\", {} entries already in the set",
            args.set_entries
        );
    }
    println!(
        "backend {} with {} rules in the table, {} requests each, one at a time (keep-alive, plain HTTP):",
        args.backend, args.rules, args.requests
    );
    for (what, times) in [("block (PUT)", &mut put), ("unblock (DELETE)", &mut delete)] {
        times.sort();
        let at = |q: f64| ms(times[((times.len() - 1) as f64 * q) as usize]);
        println!(
            "  {what:17} median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        );
    }
    if let Some(took) = burst {
        let total = args.clients * args.requests;
        println!(
            "  burst: {total} blocks from {} clients at once in {:.2} s ({:.0} requests/s)",
            args.clients,
            took.as_secs_f64(),
            total as f64 / took.as_secs_f64()
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One request; the status of the answer (whose body is read and dropped).
fn request(conn: &mut TcpStream, method: &str, path: &str) -> std::io::Result<u16> {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("u:p");
    // One write: the request goes in one segment.
    let req =
        format!("{method} {path} HTTP/1.1\r\nHost: rfw\r\nAuthorization: Basic {auth}\r\n\r\n");
    conn.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut resp = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(used) = resp.parse(&buf).map_err(std::io::Error::other)? {
            let len: usize = resp
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())
                .unwrap_or(0);
            if buf.len() >= used + len {
                return Ok(resp.code.unwrap_or(0));
            }
        }
    }
}
