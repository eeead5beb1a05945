//! `rfw`: a remote firewall service on iptkit. An HTTPS API blocks and
//! allows addresses (`PUT /drop/input/any/192.0.2.7?wait=10m`), one change
//! at a time, each an atomic commit; see README.md.

mod api;
mod auth;
mod config;
mod server;
mod setstore;
mod store;
mod tls;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A remote firewall: an HTTPS API to block and allow addresses.
#[derive(Parser)]
#[command(name = "rfw", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// The configuration file (TOML): serve the API.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a self-signed certificate and key for testing: DIR/cert.pem, DIR/key.pem.
    GenCert {
        /// The host name or IP address clients connect to.
        #[arg(long)]
        host: String,
        /// The directory to write to (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// One line on stderr: Unix time, then what happened.
pub fn log(line: &str) {
    eprintln!("rfw: {} {line}", worker::now());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let done = match (cli.command, cli.config) {
        (Some(Command::GenCert { host, out }), _) => tls::gen_cert(&host, &out),
        (None, Some(path)) => serve(&path),
        (None, None) => {
            Err("--config FILE is required (or: rfw gen-cert --host HOST --out DIR)".into())
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rfw: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(path: &std::path::Path) -> Result<(), String> {
    let config = config::Config::load(path)?;
    let tls = match &config.transport {
        config::Transport::Tls { cert, key } => Some(tls::server_config(cert, key)?),
        config::Transport::Plain => None,
    };
    let protected: Vec<iptkit::Net> = config.protected().into_iter().map(Into::into).collect();
    let store = store::Store::open(
        config.backend,
        &config.chain_prefix,
        &protected,
        config.sets,
    )
    .map_err(|e| format!("setting up the chains ({:?} backend): {e}", config.backend))?;
    log(&format!(
        "chains {}-*, backend {:?}, {}",
        config.chain_prefix,
        config.backend,
        if tls.is_some() {
            "TLS"
        } else {
            "plain HTTP (loopback)"
        }
    ));
    let jobs = worker::spawn(store);
    let listen = config.listen;
    server::serve(config, tls, jobs).map_err(|e| format!("listen {listen}: {e}"))
}
