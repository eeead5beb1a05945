//! The backup file of a table: its iptables-save text, written before a
//! change and read back for a rollback.
//!
//! The file is plain iptables-save output (no counters) after one comment
//! line naming the family and table, so `iptables-restore < FILE` takes
//! it as well. It is replaced whole (written beside, then renamed): a
//! crash leaves the old backup or the new one, never half of one.

use std::path::{Path, PathBuf};

use iptkit::{Error, Family, Handle, Result};

/// The default backup file of `tool` for a family:
/// `/var/lib/iptkit/TOOL.v4.rules` or `.v6.rules`.
pub fn default_path(tool: &str, family: Family) -> PathBuf {
    let v = match family {
        Family::Ipv4 => "v4",
        Family::Ipv6 => "v6",
    };
    PathBuf::from(format!("/var/lib/iptkit/{tool}.{v}.rules"))
}

fn header(handle: &Handle) -> String {
    format!(
        "# iptkit backup of the {} {} table\n",
        handle.family().command(),
        handle.name()
    )
}

fn io(op: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { op, source }
}

/// Writes `text` to `path` whole (a temporary file renamed over it).
pub fn write(path: &Path, text: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(io(format!("writing the backup {}", path.display())))
}

/// The table as it is now, as the backup file holds it.
pub fn snapshot(handle: &mut Handle) -> Result<Vec<u8>> {
    let mut text = header(handle).into_bytes();
    text.extend(handle.save(false)?);
    Ok(text)
}

/// Saves `before` (a [`snapshot`]) to `path`, then runs `commit`. When the
/// commit fails, the file gets back what it held (or goes, if it was not
/// there): a failed change leaves the last backup in place.
pub fn save_then(path: &Path, before: &[u8], commit: impl FnOnce() -> Result<()>) -> Result<()> {
    let old = std::fs::read(path).ok();
    write(path, before)?;
    let done = commit();
    if done.is_err() {
        let put_back = match old {
            Some(old) => write(path, &old),
            None => std::fs::remove_file(path).map_err(io(format!("removing {}", path.display()))),
        };
        // The commit's error is the one to return; this one is said too.
        if let Err(e) = put_back {
            eprintln!(
                "the backup {} now holds the rules in place: {e}",
                path.display()
            );
        }
    }
    done
}

/// The backup text of `path` for `handle`'s table. A file that says it
/// belongs to another family or table is refused.
pub fn read(path: &Path, handle: &Handle) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        op: format!(
            "reading the backup {} (nothing to roll back to)",
            path.display()
        ),
        source,
    })?;
    let ours = header(handle);
    if let Some(first) = text.lines().next() {
        if first.starts_with("# iptkit backup of ") && format!("{first}\n") != ours {
            return Err(Error::Syntax(format!(
                "{}: {} (this is the {} {} table)",
                path.display(),
                first.trim_start_matches("# "),
                handle.family().command(),
                handle.name()
            )));
        }
    }
    Ok(text)
}
