//! `apply`: change a table, then put the old rules back unless you confirm,
//! as `iptables-apply` does.
//!
//! ```text
//! apply [-6] [--backend legacy|nft|auto] [-t SECS] [--isolated] FILE
//! ```
//!
//! FILE is iptables-restore input for one table (`*filter ... COMMIT`). The
//! table is replaced by it in one commit
//! ([`Handle::commit_confirmed`](iptkit::Handle::commit_confirmed)); then
//! the tool asks on stderr whether new connections to the machine still
//! work and reads the answer from stdin. `y` or `yes` keeps the new rules;
//! anything else, end of input, or no answer within `-t` seconds (10 by
//! default, as iptables-apply) puts the previous rules back. The previous
//! rules are not put back over a change somebody else made meanwhile (the
//! tool then says so and exits 1).
//!
//! Exit codes: 0 confirmed; 3 put back (refused, no answer, or timeout);
//! 1 an error (a file that does not parse, a refusal by the kernel: nothing
//! changed, or a put-back that could not be done); 2 a command line it
//! cannot read.

#[path = "shared/backend.rs"]
mod backend;

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use clap::Parser;
use iptkit::syntax::restore::{parse, RestoreOptions};
use iptkit::{Error, Handle};

#[derive(Parser)]
#[command(about = "Apply a table, keep it only if confirmed in time (like iptables-apply)")]
struct Args {
    #[command(flatten)]
    common: backend::Common,
    /// Seconds to wait for the answer.
    #[arg(short = 't', long = "timeout", default_value_t = 10)]
    timeout: u64,
    /// iptables-restore input for one table.
    file: std::path::PathBuf,
}

/// How it ended, besides errors.
enum Outcome {
    Confirmed,
    PutBack(&'static str),
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(Outcome::Confirmed) => {
            eprintln!("apply: confirmed; the new rules stay");
            ExitCode::SUCCESS
        }
        Ok(Outcome::PutBack(why)) => {
            eprintln!("apply: {why}; the previous rules are back");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("apply: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &Args) -> iptkit::Result<Outcome> {
    args.common.enter_namespace()?;
    let family = args.common.family();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::Syntax(format!("{}: {e}", args.file.display())))?;
    let blocks = parse(family, &text)?;
    let table = match blocks.as_slice() {
        [one] => one.name.clone(),
        _ => {
            return Err(Error::Syntax(format!(
                "{}: holds {} tables; apply takes one table a file",
                args.file.display(),
                blocks.len()
            )))
        }
    };
    let options = args.common.options("apply")?;
    let mut handle = Handle::open_with(family, &table, options)?;
    handle.restore_text(&text, &RestoreOptions::default())?;
    let timeout = Duration::from_secs(args.timeout);
    let pending = handle.commit_confirmed(timeout)?;
    eprint!(
        "apply: table {table} changed. Can you establish NEW connections to the machine? (y/N) "
    );

    // The answer comes on another thread, so that waiting for it can end
    // at the timeout; the pending commit puts the old rules back by itself
    // then.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let got = std::io::stdin().lock().read_line(&mut line);
        let _ = tx.send(got.map(|n| (n, line)));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok((n, line))) if n > 0 && matches!(line.trim(), "y" | "Y" | "yes" | "YES") => {
            eprintln!();
            pending.confirm()?;
            Ok(Outcome::Confirmed)
        }
        Ok(_) => {
            eprintln!();
            pending.rollback()?;
            Ok(Outcome::PutBack("not confirmed"))
        }
        Err(_) => {
            eprintln!();
            pending.wait()?;
            Ok(Outcome::PutBack("no answer in time"))
        }
    }
}
