//! `-j AUDIT`: record the packet in the audit log (`xt_AUDIT.h`, `struct xt_audit_info`).

use iptkit_sys::ext::xt_audit::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

/// The verdict an audit record reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuditType {
    /// `--type accept`.
    #[default]
    Accept,
    /// `--type drop`.
    Drop,
    /// `--type reject`.
    Reject,
}

impl AuditType {
    fn name(self) -> &'static str {
        match self {
            AuditType::Accept => "accept",
            AuditType::Drop => "drop",
            AuditType::Reject => "reject",
        }
    }
}

/// `-j AUDIT --type TYPE`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Audit {
    /// `--type`: the verdict recorded.
    pub kind: AuditType,
}

impl Audit {
    /// An AUDIT target recording `kind`.
    pub fn of(kind: AuditType) -> Audit {
        Audit { kind }
    }
}

const O_TYPE: usize = 0;
const OPTS: &[Opt] = &[Opt::new("type").mand()];

impl Extension for Audit {
    const NAME: &'static str = "AUDIT";

    fn example(_family: crate::addr::Family) -> Self {
        Audit::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Audit::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_audit_info = read_struct(Self::NAME, revision, data)?;
        let kind = match k.r#type {
            XT_AUDIT_TYPE_ACCEPT => AuditType::Accept,
            XT_AUDIT_TYPE_DROP => AuditType::Drop,
            XT_AUDIT_TYPE_REJECT => AuditType::Reject,
            t => return Err(Error::Malformed(format!("AUDIT: type {t}"))),
        };
        Ok(Audit::of(kind))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_audit_info::zeroed();
        k.r#type = match self.kind {
            AuditType::Accept => XT_AUDIT_TYPE_ACCEPT,
            AuditType::Drop => XT_AUDIT_TYPE_DROP,
            AuditType::Reject => XT_AUDIT_TYPE_REJECT,
        };
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "type" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_TYPE, invert)?;
        let v = args.value("--type")?;
        self.kind = [AuditType::Accept, AuditType::Drop, AuditType::Reject]
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(v))
            .ok_or_else(|| Error::value("AUDIT --type", v, "bad action type value"))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(" --type ");
        out.push_str(self.kind.name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j AUDIT --type reject`, as the kernel holds it.
        both_ways(
            Ipv4,
            &Audit::of(AuditType::Reject),
            &[2, 0, 0, 0, 0, 0, 0, 0],
        );
        both_ways(Ipv6, &Audit::of(AuditType::Accept), &[0; 8]);
        assert!(Audit::decode(&Ctx::new(Ipv4), 0, &[3]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv4,
                "-j AUDIT --type accept",
                Some("-j AUDIT --type accept"),
            ),
            (Ipv6, "-j AUDIT --type drop", Some("-j AUDIT --type drop")),
            (
                Ipv4,
                "-j AUDIT --type reject",
                Some("-j AUDIT --type reject"),
            ),
            (
                Ipv4,
                "-j AUDIT --type REJECT",
                Some("-j AUDIT --type reject"),
            ),
            (Ipv4, "-j AUDIT", None),
            (Ipv6, "-j AUDIT --type wrong", None),
            (Ipv4, "-j AUDIT --type drop --type accept", None),
            (Ipv4, "-j AUDIT ! --type drop", None),
            (Ipv4, "-j AUDIT --type", None),
        ]);
    }
}
