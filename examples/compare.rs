//! `compare`: iptkit against iptables-legacy, in the same run, on the same
//! kernel, in a private network namespace (it unshares itself; run as root).
//!
//! ```text
//! compare [-n RULES] [-a APPENDS] [-r REPEAT]
//! ```
//!
//! Cases: (a) restoring a file of RULES rules (`iptables-legacy-restore` vs
//! parse + `Handle` commit); (b) APPENDS single appends to that table
//! (`iptables-legacy -A` run APPENDS times vs APPENDS `Handle` open + append +
//! commit), and the same with one autocommit `Handle` kept open for all of
//! them (the iptables side is the same); (c) saving it
//! (`iptables-legacy-save` vs `Handle` read + print).
//! Every run starts from the same table for both sides, set up untimed, and
//! is checked afterwards. Times are the median of REPEAT runs.
//!
//! Each side of each run is done by a helper process (this program started
//! again with `--side`), which times its work and reports its peak memory:
//! for iptkit, `VmHWM` of /proc/self/status (the helper's whole life); for
//! iptables, the largest `ru_maxrss` of the processes it ran
//! (`getrusage(RUSAGE_CHILDREN)`). Helpers start from the unshared thread,
//! so they are in the same private namespace. The xtables lock is a private
//! file for both sides (`XTABLES_LOCKFILE`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use iptkit::syntax::restore::{parse, save_table, RestoreOptions};
use iptkit::{Family, Handle, Options, Rule};

#[path = "../benches/shared/ruleset.rs"]
mod ruleset;
use ruleset::{big_ruleset, rule_spec, CHAIN};

#[derive(Parser)]
#[command(
    about = "Time iptkit against iptables-legacy in a private network namespace (needs root)"
)]
struct Args {
    /// Rules in the restored and saved table.
    #[arg(short = 'n', long = "rules", default_value_t = 10_000)]
    rules: usize,
    /// Single appends in the append case.
    #[arg(short = 'a', long = "appends", default_value_t = 100)]
    appends: usize,
    /// Runs of each case and side; the median time is shown.
    #[arg(short = 'r', long = "repeat", default_value_t = 3)]
    repeat: usize,
    /// Internal: run one side (`iptables` or `iptkit`) of one case and print
    /// its time and peak memory (this program starts itself with it).
    #[arg(long, hide = true, requires = "case")]
    side: Option<String>,
    /// Internal: the case for `--side`: restore, append, append-kept or save.
    #[arg(long, hide = true)]
    case: Option<String>,
    /// Internal: the restore file for `--case restore`.
    #[arg(long, hide = true)]
    file: Option<PathBuf>,
}

type Res<T> = Result<T, String>;

fn main() {
    let args = Args::parse();
    let result = match (&args.side, &args.case) {
        (Some(side), Some(case)) => helper(side, case, &args),
        _ => run(&args),
    };
    if let Err(e) = result {
        eprintln!("compare: {e}");
        std::process::exit(1);
    }
}

/// Time and peak memory (KiB) of one side of one run.
#[derive(Clone, Copy)]
struct Sample {
    time: Duration,
    kib: u64,
}

fn run(args: &Args) -> Res<()> {
    iptkit::netns::unshare_net().map_err(|e| format!("{e} (run as root)"))?;
    for tool in [
        "iptables-legacy",
        "iptables-legacy-restore",
        "iptables-legacy-save",
    ] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!(
                "`{tool}` is not installed (apt-get install iptables)"
            ));
        }
    }
    let dir = std::env::temp_dir().join(format!("iptkit-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let ctx = Ctx {
        lock: dir.join("xtables.lock"),
        file: dir.join("rules.txt"),
        rules: args.rules,
        appends: args.appends,
    };
    let result = std::fs::write(&ctx.file, big_ruleset(args.rules))
        .map_err(|e| format!("writing {}: {e}", ctx.file.display()))
        .and_then(|()| cases(args, &ctx));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// What both sides share.
struct Ctx {
    lock: PathBuf,
    file: PathBuf,
    rules: usize,
    appends: usize,
}

impl Ctx {
    fn open(&self) -> Res<Handle> {
        let options = Options {
            lock_path: Some(self.lock.clone()),
            ..Options::default()
        };
        Handle::open_with(Family::Ipv4, "filter", options).map_err(|e| e.to_string())
    }

    /// Sets the filter table to the first `n` rules (untimed set-up).
    fn set_up(&self, n: usize) -> Res<()> {
        let blocks = parse(Family::Ipv4, &big_ruleset(n)).map_err(|e| e.to_string())?;
        let block = blocks.into_iter().next().ok_or("no table")?;
        let mut h = self.open()?;
        h.edit(move |t| block.apply(t, &RestoreOptions::default()))
            .and_then(|()| h.commit())
            .map_err(|e| e.to_string())
    }

    /// Checks that chain `allow` has `want` rules: the run did its work.
    fn check(&self, want: usize, who: &str) -> Res<()> {
        let got = self.open()?.rules(CHAIN).map_err(|e| e.to_string())?.len();
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "{who}: chain {CHAIN} has {got} rules, {want} expected"
            ))
        }
    }

    /// Runs one side of `case` in a helper process: its time and peak memory.
    fn side(&self, side: &str, case: &str) -> Res<Sample> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let out = Command::new(exe)
            .args(["--side", side, "--case", case])
            .args(["-n", &self.rules.to_string()])
            .args(["-a", &self.appends.to_string()])
            .arg("--file")
            .arg(&self.file)
            .env("XTABLES_LOCKFILE", &self.lock)
            .output()
            .map_err(|e| format!("starting the {side} helper: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{side} {case}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace().map(str::parse::<u64>);
        match (words.next(), words.next()) {
            (Some(Ok(nanos)), Some(Ok(kib))) => Ok(Sample {
                time: Duration::from_nanos(nanos),
                kib,
            }),
            _ => Err(format!("{side} {case}: unexpected answer `{text}`")),
        }
    }

    /// Both sides of `case`, each starting from the table `set_up(start)`
    /// makes, each checked to leave `end` rules.
    fn both(&self, case: &str, start: usize, end: usize) -> Res<(Sample, Sample)> {
        self.set_up(start)?;
        let peer = self.side("iptables", case)?;
        self.check(end, &format!("iptables {case}"))?;
        self.set_up(start)?;
        let ours = self.side("iptkit", case)?;
        self.check(end, &format!("iptkit {case}"))?;
        Ok((peer, ours))
    }
}

fn cases(args: &Args, ctx: &Ctx) -> Res<()> {
    let n = ctx.rules;
    let list = [
        ("restore", format!("restore {n} rules"), 0, n),
        (
            "append",
            format!("{} appends to {n} rules", ctx.appends),
            n,
            n + ctx.appends,
        ),
        (
            "append-kept",
            "  the same, one handle".to_string(),
            n,
            n + ctx.appends,
        ),
        ("save", format!("save {n} rules"), n, n),
    ];
    let mut rows = Vec::new();
    for (case, title, start, end) in list {
        let (mut peer, mut ours) = (Vec::new(), Vec::new());
        for _ in 0..args.repeat.max(1) {
            let (p, o) = ctx.both(case, start, end)?;
            peer.push(p);
            ours.push(o);
        }
        rows.push((title, peer, ours));
    }
    print_table(&rows);
    Ok(())
}

fn median(samples: &[Sample]) -> Duration {
    let mut t: Vec<Duration> = samples.iter().map(|s| s.time).collect();
    t.sort();
    t.get(t.len() / 2).copied().unwrap_or_default()
}

fn peak_mib(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.kib).max().unwrap_or(0) as f64 / 1024.0
}

fn print_table(rows: &[(String, Vec<Sample>, Vec<Sample>)]) {
    println!(
        "{:<26} {:>12} {:>12} {:>16} {:>13} {:>11}",
        "case", "iptables", "iptkit", "iptables/iptkit", "iptables MiB", "iptkit MiB"
    );
    for (case, p, o) in rows {
        let (pt, ot) = (median(p), median(o));
        println!(
            "{:<26} {:>9.1} ms {:>9.1} ms {:>15.2}x {:>13.1} {:>11.1}",
            case,
            pt.as_secs_f64() * 1e3,
            ot.as_secs_f64() * 1e3,
            pt.as_secs_f64() / ot.as_secs_f64().max(1e-9),
            peak_mib(p),
            peak_mib(o),
        );
    }
    println!(
        "time: median of the runs; ratio > 1 means iptkit is faster. memory: peak resident \
         size of the largest iptables process, and of the iptkit helper process."
    );
}

// ------------------------------------------------------------ the helpers

/// Runs one side of one case and prints "NANOS KIB": its time and peak
/// resident size.
fn helper(side: &str, case: &str, args: &Args) -> Res<()> {
    let start = Instant::now();
    let kib = match side {
        "iptables" => {
            iptables(case, args)?;
            let usage =
                nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
                    .map_err(|e| format!("getrusage: {e}"))?;
            // ru_maxrss is in KiB on Linux.
            u64::try_from(usage.max_rss()).unwrap_or(0)
        }
        "iptkit" => {
            iptkit(case, args)?;
            vm_hwm()?
        }
        _ => return Err(format!("unknown side `{side}`")),
    };
    let time = start.elapsed();
    writeln!(std::io::stdout(), "{} {kib}", time.as_nanos()).map_err(|e| e.to_string())
}

/// `VmHWM` of /proc/self/status, in KiB.
fn vm_hwm() -> Res<u64> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/self/status".to_string())
}

fn iptables(case: &str, args: &Args) -> Res<()> {
    match case {
        "restore" => restore(args.file.as_deref().ok_or("--case restore needs --file")?),
        "append" | "append-kept" => (args.rules..args.rules + args.appends).try_for_each(|i| {
            let spec = rule_spec(i);
            tool(
                Command::new("iptables-legacy")
                    .args(["-w", "-A", CHAIN])
                    .args(spec.split_whitespace()),
            )
        }),
        "save" => tool(Command::new("iptables-legacy-save").args(["-t", "filter"])),
        _ => Err(format!("unknown case `{case}`")),
    }
}

/// The iptkit side; the lock is the one `XTABLES_LOCKFILE` names.
fn iptkit(case: &str, args: &Args) -> Res<()> {
    let open = || Handle::open(Family::Ipv4, "filter").map_err(|e| e.to_string());
    match case {
        "restore" => {
            let file = args.file.as_deref().ok_or("--case restore needs --file")?;
            let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
            let blocks = parse(Family::Ipv4, &text).map_err(|e| e.to_string())?;
            let block = blocks.into_iter().next().ok_or("no table in the file")?;
            let mut h = open()?;
            h.edit(move |t| block.apply(t, &RestoreOptions::default()))
                .and_then(|()| h.commit())
                .map_err(|e| e.to_string())
        }
        "append" => (args.rules..args.rules + args.appends).try_for_each(|i| {
            let rule = Rule::parse(Family::Ipv4, &rule_spec(i)).map_err(|e| e.to_string())?;
            let mut h = open()?;
            h.append(CHAIN, rule)
                .and_then(|()| h.commit())
                .map_err(|e| e.to_string())
        }),
        "append-kept" => {
            // One handle that commits each change, as a library user (or
            // python-iptables with autocommit) would keep it.
            let options = Options {
                autocommit: true,
                ..Options::default()
            };
            let mut h =
                Handle::open_with(Family::Ipv4, "filter", options).map_err(|e| e.to_string())?;
            (args.rules..args.rules + args.appends).try_for_each(|i| {
                let rule = Rule::parse(Family::Ipv4, &rule_spec(i)).map_err(|e| e.to_string())?;
                h.append(CHAIN, rule).map_err(|e| e.to_string())
            })
        }
        "save" => {
            let text = save_table(open()?.table().map_err(|e| e.to_string())?, false);
            // Written like iptables-save writes to its pipe.
            std::io::sink()
                .write_all(text.as_bytes())
                .map_err(|e| e.to_string())
        }
        _ => Err(format!("unknown case `{case}`")),
    }
}

/// Runs a tool; its output is read and dropped, as a pipe reader would.
fn tool(cmd: &mut Command) -> Res<()> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn restore(file: &Path) -> Res<()> {
    let input = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let status = Command::new("iptables-legacy-restore")
        .arg("-w")
        .stdin(Stdio::from(input))
        .status()
        .map_err(|e| format!("iptables-legacy-restore: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("iptables-legacy-restore failed: {status}"))
    }
}
