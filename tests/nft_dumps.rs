//! Whole rule sets from real systems (`../shared/conformance/dumps/`), both
//! ways, through the nf_tables backend:
//!
//! - loaded by `iptables-nft-restore -c`, iptkit prints them exactly as
//!   `iptables-nft-save -c` does (comment lines aside);
//! - loaded through iptkit's restore, `iptables-nft-save -c` prints what it
//!   prints after the real tool loaded them;
//! - read and committed unchanged by iptkit, nothing changes.
#![cfg(feature = "nft")]

mod common;
mod support {
    pub mod cases;
}

use std::process::{Command, Stdio};

use iptkit::backend::nft::existing_tables;
use iptkit::syntax::restore::{parse, save_table_in, RestoreOptions};
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

fn tool(family: Family, what: &str) -> String {
    let base = if family == Family::Ipv4 {
        "iptables"
    } else {
        "ip6tables"
    };
    format!("{base}-nft{what}")
}

fn nft() -> Options {
    Options {
        backend: Backend::Nft,
        ..Options::default()
    }
}

/// The real tool's restore, with counters.
fn real_restore(family: Family, text: &str) {
    use std::io::Write;
    let mut child = Command::new(tool(family, "-restore"))
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
        "iptables-nft-restore refused the dump"
    );
}

/// The real tool's save of every table, with counters, without comments.
fn real_save(family: Family) -> String {
    let out = Command::new(tool(family, "-save"))
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

/// iptkit's save of every table, in the kernel's order, with counters.
fn iptkit_save(family: Family) -> String {
    existing_tables(family)
        .unwrap()
        .iter()
        .map(|t| {
            save_table_in(
                Handle::open_with(family, t, nft()).unwrap().table(),
                true,
                iptkit::extension::Dialect::Nft,
            )
        })
        .collect()
}

/// iptkit's restore: every table committed atomically.
fn iptkit_restore(family: Family, text: &str) -> iptkit::Result<()> {
    let opts = RestoreOptions {
        counters: true,
        ..RestoreOptions::default()
    };
    for block in parse(family, text)? {
        let mut h = Handle::open_with(family, &block.name, nft())?;
        let opts = opts.clone();
        h.edit(move |t| block.apply(t, &opts))?;
        h.commit()?;
    }
    Ok(())
}

#[test]
fn dumps_read_and_written_like_iptables_nft() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test must run as root (it unshares network namespaces)"
    );
    let mut misses = Vec::new();
    let all = dumps();
    for (name, family, text) in &all {
        let (real, ours_read, unchanged) = iptkit::netns::run_isolated(|| {
            real_restore(*family, text);
            let real = real_save(*family);
            let ours = iptkit_save(*family);
            for t in existing_tables(*family).unwrap() {
                let mut h = Handle::open_with(*family, &t, nft()).unwrap();
                let same = h.table().clone();
                h.replace_table(same).unwrap();
                h.commit().unwrap();
            }
            (real, ours, real_save(*family))
        })
        .unwrap();
        let ours_written = iptkit::netns::run_isolated(|| {
            iptkit_restore(*family, text)
                .map(|()| real_save(*family))
                .unwrap_or_else(|e| format!("restore failed: {e}\n"))
        })
        .unwrap();
        if ours_read != real {
            misses.push(format!(
                "{name}: read differs\n--- iptables-nft-save\n{real}--- iptkit\n{ours_read}"
            ));
        }
        if ours_written != real {
            misses.push(format!("{name}: written differs\n--- after iptables-nft-restore\n{real}--- after iptkit\n{ours_written}"));
        }
        if unchanged != real {
            misses.push(format!(
                "{name}: an unchanged commit changed\n{real}---\n{unchanged}"
            ));
        }
    }
    println!(
        "dumps (nft): {} of {} pass",
        all.len() - misses.len().min(all.len()),
        all.len()
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
