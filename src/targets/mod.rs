//! Targets: the standard verdicts and jumps ([`Target`]), and target
//! extensions (`-j NAME`), one file each, in the [`TargetExt`] enum.

pub mod connmark;
pub mod ct;
pub mod dnat;
pub mod log;
pub mod mark;
pub mod masquerade;
mod nat_range;
pub mod nflog;
pub mod nfqueue;
pub mod redirect;
pub mod reject;
pub mod snat;

pub mod standard;
pub use standard::Target;

crate::extension::registry! {
    /// A target extension (`-j REJECT`, `-j LOG`, ...), typed; anything else is
    /// kept as [`TargetExt::Unknown`].
    pub enum TargetExt {
        Reject(reject::Reject),
        Log(log::Log),
        Mark(mark::MarkTarget),
        Connmark(connmark::ConnmarkTarget),
        Snat(snat::Snat),
        Dnat(dnat::Dnat),
        Masquerade(masquerade::Masquerade),
        Redirect(redirect::Redirect),
        Nflog(nflog::Nflog),
        Nfqueue(nfqueue::Nfqueue),
        Ct(ct::Ct),
    }
}
