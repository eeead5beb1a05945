//! `-j NOTRACK` as older iptables wrote it: the kernel's own NOTRACK target
//! (revision 0, no data). iptables 1.8.9 writes `-j NOTRACK` as `CT` with the
//! NOTRACK alias flag instead (see [`Ct`](super::ct::Ct)), and so does this
//! crate; this type only reads and keeps what older tools left in a table.
//!
//! ```
//! use iptkit::targets::{ct::Ct, notrack::Notrack};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-j NOTRACK")?;
//! assert!(rule.target_as::<Notrack>().is_none()); // text makes a Ct
//! assert_eq!(rule.target_as::<Ct>(), Some(&Ct::notrack_alias()));
//! # Ok::<(), iptkit::Error>(())
//! ```

use super::trace::no_data;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::xtopt::Seen;

/// The kernel's `NOTRACK` target: do not track the packet's connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Notrack {}

impl Extension for Notrack {
    const NAME: &'static str = "NOTRACK";

    fn example(_family: crate::addr::Family) -> Self {
        Notrack::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Notrack::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        no_data(Self::NAME, revision, data).map(|()| Notrack {})
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, _out: &mut Vec<u8>) {}

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        _option: &str,
        _invert: bool,
        _args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        Ok(false)
    }

    fn save(&self, _ctx: &Ctx, _out: &mut String) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::Ipv4;
    use crate::targets::{Target, TargetExt};

    #[test]
    fn old_kernel_target_reads_and_text_goes_to_ct() {
        let t = TargetExt::decode(&Ctx::new(Ipv4), "NOTRACK", 0, &[]);
        assert_eq!(t, TargetExt::Notrack(Notrack {}));
        assert!(Notrack::decode(&Ctx::new(Ipv4), 0, &[1, 0, 0, 0, 0, 0, 0, 0]).is_err());
        let r = crate::Rule::parse(Ipv4, "-j NOTRACK").unwrap();
        assert!(
            matches!(r.target, Target::Ext(TargetExt::Ct(_))),
            "{:?}",
            r.target
        );
        assert_eq!(r.to_string(), "-j NOTRACK");
    }
}
