//! `-6`, `--backend legacy|nft|auto` and `--isolated`, as every example
//! tool takes them.
// Each tool includes this file and uses what it needs of it.
#![allow(dead_code)]

use iptkit::Family;

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

/// The options of a tool that works on one family's tables.
#[derive(clap::Args)]
pub struct Common {
    /// IPv6 (as ip6tables).
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Kernel interface: legacy (xtables), nft (nf_tables, as iptables-nft),
    /// or auto (whichever the machine's iptables uses; said on stderr).
    #[arg(long, default_value = "auto", value_parser = ["legacy", "nft", "auto"])]
    pub backend: String,
    /// Work in a fresh private network namespace, so the machine's firewall
    /// is not touched (a tool that changes rules then prints the result).
    #[arg(long)]
    pub isolated: bool,
}

impl Common {
    /// The family `-6` chose.
    pub fn family(&self) -> Family {
        if self.ipv6 {
            Family::Ipv6
        } else {
            Family::Ipv4
        }
    }

    /// Moves into a fresh private network namespace when `--isolated` asks;
    /// before anything else touches the kernel.
    pub fn enter_namespace(&self) -> iptkit::Result<()> {
        if self.isolated {
            iptkit::netns::unshare_net()?;
        }
        Ok(())
    }

    /// Handle options for `--backend` (see [`options`]).
    pub fn options(&self, tool: &str) -> iptkit::Result<iptkit::Options> {
        options(tool, &self.backend)
    }
}
