//! Targets: the standard verdicts and jumps ([`Target`]), and target
//! extensions (`-j NAME`), one file each, in the [`TargetExt`] enum.

pub mod connmark;
pub mod ct;

// Typed in issue 3; placeholders until their codecs land.
pub mod audit;
pub mod checksum;
pub mod classify;
pub mod clusterip;
pub mod connsecmark;
pub mod dnat;
pub mod dnpt;
pub mod dscp;
pub mod ecn;
pub mod hl;
pub mod hmark;
pub mod idletimer;
pub mod led;
pub mod log;
pub mod mark;
pub mod masquerade;
pub mod netmap;
pub mod nflog;
pub mod nfqueue;
pub mod notrack;
pub mod rateest;
pub mod redirect;
pub mod reject;
pub mod secmark;
pub mod set;
pub mod snat;
pub mod snpt;
pub mod synproxy;
pub mod tcpmss;
pub mod tcpoptstrip;
pub mod tee;
pub mod tos;
pub mod tproxy;
pub mod trace;
pub mod ttl;

mod nat_range;
pub mod standard;
pub use standard::Target;

crate::extension::registry! {
    /// A target extension (`-j REJECT`, `-j LOG`, ...), typed; anything else is
    /// kept as [`TargetExt::Unknown`].
    ///
    /// Targets larger than 56 bytes are boxed: a rule's target is inline,
    /// and NAT, LOG, MARK, REJECT and the other common ones stay so.
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
        Ct(ct::Ct) boxed,
        Audit(audit::Audit),
        Checksum(checksum::Checksum),
        Classify(classify::Classify),
        Connsecmark(connsecmark::Connsecmark),
        Dscp(dscp::DscpTarget),
        Ecn(ecn::EcnTarget),
        Hmark(hmark::Hmark) boxed,
        Idletimer(idletimer::Idletimer),
        Netmap(netmap::Netmap),
        Notrack(notrack::Notrack),
        Rateest(rateest::RateestTarget),
        Secmark(secmark::Secmark),
        Set(set::SetTarget) boxed,
        Synproxy(synproxy::Synproxy),
        Tcpmss(tcpmss::TcpmssTarget),
        Tcpoptstrip(tcpoptstrip::Tcpoptstrip),
        Tee(tee::Tee),
        Tos(tos::TosTarget),
        Tproxy(tproxy::Tproxy),
        Trace(trace::Trace),
        Ttl(ttl::TtlTarget),
        Dnpt(dnpt::Dnpt),
        Snpt(snpt::Snpt),
        Hl(hl::HlTarget),
        Led(led::Led),
        Clusterip(clusterip::Clusterip),
    }
}
