//! `--backend legacy|nft|auto`, as every example tool takes it.

/// Handle options for a `--backend` value. `auto` says on stderr, after the
/// tool's name, which backend it picked and why.
pub fn options(tool: &str, backend: &str) -> iptkit::Result<iptkit::Options> {
    let asked: iptkit::Backend = backend.parse()?;
    let (backend, why) = asked.resolve();
    if asked == iptkit::Backend::Auto {
        eprintln!("{tool}: backend {backend}: {why}");
    }
    Ok(iptkit::Options::default().backend(backend))
}
