//! Helpers for the integration tests: a private network namespace per test,
//! and the iptables-legacy tools as the oracle of what the kernel holds.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use iptkit::Family;

/// Moves this test's thread into a fresh network namespace. Every test that
/// touches the kernel calls this first: it can never change the machine's
/// firewall. Fails loudly when not root: these tests never skip.
pub fn isolate() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the legacy integration tests must run as root (they unshare a network namespace)"
    );
    iptkit::netns::unshare_net().expect("unshare(CLONE_NEWNET) failed");
}

/// [`isolate`], then brings the namespace's loopback up, for tests that
/// send packets through the rules.
pub fn isolate_with_loopback() {
    isolate();
    let lo = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .expect("the `ip` tool (iproute2) is needed by this test (.ci/setup installs it)");
    assert!(lo.success(), "ip link set lo up");
}

/// Both families, for tests that run the same steps on each.
pub const FAMILIES: [Family; 2] = [Family::Ipv4, Family::Ipv6];

/// The iptables-legacy tools: `iptables-legacy`, `ip6tables-legacy-save`, ...
pub fn tool(family: Family, what: &str) -> String {
    match family {
        Family::Ipv4 => format!("iptables-legacy{what}"),
        Family::Ipv6 => format!("ip6tables-legacy{what}"),
    }
}

/// Runs `iptables-legacy -w ARGS` (or ip6tables) and asserts it succeeded.
pub fn ipt(family: Family, args: &str) {
    let out = Command::new(tool(family, ""))
        .arg("-w")
        .args(args.split_whitespace())
        .output()
        .expect("iptables-legacy is installed");
    assert!(
        out.status.success(),
        "{} {args} failed: {}",
        tool(family, ""),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feeds `text` to `iptables-legacy-restore -w -c` and asserts it succeeded.
pub fn restore(family: Family, text: &str) {
    let mut child = Command::new(tool(family, "-restore"))
        .args(["-w", "-c"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("iptables-legacy-restore is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "restore refused:\n{text}");
}

/// `iptables-legacy-save -t TABLE [-c]` without its comment lines.
pub fn save(family: Family, table: &str, counters: bool) -> String {
    let mut cmd = Command::new(tool(family, "-save"));
    cmd.args(["-t", table]);
    if counters {
        cmd.arg("-c");
    }
    without_comments(&mut cmd)
}

/// The `-A` lines of a save.
pub fn rules(family: Family, table: &str) -> Vec<String> {
    save(family, table, false)
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(String::from)
        .collect()
}

/// A rule of the family from iptables words.
pub fn rule(family: Family, spec: &str) -> iptkit::Rule {
    iptkit::Rule::parse(family, spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// A host address of the family, numbered.
/// A filter table for iptables-restore `-c` whose save is far longer than
/// a save writes at once: `rules` rules with counters and comments in the
/// user chain `zeta` (declared before `alpha`, so that the kernel may list
/// the chains in another order than a save prints them), a few in `alpha`
/// and INPUT.
pub fn long_table(family: Family, rules: usize) -> String {
    let net = |i: usize| match family {
        Family::Ipv4 => format!("10.{}.{}.0/24", i / 256 % 256, i % 256),
        Family::Ipv6 => format!("2001:db8:{:x}::/64", i),
    };
    let mut text = String::from(
        "*filter\n:INPUT DROP [7:420]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [1:2]\n\
         :zeta - [0:0]\n:alpha - [0:0]\n[3:4] -A INPUT -i lo -j ACCEPT\n-A INPUT -j alpha\n\
         -A INPUT -g zeta\n-A alpha -p udp -m udp --sport 53 -j RETURN\n",
    );
    for i in 0..rules {
        text.push_str(&format!(
            "[{i}:{}] -A zeta -s {} -p tcp -m tcp --dport {} -m comment --comment \"rule {i}\" -j ACCEPT\n",
            i * 60,
            net(i),
            i % 65536,
        ));
    }
    text.push_str("COMMIT\n");
    text
}

pub fn host(family: Family, n: u8) -> String {
    match family {
        Family::Ipv4 => format!("192.0.2.{n}"),
        Family::Ipv6 => format!("2001:db8::{n}"),
    }
}

/// How iptables-save prints that host.
pub fn host_saved(family: Family, n: u8) -> String {
    match family {
        Family::Ipv4 => format!("192.0.2.{n}/32"),
        Family::Ipv6 => format!("2001:db8::{n}/128"),
    }
}

/// The iptables-nft tools: `iptables-nft`, `ip6tables-nft-save`, ...
pub fn nft_tool(family: Family, what: &str) -> String {
    match family {
        Family::Ipv4 => format!("iptables-nft{what}"),
        Family::Ipv6 => format!("ip6tables-nft{what}"),
    }
}

/// Runs `iptables-nft ARGS` (or ip6tables-nft); `Err` with its stderr when
/// it fails.
pub fn nft_ipt_args(family: Family, args: &[&str]) -> Result<(), String> {
    let out = Command::new(nft_tool(family, ""))
        .args(args)
        .output()
        .expect("iptables-nft is installed");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs `iptables-nft ARGS` (split at white space) and asserts it succeeded.
pub fn nft_ipt(family: Family, args: &str) {
    let words: Vec<&str> = args.split_whitespace().collect();
    if let Err(e) = nft_ipt_args(family, &words) {
        panic!("{} {args} failed: {e}", nft_tool(family, ""));
    }
}

/// Feeds `text` to `iptables-nft-restore -c` and asserts it succeeded.
pub fn nft_restore(family: Family, text: &str) {
    let mut child = Command::new(nft_tool(family, "-restore"))
        .arg("-c")
        .stdin(Stdio::piped())
        .spawn()
        .expect("iptables-nft-restore is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "restore refused:\n{text}");
}

/// `iptables-nft-save [-t TABLE] [-c]` without its comment lines.
pub fn nft_save(family: Family, table: Option<&str>, counters: bool) -> String {
    let mut cmd = Command::new(nft_tool(family, "-save"));
    if let Some(t) = table {
        cmd.args(["-t", t]);
    }
    if counters {
        cmd.arg("-c");
    }
    without_comments(&mut cmd)
}

/// The `-A` lines of an iptables-nft-save of one table.
pub fn nft_rules(family: Family, table: &str) -> Vec<String> {
    nft_save(family, Some(table), false)
        .lines()
        .filter(|l| l.starts_with("-A "))
        .map(String::from)
        .collect()
}

/// Options for the legacy backend (the default is the one the machine's
/// `iptables` uses).
pub fn legacy_options() -> iptkit::Options {
    iptkit::Options::default().backend(iptkit::Backend::Legacy)
}

/// Opens a table through the legacy backend.
pub fn legacy(family: Family, table: &str) -> iptkit::Result<iptkit::Handle> {
    iptkit::Handle::open_with(family, table, legacy_options())
}

/// Opens a table through the nf_tables backend.
#[cfg(feature = "nft")]
pub fn nft_handle(family: Family, table: &str) -> iptkit::Handle {
    let options = iptkit::Options::default().backend(iptkit::Backend::Nft);
    iptkit::Handle::open_with(family, table, options)
        .unwrap_or_else(|e| panic!("opening {table} through nf_tables: {e}"))
}

/// Every rule of the table a handle holds, as `iptables-nft-save` prints
/// its `-A` lines (reads the whole table).
pub fn handle_nft_lines(h: &mut iptkit::Handle) -> Vec<String> {
    h.table()
        .unwrap()
        .chains
        .iter()
        .flat_map(|c| {
            c.rules
                .iter()
                .map(|r| r.save_line_as(&c.name, false, iptkit::extension::Dialect::Nft))
        })
        .collect()
}

/// An example tool's binary: cargo builds them next to the test binaries.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "example {name} is not built at {} (cargo test builds examples)",
        path.display()
    );
    path
}

/// Runs `cmd` with `stdin` as its input; its output. Panics, naming the
/// command, when it cannot be started (what is missing is then not
/// installed: `.ci/setup` installs it).
pub fn run_with_input(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (.ci/setup installs it): {e}"));
    // A tool that exits before reading its input (`-h`, a bad flag)
    // closes the pipe: that is its answer, not a failure of the test.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

/// Runs an example tool with `stdin` as its input.
pub fn run_example(name: &str, args: &[&str], stdin: &str) -> Output {
    run_with_input(Command::new(example(name)).args(args), stdin)
}

/// Runs an example tool and asserts it succeeded; its output.
pub fn example_ok(name: &str, args: &[&str], stdin: &str) -> String {
    let out = run_example(name, args, stdin);
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The parts of a refusal a test checks: chain, rule, extension, target
/// or match, and reason.
pub fn parts(e: &iptkit::Error) -> (&str, &str, &str, bool, iptkit::Refusal) {
    match e {
        iptkit::Error::Refused {
            chain,
            rule,
            extension,
            is_target,
            reason,
            ..
        } => (chain, rule, extension, *is_target, *reason),
        e => panic!("not a refusal that names its extension: {e}"),
    }
}

/// Runs the `nft` tool with one command (`nft 'add rule ip filter INPUT
/// ...'`) and asserts it succeeded: for rules iptables-nft would not write.
pub fn nft(cmd: &str) {
    let out = Command::new("nft")
        .arg(cmd)
        .output()
        .expect("the `nft` tool is needed by this test (.ci/setup installs it)");
    assert!(
        out.status.success(),
        "nft {cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a save tool and returns what it printed without its comment lines
/// (the date stamps); fails the test when the tool fails or is missing.
pub fn without_comments(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (.ci/setup installs it): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A handle on the filter table through `backend`.
pub fn open_filter(backend: iptkit::Backend, family: Family) -> iptkit::Handle {
    let options = iptkit::Options::default().backend(backend);
    iptkit::Handle::open_with(family, "filter", options)
        .unwrap_or_else(|e| panic!("opening filter through {backend:?}: {e}"))
}

/// The `-A` lines of the filter table as the backend's own save tool
/// (`iptables-legacy-save` or `iptables-nft-save`) prints them.
pub fn filter_rules(backend: iptkit::Backend, family: Family) -> Vec<String> {
    match backend {
        iptkit::Backend::Nft => nft_rules(family, "filter"),
        _ => rules(family, "filter"),
    }
}

/// `ipset ARGS` in this thread's namespace: its output. A failure or a
/// missing tool fails the test (it does not skip).
pub fn ipset(args: &str) -> String {
    let out = Command::new("ipset")
        .args(args.split_whitespace())
        .output()
        .expect("the `ipset` tool is needed by this test (.ci/setup installs it)");
    assert!(
        out.status.success(),
        "ipset {args} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
