//! `-j SECMARK`: set the packet's security mark from an SELinux context
//! (`xt_SECMARK.h`, revisions 0 and 1).

use iptkit_sys::ext::xt_secmark::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, check_name, read_struct, Args, Ctx, Extension};
use crate::xtopt::{put_truncated, truncated, Opt, Seen};

/// `-j SECMARK --selctx CONTEXT`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Secmark {
    /// The kernel struct revision: 1 (what iptables 1.8.9 writes) or 0.
    pub revision: u8,
    /// `--selctx`: the SELinux security context, at most 255 bytes
    /// (iptables cuts longer ones).
    pub selctx: String,
}

impl Secmark {
    /// `--selctx selctx`, at revision 1. Refused when empty or longer than
    /// 255 bytes; the kernel refuses a context its security module does not
    /// know (and any, without one).
    ///
    /// ```
    /// use iptkit::{targets::secmark::Secmark, Family, Rule};
    /// let ctx = "system_u:object_r:http_packet_t:s0";
    /// let rule = Rule::new(Family::Ipv4).with_target(Secmark::selctx(ctx)?);
    /// assert_eq!(rule.to_string(), format!("-j SECMARK --selctx {ctx}"));
    /// assert!(Secmark::selctx("").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn selctx(selctx: &str) -> Result<Secmark> {
        check_name(
            "security context",
            "--selctx",
            selctx,
            SECMARK_SECCTX_MAX - 1,
        )?;
        Ok(Secmark {
            revision: 1,
            selctx: selctx.to_string(),
        })
    }
}

const O_SELCTX: usize = 0;
const OPTS: &[Opt] = &[Opt::new("selctx").mand()];

/// Reads mode and context; `secid` is the kernel's and is ignored.
fn read(mode: u8, secctx: &[u8; SECMARK_SECCTX_MAX]) -> Result<String> {
    let s = c_str(secctx);
    let mut again = [0; SECMARK_SECCTX_MAX];
    put_truncated(&s, &mut again);
    if mode != SECMARK_MODE_SEL || &again != secctx {
        return Err(Error::Malformed(format!(
            "SECMARK: mode {mode}, context {s:?}"
        )));
    }
    Ok(s)
}

impl Extension for Secmark {
    const NAME: &'static str = "SECMARK";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Secmark::selctx("system_u:object_r:unlabeled_t:s0").expect("a valid context")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No context until `--selctx` gives one; it is mandatory.
        Secmark {
            revision: 1,
            selctx: String::new(),
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let selctx = match revision {
            0 => {
                let k: xt_secmark_target_info = read_struct(Self::NAME, revision, data)?;
                read(k.mode, &k.secctx)?
            }
            1 => {
                let k: xt_secmark_target_info_v1 = read_struct(Self::NAME, revision, data)?;
                read(k.mode, &k.secctx)?
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Secmark { revision, selctx })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = xt_secmark_target_info::zeroed();
            k.mode = SECMARK_MODE_SEL;
            put_truncated(&self.selctx, &mut k.secctx);
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_secmark_target_info_v1::zeroed();
            k.mode = SECMARK_MODE_SEL;
            put_truncated(&self.selctx, &mut k.secctx);
            out.extend_from_slice(k.as_bytes());
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "selctx" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_SELCTX, invert)?;
        let v = args.value("--selctx")?;
        self.selctx = truncated(v, SECMARK_SECCTX_MAX).to_string();
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // Unquoted, as libxt_SECMARK prints it.
        out.push_str(" --selctx ");
        out.push_str(&self.selctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    const CTX: &str = "system_u:object_r:firewalld_exec_t:s0";

    #[test]
    fn kernel_bytes_both_ways() {
        // This kernel has no SELinux and refuses the rule, so the bytes are
        // built from the header's layout: revision 1 is mode, context, secid.
        let mut bytes = vec![0u8; 264];
        bytes[0] = 1;
        bytes[1..1 + CTX.len()].copy_from_slice(CTX.as_bytes());
        both_ways(Ipv4, &Secmark::selctx(CTX).unwrap(), &bytes);
        // The secid the kernel fills in is not part of the value.
        bytes[260] = 7;
        assert_eq!(
            Secmark::decode(&Ctx::new(Ipv4), 1, &bytes).unwrap(),
            Secmark::selctx(CTX).unwrap()
        );
        // Revision 0: mode, secid, context.
        let mut bytes = vec![0u8; 264];
        bytes[0] = 1;
        bytes[8..8 + CTX.len()].copy_from_slice(CTX.as_bytes());
        let t = Secmark {
            revision: 0,
            ..Secmark::selctx(CTX).unwrap()
        };
        both_ways(Ipv6, &t, &bytes);
        bytes[0] = 2;
        assert!(Secmark::decode(&Ctx::new(Ipv6), 0, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables() {
        let rule = format!("-j SECMARK --selctx {CTX}");
        conformance_each(&[
            (Ipv4, &rule, Some(&rule)),
            (Ipv6, &rule, Some(&rule)),
            (Ipv4, "-j SECMARK", None),
            (Ipv6, "-j SECMARK", None),
            (Ipv4, "-j SECMARK --selctx a --selctx b", None),
            (Ipv4, "-j SECMARK ! --selctx a", None),
        ]);
    }
}
