//! Whole rule sets from real systems (`../shared/conformance/dumps/`), both
//! ways, on each backend against its own iptables tools:
//!
//! - loaded by `iptables-<backend>-restore -c`, iptkit prints them exactly as
//!   `iptables-<backend>-save -c` does (comment lines aside);
//! - loaded through iptkit's restore, `iptables-<backend>-save -c` prints what
//!   it prints after the real tool loaded them;
//! - read and committed unchanged by iptkit, nothing changes.
// Needs the shared corpus, outside this repository (see the `corpus`
// feature in Cargo.toml).
#![cfg(feature = "corpus")]

mod support {
    pub mod cases;
}

use std::io::Write;
use std::process::{Command, Stdio};

use iptkit::backend::existing_tables;
use iptkit::syntax::restore::{parse, save_table_as, RestoreOptions};
use iptkit::{Backend, Family, Handle, Options};

fn dumps() -> Vec<(String, Family, String)> {
    let dir = support::cases::dir().join("dumps");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the dumps are missing at {}: {e}", dir.display()))
    {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let family = if name.contains("ip6tables") {
            Family::Ipv6
        } else {
            Family::Ipv4
        };
        out.push((name, family, std::fs::read_to_string(&path).unwrap()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `iptables-legacy-save`, `ip6tables-nft-restore`, ...
fn tool(backend: Backend, family: Family, what: &str) -> String {
    let base = if family == Family::Ipv4 {
        "iptables"
    } else {
        "ip6tables"
    };
    format!("{base}-{backend}{what}")
}

fn options(backend: Backend) -> Options {
    Options::default().backend(backend)
}

/// The real tool's restore, with counters.
fn real_restore(backend: Backend, family: Family, text: &str) {
    // The legacy tools share /run/xtables.lock with the other tests: wait for it.
    let wait: &[&str] = if backend == Backend::Legacy {
        &["-w"]
    } else {
        &[]
    };
    let mut child = Command::new(tool(backend, family, "-restore"))
        .args(wait)
        .arg("-c")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "{} refused the dump",
        tool(backend, family, "-restore")
    );
}

/// The real tool's save of every table, with counters, without comments.
fn real_save(backend: Backend, family: Family) -> String {
    let out = Command::new(tool(backend, family, "-save"))
        .arg("-c")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// iptkit's save of every table, in the order the backend's save prints
/// them: `Handle::save`, which prints each rule as it decodes it, and the
/// same as the table read and printed whole.
fn iptkit_save(backend: Backend, family: Family) -> String {
    let open = |t: &str| Handle::open_with(family, t, options(backend)).unwrap();
    existing_tables(backend, family)
        .unwrap()
        .iter()
        .map(|t| {
            let saved = String::from_utf8(open(t).save(true).unwrap()).unwrap();
            let whole = save_table_as(open(t).table().unwrap(), true, backend.dialect());
            assert_eq!(
                saved, whole,
                "{backend:?} {t}: Handle::save and the table read print the same"
            );
            saved
        })
        .collect()
}

/// iptkit's restore: every table committed atomically.
fn iptkit_restore(backend: Backend, family: Family, text: &str) -> iptkit::Result<()> {
    let opts = RestoreOptions {
        counters: true,
        ..RestoreOptions::default()
    };
    for block in parse(family, text)? {
        let mut h = Handle::open_with(family, &block.name, options(backend))?;
        let opts = opts.clone();
        h.edit(move |t| block.apply(t, &opts))?;
        h.commit()?;
    }
    Ok(())
}

fn check(backend: Backend) {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test must run as root (it unshares network namespaces)"
    );
    let mut misses = Vec::new();
    let all = dumps();
    for (name, family, text) in &all {
        let family = *family;
        let (real, ours_read, unchanged) = iptkit::netns::run_isolated(|| {
            real_restore(backend, family, text);
            let real = real_save(backend, family);
            let ours = iptkit_save(backend, family);
            for t in existing_tables(backend, family).unwrap() {
                let mut h = Handle::open_with(family, &t, options(backend)).unwrap();
                let same = h.table().unwrap().clone();
                h.replace_table(same).unwrap();
                h.commit().unwrap();
            }
            (real, ours, real_save(backend, family))
        })
        .unwrap();
        let ours_written =
            iptkit::netns::run_isolated(|| match iptkit_restore(backend, family, text) {
                Ok(()) => real_save(backend, family),
                Err(e) => format!("iptkit's restore failed: {e}\n"),
            })
            .unwrap();
        let save = tool(backend, family, "-save");
        if ours_read != real {
            misses.push(format!(
                "{name}: read differs\n--- {save}\n{real}--- iptkit\n{ours_read}"
            ));
        }
        if ours_written != real {
            misses.push(format!("{name}: written differs\n--- after the real restore\n{real}--- after iptkit\n{ours_written}"));
        }
        if unchanged != real {
            misses.push(format!(
                "{name}: an unchanged commit changed\n{real}---\n{unchanged}"
            ));
        }
    }
    println!(
        "dumps ({backend}): {} of {} pass",
        all.len() - misses.len().min(all.len()),
        all.len()
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn dumps_read_and_written_like_iptables_legacy() {
    check(Backend::Legacy);
}

#[cfg(feature = "nft")]
#[test]
fn dumps_read_and_written_like_iptables_nft() {
    check(Backend::Nft);
}
